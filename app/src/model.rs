//! What server functions send to the pages: plain data, the same on both sides of the wire.

use portcullis_core::ids::DatabaseId;
use portcullis_core::tenancy::TenantSummary;
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
