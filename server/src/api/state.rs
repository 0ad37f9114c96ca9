//! What the API's handlers share.

use crate::services::rate_limits::SharedLimits;
use crate::services::Services;
use crate::store::Db;
use axum::extract::FromRef;
use std::sync::Arc;

/// What the API's handlers share. Behind `Arc`s because axum clones the state for every
/// request, and a `Services` clone allocates.
#[derive(Clone)]
pub(crate) struct ApiState {
    pub(crate) services: Arc<Services>,
    pub(crate) limits: SharedLimits,
}

impl FromRef<ApiState> for Db {
    fn from_ref(s: &ApiState) -> Db {
        s.services.db.clone()
    }
}
