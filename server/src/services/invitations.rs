//! The server's side of [`Invitations`]: a person with an account elsewhere joins a tenant only
//! by accepting its invitation, from a session of their own (never one a tenant's identity
//! provider opened, which speaks for them in that tenant only).

use crate::services::audit::Principal;
use crate::services::audit::{received, Actor, Source};
use crate::services::Services;
use crate::store::access::{self, NewAssignment};
use crate::store::invitations as store;
use crate::store::{people, tenants, users};
use async_trait::async_trait;
use chrono::Utc;
use portcullis_app::services::{Caller, Invitations, RequestMeta};
use portcullis_core::ids::{TenantId, UserId};
use portcullis_core::wire::Invitation;
use portcullis_core::Problem;
use sqlx::AnyConnection;

impl Services {
    /// Makes `person` a member of `tenant` with what the invitation offered, lifts the tenant's
    /// removal of them, and records the join and the grant (the inviter's, received now), in
    /// the caller's transaction. Accepting by hand and signing in through the inviting
    /// tenant's own identity provider both end here.
    pub(crate) async fn join(
        &self,
        tx: &mut AnyConnection,
        tenant: &TenantId,
        person: &Principal,
        taken: &store::Taken,
        access_label: &str,
        origin_ip: Option<&str>,
    ) -> Result<(), Problem> {
        let now = Utc::now();
        let user = UserId::parse(&person.id).map_err(|_| Problem::internal())?;
        let email = person.label().to_owned();
        tenants::add_member(&mut *tx, tenant, &user, now).await?;
        people::readmit(tx, tenant, &email).await?;
        access::insert_assignment(
            &mut *tx,
            NewAssignment {
                tenant,
                user: &user,
                policy: &taken.policy,
                resource_group: &taken.group,
                source: "manual",
            },
            now,
        )
        .await?;
        let actor = Actor {
            tenant: Some(tenant),
            principal: person.clone(),
            source: Source::Console,
            origin_ip,
            now: Utc::now(),
        };
        actor
            .record(
                tx,
                "user/join",
                (user.as_str(), &format!("{email}: {access_label}")),
            )
            .await?;
        if let Some(inviter) = users::by_id(&mut *tx, &taken.by).await? {
            let granter = Actor {
                principal: Principal::of_user(&inviter),
                ..actor
            };
            granter
                .record(
                    tx,
                    "policy/grant",
                    (user.as_str(), &format!("{access_label} to {email}")),
                )
                .await?;
            let receiver = Actor {
                principal: person.clone(),
                ..granter
            };
            receiver
                .record(
                    tx,
                    "policy/receive",
                    (
                        taken.policy.as_str(),
                        &format!("{access_label} from {}", inviter.email),
                    ),
                )
                .await?;
        }
        Ok(())
    }

    /// The label of the caller's invitation to `tenant` (`policy on group`), if one is open.
    pub(crate) async fn invitation_label(
        &self,
        tx: &mut AnyConnection,
        tenant: &TenantId,
        user: &UserId,
    ) -> Result<Option<String>, Problem> {
        Ok(store::of_user(tx, user)
            .await?
            .into_iter()
            .find(|i| &i.tenant_id == tenant)
            .map(|i| i.access))
    }
}

#[async_trait]
impl Invitations for Services {
    async fn invitations(&self, caller: &Caller) -> Result<Vec<Invitation>, Problem> {
        // Another tenant's invitation is none of this tenant's provider's business.
        if caller.viewer.through_sso {
            return Ok(Vec::new());
        }
        let mut conn = self.db.conn().await?;
        Ok(store::of_user(&mut conn, &caller.viewer.user_id).await?)
    }

    async fn answer_invitation(
        &self,
        caller: &Caller,
        tenant: TenantId,
        accept: bool,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        if caller.viewer.through_sso {
            return Err(Problem::forbidden(
                "password_sign_in_required",
                "you signed in through one tenant's identity provider; sign in with your password to join another tenant",
            ));
        }
        let user = &caller.viewer.user_id;
        let mut tx = self.db.write().await?;
        let access_label = self
            .invitation_label(&mut tx, &tenant, user)
            .await?
            .ok_or_else(|| Problem::not_found("invitation"))?;
        let taken = store::take(&mut tx, &tenant, user)
            .await?
            .ok_or_else(|| Problem::not_found("invitation"))?;
        let me = Principal::of(&caller.viewer);
        let email = caller.viewer.email.to_string();
        let actor = Actor {
            tenant: Some(&tenant),
            principal: me.clone(),
            source: Source::Console,
            origin_ip: meta.origin_ip.as_deref(),
            now: received(&meta),
        };
        if !accept {
            actor
                .record(
                    &mut tx,
                    "user/decline_invitation",
                    (user.as_str(), &format!("{email}: {access_label}")),
                )
                .await?;
            return Ok(tx.commit().await?);
        }
        self.join(
            &mut tx,
            &tenant,
            &me,
            &taken,
            &access_label,
            meta.origin_ip.as_deref(),
        )
        .await?;
        Ok(tx.commit().await?)
    }
}
