//! A local stand-in for third-party providers on a loopback port: it accepts one token and
//! rejects others, can be slow, runs Salesforce's OAuth token endpoint with PKCE, and counts
//! every request it gets.

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The bearer token the fake accepts.
pub const GOOD_TOKEN: &str = "good-token-1234";
/// The SendGrid key the fake accepts.
pub const GOOD_SENDGRID_KEY: &str = "SG.good-sendgrid-key";

#[derive(Default)]
struct Shared {
    hits: HashMap<String, usize>,
    /// Codes "the person consented to", with the PKCE challenge they were issued for.
    codes: HashMap<String, String>,
}

/// A running fake.
#[derive(Clone)]
pub struct FakeProvider {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
}

impl FakeProvider {
    pub async fn start() -> FakeProvider {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let router = Router::new()
            .route("/ok", get(bearer_checked))
            .route("/v3/scopes", get(sendgrid))
            .route("/slow", get(slow))
            .route("/services/oauth2/token", post(token))
            .route("/services/oauth2/userinfo", get(bearer_checked))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FakeProvider { url, shared }
    }

    /// How many requests `path` got.
    pub fn hits(&self, path: &str) -> usize {
        self.shared
            .lock()
            .unwrap()
            .hits
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// The person consents: `code` will be exchanged if the verifier matches `challenge`.
    pub fn consent(&self, code: &str, challenge: &str) {
        self.shared
            .lock()
            .unwrap()
            .codes
            .insert(code.to_owned(), challenge.to_owned());
    }
}

fn hit(shared: &Mutex<Shared>, path: &str) {
    *shared
        .lock()
        .unwrap()
        .hits
        .entry(path.to_owned())
        .or_default() += 1;
}

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned()
}

async fn bearer_checked(
    State(shared): State<Arc<Mutex<Shared>>>,
    headers: HeaderMap,
) -> impl IntoResponse {
    hit(&shared, "/ok");
    let token = bearer(&headers);
    if token == GOOD_TOKEN || token == "sf-access" {
        (StatusCode::OK, Json(json!({"user": "integration"})))
    } else {
        // A careless provider echoes what it was sent; the console must blot it out.
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": format!("token {token} is not valid")})),
        )
    }
}

async fn sendgrid(
    State(shared): State<Arc<Mutex<Shared>>>,
    headers: HeaderMap,
) -> impl IntoResponse {
    hit(&shared, "/v3/scopes");
    if bearer(&headers) == GOOD_SENDGRID_KEY {
        (StatusCode::OK, Json(json!({"scopes": ["mail.send"]})))
    } else {
        (
            StatusCode::FORBIDDEN,
            Json(json!({"errors": [{"message": "access forbidden"}]})),
        )
    }
}

async fn slow(State(shared): State<Arc<Mutex<Shared>>>) -> impl IntoResponse {
    hit(&shared, "/slow");
    // Slow on purpose, not waiting for anything: the check under test must give up at its
    // two-second timeout instead of waiting for this answer.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    StatusCode::OK
}

/// RFC 7636's S256: base64url(SHA-256(verifier)) without padding.
pub fn s256(verifier: &str) -> String {
    const URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let digest = Sha256::digest(verifier.as_bytes());
    let mut out = String::new();
    for chunk in digest.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(URL[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

async fn token(
    State(shared): State<Arc<Mutex<Shared>>>,
    Form(form): Form<HashMap<String, String>>,
) -> impl IntoResponse {
    hit(&shared, "/services/oauth2/token");
    let grant = form.get("grant_type").map(String::as_str);
    let ok = match grant {
        Some("authorization_code") => {
            let code = form.get("code").cloned().unwrap_or_default();
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            let challenge = shared.lock().unwrap().codes.remove(&code);
            challenge.is_some_and(|c| c == s256(&verifier))
        }
        Some("refresh_token") => {
            form.get("refresh_token").map(String::as_str) == Some("sf-refresh")
        }
        _ => false,
    };
    if ok {
        (
            StatusCode::OK,
            Json(
                json!({"access_token": "sf-access", "refresh_token": "sf-refresh",
                        "token_type": "Bearer", "expires_in": 300}),
            ),
        )
    } else {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
    }
}
