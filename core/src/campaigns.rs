//! What an advertiser account (a tenant) holds for the apps that work in it: campaigns,
//! content (posts and photos), data feeds, default creatives, child accounts and the analytics
//! window. Each `New…`/`…Patch` is what the REST API accepts; its `check` returns the value the
//! server stores, or a [`Problem`] naming the field and the rule.
//!
//! Unknown fields are refused (`deny_unknown_fields`), so a client never believes it set
//! something the API ignores. A body of the wrong shape is refused by what it should be
//! (`expecting`), since serde's default names the Rust type and the REST API passes that on.

use crate::people::check_name;
use crate::providers::check_https_url;
use crate::Problem;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A campaign's state. Only `active` campaigns inside their dates are played on boards.
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
pub enum CampaignStatus {
    Draft,
    Active,
    Paused,
    Ended,
}

codes!(CampaignStatus: ALL, code, from_code);

/// The largest daily budget, in cents (one million in the account's currency): a guard
/// against a misplaced digit, not a business limit.
pub const BUDGET_MAX_CENTS: i64 = 100_000_000;

/// A campaign as the API creates it (`account.createCampaigns`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    deny_unknown_fields,
    expecting = "a JSON object with this operation's fields"
)]
pub struct NewCampaign {
    pub name: String,
    /// Defaults to `draft`: nothing plays until someone activates it.
    #[serde(default)]
    pub status: Option<CampaignStatus>,
    #[serde(default)]
    pub starts_on: Option<NaiveDate>,
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
    #[serde(default)]
    pub daily_budget_cents: Option<i64>,
}

/// A campaign's settings once checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignSettings {
    pub name: String,
    pub status: CampaignStatus,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub daily_budget_cents: Option<i64>,
}

impl NewCampaign {
    pub fn check(&self) -> Result<CampaignSettings, Problem> {
        let settings = CampaignSettings {
            name: check_name("name", &self.name)?,
            status: self.status.unwrap_or(CampaignStatus::Draft),
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            daily_budget_cents: self.daily_budget_cents,
        };
        settings.check_rules()?;
        Ok(settings)
    }
}

impl CampaignSettings {
    /// The rules across fields: dates in order, a budget within bounds.
    fn check_rules(&self) -> Result<(), Problem> {
        if let (Some(start), Some(end)) = (self.starts_on, self.ends_on) {
            if end < start {
                return Err(Problem::invalid(
                    "ends_on",
                    "ends_before_start",
                    format!("the campaign ends ({end}) before it starts ({start})"),
                ));
            }
        }
        if let Some(b) = self.daily_budget_cents {
            if !(0..=BUDGET_MAX_CENTS).contains(&b) {
                return Err(Problem::invalid(
                    "daily_budget_cents",
                    "budget_out_of_range",
                    format!("a daily budget is between 0 and {BUDGET_MAX_CENTS} cents"),
                ));
            }
        }
        Ok(())
    }

    /// Whether the campaign plays on `today`: active, and inside its dates.
    pub fn plays_on(&self, today: NaiveDate) -> bool {
        self.status == CampaignStatus::Active
            && self.starts_on.is_none_or(|s| s <= today)
            && self.ends_on.is_none_or(|e| today <= e)
    }
}

/// A change to a campaign (`account.editCampaigns`): only the fields given change. A date or
/// budget given as `null` is cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    deny_unknown_fields,
    expecting = "a JSON object with this operation's fields"
)]
pub struct CampaignPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub status: Option<CampaignStatus>,
    #[serde(default, with = "patch_field")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub starts_on: Option<Option<NaiveDate>>,
    #[serde(default, with = "patch_field")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub ends_on: Option<Option<NaiveDate>>,
    #[serde(default, with = "patch_field")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub daily_budget_cents: Option<Option<i64>>,
}

impl CampaignPatch {
    /// `current` with the patch applied, checked as a whole; an empty patch is refused so a
    /// client learns it sent nothing.
    pub fn apply(&self, current: &CampaignSettings) -> Result<CampaignSettings, Problem> {
        if self == &CampaignPatch::default() {
            return Err(Problem::invalid(
                "body",
                "empty_patch",
                "name at least one of name, status, starts_on, ends_on or daily_budget_cents",
            ));
        }
        let next = CampaignSettings {
            name: match &self.name {
                Some(n) => check_name("name", n)?,
                None => current.name.clone(),
            },
            status: self.status.unwrap_or(current.status),
            starts_on: self.starts_on.unwrap_or(current.starts_on),
            ends_on: self.ends_on.unwrap_or(current.ends_on),
            daily_budget_cents: self
                .daily_budget_cents
                .unwrap_or(current.daily_budget_cents),
        };
        next.check_rules()?;
        Ok(next)
    }
}

/// Tells a field left out (`None`) from a field set to `null` (`Some(None)`).
mod patch_field {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }

    pub fn serialize<S, T>(v: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error>
    where
        S: Serializer,
        T: Serialize,
    {
        v.as_ref().and_then(Option::as_ref).serialize(s)
    }
}

/// What a piece of content is.
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
pub enum ContentKind {
    /// Text, with an optional image.
    Post,
    /// An image, with an optional caption.
    Photo,
}

codes!(ContentKind: ALL, code, from_code);

/// The longest post body.
pub const BODY_MAX_CHARS: usize = 5_000;

/// A post or photo (`account.createContent`), optionally placed in one of the account's
/// campaigns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    deny_unknown_fields,
    expecting = "a JSON object with this operation's fields"
)]
pub struct NewContent {
    pub kind: ContentKind,
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub media_url: Option<String>,
    #[serde(default)]
    pub campaign_id: Option<String>,
}

impl NewContent {
    /// A post needs a body, a photo needs its image; both need a title.
    pub fn check(&self) -> Result<NewContent, Problem> {
        let title = check_name("title", &self.title)?;
        let body = self.body.trim().to_owned();
        if body.chars().count() > BODY_MAX_CHARS {
            return Err(Problem::invalid(
                "body",
                "body_too_long",
                format!("a body has at most {BODY_MAX_CHARS} characters"),
            ));
        }
        let media_url = match self.media_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => Some(check_https_url("media_url", url)?),
        };
        match self.kind {
            ContentKind::Post if body.is_empty() => Err(Problem::invalid(
                "body",
                "body_required",
                "a post needs a body",
            )),
            ContentKind::Photo if media_url.is_none() => Err(Problem::invalid(
                "media_url",
                "media_url_required",
                "a photo needs the https:// URL of its image",
            )),
            _ => Ok(NewContent {
                kind: self.kind,
                title,
                body,
                media_url,
                campaign_id: self.campaign_id.clone(),
            }),
        }
    }
}

/// How a data feed's file is written.
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
pub enum FeedFormat {
    Csv,
    Json,
    Xml,
}

codes!(FeedFormat: ALL, code, from_code);

/// How often a feed may be fetched: every 15 minutes at most, daily at least.
pub const FEED_REFRESH_MINUTES: std::ops::RangeInclusive<u32> = 15..=1_440;

/// A data source the account's campaigns draw on (`account.createFeeds`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    deny_unknown_fields,
    expecting = "a JSON object with this operation's fields"
)]
pub struct NewFeed {
    pub name: String,
    pub url: String,
    pub format: FeedFormat,
    /// Defaults to hourly.
    #[serde(default)]
    pub refresh_minutes: Option<u32>,
}

impl NewFeed {
    pub fn check(&self) -> Result<NewFeed, Problem> {
        let refresh = self.refresh_minutes.unwrap_or(60);
        if !FEED_REFRESH_MINUTES.contains(&refresh) {
            return Err(Problem::invalid(
                "refresh_minutes",
                "refresh_out_of_range",
                format!(
                    "a feed refreshes every {} to {} minutes",
                    FEED_REFRESH_MINUTES.start(),
                    FEED_REFRESH_MINUTES.end()
                ),
            ));
        }
        Ok(NewFeed {
            name: check_name("name", &self.name)?,
            url: check_https_url("url", &self.url)?,
            format: self.format,
            refresh_minutes: Some(refresh),
        })
    }
}

/// A new account: a child of an account (`account.createChildAccounts`) or an agency's
/// (`agency.createAccounts`). Account names are unique across the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    deny_unknown_fields,
    expecting = "a JSON object with this operation's fields"
)]
pub struct NewAccount {
    pub name: String,
}

impl NewAccount {
    pub fn check(&self) -> Result<String, Problem> {
        check_name("name", &self.name)
    }
}

/// The longest window of daily figures one request may read.
pub const WINDOW_MAX_DAYS: i64 = 366;

/// Which days of daily figures to read: both ends included; by default the 30 days to `today`.
pub fn check_window(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), Problem> {
    let to = to.unwrap_or(today);
    // A `to` within 29 days of the earliest date chrono holds has no 29 days before it (and
    // subtracting them panics): the window then starts at that earliest date.
    let from = from.unwrap_or_else(|| {
        to.checked_sub_days(chrono::Days::new(29))
            .unwrap_or(NaiveDate::MIN)
    });
    if to < from {
        return Err(Problem::invalid(
            "to",
            "window_reversed",
            format!("the window ends ({to}) before it starts ({from})"),
        ));
    }
    if (to - from).num_days() >= WINDOW_MAX_DAYS {
        return Err(Problem::invalid(
            "from",
            "window_too_long",
            format!("read at most {WINDOW_MAX_DAYS} days at a time"),
        ));
    }
    Ok((from, to))
}

/// One campaign's figures for one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DailyFigures {
    pub impressions: i64,
    pub clicks: i64,
    pub spend_cents: i64,
}

/// An account's analytics over a window: totals and the click-through rate in basis points
/// (integer arithmetic, so every target gives the same answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnalyticsTotals {
    pub impressions: i64,
    pub clicks: i64,
    pub spend_cents: i64,
    /// Clicks per 10,000 impressions; 0 without impressions.
    pub ctr_basis_points: i64,
}

/// Sums `days` of figures.
pub fn totals(days: &[DailyFigures]) -> AnalyticsTotals {
    let (impressions, clicks, spend_cents) = days.iter().fold((0i64, 0i64, 0i64), |acc, d| {
        (
            acc.0.saturating_add(d.impressions),
            acc.1.saturating_add(d.clicks),
            acc.2.saturating_add(d.spend_cents),
        )
    });
    AnalyticsTotals {
        impressions,
        clicks,
        spend_cents,
        ctr_basis_points: if impressions > 0 {
            clicks.saturating_mul(10_000) / impressions
        } else {
            0
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn campaign() -> CampaignSettings {
        NewCampaign {
            name: " Spring sale ".into(),
            status: Some(CampaignStatus::Active),
            starts_on: Some(date("2026-03-01")),
            ends_on: Some(date("2026-03-31")),
            daily_budget_cents: Some(5_000),
        }
        .check()
        .unwrap()
    }

    #[test]
    fn a_campaign_is_trimmed_and_defaults_to_draft() {
        assert_eq!(campaign().name, "Spring sale");
        let draft = NewCampaign {
            name: "x".into(),
            status: None,
            starts_on: None,
            ends_on: None,
            daily_budget_cents: None,
        };
        assert_eq!(draft.check().unwrap().status, CampaignStatus::Draft);
    }

    #[test]
    fn dates_out_of_order_name_the_end() {
        let p = CampaignPatch {
            ends_on: Some(Some(date("2026-02-01"))),
            ..CampaignPatch::default()
        };
        let e = p.apply(&campaign()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("ends_on"));
        assert_eq!(e.code, "ends_before_start");
    }

    #[test]
    fn a_patch_clears_with_null_and_keeps_what_it_leaves_out() {
        let p: CampaignPatch = serde_json::from_str(r#"{"ends_on": null}"#).unwrap();
        let next = p.apply(&campaign()).unwrap();
        assert_eq!(next.ends_on, None);
        assert_eq!(next.starts_on, Some(date("2026-03-01")));
        let empty: CampaignPatch = serde_json::from_str("{}").unwrap();
        assert_eq!(empty.apply(&campaign()).unwrap_err().code, "empty_patch");
        assert!(serde_json::from_str::<CampaignPatch>(r#"{"owner": "me"}"#).is_err());
    }

    #[test]
    fn budgets_are_bounded() {
        let p = CampaignPatch {
            daily_budget_cents: Some(Some(-1)),
            ..CampaignPatch::default()
        };
        assert_eq!(
            p.apply(&campaign()).unwrap_err().field.as_deref(),
            Some("daily_budget_cents")
        );
    }

    #[test]
    fn a_campaign_plays_only_when_active_and_in_its_dates() {
        let c = campaign();
        assert!(c.plays_on(date("2026-03-01")));
        assert!(c.plays_on(date("2026-03-31")));
        assert!(!c.plays_on(date("2026-04-01")));
        let paused = CampaignSettings {
            status: CampaignStatus::Paused,
            ..c
        };
        assert!(!paused.plays_on(date("2026-03-10")));
    }

    #[test]
    fn content_needs_what_its_kind_needs() {
        let post = NewContent {
            kind: ContentKind::Post,
            title: "Hello".into(),
            body: "  ".into(),
            media_url: None,
            campaign_id: None,
        };
        assert_eq!(post.check().unwrap_err().field.as_deref(), Some("body"));
        let photo = NewContent {
            kind: ContentKind::Photo,
            body: String::new(),
            media_url: Some("http://cdn.example/a.png".into()),
            ..post
        };
        assert_eq!(photo.check().unwrap_err().code, "invalid_url");
    }

    #[test]
    fn feeds_refresh_within_bounds() {
        let feed = NewFeed {
            name: "Stores".into(),
            url: "https://data.example/stores.csv".into(),
            format: FeedFormat::Csv,
            refresh_minutes: Some(5),
        };
        assert_eq!(
            feed.check().unwrap_err().field.as_deref(),
            Some("refresh_minutes")
        );
        let hourly = NewFeed {
            refresh_minutes: None,
            ..feed
        };
        assert_eq!(hourly.check().unwrap().refresh_minutes, Some(60));
    }

    #[test]
    fn windows_default_to_thirty_days_and_are_bounded() {
        let today = date("2026-11-24");
        assert_eq!(
            check_window(None, None, today).unwrap(),
            (date("2026-10-26"), today)
        );
        assert_eq!(
            check_window(Some(today), Some(date("2026-01-01")), today)
                .unwrap_err()
                .field
                .as_deref(),
            Some("to")
        );
        assert_eq!(
            check_window(Some(date("2024-01-01")), None, today)
                .unwrap_err()
                .code,
            "window_too_long"
        );
    }

    #[test]
    fn totals_sum_and_rate_in_integers() {
        let t = totals(&[
            DailyFigures {
                impressions: 3_000,
                clicks: 30,
                spend_cents: 100,
            },
            DailyFigures {
                impressions: 1_000,
                clicks: 20,
                spend_cents: 50,
            },
        ]);
        assert_eq!(t.ctr_basis_points, 125);
        assert_eq!(t.spend_cents, 150);
        assert_eq!(totals(&[]).ctr_basis_points, 0);
    }
}
