//! Shared test vectors: the same data file is checked natively (`cargo test`) and as wasm under
//! node (`cargo test --target wasm32-unknown-unknown`), proving both targets give the same answers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test's helpers fail the test by panicking"
)]

use chrono::{DateTime, Duration, Utc};
use portcullis_core::access::{reach, AssignedGroup};
use portcullis_core::email::Email;
use portcullis_core::ids::{IdError, ResourceGroupId, TenantId, UserId};
use portcullis_core::password::check_new_password;
use portcullis_core::signin::{attempt_allowed, session_valid, Counter};
use portcullis_core::tenancy::{default_tenant, enter_tenant, TenantSummary};
use portcullis_core::ProblemKind;
use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

const VECTORS: &str = include_str!("vectors/foundation.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("vectors file is valid JSON")
}

fn cases(section: &str) -> Vec<Value> {
    let v = vectors();
    let list = v[section].as_array().expect("section is a list").clone();
    assert!(!list.is_empty(), "section {section} has cases");
    list
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
        .expect("fixed instant")
        .with_timezone(&Utc)
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn email_vectors() {
    for case in cases("email") {
        let input = case["input"].as_str().expect("input");
        let got = Email::parse(input);
        match (case.get("ok"), case.get("err")) {
            (Some(ok), _) => assert_eq!(
                got.map(|e| e.to_string()).ok().as_deref(),
                ok.as_str(),
                "{input:?}"
            ),
            (_, Some(err)) => assert_eq!(got.err().map(|e| e.code()), err.as_str(), "{input:?}"),
            _ => panic!("case without expectation: {case}"),
        }
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn new_password_vectors() {
    for case in cases("new_password") {
        let base = case["input"].as_str().expect("input");
        let repeat = case.get("repeat").and_then(Value::as_u64).unwrap_or(1) as usize;
        let input = base.repeat(repeat);
        let email = case["email"]
            .as_str()
            .map(|e| Email::parse(e).expect("vector email is valid"));
        let got = check_new_password(&input, email.as_ref());
        match case.get("err") {
            Some(err) => assert_eq!(got.err().map(|e| e.code()), err.as_str(), "{input:?}"),
            None => assert_eq!(got, Ok(()), "{input:?}"),
        }
    }
}

fn hex16(s: &str) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(&s[i * 2..i * 2 + 2], 16).expect("hex");
    }
    out
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn id_vectors() {
    for case in cases("ids") {
        let bytes = hex16(case["bytes"].as_str().expect("bytes"));
        let got = match case["kind"].as_str() {
            Some("usr") => UserId::from_bytes(bytes).to_string(),
            Some("tnt") => TenantId::from_bytes(bytes).to_string(),
            other => panic!("unknown kind {other:?}"),
        };
        assert_eq!(Some(got.as_str()), case["ok"].as_str());
        // Round trip: the text decodes back to the same bytes.
        let body = got.split_once('_').expect("prefix").1;
        assert_eq!(portcullis_core::ids::decode_body(body), Ok(bytes));
    }
    for case in cases("parse_id") {
        let input = case["input"].as_str().expect("input");
        let got = UserId::parse(input).map(|_| ()).map_err(|e| match e {
            IdError::WrongPrefix { .. } => "wrong_prefix",
            IdError::WrongLength => "wrong_length",
            IdError::BadCharacter => "bad_character",
            IdError::Overflow => "overflow",
        });
        match case.get("err") {
            Some(err) => assert_eq!(got.err(), err.as_str(), "{input}"),
            None => assert_eq!(got, Ok(()), "{input}"),
        }
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn attempt_vectors() {
    for case in cases("attempts") {
        let counter = match case["counter"].as_str() {
            Some("address") => Counter::Address,
            Some("account_from_address") => Counter::AccountFromAddress,
            Some("account") => Counter::Account,
            Some("sso_from_address") => Counter::SsoFromAddress,
            other => panic!("unknown counter {other:?}"),
        };
        let attempts = u32::try_from(case["attempts"].as_u64().expect("attempts")).expect("small");
        let started =
            now() - Duration::minutes(case["started_minutes_ago"].as_i64().expect("minutes"));
        let got = attempt_allowed(counter, attempts, started, now());
        match case.get("err") {
            Some(err) => {
                let p = got.expect_err("should be limited");
                assert_eq!(Some(p.code.as_str()), err.as_str());
                assert_eq!(p.status(), 429);
                assert_eq!(p.retry_after_secs, case["retry_after_secs"].as_u64());
            }
            None => assert_eq!(got, Ok(()), "{case}"),
        }
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn session_vectors() {
    for case in cases("sessions") {
        let created = now() - Duration::hours(case["created_hours_ago"].as_i64().expect("hours"));
        let used = now() - Duration::hours(case["last_used_hours_ago"].as_i64().expect("hours"));
        assert_eq!(
            Some(session_valid(created, used, now())),
            case["valid"].as_bool(),
            "{case}"
        );
    }
}

/// Test tenants named by one letter: `a` → a fixed `tnt_` id.
fn tenant(letter: &str) -> TenantSummary {
    let byte = letter.as_bytes().first().copied().expect("letter");
    TenantSummary {
        id: TenantId::from_bytes([byte; 16].map(|b| b & 0x3f)),
        name: letter.to_uppercase(),
        agency_id: None,
        agency_name: None,
    }
}

fn tenants(list: &Value) -> Vec<TenantSummary> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|l| tenant(l.as_str().expect("letter")))
        .collect()
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn tenancy_vectors() {
    for case in cases("tenancy") {
        let allowed = tenants(&case["allowed"]);
        let wanted = tenant(case["enter"].as_str().expect("enter"));
        let got = enter_tenant(&allowed, &wanted.id);
        match case.get("err") {
            Some(err) => {
                let p = got.expect_err("refused");
                assert_eq!(Some(p.code.as_str()), err.as_str());
                assert_eq!(p.status(), 404, "never reveal a tenant one may not enter");
            }
            None => assert_eq!(
                got.map(|t| t.name),
                Ok(case["ok"].as_str().expect("ok").to_uppercase())
            ),
        }
    }
    for case in cases("default_tenant") {
        let allowed = tenants(&case["allowed"]);
        let last = case["last_used"].as_str().map(|l| tenant(l).id);
        let expect = case["expect"].as_str().map(|l| tenant(l).id);
        assert_eq!(default_tenant(&allowed, last.as_ref()), expect, "{case}");
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn problem_status_vectors() {
    for case in cases("problem_status") {
        let kind: ProblemKind = serde_json::from_value(case["kind"].clone()).expect("kind");
        assert_eq!(
            Some(u64::from(kind.status())),
            case["status"].as_u64(),
            "{case}"
        );
    }
}

fn group(letter: &str) -> ResourceGroupId {
    let byte = letter.as_bytes().first().copied().expect("letter");
    ResourceGroupId::from_bytes([byte & 0x3f; 16])
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn reach_vectors() {
    for case in cases("reach") {
        let assigned: Vec<AssignedGroup> = case["assigned"]
            .as_array()
            .expect("list")
            .iter()
            .map(|pair| AssignedGroup {
                id: group(pair[0].as_str().expect("letter")),
                all: pair[1].as_bool().expect("flag"),
            })
            .collect();
        let database_group = case["database_group"].as_str().map(group);
        assert_eq!(
            Some(reach(&assigned).reaches(database_group.as_ref())),
            case["reached"].as_bool(),
            "{case}"
        );
    }
}
