//! Activity-log vectors (`vectors/audit.json`), checked natively and as wasm under node. The
//! chain hashes in the file were written by an independent Python reimplementation of the
//! encoding (`vectors/generate.py`), so these tests also pin the format `portcullis audit
//! verify` relies on.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test's helpers fail the test by panicking"
)]

use chrono::{DateTime, Utc};
use portcullis_core::audit::{
    chain_hash, client_ip, csv_time, export_file_name, is_event_type, ActivityFilter, ChainBreak,
    ChainVerifier, ChainedEvent, GENESIS,
};
use serde_json::Value;
use std::net::IpAddr;
use wasm_bindgen_test::wasm_bindgen_test;

const VECTORS: &str = include_str!("vectors/audit.json");

fn cases(section: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(VECTORS).expect("vectors file is valid JSON");
    let list = v[section].as_array().expect("section is a list").clone();
    assert!(!list.is_empty(), "section {section} has cases");
    list
}

fn event(v: &Value) -> ChainedEvent<'_> {
    let s = |k: &str| v[k].as_str().expect(k);
    let opt = |k: &str| v[k].as_str();
    let n = |k: &str| v[k].as_i64().expect(k);
    ChainedEvent {
        id: s("id"),
        tenant_id: opt("tenant_id"),
        seq: n("seq"),
        event_type: s("event_type"),
        happened_at_ms: n("happened_at_ms"),
        recorded_at_ms: n("recorded_at_ms"),
        principal_id: s("principal_id"),
        principal_name: s("principal_name"),
        principal_email: opt("principal_email"),
        source: s("source"),
        object_id: opt("object_id"),
        object_name: opt("object_name"),
        origin_ip: opt("origin_ip"),
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn chain_hashes_match_the_independent_encoding() {
    for section in ["chain", "platform"] {
        let mut prev = GENESIS.to_owned();
        for case in cases(section) {
            let got = chain_hash(&prev, &event(&case["event"]));
            assert_eq!(got, case["hash"].as_str().expect("hash"), "{section}");
            prev = got;
        }
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_verifier_names_the_first_event_that_does_not_fit() {
    let chain = cases("chain");
    let hash = |i: usize| chain[i]["hash"].as_str().expect("hash");
    let mut whole = ChainVerifier::default();
    for (i, case) in chain.iter().enumerate() {
        assert_eq!(whole.check(&event(&case["event"]), hash(i)), Ok(()));
    }
    assert_eq!(whole.finish(3, hash(2)), Ok(3));
    assert_eq!(
        whole.finish(4, hash(2)),
        Err(ChainBreak::Truncated { last: 3, head: 4 })
    );
    assert_eq!(whole.finish(3, GENESIS), Err(ChainBreak::HeadMismatch));

    let mut altered = ChainVerifier::default();
    assert_eq!(altered.check(&event(&chain[0]["event"]), hash(0)), Ok(()));
    let mut second = event(&chain[1]["event"]);
    second.object_name = Some("Data Admin on All to bo@acme.example");
    assert_eq!(
        altered.check(&second, hash(1)),
        Err(ChainBreak::Altered {
            event_id: second.id.to_owned(),
            seq: 2
        })
    );

    let mut gap = ChainVerifier::default();
    assert_eq!(gap.check(&event(&chain[0]["event"]), hash(0)), Ok(()));
    let third = event(&chain[2]["event"]);
    assert_eq!(
        gap.check(&third, hash(2)),
        Err(ChainBreak::Gap {
            event_id: third.id.to_owned(),
            expected: 2,
            found: 3
        })
    );
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn event_type_vectors() {
    for case in cases("event_type") {
        let input = case["input"].as_str().expect("input");
        assert_eq!(
            is_event_type(input),
            case["ok"].as_bool().expect("ok"),
            "{input:?}"
        );
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn download_name_and_time_vectors() {
    for case in cases("file_name") {
        let now: DateTime<Utc> = DateTime::parse_from_rfc3339(case["now"].as_str().expect("now"))
            .expect("instant")
            .with_timezone(&Utc);
        assert_eq!(export_file_name(now), case["ok"].as_str().expect("ok"));
    }
    for case in cases("csv_time") {
        let ms = case["ms"].as_i64().expect("ms");
        assert_eq!(csv_time(ms), case["ok"].as_str().expect("ok"));
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn client_ip_vectors() {
    let ip = |v: &Value| v.as_str().expect("ip").parse::<IpAddr>().expect("valid ip");
    for case in cases("client_ip") {
        let trusted: Vec<IpAddr> = case["trusted"]
            .as_array()
            .expect("list")
            .iter()
            .map(ip)
            .collect();
        let got = client_ip(ip(&case["peer"]), case["header"].as_str(), &trusted);
        assert_eq!(got, ip(&case["ok"]), "{case}");
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn filter_vectors() {
    for case in cases("filter") {
        let got = ActivityFilter::parse(
            case["user"].as_str().expect("user"),
            case["action"].as_str().expect("action"),
            case["from_ms"].as_i64(),
            case["to_ms"].as_i64(),
        );
        match case.get("err") {
            Some(field) => assert_eq!(
                got.err().and_then(|p| p.field).as_deref(),
                field.as_str(),
                "{case}"
            ),
            None => assert_eq!(
                serde_json::to_value(got.expect("accepted")).expect("json"),
                case["ok"],
                "{case}"
            ),
        }
    }
}
