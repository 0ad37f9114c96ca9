//! The first operator of an empty database: from the environment, or through a one-time link.

use crate::crypto::secrets::{hash_password, new_token, token_hash};
use crate::services::audit::Principal;
use crate::services::provision::{self, NewOperator};
use crate::store::Db;
use crate::store::{setup, users};
use chrono::{Duration, Utc};
use portcullis_core::email::Email;
use portcullis_core::ids::UserId;
use portcullis_core::password::{check_new_password, Password};
use portcullis_core::Problem;

/// How long a printed setup link stays valid.
pub const SETUP_LINK_HOURS: i64 = 24;

/// What start-up did about the first operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bootstrap {
    /// Users exist already: nothing to do.
    Existing,
    /// Created from `PORTCULLIS_ADMIN_EMAIL` / `PORTCULLIS_ADMIN_PASSWORD`.
    FromEnvironment(Email),
    /// No credentials given: this one-time link creates the first operator.
    SetupLink(String),
}

/// Why the first operator could not be made from the environment.
#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("PORTCULLIS_ADMIN_EMAIL: {0}")]
    Email(String),
    #[error("PORTCULLIS_ADMIN_PASSWORD: {0}")]
    Password(String),
    #[error(
        "PORTCULLIS_ADMIN_EMAIL and PORTCULLIS_ADMIN_PASSWORD go together; set both or neither"
    )]
    Incomplete,
    #[error("storage: {0}")]
    Storage(Problem),
}

/// Creates the operator named in the environment, if there are no users yet.
pub async fn from_environment(
    db: &Db,
    email: Option<&str>,
    password: Option<&str>,
) -> Result<Option<Email>, BootstrapError> {
    let (email, password) = match (email, password) {
        (Some(e), Some(p)) => (e, p),
        (None, None) => return Ok(None),
        _ => return Err(BootstrapError::Incomplete),
    };
    if users::any_exist(&db.pool)
        .await
        .map_err(|e| BootstrapError::Storage(e.into()))?
    {
        return Ok(None);
    }
    let email = Email::parse(email).map_err(|e| BootstrapError::Email(e.to_string()))?;
    check_new_password(password, Some(&email))
        .map_err(|e| BootstrapError::Password(e.to_string()))?;
    create_operator(db, &email, "Operator", &Password::new(password))
        .await
        .map_err(BootstrapError::Storage)?;
    Ok(Some(email))
}

/// Creates an operator account and records it (also used by `portcullis admin create`).
pub async fn create_operator(
    db: &Db,
    email: &Email,
    name: &str,
    password: &Password,
) -> Result<UserId, Problem> {
    let hash = hash_password(password).await?;
    let system = Principal {
        id: "system".into(),
        name: "Bootstrap".into(),
        email: None,
    };
    let new_operator = NewOperator {
        email,
        name,
        password_hash: &hash,
        source: "bootstrap",
        origin_ip: None,
    };
    let mut tx = db.write().await?;
    let id = provision::create_operator(&mut tx, new_operator, Some(&system), Utc::now()).await?;
    tx.commit().await?;
    Ok(id)
}

/// When the database still has no users, makes a one-time setup link under `public_url`.
pub async fn setup_link_if_empty(db: &Db, public_url: &str) -> Result<Bootstrap, Problem> {
    if users::any_exist(&db.pool).await? {
        return Ok(Bootstrap::Existing);
    }
    let now = Utc::now();
    let token = new_token();
    setup::insert(
        &db.pool,
        &token_hash(&token),
        now,
        now + Duration::hours(SETUP_LINK_HOURS),
    )
    .await?;
    Ok(Bootstrap::SetupLink(format!(
        "{}/setup?token={token}",
        public_url.trim_end_matches('/')
    )))
}
