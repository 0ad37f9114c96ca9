//! The decision function: may this person do this action on this resource, and why.
//!
//! A decision is a value with its reason, never a bare bool: the UI shows the reason wherever
//! something is refused, and the activity log can say which assignment granted an action.
//! The resource-group rules live here and nowhere else: a custom group reaches only its own
//! databases, and all-data actions and PII need an assignment on *All resource groups*.

use crate::access::group_reaches;
use crate::actions::{Action, Scope};
use crate::error::Problem;
use crate::id_table::{FxHasher, IdTable};
use crate::ids::{DatabaseId, PolicyId, ResourceGroupId, TenantId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasherDefault;

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

/// How many of a person's (policy, group) grants sit inline in their slot: most people hold one
/// or two, and reading them then costs no second cache miss.
const INLINE: usize = 2;

/// One person's standing in a tenant, as decisions need it (28 bytes: it shares a cache line
/// with the person's id in [`IdTable`]).
#[derive(Debug, Clone, Copy, Default)]
struct Standing {
    member: bool,
    operator: bool,
    /// How many (policy, group) grants they hold: up to [`INLINE`] sit in `inline`, more in
    /// `TenantAccess::grants` from `start`.
    len: u32,
    start: u32,
    inline: [(u32, u32); INLINE],
}

/// Where a database sits in `TenantAccess::databases`, and its custom group's position.
#[derive(Debug, Clone, Copy, Default)]
struct DatabaseSlot {
    at: u32,
    group: Option<u32>,
}

/// The decisions of [`TenantAccess::decide_many`], made as they are asked for.
pub struct DecideMany<'a, 'q, I> {
    access: &'a TenantAccess,
    queries: I,
    /// The current batch, located and its slots read into cache; `ahead[done..]` are still
    /// to be decided.
    ahead: Vec<Located<'q>>,
    done: usize,
}

impl<'q, I> Iterator for DecideMany<'_, 'q, I>
where
    I: Iterator<Item = (&'q UserId, Action, &'q Resource)>,
{
    type Item = Decision;

    fn next(&mut self) -> Option<Decision> {
        if self.done == self.ahead.len() {
            self.locate_batch();
        }
        let next = self.ahead.get(self.done)?;
        self.done += 1;
        Some(self.access.decide_located(next))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (low, high) = self.queries.size_hint();
        let n = self.ahead.len() - self.done;
        (low.saturating_add(n), high.and_then(|h| h.checked_add(n)))
    }
}

impl<'q, I> DecideMany<'_, 'q, I>
where
    I: Iterator<Item = (&'q UserId, Action, &'q Resource)>,
{
    /// Locates the next [`AHEAD`] queries, then reads all their slots in one tight loop: the
    /// reads do not depend on one another, so the processor serves their misses together and
    /// waits once for the batch instead of once per query (a read that misses holds up every
    /// instruction after it, so reads spread among decisions would not overlap).
    fn locate_batch(&mut self) {
        let access = self.access;
        self.ahead.clear();
        self.done = 0;
        self.ahead.extend(
            self.queries
                .by_ref()
                .take(AHEAD)
                .map(|(user, action, resource)| access.locate(user, action, resource)),
        );
        let mut seen = 0u8;
        for l in &self.ahead {
            seen |= access.people.peek(l.person);
            if let Some(d) = l.database {
                seen |= access.database_at.peek(d);
            }
        }
        std::hint::black_box(seen);
    }
}

/// A query's slots located but not yet read: see [`TenantAccess::decide_many`].
struct Located<'q> {
    user: &'q UserId,
    action: Action,
    resource: &'q Resource,
    person: usize,
    database: Option<usize>,
}

/// One tenant's access data, indexed for decisions.
///
/// Built once per request (server) or per page (browser) and asked many questions, so the
/// index does the work: one probe of one cache line finds a person's standing and (mostly) their
/// grants, another finds a database and its group; policies carry their actions as a bit set,
/// and groups and policies are addressed by position.
#[derive(Debug, Clone, Default)]
pub struct TenantAccess {
    tenant: Option<TenantId>,
    policies: Vec<Policy>,
    /// The actions of `policies[i]`, one bit per action.
    action_bits: Vec<u32>,
    groups: Vec<Group>,
    databases: Vec<Database>,
    database_at: IdTable<DatabaseSlot>,
    people: IdTable<Standing>,
    /// The (policy, group) positions of people with more than [`INLINE`] grants.
    grants: Vec<(u32, u32)>,
}

/// The bit of an action in a policy's action set (the catalog has fewer than 32 actions).
fn bit(action: Action) -> u32 {
    1u32 << (action as u32)
}

/// A position as stored in a slot (a tenant never has 4 billion policies, groups or databases).
fn pos(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// How many queries [`TenantAccess::decide_many`] locates ahead of deciding them: enough misses
/// in flight to hide memory's latency, few enough that their lines stay in cache.
const AHEAD: usize = 32;

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
        let policy_at: IdMap<&PolicyId, u32> = policies
            .iter()
            .enumerate()
            .map(|(i, p)| (&p.id, pos(i)))
            .collect();
        let group_at: IdMap<&ResourceGroupId, u32> = groups
            .iter()
            .enumerate()
            .map(|(i, g)| (&g.id, pos(i)))
            .collect();
        let mut by_person: BTreeMap<UserId, (bool, Vec<(u32, u32)>)> = BTreeMap::new();
        for m in members {
            by_person.entry(m).or_default().0 = true;
        }
        for a in assignments {
            if let (Some(&p), Some(&g)) = (policy_at.get(&a.policy), group_at.get(&a.group)) {
                by_person.entry(a.user).or_default().1.push((p, g));
            }
        }
        let mut people = IdTable::with_capacity(by_person.len());
        let mut grants = Vec::new();
        for (user, (member, list)) in by_person {
            let mut standing = Standing {
                member,
                len: pos(list.len()),
                ..Standing::default()
            };
            match standing.inline.get_mut(..list.len()) {
                Some(inline) => inline.copy_from_slice(&list),
                None => {
                    standing.start = pos(grants.len());
                    grants.extend(list);
                }
            }
            *people.entry(user.as_str()) = standing;
        }
        let action_bits = policies
            .iter()
            .map(|p| p.actions.iter().fold(0, |bits, a| bits | bit(*a)))
            .collect();
        let mut database_at = IdTable::with_capacity(databases.len());
        for (i, d) in databases.iter().enumerate() {
            *database_at.entry(d.id.as_str()) = DatabaseSlot {
                at: pos(i),
                group: d.group.as_ref().and_then(|g| group_at.get(g).copied()),
            };
        }
        TenantAccess {
            tenant: Some(tenant),
            action_bits,
            policies,
            groups,
            databases,
            database_at,
            people,
            grants,
        }
    }

    /// Marks platform operators: they may enter and administer the tenant without being members.
    pub fn with_operators(mut self, operators: impl IntoIterator<Item = UserId>) -> TenantAccess {
        for o in operators {
            self.people.entry(o.as_str()).operator = true;
        }
        self
    }

    /// Whether `database` is a database of this tenant.
    pub fn database(&self, database: &DatabaseId) -> Option<&Database> {
        let slot = self.database_at.get(database.as_str())?;
        self.databases.get(slot.at as usize)
    }

    /// Decides whether `user` may do `action` on `resource`.
    pub fn decide(&self, user: &UserId, action: Action, resource: &Resource) -> Decision {
        self.decide_located(&self.locate(user, action, resource))
    }

    /// Decides many questions, in order, as an iterator: the same answers as
    /// [`TenantAccess::decide`] one by one, faster when the index outgrows the processor's cache
    /// (a list page deciding every row, a browser hiding buttons). It reads the slots of
    /// [`AHEAD`] queries at a time before deciding them, so the cache misses of a batch overlap
    /// instead of following one another.
    pub fn decide_many<'a, 'q, I>(&'a self, queries: I) -> DecideMany<'a, 'q, I::IntoIter>
    where
        I: IntoIterator<Item = (&'q UserId, Action, &'q Resource)>,
    {
        DecideMany {
            access: self,
            queries: queries.into_iter(),
            ahead: Vec::with_capacity(AHEAD),
            done: 0,
        }
    }

    /// Where the query's person and database slots are, without reading them.
    fn locate<'q>(&self, user: &'q UserId, action: Action, resource: &'q Resource) -> Located<'q> {
        Located {
            user,
            action,
            resource,
            person: self.people.home(user.as_str()),
            database: match resource {
                Resource::Database { database, .. } => {
                    Some(self.database_at.home(database.as_str()))
                }
                Resource::Tenant { .. } => None,
            },
        }
    }

    fn decide_located(&self, q: &Located<'_>) -> Decision {
        if self.tenant.as_ref() != Some(q.resource.tenant()) {
            return Decision::deny(Reason::OtherTenant);
        }
        let standing = self
            .people
            .get_from(q.person, q.user.as_str())
            .copied()
            .unwrap_or_default();
        let operator = standing.operator;
        if !standing.member && !operator {
            return Decision::deny(Reason::NotAMember);
        }
        let database = match (q.resource, q.database) {
            (Resource::Database { database, .. }, Some(home)) => {
                match self.database_at.get_from(home, database.as_str()) {
                    Some(slot) => Some(*slot),
                    None => return Decision::deny(Reason::UnknownDatabase),
                }
            }
            _ => None,
        };
        // An operator who is not a member holds no assignment of the tenant's.
        let grants: &[(u32, u32)] = if !standing.member {
            &[]
        } else if standing.len as usize <= INLINE {
            standing
                .inline
                .get(..standing.len as usize)
                .unwrap_or_default()
        } else {
            let start = standing.start as usize;
            self.grants
                .get(start..start + standing.len as usize)
                .unwrap_or_default()
        };
        let decision = self.decide_by_assignments(grants, q.action, database);
        if !decision.allowed && operator && operator_grants(q.action) {
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
        grants: &[(u32, u32)],
        action: Action,
        database: Option<DatabaseSlot>,
    ) -> Decision {
        if grants.is_empty() {
            return Decision::deny(Reason::NoAssignment);
        }
        let wanted = bit(action);
        let mut holds = false;
        for &(p, g) in grants {
            let (Some(bits), Some(policy), Some(group)) = (
                self.action_bits.get(p as usize),
                self.policies.get(p as usize),
                self.groups.get(g as usize),
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
                    Some(d) => group_reaches(&g, group.all, d.group.as_ref()),
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
                    .get(d.at as usize)
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
            }),
            // A database action asked of the tenant as a whole means every database: only *All*.
            (_, None) => Decision::deny(Reason::NeedsAllResourceGroups { action }),
        }
    }
}

/// A hash map keyed by ids with a fast, deterministic hasher, for building the index.
type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
