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

/// Who signs in.
#[derive(Debug, Clone)]
pub struct Identity {
    pub email: String,
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
        };
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route(
                "/jwks",
                get(|| async { Json(serde_json::from_str::<Value>(JWKS).expect("jwks")) }),
            )
            .route("/token", post(token))
            .with_state(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FakeOidc { url, shared }
    }

    /// The person consented at the authorize URL: its code will carry `who`.
    pub fn consent(&self, authorize_url: &str, code: &str, who: Identity, spoil: Spoil) {
        let query: HashMap<String, String> =
            serde_urlencoded::from_str(authorize_url.split_once('?').expect("query").1)
                .expect("query");
        assert_eq!(query["client_id"], CLIENT_ID);
        assert_eq!(query["code_challenge_method"], "S256");
        self.shared.codes.lock().unwrap().insert(
            code.to_owned(),
            Issued {
                nonce: query["nonce"].clone(),
                challenge: query["code_challenge"].clone(),
                who,
                spoil,
            },
        );
    }
}

async fn discovery(State(s): State<Shared>) -> Json<Value> {
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
    let claims = json!({
        "iss": s.url,
        "sub": format!("sub-{}", issued.who.email),
        "aud": if issued.spoil == Spoil::Audience { "someone-else" } else { CLIENT_ID },
        "iat": now,
        "exp": if issued.spoil == Spoil::Expired { now - 3600 } else { now + 300 },
        "nonce": if issued.spoil == Spoil::Nonce { "another-nonce".to_owned() } else { issued.nonce },
        "email": issued.who.email,
        "email_verified": true,
        "name": issued.who.name,
        "groups": issued.who.groups,
    });
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
