//! Two administrators edit the same record: the second save, made from the version both opened,
//! is refused with 409 and changes nothing, so it cannot silently undo the first one's change.

use crate::authorizations::create;
use crate::fake_oidc::{FakeOidc, CLIENT_ID, CLIENT_SECRET};
use crate::harness::{Reply, TestApp, ADMIN, OPERATOR, OWNER_A};
use crate::on_both_backends;
use axum::http::StatusCode;
use portcullis_app::api::{
    ChangeDatabaseGroup, CreateApp, DeleteAuthorization, DeleteUser, EditAuthorization, EditUser,
    LoadCustomer360, RevokeUser, SaveSsoProvider, SetAppPermissions,
};
use serde_json::json;

/// Asserts the refusal a stale save gets.
fn assert_stale(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.body["code"], "stale_version", "{}", reply.body);
    assert_eq!(reply.body["field"], "version");
}

/// Every activity record, to show a refused save wrote none.
async fn events(app: &TestApp) -> i64 {
    app.count("activity_events", "1 = 1").await
}

on_both_backends! {
    /// The second administrator's stale edit would have revoked the grant the first just gave.
    async fn a_stale_edit_of_a_person_is_refused(app) {
        let (first, second) = (app.sign_in(ADMIN).await, app.sign_in(ADMIN).await);
        let nora: String = sqlx::query_scalar("SELECT id FROM users WHERE email = 'owner.a@acme.example'")
            .fetch_one(&app.db.pool).await.unwrap();
        let analyst = app.directory_id(&first, "policies", "Analyst").await;
        let viewer = app.directory_id(&first, "policies", "Viewer").await;
        let all = app.directory_id(&first, "groups", "All resource groups").await;
        let opened = app.version_of("users", &nora).await;
        let granted = format!("{analyst}/{all},{viewer}/{all}");
        let saved = app.call::<EditUser>(Some(&first), &[("user_id", &nora), ("version", &opened), ("name", "Nora Northwind"), ("assignments", &granted)]).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);

        let before = events(&app).await;
        let only_viewer = format!("{viewer}/{all}");
        let stale = app.call::<EditUser>(Some(&second), &[("user_id", &nora), ("version", &opened), ("name", "Nora N."), ("assignments", &only_viewer)]).await;
        assert_stale(&stale);
        assert_eq!(app.count("assignments", &format!("user_id = '{nora}' AND policy_id = '{analyst}'")).await, 1, "the first grant survives");
        assert_eq!(app.count("users", "name = 'Nora N.'").await, 0);
        for refused in [
            app.call::<RevokeUser>(Some(&second), &[("user_id", &nora), ("version", &opened)]).await,
            app.call::<DeleteUser>(Some(&second), &[("user_id", &nora), ("version", &opened)]).await,
        ] {
            assert_stale(&refused);
        }
        assert_eq!(app.count("memberships", &format!("user_id = '{nora}'")).await, 1, "still a member");
        assert_eq!(events(&app).await, before, "a refused save records nothing");

        // Made again from the current version, the edit goes through.
        let current = app.version_of("users", &nora).await;
        let again = app.call::<EditUser>(Some(&second), &[("user_id", &nora), ("version", &current), ("name", "Nora N."), ("assignments", &granted)]).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    }

    /// Authorizations: a stale rename or delete is refused and the first rename stays.
    async fn a_stale_edit_of_an_authorization_is_refused(app) {
        let owner = app.sign_in(OWNER_A).await;
        let id = create(&app, &owner, "sendgrid", "api_key", "Newsletters", json!({"api_key": "SG.x"})).await;
        let opened = app.version_of("authorizations", &id).await;
        let first = app.call::<EditAuthorization>(Some(&owner), &[("id", &id), ("version", &opened), ("label", "Newsletters (EU)"), ("description", "")]).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let before = events(&app).await;
        assert_stale(&app.call::<EditAuthorization>(Some(&owner), &[("id", &id), ("version", &opened), ("label", "Newsletters (US)"), ("description", "")]).await);
        assert_stale(&app.call::<DeleteAuthorization>(Some(&owner), &[("id", &id), ("version", &opened)]).await);
        assert_eq!(app.count("authorizations", &format!("id = '{id}' AND label = 'Newsletters (EU)'")).await, 1);
        assert_eq!(events(&app).await, before);

        // Another tenant's administrator learns nothing from versions: every one answers 404,
        // the current one as much as a stale one.
        let globex = app.sign_in(OPERATOR).await;
        app.enter(&globex, "Globex Foods").await;
        let current = app.version_of("authorizations", &id).await;
        for version in ["0", opened.as_str(), current.as_str()] {
            let probe = app.call::<EditAuthorization>(Some(&globex), &[("id", &id), ("version", version), ("label", "Mine"), ("description", "")]).await;
            assert_eq!(probe.status, StatusCode::NOT_FOUND, "version {version}: {}", probe.body);
            let probe = app.call::<DeleteAuthorization>(Some(&globex), &[("id", &id), ("version", version)]).await;
            assert_eq!(probe.status, StatusCode::NOT_FOUND, "version {version}: {}", probe.body);
        }
        assert_eq!(app.version_of("authorizations", &id).await, current, "nothing moved");
    }

    /// Apps: a stale change of permissions cannot drop the permission the other save added.
    async fn a_stale_edit_of_an_app_is_refused(app) {
        let dev = app.sign_in(ADMIN).await;
        let made = app.call::<CreateApp>(Some(&dev), &[("name", "Reporter"), ("description", ""), ("permissions", "account.view: show the name")]).await;
        let id = made.body.as_str().unwrap().to_owned();
        let opened = app.version_of("apps", &id).await;
        let both = "account.view: show the name\naccount.viewCampaigns: list campaigns";
        let first = app.call::<SetAppPermissions>(Some(&dev), &[("app_id", &id), ("version", &opened), ("permissions", both)]).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let before = events(&app).await;
        assert_stale(&app.call::<SetAppPermissions>(Some(&dev), &[("app_id", &id), ("version", &opened), ("permissions", "account.view: show the name")]).await);
        assert_eq!(app.count("app_permissions", &format!("app_id = '{id}'")).await, 2);
        assert_eq!(events(&app).await, before);
    }

    /// Databases: a stale move to another group is refused.
    async fn a_stale_move_of_a_database_is_refused(app) {
        let operator = app.sign_in(OPERATOR).await;
        app.enter(&operator, "Acme Retail").await;
        let c = app.call::<LoadCustomer360>(Some(&operator), &[]).await;
        let pick = |key: &str, name: &str| c.body[key].as_array().unwrap().iter()
            .find(|x| x["name"] == name).unwrap()["id"].as_str().unwrap().to_owned();
        let north = pick("databases", "Northwind C360");
        let brand_b = pick("groups", "Brand B: Southwind");
        let opened = app.version_of("databases", &north).await;
        let moved = app.call::<ChangeDatabaseGroup>(Some(&operator), &[("database_id", &north), ("version", &opened), ("group_id", &brand_b)]).await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
        assert_stale(&app.call::<ChangeDatabaseGroup>(Some(&operator), &[("database_id", &north), ("version", &opened), ("group_id", "")]).await);
        assert_eq!(app.count("databases", &format!("id = '{north}' AND resource_group_id = '{brand_b}'")).await, 1);
    }

    /// SSO: two administrators setting up the provider at once; the second is told, not overwritten.
    async fn a_stale_save_of_the_sso_provider_is_refused(app) {
        let fake = FakeOidc::start().await;
        let admin = app.sign_in(ADMIN).await;
        let save = |client: &'static str, version: &'static str| {
            let (app, admin, issuer) = (&app, admin.clone(), fake.url.clone());
            async move {
                app.call::<SaveSsoProvider>(Some(&admin), &[("issuer", &issuer), ("client_id", client),
                    ("client_secret", CLIENT_SECRET), ("groups_claim", "groups"), ("domains", "acme.example"),
                    ("version", version)]).await
            }
        };
        let first = save(CLIENT_ID, "0").await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        assert_stale(&save("someone-else", "0").await);
        assert_eq!(app.count("sso_providers", &format!("client_id = '{CLIENT_ID}'")).await, 1);
        let current = save("renamed-client", "1").await;
        assert_eq!(current.status, StatusCode::OK, "{}", current.body);
    }
}
