//! The decision benchmark as wasm under node: core's `decide` over the benchmark tenant, timed
//! with the JavaScript clock and printed, never judged here. Built only with `--features bench`
//! (scripts/bench.sh); `PORTCULLIS_BENCH_SMOKE` at build time shrinks it for CI.

#![cfg(all(target_arch = "wasm32", feature = "bench"))]

use portcullis_core::synthetic::{queries, tenant_of, Rng, Shape};
use std::hint::black_box;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

/// Nanoseconds per decision one by one and through `decide_many`, best of `rounds`.
fn ns_per_decision(shape: Shape, seed: u64, rounds: usize) -> (f64, f64) {
    let mut rng = Rng::new(seed);
    let snap = tenant_of(&mut rng, 1, shape);
    let qs = queries(&mut rng, &snap, shape.users, 10_000);
    let access = snap.index();
    let (mut one, mut many) = (f64::MAX, f64::MAX);
    // The JavaScript clock ticks in milliseconds: each timing covers 50 passes (about 50 ms).
    const PASSES: usize = 50;
    let per = |start: f64| (js_sys::Date::now() - start) * 1e6 / (PASSES * qs.len()) as f64;
    for _ in 0..rounds {
        let start = js_sys::Date::now();
        for _ in 0..PASSES {
            for (u, a, r) in &qs {
                black_box(access.decide(black_box(u), *a, black_box(r)).allowed);
            }
        }
        one = one.min(per(start));
        let start = js_sys::Date::now();
        for _ in 0..PASSES {
            let allowed = access
                .decide_many(black_box(&qs).iter().map(|(u, a, r)| (u, *a, r)))
                .filter(|d| d.allowed)
                .count();
            black_box(allowed);
        }
        many = many.min(per(start));
    }
    (one, many)
}

#[wasm_bindgen_test]
fn decision_benchmark_under_node() {
    let smoke = option_env!("PORTCULLIS_BENCH_SMOKE").is_some();
    let (shape, rounds) = if smoke {
        (
            Shape {
                users: 500,
                policies: 10,
                groups: 20,
                databases: 100,
                assignments: 750,
            },
            1,
        )
    } else {
        (Shape::BENCH, 5)
    };
    let (one, one_many) = ns_per_decision(shape, 2026, rounds);
    let (ten, ten_many) = ns_per_decision(shape.times(10), 2027, rounds);
    console_log!(
        "wasm decide:   {one:>12.1} ns/decision ({} users)",
        shape.users
    );
    console_log!(
        "wasm at 10x:   {ten:>12.1} ns/decision ({} users): {:.2}x the time at 1x",
        shape.users * 10,
        ten / one
    );
    console_log!("wasm many:     {one_many:>12.1} ns/decision (decide_many, 1x)");
    console_log!(
        "wasm many 10x: {ten_many:>12.1} ns/decision (decide_many): {:.2}x the time at 1x",
        ten_many / one_many
    );
    assert!(
        one > 0.0 && ten > 0.0 && one_many > 0.0 && ten_many > 0.0,
        "the clock did not move"
    );
}
