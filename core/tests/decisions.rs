//! The decision function over the multi-brand tenant, from a shared data file checked
//! natively and as wasm under node.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test's helpers fail the test by panicking"
)]

use portcullis_core::actions::{builtin_policy_actions, Action};
use portcullis_core::decide::{
    Assignment, Database, Group, Policy, Reason, Resource, TenantAccess,
};
use portcullis_core::ids::{DatabaseId, PolicyId, ResourceGroupId, TenantId, UserId};
use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

const VECTORS: &str = include_str!("vectors/decisions.json");

/// A stable 16-byte id body for a name used in the vectors.
fn bytes(name: &str) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (i, b) in name.bytes().enumerate() {
        out[i % 16] ^= b.rotate_left(i as u32 / 16);
    }
    out[0] &= 0x3f;
    out
}

fn fixture(v: &Value) -> TenantAccess {
    let policies = v["policies"]
        .as_object()
        .expect("policies")
        .iter()
        .map(|(name, spec)| Policy {
            id: PolicyId::from_bytes(bytes(name)),
            name: name.clone(),
            actions: match spec {
                Value::String(_) => builtin_policy_actions(name).iter().copied().collect(),
                list => list
                    .as_array()
                    .expect("action list")
                    .iter()
                    .map(|a| Action::from_code(a.as_str().expect("code")).expect("known action"))
                    .collect(),
            },
        });
    let groups = v["groups"]
        .as_object()
        .expect("groups")
        .iter()
        .map(|(name, all)| Group {
            id: ResourceGroupId::from_bytes(bytes(name)),
            name: name.clone(),
            all: all.as_bool().expect("flag"),
        });
    let databases = v["databases"]
        .as_object()
        .expect("databases")
        .iter()
        .map(|(name, group)| Database {
            id: DatabaseId::from_bytes(bytes(name)),
            name: name.clone(),
            group: group
                .as_str()
                .map(|g| ResourceGroupId::from_bytes(bytes(g))),
        });
    let assignments = v["assignments"]
        .as_array()
        .expect("assignments")
        .iter()
        .map(|a| Assignment {
            user: UserId::from_bytes(bytes(a[0].as_str().expect("user"))),
            policy: PolicyId::from_bytes(bytes(a[1].as_str().expect("policy"))),
            group: ResourceGroupId::from_bytes(bytes(a[2].as_str().expect("group"))),
        });
    let members = v["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| UserId::from_bytes(bytes(m.as_str().expect("member"))));
    TenantAccess::new(
        TenantId::from_bytes(bytes(v["tenant"].as_str().expect("tenant"))),
        members,
        policies,
        groups,
        databases,
        assignments,
    )
}

fn reason_code(r: &Reason) -> String {
    serde_json::to_value(r).expect("reason serialises")["code"]
        .as_str()
        .expect("code")
        .to_owned()
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn decision_vectors() {
    let v: Value = serde_json::from_str(VECTORS).expect("valid JSON");
    let access = fixture(&v);
    let cases = v["cases"].as_array().expect("cases");
    assert!(cases.len() >= 25);
    for case in cases {
        let tenant = TenantId::from_bytes(bytes(
            case.get("tenant").and_then(Value::as_str).unwrap_or("acme"),
        ));
        let resource = match case.get("database").and_then(Value::as_str) {
            Some(db) => Resource::Database {
                tenant,
                database: DatabaseId::from_bytes(bytes(db)),
            },
            None => Resource::Tenant { tenant },
        };
        let user = UserId::from_bytes(bytes(case["user"].as_str().expect("user")));
        let action =
            Action::from_code(case["action"].as_str().expect("action")).expect("known action");
        let d = access.decide(&user, action, &resource);
        assert_eq!(
            Some(d.allowed),
            case["allowed"].as_bool(),
            "{case}: {:?}",
            d.reason
        );
        assert_eq!(
            Some(reason_code(&d.reason).as_str()),
            case["reason"].as_str(),
            "{case}"
        );
        if let Some(by) = case.get("granted_by") {
            let Reason::Granted { policy, group } = &d.reason else {
                panic!("{case}: not granted")
            };
            assert_eq!(
                (Some(policy.as_str()), Some(group.as_str())),
                (by[0].as_str(), by[1].as_str()),
                "{case}"
            );
        }
        assert!(!d.reason.explain().is_empty());
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn action_codes_round_trip_and_are_unique() {
    let mut seen = std::collections::BTreeSet::new();
    for a in Action::ALL {
        assert_eq!(Action::from_code(a.code()), Some(*a));
        assert!(seen.insert(a.code()), "duplicate code {}", a.code());
        assert_eq!(
            serde_json::to_value(a).expect("serialises"),
            Value::String(a.code().to_owned())
        );
    }
    assert_eq!(Action::from_code("launch_rockets"), None);
}
