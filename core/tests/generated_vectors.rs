//! At least 1,000 decisions over generated tenants, checked natively and as wasm under node
//! against one digest stored in `vectors/generated.json`: both targets decide identically.
//! The digest is core's own output, recorded once: after a deliberate change to a decision,
//! this test fails printing the new values to copy into the file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use portcullis_core::actions::Action;
use portcullis_core::synthetic::{random_tenant, resources, user, Rng};
use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

const VECTORS: &str = include_str!("vectors/generated.json");

/// FNV-1a over every decision and its reason, in a fixed order.
fn digest(seed: u64, tenants: u8) -> (u64, usize, usize) {
    let mut rng = Rng::new(seed);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let (mut count, mut allowed) = (0, 0);
    for t in 0..tenants {
        let snap = random_tenant(&mut rng, t);
        let access = snap.index();
        for r in resources(&snap) {
            for u in 0..8 {
                for a in Action::ALL {
                    let d = access.decide(&user(u), *a, &r);
                    let line = format!("{}|{}|{:?}", d.allowed, a.code(), d.reason);
                    for b in line.bytes() {
                        hash ^= u64::from(b);
                        hash = hash.wrapping_mul(0x0100_0000_01b3);
                    }
                    count += 1;
                    allowed += usize::from(d.allowed);
                }
            }
        }
    }
    (hash, count, allowed)
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn generated_decisions_match_the_stored_digest() {
    let v: Value = serde_json::from_str(VECTORS).expect("valid JSON");
    let seed = v["seed"].as_u64().expect("seed");
    let tenants = v["tenants"].as_u64().expect("tenants") as u8;
    let (hash, count, allowed) = digest(seed, tenants);
    assert!(count >= 1000, "only {count} decisions");
    assert!(
        allowed > 0 && allowed < count,
        "a corpus of all-yes or all-no proves nothing"
    );
    let computed = format!("decisions {count}, allowed {allowed}, digest {hash:016x}");
    assert_eq!(
        count as u64,
        v["decisions"].as_u64().expect("decisions"),
        "{computed}"
    );
    assert_eq!(
        allowed as u64,
        v["allowed"].as_u64().expect("allowed"),
        "{computed}"
    );
    assert_eq!(
        format!("{hash:016x}"),
        v["digest"].as_str().expect("digest"),
        "{computed}"
    );
}
