//! The provider catalog and its configuration rules, natively and as wasm under
//! node: the wizard in the browser and the server must refuse the same input, naming the same
//! field.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test's helpers fail the test by panicking"
)]

use portcullis_core::providers::{masked, method, methods_for, validate, JobType, PROVIDERS};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use wasm_bindgen_test::wasm_bindgen_test;

const VECTORS: &str = include_str!("vectors/providers.json");

fn map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .expect("object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("text").to_owned()))
        .collect()
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn configuration_vectors() {
    let v: Value = serde_json::from_str(VECTORS).expect("valid JSON");
    for case in v["validate"].as_array().expect("cases") {
        let got = method(
            case["provider"].as_str().unwrap(),
            case["method"].as_str().unwrap(),
        )
        .and_then(|(_, m)| validate(m, &map(&case["config"])));
        match case.get("ok") {
            Some(ok) => assert_eq!(got.map_err(|p| p.message), Ok(map(ok)), "{case}"),
            None => assert_eq!(
                got.err().and_then(|p| p.field).as_deref(),
                case["err"].as_str(),
                "{case}"
            ),
        }
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_catalog_has_what_the_issue_names() {
    let codes: BTreeSet<&str> = PROVIDERS.iter().map(|p| p.code).collect();
    for needed in [
        "google_cloud",
        "facebook",
        "iterable",
        "salesforce",
        "sendgrid",
        "http_api",
        "postgresql",
    ] {
        assert!(codes.contains(needed), "{needed}");
    }
    let pubsub: Vec<(&str, &str)> = methods_for(JobType::ImportPubSub)
        .map(|(p, m)| (p.code, m.code))
        .collect();
    assert_eq!(
        pubsub,
        [("google_cloud", "service_account")],
        "only one method imports from Pub/Sub"
    );
    let http: BTreeSet<&str> = method("http_api", "bearer")
        .map(|(p, _)| p.methods.iter().map(|m| m.code).collect())
        .unwrap();
    assert_eq!(http, BTreeSet::from(["basic", "bearer", "hmac"]));
    for p in PROVIDERS {
        for m in p.methods {
            assert!(!m.jobs.is_empty(), "{}/{} runs some job", p.code, m.code);
            assert!(
                m.fields.iter().any(|f| f.secret),
                "{}/{} has a secret",
                p.code,
                m.code
            );
            let keys: BTreeSet<&str> = m.fields.iter().map(|f| f.key).collect();
            assert_eq!(
                keys.len(),
                m.fields.len(),
                "{}/{} keys are unique",
                p.code,
                m.code
            );
        }
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn secrets_are_masked_for_display() {
    let (_, m) = method("http_api", "basic").unwrap();
    let config = map(
        &serde_json::json!({"base_url": "https://api.example.com", "username": "ann", "password": "hunter2"}),
    );
    let shown = masked(m, &config);
    assert_eq!(shown["username"], "ann");
    assert_eq!(shown["base_url"], "https://api.example.com");
    assert!(!shown.values().any(|v| v.contains("hunter2")));
}

/// Host names are ASCII: a Unicode name is refused (the browser bundle carries no Unicode
/// tables for them), its punycode spelling is taken, and both sides decide alike.
#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn unicode_host_names_are_refused_and_punycode_is_taken() {
    use portcullis_core::providers::parse_http_url;
    assert!(parse_http_url("https://bücher.example/api").is_err());
    assert!(parse_http_url("HTTPS://127.0.0.1:@BÜCHER.EXAMPLE").is_err());
    let url = parse_http_url("https://xn--bcher-kva.example/api").expect("punycode host");
    assert_eq!(url.host_str(), Some("xn--bcher-kva.example"));
    assert_eq!(
        parse_http_url("https://API.Example.com/v1").map(|u| u.host_str().map(str::to_owned)),
        Ok(Some("api.example.com".to_owned())),
        "ASCII names are still lower-cased"
    );
}
