//! Policies and resource groups that every tenant starts with.
//!
//! The names live here so that the server seeds them and the UI shows them from one source.
//! [`reach`] is the resource-group rule: which databases a person's assignments reach.
//! The decision function (`decide.rs`: actions, policies, reasons) builds on it.

use crate::ids::ResourceGroupId;
use std::collections::BTreeSet;

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

/// Which databases of a tenant a person's assignments reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// An assignment on *All resource groups* (or platform operator): every database.
    Everything,
    /// Only databases in these custom groups (possibly none).
    Groups(BTreeSet<ResourceGroupId>),
}

/// One assignment's resource group, as the reach rule needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignedGroup {
    pub id: ResourceGroupId,
    /// Whether it is the built-in *All resource groups*.
    pub all: bool,
}

/// The resource-group rule for one assignment: its group reaches a database (whose custom group is
/// `database_group`) when it is *All resource groups* or that very custom group.
///
/// Generic over how a group is named (its id, or its position in an index).
pub fn group_reaches<G: PartialEq>(group: &G, all: bool, database_group: Option<&G>) -> bool {
    all || database_group == Some(group)
}

/// What a set of assignments reaches: any assignment on *All* reaches every database; custom
/// groups reach only their own databases; no assignment reaches nothing.
pub fn reach(assigned: &[AssignedGroup]) -> Reach {
    if assigned.iter().any(|g| g.all) {
        return Reach::Everything;
    }
    Reach::Groups(assigned.iter().map(|g| g.id.clone()).collect())
}

impl Reach {
    /// Whether a database in `group` (its custom group, if any) is reached. A database always
    /// belongs to *All*; one without a custom group is reached only through *All*.
    pub fn reaches(&self, group: Option<&ResourceGroupId>) -> bool {
        match self {
            Reach::Everything => true,
            Reach::Groups(groups) => groups.iter().any(|g| group_reaches(g, false, group)),
        }
    }
}
