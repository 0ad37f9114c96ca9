//! What an agency (a screen operator) holds for the apps that work for it: boards (screens)
//! and their images, campaigns placed on boards and their ad approvals, campaign pulls (what
//! each board plays now) and the stats it publishes.

use crate::campaigns::{CampaignSettings, CampaignStatus};
use crate::people::check_name;
use crate::providers::check_https_url;
use crate::Problem;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest location text.
pub const LOCATION_MAX_CHARS: usize = 200;

// Bodies here say what they expect rather than their Rust type's name when a client sends the
// wrong shape (`expecting`): the REST API passes serde's message on.

/// A change to a board (`agency.canEditBoards`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    deny_unknown_fields,
    expecting = "a JSON object with this operation's fields"
)]
pub struct BoardPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
}

impl BoardPatch {
    /// The checked name and location, each `None` when left as is.
    pub fn check(&self) -> Result<(Option<String>, Option<String>), Problem> {
        if self.name.is_none() && self.location.is_none() {
            return Err(Problem::invalid(
                "body",
                "empty_patch",
                "name at least one of name or location",
            ));
        }
        let name = self
            .name
            .as_deref()
            .map(|n| check_name("name", n))
            .transpose()?;
        let location = match self.location.as_deref().map(str::trim) {
            Some(l) if l.chars().count() > LOCATION_MAX_CHARS => {
                return Err(Problem::invalid(
                    "location",
                    "location_too_long",
                    format!("a location has at most {LOCATION_MAX_CHARS} characters"),
                ))
            }
            other => other.map(str::to_owned),
        };
        Ok((name, location))
    }
}

/// The image a board shows between campaigns (`agency.canSetBoardImages`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    deny_unknown_fields,
    expecting = "a JSON object with this operation's fields"
)]
pub struct BoardImage {
    pub image_url: String,
}

impl BoardImage {
    pub fn check(&self) -> Result<String, Problem> {
        check_https_url("image_url", &self.image_url)
    }
}

/// The most boards one campaign may be placed on in one request.
pub const BOARDS_PER_CAMPAIGN_MAX: usize = 100;

/// A campaign an agency makes for one of its accounts, placed on its boards
/// (`agency.createCampaigns`). Each placement waits for an ad approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    deny_unknown_fields,
    expecting = "a JSON object with this operation's fields"
)]
pub struct NewAgencyCampaign {
    pub account_id: String,
    pub name: String,
    #[serde(default)]
    pub status: Option<CampaignStatus>,
    #[serde(default)]
    pub starts_on: Option<NaiveDate>,
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
    #[serde(default)]
    pub daily_budget_cents: Option<i64>,
    pub board_ids: Vec<String>,
}

impl NewAgencyCampaign {
    /// The campaign's settings and its boards, each named once.
    pub fn check(&self) -> Result<(CampaignSettings, Vec<String>), Problem> {
        // Spelled out rather than a flattened `NewCampaign`: serde cannot refuse unknown fields
        // through `flatten`.
        let settings = crate::campaigns::NewCampaign {
            name: self.name.clone(),
            status: self.status,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            daily_budget_cents: self.daily_budget_cents,
        }
        .check()?;
        let mut boards: Vec<String> = self.board_ids.iter().map(|b| b.trim().to_owned()).collect();
        boards.sort();
        boards.dedup();
        if boards.is_empty() || boards.len() > BOARDS_PER_CAMPAIGN_MAX {
            return Err(Problem::invalid(
                "board_ids",
                "boards_out_of_range",
                format!("place the campaign on 1 to {BOARDS_PER_CAMPAIGN_MAX} boards"),
            ));
        }
        Ok((settings, boards))
    }
}

/// An ad's standing on one board.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Approval {
    Pending,
    Approved,
    Rejected,
}

codes!(Approval: ALL, code, from_code);

/// The longest review note.
pub const NOTE_MAX_CHARS: usize = 500;

/// An agency's review of a campaign on one of its boards (`agency.canApproveAds`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    deny_unknown_fields,
    expecting = "a JSON object with this operation's fields"
)]
pub struct AdDecision {
    pub board_id: String,
    pub campaign_id: String,
    pub decision: Approval,
    #[serde(default)]
    pub note: String,
}

impl AdDecision {
    /// A decision is approved or rejected (never back to pending), and a rejection says why,
    /// so the advertiser can fix the ad.
    pub fn check(&self) -> Result<(Approval, String), Problem> {
        let note = self.note.trim().to_owned();
        if note.chars().count() > NOTE_MAX_CHARS {
            return Err(Problem::invalid(
                "note",
                "note_too_long",
                format!("a note has at most {NOTE_MAX_CHARS} characters"),
            ));
        }
        match self.decision {
            Approval::Pending => Err(Problem::invalid(
                "decision",
                "decision_required",
                "decide approved or rejected",
            )),
            Approval::Rejected if note.is_empty() => Err(Problem::invalid(
                "note",
                "note_required",
                "say why the ad is rejected, so the advertiser can fix it",
            )),
            d => Ok((d, note)),
        }
    }
}

/// A board's figures for one day, as an agency publishes them (`agency.publishAnalytics`).
/// Publishing a day again replaces it (screens re-count late plays).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    deny_unknown_fields,
    expecting = "a JSON object with this operation's fields"
)]
pub struct StatsReport {
    pub board_id: String,
    pub day: NaiveDate,
    pub plays: i64,
    pub impressions: i64,
}

impl StatsReport {
    /// Counts are not negative and a day is not in the future.
    pub fn check(&self, today: NaiveDate) -> Result<(), Problem> {
        if self.day > today {
            return Err(Problem::invalid(
                "day",
                "day_in_future",
                format!("{} has not happened yet", self.day),
            ));
        }
        for (field, value) in [("plays", self.plays), ("impressions", self.impressions)] {
            if value < 0 {
                return Err(Problem::invalid(
                    field,
                    "negative_count",
                    format!("{field} cannot be negative"),
                ));
            }
        }
        Ok(())
    }
}

/// A campaign placed on a board, as a pull sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub board_id: String,
    pub campaign_id: String,
    pub campaign_name: String,
    pub approval: Approval,
    pub campaign: CampaignSettings,
}

/// What one board plays, as a campaign pull answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardPlaylist {
    pub board_id: String,
    /// Campaign ids in a stable order (by id, which is by creation time).
    pub campaign_ids: Vec<String>,
}

/// A campaign pull (`agency.pullCampaigns`): for every board, the approved campaigns that play
/// `today`. Every board gets an entry, an empty one falling back to its default image.
pub fn playlist(
    boards: &[String],
    placements: &[Placement],
    today: NaiveDate,
) -> Vec<BoardPlaylist> {
    let mut by_board: BTreeMap<&str, Vec<String>> =
        boards.iter().map(|b| (b.as_str(), Vec::new())).collect();
    for p in placements {
        if p.approval == Approval::Approved && p.campaign.plays_on(today) {
            if let Some(list) = by_board.get_mut(p.board_id.as_str()) {
                list.push(p.campaign_id.clone());
            }
        }
    }
    by_board
        .into_iter()
        .map(|(board, mut ids)| {
            ids.sort();
            ids.dedup();
            BoardPlaylist {
                board_id: board.to_owned(),
                campaign_ids: ids,
            }
        })
        .collect()
}

/// Whether a campaign with `status` can still change its placements' approvals (an ended
/// campaign's history stays as it was decided).
pub fn reviewable(status: CampaignStatus) -> bool {
    status != CampaignStatus::Ended
}

#[cfg(test)]
mod tests {
    // A panic in a test is its failure report.
    #![allow(clippy::indexing_slicing)]

    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn placement(
        board: &str,
        campaign: &str,
        approval: Approval,
        status: CampaignStatus,
    ) -> Placement {
        Placement {
            board_id: board.into(),
            campaign_id: campaign.into(),
            campaign_name: campaign.into(),
            approval,
            campaign: CampaignSettings {
                name: campaign.into(),
                status,
                starts_on: Some(date("2026-11-01")),
                ends_on: None,
                daily_budget_cents: None,
            },
        }
    }

    #[test]
    fn a_pull_plays_approved_active_campaigns_on_every_board() {
        let boards = vec!["brd_a".to_owned(), "brd_b".to_owned()];
        let placements = vec![
            placement("brd_a", "cmp_2", Approval::Approved, CampaignStatus::Active),
            placement("brd_a", "cmp_1", Approval::Approved, CampaignStatus::Active),
            placement("brd_a", "cmp_3", Approval::Pending, CampaignStatus::Active),
            placement("brd_b", "cmp_4", Approval::Approved, CampaignStatus::Paused),
            placement("brd_x", "cmp_5", Approval::Approved, CampaignStatus::Active),
        ];
        let list = playlist(&boards, &placements, date("2026-11-24"));
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].campaign_ids, vec!["cmp_1", "cmp_2"]);
        assert!(list[1].campaign_ids.is_empty());
        assert!(playlist(&boards, &placements, date("2026-10-01"))
            .iter()
            .all(|b| b.campaign_ids.is_empty()));
    }

    #[test]
    fn a_rejection_says_why_and_pending_is_not_a_decision() {
        let mut d = AdDecision {
            board_id: "brd_a".into(),
            campaign_id: "cmp_1".into(),
            decision: Approval::Rejected,
            note: " ".into(),
        };
        assert_eq!(d.check().unwrap_err().field.as_deref(), Some("note"));
        d.decision = Approval::Pending;
        assert_eq!(d.check().unwrap_err().field.as_deref(), Some("decision"));
        d.decision = Approval::Approved;
        assert_eq!(d.check().unwrap(), (Approval::Approved, String::new()));
    }

    #[test]
    fn stats_are_not_negative_nor_in_the_future() {
        let today = date("2026-11-24");
        let mut r = StatsReport {
            board_id: "brd_a".into(),
            day: date("2026-11-25"),
            plays: 1,
            impressions: 1,
        };
        assert_eq!(r.check(today).unwrap_err().field.as_deref(), Some("day"));
        r.day = today;
        r.impressions = -1;
        assert_eq!(
            r.check(today).unwrap_err().field.as_deref(),
            Some("impressions")
        );
    }

    #[test]
    fn an_agency_campaign_names_each_board_once() {
        let c = NewAgencyCampaign {
            account_id: "tnt_x".into(),
            name: "Holiday".into(),
            status: None,
            starts_on: None,
            ends_on: None,
            daily_budget_cents: None,
            board_ids: vec!["brd_b".into(), "brd_a".into(), "brd_b".into()],
        };
        assert_eq!(c.check().unwrap().1, vec!["brd_a", "brd_b"]);
        let none = NewAgencyCampaign {
            board_ids: vec![],
            ..c
        };
        assert_eq!(
            none.check().unwrap_err().field.as_deref(),
            Some("board_ids")
        );
    }

    #[test]
    fn a_board_patch_needs_a_field() {
        assert_eq!(
            BoardPatch::default().check().unwrap_err().code,
            "empty_patch"
        );
        let p = BoardPatch {
            name: None,
            location: Some("x".repeat(201)),
        };
        assert_eq!(p.check().unwrap_err().field.as_deref(), Some("location"));
    }
}
