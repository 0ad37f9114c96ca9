//! Server functions of SSO: the tenant's provider and mappings (`manage_sso`), the
//! dry run's view of a member's assignments, and the public start of an SSO sign-in.

use crate::error::AppError;
use crate::model::{AssignmentsBySource, SsoSettings};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{parse_id, ssr};

/// The provider (never its secret), the mappings and the tenant's sign-in link.
#[server]
pub async fn load_sso_settings() -> Result<SsoSettings, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    console.sso_settings(&caller).await.map_err(ssr::fail)
}

/// Saves the tenant's identity provider; a blank secret keeps the stored one.
#[server]
pub async fn save_sso_provider(
    issuer: String,
    client_id: String,
    client_secret: String,
    groups_claim: String,
    domains: String,
    version: i64,
) -> Result<(), AppError> {
    use crate::services::SsoProviderInput;
    let (console, caller) = ssr::require_caller().await?;
    let input = SsoProviderInput {
        issuer,
        client_id,
        client_secret,
        groups_claim,
        domains,
        version,
    };
    console
        .save_sso_provider(&caller, input, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

#[cfg(feature = "ssr")]
fn mapping(
    idp_group: String,
    policy_id: &str,
    group_id: &str,
) -> Result<portcullis_core::sso::GroupMapping, AppError> {
    use portcullis_core::ids::{PolicyId, ResourceGroupId};
    Ok(portcullis_core::sso::GroupMapping {
        idp_group,
        pair: (
            parse_id("policy", policy_id, PolicyId::parse)?,
            parse_id("resource_group", group_id, ResourceGroupId::parse)?,
        ),
    })
}

/// Maps an IdP group to a policy on a resource group.
#[server]
pub async fn add_sso_mapping(
    idp_group: String,
    policy_id: String,
    group_id: String,
) -> Result<(), AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let m = mapping(idp_group, &policy_id, &group_id)?;
    console
        .add_sso_mapping(&caller, m, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// Removes a mapping.
#[server]
pub async fn remove_sso_mapping(
    idp_group: String,
    policy_id: String,
    group_id: String,
) -> Result<(), AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let m = mapping(idp_group, &policy_id, &group_id)?;
    console
        .remove_sso_mapping(&caller, m, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// A member's assignments by source (the dry run's "what would change").
#[server]
pub async fn sso_user_assignments(email: String) -> Result<AssignmentsBySource, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let email = portcullis_core::email::Email::parse(&email)
        .map_err(|e| ssr::fail(e.into_problem("email")))?;
    console
        .sso_user_assignments(&caller, email)
        .await
        .map_err(ssr::fail)
}

/// Starts an SSO sign-in for `email`'s domain, or for `tenant` (its sign-in link); answers
/// the identity provider's page to open.
#[server]
pub async fn start_sso(email: String, tenant: String) -> Result<String, AppError> {
    let console = ssr::console()?;
    let email = match email.trim() {
        "" => None,
        e => Some(
            portcullis_core::email::Email::parse(e)
                .map_err(|err| ssr::fail(err.into_problem("email")))?,
        ),
    };
    let tenant = match tenant.trim() {
        "" => None,
        t => Some(parse_id(
            "tenant",
            t,
            portcullis_core::ids::TenantId::parse,
        )?),
    };
    let started = console
        .start_sso(email, tenant, ssr::request_meta())
        .await
        .map_err(ssr::fail)?;
    ssr::append_cookie(&portcullis_core::cookies::sso_binding_cookie(
        console.secure_cookies(),
        &started.browser_binding,
        crate::services::SSO_SIGN_IN_SECS,
    ));
    Ok(started.url)
}
