//! Policies and resource groups that every tenant starts with (spec U6, U7).
//!
//! The decision engine that reads them arrives with the people issue; the names live here so
//! that the server seeds them and the UI shows them from one source.

/// The built-in resource group that reaches every database of the tenant.
pub const ALL_RESOURCE_GROUPS: &str = "All resource groups";
/// What the built-in group is for.
pub const ALL_RESOURCE_GROUPS_DESCRIPTION: &str =
    "Every database in the tenant, now and in the future; needed for Sources, PII and database administration.";

/// The built-in policies, with what each is for.
pub const BUILTIN_POLICIES: &[(&str, &str)] = &[
    (
        "User Administrator",
        "Manages users, policies, resource groups and SSO mappings of the tenant.",
    ),
    (
        "Data Administrator",
        "Configures databases, sources, exports and destinations.",
    ),
    (
        "Analyst",
        "Builds segments and queries, designs campaigns and sends them to destinations.",
    ),
    ("Viewer", "Sees databases and results, changes nothing."),
];
