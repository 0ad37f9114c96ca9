//! The decision function: may this person do this action on this resource, and why.
//!
//! A decision is a value with its reason, never a bare bool: the UI shows the reason wherever
//! something is refused, and the activity log can say which assignment granted an action.
//! The rules of U7 and U8 live here and nowhere else.

use crate::access::group_reaches;
use crate::actions::{Action, Scope};
use crate::error::Problem;
use crate::ids::{DatabaseId, PolicyId, ResourceGroupId, TenantId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A policy: a named set of actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub id: PolicyId,
    pub name: String,
    pub actions: BTreeSet<Action>,
}

/// A resource group; `all` marks the built-in *All resource groups*.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: ResourceGroupId,
    pub name: String,
    pub all: bool,
}

/// A database and the custom group it belongs to, if any (it always belongs to *All*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Database {
    pub id: DatabaseId,
    pub name: String,
    pub group: Option<ResourceGroupId>,
}

/// A (policy, resource group) assignment of one person.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Assignment {
    pub user: UserId,
    pub policy: PolicyId,
    pub group: ResourceGroupId,
}

/// What the decision is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Resource {
    /// The tenant as a whole (users, activity, authorizations, apps, Sources).
    Tenant { tenant: TenantId },
    /// One database of a tenant.
    Database {
        tenant: TenantId,
        database: DatabaseId,
    },
}

impl Resource {
    fn tenant(&self) -> &TenantId {
        match self {
            Resource::Tenant { tenant } | Resource::Database { tenant, .. } => tenant,
        }
    }
}

/// Why a decision came out as it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// Granted by this assignment.
    Granted { policy: String, group: String },
    /// The resource belongs to another tenant than the access data.
    OtherTenant,
    /// The person is not a member of the tenant (never was, or access was revoked).
    NotAMember,
    /// No database by that id in this tenant.
    UnknownDatabase,
    /// The person holds no assignment in the tenant.
    NoAssignment,
    /// None of the person's policies holds the action.
    PolicyLacksAction { action: Action },
    /// Policies hold the action, but only on custom groups that do not reach this database.
    GroupDoesNotReach { action: Action, database: String },
    /// The action needs an assignment on *All resource groups*.
    NeedsAllResourceGroups { action: Action },
    /// Platform operators administer every tenant (but see no PII through that alone).
    PlatformOperator,
}

impl Reason {
    /// One sentence a person can act on.
    pub fn explain(&self) -> String {
        match self {
            Reason::Granted { policy, group } => format!("granted by the policy {policy} on {group}"),
            Reason::OtherTenant => "this belongs to another tenant".to_owned(),
            Reason::NotAMember => "you do not have access to this tenant".to_owned(),
            Reason::UnknownDatabase => "there is no such database in this tenant".to_owned(),
            Reason::NoAssignment => "you have no policy in this tenant; ask a User Administrator for one".to_owned(),
            Reason::PolicyLacksAction { action } => format!("none of your policies allows you to {}", action.label()),
            Reason::GroupDoesNotReach { action, database } => {
                format!("your resource groups do not include {database}, so you cannot {} there", action.label())
            }
            Reason::NeedsAllResourceGroups { action } => format!(
                "to {} you need a policy on All resource groups; custom resource groups never allow it",
                action.label()
            ),
            Reason::PlatformOperator => "granted because you are a platform operator".to_owned(),
        }
    }

    /// The action this reason says is missing, when it names one (the API's `missing_permission`).
    pub fn missing_action(&self) -> Option<Action> {
        match self {
            Reason::PolicyLacksAction { action }
            | Reason::GroupDoesNotReach { action, .. }
            | Reason::NeedsAllResourceGroups { action } => Some(*action),
            _ => None,
        }
    }
}

/// The decision and its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub allowed: bool,
    pub reason: Reason,
}

impl Decision {
    fn deny(reason: Reason) -> Decision {
        Decision {
            allowed: false,
            reason,
        }
    }

    /// The decision as a result: the granting reason, or the problem to answer with. Another
    /// tenant's resource and an unknown database answer 404 so that nothing reveals they exist.
    pub fn into_result(self) -> Result<Reason, Problem> {
        if self.allowed {
            return Ok(self.reason);
        }
        let problem = match &self.reason {
            Reason::OtherTenant | Reason::UnknownDatabase => Problem::not_found("resource"),
            Reason::NotAMember => Problem::not_found("tenant"),
            reason => {
                let mut p = Problem::forbidden("forbidden", reason.explain());
                p.missing_permission = reason.missing_action().map(|a| a.code().to_owned());
                p
            }
        };
        Err(problem)
    }
}

/// Whether an operator's platform role grants `action` by itself. PII stays behind an
/// assignment even for operators: platform staff administer access, they do not read customers.
fn operator_grants(action: Action) -> bool {
    !matches!(action, Action::ViewPii | Action::ExportPii)
}

/// One tenant's access data as plain data: what the server loads and what it sends to the
/// browser, which indexes it with [`AccessSnapshot::index`] and calls the same [`TenantAccess::decide`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessSnapshot {
    pub tenant: TenantId,
    pub members: Vec<UserId>,
    /// Platform operators among the people decided about.
    pub operators: Vec<UserId>,
    pub policies: Vec<Policy>,
    pub groups: Vec<Group>,
    pub databases: Vec<Database>,
    pub assignments: Vec<Assignment>,
}

impl AccessSnapshot {
    /// Indexes the snapshot for decisions.
    pub fn index(&self) -> TenantAccess {
        TenantAccess::new(
            self.tenant.clone(),
            self.members.iter().cloned(),
            self.policies.iter().cloned(),
            self.groups.iter().cloned(),
            self.databases.iter().cloned(),
            self.assignments.iter().cloned(),
        )
        .with_operators(self.operators.iter().cloned())
    }
}

/// One tenant's access data, indexed for decisions.
#[derive(Debug, Clone, Default)]
pub struct TenantAccess {
    tenant: Option<TenantId>,
    members: BTreeSet<UserId>,
    policies: BTreeMap<PolicyId, Policy>,
    groups: BTreeMap<ResourceGroupId, Group>,
    databases: BTreeMap<DatabaseId, Database>,
    by_user: BTreeMap<UserId, Vec<(PolicyId, ResourceGroupId)>>,
    operators: BTreeSet<UserId>,
}

impl TenantAccess {
    /// Indexes a tenant's access data. Assignments naming a policy or group the tenant does
    /// not have are ignored: they grant nothing.
    pub fn new(
        tenant: TenantId,
        members: impl IntoIterator<Item = UserId>,
        policies: impl IntoIterator<Item = Policy>,
        groups: impl IntoIterator<Item = Group>,
        databases: impl IntoIterator<Item = Database>,
        assignments: impl IntoIterator<Item = Assignment>,
    ) -> TenantAccess {
        let policies: BTreeMap<_, _> = policies.into_iter().map(|p| (p.id.clone(), p)).collect();
        let groups: BTreeMap<_, _> = groups.into_iter().map(|g| (g.id.clone(), g)).collect();
        let mut by_user: BTreeMap<UserId, Vec<(PolicyId, ResourceGroupId)>> = BTreeMap::new();
        for a in assignments {
            if policies.contains_key(&a.policy) && groups.contains_key(&a.group) {
                by_user.entry(a.user).or_default().push((a.policy, a.group));
            }
        }
        TenantAccess {
            tenant: Some(tenant),
            members: members.into_iter().collect(),
            policies,
            groups,
            databases: databases.into_iter().map(|d| (d.id.clone(), d)).collect(),
            by_user,
            operators: BTreeSet::new(),
        }
    }

    /// Marks platform operators: they may enter and administer the tenant without being members.
    pub fn with_operators(mut self, operators: impl IntoIterator<Item = UserId>) -> TenantAccess {
        self.operators.extend(operators);
        self
    }

    /// Whether `database` is a database of this tenant.
    pub fn database(&self, database: &DatabaseId) -> Option<&Database> {
        self.databases.get(database)
    }

    /// Decides whether `user` may do `action` on `resource`.
    pub fn decide(&self, user: &UserId, action: Action, resource: &Resource) -> Decision {
        if self.tenant.as_ref() != Some(resource.tenant()) {
            return Decision::deny(Reason::OtherTenant);
        }
        let operator = self.operators.contains(user);
        if !operator && !self.members.contains(user) {
            return Decision::deny(Reason::NotAMember);
        }
        let database = match resource {
            Resource::Database { database, .. } => match self.databases.get(database) {
                Some(d) => Some(d),
                None => return Decision::deny(Reason::UnknownDatabase),
            },
            Resource::Tenant { .. } => None,
        };
        let decision = self.decide_by_assignments(user, action, database);
        if !decision.allowed && operator && operator_grants(action) {
            return Decision {
                allowed: true,
                reason: Reason::PlatformOperator,
            };
        }
        decision
    }

    /// The member rules: the first assignment that grants the action, or what is missing.
    fn decide_by_assignments(
        &self,
        user: &UserId,
        action: Action,
        database: Option<&Database>,
    ) -> Decision {
        let assignments = self
            .by_user
            .get(user)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if assignments.is_empty() {
            return Decision::deny(Reason::NoAssignment);
        }
        // The assignments whose policy holds the action, with their group.
        let holding: Vec<(&Policy, &Group)> = assignments
            .iter()
            .filter_map(|(p, g)| Some((self.policies.get(p)?, self.groups.get(g)?)))
            .filter(|(p, _)| p.actions.contains(&action))
            .collect();
        if holding.is_empty() {
            return Decision::deny(Reason::PolicyLacksAction { action });
        }
        let granting = holding.iter().find(|(_, g)| match action.scope() {
            Scope::Tenant => true,
            Scope::AllData => g.all,
            Scope::Database => match database {
                Some(d) => group_reaches(&g.id, g.all, d.group.as_ref()),
                None => g.all,
            },
        });
        match (granting, action.scope(), database) {
            (Some((p, g)), _, _) => Decision {
                allowed: true,
                reason: Reason::Granted {
                    policy: p.name.clone(),
                    group: g.name.clone(),
                },
            },
            (None, Scope::AllData, _) => Decision::deny(Reason::NeedsAllResourceGroups { action }),
            (None, _, Some(d)) => Decision::deny(Reason::GroupDoesNotReach {
                action,
                database: d.name.clone(),
            }),
            // A database action asked of the tenant as a whole means every database: only *All*.
            (None, _, None) => Decision::deny(Reason::NeedsAllResourceGroups { action }),
        }
    }
}
