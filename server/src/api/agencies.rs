//! REST operations on an agency (a screen operator) for bots: the agency, its accounts,
//! boards and their images, campaigns on its boards and their ad approvals, campaign pulls,
//! published stats and lightning devices. Agency records are recorded in the platform's log
//! (they belong to no tenant), except what is made in one of its accounts, which that
//! account's log shows.

use crate::api::call::{body, fresh, BotCall, ListQuery, WindowQuery, Q};
use crate::api::state::ApiState;
use crate::api::views::{AccountView, AgencyStats, Pull, Reviewed};
use crate::http::problem::ApiError;
use crate::store::boards::{
    self as store, Account, Agency, AgencyCampaign, Board, BoardDay, Device,
};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use portcullis_core::apps::Permission as P;
use portcullis_core::boards::{playlist, reviewable, AdDecision, BoardImage, BoardPatch};
use portcullis_core::boards::{NewAgencyCampaign, StatsReport};
use portcullis_core::campaigns::NewAccount;
use portcullis_core::ids::{AgencyId, CampaignId, PullId, TenantId};
use portcullis_core::wire::Page;
use portcullis_core::{Problem, ProblemKind};
use sqlx::AnyConnection;

type Created<T> = (StatusCode, Json<T>);

/// Creates an account with the built-ins every tenant starts with, owned by `agency` if given.
/// Account names are unique: a taken name is a 409 naming the field.
pub(crate) async fn new_account(
    conn: &mut AnyConnection,
    call: &BotCall,
    name: &str,
    agency: Option<&AgencyId>,
) -> Result<TenantId, ApiError> {
    if crate::store::tenants::id_named_in(&mut *conn, name, agency)
        .await?
        .is_some()
    {
        return Err(name_taken());
    }
    let created = crate::services::provision::create_tenant(
        conn,
        name,
        agency,
        &call.bot.principal(),
        call.now,
    )
    .await?;
    Ok(created.id)
}

/// Account names are unique within their owner (the agency): a taken one is a 409 naming the
/// field. A name used elsewhere on the platform is no concern of this caller's.
fn name_taken() -> ApiError {
    let mut p = Problem::new(
        ProblemKind::Conflict,
        "name_taken",
        "an account of this agency already has this name",
    );
    p.field = Some("name".to_owned());
    ApiError(p)
}

pub(crate) async fn get_agency(
    State(state): State<ApiState>,
    Path(agency): Path<String>,
    call: BotCall,
) -> Result<Json<Agency>, ApiError> {
    let agency = call.agency(&agency, P::AgencyView)?;
    Ok(Json(
        store::agency(&state.services.db.pool, &agency)
            .await?
            .ok_or_else(|| ApiError(Problem::not_found("resource")))?,
    ))
}

pub(crate) async fn list_accounts(
    State(state): State<ApiState>,
    Path(agency): Path<String>,
    Q(q): Q<ListQuery>,
    call: BotCall,
) -> Result<Json<Page<Account>>, ApiError> {
    let agency = call.agency(&agency, P::AgencyViewAccounts)?;
    Ok(Json(
        store::accounts(&state.services.db.pool, &agency, &q.check()?).await?,
    ))
}

pub(crate) async fn create_account(
    State(state): State<ApiState>,
    Path(agency): Path<String>,
    call: BotCall,
    bytes: Bytes,
) -> Result<Created<Account>, ApiError> {
    let agency = call.agency(&agency, P::AgencyCreateAccounts)?;
    let name = body::<NewAccount>(&bytes)?.check()?;
    let mut tx = state.services.db.write().await?;
    let tenant = new_account(&mut tx, &call, &name, Some(&agency)).await?;
    call.record(
        &mut tx,
        Some(&tenant),
        "account/create",
        (tenant.as_str(), &name),
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(Account {
            id: tenant.to_string(),
            name,
            agency_id: Some(agency.to_string()),
            parent_id: None,
            created_at: call.now,
        }),
    ))
}

pub(crate) async fn rename_account(
    State(state): State<ApiState>,
    Path((agency, account)): Path<(String, String)>,
    call: BotCall,
    bytes: Bytes,
) -> Result<Json<AccountView>, ApiError> {
    let agency = call.agency(&agency, P::AgencyUpdateDeleteAllAgencyAccounts)?;
    let name = body::<NewAccount>(&bytes)?.check()?;
    let pool = &state.services.db.pool;
    if crate::store::tenants::id_named_in(pool, &name, Some(&agency))
        .await?
        .is_some_and(|other| other.as_str() != account)
    {
        return Err(name_taken());
    }
    let mut tx = state.services.db.write().await?;
    if !store::rename_account(&mut tx, &agency, &account, &name).await? {
        return Err(ApiError(Problem::not_found("account")));
    }
    let tenant = TenantId::parse(&account).map_err(|_| ApiError(Problem::not_found("account")))?;
    call.record(&mut tx, Some(&tenant), "account/rename", (&account, &name))
        .await?;
    tx.commit().await?;
    Ok(Json(AccountView {
        id: account,
        name,
        agency_id: Some(agency.to_string()),
        agency_name: None,
    }))
}

pub(crate) async fn list_boards(
    State(state): State<ApiState>,
    Path(agency): Path<String>,
    Q(q): Q<ListQuery>,
    call: BotCall,
) -> Result<Json<Page<Board>>, ApiError> {
    let agency = call.agency(&agency, P::AgencyViewBoards)?;
    Ok(Json(
        store::boards(&state.services.db.pool, &agency, &q.check()?).await?,
    ))
}

/// Changes a board with `change` inside one transaction and records it as `event_type`.
async fn change_board(
    state: &ApiState,
    call: &BotCall,
    agency: &AgencyId,
    board: &str,
    event_type: &str,
    change: impl FnOnce(&mut Board),
) -> Result<Json<Board>, ApiError> {
    let mut tx = state.services.db.write().await?;
    // The write first, for SQLite's lock (see rest_accounts::update_campaign).
    sqlx::query("UPDATE boards SET updated_at = updated_at WHERE agency_id = $1 AND id = $2")
        .bind(agency.as_str())
        .bind(board)
        .execute(&mut *tx)
        .await?;
    let mut found = store::board(&mut tx, agency, board)
        .await?
        .ok_or_else(|| ApiError(Problem::not_found("board")))?;
    change(&mut found);
    found.updated_at = call.now;
    store::update_board(&mut tx, agency, &found).await?;
    call.record(&mut tx, None, event_type, (&found.id, &found.name))
        .await?;
    tx.commit().await?;
    Ok(Json(found))
}

pub(crate) async fn update_board(
    State(state): State<ApiState>,
    Path((agency, board)): Path<(String, String)>,
    call: BotCall,
    bytes: Bytes,
) -> Result<Json<Board>, ApiError> {
    let agency = call.agency(&agency, P::AgencyCanEditBoards)?;
    let (name, location) = body::<BoardPatch>(&bytes)?.check()?;
    change_board(&state, &call, &agency, &board, "board/update", |b| {
        if let Some(n) = name {
            b.name = n;
        }
        if let Some(l) = location {
            b.location = l;
        }
    })
    .await
}

pub(crate) async fn set_board_image(
    State(state): State<ApiState>,
    Path((agency, board)): Path<(String, String)>,
    call: BotCall,
    bytes: Bytes,
) -> Result<Json<Board>, ApiError> {
    let agency = call.agency(&agency, P::AgencyCanSetBoardImages)?;
    let url = body::<BoardImage>(&bytes)?.check()?;
    change_board(&state, &call, &agency, &board, "board/set_image", |b| {
        b.image_url = Some(url);
    })
    .await
}

pub(crate) async fn list_campaigns(
    State(state): State<ApiState>,
    Path(agency): Path<String>,
    Q(q): Q<ListQuery>,
    call: BotCall,
) -> Result<Json<Page<AgencyCampaign>>, ApiError> {
    let agency = call.agency(&agency, P::AgencyViewCampaigns)?;
    Ok(Json(
        store::agency_campaigns(&state.services.db.pool, &agency, &q.check()?).await?,
    ))
}

pub(crate) async fn create_campaign(
    State(state): State<ApiState>,
    Path(agency): Path<String>,
    call: BotCall,
    bytes: Bytes,
) -> Result<Created<crate::store::campaigns::Campaign>, ApiError> {
    let agency = call.agency(&agency, P::AgencyCreateCampaigns)?;
    let new = body::<NewAgencyCampaign>(&bytes)?;
    let (settings, boards) = new.check()?;
    let id = fresh(CampaignId::from_bytes);
    let now = call.now;
    let pool = &state.services.db.pool;
    // What the campaign names is checked before the transaction, so that it starts with its
    // first write (SQLite); an account or board never moves to another agency.
    let mut conn = pool.acquire().await?;
    let tenant = TenantId::parse(&new.account_id).ok();
    let tenant = match tenant {
        Some(t) if store::owns(&mut conn, &agency, t.as_str()).await? => t,
        _ => {
            return Err(ApiError(Problem::invalid(
                "account_id",
                "unknown_account",
                "the agency owns no account with this id",
            )))
        }
    };
    for board in &boards {
        if store::board(&mut conn, &agency, board).await?.is_none() {
            return Err(ApiError(Problem::invalid(
                "board_ids",
                "unknown_board",
                format!("the agency has no board {board}"),
            )));
        }
    }
    drop(conn);
    let mut tx = state.services.db.write().await?;
    crate::store::campaigns::insert_campaign(&mut tx, &tenant, &id, &settings, now).await?;
    for board in &boards {
        store::place(&mut tx, &agency, board, &id, now).await?;
    }
    call.record(
        &mut tx,
        Some(&tenant),
        "campaign/create",
        (&id, &settings.name),
    )
    .await?;
    let created = crate::store::campaigns::campaign(&mut tx, &tenant, &id)
        .await?
        .ok_or_else(|| ApiError(Problem::internal()))?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub(crate) async fn decide_ad(
    State(state): State<ApiState>,
    Path(agency): Path<String>,
    call: BotCall,
    bytes: Bytes,
) -> Result<Json<Reviewed>, ApiError> {
    let agency = call.agency(&agency, P::AgencyCanApproveAds)?;
    let decision = body::<AdDecision>(&bytes)?;
    let (approval, note) = decision.check()?;
    let now = call.now;
    let mut tx = state.services.db.write().await?;
    if !store::review(
        &mut tx,
        &agency,
        &decision.board_id,
        &decision.campaign_id,
        approval,
        &note,
        now,
    )
    .await?
    {
        return Err(ApiError(Problem::not_found("placement")));
    }
    let status = sqlx::query_scalar::<_, String>("SELECT status FROM campaigns WHERE id = $1")
        .bind(decision.campaign_id.clone())
        .fetch_one(&mut *tx)
        .await?;
    if portcullis_core::campaigns::CampaignStatus::from_code(&status)
        .is_some_and(|s| !reviewable(s))
    {
        return Err(ApiError(Problem::new(
            ProblemKind::Conflict,
            "campaign_ended",
            "the campaign has ended; its approvals stay as they were decided",
        )));
    }
    let object = format!(
        "{} on {}: {}",
        decision.campaign_id,
        decision.board_id,
        approval.code()
    );
    call.record(&mut tx, None, "ad/review", (&decision.campaign_id, &object))
        .await?;
    tx.commit().await?;
    Ok(Json(Reviewed {
        board_id: decision.board_id,
        campaign_id: decision.campaign_id,
        approval,
        note,
    }))
}

pub(crate) async fn pull_campaigns(
    State(state): State<ApiState>,
    Path(agency): Path<String>,
    call: BotCall,
) -> Result<Created<Pull>, ApiError> {
    let agency = call.agency(&agency, P::AgencyPullCampaigns)?;
    let now = call.now;
    let id = fresh(PullId::from_bytes);
    let mut tx = state.services.db.write().await?;
    let (boards, placements) = store::pull_inputs(&mut tx, &agency).await?;
    let lists = playlist(&boards, &placements, now.date_naive());
    let placed: usize = lists.iter().map(|b| b.campaign_ids.len()).sum();
    let by = call.bot.token.id.as_str();
    store::insert_pull(&mut tx, &agency, &id, lists.len(), placed, by, now).await?;
    let name = format!("{} boards, {placed} placements", lists.len());
    call.record(&mut tx, None, "campaign/pull", (&id, &name))
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Pull { id, boards: lists })))
}

pub(crate) async fn publish_stats(
    State(state): State<ApiState>,
    Path(agency): Path<String>,
    call: BotCall,
    bytes: Bytes,
) -> Result<Json<BoardDay>, ApiError> {
    let agency = call.agency(&agency, P::AgencyPublishAnalytics)?;
    let report = body::<StatsReport>(&bytes)?;
    let now = call.now;
    report.check(now.date_naive())?;
    let pool = &state.services.db.pool;
    let mut conn = pool.acquire().await?;
    if store::board(&mut conn, &agency, &report.board_id)
        .await?
        .is_none()
    {
        return Err(ApiError(Problem::invalid(
            "board_id",
            "unknown_board",
            "the agency has no board with this id",
        )));
    }
    drop(conn);
    let mut tx = state.services.db.write().await?;
    store::put_board_day(
        &mut tx,
        &agency,
        &report.board_id,
        report.day,
        report.plays,
        report.impressions,
        now,
    )
    .await?;
    let name = format!("{} on {}", report.board_id, report.day);
    call.record(&mut tx, None, "stats/publish", (&report.board_id, &name))
        .await?;
    tx.commit().await?;
    Ok(Json(BoardDay {
        board_id: report.board_id,
        day: report.day,
        plays: report.plays,
        impressions: report.impressions,
    }))
}

pub(crate) async fn stats(
    State(state): State<ApiState>,
    Path(agency): Path<String>,
    Q(q): Q<WindowQuery>,
    call: BotCall,
) -> Result<Json<AgencyStats>, ApiError> {
    let agency = call.agency(&agency, P::AgencyViewAnalytics)?;
    let (from, to) = q.check()?;
    let days = store::board_days(&state.services.db.pool, &agency, from, to).await?;
    Ok(Json(AgencyStats {
        from,
        to,
        plays: days.iter().map(|d| d.plays).sum(),
        impressions: days.iter().map(|d| d.impressions).sum(),
        days,
    }))
}

pub(crate) async fn list_devices(
    State(state): State<ApiState>,
    Path(agency): Path<String>,
    Q(q): Q<ListQuery>,
    call: BotCall,
) -> Result<Json<Page<Device>>, ApiError> {
    let agency = call.agency(&agency, P::AgencyViewLightningDevices)?;
    Ok(Json(
        store::devices(&state.services.db.pool, &agency, &q.check()?).await?,
    ))
}
