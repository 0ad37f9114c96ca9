//! Synthetic tenants built from a seed: the property tests, the shared vectors (native and
//! wasm) and the decision benchmark all draw from here, so they exercise the same shapes.
//!
//! A tiny deterministic PRNG (SplitMix64) makes the same seed build the same tenant on every
//! target. Nothing here reads a clock or the system's randomness.

use crate::actions::{Action, Scope};
use crate::decide::{AccessSnapshot, Assignment, Database, Group, Policy, Resource};
use crate::ids::{DatabaseId, PolicyId, ResourceGroupId, TenantId, UserId};

/// SplitMix64: tiny, fast, identical on every target.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; 0 when `n` is 0.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next_u64() % n as u64).unwrap_or(0)
    }

    /// True once in `one_in` draws on average.
    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    /// One element of a list, if it has any.
    pub fn pick<'a, T>(&mut self, list: &'a [T]) -> Option<&'a T> {
        list.get(self.below(list.len()))
    }
}

fn id_bytes(kind: u8, tenant: u8, n: usize) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[0] = 0x01;
    b[1] = kind;
    b[2] = tenant;
    b[8..16].copy_from_slice(&(n as u64).to_be_bytes());
    b
}

/// The `n`th synthetic person (people are shared across synthetic tenants).
pub fn user(n: usize) -> UserId {
    UserId::from_bytes(id_bytes(1, 0, n))
}

/// Synthetic tenant `t`.
pub fn tenant(t: u8) -> TenantId {
    TenantId::from_bytes(id_bytes(2, t, 0))
}

/// The `n`th database of synthetic tenant `t`.
pub fn database(t: u8, n: usize) -> DatabaseId {
    DatabaseId::from_bytes(id_bytes(3, t, n))
}

/// How big a synthetic tenant is.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub users: usize,
    pub policies: usize,
    /// Resource groups, *All resource groups* included.
    pub groups: usize,
    pub databases: usize,
    /// Assignments drawn in all (duplicates collapse).
    pub assignments: usize,
}

impl Shape {
    /// The decision benchmark's tenant: 10,000 users, 50 policies, 200 resource
    /// groups, 2,000 databases, about 1.5 assignments a person.
    pub const BENCH: Shape = Shape {
        users: 10_000,
        policies: 50,
        groups: 200,
        databases: 2_000,
        assignments: 15_000,
    };

    /// Every dimension times `k`.
    pub fn times(self, k: usize) -> Shape {
        Shape {
            users: self.users * k,
            policies: self.policies * k,
            groups: self.groups * k,
            databases: self.databases * k,
            assignments: self.assignments * k,
        }
    }
}

/// A tenant of exactly `shape`: policies over random action sets, *All* plus custom groups,
/// databases in a custom group two times in three, one person in twenty not a member.
pub fn tenant_of(rng: &mut Rng, t: u8, shape: Shape) -> AccessSnapshot {
    let policies: Vec<Policy> = (0..shape.policies.max(1))
        .map(|n| Policy {
            id: PolicyId::from_bytes(id_bytes(4, t, n)),
            name: format!("policy {n}"),
            actions: Action::ALL
                .iter()
                .copied()
                .filter(|_| rng.chance(2))
                .collect(),
        })
        .collect();
    let groups: Vec<Group> = (0..shape.groups.max(1))
        .map(|n| Group {
            id: ResourceGroupId::from_bytes(id_bytes(5, t, n)),
            name: format!("group {n}"),
            all: n == 0,
        })
        .collect();
    let custom: Vec<ResourceGroupId> = groups
        .iter()
        .filter(|g| !g.all)
        .map(|g| g.id.clone())
        .collect();
    let databases: Vec<Database> = (0..shape.databases)
        .map(|n| Database {
            id: database(t, n),
            name: format!("db {n}"),
            group: if rng.chance(3) {
                None
            } else {
                rng.pick(&custom).cloned()
            },
        })
        .collect();
    let members: Vec<UserId> = (0..shape.users)
        .filter(|_| !rng.chance(20))
        .map(user)
        .collect();
    let mut assignments: Vec<Assignment> = (0..shape.assignments)
        .filter_map(|_| {
            Some(Assignment {
                user: user(rng.below(shape.users)),
                policy: rng.pick(&policies)?.id.clone(),
                group: rng.pick(&groups)?.id.clone(),
            })
        })
        .collect();
    assignments.sort();
    assignments.dedup();
    AccessSnapshot {
        tenant: tenant(t),
        members,
        operators: Vec::new(),
        policies,
        groups,
        databases,
        assignments,
    }
}

/// A small random tenant `t` (up to 8 people, 6 policies, 5 groups, 6 databases), for
/// property tests and the shared vectors.
pub fn random_tenant(rng: &mut Rng, t: u8) -> AccessSnapshot {
    let shape = Shape {
        users: 1 + rng.below(8),
        policies: 1 + rng.below(6),
        groups: 1 + rng.below(5),
        databases: rng.below(7),
        assignments: rng.below(12),
    };
    tenant_of(rng, t, shape)
}

/// Every resource worth asking about in a tenant: the tenant, each database, and one
/// database id the tenant does not have.
pub fn resources(snapshot: &AccessSnapshot) -> Vec<Resource> {
    let t = snapshot.tenant.clone();
    let mut out = vec![Resource::Tenant { tenant: t.clone() }];
    out.extend(snapshot.databases.iter().map(|d| Resource::Database {
        tenant: t.clone(),
        database: d.id.clone(),
    }));
    out.push(Resource::Database {
        tenant: t,
        database: database(250, 0),
    });
    out
}

/// A question to decide: who, what, on what.
pub type Query = (UserId, Action, Resource);

/// `n` random questions about a tenant: tenant-wide actions on the tenant, the others on one
/// of its databases (or the tenant when it has none).
pub fn queries(rng: &mut Rng, snapshot: &AccessSnapshot, users: usize, n: usize) -> Vec<Query> {
    (0..n)
        .map(|_| {
            let action = rng.pick(Action::ALL).copied().unwrap_or(Action::ViewUsers);
            let resource = match (action.scope(), rng.pick(&snapshot.databases)) {
                (Scope::Tenant, _) | (_, None) => Resource::Tenant {
                    tenant: snapshot.tenant.clone(),
                },
                (_, Some(d)) => Resource::Database {
                    tenant: snapshot.tenant.clone(),
                    database: d.id.clone(),
                },
            };
            (user(rng.below(users)), action, resource)
        })
        .collect()
}
