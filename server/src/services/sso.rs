//! SSO: the server's side of [`Sso`]: a tenant's OpenID Connect provider (its client
//! secret sealed like every stored secret), its email domains and group mappings, and the start
//! of a sign-in: discovery, then the authorization-code flow with PKCE, a state and a nonce.
//! The provider's answer is handled by `sso_callback`.

use crate::crypto::secrets::{new_token, token_hash};
use crate::services::audit::received;
use crate::services::audit::Actor;
use crate::services::Services;
use crate::store::sso::{self as store, StoredProvider};
use crate::store::versions::Versioned;
use async_trait::async_trait;
use chrono::Duration;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient};
use openidconnect::{
    ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    Nonce, PkceCodeChallenge, RedirectUrl, Scope,
};
use portcullis_app::services::{
    Caller, RequestMeta, Sso, SsoProviderInput, SsoStart, SSO_SIGN_IN_SECS,
};
use portcullis_core::actions::Action;
use portcullis_core::email::Email;
use portcullis_core::ids::TenantId;
use portcullis_core::people::check_domain;
use portcullis_core::providers::check_https_url;
use portcullis_core::signin::Counter;
use portcullis_core::sso::{check_claim_name, check_group, GroupMapping};
use portcullis_core::wire::{AssignmentsBySource, SsoProviderView, SsoSettings};
use portcullis_core::{Problem, ProblemKind};

/// Where the identity provider sends people back.
pub const CALLBACK_PATH: &str = "/sso/callback";

/// A client made from the provider's discovery document.
pub(crate) type OidcClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What a started sign-in keeps (sealed) until the provider sends the person back.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct PendingSignIn {
    pub verifier: String,
    pub nonce: String,
}

/// What the client secret is sealed to.
pub(crate) fn secret_context(tenant: &TenantId) -> String {
    format!("sso/{tenant}")
}

fn unavailable(what: &str) -> Problem {
    Problem::new(
        ProblemKind::Unavailable,
        "sso_provider_unreachable",
        format!(
            "the identity provider's {what} could not be read; try again or check the issuer URL"
        ),
    )
    .with_field("issuer")
}

/// An endpoint a discovery document names is used only over `https`, or over the issuer's own
/// scheme, host and port (a provider on loopback in tests): a document cannot send the
/// browser to `javascript:` or the console's code exchange to a plain-text host.
fn endpoint_allowed(issuer: &str, endpoint: &url::Url) -> Result<(), Problem> {
    let same_origin = url::Url::parse(issuer)
        .is_ok_and(|i| i.origin() == endpoint.origin() && i.scheme() == "http");
    if endpoint.scheme() == "https" && endpoint.host().is_some() || same_origin {
        return Ok(());
    }
    tracing::warn!(%endpoint, "a discovery document named an endpoint that is not https");
    Err(Problem::new(
        ProblemKind::Unavailable,
        "sso_endpoint_refused",
        "the identity provider's discovery document names an endpoint that is not https",
    )
    .with_field("issuer"))
}

impl Services {
    /// Counts an unauthenticated SSO step (a start or a return) against the client's address
    /// before any work: each reads a discovery document, and a refused return is recorded.
    pub(crate) async fn admit_sso(&self, meta: &RequestMeta) -> Result<(), Problem> {
        let address = meta.origin_ip.as_deref();
        self.count(Counter::SsoFromAddress, None, address, received(meta))
            .await?
            .verdict
    }

    /// Reads the provider's discovery document and makes its client.
    pub(crate) async fn oidc_client(
        &self,
        tenant: &TenantId,
        p: &StoredProvider,
    ) -> Result<OidcClient, Problem> {
        let issuer = IssuerUrl::new(p.issuer.clone()).map_err(|_| unavailable("issuer URL"))?;
        let metadata = self
            .checker
            .discovery()
            .metadata(issuer, self.checker.outbound())
            .await
            .ok_or_else(|| unavailable("discovery document"))?;
        for endpoint in [
            Some(metadata.authorization_endpoint().url()),
            metadata.token_endpoint().map(|t| t.url()),
            Some(metadata.jwks_uri().url()),
        ]
        .into_iter()
        .flatten()
        {
            endpoint_allowed(&p.issuer, endpoint)?;
        }
        let secret = self
            .vault
            .open_sealed(&secret_context(tenant), &p.sealed_secret)
            .map_err(|_| Problem::internal())?;
        let secret = String::from_utf8(secret).map_err(|_| Problem::internal())?;
        let redirect = RedirectUrl::new(format!(
            "{}{CALLBACK_PATH}",
            self.public_url.trim_end_matches('/')
        ))
        .map_err(|_| Problem::internal())?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(p.client_id.clone()),
            Some(ClientSecret::new(secret)),
        )
        .set_redirect_uri(redirect))
    }

    /// Adds or removes a mapping of the caller's tenant (`manage_sso`), recorded either way.
    async fn change_mapping(
        &self,
        caller: &Caller,
        mapping: &GroupMapping,
        meta: &RequestMeta,
        adding: bool,
    ) -> Result<(), Problem> {
        let checked = self.require(caller, Action::ManageSso, None).await?;
        let tenant = checked.tenant().clone();
        let (policy, group) = checked.pair_names(&mapping.pair.0, &mapping.pair.1)?;
        let actor = Actor::person(&tenant, caller, meta);
        let mut tx = self.db.write().await?;
        let changed = if adding {
            store::add_mapping(&mut tx, &tenant, mapping, received(meta)).await
        } else {
            store::remove_mapping(&mut tx, &tenant, mapping).await
        }?;
        match (changed, adding) {
            (true, _) => {}
            (false, true) => {
                return Err(Problem::new(
                    ProblemKind::Conflict,
                    "mapping_exists",
                    "this group is mapped to that policy and resource group already",
                ))
            }
            (false, false) => return Err(Problem::not_found("mapping")),
        }
        let name = format!("{} → {policy} on {group}", mapping.idp_group);
        let event = if adding { "sso/map" } else { "sso/unmap" };
        actor
            .record(&mut tx, event, (tenant.as_str(), &name))
            .await?;
        Ok(tx.commit().await?)
    }

    async fn provider_of(&self, tenant: &TenantId) -> Result<Option<StoredProvider>, Problem> {
        Ok(store::provider(&self.db.pool, tenant).await?)
    }
}

#[async_trait]
impl Sso for Services {
    async fn sso_settings(&self, caller: &Caller) -> Result<SsoSettings, Problem> {
        let checked = self.require(caller, Action::ManageSso, None).await?;
        let tenant = checked.tenant();
        let provider = self.provider_of(tenant).await?.map(|p| SsoProviderView {
            issuer: p.issuer,
            client_id: p.client_id,
            groups_claim: p.groups_claim,
            domains: p.domains,
            updated_at: p.updated_at,
            version: p.version,
        });
        Ok(SsoSettings {
            provider,
            mappings: store::mappings(&self.db.pool, tenant).await?,
            sign_in_link: format!(
                "{}/signin?tenant={tenant}",
                self.public_url.trim_end_matches('/')
            ),
        })
    }

    async fn save_sso_provider(
        &self,
        caller: &Caller,
        input: SsoProviderInput,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        let checked = self.require(caller, Action::ManageSso, None).await?;
        let tenant = checked.tenant().clone();
        let issuer = check_https_url("issuer", input.issuer.trim_end_matches('/'))?;
        // A fixed issuer is read afresh rather than from a failure kept a moment ago.
        self.checker.discovery().forget(&issuer);
        let client_id = input.client_id.trim().to_owned();
        if client_id.is_empty() || client_id.chars().any(char::is_control) {
            return Err(Problem::invalid(
                "client_id",
                "client_id_required",
                "enter the client id the identity provider gave this console",
            ));
        }
        let groups_claim = check_claim_name(&input.groups_claim)?;
        let mut domains = input
            .domains
            .split([',', ' ', '\n'])
            .filter(|d| !d.trim().is_empty())
            .map(|d| check_domain(d).map_err(|p| p.with_field("domains")))
            .collect::<Result<Vec<_>, _>>()?;
        domains.sort();
        domains.dedup();
        let existing = self.provider_of(&tenant).await?;
        let sealed_secret = match (input.client_secret.trim(), existing) {
            ("", Some(e)) => e.sealed_secret,
            ("", None) => {
                return Err(Problem::invalid(
                    "client_secret",
                    "client_secret_required",
                    "enter the client secret the identity provider gave this console",
                ))
            }
            (secret, _) => self
                .vault
                .seal(&secret_context(&tenant), secret.as_bytes())?,
        };
        let stored = StoredProvider {
            issuer,
            client_id,
            sealed_secret,
            groups_claim,
            domains,
            updated_at: received(&meta),
            version: input.version,
        };
        // A provider whose discovery document cannot be read would fail every sign-in.
        self.oidc_client(&tenant, &stored).await?;
        let actor = Actor::person(&tenant, caller, &meta);
        let mut tx = self
            .db
            .edit(Versioned::SsoProvider, &tenant, &tenant, input.version)
            .await?;
        let taken = store::domains_taken(&mut tx, &tenant, &stored.domains).await?;
        if !taken.is_empty() {
            return Err(Problem::new(
                ProblemKind::Conflict,
                "domain_taken",
                format!(
                    "{} already sign in through another tenant's provider",
                    taken.join(", ")
                ),
            )
            .with_field("domains"));
        }
        let unapproved = store::domains_unapproved(&mut tx, &tenant, &stored.domains).await?;
        if !unapproved.is_empty() {
            return Err(Problem::invalid(
                "domains",
                "domain_not_approved",
                format!(
                    "{} must be approved for this tenant by an operator first: request it under Domains",
                    unapproved.join(", ")
                ),
            ));
        }
        store::save_provider(&mut tx, &tenant, &stored).await?;
        actor
            .record(&mut tx, "sso/configure", (tenant.as_str(), &stored.issuer))
            .await?;
        Ok(tx.commit().await?)
    }

    async fn add_sso_mapping(
        &self,
        caller: &Caller,
        mapping: GroupMapping,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        let mapping = GroupMapping {
            idp_group: check_group(&mapping.idp_group)?,
            pair: mapping.pair,
        };
        self.change_mapping(caller, &mapping, &meta, true).await
    }

    async fn remove_sso_mapping(
        &self,
        caller: &Caller,
        mapping: GroupMapping,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        self.change_mapping(caller, &mapping, &meta, false).await
    }

    async fn sso_user_assignments(
        &self,
        caller: &Caller,
        email: Email,
    ) -> Result<AssignmentsBySource, Problem> {
        let checked = self.require(caller, Action::ManageSso, None).await?;
        let tenant = checked.tenant();
        let user = crate::store::users::by_email(&self.db.pool, &email)
            .await?
            .ok_or_else(|| Problem::not_found("person in this tenant").with_field("email"))?;
        if !crate::store::people::is_member(&self.db.pool, tenant, &user.id).await? {
            return Err(Problem::not_found("person in this tenant").with_field("email"));
        }
        let mut conn = self.db.conn().await?;
        let (sso, manual) = store::assignments_by_source(&mut conn, tenant, &user.id).await?;
        Ok(AssignmentsBySource {
            sso: sso.into_iter().collect(),
            manual: manual.into_iter().collect(),
        })
    }

    async fn start_sso(
        &self,
        email: Option<Email>,
        tenant: Option<TenantId>,
        meta: RequestMeta,
    ) -> Result<SsoStart, Problem> {
        self.admit_sso(&meta).await?;
        let no_sso = || {
            Problem::invalid(
                "email",
                "no_sso",
                "single sign-on is not set up for this address; sign in with your password",
            )
        };
        let tenant = match (tenant, &email) {
            (Some(t), _) => t,
            (None, Some(e)) => store::tenant_of_domain(&self.db.pool, e.domain())
                .await?
                .ok_or_else(no_sso)?,
            (None, None) => return Err(no_sso()),
        };
        let provider = self.provider_of(&tenant).await?.ok_or_else(no_sso)?;
        let client = self.oidc_client(&tenant, &provider).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                || CsrfToken::new(new_token()),
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".to_owned()))
            .add_scope(Scope::new("profile".to_owned()))
            .set_pkce_challenge(challenge)
            .url();
        let state_hash = token_hash(state.secret());
        let pending = serde_json::to_vec(&PendingSignIn {
            verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
        })
        .map_err(|_| Problem::internal())?;
        let sealed = self
            .vault
            .seal(&format!("sso-state/{state_hash}"), &pending)?;
        let browser_binding = new_token();
        let mut conn = self.db.conn().await?;
        store::insert_state(
            &mut conn,
            &state_hash,
            &token_hash(&browser_binding),
            &tenant,
            &sealed,
            received(&meta) + Duration::seconds(SSO_SIGN_IN_SECS),
        )
        .await?;
        Ok(SsoStart {
            url: url.to_string(),
            browser_binding,
        })
    }
}
