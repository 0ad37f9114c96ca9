//! `GET /me`: the calling bot, its token and its app.

use crate::api::call::bot_of;
use crate::api::state::ApiState;
use crate::http::problem::ApiError;
use crate::http::request::meta_of;
use crate::store::reads::Snapshot;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap};
use axum::Json;
use serde_json::json;

/// The calling bot: its token and its app with what the app asks for.
pub(crate) async fn me(
    State(state): State<ApiState>,
    extensions: Extensions,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let reads = Snapshot::begin(&state.services.db)?;
    let bot = bot_of(&state, &reads, &headers, &meta_of(&extensions)).await?;
    // The app's permissions came with the token (in core's order, as the store sorts them).
    let permissions = &bot.access.app_permissions;
    Ok(Json(json!({
        "token": {"id": bot.token.id, "name": bot.token.name, "public_token": bot.token.public_token},
        "app": {
            "id": bot.app,
            "name": bot.app_name,
            "permissions": permissions.iter().map(|p| p.code()).collect::<Vec<_>>(),
        },
    })))
}
