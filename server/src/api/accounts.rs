//! REST operations on an account (a tenant) for bots: the account itself, its campaigns,
//! child accounts, content, data feeds, analytics and default creatives. Each checks the
//! permission core decides, then reads or writes that tenant's records only; every change is
//! recorded with the token as principal in the same transaction.

use crate::api::call::{body, fresh, BotCall, ListQuery, WindowQuery, Q};
use crate::api::state::ApiState;
use crate::api::views::{AccountView, Analytics, AnalyticsDay, CreatedAccount};
use crate::http::problem::ApiError;
use crate::store::campaigns::{self as store, Campaign, Content, Creative, Feed};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use portcullis_core::apps::Permission as P;
use portcullis_core::campaigns::{totals, CampaignPatch, NewAccount, NewCampaign};
use portcullis_core::campaigns::{DailyFigures, NewContent, NewFeed};
use portcullis_core::ids::{CampaignId, ContentId, FeedId};
use portcullis_core::wire::Page;
use portcullis_core::Problem;

type Created<T> = (StatusCode, Json<T>);

pub(crate) async fn get_account(
    Path(account): Path<String>,
    call: BotCall,
) -> Result<Json<AccountView>, ApiError> {
    let tenant = call.account(&account, P::AccountView)?;
    let summary = crate::store::tenants::summary(&call.reads, &tenant)
        .await?
        .ok_or_else(|| ApiError(Problem::not_found("resource")))?;
    Ok(Json(AccountView {
        id: summary.id.to_string(),
        name: summary.name,
        agency_id: summary.agency_id.map(|a| a.to_string()),
        agency_name: summary.agency_name,
    }))
}

pub(crate) async fn list_campaigns(
    State(state): State<ApiState>,
    Path(account): Path<String>,
    Q(q): Q<ListQuery>,
    call: BotCall,
) -> Result<Json<Page<Campaign>>, ApiError> {
    let tenant = call.account(&account, P::AccountViewCampaigns)?;
    Ok(Json(
        store::campaigns(&state.services.db.pool, &tenant, &q.check()?).await?,
    ))
}

pub(crate) async fn create_campaign(
    State(state): State<ApiState>,
    Path(account): Path<String>,
    call: BotCall,
    bytes: Bytes,
) -> Result<Created<Campaign>, ApiError> {
    let tenant = call.account(&account, P::AccountCreateCampaigns)?;
    let settings = body::<NewCampaign>(&bytes)?.check()?;
    let id = fresh(CampaignId::from_bytes);
    let now = call.now;
    let mut tx = state.services.db.write().await?;
    store::insert_campaign(&mut tx, &tenant, &id, &settings, now).await?;
    call.record(
        &mut tx,
        Some(&tenant),
        "campaign/create",
        (&id, &settings.name),
    )
    .await?;
    let created = store::campaign(&mut tx, &tenant, &id)
        .await?
        .ok_or_else(|| ApiError(Problem::internal()))?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub(crate) async fn update_campaign(
    State(state): State<ApiState>,
    Path((account, campaign)): Path<(String, String)>,
    call: BotCall,
    bytes: Bytes,
) -> Result<Json<Campaign>, ApiError> {
    let tenant = call.account(&account, P::AccountEditCampaigns)?;
    let patch = body::<CampaignPatch>(&bytes)?;
    let mut tx = state.services.db.write().await?;
    // Touching the row first locks it on PostgreSQL, so two patches apply one after the other
    // rather than both to the same read.
    sqlx::query("UPDATE campaigns SET updated_at = updated_at WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.as_str())
        .bind(campaign.clone())
        .execute(&mut *tx)
        .await?;
    let current = store::campaign(&mut tx, &tenant, &campaign)
        .await?
        .ok_or_else(|| ApiError(Problem::not_found("campaign")))?;
    let next = patch.apply(&current.settings())?;
    store::update_campaign(&mut tx, &tenant, &campaign, &next, call.now).await?;
    call.record(
        &mut tx,
        Some(&tenant),
        "campaign/update",
        (&campaign, &next.name),
    )
    .await?;
    let updated = store::campaign(&mut tx, &tenant, &campaign)
        .await?
        .ok_or_else(|| ApiError(Problem::internal()))?;
    tx.commit().await?;
    Ok(Json(updated))
}

pub(crate) async fn create_child(
    State(state): State<ApiState>,
    Path(account): Path<String>,
    call: BotCall,
    bytes: Bytes,
) -> Result<Created<CreatedAccount>, ApiError> {
    let parent = call.account(&account, P::AccountCreateChildAccounts)?;
    let name = body::<NewAccount>(&bytes)?.check()?;
    let agency = crate::store::tenants::summary(&call.reads, &parent)
        .await?
        .and_then(|s| s.agency_id);
    let mut tx = state.services.db.write().await?;
    let child = crate::api::agencies::new_account(&mut tx, &call, &name, agency.as_ref()).await?;
    crate::store::boards::set_parent(&mut tx, &child, &parent).await?;
    call.record(
        &mut tx,
        Some(&parent),
        "account/create_child",
        (child.as_str(), &name),
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedAccount {
            id: child.to_string(),
            name,
            parent_id: Some(parent.to_string()),
            agency_id: agency.map(|a| a.to_string()),
        }),
    ))
}

pub(crate) async fn list_content(
    State(state): State<ApiState>,
    Path(account): Path<String>,
    Q(q): Q<ListQuery>,
    call: BotCall,
) -> Result<Json<Page<Content>>, ApiError> {
    let tenant = call.account(&account, P::AccountViewContent)?;
    Ok(Json(
        store::content(&state.services.db.pool, &tenant, &q.check()?).await?,
    ))
}

pub(crate) async fn create_content(
    State(state): State<ApiState>,
    Path(account): Path<String>,
    call: BotCall,
    bytes: Bytes,
) -> Result<Created<Content>, ApiError> {
    let tenant = call.account(&account, P::AccountCreateContent)?;
    let content = body::<NewContent>(&bytes)?.check()?;
    let id = fresh(ContentId::from_bytes);
    let now = call.now;
    let mut tx = state.services.db.write().await?;
    // The campaign must be this account's.
    if let Some(c) = &content.campaign_id {
        if store::campaign(&mut tx, &tenant, c).await?.is_none() {
            return Err(ApiError(Problem::invalid(
                "campaign_id",
                "unknown_campaign",
                "no campaign of this account has this id",
            )));
        }
    }
    store::insert_content(&mut tx, &tenant, &id, &content, now).await?;
    call.record(
        &mut tx,
        Some(&tenant),
        "content/create",
        (&id, &content.title),
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(Content {
            id,
            kind: content.kind,
            title: content.title,
            body: content.body,
            media_url: content.media_url,
            campaign_id: content.campaign_id,
            created_at: now,
        }),
    ))
}

pub(crate) async fn list_feeds(
    State(state): State<ApiState>,
    Path(account): Path<String>,
    Q(q): Q<ListQuery>,
    call: BotCall,
) -> Result<Json<Page<Feed>>, ApiError> {
    let tenant = call.account(&account, P::AccountViewFeeds)?;
    Ok(Json(
        store::feeds(&state.services.db.pool, &tenant, &q.check()?).await?,
    ))
}

pub(crate) async fn create_feed(
    State(state): State<ApiState>,
    Path(account): Path<String>,
    call: BotCall,
    bytes: Bytes,
) -> Result<Created<Feed>, ApiError> {
    let tenant = call.account(&account, P::AccountCreateFeeds)?;
    let feed = body::<NewFeed>(&bytes)?.check()?;
    let id = fresh(FeedId::from_bytes);
    let now = call.now;
    let mut tx = state.services.db.write().await?;
    store::insert_feed(&mut tx, &tenant, &id, &feed, now).await?;
    call.record(&mut tx, Some(&tenant), "feed/create", (&id, &feed.name))
        .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(Feed {
            id,
            name: feed.name,
            url: feed.url,
            format: feed.format,
            refresh_minutes: i64::from(feed.refresh_minutes.unwrap_or(60)),
            created_at: now,
        }),
    ))
}

pub(crate) async fn analytics(
    State(state): State<ApiState>,
    Path(account): Path<String>,
    Q(q): Q<WindowQuery>,
    call: BotCall,
) -> Result<Json<Analytics>, ApiError> {
    let tenant = call.account(&account, P::AccountViewAnalytics)?;
    let (from, to) = q.check()?;
    let days = store::days(&state.services.db.pool, &tenant, from, to).await?;
    let figures: Vec<DailyFigures> = days.iter().map(|(_, f)| *f).collect();
    Ok(Json(Analytics {
        from,
        to,
        totals: totals(&figures),
        days: days
            .into_iter()
            .map(|(day, f)| AnalyticsDay {
                day,
                impressions: f.impressions,
                clicks: f.clicks,
                spend_cents: f.spend_cents,
            })
            .collect(),
    }))
}

pub(crate) async fn list_creatives(
    State(state): State<ApiState>,
    Path(account): Path<String>,
    Q(q): Q<ListQuery>,
    call: BotCall,
) -> Result<Json<Page<Creative>>, ApiError> {
    let tenant = call.account(&account, P::AccountViewDefaultCreative)?;
    Ok(Json(
        store::creatives(&state.services.db.pool, &tenant, &q.check()?).await?,
    ))
}
