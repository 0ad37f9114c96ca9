//! The activity log: records fail with their change, the database refuses edits, the
//! chain names a tampered event, the list sorts, filters and pages, the download streams CSV.

use crate::harness::{TestApp, ADMIN, ANALYST, HOST};
use crate::on_both_backends;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use portcullis_app::api::{AddUser, CreateGroup, ListActivity};
use portcullis_core::audit::{ChainBreak, CSV_HEADER};
use portcullis_core::ids::TenantId;
use portcullis_server::services::audit_verify::verify;
use portcullis_server::store::activity::{record, NewEvent, Principal};
use portcullis_server::store::Backend;
use serde_json::Value;
use sqlx::Row;

/// Adds a person to the admin's tenant (Acme Retail) and returns the reply.
async fn add_user(app: &TestApp, admin: &str, name: &str, email: &str) -> crate::harness::Reply {
    let policy = app.directory_id(admin, "policies", "Viewer").await;
    let group = app
        .directory_id(admin, "groups", "All resource groups")
        .await;
    app.call::<AddUser>(
        Some(admin),
        &[
            ("name", name),
            ("email", email),
            ("policy_id", &policy),
            ("group_id", &group),
            ("send_welcome", "false"),
        ],
    )
    .await
}

/// Every event of the list, page by page, with the given sort.
async fn all_pages(app: &TestApp, cookie: &str, fields: &[(&str, &str)]) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut after = String::new();
    loop {
        let mut f = fields.to_vec();
        f.push(("after", &after));
        f.push(("limit", "3"));
        let page = app.call::<ListActivity>(Some(cookie), &f).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        rows.extend(page.body["items"].as_array().unwrap().iter().cloned());
        match page.body["next"].as_str() {
            Some(next) => after = next.to_owned(),
            None => return rows,
        }
    }
}

async fn download(
    app: &TestApp,
    cookie: Option<&str>,
    query: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut req = Request::post(format!("/activity/events.csv{query}")).header(header::HOST, HOST);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = app.send(req.body(Body::empty()).unwrap()).await;
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8(bytes.to_vec()).unwrap(),
    )
}

fn acme(app_rows: &[(String, String)]) -> String {
    app_rows
        .iter()
        .find(|(_, n)| n == "Acme Retail")
        .unwrap()
        .0
        .clone()
}

async fn tenants(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query("SELECT id, name FROM tenants")
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("id"), r.get("name")))
        .collect()
}

on_both_backends! {
    /// The chain verifies; the database refuses UPDATE and DELETE; with the guard removed
    /// by hand, an altered row is named by verification.
    async fn chain_names_the_altered_event(app) {
        let admin = app.sign_in(ADMIN).await;
        let r = add_user(&app, &admin, "Chain Checked", "chain@acme.example").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let before = verify(&app.db.pool).await.unwrap();
        assert!(before.intact(), "{before:?}");
        let acme_id = acme(&tenants(&app).await);
        let acme_chain = before.chains.iter().find(|c| c.chain == acme_id).unwrap();
        let events = app.count("activity_events", &format!("tenant_id = '{acme_id}'")).await;
        assert_eq!(acme_chain.outcome, Ok(events));

        let pool = &app.db.pool;
        let target: String = sqlx::query("SELECT id FROM activity_events WHERE event_type = 'user/create'")
            .fetch_one(pool).await.unwrap().get("id");
        let update = format!("UPDATE activity_events SET object_name = 'nothing to see' WHERE id = '{target}'");
        assert!(sqlx::query(&update).execute(pool).await.is_err(), "the database refuses UPDATE");
        let delete = format!("DELETE FROM activity_events WHERE id = '{target}'");
        assert!(sqlx::query(&delete).execute(pool).await.is_err(), "the database refuses DELETE");
        assert_eq!(app.count("activity_events", "object_name = 'nothing to see'").await, 0);

        let drop = match app.db.backend {
            Backend::Sqlite => "DROP TRIGGER activity_events_no_update",
            Backend::Postgres => "DROP TRIGGER activity_events_no_change ON activity_events",
        };
        sqlx::query(drop).execute(pool).await.unwrap();
        sqlx::query(&update).execute(pool).await.unwrap();
        let after = verify(&app.db.pool).await.unwrap();
        assert!(!after.intact());
        let broken = after.chains.iter().find(|c| c.chain == acme_id).unwrap();
        assert!(matches!(&broken.outcome, Err(ChainBreak::Altered { event_id, .. }) if *event_id == target), "{:?}", broken.outcome);
        assert!(after.chains.iter().filter(|c| c.chain != acme_id).all(|c| c.outcome.is_ok()), "other tenants' chains still verify");
    }

    /// When the record cannot be written, the change is not made either.
    async fn a_change_without_its_record_is_not_made(app) {
        let admin = app.sign_in(ADMIN).await;
        let policy = app.directory_id(&admin, "policies", "Viewer").await;
        let group = app.directory_id(&admin, "groups", "All resource groups").await;
        sqlx::query("ALTER TABLE activity_events RENAME TO activity_events_away").execute(&app.db.pool).await.unwrap();
        let r = app.call::<AddUser>(
            Some(&admin),
            &[("name", "Never Stored"), ("email", "never@acme.example"), ("policy_id", &policy), ("group_id", &group), ("send_welcome", "true")],
        ).await;
        assert!(r.status.is_server_error(), "{} {}", r.status, r.body);
        assert_eq!(app.count("users", "email = 'never@acme.example'").await, 0);
        assert_eq!(app.count("outbox", "to_email = 'never@acme.example'").await, 0);
    }

    /// Every sort walks all rows exactly once in order over keyset pages; filters narrow;
    /// bad filters name their field; a policy without view_activity is refused with it named.
    async fn list_sorts_filters_and_pages(app) {
        let admin = app.sign_in(ADMIN).await;
        for (name, email) in [("Zed Last", "zed@acme.example"), ("Amy First", "amy@acme.example")] {
            let r = add_user(&app, &admin, name, email).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let acme_id = acme(&tenants(&app).await);
        let total = app.count("activity_events", &format!("tenant_id = '{acme_id}'")).await as usize;
        assert!(total >= 6, "{total}");
        for (sort, key) in [("date", "happened_at_ms"), ("user", "principal_name"), ("action", "event_type"), ("object", "object_name")] {
            for order in ["asc", "desc"] {
                let rows = all_pages(&app, &admin, &[("user", ""), ("action", ""), ("sort", sort), ("order", order)]).await;
                assert_eq!(rows.len(), total, "{sort} {order}");
                let mut ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
                ids.sort_unstable();
                ids.dedup();
                assert_eq!(ids.len(), total, "no row twice ({sort} {order})");
                let keys: Vec<String> = rows.iter().map(|r| match &r[key] {
                    Value::Number(n) => format!("{:020}", n.as_i64().unwrap()),
                    Value::String(s) => s.clone(),
                    _ => String::new(),
                }).collect();
                let mut sorted = keys.clone();
                sorted.sort();
                if order == "desc" { sorted.reverse(); }
                assert_eq!(keys, sorted, "{sort} {order}");
            }
        }
        let grants = all_pages(&app, &admin, &[("user", ""), ("action", "policy"), ("sort", "date"), ("order", "desc")]).await;
        assert!(!grants.is_empty());
        assert!(grants.iter().all(|r| r["event_type"].as_str().unwrap().starts_with("policy/")));
        let zed = all_pages(&app, &admin, &[("user", "ZED"), ("action", ""), ("sort", "date"), ("order", "desc")]).await;
        assert!(!zed.is_empty());
        assert!(zed.iter().all(|r| r["principal_email"] == "zed@acme.example"), "{zed:?}");
        let future = all_pages(&app, &admin, &[("user", ""), ("action", ""), ("from", "4102444800000"), ("sort", "date"), ("order", "desc")]).await;
        assert!(future.is_empty());

        let bad = app.call::<ListActivity>(Some(&admin), &[("user", ""), ("action", ""), ("from", "10"), ("to", "5"), ("sort", "date"), ("order", "")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.body["field"], "to");
        let bad = app.call::<ListActivity>(Some(&admin), &[("user", ""), ("action", ""), ("sort", "colour"), ("order", "")]).await;
        assert_eq!(bad.body["field"], "sort");

        let analyst = app.sign_in(ANALYST).await;
        let refused = app.call::<ListActivity>(Some(&analyst), &[("user", ""), ("action", ""), ("sort", ""), ("order", "")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(refused.body["missing_permission"], "view_activity");
    }

    /// The download's name, exact header, UTC times, empty external-id, correct quoting,
    /// one row per event; it is itself recorded; it needs a session and download_activity.
    async fn download_is_csv_of_every_event(app) {
        let admin = app.sign_in(ADMIN).await;
        let r = add_user(&app, &admin, "Quinn Quote", "quote@acme.example").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let tricky = "Brand \"C\", West";
        let r = app.call::<CreateGroup>(Some(&admin), &[("name", "Brand \"C\", West"), ("description", "")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let acme_id = acme(&tenants(&app).await);
        // The download's own record is the file's last row.
        let events = app.count("activity_events", &format!("tenant_id = '{acme_id}'")).await + 1;

        let (status, headers, body) = download(&app, Some(&admin), "").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        let name = disposition.trim_start_matches("attachment; filename=\"").trim_end_matches('"');
        let parts: Vec<&str> = name.trim_end_matches(".csv").splitn(5, '-').collect();
        assert_eq!(parts[0], "events", "{name}");
        assert!(parts[1].len() == 4 && parts[2].len() == 2 && parts[3].len() == 2, "{name}");
        assert!(parts[4].parse::<i64>().unwrap() > 1_700_000_000, "{name}");
        assert_eq!(headers["x-total-rows"].to_str().unwrap(), events.to_string());

        let mut reader = csv::Reader::from_reader(body.as_bytes());
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), CSV_HEADER.to_vec());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len() as i64, events);
        assert!(rows.iter().all(|r| r.len() == 12 && r[7].is_empty()));
        assert!(rows.iter().all(|r| r[2].ends_with('Z') && r[3].ends_with('Z')));
        let created = rows.iter().find(|r| &r[1] == "resource_group/create").unwrap();
        assert_eq!(&created[10], tricky, "quotes and commas survive CSV");
        assert_eq!(&created[6], ADMIN);
        assert_eq!(&rows.last().unwrap()[1], "activity/download");

        let (status, _, body) = download(&app, Some(&admin), "?action=user").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.lines().skip(1).all(|l| l.contains(",user/")), "{body}");
        let (status, _, body) = download(&app, Some(&admin), "?from=9&to=3").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("\"field\":\"to\""), "{body}");

        let (status, _, _) = download(&app, None, "").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let analyst = app.sign_in(ANALYST).await;
        let (status, _, body) = download(&app, Some(&analyst), "").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("download_activity"), "{body}");
        // The permission is judged before the filters: a bad one tells the analyst nothing more.
        let (status, _, _) = download(&app, Some(&analyst), "?from=9&to=3").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(app.count("activity_events", "event_type = 'activity/download'").await, 2, "a refused download records nothing");
    }

    /// The download at volume: more events than one export batch, many sharing a millisecond,
    /// come out once each, oldest first.
    async fn download_crosses_batches_in_order(app) {
        let acme_id = acme(&tenants(&app).await);
        let mut tx = app.db.write().await.unwrap();
        for chunk in 0..45 {
            let values: Vec<String> = (0..100).map(|k| {
                let i = chunk * 100 + k;
                format!("('evt_vol{i:05}', '{acme_id}', 'bench/volume', {}, 0, 'usr_v', 'Volume, \"V\"', 'console', 'obj {i}')", 1_000 + i / 3)
            }).collect();
            sqlx::query(&format!(
                "INSERT INTO activity_events (id, tenant_id, event_type, happened_at, recorded_at, principal_id, principal_name, source, object_name) VALUES {}",
                values.join(", ")
            )).execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
        let admin = app.sign_in(ADMIN).await;
        let (status, _, body) = download(&app, Some(&admin), "?action=bench").await;
        assert_eq!(status, StatusCode::OK);
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let ids: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
        let expected: Vec<String> = (0..4_500).map(|i| format!("evt_vol{i:05}")).collect();
        assert_eq!(ids, expected);
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        assert!(reader.records().all(|r| &r.unwrap()[5] == "Volume, \"V\""));
    }

    /// The download is the same bytes on both backends (SQLite writes it with the `csv` crate,
    /// PostgreSQL's COPY formats it): empty and missing text are empty fields, line breaks,
    /// quotes and non-ASCII survive, times are UTC with milliseconds, `external-id` is empty.
    async fn download_writes_the_same_csv_on_both_backends(app) {
        let acme_id = acme(&tenants(&app).await);
        sqlx::query(&format!(
            "INSERT INTO activity_events (id, tenant_id, event_type, happened_at, recorded_at, principal_id, principal_name, principal_email, source, object_id, object_name, origin_ip) VALUES \
             ('evt_edge1', '{acme_id}', 'edge/one', 1700000000123, 1700000000999, 'usr_e', 'Zoë \"Z\" Ünal', '', 'console', NULL, 'two\nlines, one field', '10.0.0.1'), \
             ('evt_edge2', '{acme_id}', 'edge/two', 1700000000124, 0, NULL, NULL, NULL, 'api', 'obj', '', NULL)"
        )).execute(&app.db.pool).await.unwrap();
        let admin = app.sign_in(ADMIN).await;
        let (status, _, body) = download(&app, Some(&admin), "?action=edge").await;
        assert_eq!(status, StatusCode::OK);
        let expected = "event-id,event-type,happened-at,recorded-at,principal-id,principal-name,principal-email,external-id,source,object,object-name,origin-ip\n\
            evt_edge1,edge/one,2023-11-14T22:13:20.123Z,2023-11-14T22:13:20.999Z,usr_e,\"Zoë \"\"Z\"\" Ünal\",,,console,,\"two\nlines, one field\",10.0.0.1\n\
            evt_edge2,edge/two,2023-11-14T22:13:20.124Z,1970-01-01T00:00:00.000Z,,,,,api,obj,,\n";
        assert_eq!(body, expected);
    }

    /// Under load, many writers to one tenant still make one unbroken chain.
    async fn concurrent_writers_make_one_chain(app) {
        let acme_id = TenantId::parse(&acme(&tenants(&app).await)).unwrap();
        let before = app.count("activity_events", &format!("tenant_id = '{acme_id}'")).await;
        let mut tasks = Vec::new();
        for writer in 0..6 {
            let db = app.db.clone();
            let tenant = acme_id.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..8 {
                    let mut tx = db.write().await.unwrap();
                    let principal = Principal { id: format!("usr_writer{writer}"), name: format!("Writer {writer}"), email: None };
                    record(&mut tx, NewEvent {
                        tenant_id: Some(&tenant),
                        event_type: "test/write",
                        happened_at: chrono::Utc::now(),
                        principal: &principal,
                        source: "test",
                        object_id: None,
                        object_name: Some(&format!("write {i}")),
                        origin_ip: None,
                    }).await.unwrap();
                    tx.commit().await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let report = verify(&app.db.pool).await.unwrap();
        let chain = report.chains.iter().find(|c| c.chain == acme_id.as_str()).unwrap();
        assert_eq!(chain.outcome, Ok(before + 48));
        assert!(report.intact());
    }

    /// A cell a spreadsheet would run as a formula opens as text: a leading `'` on both
    /// backends, whatever column it arrives in; other cells are unchanged.
    async fn formula_cells_are_neutralised(app) {
        let admin = app.sign_in(ADMIN).await;
        let acme_id = TenantId::parse(&acme(&tenants(&app).await)).unwrap();
        let cells = ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn", "plain", "a=b"];
        for (i, cell) in cells.iter().enumerate() {
            let mut tx = app.db.write().await.unwrap();
            let principal = Principal { id: format!("=id{i}"), name: (*cell).to_owned(), email: Some(format!("@{i}@acme.example")) };
            record(&mut tx, NewEvent {
                tenant_id: Some(&acme_id),
                event_type: "test/formula",
                happened_at: chrono::Utc::now(),
                principal: &principal,
                source: "+source",
                object_id: Some("-object"),
                object_name: Some(cell),
                origin_ip: Some("@ip"),
            }).await.unwrap();
            tx.commit().await.unwrap();
        }
        let (status, _, body) = download(&app, Some(&admin), "?action=test").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), cells.len(), "{body}");
        for (row, cell) in rows.iter().zip(cells) {
            let want = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() };
            assert_eq!(&row[5], want.as_str(), "name: {body}");
            assert_eq!(&row[10], want.as_str(), "object name: {body}");
            assert!(row[4].starts_with("'="), "principal id: {body}");
            assert!(row[6].starts_with("'@"), "email: {body}");
            assert_eq!(&row[8], "'+source");
            assert_eq!(&row[9], "'-object");
            assert_eq!(&row[11], "'@ip");
        }
    }

    /// An event slipped in outside every chain is not vouched for: the log is not called
    /// intact, and the report counts and names it.
    async fn an_event_outside_the_chains_is_not_intact(app) {
        let admin = app.sign_in(ADMIN).await;
        add_user(&app, &admin, "Chained Person", "chained@acme.example").await;
        assert!(verify(&app.db.pool).await.unwrap().intact());
        let acme_id = acme(&tenants(&app).await);
        sqlx::query(&format!("INSERT INTO activity_events (id, tenant_id, event_type, happened_at, recorded_at, principal_id, principal_name, source) \
            VALUES ('evt_00000000000000000000000001', '{acme_id}', 'user/create', 0, 0, 'usr_x', 'Forged', 'console')"))
            .execute(&app.db.pool).await.unwrap();
        let report = verify(&app.db.pool).await.unwrap();
        assert!(!report.intact(), "an unchained event was called intact");
        assert_eq!(report.unchained, 1);
        assert_eq!(report.unchained_sample[0].0, "evt_00000000000000000000000001");
        assert!(report.chains.iter().all(|c| c.outcome.is_ok()), "the chains themselves still fit");
    }
}
