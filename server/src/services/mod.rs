//! The server's side of the browser app: what server functions hand over to.

pub mod activity;
pub mod apps;
pub mod audit;
pub mod audit_verify;
pub mod authorizations;
pub mod bootstrap;
pub mod invitations;
pub mod jobs;
pub mod key_rotation;
pub mod oauth;
pub mod people;
pub mod provision;
pub mod rate_limits;
pub mod sso;
pub mod sso_sign_in;

use crate::crypto::secrets::{hash_password, new_token, token_hash, verify_password};
use crate::services::audit::{received, Principal, Source};
use crate::services::provision::{create_operator, NewOperator};
use crate::store::activity::{record, NewEvent};
use crate::store::Db;
use crate::store::StoreError;
use crate::store::{domains, overview, sessions, setup, tenants, users};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use portcullis_app::services::{Caller, Console, NewSession, RequestMeta};
use portcullis_core::actions::Action;
use portcullis_core::email::Email;
use portcullis_core::ids::{TenantId, UserId};
use portcullis_core::password::Password;
use portcullis_core::people::domain_allowed;
use portcullis_core::signin::{
    attempt_allowed, session_valid, Counter, FAILURE_WINDOW_MINUTES, SESSION_ABSOLUTE_DAYS,
};
use portcullis_core::tenancy::{default_tenant, enter_tenant, Viewer};
use portcullis_core::wire::TenantOverview;
use portcullis_core::{Problem, ProblemKind};
use sqlx::AnyConnection;

/// A session is marked as used at most this often, so reads do not turn into writes.
const TOUCH_EVERY_SECS: i64 = 60;

/// The services behind the browser app.
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub secure_cookies: bool,
    /// The address people use, for links in mail (welcome links).
    pub public_url: String,
    /// Proxies allowed to name the client in `X-Forwarded-For` (the activity log's origin IP).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Seals and opens authorization secrets.
    pub vault: std::sync::Arc<crate::crypto::vault::Vault>,
    /// Sends health checks and OAuth exchanges to providers.
    pub checker: crate::integrations::health_checks::Checker,
    /// Requests a bot token may make per minute on this replica (`PORTCULLIS_BOT_RATE_LIMIT`).
    pub bot_rate_limit: u32,
    /// Networks whose connections may read `/metrics` (`PORTCULLIS_METRICS_ALLOW`).
    pub metrics_allow: Vec<ipnet::IpNet>,
}

fn wrong_credentials() -> Problem {
    Problem::new(
        ProblemKind::Unauthenticated,
        "invalid_credentials",
        "the email or password is not right",
    )
    .with_field("password")
}

#[async_trait]
impl Console for Services {
    fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }

    async fn sign_in(
        &self,
        email: Email,
        password: Password,
        replaces: Option<String>,
        meta: RequestMeta,
    ) -> Result<NewSession, Problem> {
        let now = received(&meta);
        let pool = &self.db.pool;
        let address = meta.origin_ip.as_deref();
        // Every attempt is counted before any password is hashed, each counter only once the
        // ones before it let the attempt through.
        for counter in Counter::ALL {
            let counted = self.count(counter, Some(&email), address, now).await?;
            if let Err(refusal) = counted.verdict {
                if counter.just_exceeded(counted.attempts) {
                    self.record_sign_in_refusal(&email, "session/locked", &meta, now)
                        .await?;
                }
                return Err(refusal);
            }
        }

        let user = users::by_email(pool, &email).await?;
        let stored_hash = user.as_ref().and_then(|u| u.password_hash.clone());
        // Without a user, verify_password checks a decoy hash: same time, same answer.
        let verified = verify_password(&password, stored_hash).await;
        let Some(user) = user.filter(|_| verified) else {
            sessions::sweep_attempts(pool, window_floor(now)).await?;
            self.record_sign_in_refusal(&email, "session/sign_in_failed", &meta, now)
                .await?;
            return Err(wrong_credentials());
        };

        // A person whose domain left the allowlist cannot sign in, and is told why.
        let allowlist = domains::allowlist(pool).await?;
        domain_allowed(&email, allowlist.iter().map(String::as_str))?;

        let allowed = tenants::enterable(pool, &user.id, user.operator).await?;
        let tenant = default_tenant(&allowed, user.last_tenant_id.as_ref());
        let principal = Principal::of_user(&user);

        let mut tx = self.db.write().await?;
        if let Some(old) = replaces {
            sessions::delete(&mut *tx, &token_hash(&old)).await?;
        }
        let token = open_session(
            &mut tx,
            &user.id,
            SessionTenant::Starts(tenant.as_ref()),
            &meta,
            now,
        )
        .await?;
        users::touch_login(&mut *tx, &user.id, now).await?;
        let account_keys =
            [Counter::AccountFromAddress, Counter::Account].map(|c| c.key(Some(&email), address));
        sessions::forget_attempts(&mut tx, &account_keys).await?;
        sessions::refund_attempt(&mut tx, &Counter::Address.key(Some(&email), address)).await?;
        record(
            &mut tx,
            NewEvent {
                tenant_id: tenant.as_ref(),
                event_type: "session/create",
                happened_at: now,
                principal: &principal,
                source: Source::Console.code(),
                object_id: Some(user.id.as_str()),
                object_name: Some(&user.email),
                origin_ip: meta.origin_ip.as_deref(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(new_session(token))
    }

    async fn sign_out(&self, caller: &Caller, meta: RequestMeta) -> Result<(), Problem> {
        let now = received(&meta);
        let v = &caller.viewer;
        let principal = Principal::of(v);
        let mut tx = self.db.write().await?;
        sessions::delete(&mut *tx, &caller.session_hash).await?;
        record(
            &mut tx,
            NewEvent {
                tenant_id: v.current.as_ref(),
                event_type: "session/end",
                happened_at: now,
                principal: &principal,
                source: Source::Console.code(),
                object_id: Some(v.user_id.as_str()),
                object_name: Some(v.email.as_str()),
                origin_ip: meta.origin_ip.as_deref(),
            },
        )
        .await?;
        Ok(tx.commit().await?)
    }

    async fn caller(&self, session_token: &str) -> Result<Option<Caller>, Problem> {
        let now = Utc::now();
        let pool = &self.db.pool;
        let hash = token_hash(session_token);
        let Some(session) = sessions::find(pool, &hash).await? else {
            return Ok(None);
        };
        if !session_valid(session.created_at, session.last_used_at, now) {
            sessions::delete(pool, &hash).await?;
            return Ok(None);
        }
        if (now - session.last_used_at).num_seconds() >= TOUCH_EVERY_SECS {
            sessions::touch(pool, &hash, now).await?;
        }
        let viewer = self
            .viewer(&session.user_id, session.tenant_id, session.sso_tenant_id)
            .await?;
        Ok(viewer.map(|viewer| Caller {
            viewer,
            session_hash: hash,
        }))
    }

    async fn switch_tenant(&self, caller: &Caller, tenant: TenantId) -> Result<(), Problem> {
        let entered = enter_tenant(&caller.viewer.tenants, &tenant)?;
        let mut tx = self.db.write().await?;
        sessions::set_tenant(&mut *tx, &caller.session_hash, &entered.id).await?;
        users::set_last_tenant(&mut *tx, &caller.viewer.user_id, &entered.id).await?;
        Ok(tx.commit().await?)
    }

    async fn overview(&self, caller: &Caller) -> Result<TenantOverview, Problem> {
        let tenant = caller.viewer.current_tenant().cloned().ok_or_else(|| {
            Problem::forbidden("no_tenant", "you are not a member of any tenant yet")
        })?;
        let pool = &self.db.pool;
        let (users, policies, resource_groups) = overview::counts(pool, &tenant.id).await?;
        // Through core's decide: a custom group reaches only its own databases.
        let checked = self.access_of(caller).await?;
        let databases = overview::databases(pool, &tenant.id, |db| {
            checked
                .decide(caller, Action::ViewDatabase, Some(db))
                .allowed
        })
        .await?;
        Ok(TenantOverview {
            tenant,
            users,
            policies,
            resource_groups,
            databases,
        })
    }

    async fn complete_setup(
        &self,
        setup_token: String,
        name: String,
        email: Email,
        password: Password,
        meta: RequestMeta,
    ) -> Result<NewSession, Problem> {
        let now = received(&meta);
        let link_dead = || {
            Problem::invalid(
                "token",
                "setup_link_invalid",
                "this setup link was already used or has expired; restart the server to print a new one",
            )
        };
        let link = token_hash(&setup_token);
        // A dead link is refused before any password is hashed: hashing is the expensive step.
        if !setup::is_live(&self.db.pool, &link, now).await? {
            return Err(link_dead());
        }
        let password_hash = hash_password(&password).await?;
        let mut tx = self.db.write().await?;
        if !setup::claim(&mut *tx, &link, now).await? {
            return Err(link_dead());
        }
        let new_operator = NewOperator {
            email: &email,
            name: &name,
            password_hash: &password_hash,
            source: Source::Setup.code(),
            origin_ip: meta.origin_ip.as_deref(),
        };
        let user_id = create_operator(&mut tx, new_operator, None, now).await?;
        let token =
            open_session(&mut tx, &user_id, SessionTenant::Starts(None), &meta, now).await?;
        tx.commit().await?;
        Ok(new_session(token))
    }
}

/// An attempt counted against one of core's counters, and core's verdict on it.
pub(crate) struct Counted {
    pub attempts: u32,
    pub verdict: Result<(), Problem>,
}

/// Where the counting window that contains `now` may begin at the earliest.
fn window_floor(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::minutes(FAILURE_WINDOW_MINUTES)
}

impl Services {
    /// Counts one unauthenticated attempt against `counter` in the database (so the limit
    /// holds across replicas) and asks core whether it may go on.
    pub(crate) async fn count(
        &self,
        counter: Counter,
        email: Option<&Email>,
        address: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Counted, Problem> {
        let key = counter.key(email, address);
        let (attempts, started) =
            sessions::count_attempt(&self.db.pool, &key, now, window_floor(now)).await?;
        let verdict = attempt_allowed(counter, attempts, started, now);
        if verdict.is_err() {
            crate::metrics::rate_limit_refused(match counter {
                Counter::Address => "sign_in_address",
                Counter::AccountFromAddress => "sign_in_account_from_address",
                Counter::Account => "sign_in_account",
                Counter::SsoFromAddress => "sso_address",
            });
        }
        Ok(Counted { attempts, verdict })
    }

    /// Records a refused sign-in in the platform's log: the address tried, never the password.
    async fn record_sign_in_refusal(
        &self,
        email: &Email,
        event_type: &str,
        meta: &RequestMeta,
        now: DateTime<Utc>,
    ) -> Result<(), Problem> {
        let principal = Principal {
            id: "anonymous".to_owned(),
            name: email.to_string(),
            email: Some(email.to_string()),
        };
        let mut tx = self.db.write().await?;
        record(
            &mut tx,
            NewEvent {
                tenant_id: None,
                event_type,
                happened_at: now,
                principal: &principal,
                source: Source::Console.code(),
                object_id: None,
                object_name: Some(email.as_str()),
                origin_ip: meta.origin_ip.as_deref(),
            },
        )
        .await?;
        Ok(tx.commit().await?)
    }

    /// The person behind a session, with the tenants they may enter. A session opened by a
    /// tenant's identity provider enters that tenant only and carries no operator powers: the
    /// provider vouches for the person there, not elsewhere.
    async fn viewer(
        &self,
        user_id: &UserId,
        tenant: Option<TenantId>,
        sso_tenant: Option<TenantId>,
    ) -> Result<Option<Viewer>, Problem> {
        let pool = &self.db.pool;
        let Some(user) = users::by_id(pool, user_id).await? else {
            return Ok(None);
        };
        let email = Email::parse(&user.email).map_err(|_| Problem::internal())?;
        let operator = user.operator && sso_tenant.is_none();
        let mut tenants = tenants::enterable(pool, user_id, operator).await?;
        if let Some(only) = &sso_tenant {
            tenants.retain(|t| &t.id == only);
        }
        // A tenant the person was removed from since the session began is no longer current.
        let current = tenant.filter(|t| tenants.iter().any(|s| &s.id == t));
        Ok(Some(Viewer {
            through_sso: sso_tenant.is_some(),
            user_id: user_id.clone(),
            name: user.name,
            email,
            operator,
            tenants,
            current,
        }))
    }
}

/// The session handed to the browser: the raw token, living as long as a session may.
pub(crate) fn new_session(token: String) -> NewSession {
    NewSession {
        token,
        max_age_secs: SESSION_ABSOLUTE_DAYS * 24 * 3600,
    }
}

/// Where a new session works.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SessionTenant<'a> {
    /// A password session: starts in this tenant (if any) and may enter every tenant the
    /// person may, with their operator powers.
    Starts(Option<&'a TenantId>),
    /// A session a tenant's identity provider vouched for: that tenant only, no operator powers.
    OnlyThrough(&'a TenantId),
}

/// Opens a session for `user` inside the caller's transaction; returns the raw token for the
/// cookie (only its hash is stored).
pub(crate) async fn open_session(
    conn: &mut AnyConnection,
    user: &UserId,
    tenant: SessionTenant<'_>,
    meta: &RequestMeta,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let token = new_token();
    let (tenant_id, sso_tenant_id) = match tenant {
        SessionTenant::Starts(t) => (t, None),
        SessionTenant::OnlyThrough(t) => (Some(t), Some(t)),
    };
    sessions::insert(
        conn,
        sessions::NewSessionRow {
            token_hash: &token_hash(&token),
            user_id: user,
            tenant_id,
            sso_tenant_id,
            now,
            origin_ip: meta.origin_ip.as_deref(),
            user_agent: meta.user_agent.as_deref(),
        },
    )
    .await?;
    Ok(token)
}
