//! Creating tenants with what every tenant starts with.

use crate::activity::{self, NewEvent, Principal};
use crate::db::new_id;
use crate::store::{access, tenants};
use chrono::{DateTime, Utc};
use portcullis_core::access::{
    ALL_RESOURCE_GROUPS, ALL_RESOURCE_GROUPS_DESCRIPTION, BUILTIN_POLICIES,
};
use portcullis_core::ids::{AgencyId, PolicyId, ResourceGroupId, TenantId};
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
) -> Result<NewTenant, sqlx::Error> {
    let id = new_id(TenantId::from_bytes);
    tenants::insert_tenant(&mut *conn, &id, name, agency, now).await?;
    let mut policies = Vec::new();
    for (policy_name, description) in BUILTIN_POLICIES {
        let pid = new_id(PolicyId::from_bytes);
        access::insert_policy(&mut *conn, &pid, &id, policy_name, description, true, now).await?;
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
    activity::record(
        conn,
        NewEvent {
            tenant_id: Some(&id),
            event_type: "tenant/create",
            happened_at: now,
            principal: by,
            source: "provisioning",
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
