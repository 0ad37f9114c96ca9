//! What the REST API answers with: the bodies its operations return, as the OpenAPI document
//! describes them.

use crate::store::boards::BoardDay;
use chrono::NaiveDate;
use portcullis_core::boards::{Approval, BoardPlaylist};
use portcullis_core::campaigns::AnalyticsTotals;
use serde::Serialize;
use utoipa::ToSchema;

/// An account as `GET /accounts/{id}` shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: String,
    pub name: String,
    pub agency_id: Option<String>,
    pub agency_name: Option<String>,
}

/// A child account as created.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedAccount {
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub agency_id: Option<String>,
}

/// One day of an account's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalyticsDay {
    pub day: NaiveDate,
    pub impressions: i64,
    pub clicks: i64,
    pub spend_cents: i64,
}

/// An account's analytics over a window.
#[derive(Debug, Serialize, ToSchema)]
pub struct Analytics {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub totals: AnalyticsTotals,
    pub days: Vec<AnalyticsDay>,
}

/// A placement after its review.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reviewed {
    pub board_id: String,
    pub campaign_id: String,
    pub approval: Approval,
    pub note: String,
}

/// What a campaign pull handed out.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pull {
    pub id: String,
    pub boards: Vec<BoardPlaylist>,
}

/// An agency's published figures over a window.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyStats {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub plays: i64,
    pub impressions: i64,
    pub days: Vec<BoardDay>,
}
