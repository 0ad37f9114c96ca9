//! The one audit writer: who acts, through which part of the product, from where and when,
//! taken once per request and carried by every record the request writes.
//!
//! Records go into the caller's open transaction, so a change and its record commit together
//! or not at all: no action without its record.

pub use crate::store::activity::Principal;
use crate::store::activity::{record, NewEvent};
use chrono::{DateTime, Utc};
use portcullis_app::services::{Caller, RequestMeta};
use portcullis_core::ids::{EventId, PolicyId, TenantId};
use portcullis_core::Problem;
use sqlx::AnyConnection;

/// The part of the product a record comes from, as the log's `source` column names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Source {
    /// A person in the browser console.
    Console,
    /// A bot over the REST API.
    Api,
    /// A background scheduler (health checks, token refresh).
    Scheduler,
    /// A sign-in through the tenant's identity provider.
    Sso,
    /// The one-time setup link.
    Setup,
    /// The first operator from the environment.
    Bootstrap,
    /// A tenant being created with what every tenant starts with.
    Provisioning,
    /// A command line run by an operator.
    Cli,
    /// The demo data loaded with `serve --demo`.
    Demo,
}

impl Source {
    /// The code the log stores.
    pub fn code(self) -> &'static str {
        self.into()
    }
}

/// When `meta`'s request arrived: the time every decision and record of the request uses
/// (now, for a call that did not come through the HTTP layer).
pub fn received(meta: &RequestMeta) -> DateTime<Utc> {
    meta.received_at.unwrap_or_else(Utc::now)
}

/// Who makes a change, through what, from where and when: what every record of one request
/// or one scheduler turn carries. The time is read once, where the actor is made.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    /// The tenant whose log shows the records; `None` for the platform's own log.
    pub tenant: Option<&'a TenantId>,
    pub principal: Principal,
    pub source: Source,
    pub origin_ip: Option<&'a str>,
    pub now: DateTime<Utc>,
}

impl<'a> Actor<'a> {
    /// A signed-in person acting in `tenant` from the request's origin.
    pub fn person(tenant: &'a TenantId, caller: &'a Caller, meta: &'a RequestMeta) -> Actor<'a> {
        Actor {
            tenant: Some(tenant),
            ..Actor::caller(caller, meta)
        }
    }

    /// A signed-in person acting in whichever tenant they are in (the platform's log when none).
    pub fn caller(caller: &'a Caller, meta: &'a RequestMeta) -> Actor<'a> {
        Actor {
            tenant: caller.viewer.current.as_ref(),
            principal: Principal::of(&caller.viewer),
            source: Source::Console,
            origin_ip: meta.origin_ip.as_deref(),
            now: received(meta),
        }
    }

    /// The tenant the actor acts in, for changes that only exist in one (authorizations,
    /// jobs): their actors are always made with a tenant, so `None` is a fault of this program.
    pub fn in_tenant(&self) -> Result<&'a TenantId, Problem> {
        self.tenant.ok_or_else(Problem::internal)
    }

    /// Records `event_type` on `object` (id, name) in the actor's log, in the caller's
    /// transaction.
    pub async fn record(
        &self,
        conn: &mut AnyConnection,
        event_type: &str,
        object: (&str, &str),
    ) -> Result<EventId, Problem> {
        self.record_as(conn, &self.principal, event_type, object)
            .await
    }

    /// Records an event whose principal is someone other than the actor (a grant's receipt,
    /// say), with the actor's tenant, source, origin and time.
    pub async fn record_as(
        &self,
        conn: &mut AnyConnection,
        principal: &Principal,
        event_type: &str,
        object: (&str, &str),
    ) -> Result<EventId, Problem> {
        Ok(record(
            conn,
            NewEvent {
                tenant_id: self.tenant,
                event_type,
                happened_at: self.now,
                principal,
                source: self.source.code(),
                object_id: Some(object.0),
                object_name: Some(object.1),
                origin_ip: self.origin_ip,
            },
        )
        .await?)
    }

    /// Records a grant as two events: the grant by the actor in the recipient's name, and the
    /// receipt in the recipient's own, so each person's history shows it.
    pub async fn record_grant(
        &self,
        conn: &mut AnyConnection,
        recipient: &Principal,
        assignment: &str,
        policy_id: &PolicyId,
    ) -> Result<(), Problem> {
        let given = format!("{assignment} to {}", recipient.label());
        self.record(conn, "policy/grant", (&recipient.id, &given))
            .await?;
        let received = format!("{assignment} from {}", self.principal.label());
        self.record_as(
            conn,
            recipient,
            "policy/receive",
            (policy_id.as_str(), &received),
        )
        .await?;
        Ok(())
    }
}
