//! The list queries server functions hand to the server: filters, sort, and a keyset cursor.

/// What the users list asks for.
#[derive(Debug, Clone)]
pub struct UserQuery {
    pub search: String,
    pub sort: crate::people::UserSort,
    pub descending: bool,
    pub after: Option<String>,
    pub limit: u32,
}

/// What the activity list asks for.
#[derive(Debug, Clone, Default)]
pub struct ActivityQuery {
    pub filter: crate::audit::ActivityFilter,
    pub sort: crate::audit::ActivitySort,
    pub descending: bool,
    pub after: Option<String>,
    pub limit: u32,
}

/// What the authorizations dashboard asks for.
#[derive(Debug, Clone, Default)]
pub struct AuthorizationQuery {
    pub sort: crate::authorizations::AuthorizationSort,
    pub descending: bool,
    pub after: Option<String>,
    pub limit: u32,
}

/// What a jobs table asks for: the tenant's jobs, or one authorization's.
#[derive(Debug, Clone, Default)]
pub struct JobQuery {
    pub authorization: Option<crate::ids::AuthorizationId>,
    pub sort: crate::jobs::JobSort,
    pub descending: bool,
    pub after: Option<String>,
    pub limit: u32,
}
