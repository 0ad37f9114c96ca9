//! What the SSO settings page and its dry run receive. Never the client secret.

use crate::people::AssignmentPair;
use crate::sso::GroupMapping;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A mapping with the names of its policy and resource group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingRow {
    pub mapping: GroupMapping,
    pub policy: String,
    pub group: String,
}

/// The tenant's provider as the settings page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoProviderView {
    pub issuer: String,
    pub client_id: String,
    pub groups_claim: String,
    pub domains: Vec<String>,
    pub updated_at: DateTime<Utc>,
    /// The version an edit made from this view names, so a stale save is refused.
    pub version: i64,
}

/// The SSO settings of the current tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoSettings {
    pub provider: Option<SsoProviderView>,
    pub mappings: Vec<MappingRow>,
    /// The tenant's own sign-in link (`/signin?tenant=…`).
    pub sign_in_link: String,
}

/// A person's assignments in the tenant by source, for the dry run's "what would change".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentsBySource {
    pub sso: Vec<AssignmentPair>,
    pub manual: Vec<AssignmentPair>,
}
