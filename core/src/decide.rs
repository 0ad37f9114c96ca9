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
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

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

/// One person's standing in a tenant, as decisions need it.
#[derive(Debug, Clone, Copy, Default)]
struct Standing {
    member: bool,
    operator: bool,
    /// Where their (policy, group) indexes sit in `TenantAccess::grants`.
    start: u32,
    len: u32,
}

/// An id as a hash key held inline: every id is at most 32 bytes of ASCII, so a lookup never
/// follows a pointer to the key's text (at 100,000 people that pointer is a cache miss).
type Key = [u8; 32];

fn key(id: &str) -> Key {
    let mut k = [0u8; 32];
    let n = id.len().min(32);
    k[..n].copy_from_slice(&id.as_bytes()[..n]);
    k
}

/// One tenant's access data, indexed for decisions.
///
/// Built once per request (server) or per page (browser) and asked many questions, so the
/// index does the work: one hash lookup finds a person's standing, policies carry their actions
/// as a bit set, and groups, policies and databases' groups are addressed by position.
#[derive(Debug, Clone, Default)]
pub struct TenantAccess {
    tenant: Option<TenantId>,
    policies: Vec<Policy>,
    /// The actions of `policies[i]`, one bit per action.
    action_bits: Vec<u32>,
    groups: Vec<Group>,
    databases: Vec<Database>,
    /// The position of each database's custom group in `groups`.
    database_groups: Vec<Option<usize>>,
    database_at: FastMap<Key, usize>,
    people: FastMap<Key, Standing>,
    /// Everyone's (policy, group) positions, each person's together.
    grants: Vec<(usize, usize)>,
}

/// The bit of an action in a policy's action set (the catalog has fewer than 32 actions).
fn bit(action: Action) -> u32 {
    1u32 << (action as u32)
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
        let policies: Vec<Policy> = policies.into_iter().collect();
        let groups: Vec<Group> = groups.into_iter().collect();
        let databases: Vec<Database> = databases.into_iter().collect();
        let policy_at: FastMap<&PolicyId, usize> = policies
            .iter()
            .enumerate()
            .map(|(i, p)| (&p.id, i))
            .collect();
        let group_at: FastMap<&ResourceGroupId, usize> =
            groups.iter().enumerate().map(|(i, g)| (&g.id, i)).collect();
        let mut by_person: BTreeMap<UserId, (bool, Vec<(usize, usize)>)> = BTreeMap::new();
        for m in members {
            by_person.entry(m).or_default().0 = true;
        }
        for a in assignments {
            if let (Some(&p), Some(&g)) = (policy_at.get(&a.policy), group_at.get(&a.group)) {
                by_person.entry(a.user).or_default().1.push((p, g));
            }
        }
        let mut people = FastMap::default();
        let mut grants = Vec::new();
        for (user, (member, list)) in by_person {
            let standing = Standing {
                member,
                operator: false,
                start: u32::try_from(grants.len()).unwrap_or(u32::MAX),
                len: u32::try_from(list.len()).unwrap_or(0),
            };
            grants.extend(list);
            people.insert(key(user.as_str()), standing);
        }
        let action_bits = policies
            .iter()
            .map(|p| p.actions.iter().fold(0, |bits, a| bits | bit(*a)))
            .collect();
        let database_groups = databases
            .iter()
            .map(|d| d.group.as_ref().and_then(|g| group_at.get(g).copied()))
            .collect();
        let database_at = databases
            .iter()
            .enumerate()
            .map(|(i, d)| (key(d.id.as_str()), i))
            .collect();
        TenantAccess {
            tenant: Some(tenant),
            action_bits,
            policies,
            groups,
            databases,
            database_groups,
            database_at,
            people,
            grants,
        }
    }

    /// Marks platform operators: they may enter and administer the tenant without being members.
    pub fn with_operators(mut self, operators: impl IntoIterator<Item = UserId>) -> TenantAccess {
        for o in operators {
            self.people.entry(key(o.as_str())).or_default().operator = true;
        }
        self
    }

    /// Whether `database` is a database of this tenant.
    pub fn database(&self, database: &DatabaseId) -> Option<&Database> {
        let i = *self.database_at.get(&key(database.as_str()))?;
        self.databases.get(i)
    }

    /// Decides whether `user` may do `action` on `resource`.
    pub fn decide(&self, user: &UserId, action: Action, resource: &Resource) -> Decision {
        if self.tenant.as_ref() != Some(resource.tenant()) {
            return Decision::deny(Reason::OtherTenant);
        }
        let standing = self
            .people
            .get(&key(user.as_str()))
            .copied()
            .unwrap_or_default();
        let operator = standing.operator;
        if !standing.member && !operator {
            return Decision::deny(Reason::NotAMember);
        }
        let database = match resource {
            Resource::Database { database, .. } => {
                match self.database_at.get(&key(database.as_str())) {
                    Some(&i) => Some(i),
                    None => return Decision::deny(Reason::UnknownDatabase),
                }
            }
            Resource::Tenant { .. } => None,
        };
        // An operator who is not a member holds no assignment of the tenant's.
        let grants: &[(usize, usize)] = if standing.member {
            let start = standing.start as usize;
            self.grants
                .get(start..start + standing.len as usize)
                .unwrap_or_default()
        } else {
            &[]
        };
        let decision = self.decide_by_assignments(grants, action, database);
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
        grants: &[(usize, usize)],
        action: Action,
        database: Option<usize>,
    ) -> Decision {
        if grants.is_empty() {
            return Decision::deny(Reason::NoAssignment);
        }
        let wanted = bit(action);
        let mut holds = false;
        for &(p, g) in grants {
            let (Some(bits), Some(policy), Some(group)) = (
                self.action_bits.get(p),
                self.policies.get(p),
                self.groups.get(g),
            ) else {
                continue;
            };
            if bits & wanted == 0 {
                continue;
            }
            holds = true;
            let reaches = match action.scope() {
                Scope::Tenant => true,
                Scope::AllData => group.all,
                Scope::Database => match database {
                    Some(d) => group_reaches(
                        &g,
                        group.all,
                        self.database_groups.get(d).copied().flatten().as_ref(),
                    ),
                    None => group.all,
                },
            };
            if reaches {
                return Decision {
                    allowed: true,
                    reason: Reason::Granted {
                        policy: policy.name.clone(),
                        group: group.name.clone(),
                    },
                };
            }
        }
        if !holds {
            return Decision::deny(Reason::PolicyLacksAction { action });
        }
        match (action.scope(), database) {
            (Scope::AllData, _) => Decision::deny(Reason::NeedsAllResourceGroups { action }),
            (_, Some(d)) => Decision::deny(Reason::GroupDoesNotReach {
                action,
                database: self
                    .databases
                    .get(d)
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
            }),
            // A database action asked of the tenant as a whole means every database: only *All*.
            (_, None) => Decision::deny(Reason::NeedsAllResourceGroups { action }),
        }
    }
}

/// A hash map keyed by ids with a fast, deterministic hasher: ids are made by the server, so
/// no one can pick colliding keys, and SipHash would cost more than the rest of a decision.
type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The multiply-rotate hash of rustc's `FxHasher`, with a final avalanche.
#[derive(Debug, Default, Clone, Copy)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    /// Ids differ mostly in their last characters, which land in the high bits of the last
    /// word, and hash tables index by the low bits: a final avalanche (murmur3's `fmix64`) moves
    /// every input bit into every output bit, so ids never pile into one bucket.
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z ^= z >> 33;
        z = z.wrapping_mul(0xff51_afd7_ed55_8ccd);
        z ^= z >> 33;
        z = z.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        z ^ (z >> 33)
    }
}
