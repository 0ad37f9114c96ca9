//! Users of a tenant: list, add, edit, revoke, delete, policies and resource groups.
//! Every change's test also asserts the activity record it wrote.

use crate::harness::{TestApp, ADMIN, OWNER_A};
use crate::on_both_backends;
use axum::http::StatusCode;
use portcullis_app::api::{
    AddUser, AnswerInvitation, CreateGroup, CreatePolicy, DeleteGroup, DeleteUser, EditUser,
    ListUsers, LoadDirectory, LoadInvitations, RevokeUser, SetPassword, SignIn,
};

async fn add(app: &TestApp, cookie: &str, name: &str, email: &str) -> crate::harness::Reply {
    let policy = app.directory_id(cookie, "policies", "Viewer").await;
    let group = app
        .directory_id(cookie, "groups", "All resource groups")
        .await;
    app.call::<AddUser>(
        Some(cookie),
        &[
            ("name", name),
            ("email", email),
            ("policy_id", &policy),
            ("group_id", &group),
            ("send_welcome", "true"),
        ],
    )
    .await
}

fn emails(reply: &crate::harness::Reply) -> Vec<String> {
    reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["email"].as_str().expect("email").to_owned())
        .collect()
}

on_both_backends! {
    /// Sorted by email both ways, searched, and paged by cursor without repeats or gaps.
    async fn users_list_sorts_searches_and_pages(app) {
        let admin = app.sign_in(ADMIN).await;
        let asc = app.call::<ListUsers>(Some(&admin), &[("search", ""), ("sort", "email"), ("order", "asc")]).await;
        assert_eq!(asc.status, StatusCode::OK, "{}", asc.body);
        let all = emails(&asc);
        assert_eq!(all, ["admin@acme.example", "analytics@acme.example", "owner.a@acme.example", "owner.b@acme.example"]);
        assert!(asc.body["items"][0]["assignments"][0]["policy"] == "User Administrator");
        let desc = app.call::<ListUsers>(Some(&admin), &[("search", ""), ("sort", "email"), ("order", "desc")]).await;
        let mut reversed = emails(&desc);
        reversed.reverse();
        assert_eq!(reversed, all);
        let found = app.call::<ListUsers>(Some(&admin), &[("search", "NORTH"), ("sort", "name"), ("order", "asc")]).await;
        assert_eq!(emails(&found), ["owner.a@acme.example"]);
        // Pages of two, by policy name: the cursor carries on exactly where the page ended.
        let mut seen = Vec::new();
        let mut after = String::new();
        loop {
            let page = app.call::<ListUsers>(Some(&admin), &[("search", ""), ("sort", "policy"), ("order", "asc"), ("after", &after), ("limit", "2")]).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            seen.extend(emails(&page));
            match page.body["next"].as_str() { Some(n) => after = n.to_owned(), None => break }
        }
        assert_eq!(seen.len(), 4);
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 4, "no repeats: {seen:?}");
        let bad = app.call::<ListUsers>(Some(&admin), &[("search", ""), ("sort", "password"), ("order", "asc")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.body["field"], "sort");
    }

    /// An unknown domain is refused naming the field and the rule; nothing is stored.
    async fn unknown_domain_cannot_be_added(app) {
        let admin = app.sign_in(ADMIN).await;
        let before = app.count("users", "1 = 1").await;
        let r = add(&app, &admin, "Eve Outsider", "eve@unknown.example").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["field"], "email");
        assert_eq!(r.body["code"], "domain_not_allowed");
        assert!(r.body["message"].as_str().unwrap().contains("unknown.example"));
        assert_eq!(app.count("users", "1 = 1").await, before);
        assert_eq!(app.count("activity_events", "event_type = 'user/create'").await, 0);
    }

    /// Adding writes the user, the grant and receipt, and a welcome link that sets a
    /// password once and signs the person in.
    async fn added_user_sets_password_through_welcome_link(app) {
        let admin = app.sign_in(ADMIN).await;
        let r = add(&app, &admin, "Justin Currie", "Justin.Currie@acme.example").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let id = r.body["id"].as_str().expect("id").to_owned();
        assert_eq!(r.body["invited"], false);
        assert_eq!(app.count("memberships", &format!("user_id = '{id}'")).await, 1);
        assert_eq!(app.count("activity_events", &format!("event_type = 'user/create' AND object_id = '{id}'")).await, 1);
        assert_eq!(app.count("activity_events", &format!("event_type = 'policy/grant' AND object_id = '{id}' AND principal_email = 'admin@acme.example'")).await, 1);
        assert_eq!(app.count("activity_events", &format!("event_type = 'policy/receive' AND principal_id = '{id}'")).await, 1);
        let again = add(&app, &admin, "Justin Currie", "justin.currie@acme.example").await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(again.body["code"], "already_member");

        let body: String = sqlx::query_scalar("SELECT body FROM outbox WHERE to_email = 'justin.currie@acme.example'")
            .fetch_one(&app.db.pool).await.expect("welcome mail");
        let token = body.split("token=").nth(1).expect("link").split_whitespace().next().expect("token").to_owned();
        assert_eq!(app.count("password_links", &format!("token_hash = '{token}'")).await, 0, "only the hash is stored");
        let weak = app.call::<SetPassword>(None, &[("token", &token), ("password", "short")]).await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(weak.body["field"], "password");
        let set = app.call::<SetPassword>(None, &[("token", &token), ("password", "a long enough passphrase 42")]).await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.body);
        assert!(set.session_cookie().is_some());
        let reuse = app.call::<SetPassword>(None, &[("token", &token), ("password", "another long passphrase 43")]).await;
        assert_eq!(reuse.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reuse.body["code"], "link_invalid");
        assert_eq!(app.count("outbox", "to_email = 'justin.currie@acme.example' AND body = ''").await, 1, "a used link stays in the outbox");
        let signed = app.call::<SignIn>(None, &[("email", "justin.currie@acme.example"), ("password", "a long enough passphrase 42")]).await;
        assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    }

    /// A brand owner without User Administrator may neither list nor add users, and is told why.
    async fn brand_owner_cannot_manage_users(app) {
        let owner = app.sign_in(OWNER_A).await;
        let r = app.call::<ListUsers>(Some(&owner), &[("search", ""), ("sort", "name"), ("order", "asc")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.body["missing_permission"], "view_users");
        assert!(r.body["message"].as_str().unwrap().contains("view users"));
    }

    /// Revoke removes one tenant only; delete removes every tenant, logged in each.
    async fn revoke_is_one_tenant_and_delete_is_all(app) {
        let admin = app.sign_in(ADMIN).await;
        let r = add(&app, &admin, "Bo Both", "bo@acme.example").await;
        let id = r.body["id"].as_str().expect("id").to_owned();
        let bo = set_password_from_welcome(&app, "bo@acme.example").await;
        app.enter(&admin, "Globex Foods").await;
        let r = add(&app, &admin, "Bo Both", "bo@acme.example").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["id"].as_str(), Some(id.as_str()), "the same person is invited to a second tenant");
        assert_eq!(app.count("memberships", &format!("user_id = '{id}'")).await, 1, "an invitation gives no access");
        let accepted = app.call::<AnswerInvitation>(Some(&bo), &[("tenant_id", &globex(&app).await), ("accept", "true")]).await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        assert_eq!(app.count("memberships", &format!("user_id = '{id}'")).await, 2);

        let revoked = app.call::<RevokeUser>(Some(&admin), &[("user_id", &id), ("version", &app.version_of("users", &id).await)]).await;
        assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
        assert_eq!(app.count("memberships", &format!("user_id = '{id}'")).await, 1);
        assert_eq!(app.count("assignments", &format!("user_id = '{id}'")).await, 1);
        assert_eq!(app.count("activity_events", &format!("event_type = 'user/revoke_tenant_access' AND object_id = '{id}'")).await, 1);
        // Now outside Globex: invisible there.
        let again = app.call::<DeleteUser>(Some(&admin), &[("user_id", &id), ("version", &app.version_of("users", &id).await)]).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);

        app.enter(&admin, "Acme Retail").await;
        let deleted = app.call::<DeleteUser>(Some(&admin), &[("user_id", &id), ("version", &app.version_of("users", &id).await)]).await;
        assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
        assert_eq!(app.count("users", &format!("id = '{id}'")).await, 0);
        assert_eq!(app.count("activity_events", &format!("event_type = 'user/delete' AND object_id = '{id}'")).await, 1);
        let me: String = sqlx::query_scalar("SELECT id FROM users WHERE email = 'admin@acme.example'").fetch_one(&app.db.pool).await.unwrap();
        let self_delete = app.call::<DeleteUser>(Some(&admin), &[("user_id", &me), ("version", &app.version_of("users", &me).await)]).await;
        assert_eq!(self_delete.status, StatusCode::CONFLICT);
    }

    /// Edit replaces assignments with grant and revoke records; an admin cannot edit
    /// away their own right to manage users.
    async fn edit_replaces_assignments_and_guards_lockout(app) {
        let admin = app.sign_in(ADMIN).await;
        let nora: String = sqlx::query_scalar("SELECT id FROM users WHERE email = 'owner.a@acme.example'").fetch_one(&app.db.pool).await.unwrap();
        let analyst = app.directory_id(&admin, "policies", "Analyst").await;
        let all = app.directory_id(&admin, "groups", "All resource groups").await;
        let pairs = format!("{analyst}/{all}");
        let r = app.call::<EditUser>(Some(&admin), &[("user_id", &nora), ("version", &app.version_of("users", &nora).await), ("name", "Nora N. Northwind"), ("assignments", &pairs)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.count("assignments", &format!("user_id = '{nora}'")).await, 1);
        assert_eq!(app.count("activity_events", &format!("event_type = 'policy/revoke' AND object_id = '{nora}'")).await, 1);
        assert_eq!(app.count("activity_events", &format!("event_type = 'policy/grant' AND object_id = '{nora}'")).await, 1);
        assert_eq!(app.count("activity_events", &format!("event_type = 'user/update' AND object_id = '{nora}'")).await, 1);

        let me: String = sqlx::query_scalar("SELECT id FROM users WHERE email = 'admin@acme.example'").fetch_one(&app.db.pool).await.unwrap();
        let before = app.count("assignments", &format!("user_id = '{me}'")).await;
        let r = app.call::<EditUser>(Some(&admin), &[("user_id", &me), ("version", &app.version_of("users", &me).await), ("name", "Alex Admin"), ("assignments", &pairs)]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(r.body["code"], "would_lock_out");
        assert_eq!(app.count("assignments", &format!("user_id = '{me}'")).await, before);
        let empty = app.call::<EditUser>(Some(&admin), &[("user_id", &nora), ("version", &app.version_of("users", &nora).await), ("name", "Nora"), ("assignments", "")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(empty.body["field"], "assignments");
    }

    /// All resource groups cannot be deleted; a group in use says what uses it; an unused one goes.
    async fn resource_groups_guard_their_deletion(app) {
        let admin = app.sign_in(ADMIN).await;
        let all = app.directory_id(&admin, "groups", "All resource groups").await;
        let r = app.call::<DeleteGroup>(Some(&admin), &[("group_id", &all)]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.body["code"], "builtin_group");
        let brand_a = app.directory_id(&admin, "groups", "Brand A: Northwind").await;
        let r = app.call::<DeleteGroup>(Some(&admin), &[("group_id", &brand_a)]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let blockers: Vec<String> = r.body["blockers"].as_array().expect("blockers").iter().map(|b| b["name"].as_str().unwrap().to_owned()).collect();
        assert!(blockers.contains(&"Northwind C360".to_owned()), "{blockers:?}");
        assert!(blockers.iter().any(|b| b.starts_with("owner.a@acme.example")), "{blockers:?}");

        let dup = app.call::<CreateGroup>(Some(&admin), &[("name", "brand a: northwind"), ("description", "")]).await;
        assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(dup.body["field"], "name");
        let made = app.call::<CreateGroup>(Some(&admin), &[("name", "Brand C: Eastwind"), ("description", "Owners of Eastwind")]).await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        let id = made.body.as_str().unwrap().to_owned();
        assert_eq!(app.count("activity_events", &format!("event_type = 'resource_group/create' AND object_id = '{id}'")).await, 1);
        let gone = app.call::<DeleteGroup>(Some(&admin), &[("group_id", &id)]).await;
        assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
        assert_eq!(app.count("resource_groups", &format!("id = '{id}'")).await, 0);
        assert_eq!(app.count("activity_events", &format!("event_type = 'resource_group/delete' AND object_id = '{id}'")).await, 1);
    }

    /// A custom policy is a named set of actions from the catalog; it is listed with them,
    /// recorded, and refused when its actions are unknown or missing.
    async fn custom_policies(app) {
        let admin = app.sign_in(ADMIN).await;
        let none = app.call::<CreatePolicy>(Some(&admin), &[("name", "Empty"), ("description", ""), ("actions", "")]).await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(none.body["field"], "actions");
        let unknown = app.call::<CreatePolicy>(Some(&admin), &[("name", "Rocket"), ("description", ""), ("actions", "launch_rockets")]).await;
        assert_eq!(unknown.body["code"], "unknown_action");
        let taken = app.call::<CreatePolicy>(Some(&admin), &[("name", "viewer"), ("description", ""), ("actions", "view_users")]).await;
        assert_eq!(taken.body["field"], "name");
        let made = app.call::<CreatePolicy>(Some(&admin), &[("name", "Campaign Designer"), ("description", "Designs campaigns"), ("actions", "build_segments, design_campaigns")]).await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        let id = made.body.as_str().unwrap().to_owned();
        assert_eq!(app.count("activity_events", &format!("event_type = 'policy/create' AND object_id = '{id}'")).await, 1);
        let dir = app.call::<LoadDirectory>(Some(&admin), &[]).await;
        let policy = dir.body["policies"].as_array().unwrap().iter().find(|p| p["id"] == id.as_str()).expect("listed").clone();
        assert_eq!(policy["builtin"], false);
        assert_eq!(policy["actions"], serde_json::json!(["build_segments", "design_campaigns"]));
    }

    /// Adding someone who has an account elsewhere invites them: no access until they accept,
    /// their password untouched, a decline changes nothing; a tenant that is not theirs cannot
    /// delete them everywhere, only revoke them here.
    async fn an_existing_person_is_invited_not_attached(app) {
        // Grace administers Globex only; Nora (brand A's owner) belongs to Acme.
        let grace = app.sign_in("admin@globex.example").await;
        let nora: String = sqlx::query_scalar(&format!("SELECT id FROM users WHERE email = '{OWNER_A}'")).fetch_one(&app.db.pool).await.unwrap();
        let hash_before: Option<String> = sqlx::query_scalar(&format!("SELECT password_hash FROM users WHERE id = '{nora}'")).fetch_one(&app.db.pool).await.unwrap();
        let r = add(&app, &grace, "Nora", OWNER_A).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["invited"], true);
        assert_eq!(app.count("memberships", &format!("user_id = '{nora}'")).await, 1, "attached without consent");
        assert_eq!(app.count("password_links", &format!("user_id = '{nora}'")).await, 0, "an invitation reset a password");
        let body: String = sqlx::query_scalar(&format!("SELECT body FROM outbox WHERE to_email = '{OWNER_A}'")).fetch_one(&app.db.pool).await.unwrap();
        assert!(!body.contains("token="), "{body}");
        let again = add(&app, &grace, "Nora", OWNER_A).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let hash_after: Option<String> = sqlx::query_scalar(&format!("SELECT password_hash FROM users WHERE id = '{nora}'")).fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(hash_before, hash_after);

        // Globex cannot see her in its list, nor delete her everywhere.
        let listed = app.call::<ListUsers>(Some(&grace), &[("search", "nora"), ("sort", "name"), ("order", "asc")]).await;
        assert!(emails(&listed).is_empty(), "{}", listed.body);

        // She sees the invitation and declines it: nothing else changes.
        let nora_session = app.sign_in(OWNER_A).await;
        let mine = app.call::<LoadInvitations>(Some(&nora_session), &[]).await;
        assert_eq!(mine.body[0]["tenant_name"], "Globex Foods", "{}", mine.body);
        assert_eq!(mine.body[0]["access"], "Viewer on All resource groups");
        let declined = app.call::<AnswerInvitation>(Some(&nora_session), &[("tenant_id", &globex(&app).await), ("accept", "false")]).await;
        assert_eq!(declined.status, StatusCode::OK);
        assert_eq!(app.count("memberships", &format!("user_id = '{nora}'")).await, 1);
        assert_eq!(app.count("invitations", "1 = 1").await, 0);
        let twice = app.call::<AnswerInvitation>(Some(&nora_session), &[("tenant_id", &globex(&app).await), ("accept", "true")]).await;
        assert_eq!(twice.status, StatusCode::NOT_FOUND, "an answered invitation is gone");

        // Invited again, she accepts and joins with what was offered, recorded in Globex's log.
        add(&app, &grace, "Nora", OWNER_A).await;
        app.call::<AnswerInvitation>(Some(&nora_session), &[("tenant_id", &globex(&app).await), ("accept", "true")]).await;
        assert_eq!(app.count("memberships", &format!("user_id = '{nora}'")).await, 2);
        let g = globex(&app).await;
        for event in ["user/invite", "user/join", "policy/grant", "policy/receive"] {
            assert!(app.count("activity_events", &format!("tenant_id = '{g}' AND event_type = '{event}'")).await >= 1, "{event}");
        }
        // Grace administers Globex only: deleting Nora would reach Acme, so it is refused.
        let users_before = app.count("users", "1 = 1").await;
        let deleted = app.call::<DeleteUser>(Some(&grace), &[("user_id", &nora), ("version", &app.version_of("users", &nora).await)]).await;
        assert_eq!(deleted.status, StatusCode::FORBIDDEN, "{}", deleted.body);
        assert!(deleted.body["message"].as_str().unwrap().contains("revoke"), "{}", deleted.body);
        assert_eq!(app.count("users", "1 = 1").await, users_before);
        assert_eq!(app.call::<RevokeUser>(Some(&grace), &[("user_id", &nora), ("version", &app.version_of("users", &nora).await)]).await.status, StatusCode::OK);
        assert_eq!(app.count("memberships", &format!("user_id = '{nora}'")).await, 1, "revoking left Acme alone");
    }
}

async fn globex(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT id FROM tenants WHERE name = 'Globex Foods'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// Sets the new person's password through the welcome link in the outbox; answers their
/// session cookie.
async fn set_password_from_welcome(app: &TestApp, email: &str) -> String {
    let body: String = sqlx::query_scalar(&format!(
        "SELECT body FROM outbox WHERE to_email = '{email}'"
    ))
    .fetch_one(&app.db.pool)
    .await
    .expect("welcome mail");
    let token = body
        .split("token=")
        .nth(1)
        .expect("link")
        .split_whitespace()
        .next()
        .expect("token")
        .to_owned();
    let set = app
        .call::<SetPassword>(
            None,
            &[
                ("token", &token),
                ("password", "a long enough passphrase 42"),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    set.session_cookie().expect("signed in")
}
