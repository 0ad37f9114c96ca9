//! The egress policy: with the default settings no tenant-named URL reaches the server's own
//! network, whether written as an address or as a name that resolves to one; a refused
//! destination reads like one that does not answer; answers are read up to a cap and
//! redirects are not followed.

use crate::authorizations::{bearer_on, create};
use crate::fake_provider::{FakeProvider, GOOD_TOKEN};
use crate::harness::{call_on, router_of, services_with_egress, OWNER_A};
use crate::on_both_backends;
use axum::http::StatusCode;
use portcullis_app::api::*;
use portcullis_server::integrations::egress::Egress;
use portcullis_server::integrations::outbound::Outbound;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

on_both_backends! {
    /// A tenant points authorizations at loopback (where the platform and its neighbours
    /// listen): by address, by a name that resolves there, and at the platform's own
    /// PostgreSQL. Under the default policy nothing is contacted, and the answer is the one a
    /// closed port gives.
    async fn the_default_policy_refuses_internal_destinations(app) {
        let fake = FakeProvider::start().await;
        let owner = app.sign_in(OWNER_A).await;
        let by_address = bearer_on(&app, &owner, &fake, "/ok", GOOD_TOKEN, "By address").await;
        let port = fake.url.rsplit(':').next().unwrap().to_owned();
        let by_name = create(&app, &owner, "http_api", "bearer", "By name",
            json!({"base_url": format!("http://localhost:{port}/ok"), "token": GOOD_TOKEN})).await;
        let closed_port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let closed = create(&app, &owner, "http_api", "bearer", "Closed",
            json!({"base_url": format!("http://127.0.0.1:{closed_port}/ok"), "token": GOOD_TOKEN})).await;

        let default = router_of(services_with_egress(&app.db, Default::default(), Egress::public_only()));
        let mut answers = Vec::new();
        for id in [&by_address, &by_name] {
            let checked = call_on::<CheckAuthorization>(&default, Some(&owner), &[("id", id)]).await;
            assert_eq!(checked.status, StatusCode::OK, "{:?}", checked.body);
            assert_eq!(checked.body["row"]["health"], "unknown");
            answers.push(checked.body["answer"].clone());
        }
        assert_eq!(fake.hits("/ok"), 0, "an internal destination was contacted");
        // The allowing router reaches the closed port and fails to connect: the same words.
        let failed = app.call::<CheckAuthorization>(Some(&owner), &[("id", &closed)]).await;
        assert_eq!(failed.body["row"]["health"], "unknown");
        for refused in &answers {
            assert_eq!(refused, &failed.body["answer"], "a refusal reads unlike a failed connection");
        }
        // Allowed, the same authorization does reach the fake: the refusal was the policy's.
        let allowed = app.call::<CheckAuthorization>(Some(&owner), &[("id", &by_address)]).await;
        assert_eq!(allowed.body["row"]["health"], "healthy", "{:?}", allowed.body);
        assert_eq!(fake.hits("/ok"), 1);

        if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
            let (server, _) = url.rsplit_once('/').unwrap();
            let own = create(&app, &owner, "postgresql", "connection_url", "Platform",
                json!({"url": format!("{server}/postgres")})).await;
            let checked = call_on::<CheckAuthorization>(&default, Some(&owner), &[("id", &own)]).await;
            assert_eq!(checked.body["row"]["health"], "unknown", "{:?}", checked.body);
            assert_eq!(checked.body["answer"], "could not reach the database");
        } else {
            crate::harness::postgres_missing("egress: the platform's own PostgreSQL");
        }
    }

    /// URLs that two parsers read differently, that carry credentials, or that reach the
    /// server's own files and sockets are refused when typed, naming the field.
    async fn confusing_urls_are_refused_when_typed(app) {
        let owner = app.sign_in(OWNER_A).await;
        for (provider, method, config) in [
            ("http_api", "bearer", json!({"base_url": "https://example.com\\@169.254.169.254/", "token": "t"})),
            ("http_api", "bearer", json!({"base_url": "https://user:pw@example.com/", "token": "t"})),
            ("http_api", "bearer", json!({"base_url": "http://169.254.169.254/latest/meta-data", "token": "t"})),
            ("http_api", "bearer", json!({"base_url": "file:///etc/passwd", "token": "t"})),
            ("postgresql", "connection_url", json!({"url": "postgres://u:p@db.example.com/app?host=/var/run/postgresql"})),
            ("postgresql", "connection_url", json!({"url": "postgres://u:p@db.example.com/app?sslrootcert=/etc/shadow"})),
            ("postgresql", "connection_url", json!({"url": "postgres://u:p@%2Fvar%2Frun%2Fpostgresql:5432/app"})),
        ] {
            let before = app.count("authorizations", "1 = 1").await;
            let made = app.call::<CreateAuthorization>(Some(&owner), &[
                ("provider", provider), ("method", method), ("label", "Confused"),
                ("description", ""), ("config", &config.to_string()),
            ]).await;
            assert_eq!(made.status, StatusCode::UNPROCESSABLE_ENTITY, "{config}: {:?}", made.body);
            let field = if provider == "postgresql" { "url" } else { "base_url" };
            assert_eq!(made.body["field"], field, "{config}");
            assert_eq!(app.count("authorizations", "1 = 1").await, before, "a refused URL was stored");
        }
    }
}

/// A local server that answers every connection with `response`.
async fn answering(response: Vec<u8>) -> url::Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let response = response.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(&response).await;
            });
        }
    });
    url::Url::parse(&url).unwrap()
}

/// A provider that answers without end is read up to the cap; a redirect is handed back, not
/// followed.
#[tokio::test]
async fn answers_are_capped_and_redirects_are_not_followed() {
    let outbound = Outbound::new(crate::harness::loopback_fakes(), Duration::from_secs(5));
    let big = vec![b'x'; 300 * 1024];
    let mut response =
        format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", big.len()).into_bytes();
    response.extend_from_slice(&big);
    let url = answering(response).await;
    let answer = outbound
        .send(outbound.request(reqwest::Method::GET, url), 64 * 1024)
        .await
        .unwrap();
    assert!(answer.truncated);
    assert_eq!(answer.body.len(), 64 * 1024);

    let target = FakeProvider::start().await;
    let redirect = format!(
        "HTTP/1.1 302 Found\r\nlocation: {}/ok\r\ncontent-length: 0\r\n\r\n",
        target.url
    );
    let url = answering(redirect.into_bytes()).await;
    let answer = outbound
        .send(outbound.request(reqwest::Method::GET, url), 1024)
        .await
        .unwrap();
    assert_eq!(answer.status, 302);
    assert_eq!(target.hits("/ok"), 0, "the redirect was followed");
}
