//! OAuth methods: the authorization-code flow with PKCE against the provider's endpoints,
//! the callback that stores the tokens (sealed), and their refresh before they expire.
//!
//! The state sent to the provider is random; only its SHA-256 is stored, with the PKCE verifier
//! sealed beside it. The callback must come back in the same person's session within ten
//! minutes, and a state is taken once.

use crate::crypto::secrets::token_hash;
use crate::services::audit::Principal;
use crate::services::audit::{Actor, Source};
use crate::services::Services;
use crate::store::authorizations as store;
use crate::store::oauth_states::{self, Started};
use chrono::{DateTime, Duration, Utc};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, Scope, TokenResponse, TokenUrl,
};
use portcullis_core::health::CHECK_LEASE_MS;
use portcullis_core::ids::{AuthorizationId, TenantId};
use portcullis_core::oauth::{endpoints, CONSENT_VALID_MS, REFRESH_BEFORE_MS};
use portcullis_core::providers::{self, MethodKind};
use portcullis_core::{Problem, ProblemKind};
use std::collections::BTreeMap;

/// Where providers send the person back.
pub const CALLBACK_PATH: &str = "/authorizations/oauth/callback";

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

fn config_problem(what: &str) -> Problem {
    Problem::new(
        ProblemKind::Conflict,
        "oauth_not_configured",
        format!("the provider's {what} is not a valid URL; make a new authorization"),
    )
}

impl Services {
    /// The OAuth client of an authorization whose configuration is `config`.
    fn oauth_client(
        &self,
        provider: &str,
        config: &BTreeMap<String, String>,
    ) -> Result<(Client, &'static [&'static str]), Problem> {
        let ends = endpoints(provider, config, self.checker.base_for(provider))
            .ok_or_else(|| config_problem("OAuth endpoint"))?;
        let get = |k: &str| config.get(k).cloned().unwrap_or_default();
        let id = if provider == "facebook" {
            get("app_id")
        } else {
            get("client_id")
        };
        let secret = if provider == "facebook" {
            get("app_secret")
        } else {
            get("client_secret")
        };
        let client = BasicClient::new(ClientId::new(id))
            .set_client_secret(ClientSecret::new(secret))
            .set_auth_uri(
                AuthUrl::new(ends.authorize_url).map_err(|_| config_problem("consent page"))?,
            )
            .set_token_uri(
                TokenUrl::new(ends.token_url).map_err(|_| config_problem("token endpoint"))?,
            )
            .set_redirect_uri(
                RedirectUrl::new(format!(
                    "{}{CALLBACK_PATH}",
                    self.public_url.trim_end_matches('/')
                ))
                .map_err(|_| config_problem("callback"))?,
            );
        Ok((client, ends.scopes))
    }

    /// Starts the consent of an OAuth authorization: remembers a fresh state and PKCE verifier
    /// and answers the provider's consent URL.
    pub(crate) async fn oauth_authorize_url(
        &self,
        tenant: &TenantId,
        id: &AuthorizationId,
        user: &portcullis_core::ids::UserId,
    ) -> Result<String, Problem> {
        let stored = self.stored_authorization(tenant, id).await?;
        let (_, method) = providers::method(&stored.row.provider, &stored.row.method)?;
        if method.kind != MethodKind::OAuth {
            return Err(Problem::new(
                ProblemKind::Conflict,
                "not_oauth",
                format!("{} does not go through a provider's consent", method.name),
            ));
        }
        let config = self.open_config(tenant, &stored)?;
        let (client, scopes) = self.oauth_client(&stored.row.provider, &config)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .set_pkce_challenge(challenge)
            .url();
        let state_hash = token_hash(state.secret());
        let started = Started {
            tenant: tenant.clone(),
            authorization: id.clone(),
            user: user.clone(),
            sealed_verifier: self
                .vault
                .seal(&format!("oauth/{state_hash}"), verifier.secret().as_bytes())?,
        };
        let mut conn = self.db.conn().await?;
        oauth_states::insert(
            &mut conn,
            &state_hash,
            &started,
            Utc::now() + Duration::milliseconds(CONSENT_VALID_MS),
        )
        .await?;
        Ok(url.to_string())
    }

    /// Finishes a consent: takes the state, exchanges the code with the PKCE verifier, seals
    /// the tokens and records the connection. Answers the authorization to show.
    pub async fn finish_oauth(
        &self,
        user: &portcullis_core::ids::UserId,
        principal: Principal,
        state: &str,
        code: &str,
        origin_ip: Option<&str>,
    ) -> Result<AuthorizationId, Problem> {
        let refused = || {
            Problem::invalid(
                "state",
                "invalid_state",
                "this consent link is unknown, used or expired; start the connection again",
            )
        };
        let state_hash = token_hash(state);
        let mut conn = self.db.conn().await?;
        let started = oauth_states::take(&mut conn, &state_hash, Utc::now())
            .await?
            .ok_or_else(refused)?;
        drop(conn);
        if &started.user != user {
            return Err(refused());
        }
        let verifier = self
            .vault
            .open_sealed(&format!("oauth/{state_hash}"), &started.sealed_verifier)
            .map_err(|_| refused())?;
        let verifier = String::from_utf8(verifier).map_err(|_| refused())?;
        let stored = self
            .stored_authorization(&started.tenant, &started.authorization)
            .await?;
        let config = self.open_config(&started.tenant, &stored)?;
        let (client, _) = self.oauth_client(&stored.row.provider, &config)?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier))
            .request_async(self.checker.outbound())
            .await
            .map_err(|e| exchange_problem(&e.to_string()))?;
        let actor = Actor {
            tenant: Some(&started.tenant),
            principal,
            source: Source::Console,
            origin_ip,
            now: Utc::now(),
        };
        self.store_tokens(&actor, &stored, config, &token, "authorization/connect")
            .await?;
        Ok(started.authorization)
    }

    /// Seals fresh tokens into the authorization, counts the exchange as a request and
    /// records it as `event_type`.
    async fn store_tokens(
        &self,
        actor: &Actor<'_>,
        stored: &store::Stored,
        mut config: BTreeMap<String, String>,
        token: &oauth2::basic::BasicTokenResponse,
        event_type: &str,
    ) -> Result<(), Problem> {
        let now = Utc::now();
        config.insert(
            "access_token".to_owned(),
            token.access_token().secret().clone(),
        );
        if let Some(refresh) = token.refresh_token() {
            config.insert("refresh_token".to_owned(), refresh.secret().clone());
        }
        let expires_at: Option<DateTime<Utc>> = token
            .expires_in()
            .and_then(|d| Duration::from_std(d).ok())
            .map(|d| now + d);
        let secrets: BTreeMap<String, String> = config
            .into_iter()
            .filter(|(k, _)| !stored.settings.contains_key(k))
            .collect();
        let sealed = self.seal(actor.in_tenant()?, &stored.row.id, &secrets)?;
        let mut tx = self.db.write().await?;
        store::set_tokens(
            &mut tx,
            actor.in_tenant()?,
            &stored.row.id,
            &sealed,
            expires_at,
            now,
        )
        .await?;
        store::count_request(
            &mut tx,
            &stored.row.id,
            portcullis_core::metrics::hour_of(now),
        )
        .await?;
        actor
            .record(
                &mut tx,
                event_type,
                (stored.row.id.as_str(), &stored.row.label),
            )
            .await?;
        Ok(tx.commit().await?)
    }

    /// Refreshes access tokens that expire within ten minutes (each on one replica). Answers
    /// how many this replica refreshed.
    pub async fn refresh_due_tokens(&self, now: DateTime<Utc>) -> Result<usize, Problem> {
        let claimed = store::claim_refresh(
            &self.db.pool,
            now,
            now + Duration::milliseconds(REFRESH_BEFORE_MS),
            now + Duration::milliseconds(CHECK_LEASE_MS),
            20,
        )
        .await?;
        let mut done = 0;
        for (tenant, id) in &claimed {
            let actor = Actor {
                tenant: Some(tenant),
                principal: Principal {
                    id: "system".to_owned(),
                    name: "Token refresher".to_owned(),
                    email: None,
                },
                source: Source::Scheduler,
                origin_ip: None,
                now: Utc::now(),
            };
            match self.refresh_one(&actor, id).await {
                Ok(()) => done += 1,
                Err(p) => tracing::warn!(authorization = %id, problem = %p, "token refresh failed"),
            }
        }
        Ok(done)
    }

    async fn refresh_one(&self, actor: &Actor<'_>, id: &AuthorizationId) -> Result<(), Problem> {
        let stored = self.stored_authorization(actor.in_tenant()?, id).await?;
        let config = self.open_config(actor.in_tenant()?, &stored)?;
        let refresh = config
            .get("refresh_token")
            .cloned()
            .ok_or_else(|| exchange_problem("the provider gave no refresh token"))?;
        let (client, _) = self.oauth_client(&stored.row.provider, &config)?;
        let token = client
            .exchange_refresh_token(&RefreshToken::new(refresh))
            .request_async(self.checker.outbound())
            .await
            .map_err(|e| exchange_problem(&e.to_string()))?;
        self.store_tokens(actor, &stored, config, &token, "authorization/refresh")
            .await
    }
}

fn exchange_problem(why: &str) -> Problem {
    tracing::warn!(why, "OAuth token exchange failed");
    Problem::new(
        ProblemKind::Unavailable,
        "oauth_exchange_failed",
        "the provider did not exchange the consent for a token; try connecting again",
    )
}
