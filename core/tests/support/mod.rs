//! Random tenants for property tests and generated vectors: a small deterministic PRNG, so the
//! same seed builds the same tenant natively and as wasm.

#![allow(dead_code, reason = "each test binary uses a part of the helpers")]

use portcullis_core::actions::Action;
use portcullis_core::decide::{AccessSnapshot, Assignment, Database, Group, Policy, Resource};
use portcullis_core::ids::{DatabaseId, PolicyId, ResourceGroupId, TenantId, UserId};

/// SplitMix64: tiny, fast, identical on every target.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
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

pub fn user(n: usize) -> UserId {
    UserId::from_bytes(id_bytes(1, 0, n))
}

pub fn tenant(t: u8) -> TenantId {
    TenantId::from_bytes(id_bytes(2, t, 0))
}

pub fn database(t: u8, n: usize) -> DatabaseId {
    DatabaseId::from_bytes(id_bytes(3, t, n))
}

/// A random tenant `t`: up to 6 policies over random action sets, *All* plus up to 4 custom
/// groups, up to 6 databases, up to 8 people and their assignments.
pub fn random_tenant(rng: &mut Rng, t: u8) -> AccessSnapshot {
    let policies: Vec<Policy> = (0..1 + rng.below(6))
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
    let groups: Vec<Group> = (0..1 + rng.below(5))
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
    let databases: Vec<Database> = (0..rng.below(7))
        .map(|n| Database {
            id: database(t, n),
            name: format!("db {n}"),
            group: if custom.is_empty() || rng.chance(3) {
                None
            } else {
                custom.get(rng.below(custom.len())).cloned()
            },
        })
        .collect();
    let people = 1 + rng.below(8);
    let members: Vec<UserId> = (0..people).filter(|_| !rng.chance(6)).map(user).collect();
    let mut assignments = Vec::new();
    for _ in 0..rng.below(12) {
        assignments.push(Assignment {
            user: user(rng.below(people)),
            policy: policies[rng.below(policies.len())].id.clone(),
            group: groups[rng.below(groups.len())].id.clone(),
        });
    }
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

/// Every resource worth asking about in tenant `t`: the tenant, each database, and one
/// database id the tenant does not have.
pub fn resources(snapshot: &AccessSnapshot) -> Vec<Resource> {
    let t = snapshot.tenant.clone();
    let mut out = vec![Resource::Tenant { tenant: t.clone() }];
    for d in &snapshot.databases {
        out.push(Resource::Database {
            tenant: t.clone(),
            database: d.id.clone(),
        });
    }
    out.push(Resource::Database {
        tenant: t,
        database: database(250, 0),
    });
    out
}
