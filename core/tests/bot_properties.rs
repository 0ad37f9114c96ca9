//! Properties of bot decisions over random installs (proptest): a bot never acts on a
//! tenant where its app is not installed, unless an agency that owns the tenant installed it
//! with full account rights; it never holds more than granted ∩ requested; taking a
//! permission away from the app never adds access.

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use portcullis_core::apps::{BotAccess, Install, Permission, PermissionScope, Target};
use portcullis_core::ids::{AgencyId, InstallId, TenantId};
use proptest::prelude::*;
use std::collections::BTreeSet;

fn tenant(n: u8) -> TenantId {
    TenantId::from_bytes([n; 16])
}
fn agency(n: u8) -> AgencyId {
    AgencyId::from_bytes([n; 16])
}
fn targets() -> Vec<Target> {
    (1..=4)
        .map(|n| Target::Tenant(tenant(n)))
        .chain((1..=2).map(|n| Target::Agency(agency(n))))
        .collect()
}

fn permissions(bits: u32) -> BTreeSet<Permission> {
    Permission::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, p)| *p)
        .collect()
}

/// A random world: the app's permissions, up to six installs, and which agency owns which tenant.
fn access() -> impl Strategy<Value = BotAccess> {
    (
        any::<u32>(),
        proptest::collection::vec((0usize..6, any::<u32>()), 0..6),
        proptest::collection::vec((1u8..=2, 1u8..=4), 0..4),
    )
        .prop_map(|(app, installs, owned)| {
            let all = targets();
            let mut seen = BTreeSet::new();
            BotAccess {
                app_permissions: permissions(app),
                installs: installs
                    .into_iter()
                    .filter(|(t, _)| seen.insert(*t))
                    .enumerate()
                    .map(|(i, (t, grant))| Install {
                        id: InstallId::from_bytes([i as u8 + 1; 16]),
                        target: all[t].clone(),
                        granted: permissions(grant),
                    })
                    .collect(),
                agency_tenants: owned
                    .into_iter()
                    .map(|(a, t)| (agency(a), tenant(t)))
                    .collect(),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn a_bot_stays_where_it_is_installed(access in access()) {
        for target in targets() {
            for p in Permission::ALL {
                let d = access.decide(*p, &target);
                if !d.allowed {
                    continue;
                }
                let direct = access.installs.iter().any(|i| {
                    i.target == target && i.granted.contains(p) && access.app_permissions.contains(p)
                });
                let via_agency = match &target {
                    Target::Tenant(t) => p.scope() == PermissionScope::Account && access.installs.iter().any(|i| match &i.target {
                        Target::Agency(a) => access.agency_tenants.contains(&(a.clone(), t.clone()))
                            && i.granted.contains(&Permission::AgencyUpdateDeleteAllAgencyAccounts)
                            && access.app_permissions.contains(&Permission::AgencyUpdateDeleteAllAgencyAccounts),
                        Target::Tenant(_) => false,
                    }),
                    Target::Agency(_) => false,
                };
                prop_assert!(direct || via_agency, "{} on {:?} allowed by {:?}", p.code(), target, d.reason);
            }
        }
    }

    #[test]
    fn removing_a_permission_from_the_app_never_adds_access(access in access(), drop in 0usize..25) {
        let mut narrower = access.clone();
        narrower.app_permissions.remove(&Permission::ALL[drop]);
        for target in targets() {
            for p in Permission::ALL {
                if narrower.decide(*p, &target).allowed {
                    prop_assert!(access.decide(*p, &target).allowed, "{} on {:?}", p.code(), target);
                }
            }
        }
    }
}
