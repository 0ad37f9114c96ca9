//! Server functions of applications and bot tokens: the caller's own apps only.

use crate::error::AppError;
use crate::model::{AppRow, NewToken};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{parse_id, ssr};

/// The caller's applications with their tokens (never a secret).
#[server]
pub async fn load_apps() -> Result<Vec<AppRow>, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    console.my_apps(&caller).await.map_err(ssr::fail)
}

/// Creates an application; `permissions` holds one `code: why` per line.
#[server]
pub async fn create_app(
    name: String,
    description: String,
    permissions: String,
) -> Result<String, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let requests = portcullis_core::apps::parse_request_lines(&permissions).map_err(ssr::fail)?;
    console
        .create_app(&caller, name, description, requests, ssr::request_meta())
        .await
        .map(|id| id.to_string())
        .map_err(ssr::fail)
}

/// Replaces what an application asks for (`code: why` per line).
#[server]
pub async fn set_app_permissions(
    app_id: String,
    version: i64,
    permissions: String,
) -> Result<(), AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let app = parse_id("app_id", &app_id, portcullis_core::ids::AppId::parse)?;
    let requests = portcullis_core::apps::parse_request_lines(&permissions).map_err(ssr::fail)?;
    console
        .set_app_permissions(&caller, app, version, requests, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// Makes an authentication token; the answer holds its secret, shown once.
#[server]
pub async fn create_token(app_id: String, name: String) -> Result<NewToken, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let app = parse_id("app_id", &app_id, portcullis_core::ids::AppId::parse)?;
    console
        .create_token(&caller, app, name, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// Revokes a token.
#[server]
pub async fn revoke_token(token_id: String) -> Result<(), AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let token = parse_id("token_id", &token_id, portcullis_core::ids::TokenId::parse)?;
    console
        .revoke_token(&caller, token, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// An optional agency id from a form or query (empty means the current tenant).
#[cfg(feature = "ssr")]
fn agency_of(
    agency_id: Option<String>,
) -> Result<Option<portcullis_core::ids::AgencyId>, AppError> {
    agency_id
        .filter(|a| !a.is_empty())
        .map(|a| parse_id("agency_id", &a, portcullis_core::ids::AgencyId::parse))
        .transpose()
}

/// What installing the app on the current tenant (or on `agency_id`) would grant.
#[server]
pub async fn load_consent(
    app_id: String,
    agency_id: Option<String>,
) -> Result<crate::model::Consent, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let app = parse_id("app_id", &app_id, portcullis_core::ids::AppId::parse)?;
    console
        .consent(&caller, app, agency_of(agency_id)?)
        .await
        .map_err(ssr::fail)
}

/// Allow: installs the app with exactly what the consent screen listed.
#[server]
pub async fn install_app(app_id: String, agency_id: Option<String>) -> Result<String, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let app = parse_id("app_id", &app_id, portcullis_core::ids::AppId::parse)?;
    console
        .install(&caller, app, agency_of(agency_id)?, ssr::request_meta())
        .await
        .map(|id| id.to_string())
        .map_err(ssr::fail)
}

/// The apps installed on the current tenant, with what each waits to have approved.
#[server]
pub async fn load_installs() -> Result<Vec<crate::model::InstallRow>, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    console.installs(&caller).await.map_err(ssr::fail)
}

/// Grants what an installed app asks for beyond its grant.
#[server]
pub async fn approve_install(install_id: String) -> Result<(), AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let install = parse_id(
        "install_id",
        &install_id,
        portcullis_core::ids::InstallId::parse,
    )?;
    console
        .approve_install(&caller, install, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// Removes an app from the current tenant.
#[server]
pub async fn uninstall_app(install_id: String) -> Result<(), AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let install = parse_id(
        "install_id",
        &install_id,
        portcullis_core::ids::InstallId::parse,
    )?;
    console
        .uninstall(&caller, install, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}
