//! Where a request came from, as the activity log records it: the connection's peer, or the
//! client a trusted proxy names in `X-Forwarded-For`, and never a forwarded address from
//! anyone else. Driven through the whole application, as `portcullis serve` builds it.

use crate::harness::{from_peer, router_of, services_over, ADMIN, HOST};
use crate::on_both_backends;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use portcullis_server::store::Db;

/// The proxy the application is told to trust.
const PROXY: &str = "127.0.0.1";

on_both_backends! {
    /// Behind the trusted proxy, the client it names is recorded.
    async fn a_trusted_proxy_names_the_client(app) {
        assert_eq!(sign_in_from(&app.db, "127.0.0.1:40000", &["203.0.113.9"]).await, "203.0.113.9");
    }

    /// Anyone else's `X-Forwarded-For` is a claim: the connection's own address is recorded.
    async fn a_forged_forwarded_address_is_not_believed(app) {
        assert_eq!(sign_in_from(&app.db, "198.51.100.7:40000", &["203.0.113.9"]).await, "198.51.100.7");
    }

    /// A client's own line ahead of the one the trusted proxy added is not believed either.
    async fn a_forged_line_before_the_proxys_own_is_not_believed(app) {
        assert_eq!(sign_in_from(&app.db, "127.0.0.1:40000", &["6.6.6.6", "203.0.113.9"]).await, "203.0.113.9");
    }
}

/// Signs the demo admin in over a connection from `peer` with one `X-Forwarded-For` line per
/// `forwarded` entry, and answers the origin the sign-in's record carries.
async fn sign_in_from(db: &Db, peer: &str, forwarded: &[&str]) -> String {
    let mut services = services_over(db, Default::default());
    services.trusted_proxies = vec![PROXY.parse().expect("proxy address")];
    let router = router_of(services);
    let form = serde_urlencoded::to_string([
        ("email", ADMIN),
        ("password", portcullis_server::demo::DEMO_PASSWORD),
    ])
    .expect("form encodes");
    let mut req = Request::post(<portcullis_app::api::SignIn as leptos::server_fn::ServerFn>::PATH)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    for line in forwarded {
        req = req.header("x-forwarded-for", *line);
    }
    let req = req.body(Body::from(form)).expect("request");
    let res = tower::ServiceExt::oneshot(router, from_peer(req, peer))
        .await
        .expect("router answers");
    assert_eq!(res.status(), StatusCode::OK, "the admin signs in");
    sqlx::query_scalar(
        "SELECT origin_ip FROM activity_events WHERE event_type = 'session/create' \
         AND principal_email = $1 ORDER BY recorded_at DESC, seq DESC LIMIT 1",
    )
    .bind(ADMIN)
    .fetch_one(&db.pool)
    .await
    .expect("the sign-in is recorded")
}
