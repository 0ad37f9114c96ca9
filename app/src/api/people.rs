//! Server functions of people, access and Customer 360. Each establishes its
//! caller, checks its input with core, and hands over to the server's `People` services, which
//! decide through core before touching anything.

use crate::error::AppError;
use crate::model::{
    Customer360, DomainRequestRow, OutboxMessage, Page, PeopleDirectory, TablePreview, UserRow,
};
use leptos::prelude::*;
use portcullis_core::decide::Decision;

#[cfg(feature = "ssr")]
use super::{parse_id, ssr};

/// Policies, groups, allowlist and the caller's access data for the Users page.
#[server]
pub async fn load_directory() -> Result<PeopleDirectory, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    console.directory(&caller).await.map_err(ssr::fail)
}

/// One page of the tenant's users: `sort` is name, email, policy or last_login; `order` asc or desc.
#[server]
pub async fn list_users(
    search: String,
    sort: String,
    order: String,
    after: Option<String>,
    limit: Option<u32>,
) -> Result<Page<UserRow>, AppError> {
    use crate::services::UserQuery;
    use portcullis_core::people::{page_limit, UserSort};
    let (console, caller) = ssr::require_caller().await?;
    let sort = UserSort::parse(&sort).map_err(ssr::fail)?;
    let descending = portcullis_core::people::parse_descending(&order).map_err(ssr::fail)?;
    let query = UserQuery {
        search,
        sort,
        descending,
        after: after.filter(|a| !a.is_empty()),
        limit: page_limit(Some(limit.unwrap_or(25))).map_err(ssr::fail)?,
    };
    console.list_users(&caller, query).await.map_err(ssr::fail)
}

/// Adds a person to the current tenant with one assignment, and a welcome email unless
/// turned off.
#[server]
pub async fn add_user(
    name: String,
    email: String,
    policy_id: String,
    group_id: String,
    send_welcome: bool,
) -> Result<crate::model::AddedUser, AppError> {
    use crate::services::NewUserRequest;
    use portcullis_core::email::Email;
    use portcullis_core::ids::{PolicyId, ResourceGroupId};
    use portcullis_core::people::check_name;
    let (console, caller) = ssr::require_caller().await?;
    let name = check_name("name", &name).map_err(ssr::fail)?;
    let email = Email::parse(&email).map_err(|e| ssr::fail(e.into_problem("email")))?;
    let new = NewUserRequest {
        name,
        email,
        policy: parse_id("policy", &policy_id, PolicyId::parse)?,
        group: parse_id("resource_group", &group_id, ResourceGroupId::parse)?,
        send_welcome,
    };
    console
        .add_user(&caller, new, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// The signed-in person's open invitations to other tenants.
#[server]
pub async fn load_invitations() -> Result<Vec<crate::model::Invitation>, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    console.invitations(&caller).await.map_err(ssr::fail)
}

/// Accepts (`accept`) or declines an invitation to `tenant_id`.
#[server]
pub async fn answer_invitation(tenant_id: String, accept: bool) -> Result<(), AppError> {
    use portcullis_core::ids::TenantId;
    let (console, caller) = ssr::require_caller().await?;
    let tenant = parse_id("tenant_id", &tenant_id, TenantId::parse)?;
    console
        .answer_invitation(&caller, tenant, accept, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// Renames a person and replaces their assignments: `assignments` is `pol_…/rg_…,…`.
#[server]
pub async fn edit_user(
    user_id: String,
    version: i64,
    name: String,
    assignments: String,
) -> Result<(), AppError> {
    use portcullis_core::ids::UserId;
    use portcullis_core::people::{check_name, parse_assignments};
    let (console, caller) = ssr::require_caller().await?;
    let user = parse_id("user_id", &user_id, UserId::parse)?;
    let name = check_name("name", &name).map_err(ssr::fail)?;
    let assignments = parse_assignments(&assignments).map_err(ssr::fail)?;
    console
        .edit_user(
            &caller,
            user,
            version,
            name,
            assignments,
            ssr::request_meta(),
        )
        .await
        .map_err(ssr::fail)
}

/// Deletes a person from every tenant.
#[server]
pub async fn delete_user(user_id: String, version: i64) -> Result<(), AppError> {
    use portcullis_core::ids::UserId;
    let (console, caller) = ssr::require_caller().await?;
    let user = parse_id("user_id", &user_id, UserId::parse)?;
    console
        .delete_user(&caller, user, version, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// Removes a person from the current tenant only.
#[server]
pub async fn revoke_user(user_id: String, version: i64) -> Result<(), AppError> {
    use portcullis_core::ids::UserId;
    let (console, caller) = ssr::require_caller().await?;
    let user = parse_id("user_id", &user_id, UserId::parse)?;
    console
        .revoke_user(&caller, user, version, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// Creates a custom resource group.
#[server]
pub async fn create_group(name: String, description: String) -> Result<String, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let id = console
        .create_group(&caller, name, description, ssr::request_meta())
        .await
        .map_err(ssr::fail)?;
    Ok(id.to_string())
}

/// Creates a custom policy; `actions` are action codes separated by spaces or commas.
#[server]
pub async fn create_policy(
    name: String,
    description: String,
    actions: String,
) -> Result<String, AppError> {
    use portcullis_core::people::parse_policy_actions;
    let (console, caller) = ssr::require_caller().await?;
    let actions = parse_policy_actions(&actions).map_err(ssr::fail)?;
    let id = console
        .create_policy(&caller, name, description, actions, ssr::request_meta())
        .await
        .map_err(ssr::fail)?;
    Ok(id.to_string())
}

/// Deletes a custom resource group that nothing uses.
#[server]
pub async fn delete_group(group_id: String) -> Result<(), AppError> {
    use portcullis_core::ids::ResourceGroupId;
    let (console, caller) = ssr::require_caller().await?;
    let group = parse_id("group_id", &group_id, ResourceGroupId::parse)?;
    console
        .delete_group(&caller, group, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// Asks operators to allowlist a domain.
#[server]
pub async fn request_domain(domain: String, reason: String) -> Result<(), AppError> {
    let (console, caller) = ssr::require_caller().await?;
    console
        .request_domain(&caller, domain, reason, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// The caller's domain requests and their outcome, or every request for an operator.
#[server]
pub async fn load_domain_requests() -> Result<Vec<DomainRequestRow>, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    console.domain_requests(&caller).await.map_err(ssr::fail)
}

/// An operator approves or rejects a domain request.
#[server]
pub async fn review_domain(request_id: String, approve: bool) -> Result<(), AppError> {
    let (console, caller) = ssr::require_caller().await?;
    console
        .review_domain(&caller, request_id, approve, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// Mail kept for lack of SMTP; operators only.
#[server]
pub async fn load_outbox() -> Result<Vec<OutboxMessage>, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    console.outbox(&caller).await.map_err(ssr::fail)
}

/// Sets a password through the welcome link and signs in. No caller yet: the one-time
/// token is the credential.
#[server]
pub async fn set_password(token: String, password: String) -> Result<(), AppError> {
    use portcullis_core::password::Password;
    let console = ssr::console()?;
    let session = console
        .set_password(token, Password::new(password), ssr::request_meta())
        .await
        .map_err(ssr::fail)?;
    ssr::set_session_cookie(&console, &session);
    Ok(())
}

/// The databases the caller reaches.
#[server]
pub async fn load_customer_360() -> Result<Customer360, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    console.customer_360(&caller).await.map_err(ssr::fail)
}

/// Gives a database to one custom group; an empty `group_id` leaves it on *All* only.
#[server]
pub async fn change_database_group(
    database_id: String,
    version: i64,
    group_id: String,
) -> Result<(), AppError> {
    use portcullis_core::ids::{DatabaseId, ResourceGroupId};
    let (console, caller) = ssr::require_caller().await?;
    let database = parse_id("database_id", &database_id, DatabaseId::parse)?;
    let group = if group_id.trim().is_empty() {
        None
    } else {
        Some(parse_id(
            "resource_group",
            &group_id,
            ResourceGroupId::parse,
        )?)
    };
    console
        .change_database_group(&caller, database, version, group, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// A table's first rows, PII masked unless the caller may see it and asks to.
#[server]
pub async fn preview_table(
    database_id: String,
    table: String,
    unmask: bool,
) -> Result<TablePreview, AppError> {
    use portcullis_core::ids::DatabaseId;
    let (console, caller) = ssr::require_caller().await?;
    let database = parse_id("database_id", &database_id, DatabaseId::parse)?;
    console
        .preview_table(&caller, database, table, unmask, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// Whether the caller may open Sources, and why.
#[server]
pub async fn load_sources() -> Result<Decision, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    console.sources(&caller).await.map_err(ssr::fail)
}
