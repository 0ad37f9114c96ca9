//! Demo records for the REST API: Orbit Media's boards and lightning devices, and Acme's
//! campaigns (with 30 days of figures and placements on Orbit's boards), content, a data feed
//! and default creatives. Part of the demo, so a bot installed on Acme or Orbit Media has real
//! records to read from its first call.

use crate::store::boards::{self, Board, Device};
use crate::store::campaigns::{self, Creative};
use crate::store::new_id;
use crate::store::StoreError;
use chrono::{DateTime, Duration, Utc};
use portcullis_core::boards::Approval;
use portcullis_core::campaigns::{CampaignSettings, CampaignStatus, ContentKind, DailyFigures};
use portcullis_core::campaigns::{FeedFormat, NewContent, NewFeed};
use portcullis_core::ids::TenantId;
use portcullis_core::ids::{
    AgencyId, BoardId, CampaignId, ContentId, CreativeId, DeviceId, FeedId,
};
use sqlx::AnyConnection;

const BOARDS: &[(&str, &str, i64, i64)] = &[
    ("Times Square North", "1560 Broadway, New York", 1920, 1080),
    (
        "Union Station Concourse",
        "50 Massachusetts Ave NE, Washington",
        1080,
        1920,
    ),
    (
        "I-405 Sepulveda Pass",
        "Northbound, mile 63, Los Angeles",
        1400,
        400,
    ),
    ("Navy Pier Gateway", "600 E Grand Ave, Chicago", 1920, 1080),
];

/// Loads the records, for `agency` and its first tenant `acme`.
pub async fn seed(
    conn: &mut AnyConnection,
    agency: &AgencyId,
    acme: &TenantId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut board_ids = Vec::new();
    for (i, (name, location, width, height)) in BOARDS.iter().enumerate() {
        let board = Board {
            id: new_id(BoardId::from_bytes).to_string(),
            name: (*name).to_owned(),
            location: (*location).to_owned(),
            width: *width,
            height: *height,
            image_url: (i % 2 == 0)
                .then(|| format!("https://cdn.orbit.example/boards/{}.png", i + 1)),
            updated_at: now,
        };
        boards::insert_board(conn, agency, &board).await?;
        let device = Device {
            id: new_id(DeviceId::from_bytes).to_string(),
            board_id: Some(board.id.clone()),
            serial: format!("LTN-{:04}-{}", 2_100 + i, ["A", "B", "C", "D"][i % 4]),
            firmware: if i == 2 { "4.1.0" } else { "4.2.3" }.to_owned(),
            last_seen_at: Some(now - Duration::minutes(3 + 40 * i as i64)),
        };
        boards::insert_device(conn, agency, &device).await?;
        board_ids.push(board.id);
    }

    let today = now.date_naive();
    let plans = [
        (
            "Holiday Sale 2026",
            CampaignStatus::Active,
            Approval::Approved,
            5_000_i64,
        ),
        (
            "New Store Openings",
            CampaignStatus::Active,
            Approval::Pending,
            2_500,
        ),
        (
            "Summer Clearance",
            CampaignStatus::Ended,
            Approval::Approved,
            1_500,
        ),
    ];
    let mut first_campaign = None;
    for (n, (name, status, approval, budget)) in plans.iter().enumerate() {
        let id = new_id(CampaignId::from_bytes).to_string();
        let settings = CampaignSettings {
            name: (*name).to_owned(),
            status: *status,
            starts_on: Some(today - Duration::days(if n == 2 { 150 } else { 29 })),
            ends_on: Some(today + Duration::days(if n == 2 { -60 } else { 35 })),
            daily_budget_cents: Some(*budget),
        };
        campaigns::insert_campaign(conn, acme, &id, &settings, now).await?;
        for board in board_ids.iter().take(2 + n % 2) {
            boards::place(conn, agency, board, &id, now).await?;
            if *approval != Approval::Pending {
                boards::review(conn, agency, board, &id, *approval, "", now).await?;
            }
        }
        if *status != CampaignStatus::Ended {
            for d in 0..30i64 {
                // A weekly rhythm (weekends busier), different per campaign.
                let weekday = (d + n as i64) % 7;
                let impressions = 8_000
                    + 1_500 * (n as i64 + 1)
                    + if weekday >= 5 { 4_000 } else { 0 }
                    + 137 * ((d * 7) % 11);
                let figures = DailyFigures {
                    impressions,
                    clicks: impressions / (60 + 15 * n as i64),
                    spend_cents: budget * (80 + (d % 5) * 4) / 100,
                };
                campaigns::put_day(conn, acme, &id, today - Duration::days(d), figures).await?;
            }
        }
        first_campaign.get_or_insert(id);
    }

    let content = [
        NewContent {
            kind: ContentKind::Post,
            title: "Doors open at 7am".into(),
            body: "Our holiday hours start Friday: every store opens at 7am.".into(),
            media_url: None,
            campaign_id: first_campaign.clone(),
        },
        NewContent {
            kind: ContentKind::Photo,
            title: "Winter window display".into(),
            body: String::new(),
            media_url: Some("https://cdn.acme.example/creative/winter-window.jpg".into()),
            campaign_id: first_campaign,
        },
    ];
    for c in &content {
        campaigns::insert_content(conn, acme, new_id(ContentId::from_bytes).as_str(), c, now)
            .await?;
    }
    let feed = NewFeed {
        name: "Store locations".into(),
        url: "https://data.acme.example/stores.csv".into(),
        format: FeedFormat::Csv,
        refresh_minutes: Some(60),
    };
    campaigns::insert_feed(conn, acme, new_id(FeedId::from_bytes).as_str(), &feed, now).await?;
    for (name, width, height) in [
        ("Acme logo, landscape", 1920, 1080),
        ("Acme logo, portrait", 1080, 1920),
    ] {
        let creative = Creative {
            id: new_id(CreativeId::from_bytes).to_string(),
            name: name.to_owned(),
            media_url: format!("https://cdn.acme.example/creative/logo-{width}x{height}.png"),
            width,
            height,
            created_at: now,
        };
        campaigns::insert_creative(conn, acme, &creative).await?;
    }
    Ok(())
}
