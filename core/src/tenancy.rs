//! Tenants, agencies and who may enter which tenant.
//!
//! A person enters a tenant through a membership; operators (the platform's staff) may enter
//! every tenant. Agency membership alone gives no access inside the agency's tenants.

use crate::email::Email;
use crate::error::Problem;
use crate::ids::{AgencyId, TenantId, UserId};
use serde::{Deserialize, Serialize};

/// A tenant as the tenant switcher shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSummary {
    pub id: TenantId,
    pub name: String,
    pub agency_id: Option<AgencyId>,
    pub agency_name: Option<String>,
}

/// The signed-in person and the tenants they may enter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: UserId,
    pub name: String,
    pub email: Email,
    /// Platform staff: may enter every tenant.
    pub operator: bool,
    /// Tenants this person may enter, sorted by name.
    pub tenants: Vec<TenantSummary>,
    /// The tenant the session is working in, if any.
    pub current: Option<TenantId>,
    /// The session was opened by the current tenant's identity provider: it enters that tenant
    /// only, and acts for the person nowhere else (not their operator powers, not their apps).
    #[serde(default)]
    pub through_sso: bool,
}

impl Viewer {
    /// The tenant the session is in, with its name.
    pub fn current_tenant(&self) -> Option<&TenantSummary> {
        let current = self.current.as_ref()?;
        self.tenants.iter().find(|t| &t.id == current)
    }
}

/// Whether the viewer may enter `tenant`, given the tenants they may enter.
///
/// A tenant outside the list answers `not_found`, not `forbidden`: a caller must not learn that
/// a tenant they cannot enter exists.
pub fn enter_tenant(
    allowed: &[TenantSummary],
    tenant: &TenantId,
) -> Result<TenantSummary, Problem> {
    allowed
        .iter()
        .find(|t| &t.id == tenant)
        .cloned()
        .ok_or_else(|| Problem::not_found("tenant"))
}

/// The tenant a fresh session starts in: the one used last if still allowed, else the first.
pub fn default_tenant(allowed: &[TenantSummary], last_used: Option<&TenantId>) -> Option<TenantId> {
    last_used
        .and_then(|id| allowed.iter().find(|t| &t.id == id))
        .or_else(|| allowed.first())
        .map(|t| t.id.clone())
}
