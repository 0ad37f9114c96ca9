//! SSO: sign-in through a local OpenID provider; mappings add and remove SSO-sourced
//! assignments at every sign-in while hand-given ones survive; a person with no mapped group
//! gets no session and is told why; bad ID tokens and replayed states are refused.

use crate::fake_oidc::{FakeOidc, Identity, Spoil, CLIENT_ID, CLIENT_SECRET};
use crate::harness::{TestApp, ADMIN, HOST, OWNER_A};
use crate::on_both_backends;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use portcullis_app::api::{
    AddSsoMapping, AddUser, CreateApp, CreateToken, CurrentViewer, DeleteUser, InstallApp,
    LoadDomainRequests, LoadSsoSettings, RemoveSsoMapping, RevokeToken, RevokeUser,
    SaveSsoProvider, SsoUserAssignments, StartSso, SwitchTenant,
};

async fn id(app: &TestApp, sql: &str) -> String {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db.pool)
        .await
        .expect(sql)
}

/// Configures Acme's provider and maps `analysts` → Analyst on All, `brand-a` → Data
/// Administrator on Brand A; answers the administrator's cookie.
async fn configure(app: &TestApp, fake: &FakeOidc) -> String {
    let admin = app.sign_in(ADMIN).await;
    let saved = app
        .call::<SaveSsoProvider>(
            Some(&admin),
            &[
                ("issuer", &fake.url),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("groups_claim", "groups"),
                ("domains", "acme.example"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let acme = id(app, "SELECT id FROM tenants WHERE name = 'Acme Retail'").await;
    for (group, policy, rg) in [
        ("analysts", "Analyst", "All resource groups"),
        ("brand-a", "Data Administrator", "Brand A: Northwind"),
    ] {
        let p = id(
            app,
            &format!("SELECT id FROM policies WHERE tenant_id = '{acme}' AND name = '{policy}'"),
        )
        .await;
        let g = id(
            app,
            &format!("SELECT id FROM resource_groups WHERE tenant_id = '{acme}' AND name = '{rg}'"),
        )
        .await;
        let added = app
            .call::<AddSsoMapping>(
                Some(&admin),
                &[("idp_group", group), ("policy_id", &p), ("group_id", &g)],
            )
            .await;
        assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
    }
    admin
}

/// Signs `who` in through the fake, as a browser would: the console's start, the provider's
/// authorize endpoint, back to the console's callback with the binding cookie the start set.
/// Answers (status, Location, cookie).
async fn sso_sign_in(
    app: &TestApp,
    fake: &FakeOidc,
    who: Identity,
    spoil: Spoil,
) -> (StatusCode, String, Option<String>) {
    let started = consent(app, fake, who, spoil).await;
    callback(app, &started.code, &started.state, Some(&started.binding)).await
}

/// A sign-in the provider consented to: its code, state, and the browser's binding cookie.
struct Consented {
    code: String,
    state: String,
    binding: String,
}

/// Starts a sign-in and consents at the provider.
async fn consent(app: &TestApp, fake: &FakeOidc, who: Identity, spoil: Spoil) -> Consented {
    // The provider, not the start, decides whom it asserts.
    let started = app
        .call::<StartSso>(None, &[("email", "someone@acme.example"), ("tenant", "")])
        .await;
    assert_eq!(started.status, StatusCode::OK, "{:?}", started.body);
    let binding = started
        .cookie("portcullis_sso")
        .expect("the start binds the sign-in to this browser");
    let url = started.body.as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("{}/authorize?", fake.url)),
        "{url}"
    );
    fake.sign_in_next(who, spoil);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        back.starts_with(&format!("http://{HOST}/sso/callback?")),
        "{back}"
    );
    let q: std::collections::HashMap<String, String> =
        serde_urlencoded::from_str(back.split_once('?').unwrap().1).unwrap();
    Consented {
        code: q["code"].clone(),
        state: q["state"].clone(),
        binding,
    }
}

async fn callback(
    app: &TestApp,
    code: &str,
    state: &str,
    binding: Option<&str>,
) -> (StatusCode, String, Option<String>) {
    let uri = format!("/sso/callback?code={code}&state={state}");
    let mut req = Request::get(uri).header(header::HOST, HOST);
    if let Some(b) = binding {
        req = req.header(header::COOKIE, b);
    }
    let res = app.send(req.body(Body::empty()).unwrap()).await;
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("portcullis_session="));
    (res.status(), location, cookie)
}

fn who(email: &str, groups: &[&str]) -> Identity {
    Identity {
        sub: format!("sub-{email}"),
        email: email.to_owned(),
        verified: Some(true),
        name: "Sam Single".to_owned(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
    }
}

async fn sources(app: &TestApp, email: &str) -> Vec<String> {
    sqlx::query_scalar(&format!(
        "SELECT a.source || ':' || p.name || '/' || g.name FROM assignments a JOIN users u ON u.id = a.user_id \
         JOIN policies p ON p.id = a.policy_id JOIN resource_groups g ON g.id = a.resource_group_id \
         WHERE u.email = '{email}' ORDER BY 1"
    ))
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

on_both_backends! {
    /// A first sign-in creates the person with what the mappings give; later sign-ins add
    /// and remove SSO-sourced assignments; hand-given ones survive; the log records it all.
    async fn mappings_add_and_remove_access_at_each_sign_in(app) {
        let fake = FakeOidc::start().await;
        let admin = configure(&app, &fake).await;
        let settings = app.call::<LoadSsoSettings>(Some(&admin), &[]).await;
        assert_eq!(settings.body["provider"]["issuer"], fake.url.as_str());
        assert!(!settings.body.to_string().contains(CLIENT_SECRET), "the secret came back");
        assert_eq!(settings.body["mappings"].as_array().unwrap().len(), 2);

        let email = "sam.single@acme.example";
        let (status, location, cookie) = sso_sign_in(&app, &fake, who(email, &["analysts", "interns"]), Spoil::Nothing).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/"));
        let cookie = cookie.expect("a session cookie");
        let viewer = app.call::<CurrentViewer>(Some(&cookie), &[]).await;
        assert_eq!(viewer.body["email"], email, "{:?}", viewer.body);
        assert_eq!(sources(&app, email).await, ["sso:Analyst/All resource groups"]);

        // A hand-given assignment, then the groups change at the provider.
        let acme = id(&app, "SELECT id FROM tenants WHERE name = 'Acme Retail'").await;
        sqlx::query(&format!("INSERT INTO assignments (tenant_id, user_id, policy_id, resource_group_id, source, created_at) \
            SELECT '{acme}', u.id, p.id, g.id, 'manual', 0 FROM users u, policies p, resource_groups g \
            WHERE u.email = '{email}' AND p.tenant_id = '{acme}' AND p.name = 'Viewer' AND g.tenant_id = '{acme}' AND g.name = 'Brand B: Southwind'"))
            .execute(&app.db.pool).await.unwrap();
        let dry = app.call::<SsoUserAssignments>(Some(&admin), &[("email", email)]).await;
        assert_eq!(dry.body["sso"].as_array().unwrap().len(), 1);
        assert_eq!(dry.body["manual"].as_array().unwrap().len(), 1);

        let (status, _, _) = sso_sign_in(&app, &fake, who(email, &["brand-a"]), Spoil::Nothing).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(sources(&app, email).await, ["manual:Viewer/Brand B: Southwind", "sso:Data Administrator/Brand A: Northwind"]);

        // Unmapping the group takes it away at the next sign-in; the hand-given one stays.
        let p = id(&app, &format!("SELECT id FROM policies WHERE tenant_id = '{acme}' AND name = 'Data Administrator'")).await;
        let g = id(&app, &format!("SELECT id FROM resource_groups WHERE tenant_id = '{acme}' AND name = 'Brand A: Northwind'")).await;
        assert_eq!(app.call::<RemoveSsoMapping>(Some(&admin), &[("idp_group", "brand-a"), ("policy_id", &p), ("group_id", &g)]).await.status, StatusCode::OK);
        sso_sign_in(&app, &fake, who(email, &["brand-a"]), Spoil::Nothing).await;
        assert_eq!(sources(&app, email).await, ["manual:Viewer/Brand B: Southwind"]);

        for (event, n) in [("sso/sign_in", 3), ("sso/grant", 2), ("sso/revoke", 2), ("sso/map", 2), ("sso/unmap", 1), ("sso/configure", 1)] {
            assert_eq!(app.count("activity_events", &format!("event_type = '{event}'")).await, n, "{event}");
        }
    }

    /// A person whose groups map to nothing gets no session and is told why; losing every
    /// mapped group takes the access away at once.
    async fn no_mapped_group_means_no_access(app) {
        let fake = FakeOidc::start().await;
        configure(&app, &fake).await;
        let email = "newcomer@acme.example";
        let (status, location, cookie) = sso_sign_in(&app, &fake, who(email, &["interns"]), Spoil::Nothing).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/signin?sso_error="), "{location}");
        assert!(location.contains("interns"), "the reason names the groups: {location}");
        assert!(cookie.is_none());
        assert_eq!(app.count("users", &format!("email = '{email}'")).await, 0, "no account for nobody");

        sso_sign_in(&app, &fake, who(email, &["analysts"]), Spoil::Nothing).await;
        assert_eq!(sources(&app, email).await.len(), 1);
        let (_, location, cookie) = sso_sign_in(&app, &fake, who(email, &[]), Spoil::Nothing).await;
        assert!(location.starts_with("/signin?sso_error=") && cookie.is_none(), "{location}");
        assert!(sources(&app, email).await.is_empty(), "the access went with the group");
    }

    /// The ID token's signature, audience, expiry and nonce are checked; a state works once;
    /// an address without SSO is pointed to its password.
    async fn bad_tokens_and_replays_are_refused(app) {
        let fake = FakeOidc::start().await;
        configure(&app, &fake).await;
        for spoil in [Spoil::Signature, Spoil::Audience, Spoil::Expired, Spoil::Nonce] {
            let email = format!("{spoil:?}@acme.example").to_lowercase();
            let (status, location, cookie) = sso_sign_in(&app, &fake, who(&email, &["analysts"]), spoil).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{spoil:?}");
            assert!(location.starts_with("/signin?sso_error="), "{spoil:?} was accepted: {location}");
            assert!(cookie.is_none(), "{spoil:?} opened a session");
            assert_eq!(app.count("users", &format!("email = '{email}'")).await, 0, "{spoil:?} made an account");
        }
        // A replayed state: the first use signs in, the second is refused.
        let c = consent(&app, &fake, who("replay@acme.example", &["analysts"]), Spoil::Nothing).await;
        assert!(callback(&app, &c.code, &c.state, Some(&c.binding)).await.2.is_some());
        let (_, location, cookie) = callback(&app, &c.code, &c.state, Some(&c.binding)).await;
        assert!(location.starts_with("/signin?sso_error=") && cookie.is_none(), "{location}");

        let none = app.call::<StartSso>(None, &[("email", "someone@globex.example"), ("tenant", "")]).await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(none.body["code"], "no_sso");
        // Brand A's owner may not touch SSO settings.
        let owner = app.sign_in(OWNER_A).await;
        assert_eq!(app.call::<LoadSsoSettings>(Some(&owner), &[]).await.status, StatusCode::FORBIDDEN);
    }
}

/// Asserts that signing `who` in is refused with nothing created: no session, no person, no
/// membership, no identity, and one more `sso/refused` record in Acme's log.
async fn refused_with_nothing_changed(app: &TestApp, fake: &FakeOidc, who: Identity) {
    let before = snapshot(app).await;
    let label = format!("{} as {}", who.email, who.sub);
    let (status, location, cookie) = sso_sign_in(app, fake, who, Spoil::Nothing).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{label}");
    assert!(
        location.starts_with("/signin?sso_error="),
        "{label} was let in: {location}"
    );
    assert!(cookie.is_none(), "{label} opened a session");
    let after = snapshot(app).await;
    assert_eq!(after.changed, before.changed, "{label} changed something");
    assert_eq!(
        after.refusals,
        before.refusals + 1,
        "{label}'s refusal was not recorded"
    );
}

struct Snapshot {
    /// Counts of every table a sign-in could add to.
    changed: Vec<i64>,
    refusals: i64,
}

async fn snapshot(app: &TestApp) -> Snapshot {
    let mut changed = Vec::new();
    for table in [
        "sessions",
        "users",
        "memberships",
        "assignments",
        "sso_identities",
    ] {
        changed.push(app.count(table, "1 = 1").await);
    }
    Snapshot {
        changed,
        refusals: app
            .count("activity_events", "event_type = 'sso/refused'")
            .await,
    }
}

on_both_backends! {
    /// A tenant's provider speaks only for people it may: never an operator, never another
    /// tenant's member, never an unapproved domain or an unverified address; a subject stays
    /// linked to its person whatever email it later claims; a removed member stays out.
    async fn a_tenant_idp_cannot_become_people_it_does_not_vouch_for(app) {
        let fake = FakeOidc::start().await;
        let admin = configure(&app, &fake).await;
        // An administrator cannot claim a domain no operator approved for the tenant.
        let claim = app
            .call::<SaveSsoProvider>(
                Some(&admin),
                &[("issuer", &fake.url), ("client_id", CLIENT_ID), ("client_secret", ""),
                  ("groups_claim", "groups"), ("domains", "acme.example portcullis.dev"), ("version", "1")],
            )
            .await;
        assert_eq!(claim.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", claim.body);
        assert_eq!(claim.body["field"], "domains");
        assert_eq!(app.count("sso_domains", "domain = 'portcullis.dev'").await, 0);
        // Operators see which tenant's provider claims each approved domain.
        let operator = app.sign_in(crate::harness::OPERATOR).await;
        let requests = app.call::<LoadDomainRequests>(Some(&operator), &[]).await;
        let acme_claim = requests.body.as_array().unwrap().iter().find(|r| r["domain"] == "acme.example").cloned().unwrap();
        assert_eq!(acme_claim["sso_claimed_by"], "Acme Retail", "{acme_claim}");

        // The operator, a Globex administrator, an allowlisted but unapproved domain.
        for email in ["operator@portcullis.dev", "admin@globex.example", "ops@orbit.example"] {
            refused_with_nothing_changed(&app, &fake, who(email, &["analysts"])).await;
        }
        // An account in an approved domain that is a member of another tenant only.
        let globex_admin = app.sign_in("admin@globex.example").await;
        let p = app.directory_id(&globex_admin, "policies", "Viewer").await;
        let g = app.directory_id(&globex_admin, "groups", "All resource groups").await;
        let added = app
            .call::<AddUser>(Some(&globex_admin), &[("name", "Olga Outside"), ("email", "outside@acme.example"),
                ("policy_id", &p), ("group_id", &g), ("send_welcome", "false")])
            .await;
        assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
        refused_with_nothing_changed(&app, &fake, who("outside@acme.example", &["analysts"])).await;

        // An unverified or unstated address.
        for verified in [Some(false), None] {
            let mut unverified = who("unverified@acme.example", &["analysts"]);
            unverified.verified = verified;
            refused_with_nothing_changed(&app, &fake, unverified).await;
        }

        // A subject linked at its first sign-in keeps its person: claiming a member's email
        // later does not make it that member.
        let (_, location, cookie) = sso_sign_in(&app, &fake, who("newbie@acme.example", &["analysts"]), Spoil::Nothing).await;
        assert_eq!(location, "/");
        assert!(cookie.is_some());
        let mut switched = who("analytics@acme.example", &["analysts"]);
        switched.sub = "sub-newbie@acme.example".to_owned();
        refused_with_nothing_changed(&app, &fake, switched).await;

        // A removed member stays out until the tenant adds them again.
        let newbie: String = id(&app, "SELECT id FROM users WHERE email = 'newbie@acme.example'").await;
        let revoked = app.call::<RevokeUser>(Some(&admin), &[("user_id", &newbie), ("version", &app.version_of("users", &newbie).await)]).await;
        assert_eq!(revoked.status, StatusCode::OK, "{:?}", revoked.body);
        refused_with_nothing_changed(&app, &fake, who("newbie@acme.example", &["analysts"])).await;
        let p = app.directory_id(&admin, "policies", "Viewer").await;
        let g = app.directory_id(&admin, "groups", "All resource groups").await;
        let readded = app
            .call::<AddUser>(Some(&admin), &[("name", "Newbie"), ("email", "newbie@acme.example"),
                ("policy_id", &p), ("group_id", &g), ("send_welcome", "false")])
            .await;
        assert_eq!(readded.status, StatusCode::OK, "{:?}", readded.body);
        let (_, location, _) = sso_sign_in(&app, &fake, who("newbie@acme.example", &["analysts"]), Spoil::Nothing).await;
        assert_eq!(location, "/", "re-admitted, the person signs in again");
    }

    /// A sign-in finishes only in the browser that started it (login CSRF): a state whose
    /// binding cookie is missing or another browser's is refused, recorded, and spent.
    async fn a_state_from_another_browser_is_refused(app) {
        let fake = FakeOidc::start().await;
        configure(&app, &fake).await;
        let mine = consent(&app, &fake, who("victim@acme.example", &["analysts"]), Spoil::Nothing).await;
        for binding in [None, Some(mine.binding.as_str())] {
            let theirs = consent(&app, &fake, who("attacker@acme.example", &["analysts"]), Spoil::Nothing).await;
            let before = snapshot(&app).await;
            let (_, location, cookie) = callback(&app, &theirs.code, &theirs.state, binding).await;
            assert!(location.starts_with("/signin?sso_error="), "{binding:?}: {location}");
            assert!(cookie.is_none());
            let after = snapshot(&app).await;
            assert_eq!(after.changed, before.changed);
            assert_eq!(after.refusals, before.refusals + 1);
        }
        assert_eq!(app.count("users", "email = 'attacker@acme.example'").await, 0);
        assert_eq!(app.count("sso_states", "1 = 1").await, 1, "the refused state was spent; mine waits");
        let (_, location, cookie) = callback(&app, &mine.code, &mine.state, Some(&mine.binding)).await;
        assert_eq!(location, "/");
        assert!(cookie.is_some());
    }

    /// A session a tenant's provider opened enters that tenant only, without operator powers
    /// and without the person's apps, even for someone who belongs to other tenants too.
    async fn an_sso_session_enters_its_tenant_only(app) {
        let fake = FakeOidc::start().await;
        configure(&app, &fake).await;
        // Alex administers Acme and Globex; Acme's provider vouches for Alex in Acme only.
        let (_, location, cookie) = sso_sign_in(&app, &fake, who(ADMIN, &["analysts"]), Spoil::Nothing).await;
        assert_eq!(location, "/");
        let cookie = cookie.expect("a session");
        let viewer = app.call::<CurrentViewer>(Some(&cookie), &[]).await;
        let tenants = viewer.body["tenants"].as_array().unwrap();
        assert_eq!(tenants.len(), 1, "{:?}", viewer.body);
        assert_eq!(tenants[0]["name"], "Acme Retail");
        assert_eq!(viewer.body["operator"], false);
        let globex = id(&app, "SELECT id FROM tenants WHERE name = 'Globex Foods'").await;
        let switch = app.call::<SwitchTenant>(Some(&cookie), &[("tenant_id", &globex)]).await;
        assert_eq!(switch.status, StatusCode::NOT_FOUND);
        let apps_before = app.count("apps", "1 = 1").await;
        let made = app
            .call::<CreateApp>(Some(&cookie), &[("name", "Sneaky"), ("description", ""), ("permissions", "")])
            .await;
        assert_eq!(made.status, StatusCode::FORBIDDEN, "{:?}", made.body);
        assert_eq!(app.count("apps", "1 = 1").await, apps_before);
        // Nor another tenant's people or the person's agencies: deleting someone who also
        // belongs to Globex, installing on the agency, revoking the person's tokens.
        let p = app.directory_id(&cookie, "policies", "Viewer").await;
        let g = app.directory_id(&cookie, "groups", "All resource groups").await;
        let added = app.call::<AddUser>(Some(&cookie), &[("name", "Bo Both"), ("email", "bo.both@acme.example"),
            ("policy_id", &p), ("group_id", &g), ("send_welcome", "false")]).await;
        let bo = added.body["id"].as_str().unwrap().to_owned();
        sqlx::query(&format!("INSERT INTO memberships (tenant_id, user_id, created_at) VALUES ('{globex}', '{bo}', 0)"))
            .execute(&app.db.pool).await.unwrap();
        let users_before = app.count("users", "1 = 1").await;
        let deleted = app.call::<DeleteUser>(Some(&cookie), &[("user_id", &bo), ("version", &app.version_of("users", &bo).await)]).await;
        assert_eq!(deleted.status, StatusCode::FORBIDDEN, "{}", deleted.body);
        assert_eq!(app.count("users", "1 = 1").await, users_before);
        let alex: String = id(&app, &format!("SELECT id FROM users WHERE email = '{ADMIN}'")).await;
        let orbit: String = id(&app, "SELECT id FROM agencies WHERE name = 'Orbit Media'").await;
        sqlx::query(&format!("INSERT INTO agency_members (agency_id, user_id, created_at) VALUES ('{orbit}', '{alex}', 0)"))
            .execute(&app.db.pool).await.unwrap();
        let owner = app.sign_in(OWNER_A).await;
        let theirs = app.call::<CreateApp>(Some(&owner), &[("name", "Agency reader"), ("description", ""),
            ("permissions", "agency.viewBoards: show the boards")]).await;
        let theirs = theirs.body.as_str().unwrap().to_owned();
        let installs_before = app.count("installs", "1 = 1").await;
        let on_agency = app.call::<InstallApp>(Some(&cookie), &[("app_id", &theirs), ("agency_id", &orbit)]).await;
        assert!(on_agency.status.is_client_error(), "{} {}", on_agency.status, on_agency.body);
        assert_eq!(app.count("installs", "1 = 1").await, installs_before, "an SSO session installed on an agency");
        let password_session = app.sign_in(ADMIN).await;
        let mine = app.call::<CreateApp>(Some(&password_session), &[("name", "Alex's app"), ("description", ""), ("permissions", "")]).await;
        let mine = mine.body.as_str().unwrap().to_owned();
        let token = app.call::<CreateToken>(Some(&password_session), &[("app_id", &mine), ("name", "t")]).await;
        let token_id = token.body["token"]["id"].as_str().unwrap().to_owned();
        let revoked = app.call::<RevokeToken>(Some(&cookie), &[("token_id", &token_id)]).await;
        assert_eq!(revoked.status, StatusCode::FORBIDDEN, "{}", revoked.body);
        assert_eq!(app.count("bot_tokens", &format!("id = '{token_id}' AND revoked_at IS NULL")).await, 1);

        // A password session of the same person still reaches both tenants.
        let password = app.sign_in(ADMIN).await;
        let viewer = app.call::<CurrentViewer>(Some(&password), &[]).await;
        assert_eq!(viewer.body["tenants"].as_array().unwrap().len(), 2);
    }

    /// Unauthenticated SSO steps are counted per client address before any work: past the
    /// window's allowance a start answers 429 and stores no sign-in, a return records nothing.
    async fn an_sso_flood_from_one_address_is_refused(app) {
        let fake = FakeOidc::start().await;
        configure(&app, &fake).await;
        for _ in 0..60 {
            let started = app.call::<StartSso>(None, &[("email", "someone@acme.example"), ("tenant", "")]).await;
            assert_eq!(started.status, StatusCode::OK, "{:?}", started.body);
        }
        let states = app.count("sso_states", "1 = 1").await;
        let refusals = app.count("activity_events", "event_type = 'sso/refused'").await;
        let flooded = app.call::<StartSso>(None, &[("email", "someone@acme.example"), ("tenant", "")]).await;
        assert_eq!(flooded.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", flooded.body);
        assert_eq!(app.count("sso_states", "1 = 1").await, states, "a refused start stored a sign-in");
        let (_, location, cookie) = callback(&app, "code", "forged-state", None).await;
        assert!(location.starts_with("/signin?sso_error="), "{location}");
        assert!(cookie.is_none());
        assert_eq!(app.count("activity_events", "event_type = 'sso/refused'").await, refusals, "a flood wrote to the log");
    }

    /// Sign-in starts are open to anyone: the issuer's discovery document is read once per
    /// period, not once per start, and under the default egress policy an issuer on the
    /// server's own network is never contacted.
    async fn discovery_is_cached_and_bound_by_the_egress_policy(app) {
        let fake = FakeOidc::start().await;
        configure(&app, &fake).await;
        let start = [("email", "someone@acme.example"), ("tenant", "")];
        let default = crate::harness::router_of(crate::harness::services_with_egress(
            &app.db, Default::default(), portcullis_server::integrations::egress::Egress::public_only()));
        let before = fake.discoveries();
        let refused = crate::harness::call_on::<StartSso>(&default, None, &start).await;
        assert_ne!(refused.status, StatusCode::OK, "{:?}", refused.body);
        assert_eq!(fake.discoveries(), before, "an issuer on loopback was contacted");
        for _ in 0..5 {
            let started = app.call::<StartSso>(None, &start).await;
            assert_eq!(started.status, StatusCode::OK, "{:?}", started.body);
        }
        assert!(fake.discoveries() <= before + 1, "each start read the discovery document");
    }
}
