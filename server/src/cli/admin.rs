//! `portcullis admin create`: an operator from the command line.

use super::configured_db;
use crate::services::bootstrap;
use portcullis_core::email::Email;
use portcullis_core::password::{check_new_password, Password};

/// Creates an operator; the password comes from `PORTCULLIS_ADMIN_PASSWORD`.
pub(super) async fn create(email: String, name: String) -> Result<(), String> {
    let (config, db) = configured_db().await?;
    let email = Email::parse(&email).map_err(|e| format!("--email: {e}"))?;
    let password = config
        .admin_password
        .ok_or("set PORTCULLIS_ADMIN_PASSWORD to the new operator's password")?;
    check_new_password(&password, Some(&email))
        .map_err(|e| format!("PORTCULLIS_ADMIN_PASSWORD: {e}"))?;
    let id = bootstrap::create_operator(&db, &email, &name, &Password::new(password))
        .await
        .map_err(|p| p.to_string())?;
    println!("created operator {email} ({id})");
    Ok(())
}
