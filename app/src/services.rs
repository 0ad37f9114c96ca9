//! The boundary between server functions and the server (server build only).
//!
//! Server functions are public HTTP endpoints. Each one reads the caller from the request,
//! checks it, and then hands over to a [`Console`] the server provides through Leptos context.
//! `app` holds no SQL and no storage types: everything behind this trait lives in `server`.

use crate::model::TenantOverview;
use async_trait::async_trait;
use portcullis_core::email::Email;
use portcullis_core::ids::TenantId;
use portcullis_core::password::Password;
use portcullis_core::tenancy::Viewer;
use portcullis_core::Problem;
use std::sync::Arc;

/// Facts about the request that services record (origin IP for the activity log).
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// The client's address as the server sees it (or from a trusted proxy's header).
    pub origin_ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A session just created: the raw token goes into the cookie, only its hash is stored.
#[derive(Clone)]
pub struct NewSession {
    pub token: String,
    pub max_age_secs: i64,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("max_age_secs", &self.max_age_secs)
            .finish_non_exhaustive()
    }
}

/// A signed-in caller: who, and through which session.
#[derive(Debug, Clone)]
pub struct Caller {
    pub viewer: Viewer,
    /// Hash of the session token, to end or update this session.
    pub session_hash: String,
}

/// What the browser app may ask of the server.
#[async_trait]
pub trait Console: Send + Sync + 'static {
    /// Whether session cookies carry `Secure` (behind TLS).
    fn secure_cookies(&self) -> bool;

    /// Checks the password and opens a new session; `replaces` (a session cookie presented at
    /// sign-in) is ended so that a planted session id never becomes a signed-in one.
    async fn sign_in(
        &self,
        email: Email,
        password: Password,
        replaces: Option<String>,
        meta: RequestMeta,
    ) -> Result<NewSession, Problem>;

    /// Ends the session on the server.
    async fn sign_out(&self, caller: &Caller, meta: RequestMeta) -> Result<(), Problem>;

    /// The caller behind a session token, if the session is live.
    async fn caller(&self, session_token: &str) -> Result<Option<Caller>, Problem>;

    /// Moves the session into another tenant the caller may enter.
    async fn switch_tenant(&self, caller: &Caller, tenant: TenantId) -> Result<(), Problem>;

    /// The current tenant at a glance.
    async fn overview(&self, caller: &Caller) -> Result<TenantOverview, Problem>;

    /// Creates the first operator through the one-time setup link and signs them in.
    async fn complete_setup(
        &self,
        setup_token: String,
        name: String,
        email: Email,
        password: Password,
        meta: RequestMeta,
    ) -> Result<NewSession, Problem>;
}

/// How server functions find the server's services.
pub type SharedConsole = Arc<dyn Console>;
