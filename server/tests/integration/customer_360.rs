//! Customer 360 under the resource-group rules: reach, masking, audited PII views, Sources.

use crate::harness::{ANALYST, OPERATOR, OWNER_A};
use crate::on_both_backends;
use axum::http::StatusCode;
use portcullis_app::api::{ChangeDatabaseGroup, LoadCustomer360, LoadSources, PreviewTable};
use serde_json::Value;

fn db_id(c360: &Value, name: &str) -> String {
    c360["databases"]
        .as_array()
        .expect("databases")
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no database {name}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

on_both_backends! {
    /// Brand A's owner sees only Northwind, never unmasked PII, and not Sources;
    /// the global analyst sees both and may show PII, which is recorded.
    async fn multi_brand_reach_and_pii(app) {
        let owner = app.sign_in(OWNER_A).await;
        let c = app.call::<LoadCustomer360>(Some(&owner), &[]).await;
        assert_eq!(c.status, StatusCode::OK, "{}", c.body);
        let names: Vec<&str> = c.body["databases"].as_array().unwrap().iter().filter_map(|d| d["name"].as_str()).collect();
        assert_eq!(names, ["Northwind C360"]);
        let north = db_id(&c.body, "Northwind C360");
        let p = app.call::<PreviewTable>(Some(&owner), &[("database_id", &north), ("table", "Customer_360"), ("unmask", "true")]).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert_eq!(p.body["rows"][0][3], portcullis_core::pii::MASK, "email is masked");
        assert_ne!(p.body["rows"][0][0], portcullis_core::pii::MASK, "the id is not PII");
        assert!(p.body["masked"].as_str().unwrap().contains("All resource groups"));
        assert_eq!(app.count("activity_events", "event_type = 'pii/view'").await, 0);
        let sources = app.call::<LoadSources>(Some(&owner), &[]).await;
        assert_eq!(sources.body["allowed"], false);
        assert_eq!(sources.body["reason"]["code"], "needs_all_resource_groups");

        let analyst = app.sign_in(ANALYST).await;
        let c = app.call::<LoadCustomer360>(Some(&analyst), &[]).await;
        let south = db_id(&c.body, "Southwind C360");
        // Brand A's owner cannot reach brand B's database even by id: 403 with the reason.
        let other = app.call::<PreviewTable>(Some(&owner), &[("database_id", &south), ("table", "Customer_360"), ("unmask", "false")]).await;
        assert_eq!(other.status, StatusCode::FORBIDDEN, "{}", other.body);
        assert_eq!(c.body["databases"].as_array().unwrap().len(), 2);
        let masked = app.call::<PreviewTable>(Some(&analyst), &[("database_id", &south), ("table", "Customer_360"), ("unmask", "false")]).await;
        assert_eq!(masked.body["rows"][0][3], portcullis_core::pii::MASK);
        let shown = app.call::<PreviewTable>(Some(&analyst), &[("database_id", &south), ("table", "Customer_360"), ("unmask", "true")]).await;
        assert!(shown.body["rows"][0][3].as_str().unwrap().contains('@'), "{}", shown.body);
        assert!(shown.body["masked"].is_null());
        assert_eq!(app.count("activity_events", &format!("event_type = 'pii/view' AND object_id = '{south}' AND principal_email = '{ANALYST}'")).await, 1);
    }

    /// Changing a database's group needs All resource groups; the change is recorded
    /// and moves who reaches it.
    async fn change_permissions(app) {
        let owner = app.sign_in(OWNER_A).await;
        let c = app.call::<LoadCustomer360>(Some(&owner), &[]).await;
        let north = db_id(&c.body, "Northwind C360");
        let brand_b = c.body["groups"].as_array().unwrap().iter().find(|g| g["name"] == "Brand B: Southwind").unwrap()["id"].as_str().unwrap().to_owned();
        let refused = app.call::<ChangeDatabaseGroup>(Some(&owner), &[("database_id", &north), ("version", &app.version_of("databases", &north).await), ("group_id", &brand_b)]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(refused.body["missing_permission"], "change_database_permissions");
        assert_eq!(app.count("activity_events", "event_type = 'database/change_permissions'").await, 0);

        let operator = app.sign_in(OPERATOR).await;
        app.enter(&operator, "Acme Retail").await;
        let done = app.call::<ChangeDatabaseGroup>(Some(&operator), &[("database_id", &north), ("version", &app.version_of("databases", &north).await), ("group_id", &brand_b)]).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(app.count("activity_events", &format!("event_type = 'database/change_permissions' AND object_id = '{north}'")).await, 1);
        let c = app.call::<LoadCustomer360>(Some(&owner), &[]).await;
        assert_eq!(c.body["databases"].as_array().unwrap().len(), 0, "brand A's owner lost Northwind");
        let c = app.call::<LoadCustomer360>(Some(&app.sign_in("owner.b@acme.example").await), &[]).await;
        assert_eq!(c.body["databases"].as_array().unwrap().len(), 2, "brand B's owner gained it");
    }
}
