//! Properties of the decision engine over random tenants (proptest): no decision crosses
//! tenants; a custom-group member never gets PII, Sources or a database outside the group;
//! removing an assignment never adds access; deciding many at once answers as one by one.

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use portcullis_core::actions::{Action, Scope};
use portcullis_core::decide::{Reason, Resource};
use portcullis_core::synthetic::{random_tenant, resources, user, Rng};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Access data of tenant 1 never allows anything on tenant 2's resources.
    #[test]
    fn no_decision_crosses_tenants(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let one = random_tenant(&mut rng, 1);
        let two = random_tenant(&mut rng, 2);
        let access = one.index();
        for r in resources(&two) {
            for u in 0..8 {
                for a in Action::ALL {
                    let d = access.decide(&user(u), *a, &r);
                    prop_assert!(!d.allowed);
                    prop_assert_eq!(d.reason, Reason::OtherTenant);
                }
            }
        }
    }

    /// People whose every assignment is on a custom group never get an all-data action, and
    /// get database actions only on their groups' databases.
    #[test]
    fn custom_group_members_stay_inside_their_groups(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let snap = random_tenant(&mut rng, 1);
        let access = snap.index();
        let all_group = snap.groups.iter().find(|g| g.all).map(|g| g.id.clone()).unwrap();
        for u in 0..8 {
            let mine: Vec<_> = snap.assignments.iter().filter(|a| a.user == user(u)).collect();
            if mine.is_empty() || mine.iter().any(|a| a.group == all_group) {
                continue;
            }
            for r in resources(&snap) {
                for a in Action::ALL {
                    let d = access.decide(&user(u), *a, &r);
                    if !d.allowed { continue; }
                    prop_assert!(a.scope() != Scope::AllData, "{a:?} granted to a custom-group member");
                    prop_assert!(!matches!(a, Action::ViewPii | Action::ExportPii | Action::OpenSources));
                    if let (Scope::Database, Resource::Database { database, .. }) = (a.scope(), &r) {
                        let db = snap.databases.iter().find(|d| &d.id == database).unwrap();
                        prop_assert!(mine.iter().any(|m| Some(&m.group) == db.group.as_ref()),
                            "{a:?} on a database outside the member's groups");
                    }
                }
            }
        }
    }

    /// Taking away any one assignment never turns a refusal into a grant.
    #[test]
    fn removing_an_assignment_never_adds_access(seed in any::<u64>(), pick in any::<usize>()) {
        let mut rng = Rng::new(seed);
        let before = random_tenant(&mut rng, 1);
        prop_assume!(!before.assignments.is_empty());
        let mut after = before.clone();
        after.assignments.remove(pick % before.assignments.len());
        let (b, a) = (before.index(), after.index());
        for r in resources(&before) {
            for u in 0..8 {
                for act in Action::ALL {
                    if a.decide(&user(u), *act, &r).allowed {
                        prop_assert!(b.decide(&user(u), *act, &r).allowed);
                    }
                }
            }
        }
    }

    /// Deciding many at once answers exactly as deciding one by one, whatever the mix of
    /// people (members, strangers, people holding more grants than fit inline), actions and
    /// resources (this tenant's, another's, unknown databases).
    #[test]
    fn deciding_many_answers_as_deciding_each(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let one = random_tenant(&mut rng, 1);
        let two = random_tenant(&mut rng, 2);
        let access = one.index().with_operators([user(3)]);
        let mut asked = Vec::new();
        for r in resources(&one).into_iter().chain(resources(&two)) {
            for u in 0..10 {
                for a in Action::ALL {
                    asked.push((user(u), *a, r.clone()));
                }
            }
        }
        let many: Vec<_> = access
            .decide_many(asked.iter().map(|(u, a, r)| (u, *a, r)))
            .collect();
        prop_assert_eq!(many.len(), asked.len());
        for ((u, a, r), d) in asked.iter().zip(&many) {
            prop_assert_eq!(d, &access.decide(u, *a, r));
        }
    }
}
