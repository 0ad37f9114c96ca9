//! What accounts hold for apps: campaigns and their daily figures, content, data feeds and
//! default creatives. Every query names its tenant.

use super::id_pages::{page, PageAt};
use crate::store::StoreError;
use crate::store::{from_millis, to_millis};
use chrono::{DateTime, NaiveDate, Utc};
use portcullis_core::campaigns::{CampaignSettings, CampaignStatus, ContentKind, DailyFigures};
use portcullis_core::campaigns::{FeedFormat, NewContent, NewFeed};
use portcullis_core::ids::TenantId;
use portcullis_core::wire::Page;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use utoipa::ToSchema;

/// A campaign as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Campaign {
    pub id: String,
    pub account_id: String,
    pub name: String,
    pub status: CampaignStatus,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub daily_budget_cents: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Campaign {
    pub fn settings(&self) -> CampaignSettings {
        CampaignSettings {
            name: self.name.clone(),
            status: self.status,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            daily_budget_cents: self.daily_budget_cents,
        }
    }
}

/// A stored `YYYY-MM-DD` back as a date.
pub(crate) fn date_of(r: &AnyRow, column: &str) -> Result<Option<NaiveDate>, StoreError> {
    Ok(r.try_get::<Option<String>, _>(column)?
        .map(|d| d.parse().map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .transpose()?)
}

fn decode<T>(found: Option<T>, what: &str) -> Result<T, StoreError> {
    Ok(found.ok_or_else(|| sqlx::Error::Decode(format!("unknown stored {what}").into()))?)
}

const CAMPAIGN_COLUMNS: &str =
    "id, tenant_id, name, status, starts_on, ends_on, daily_budget_cents, created_at, updated_at";

pub(crate) fn campaign_of(r: &AnyRow) -> Result<Campaign, StoreError> {
    Ok(Campaign {
        id: r.try_get("id")?,
        account_id: r.try_get("tenant_id")?,
        name: r.try_get("name")?,
        status: decode(
            CampaignStatus::from_code(&r.try_get::<String, _>("status")?),
            "status",
        )?,
        starts_on: date_of(r, "starts_on")?,
        ends_on: date_of(r, "ends_on")?,
        daily_budget_cents: r.try_get("daily_budget_cents")?,
        created_at: from_millis(r.try_get("created_at")?),
        updated_at: from_millis(r.try_get("updated_at")?),
    })
}

pub async fn campaigns(
    pool: &AnyPool,
    tenant: &TenantId,
    at: &PageAt,
) -> Result<Page<Campaign>, StoreError> {
    let select = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE tenant_id = $1");
    page(pool, &select, "id", tenant.as_str(), at, campaign_of).await
}

/// One campaign of the tenant.
pub async fn campaign(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
) -> Result<Option<Campaign>, StoreError> {
    sqlx::query(&format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant.as_str())
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(campaign_of)
    .transpose()
}

fn day_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// Stores a new campaign.
pub async fn insert_campaign(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    s: &CampaignSettings,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO campaigns (id, tenant_id, name, status, starts_on, ends_on, daily_budget_cents, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(id)
    .bind(tenant.as_str())
    .bind(s.name.clone())
    .bind(s.status.code())
    .bind(day_text(s.starts_on))
    .bind(day_text(s.ends_on))
    .bind(s.daily_budget_cents)
    .bind(to_millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces a campaign's settings.
pub async fn update_campaign(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    s: &CampaignSettings,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE campaigns SET name = $3, status = $4, starts_on = $5, ends_on = $6, daily_budget_cents = $7, updated_at = $8 \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.as_str())
    .bind(id)
    .bind(s.name.clone())
    .bind(s.status.code())
    .bind(day_text(s.starts_on))
    .bind(day_text(s.ends_on))
    .bind(s.daily_budget_cents)
    .bind(to_millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// A campaign's figures for one day, for the demo and tests (the ad server writes them).
pub async fn put_day(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    campaign: &str,
    day: NaiveDate,
    f: DailyFigures,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO campaign_days (campaign_id, tenant_id, day, impressions, clicks, spend_cents) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(campaign)
    .bind(tenant.as_str())
    .bind(day.to_string())
    .bind(f.impressions)
    .bind(f.clicks)
    .bind(f.spend_cents)
    .execute(conn)
    .await?;
    Ok(())
}

/// The account's figures per day in `[from, to]`, summed over its campaigns.
pub async fn days(
    pool: &AnyPool,
    tenant: &TenantId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, DailyFigures)>, StoreError> {
    let rows = sqlx::query(
        "SELECT day, CAST(SUM(impressions) AS BIGINT) AS impressions, CAST(SUM(clicks) AS BIGINT) AS clicks, \
                CAST(SUM(spend_cents) AS BIGINT) AS spend_cents \
         FROM campaign_days WHERE tenant_id = $1 AND day >= $2 AND day <= $3 GROUP BY day ORDER BY day",
    )
    .bind(tenant.as_str())
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                decode(date_of(r, "day")?, "day")?,
                DailyFigures {
                    impressions: r.try_get("impressions")?,
                    clicks: r.try_get("clicks")?,
                    spend_cents: r.try_get("spend_cents")?,
                },
            ))
        })
        .collect()
}

/// A post or photo as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Content {
    pub id: String,
    pub kind: ContentKind,
    pub title: String,
    pub body: String,
    pub media_url: Option<String>,
    pub campaign_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn content(
    pool: &AnyPool,
    tenant: &TenantId,
    at: &PageAt,
) -> Result<Page<Content>, StoreError> {
    let select = "SELECT id, kind, title, body, media_url, campaign_id, created_at FROM content_items WHERE tenant_id = $1";
    page(pool, select, "id", tenant.as_str(), at, |r| {
        Ok(Content {
            id: r.try_get("id")?,
            kind: decode(
                ContentKind::from_code(&r.try_get::<String, _>("kind")?),
                "kind",
            )?,
            title: r.try_get("title")?,
            body: r.try_get("body")?,
            media_url: r.try_get("media_url")?,
            campaign_id: r.try_get("campaign_id")?,
            created_at: from_millis(r.try_get("created_at")?),
        })
    })
    .await
}

/// Stores checked content; `campaign` has been found in the same tenant.
pub async fn insert_content(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    c: &NewContent,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO content_items (id, tenant_id, campaign_id, kind, title, body, media_url, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(tenant.as_str())
    .bind(c.campaign_id.clone())
    .bind(c.kind.code())
    .bind(c.title.clone())
    .bind(c.body.clone())
    .bind(c.media_url.clone())
    .bind(to_millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// A data feed as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Feed {
    pub id: String,
    pub name: String,
    pub url: String,
    pub format: FeedFormat,
    pub refresh_minutes: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn feeds(
    pool: &AnyPool,
    tenant: &TenantId,
    at: &PageAt,
) -> Result<Page<Feed>, StoreError> {
    let select = "SELECT id, name, url, format, refresh_minutes, created_at FROM data_feeds WHERE tenant_id = $1";
    page(pool, select, "id", tenant.as_str(), at, |r| {
        Ok(Feed {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            url: r.try_get("url")?,
            format: decode(
                FeedFormat::from_code(&r.try_get::<String, _>("format")?),
                "format",
            )?,
            refresh_minutes: r.try_get("refresh_minutes")?,
            created_at: from_millis(r.try_get("created_at")?),
        })
    })
    .await
}

pub async fn insert_feed(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &str,
    f: &NewFeed,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO data_feeds (id, tenant_id, name, url, format, refresh_minutes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(tenant.as_str())
    .bind(f.name.clone())
    .bind(f.url.clone())
    .bind(f.format.code())
    .bind(i64::from(f.refresh_minutes.unwrap_or(60)))
    .bind(to_millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// A default creative: what plays for the account when no campaign does.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Creative {
    pub id: String,
    pub name: String,
    pub media_url: String,
    pub width: i64,
    pub height: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn creatives(
    pool: &AnyPool,
    tenant: &TenantId,
    at: &PageAt,
) -> Result<Page<Creative>, StoreError> {
    let select = "SELECT id, name, media_url, width, height, created_at FROM default_creatives WHERE tenant_id = $1";
    page(pool, select, "id", tenant.as_str(), at, |r| {
        Ok(Creative {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            media_url: r.try_get("media_url")?,
            width: r.try_get("width")?,
            height: r.try_get("height")?,
            created_at: from_millis(r.try_get("created_at")?),
        })
    })
    .await
}

/// Stores a default creative (the demo's; creatives are uploaded through the creative studio).
pub async fn insert_creative(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    c: &Creative,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO default_creatives (id, tenant_id, name, media_url, width, height, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(c.id.clone())
    .bind(tenant.as_str())
    .bind(c.name.clone())
    .bind(c.media_url.clone())
    .bind(c.width)
    .bind(c.height)
    .bind(to_millis(c.created_at))
    .execute(conn)
    .await?;
    Ok(())
}
