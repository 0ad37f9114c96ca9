//! A local OpenID Connect provider on a loopback port: discovery, JWKS, and a token endpoint
//! that checks PKCE and signs ID tokens with its own RSA key. A test decides who signs in and
//! how the next token is spoiled (wrong signature, audience, expiry or nonce).

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const CLIENT_ID: &str = "portcullis-console";
pub const CLIENT_SECRET: &str = "oidc-client-secret-123";
const KEY: &str = include_str!("fixtures/oidc_key.pem");
const OTHER_KEY: &str = include_str!("fixtures/oidc_other_key.pem");
/// `KEY`'s public half, derived by `fixtures/jwks.py`.
const JWKS: &str = include_str!("fixtures/oidc_jwks.json");

/// How the next ID token is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spoil {
    Nothing,
    Signature,
    Audience,
    Expired,
    Nonce,
}

/// Who signs in: the provider's subject for them, and what it says of them.
#[derive(Debug, Clone)]
pub struct Identity {
    pub sub: String,
    pub email: String,
    /// `email_verified`; `None` leaves the claim out.
    pub verified: Option<bool>,
    pub name: String,
    pub groups: Vec<String>,
}

struct Issued {
    nonce: String,
    challenge: String,
    who: Identity,
    spoil: Spoil,
}

#[derive(Clone)]
struct Shared {
    url: String,
    codes: Arc<Mutex<HashMap<String, Issued>>>,
    /// Who the authorize endpoint signs in next, and how their token is spoiled.
    next: Arc<Mutex<Option<(Identity, Spoil)>>>,
    /// How many times the discovery document was read.
    discovered: Arc<std::sync::atomic::AtomicUsize>,
}

#[derive(Clone)]
pub struct FakeOidc {
    pub url: String,
    shared: Shared,
}

impl FakeOidc {
    pub async fn start() -> FakeOidc {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let shared = Shared {
            url: url.clone(),
            codes: Arc::default(),
            next: Arc::default(),
            discovered: Arc::default(),
        };
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route(
                "/jwks",
                get(|| async { Json(serde_json::from_str::<Value>(JWKS).expect("jwks")) }),
            )
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FakeOidc { url, shared }
    }

    /// How many times the discovery document was read.
    pub fn discoveries(&self) -> usize {
        self.shared
            .discovered
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The next person to consent at the authorize endpoint, and how their token is spoiled.
    pub fn sign_in_next(&self, who: Identity, spoil: Spoil) {
        *self.shared.next.lock().unwrap() = Some((who, spoil));
    }
}

/// The provider's consent page, consenting at once as the person set by `sign_in_next`: it
/// remembers the nonce and PKCE challenge with a fresh code and sends the browser back.
async fn authorize(
    State(s): State<Shared>,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
) -> impl IntoResponse {
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["code_challenge_method"], "S256");
    let Some((who, spoil)) = s.next.lock().unwrap().take() else {
        return (StatusCode::BAD_REQUEST, "nobody to sign in").into_response();
    };
    let code = format!("code-{}", uuid::Uuid::now_v7().simple());
    s.codes.lock().unwrap().insert(
        code.clone(),
        Issued {
            nonce: q["nonce"].clone(),
            challenge: q["code_challenge"].clone(),
            who,
            spoil,
        },
    );
    let back = format!("{}?code={code}&state={}", q["redirect_uri"], q["state"]);
    axum::response::Redirect::to(&back).into_response()
}

async fn discovery(State(s): State<Shared>) -> Json<Value> {
    s.discovered
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    Json(json!({
        "issuer": s.url,
        "authorization_endpoint": format!("{}/authorize", s.url),
        "token_endpoint": format!("{}/token", s.url),
        "jwks_uri": format!("{}/jwks", s.url),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "claims_supported": ["sub", "email", "name", "groups"],
    }))
}

async fn token(
    State(s): State<Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> impl IntoResponse {
    let code = form.get("code").cloned().unwrap_or_default();
    let Some(issued) = s.codes.lock().unwrap().remove(&code) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        );
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if crate::fake_provider::s256(&verifier) != issued.challenge {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": "PKCE"})),
        );
    }
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "iss": s.url,
        "sub": issued.who.sub,
        "aud": if issued.spoil == Spoil::Audience { "someone-else" } else { CLIENT_ID },
        "iat": now,
        "exp": if issued.spoil == Spoil::Expired { now - 3600 } else { now + 300 },
        "nonce": if issued.spoil == Spoil::Nonce { "another-nonce".to_owned() } else { issued.nonce },
        "email": issued.who.email,
        "name": issued.who.name,
        "groups": issued.who.groups,
    });
    if let Some(verified) = issued.who.verified {
        claims["email_verified"] = json!(verified);
    }
    let key = if issued.spoil == Spoil::Signature {
        OTHER_KEY
    } else {
        KEY
    };
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("test-key-1".to_owned());
    let id_token = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_rsa_pem(key.as_bytes()).expect("key"),
    )
    .expect("sign");
    (
        StatusCode::OK,
        Json(
            json!({"access_token": "oidc-access", "token_type": "Bearer", "expires_in": 300, "id_token": id_token}),
        ),
    )
}
