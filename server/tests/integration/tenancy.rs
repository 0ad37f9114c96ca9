//! Tenants: who may enter which, and that nothing of one tenant shows in another.

use crate::harness::{OPERATOR, OWNER_A};
use crate::on_both_backends;
use axum::http::StatusCode;
use portcullis_app::api::{CurrentViewer, LoadOverview, SwitchTenant};

on_both_backends! {
    /// A brand owner sees their one tenant, and in it only their brand's database.
    async fn member_sees_only_their_tenant(app) {
        let cookie = app.sign_in(OWNER_A).await;
        let me = app.call::<CurrentViewer>(Some(&cookie), &[]).await;
        let tenants = me.body["tenants"].as_array().expect("tenants");
        assert_eq!(tenants.len(), 1);
        assert_eq!(tenants[0]["name"], "Acme Retail");
        let overview = app.call::<LoadOverview>(Some(&cookie), &[]).await;
        assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
        let names: Vec<&str> = overview.body["databases"].as_array().expect("dbs").iter().filter_map(|d| d["name"].as_str()).collect();
        assert_eq!(names, ["Northwind C360"]);
        assert_eq!(overview.body["users"], 4);
        // The global analytics team, on All resource groups, sees both brands.
        let analyst = app.sign_in("analytics@acme.example").await;
        let overview = app.call::<LoadOverview>(Some(&analyst), &[]).await;
        let names: Vec<&str> = overview.body["databases"].as_array().expect("dbs").iter().filter_map(|d| d["name"].as_str()).collect();
        assert_eq!(names, ["Northwind C360", "Southwind C360"]);
    }

    /// Switching into a tenant one is not a member of answers 404 and changes nothing.
    async fn switching_into_a_foreign_tenant_is_refused(app) {
        let operator = app.sign_in(OPERATOR).await;
        let all = app.call::<CurrentViewer>(Some(&operator), &[]).await;
        let globex = all.body["tenants"].as_array().expect("tenants").iter()
            .find(|t| t["name"] == "Globex Foods").expect("globex")["id"].as_str().expect("id").to_owned();

        let owner = app.sign_in(OWNER_A).await;
        let r = app.call::<SwitchTenant>(Some(&owner), &[("tenant_id", &globex)]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body["code"], "not_found");
        let overview = app.call::<LoadOverview>(Some(&owner), &[]).await;
        assert_eq!(overview.body["tenant"]["name"], "Acme Retail");
    }

    /// The operator may enter every tenant; the switch sticks to the session.
    async fn operator_switches_between_tenants(app) {
        let cookie = app.sign_in(OPERATOR).await;
        let me = app.call::<CurrentViewer>(Some(&cookie), &[]).await;
        let globex = me.body["tenants"].as_array().expect("tenants").iter()
            .find(|t| t["name"] == "Globex Foods").expect("globex")["id"].as_str().expect("id").to_owned();
        let r = app.call::<SwitchTenant>(Some(&cookie), &[("tenant_id", &globex)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let overview = app.call::<LoadOverview>(Some(&cookie), &[]).await;
        assert_eq!(overview.body["tenant"]["name"], "Globex Foods");
        let names: Vec<&str> = overview.body["databases"].as_array().expect("dbs").iter().filter_map(|d| d["name"].as_str()).collect();
        assert_eq!(names, ["Globex C360"]);
    }

    /// A malformed tenant id is refused as invalid input naming the field.
    async fn malformed_tenant_id_names_the_field(app) {
        let cookie = app.sign_in(OPERATOR).await;
        let r = app.call::<SwitchTenant>(Some(&cookie), &[("tenant_id", "usr_01j7gt5cy4fp79z85hrb9y9x86")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["field"], "tenant_id");
    }

    /// An agency member without tenant memberships enters no tenant.
    async fn agency_membership_alone_gives_no_tenant(app) {
        let cookie = app.sign_in("ops@orbit.example").await;
        let me = app.call::<CurrentViewer>(Some(&cookie), &[]).await;
        assert_eq!(me.body["tenants"].as_array().map(Vec::len), Some(0));
        let overview = app.call::<LoadOverview>(Some(&cookie), &[]).await;
        assert_eq!(overview.status, StatusCode::FORBIDDEN);
        assert_eq!(overview.body["code"], "no_tenant");
    }
}
