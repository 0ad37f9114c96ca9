//! Application vectors (`vectors/apps.json`), natively and as wasm under node. The catalog and
//! presets in the file were read out of the seed's text by `vectors/generate.py`, so these
//! tests compare core's catalog with the seed itself, not with a copy of core.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test's helpers fail the test by panicking"
)]

use portcullis_core::apps::{
    check_requests, consent_list, parse_authorization, pending_approval, BotAccess, Permission,
    PermissionRequest, PermissionScope, Target, PRESETS,
};
use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

const VECTORS: &str = include_str!("vectors/apps.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("vectors file is valid JSON")
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_catalog_is_the_seeds() {
    let v = vectors();
    let seed = v["catalog"].as_array().expect("catalog");
    assert_eq!(seed.len(), 25);
    assert_eq!(Permission::ALL.len(), 25);
    for (p, s) in Permission::ALL.iter().zip(seed) {
        assert_eq!(p.code(), s["code"]);
        assert_eq!(p.description(), s["description"]);
        let scope = match p.scope() {
            PermissionScope::Account => "Account",
            PermissionScope::Agency => "Agency",
        };
        assert_eq!(scope, s["scope"]);
        assert_eq!(Permission::parse("permission", p.code()), Ok(*p));
    }
    let accounts = Permission::ALL
        .iter()
        .filter(|p| p.scope() == PermissionScope::Account)
        .count();
    assert_eq!(accounts, 11);
    let unknown = Permission::parse("permissions", "account.delete").unwrap_err();
    assert_eq!(unknown.field.as_deref(), Some("permissions"));
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn presets_are_the_seeds_four_combinations() {
    let v = vectors();
    let seed = v["presets"].as_array().expect("presets");
    assert_eq!(PRESETS.len(), seed.len());
    for (preset, s) in PRESETS.iter().zip(seed) {
        assert_eq!(preset.name, s["name"]);
        let got: Vec<(String, String)> = preset
            .permissions
            .iter()
            .map(|(p, why)| (p.code().to_owned(), (*why).to_owned()))
            .collect();
        let want: Vec<(String, String)> = s["permissions"]
            .as_array()
            .expect("list")
            .iter()
            .map(|pair| {
                (
                    pair[0].as_str().expect("code").to_owned(),
                    pair[1].as_str().expect("why").to_owned(),
                )
            })
            .collect();
        assert_eq!(got, want, "{}", preset.name);
        let requests: Vec<PermissionRequest> = preset
            .permissions
            .iter()
            .map(|(p, why)| PermissionRequest {
                permission: *p,
                why: (*why).to_owned(),
            })
            .collect();
        assert!(
            check_requests(&requests).is_ok(),
            "a preset passes the app rules"
        );
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn requests_need_a_reason_each_and_no_repeats() {
    let ask = |why: &str| PermissionRequest {
        permission: Permission::AccountViewFeeds,
        why: why.to_owned(),
    };
    let blank = check_requests(&[ask("  ")]).unwrap_err();
    assert_eq!(blank.field.as_deref(), Some("why.account.viewFeeds"));
    let twice = check_requests(&[ask("sync feeds"), ask("again")]).unwrap_err();
    assert_eq!(twice.code, "duplicate_permission");
    assert_eq!(
        check_requests(&[ask("  sync feeds ")]).unwrap()[0].why,
        "sync feeds"
    );
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn authorization_header_vectors() {
    for case in vectors()["authorization"].as_array().expect("cases") {
        let header = case["header"].as_str().expect("header");
        let got = parse_authorization(header);
        match case.get("ok") {
            Some(ok) => {
                let c = got.unwrap_or_else(|p| panic!("{header:?}: {}", p.message));
                assert_eq!(
                    (c.token.as_str(), c.secret.as_str()),
                    (ok[0].as_str().unwrap(), ok[1].as_str().unwrap())
                );
                assert!(
                    !format!("{c:?}").contains(&c.secret),
                    "Debug hides the secret"
                );
            }
            None => assert_eq!(
                got.err().map(|p| p.code).as_deref(),
                case["err"].as_str(),
                "{header:?}"
            ),
        }
    }
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn bot_decision_vectors() {
    let v = vectors();
    let access: BotAccess = serde_json::from_value(v["access"].clone()).expect("access");
    for case in v["decisions"].as_array().expect("cases") {
        let permission =
            Permission::parse("permission", case["permission"].as_str().unwrap()).unwrap();
        let target: Target = serde_json::from_value(case["target"].clone()).expect("target");
        let d = access.decide(permission, &target);
        assert_eq!(d.allowed, case["allowed"], "{case}");
        assert_eq!(
            serde_json::to_value(&d.reason).unwrap(),
            case["reason"],
            "{case}"
        );
        if let Some(status) = case.get("status") {
            let p = d.into_result().unwrap_err();
            assert_eq!(u64::from(p.status()), status.as_u64().unwrap(), "{case}");
            if p.status() == 403 {
                assert_eq!(
                    p.missing_permission.as_deref(),
                    Some(permission.code()),
                    "P6 names the permission"
                );
            }
        }
    }
    let tenant_install = &access.installs[0];
    let pending: Vec<&str> = pending_approval(tenant_install, &access.app_permissions)
        .iter()
        .map(|p| p.code())
        .collect();
    assert_eq!(
        pending,
        ["account.createCampaigns", "account.viewAnalytics"]
    );
    let consent: Vec<&str> = consent_list(&access.app_permissions, &access.installs[1].target)
        .iter()
        .map(|p| p.code())
        .collect();
    assert_eq!(
        consent,
        ["agency.updateDeleteAllAgencyAccounts", "agency.viewBoards"]
    );
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn request_lines_round_trip() {
    use portcullis_core::apps::{parse_request_lines, request_lines};
    let text = "\n account.viewCampaigns: list campaigns to report on \n\nagency.viewBoards: show screens\n";
    let requests = parse_request_lines(text).unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        parse_request_lines(&request_lines(&requests)).unwrap(),
        requests
    );
    assert_eq!(
        parse_request_lines("account.viewCampaigns")
            .unwrap_err()
            .field
            .as_deref(),
        Some("permissions")
    );
    assert_eq!(
        parse_request_lines("account.fly: because")
            .unwrap_err()
            .code,
        "unknown_permission"
    );
    assert_eq!(
        parse_request_lines("account.view: ok")
            .unwrap_err()
            .field
            .as_deref(),
        Some("why.account.view")
    );
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_token_gets_its_limit_per_minute_then_waits_for_the_next() {
    use portcullis_core::apps::{Limited, RateWindow};
    let minute = 1_795_494_360_000_i64; // a minute's first millisecond
    let mut w = RateWindow::default();
    for i in 0..3 {
        assert!(w.admit(minute + i * 1_000, 3, Limited::Token).is_ok());
    }
    assert!(w.spent(minute + 59_001, 3));
    let refused = w.admit(minute + 59_001, 3, Limited::Token).unwrap_err();
    assert_eq!(refused.status(), 429);
    assert_eq!(
        refused.retry_after_secs,
        Some(1),
        "999 ms left rounds up to a second"
    );
    assert!(!w.stale(minute + 59_999));
    assert!(w.stale(minute + 60_000));
    assert!(
        w.admit(minute + 60_000, 3, Limited::Token).is_ok(),
        "a new minute, a new allowance"
    );
}

#[wasm_bindgen_test]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn other_replicas_calls_count_once_reported() {
    use portcullis_core::apps::{sync_batch, Limited, RateWindow};
    let minute = 1_795_494_360_000_i64;
    let mut w = RateWindow::default();
    assert_eq!(
        w.admit(minute, 600, Limited::App),
        Ok(true),
        "the first call asks what others counted"
    );
    assert_eq!(w.begin_report(), 1);
    assert_eq!(
        w.admit(minute, 600, Limited::App),
        Ok(false),
        "a report in flight is not repeated"
    );
    // The database says the other replicas made 597 calls, plus the one reported.
    w.synced(minute, 1, 598);
    assert_eq!(w.admit(minute + 1, 600, Limited::App), Ok(false));
    assert!(
        w.admit(minute + 2, 600, Limited::App).is_err(),
        "the shared total is spent"
    );
    assert_eq!(sync_batch(600), 12);
    assert_eq!(sync_batch(5), 1, "small limits report every call");
}
