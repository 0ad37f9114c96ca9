//! Authorization health, jobs and metrics, natively and as wasm under node:
//! the plans core makes for each method's check (HMAC signatures pinned against Python's hmac
//! in `vectors/generate.py`), how a provider's status reads, which job status moves are
//! allowed, and chart buckets.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test's helpers fail the test by panicking"
)]

use chrono::{DateTime, Utc};
use portcullis_core::health::{plan, verdict, CheckPlan};
use portcullis_core::jobs::{next_status, JobStatus, StatusChange};
use portcullis_core::metrics::{buckets, Granularity};
use portcullis_core::providers::method;
use serde_json::Value;
use std::collections::BTreeMap;
use wasm_bindgen_test::wasm_bindgen_test;

const VECTORS: &str = include_str!("vectors/authorizations.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("valid JSON")
}

fn text(v: &Value) -> &str {
    v.as_str().expect("text")
}

fn time(v: &Value) -> DateTime<Utc> {
    text(v).parse().expect("RFC 3339")
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn check_plans() {
    for case in vectors()["plans"].as_array().unwrap() {
        let (provider, m) = method(text(&case["provider"]), text(&case["method"])).unwrap();
        let config: BTreeMap<String, String> = case["config"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), text(v).to_owned()))
            .collect();
        let got = plan(
            provider,
            m.kind,
            &config,
            case["base"].as_str(),
            case["now_ms"].as_i64().unwrap(),
        );
        match got {
            CheckPlan::Http(h) => {
                let want = &case["http"];
                assert_eq!(h.method, text(&want["method"]), "{case}");
                assert_eq!(h.url.as_str(), text(&want["url"]), "{case}");
                let headers: Vec<(String, String)> = want["headers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (text(&p[0]).to_owned(), text(&p[1]).to_owned()))
                    .collect();
                assert_eq!(h.headers, headers, "{case}");
            }
            CheckPlan::Unavailable { .. } => assert_eq!(case["unavailable"], true, "{case}"),
            CheckPlan::Sql { url } => assert_eq!(url.as_str(), text(&case["sql"]), "{case}"),
            CheckPlan::GoogleServiceAccount { token_url, .. } => {
                assert_eq!(token_url.as_str(), text(&case["token_url"]), "{case}")
            }
        }
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn verdicts() {
    for case in vectors()["verdicts"].as_array().unwrap() {
        let rejected: Vec<u16> = case["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_u64().unwrap() as u16)
            .collect();
        let got = verdict(case["status"].as_u64().unwrap() as u16, &rejected);
        assert_eq!(got.code(), text(&case["health"]), "{case}");
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn job_status_moves() {
    for case in vectors()["moves"].as_array().unwrap() {
        let from = JobStatus::parse("from", text(&case["from"])).unwrap();
        let change = match text(&case["change"]) {
            "pause" => StatusChange::Pause,
            "resume" => StatusChange::Resume,
            other => StatusChange::Report(
                JobStatus::parse("to", other.strip_prefix("report:").unwrap()).unwrap(),
            ),
        };
        let got = next_status(from, change).map(|s| s.code().to_owned());
        match case.get("to") {
            Some(to) => assert_eq!(got.ok().as_deref(), Some(text(to)), "{case}"),
            None => assert_eq!(
                got.err().map(|p| p.code).as_deref(),
                Some(text(&case["err"])),
                "{case}"
            ),
        }
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn metric_buckets() {
    for case in vectors()["buckets"].as_array().unwrap() {
        let hourly: Vec<(DateTime<Utc>, u64)> = case["hourly"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (time(&p[0]), p[1].as_u64().unwrap()))
            .collect();
        let step = Granularity::parse(text(&case["step"])).unwrap();
        let got: Vec<(DateTime<Utc>, u64)> =
            buckets(&hourly, time(&case["from"]), time(&case["to"]), step)
                .unwrap()
                .into_iter()
                .map(|b| (b.start, b.requests))
                .collect();
        let want: Vec<(DateTime<Utc>, u64)> = case["expect"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (time(&p[0]), p[1].as_u64().unwrap()))
            .collect();
        assert_eq!(got, want, "{case}");
    }
}
