//! Creating tenants with what every tenant starts with.

use crate::services::audit::{Principal, Source};
use crate::store::activity::{record, NewEvent};
use crate::store::new_id;
use crate::store::StoreError;
use crate::store::{access, tenants};
use crate::store::{domains, users};
use chrono::{DateTime, Utc};
use portcullis_core::access::{
    ALL_RESOURCE_GROUPS, ALL_RESOURCE_GROUPS_DESCRIPTION, BUILTIN_POLICIES,
};
use portcullis_core::email::Email;
use portcullis_core::ids::{AgencyId, PolicyId, ResourceGroupId, TenantId, UserId};
use portcullis_core::Problem;
use sqlx::AnyConnection;

/// A tenant just created, with the ids of its built-ins.
#[derive(Debug, Clone)]
pub struct NewTenant {
    pub id: TenantId,
    /// Built-in policies by name.
    pub policies: Vec<(String, PolicyId)>,
    /// The built-in *All resource groups*.
    pub all_group: ResourceGroupId,
}

impl NewTenant {
    /// The id of the built-in policy called `name`.
    pub fn policy(&self, name: &str) -> Option<&PolicyId> {
        self.policies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| id)
    }
}

/// Creates a tenant with the built-in policies and *All resource groups*, and records it.
pub async fn create_tenant(
    conn: &mut AnyConnection,
    name: &str,
    agency: Option<&AgencyId>,
    by: &Principal,
    now: DateTime<Utc>,
) -> Result<NewTenant, StoreError> {
    let id = new_id(TenantId::from_bytes);
    tenants::insert_tenant(&mut *conn, &id, name, agency, now).await?;
    let mut policies = Vec::new();
    for (policy_name, description) in BUILTIN_POLICIES {
        let pid = new_id(PolicyId::from_bytes);
        let policy = access::NewPolicy {
            id: &pid,
            tenant: &id,
            name: policy_name,
            description,
            builtin: true,
            actions: "",
        };
        access::insert_policy(&mut *conn, policy, now).await?;
        policies.push(((*policy_name).to_owned(), pid));
    }
    let all_group = new_id(ResourceGroupId::from_bytes);
    access::insert_resource_group(
        &mut *conn,
        &all_group,
        &id,
        ALL_RESOURCE_GROUPS,
        ALL_RESOURCE_GROUPS_DESCRIPTION,
        true,
        now,
    )
    .await?;
    record(
        conn,
        NewEvent {
            tenant_id: Some(&id),
            event_type: "tenant/create",
            happened_at: now,
            principal: by,
            source: Source::Provisioning.code(),
            object_id: Some(id.as_str()),
            object_name: Some(name),
            origin_ip: None,
        },
    )
    .await?;
    Ok(NewTenant {
        id,
        policies,
        all_group,
    })
}

/// An operator account about to be created.
#[derive(Debug, Clone)]
pub struct NewOperator<'a> {
    pub email: &'a Email,
    pub name: &'a str,
    /// An argon2id hash, never the password.
    pub password_hash: &'a str,
    /// The component creating it (`setup`, `bootstrap`, `cli`).
    pub source: &'a str,
    pub origin_ip: Option<&'a str>,
}

/// Creates an operator and records it; `by` is who did it (`None`: the new operator, through
/// the setup link). Refuses an email that is taken, naming the field.
pub async fn create_operator(
    conn: &mut AnyConnection,
    op: NewOperator<'_>,
    by: Option<&Principal>,
    now: DateTime<Utc>,
) -> Result<UserId, Problem> {
    if users::by_email(&mut *conn, op.email).await?.is_some() {
        return Err(Problem::invalid(
            "email",
            "email_taken",
            "a user with this email already exists",
        ));
    }
    let id = new_id(UserId::from_bytes);
    let user = users::NewUser {
        id: &id,
        email: op.email,
        name: op.name,
        password_hash: Some(op.password_hash),
        operator: true,
        created_at: now,
    };
    users::insert(&mut *conn, user).await?;
    // An operator must be able to sign in, so their own domain joins the allowlist.
    domains::allow(&mut *conn, op.email.domain(), None, now).await?;
    let own = Principal {
        id: id.to_string(),
        name: op.name.to_owned(),
        email: Some(op.email.to_string()),
    };
    let event = NewEvent {
        tenant_id: None,
        event_type: "operator/create",
        happened_at: now,
        principal: by.unwrap_or(&own),
        source: op.source,
        object_id: Some(id.as_str()),
        object_name: Some(op.email.as_str()),
        origin_ip: op.origin_ip,
    };
    record(conn, event).await?;
    Ok(id)
}
