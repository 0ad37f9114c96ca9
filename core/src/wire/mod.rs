//! What the console's two tiers exchange: the rows and pages server functions send to the pages,
//! and the list queries they take. Plain data, the same on both sides of the wire, so the
//! server's storage and the browser read one definition.

mod authorizations;
mod queries;
mod sso;

use crate::ids::DatabaseId;
use crate::tenancy::TenantSummary;
use serde::{Deserialize, Serialize};

/// A Customer 360 database as the overview lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseSummary {
    pub id: DatabaseId,
    pub name: String,
    pub description: String,
    /// The custom resource group it belongs to; every database also belongs to *All*.
    pub resource_group: Option<String>,
    pub tables: i64,
}

/// The tenant home page: what is in this tenant at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantOverview {
    pub tenant: TenantSummary,
    pub users: i64,
    pub policies: i64,
    pub resource_groups: i64,
    pub databases: Vec<DatabaseSummary>,
}

/// One (policy, resource group) assignment as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentView {
    pub policy_id: crate::ids::PolicyId,
    pub policy: String,
    pub group_id: crate::ids::ResourceGroupId,
    pub group: String,
}

/// A person in the users list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: crate::ids::UserId,
    pub name: String,
    pub email: String,
    pub last_login: Option<chrono::DateTime<chrono::Utc>>,
    pub assignments: Vec<AssignmentView>,
    /// The version an edit made from this row names, so a stale save is refused.
    pub version: i64,
}

/// One page of a keyset-paginated list: `next` is the cursor of the following page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// A policy with what it allows and how many people hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRow {
    pub id: crate::ids::PolicyId,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub actions: Vec<crate::actions::Action>,
    pub users: i64,
}

/// A resource group with what uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRow {
    pub id: crate::ids::ResourceGroupId,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub databases: Vec<String>,
    pub users: i64,
}

/// Everything the Users & Activity page needs besides the users list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleDirectory {
    pub policies: Vec<PolicyRow>,
    pub groups: Vec<GroupRow>,
    /// The platform-wide email-domain allowlist.
    pub domains: Vec<String>,
    /// The caller's own access data, for deciding in the browser what to offer.
    pub access: crate::decide::AccessSnapshot,
    pub me: crate::ids::UserId,
}

impl PeopleDirectory {
    /// The ids of the first policy and the first resource group: what an assignment picker
    /// starts on.
    pub fn first_pair_ids(&self) -> (String, String) {
        (
            self.policies
                .first()
                .map(|p| p.id.to_string())
                .unwrap_or_default(),
            self.groups
                .first()
                .map(|g| g.id.to_string())
                .unwrap_or_default(),
        )
    }

    /// An assignment in words ("Analyst on Brand A: Northwind"), never by its ids: a policy
    /// or group deleted since the directory was read says so.
    pub fn describe(&self, pair: &crate::people::AssignmentPair) -> String {
        let policy = self
            .policies
            .iter()
            .find(|p| p.id == pair.0)
            .map_or("a deleted policy", |p| p.name.as_str());
        let group = self
            .groups
            .iter()
            .find(|g| g.id == pair.1)
            .map_or("a deleted resource group", |g| g.name.as_str());
        format!("{policy} on {group}")
    }
}

/// A request to allowlist a domain and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainRequestRow {
    pub id: String,
    pub domain: String,
    pub reason: String,
    pub requested_by: String,
    pub tenant: Option<String>,
    pub status: crate::people::RequestStatus,
    pub decided_by: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The tenant whose SSO provider signs in this domain now (shown to operators only).
    pub sso_claimed_by: Option<String>,
}

/// A message kept because no SMTP server is configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When it was delivered over SMTP (never, without SMTP).
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why the last delivery failed, if it did.
    pub last_error: Option<String>,
}

/// A database as Customer 360 lists it, with what the viewer may do to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseView {
    pub id: DatabaseId,
    pub name: String,
    pub description: String,
    pub group_id: Option<crate::ids::ResourceGroupId>,
    pub group: Option<String>,
    pub tables: Vec<String>,
    /// The version an edit made from this view names, so a stale save is refused.
    pub version: i64,
}

/// Customer 360: the databases the viewer reaches and the custom groups to move them to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer360 {
    pub databases: Vec<DatabaseView>,
    pub groups: Vec<GroupRow>,
    pub access: crate::decide::AccessSnapshot,
    pub me: crate::ids::UserId,
}

/// A table preview: PII masked unless the viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TablePreview {
    pub database: String,
    pub table: String,
    pub columns: Vec<crate::pii::Column>,
    pub rows: Vec<Vec<String>>,
    /// Whether PII columns were masked, and why.
    pub masked: Option<String>,
}

/// One row of the activity list; times are Unix milliseconds so the browser can show them
/// in the viewer's own time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    pub id: String,
    pub event_type: String,
    pub happened_at_ms: i64,
    pub principal_id: String,
    pub principal_name: String,
    pub principal_email: Option<String>,
    pub object_id: Option<String>,
    pub object_name: Option<String>,
    pub source: String,
    pub origin_ip: Option<String>,
}

/// A bot token as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: crate::ids::TokenId,
    pub name: String,
    /// The public half (`pct_…`), sent with every call.
    pub public_token: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked: Option<chrono::DateTime<chrono::Utc>>,
}

/// A token just made: the only time its secret leaves the server.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    pub token: TokenRow,
    pub secret: String,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// One of the caller's applications with its tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRow {
    pub id: crate::ids::AppId,
    pub name: String,
    pub description: String,
    pub permissions: Vec<crate::apps::PermissionRequest>,
    pub tokens: Vec<TokenRow>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The version an edit made from this view names, so a stale save is refused.
    pub version: i64,
}

/// What an install's consent screen shows: exactly what Allow grants, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub app_id: crate::ids::AppId,
    pub app_name: String,
    pub description: String,
    pub developer: String,
    /// The tenant or agency it would be installed on.
    pub target_name: String,
    /// Set when installing on an agency rather than the current tenant.
    pub agency_id: Option<crate::ids::AgencyId>,
    /// Whether the viewer may install apps on their current tenant (`manage_apps`).
    pub tenant_installable: bool,
    /// The agencies the viewer administers, where the app could be installed instead.
    pub agencies: Vec<(crate::ids::AgencyId, String)>,
    /// The app's permissions that apply to the target, with the app's reasons.
    pub grants: Vec<crate::apps::PermissionRequest>,
    /// Whether the app is installed here already.
    pub installed: bool,
}

/// An app installed in the current tenant, with what it asks for beyond its grant and so
/// waits for the installer's approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallRow {
    pub id: crate::ids::InstallId,
    pub app_name: String,
    /// The tenant or agency it is installed on.
    pub target_name: String,
    pub granted: Vec<crate::apps::Permission>,
    pub pending: Vec<crate::apps::PermissionRequest>,
    pub installed_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Why its bots stopped working here, until an administrator re-approves it.
    pub suspended: Option<String>,
}

/// What adding a person did: a new account joined, or an existing one was invited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedUser {
    pub id: crate::ids::UserId,
    /// The person has an account already: they join when they accept at their next sign-in.
    pub invited: bool,
}

/// A tenant's invitation to the signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub tenant_id: crate::ids::TenantId,
    pub tenant_name: String,
    /// Who invited them, by email.
    pub invited_by: String,
    /// What they will have there: `policy on resource group`.
    pub access: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

pub use authorizations::*;
pub use queries::*;
pub use sso::*;
