//! What agencies hold for apps: their accounts, boards (screens), campaign placements with
//! ad approvals, campaign pulls, published stats and lightning devices. Every query names its
//! agency.

use super::campaigns::{campaign_of, date_of, Campaign};
use super::id_pages::{page, PageAt};
use crate::store::StoreError;
use crate::store::{from_millis, to_millis};
use chrono::{DateTime, NaiveDate, Utc};
use portcullis_core::boards::{Approval, Placement};
use portcullis_core::ids::{AgencyId, TenantId};
use portcullis_core::wire::Page;
use serde::Serialize;
use sqlx::{AnyConnection, AnyPool, Row};
use utoipa::ToSchema;

/// An agency as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Agency {
    pub id: String,
    pub name: String,
    pub accounts: i64,
    pub boards: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn agency(pool: &AnyPool, agency: &AgencyId) -> Result<Option<Agency>, StoreError> {
    sqlx::query(
        "SELECT a.id, a.name, a.created_at, \
           (SELECT COUNT(*) FROM tenants t WHERE t.agency_id = a.id) AS accounts, \
           (SELECT COUNT(*) FROM boards b WHERE b.agency_id = a.id) AS boards \
         FROM agencies a WHERE a.id = $1",
    )
    .bind(agency.as_str())
    .fetch_optional(pool)
    .await?
    .map(|r| {
        Ok(Agency {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            accounts: r.try_get("accounts")?,
            boards: r.try_get("boards")?,
            created_at: from_millis(r.try_get("created_at")?),
        })
    })
    .transpose()
}

/// An account (tenant) as the API lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub agency_id: Option<String>,
    pub parent_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn accounts(
    pool: &AnyPool,
    agency: &AgencyId,
    at: &PageAt,
) -> Result<Page<Account>, StoreError> {
    let select =
        "SELECT id, name, agency_id, parent_id, created_at FROM tenants WHERE agency_id = $1";
    page(pool, select, "id", agency.as_str(), at, |r| {
        Ok(Account {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            agency_id: r.try_get("agency_id")?,
            parent_id: r.try_get("parent_id")?,
            created_at: from_millis(r.try_get("created_at")?),
        })
    })
    .await
}

/// Whether `agency` owns `tenant`.
pub async fn owns(
    conn: &mut AnyConnection,
    agency: &AgencyId,
    tenant: &str,
) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("SELECT 1 FROM tenants WHERE agency_id = $1 AND id = $2")
            .bind(agency.as_str())
            .bind(tenant)
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// Renames a tenant the agency owns; false when it owns no such tenant.
pub async fn rename_account(
    conn: &mut AnyConnection,
    agency: &AgencyId,
    tenant: &str,
    name: &str,
) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("UPDATE tenants SET name = $3 WHERE agency_id = $1 AND id = $2")
            .bind(agency.as_str())
            .bind(tenant)
            .bind(name)
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Makes `child` a child account of `parent`.
pub async fn set_parent(
    conn: &mut AnyConnection,
    child: &TenantId,
    parent: &TenantId,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE tenants SET parent_id = $2 WHERE id = $1")
        .bind(child.as_str())
        .bind(parent.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// A board (screen) as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Board {
    pub id: String,
    pub name: String,
    pub location: String,
    pub width: i64,
    pub height: i64,
    pub image_url: Option<String>,
    pub updated_at: DateTime<Utc>,
}

const BOARD_COLUMNS: &str = "id, name, location, width, height, image_url, updated_at";

fn board_of(r: &sqlx::any::AnyRow) -> Result<Board, StoreError> {
    Ok(Board {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        location: r.try_get("location")?,
        width: r.try_get("width")?,
        height: r.try_get("height")?,
        image_url: r.try_get("image_url")?,
        updated_at: from_millis(r.try_get("updated_at")?),
    })
}

pub async fn boards(
    pool: &AnyPool,
    agency: &AgencyId,
    at: &PageAt,
) -> Result<Page<Board>, StoreError> {
    let select = format!("SELECT {BOARD_COLUMNS} FROM boards WHERE agency_id = $1");
    page(pool, &select, "id", agency.as_str(), at, board_of).await
}

pub async fn board(
    conn: &mut AnyConnection,
    agency: &AgencyId,
    id: &str,
) -> Result<Option<Board>, StoreError> {
    sqlx::query(&format!(
        "SELECT {BOARD_COLUMNS} FROM boards WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency.as_str())
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(board_of)
    .transpose()
}

/// Stores a board (the demo's and tests'; boards are registered when a screen is installed).
pub async fn insert_board(
    conn: &mut AnyConnection,
    agency: &AgencyId,
    b: &Board,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO boards (id, agency_id, name, location, width, height, image_url, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(b.id.clone())
    .bind(agency.as_str())
    .bind(b.name.clone())
    .bind(b.location.clone())
    .bind(b.width)
    .bind(b.height)
    .bind(b.image_url.clone())
    .bind(to_millis(b.updated_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes a board's name, location and image as given.
pub async fn update_board(
    conn: &mut AnyConnection,
    agency: &AgencyId,
    b: &Board,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE boards SET name = $3, location = $4, image_url = $5, updated_at = $6 WHERE agency_id = $1 AND id = $2")
        .bind(agency.as_str())
        .bind(b.id.clone())
        .bind(b.name.clone())
        .bind(b.location.clone())
        .bind(b.image_url.clone())
        .bind(to_millis(b.updated_at))
        .execute(conn)
        .await?;
    Ok(())
}

/// A campaign on one of the agency's boards, and its review.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlacementView {
    pub board_id: String,
    pub approval: Approval,
    pub note: String,
    pub reviewed_at: Option<DateTime<Utc>>,
}

/// A campaign placed on the agency's boards.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyCampaign {
    #[serde(flatten)]
    pub campaign: Campaign,
    pub placements: Vec<PlacementView>,
}

/// The campaigns on the agency's boards, each with its placements there.
pub async fn agency_campaigns(
    pool: &AnyPool,
    agency: &AgencyId,
    at: &PageAt,
) -> Result<Page<AgencyCampaign>, StoreError> {
    let select = "SELECT c.id, c.tenant_id, c.name, c.status, c.starts_on, c.ends_on, c.daily_budget_cents, c.created_at, c.updated_at \
                  FROM campaigns c WHERE c.id IN (SELECT campaign_id FROM placements WHERE agency_id = $1)";
    let campaigns = page(pool, select, "c.id", agency.as_str(), at, campaign_of).await?;
    let mut items = Vec::with_capacity(campaigns.items.len());
    for campaign in campaigns.items {
        let rows = sqlx::query(
            "SELECT board_id, approval, note, reviewed_at FROM placements WHERE agency_id = $1 AND campaign_id = $2 ORDER BY board_id",
        )
        .bind(agency.as_str())
        .bind(campaign.id.clone())
        .fetch_all(pool)
        .await?;
        let placements = rows
            .iter()
            .map(|r| {
                Ok(PlacementView {
                    board_id: r.try_get("board_id")?,
                    approval: approval_of(r.try_get("approval")?)?,
                    note: r.try_get("note")?,
                    reviewed_at: r.try_get::<Option<i64>, _>("reviewed_at")?.map(from_millis),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        items.push(AgencyCampaign {
            campaign,
            placements,
        });
    }
    Ok(Page {
        items,
        next: campaigns.next,
    })
}

fn approval_of(code: String) -> Result<Approval, StoreError> {
    Ok(Approval::from_code(&code)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown approval {code}").into()))?)
}

/// Places a campaign on one of the agency's boards, pending review.
pub async fn place(
    conn: &mut AnyConnection,
    agency: &AgencyId,
    board: &str,
    campaign: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO placements (board_id, campaign_id, agency_id, approval, note, created_at) VALUES ($1, $2, $3, 'pending', '', $4)",
    )
    .bind(board)
    .bind(campaign)
    .bind(agency.as_str())
    .bind(to_millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a review; false when the campaign is not placed on that board of the agency.
pub async fn review(
    conn: &mut AnyConnection,
    agency: &AgencyId,
    board: &str,
    campaign: &str,
    decision: Approval,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE placements SET approval = $4, note = $5, reviewed_at = $6 WHERE agency_id = $1 AND board_id = $2 AND campaign_id = $3",
    )
    .bind(agency.as_str())
    .bind(board)
    .bind(campaign)
    .bind(decision.code())
    .bind(note)
    .bind(to_millis(now))
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Every board of the agency and every placement on them, for a campaign pull.
pub async fn pull_inputs(
    conn: &mut AnyConnection,
    agency: &AgencyId,
) -> Result<(Vec<String>, Vec<Placement>), StoreError> {
    let boards = sqlx::query("SELECT id FROM boards WHERE agency_id = $1 ORDER BY id")
        .bind(agency.as_str())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<Vec<String>, _>>()?;
    let rows = sqlx::query(
        "SELECT p.board_id, p.approval, c.id, c.tenant_id, c.name, c.status, c.starts_on, c.ends_on, c.daily_budget_cents, c.created_at, c.updated_at \
         FROM placements p JOIN campaigns c ON c.id = p.campaign_id WHERE p.agency_id = $1",
    )
    .bind(agency.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let placements = rows
        .iter()
        .map(|r| {
            let c = campaign_of(r)?;
            Ok(Placement {
                board_id: r.try_get("board_id")?,
                approval: approval_of(r.try_get("approval")?)?,
                campaign_id: c.id.clone(),
                campaign_name: c.name.clone(),
                campaign: c.settings(),
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((boards, placements))
}

/// Records that a pull happened and what it handed out.
pub async fn insert_pull(
    conn: &mut AnyConnection,
    agency: &AgencyId,
    id: &str,
    boards: usize,
    placements: usize,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO campaign_pulls (id, agency_id, boards, placements, pulled_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(agency.as_str())
    .bind(i64::try_from(boards).unwrap_or(i64::MAX))
    .bind(i64::try_from(placements).unwrap_or(i64::MAX))
    .bind(by)
    .bind(to_millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Publishes (or republishes) a board's figures for a day.
pub async fn put_board_day(
    conn: &mut AnyConnection,
    agency: &AgencyId,
    board: &str,
    day: NaiveDate,
    plays: i64,
    impressions: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO board_days (board_id, agency_id, day, plays, impressions, published_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (board_id, day) DO UPDATE SET plays = excluded.plays, impressions = excluded.impressions, published_at = excluded.published_at",
    )
    .bind(board)
    .bind(agency.as_str())
    .bind(day.to_string())
    .bind(plays)
    .bind(impressions)
    .bind(to_millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// A board's published figures for one day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoardDay {
    pub board_id: String,
    pub day: NaiveDate,
    pub plays: i64,
    pub impressions: i64,
}

/// The agency's published figures in `[from, to]`, by day and board.
pub async fn board_days(
    pool: &AnyPool,
    agency: &AgencyId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<BoardDay>, StoreError> {
    let rows = sqlx::query(
        "SELECT board_id, day, plays, impressions FROM board_days WHERE agency_id = $1 AND day >= $2 AND day <= $3 ORDER BY day, board_id",
    )
    .bind(agency.as_str())
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(BoardDay {
                board_id: r.try_get("board_id")?,
                day: date_of(r, "day")?.unwrap_or_default(),
                plays: r.try_get("plays")?,
                impressions: r.try_get("impressions")?,
            })
        })
        .collect()
}

/// A lightning device: the player box behind a board.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Device {
    pub id: String,
    pub board_id: Option<String>,
    pub serial: String,
    pub firmware: String,
    pub last_seen_at: Option<DateTime<Utc>>,
}

pub async fn devices(
    pool: &AnyPool,
    agency: &AgencyId,
    at: &PageAt,
) -> Result<Page<Device>, StoreError> {
    let select = "SELECT id, board_id, serial, firmware, last_seen_at FROM lightning_devices WHERE agency_id = $1";
    page(pool, select, "id", agency.as_str(), at, |r| {
        Ok(Device {
            id: r.try_get("id")?,
            board_id: r.try_get("board_id")?,
            serial: r.try_get("serial")?,
            firmware: r.try_get("firmware")?,
            last_seen_at: r
                .try_get::<Option<i64>, _>("last_seen_at")?
                .map(from_millis),
        })
    })
    .await
}

/// Registers a device (the demo's and tests'; devices register themselves when installed).
pub async fn insert_device(
    conn: &mut AnyConnection,
    agency: &AgencyId,
    d: &Device,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO lightning_devices (id, agency_id, board_id, serial, firmware, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(d.id.clone())
    .bind(agency.as_str())
    .bind(d.board_id.clone())
    .bind(d.serial.clone())
    .bind(d.firmware.clone())
    .bind(d.last_seen_at.map(to_millis))
    .execute(conn)
    .await?;
    Ok(())
}
