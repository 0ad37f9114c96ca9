//! The end of an SSO sign-in (U10): the identity provider sends the person back with a code.
//!
//! The state is taken once; the code is exchanged with the PKCE verifier; the ID token's
//! signature, issuer, audience, expiry and nonce are checked by `openidconnect`. Then, in one
//! transaction, the person is found or created, their SSO-sourced assignments become exactly
//! what the mappings give for their groups now (core's `plan_sign_in`), every assignment added or
//! removed is recorded, and a session opens. A person left without access gets no session and
//! is told why on the sign-in page.

use crate::activity::Principal;
use crate::authorizations::Actor;
use crate::console::{new_session, open_session, Services};
use crate::db::{new_id, problem};
use crate::secrets::token_hash;
use crate::sso::PendingSignIn;
use crate::store::access::{self, NewAssignment};
use crate::store::sso as store;
use crate::store::{domains, tenants, users};
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{Extensions, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use openidconnect::core::CoreIdToken;
use openidconnect::{
    AuthorizationCode, Nonce, OAuth2TokenResponse, PkceCodeVerifier, TokenResponse,
};
use portcullis_app::api::session_cookie;
use portcullis_app::services::{NewSession, RequestMeta};
use portcullis_core::email::Email;
use portcullis_core::ids::{TenantId, UserId};
use portcullis_core::people::domain_allowed;
use portcullis_core::sso::{groups_in_claims, no_access_reason, plan_sign_in, GroupMapping};
use portcullis_core::{Problem, ProblemKind};

/// The callback route.
pub fn router<S: Clone + Send + Sync + 'static>(services: Services) -> Router<S> {
    Router::new()
        .route(crate::sso::CALLBACK_PATH, get(callback))
        .with_state(services)
}

async fn callback(
    State(services): State<Services>,
    Query(params): Query<crate::http::CodeCallback>,
    extensions: Extensions,
    headers: HeaderMap,
) -> Response {
    let meta = services.request_meta(&extensions, &headers);
    let outcome = match (params.error, params.code, params.state) {
        (Some(error), _, _) => Err(refused(format!(
            "the identity provider did not sign you in ({error})"
        ))),
        (None, Some(code), Some(state)) => services.finish_sso(&state, &code, &meta).await,
        _ => Err(refused(
            "the identity provider sent no code back".to_owned(),
        )),
    };
    match outcome {
        Ok(session) => {
            let mut response = Redirect::to("/").into_response();
            let cookie = session_cookie(
                services.secure_cookies,
                &session.token,
                session.max_age_secs,
            );
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(SET_COOKIE, v);
            }
            response
        }
        Err(p) => {
            let query = serde_urlencoded_pair("sso_error", &p.message);
            Redirect::to(&format!("/signin?{query}")).into_response()
        }
    }
}

/// `key=value`, percent-encoded.
fn serde_urlencoded_pair(key: &str, value: &str) -> String {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!("{}={}", encode(key), encode(value))
}

fn refused(why: String) -> Problem {
    Problem::new(ProblemKind::Unauthenticated, "sso_refused", why)
}

/// The claims of an ID token already verified, as JSON (for the configurable groups claim).
fn raw_claims(token: &CoreIdToken) -> Option<serde_json::Value> {
    let text = token.to_string();
    let payload = text.split('.').nth(1)?;
    let standard: String = payload
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    serde_json::from_slice(&portcullis_core::base64::decode(&standard)?).ok()
}

impl Services {
    /// Finishes an SSO sign-in; answers the new session, or why there is none.
    pub async fn finish_sso(
        &self,
        state: &str,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<NewSession, Problem> {
        let state_hash = token_hash(state);
        let now = Utc::now();
        let mut conn = self.db.pool.acquire().await.map_err(problem)?;
        let (tenant, sealed) = store::take_state(&mut conn, &state_hash, now)
            .await
            .map_err(problem)?
            .ok_or_else(|| {
                refused("this sign-in link is unknown, used or expired; start again".to_owned())
            })?;
        drop(conn);
        let pending: PendingSignIn = self
            .vault
            .open_sealed(&format!("sso-state/{state_hash}"), &sealed)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(Problem::internal)?;
        let provider = store::provider(&self.db.pool, &tenant)
            .await
            .map_err(problem)?
            .ok_or_else(|| refused("single sign-on is no longer set up here".to_owned()))?;
        let client = self.oidc_client(&tenant, &provider).await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|_| Problem::internal())?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
            .request_async(self.checker.client())
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
        if claims.email_verified() == Some(false) {
            return Err(refused(
                "the identity provider has not verified your email address".to_owned(),
            ));
        }
        let email = claims
            .email()
            .and_then(|e| Email::parse(e.as_str()).ok())
            .ok_or_else(|| {
                refused("the identity provider sent no usable email address".to_owned())
            })?;
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned())
            .unwrap_or_else(|| email.local_part().to_owned());
        let allowlist = domains::allowlist(&self.db.pool).await.map_err(problem)?;
        domain_allowed(&email, allowlist.iter().map(String::as_str))?;
        let groups = raw_claims(id_token)
            .map(|c| groups_in_claims(&c, &provider.groups_claim))
            .transpose()?
            .unwrap_or_default();
        self.apply_sign_in(&tenant, &email, &name, &groups, meta)
            .await
    }

    /// Applies the mappings to the person and opens their session (or says why not).
    async fn apply_sign_in(
        &self,
        tenant: &TenantId,
        email: &Email,
        name: &str,
        groups: &[String],
        meta: &RequestMeta,
    ) -> Result<NewSession, Problem> {
        let now = Utc::now();
        let rows = store::mappings(&self.db.pool, tenant)
            .await
            .map_err(problem)?;
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
        let mut tx = self.db.pool.begin().await.map_err(problem)?;
        let existing = users::by_email(&mut *tx, email).await.map_err(problem)?;
        let (current_sso, manual) = match &existing {
            Some(u) => store::assignments_by_source(&mut tx, tenant, &u.id)
                .await
                .map_err(problem)?,
            None => Default::default(),
        };
        let plan = plan_sign_in(&mappings, groups, &current_sso, &manual);
        if plan.no_access && existing.is_none() {
            return Err(Problem::forbidden(
                "sso_no_access",
                no_access_reason(groups),
            ));
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
                        name,
                        password_hash: None,
                        operator: false,
                        created_at: now,
                    },
                )
                .await
                .map_err(problem)?;
                id
            }
        };
        let actor = Actor {
            tenant,
            principal: Principal {
                id: user.to_string(),
                name: name.to_owned(),
                email: Some(email.to_string()),
            },
            source: "sso",
            origin_ip: meta.origin_ip.as_deref(),
        };
        for pair in &plan.remove {
            store::remove_sso_assignment(&mut tx, tenant, &user, pair)
                .await
                .map_err(problem)?;
            actor
                .record(&mut tx, "sso/revoke", (user.as_str(), &label(pair)))
                .await?;
        }
        if !plan.no_access {
            tenants::add_member(&mut *tx, tenant, &user, now)
                .await
                .map_err(problem)?;
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
            .await
            .map_err(problem)?;
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
            tx.commit().await.map_err(problem)?;
            return Err(Problem::forbidden(
                "sso_no_access",
                no_access_reason(groups),
            ));
        }
        let token = open_session(&mut tx, &user, Some(tenant), meta, now)
            .await
            .map_err(problem)?;
        users::touch_login(&mut *tx, &user, now)
            .await
            .map_err(problem)?;
        users::set_last_tenant(&mut *tx, &user, tenant)
            .await
            .map_err(problem)?;
        tx.commit().await.map_err(problem)?;
        Ok(new_session(token))
    }
}
