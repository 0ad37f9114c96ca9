//! The end of an SSO sign-in: the identity provider sends the person back with a code.
//!
//! The state is taken once; the code is exchanged with the PKCE verifier; the ID token's
//! signature, issuer, audience, expiry and nonce are checked by `openidconnect`. Then, in one
//! transaction, the person is found or created, their SSO-sourced assignments become exactly
//! what the mappings give for their groups now (core's `plan_sign_in`), every assignment added or
//! removed is recorded, and a session opens. A person left without access gets no session and
//! is told why on the sign-in page.

use crate::crypto::secrets::token_hash;
use crate::services::audit::Principal;
use crate::services::audit::{received, Actor, Source};
use crate::services::sso::PendingSignIn;
use crate::services::{new_session, open_session, Services, SessionTenant};
use crate::store::access::{self, NewAssignment};
use crate::store::sso as store;
use crate::store::versions::{self, Versioned};
use crate::store::{domains, invitations, people, tenants, users};
use crate::store::{new_id, problem};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::core::CoreIdToken;
use openidconnect::{
    AuthorizationCode, Nonce, OAuth2TokenResponse, PkceCodeVerifier, TokenResponse,
};
use portcullis_app::services::{NewSession, RequestMeta};
use portcullis_core::email::Email;
use portcullis_core::ids::{TenantId, UserId};
use portcullis_core::people::domain_allowed;
use portcullis_core::sso::{groups_in_claims, no_access_reason, plan_sign_in, GroupMapping};
use portcullis_core::{Problem, ProblemKind};
use sqlx::AnyConnection;
use subtle::ConstantTimeEq;

/// A sign-in refused, with the reason the person is shown.
pub(crate) fn refused(why: String) -> Problem {
    Problem::new(ProblemKind::Unauthenticated, "sso_refused", why)
}

/// The claims of an ID token already verified, as JSON (for the configurable groups claim).
/// `openidconnect` has checked the token, so its payload is strict unpadded base64url.
fn raw_claims(token: &CoreIdToken) -> Option<serde_json::Value> {
    let text = token.to_string();
    let payload = text.split('.').nth(1)?;
    let json = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&json).ok()
}

/// What the provider vouched for, after the ID token was verified.
struct Asserted<'a> {
    issuer: &'a str,
    subject: &'a str,
    email: &'a Email,
    name: &'a str,
}

impl Services {
    /// Finishes an SSO sign-in; answers the new session, or why there is none. `browser` is the
    /// binding cookie the starting browser was given: a state started in another browser is
    /// refused (login CSRF), and so is an identity this tenant's provider may not speak for.
    pub async fn finish_sso(
        &self,
        state: &str,
        code: &str,
        browser: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<NewSession, Problem> {
        self.admit_sso(meta).await?;
        let state_hash = token_hash(state);
        let now = received(meta);
        let mut conn = self.db.conn().await?;
        let taken = store::take_state(&mut conn, &state_hash, now)
            .await?
            .ok_or_else(|| {
                refused("this sign-in link is unknown, used or expired; start again".to_owned())
            })?;
        drop(conn);
        let tenant = taken.tenant;
        let same_browser = browser.is_some_and(|b| {
            !taken.browser_hash.is_empty()
                && bool::from(
                    token_hash(b)
                        .as_bytes()
                        .ct_eq(taken.browser_hash.as_bytes()),
                )
        });
        if !same_browser {
            return Err(self
                .refuse(
                    &tenant,
                    None,
                    "the sign-in was finished in a browser other than the one that started it",
                    "this sign-in was started in another browser; start again here",
                    meta,
                )
                .await);
        }
        let pending: PendingSignIn = self
            .vault
            .open_sealed(&format!("sso-state/{state_hash}"), &taken.sealed)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(Problem::internal)?;
        let provider = store::provider(&self.db.pool, &tenant)
            .await?
            .ok_or_else(|| refused("single sign-on is no longer set up here".to_owned()))?;
        let client = self.oidc_client(&tenant, &provider).await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|_| Problem::internal())?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
            .request_async(self.checker.outbound())
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "SSO code exchange failed");
                refused("the identity provider did not exchange the sign-in code".to_owned())
            })?;
        let _ = token.access_token();
        let id_token = token
            .id_token()
            .ok_or_else(|| refused("the identity provider sent no ID token".to_owned()))?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))
            .map_err(|e| {
                tracing::warn!(error = %e, "ID token refused");
                refused(format!("the identity provider's ID token was refused: {e}"))
            })?;
        let email = claims
            .email()
            .and_then(|e| Email::parse(e.as_str()).ok())
            .ok_or_else(|| {
                refused("the identity provider sent no usable email address".to_owned())
            })?;
        if claims.email_verified() != Some(true) {
            return Err(self
                .refuse(
                    &tenant,
                    Some(&email),
                    "the identity provider did not say the email address is verified",
                    "the identity provider has not verified your email address",
                    meta,
                )
                .await);
        }
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned())
            .unwrap_or_else(|| email.local_part().to_owned());
        let name = portcullis_core::people::check_name("name", &name)
            .unwrap_or_else(|_| email.local_part().to_owned());
        let allowlist = domains::allowlist(&self.db.pool).await?;
        domain_allowed(&email, allowlist.iter().map(String::as_str))?;
        let groups = raw_claims(id_token)
            .map(|c| groups_in_claims(&c, &provider.groups_claim))
            .transpose()?
            .unwrap_or_default();
        let asserted = Asserted {
            issuer: &provider.issuer,
            subject: claims.subject().as_str(),
            email: &email,
            name: &name,
        };
        match self.apply_sign_in(&tenant, &asserted, &groups, meta).await {
            Err(SignInError::Refused { logged, shown }) => Err(self
                .refuse(&tenant, Some(&email), &logged, shown, meta)
                .await),
            Err(SignInError::Problem(p)) => Err(p),
            Ok(session) => Ok(session),
        }
    }

    /// Records a refused sign-in in the tenant's log (in a transaction of its own: nothing else
    /// changes) and answers what the person is told.
    async fn refuse(
        &self,
        tenant: &TenantId,
        email: Option<&Email>,
        logged: &str,
        shown: &str,
        meta: &RequestMeta,
    ) -> Problem {
        let who = email.map_or_else(|| "someone".to_owned(), ToString::to_string);
        let actor = Actor {
            tenant: Some(tenant),
            principal: Principal {
                id: "sso".to_owned(),
                name: who.clone(),
                email: email.map(ToString::to_string),
            },
            source: Source::Sso,
            origin_ip: meta.origin_ip.as_deref(),
            now: received(meta),
        };
        let recorded = async {
            let mut tx = self.db.write().await?;
            actor
                .record(
                    &mut tx,
                    "sso/refused",
                    (tenant.as_str(), &format!("{who}: {logged}")),
                )
                .await?;
            tx.commit().await?;
            Ok::<(), Problem>(())
        };
        if let Err(e) = recorded.await {
            tracing::warn!(error = %e.message, "could not record a refused SSO sign-in");
        }
        refused(shown.to_owned())
    }

    /// The person the asserted identity signs in as, within `tenant`: the one its
    /// (issuer, subject) is linked to, or, at a first sign-in, a member of this tenant with
    /// that email (linked now) or a new person. Never an operator, never someone outside the
    /// tenant, never someone the tenant removed.
    async fn person_for(
        &self,
        tx: &mut AnyConnection,
        tenant: &TenantId,
        a: &Asserted<'_>,
    ) -> Result<Person, SignInError> {
        if !store::domain_vouched(tx, tenant, a.email.domain()).await? {
            return Err(SignInError::refused(
                format!(
                    "{} is not a domain an operator approved for this tenant's provider",
                    a.email.domain()
                ),
                "this tenant's identity provider may not sign in addresses of your domain",
            ));
        }
        let linked = store::identity_user(tx, tenant, a.issuer, a.subject).await?;
        let by_email = users::by_email(&mut *tx, a.email).await?;
        let user = match (linked, by_email) {
            (Some(id), by_email) => {
                let user = users::by_id(&mut *tx, &id)
                    .await?
                    .ok_or_else(Problem::internal)?;
                if by_email.is_some_and(|u| u.id != id) || user.email != a.email.as_str() {
                    return Err(SignInError::refused(
                        format!("the provider's identity is linked to {}, not {}", user.email, a.email),
                        "your identity provider now gives another email address than this account's; ask an administrator",
                    ));
                }
                Some(user)
            }
            (None, by_email) => by_email,
        };
        // An account enters only as a member of this tenant or by this tenant's invitation
        // (which the sign-in then accepts); never an operator's account, and never someone the
        // tenant removed and has not invited back.
        let mut invited = false;
        if let Some(u) = &user {
            invited = invitations::is_invited(tx, tenant, &u.id).await?;
            let member = people::is_member(&mut *tx, tenant, &u.id).await?;
            if u.operator || !(member || invited) {
                return Err(SignInError::refused(
                    format!(
                        "{} has an account that is not a member of this tenant",
                        a.email
                    ),
                    "your account is not a member of this tenant; ask an administrator to add you",
                ));
            }
        }
        if !invited && people::is_excluded(tx, tenant, a.email.as_str()).await? {
            return Err(SignInError::refused(
                "the tenant removed this person; an administrator must add them again".to_owned(),
                "your access to this tenant was removed; ask an administrator to add you again",
            ));
        }
        Ok(Person { user, invited })
    }

    /// Applies the mappings to the person and opens their session (or says why not).
    async fn apply_sign_in(
        &self,
        tenant: &TenantId,
        a: &Asserted<'_>,
        groups: &[String],
        meta: &RequestMeta,
    ) -> Result<NewSession, SignInError> {
        let now = received(meta);
        let email = a.email;
        let rows = store::mappings(&self.db.pool, tenant).await?;
        let names: std::collections::BTreeMap<_, String> = rows
            .iter()
            .map(|m| {
                (
                    m.mapping.pair.clone(),
                    format!("{} on {}", m.policy, m.group),
                )
            })
            .collect();
        let mappings: Vec<GroupMapping> = rows.into_iter().map(|m| m.mapping).collect();
        let label = |pair: &portcullis_core::people::AssignmentPair| {
            let what = names
                .get(pair)
                .cloned()
                .unwrap_or_else(|| format!("{} on {}", pair.0, pair.1));
            format!("{email}: {what}")
        };
        let mut tx = self.db.write().await?;
        let Person {
            user: existing,
            invited,
        } = self.person_for(&mut tx, tenant, a).await?;
        // Signing in through the inviting tenant's own provider accepts its invitation.
        if let (Some(u), true) = (&existing, invited) {
            let label = self.invitation_label(&mut tx, tenant, &u.id).await?;
            let taken = invitations::take(&mut tx, tenant, &u.id).await?;
            if let (Some(label), Some(taken)) = (label, taken) {
                let person = Principal::of_user(u);
                let origin = meta.origin_ip.as_deref();
                self.join(&mut tx, tenant, &person, &taken, &label, origin)
                    .await?;
            }
        }
        let (current_sso, manual) = match &existing {
            Some(u) => store::assignments_by_source(&mut tx, tenant, &u.id).await?,
            None => Default::default(),
        };
        let plan = plan_sign_in(&mappings, groups, &current_sso, &manual);
        if plan.no_access && existing.is_none() {
            return Err(Problem::forbidden("sso_no_access", no_access_reason(groups)).into());
        }
        let user = match existing {
            Some(u) => u.id,
            None => {
                let id = new_id(UserId::from_bytes);
                users::insert(
                    &mut *tx,
                    users::NewUser {
                        id: &id,
                        email,
                        name: a.name,
                        password_hash: None,
                        operator: false,
                        created_at: now,
                    },
                )
                .await?;
                id
            }
        };
        if store::identity_user(&mut tx, tenant, a.issuer, a.subject)
            .await?
            .is_none()
        {
            store::link_identity(&mut tx, tenant, a.issuer, a.subject, &user, now).await?;
        }
        let actor = Actor {
            tenant: Some(tenant),
            principal: Principal {
                id: user.to_string(),
                name: a.name.to_owned(),
                email: Some(email.to_string()),
            },
            source: Source::Sso,
            origin_ip: meta.origin_ip.as_deref(),
            now: received(meta),
        };
        for pair in &plan.remove {
            store::remove_sso_assignment(&mut tx, tenant, &user, pair).await?;
            actor
                .record(&mut tx, "sso/revoke", (user.as_str(), &label(pair)))
                .await?;
        }
        if !plan.no_access {
            tenants::add_member(&mut *tx, tenant, &user, now).await?;
        }
        if !plan.remove.is_empty() || !plan.add.is_empty() {
            // An administrator's open edit of this person was made before these grants changed.
            versions::touch(&mut tx, Versioned::User, user.as_str()).await?;
        }
        for pair in &plan.add {
            access::insert_assignment(
                &mut *tx,
                NewAssignment {
                    tenant,
                    user: &user,
                    policy: &pair.0,
                    resource_group: &pair.1,
                    source: "sso",
                },
                now,
            )
            .await?;
            actor
                .record(&mut tx, "sso/grant", (user.as_str(), &label(pair)))
                .await?;
        }
        let groups_text = if groups.is_empty() {
            "no groups".to_owned()
        } else {
            groups.join(", ")
        };
        actor
            .record(
                &mut tx,
                "sso/sign_in",
                (user.as_str(), &format!("{email} with {groups_text}")),
            )
            .await?;
        if plan.no_access {
            // The removals stand: losing a group loses its access at once.
            tx.commit().await?;
            return Err(Problem::forbidden("sso_no_access", no_access_reason(groups)).into());
        }
        let token = open_session(
            &mut tx,
            &user,
            SessionTenant::OnlyThrough(tenant),
            meta,
            now,
        )
        .await?;
        users::touch_login(&mut *tx, &user, now).await?;
        users::set_last_tenant(&mut *tx, &user, tenant).await?;
        tx.commit().await?;
        Ok(new_session(token))
    }
}

/// Whom an assertion signs in as: an existing person (or none yet, to be created), and
/// whether they come by this tenant's open invitation.
struct Person {
    user: Option<users::UserRecord>,
    invited: bool,
}

/// Why a sign-in ended without a session.
enum SignInError {
    /// The provider spoke for someone it may not: recorded in the tenant's log.
    Refused {
        logged: String,
        shown: &'static str,
    },
    Problem(Problem),
}

impl SignInError {
    fn refused(logged: String, shown: &'static str) -> SignInError {
        SignInError::Refused { logged, shown }
    }
}

impl From<Problem> for SignInError {
    fn from(p: Problem) -> SignInError {
        SignInError::Problem(p)
    }
}

impl From<sqlx::Error> for SignInError {
    fn from(e: sqlx::Error) -> SignInError {
        SignInError::Problem(problem(e))
    }
}

impl From<crate::store::StoreError> for SignInError {
    fn from(e: crate::store::StoreError) -> SignInError {
        SignInError::Problem(e.into())
    }
}
