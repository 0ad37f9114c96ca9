//! Activity metrics of an authorization: requests counted per hour, shown per hour,
//! day, week or month over a chosen window. Buckets are UTC; weeks start on Monday.

use crate::Problem;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use std::collections::BTreeMap;

/// One hour in milliseconds: the unit requests are counted in.
pub const HOUR_MS: i64 = 60 * 60 * 1000;
/// The most buckets one chart shows; a wider window needs a coarser step.
pub const MAX_BUCKETS: usize = 1000;

/// The step of a metrics chart.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Granularity {
    Hour,
    #[default]
    Day,
    Week,
    Month,
}

impl Granularity {
    /// Every step, finest first.
    pub const ALL: &'static [Granularity] = <Granularity as strum::VariantArray>::VARIANTS;

    /// The stored and wire code (`hour`, …).
    pub fn code(self) -> &'static str {
        self.into()
    }

    /// The step named by `code` (`hour`, `day`, `week`, `month`).
    pub fn parse(code: &str) -> Result<Granularity, Problem> {
        code.parse().map_err(|_| {
            Problem::invalid(
                "granularity",
                "unknown_granularity",
                "granularity is hour, day, week or month",
            )
        })
    }

    /// The start of the bucket holding `t`.
    pub fn floor(self, t: DateTime<Utc>) -> DateTime<Utc> {
        let day = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default());
        match self {
            Granularity::Hour => {
                t - Duration::seconds(i64::from(t.minute() * 60 + t.second()))
                    - Duration::nanoseconds(i64::from(t.nanosecond()))
            }
            Granularity::Day => day(t.date_naive()),
            // The first week chrono can hold starts on its earliest day, not on a Monday before
            // it (subtracting past that day panics).
            Granularity::Week => day(t.date_naive())
                .checked_sub_signed(Duration::days(i64::from(
                    t.weekday().num_days_from_monday(),
                )))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
            Granularity::Month => day(t.date_naive().with_day(1).unwrap_or(t.date_naive())),
        }
    }

    /// The start of the bucket after the one starting at `start`; `None` past the last time
    /// chrono can hold (adding past it panics, and a window from the console may end there).
    fn next(self, start: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Granularity::Hour => start.checked_add_signed(Duration::hours(1)),
            Granularity::Day => start.checked_add_signed(Duration::days(1)),
            // To the next Monday: the first week chrono holds starts on another day (see `floor`).
            Granularity::Week => start.checked_add_signed(Duration::days(
                7 - i64::from(start.weekday().num_days_from_monday()),
            )),
            Granularity::Month => start.checked_add_months(chrono::Months::new(1)),
        }
    }
}

/// The start of the hour holding `t`: where a request is counted.
pub fn hour_of(t: DateTime<Utc>) -> DateTime<Utc> {
    Granularity::Hour.floor(t)
}

/// One point of the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Bucket {
    pub start: DateTime<Utc>,
    pub requests: u64,
}

/// Checks a chart window: `from` before `to`, and not more than [`MAX_BUCKETS`] steps wide.
pub fn check_window(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    step: Granularity,
) -> Result<(), Problem> {
    if from >= to {
        return Err(Problem::invalid(
            "to",
            "empty_window",
            "the window must end after it starts",
        ));
    }
    let approx_step = match step {
        Granularity::Hour => Duration::hours(1),
        Granularity::Day => Duration::days(1),
        Granularity::Week => Duration::weeks(1),
        Granularity::Month => Duration::days(28),
    };
    if (to - from).num_seconds() / approx_step.num_seconds() >= MAX_BUCKETS as i64 {
        return Err(Problem::invalid(
            "granularity",
            "window_too_wide",
            format!(
                "a chart shows at most {MAX_BUCKETS} points; choose a coarser step or a shorter window"
            ),
        ));
    }
    Ok(())
}

/// Every bucket from the one holding `from` up to the one holding `to` (exclusive end), with the
/// hourly counts summed into them; buckets without requests are zero, so the chart has no holes.
pub fn buckets(
    hourly: &[(DateTime<Utc>, u64)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    step: Granularity,
) -> Result<Vec<Bucket>, Problem> {
    check_window(from, to, step)?;
    let mut sums: BTreeMap<DateTime<Utc>, u64> = BTreeMap::new();
    for (hour, n) in hourly.iter().filter(|(h, _)| *h >= from && *h < to) {
        *sums.entry(step.floor(*hour)).or_default() += n;
    }
    let mut out = Vec::new();
    let mut start = step.floor(from);
    while start < to {
        out.push(Bucket {
            start,
            requests: sums.get(&start).copied().unwrap_or(0),
        });
        let Some(next) = step.next(start) else {
            break;
        };
        start = next;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        // 2026-11-24 is a Tuesday.
        let when = t("2026-11-24T15:42:10Z");
        assert_eq!(Granularity::Week.floor(when), t("2026-11-23T00:00:00Z"));
        assert_eq!(Granularity::Month.floor(when), t("2026-11-01T00:00:00Z"));
        assert_eq!(Granularity::Hour.floor(when), t("2026-11-24T15:00:00Z"));
    }

    #[test]
    fn sums_hours_into_days_and_fills_gaps() {
        let hourly = [
            (t("2026-11-01T01:00:00Z"), 3),
            (t("2026-11-01T23:00:00Z"), 4),
            (t("2026-11-03T00:00:00Z"), 5),
        ];
        let out = buckets(
            &hourly,
            t("2026-11-01T00:00:00Z"),
            t("2026-11-04T00:00:00Z"),
            Granularity::Day,
        )
        .unwrap_or_default();
        let counts: Vec<u64> = out.iter().map(|b| b.requests).collect();
        assert_eq!(counts, vec![7, 0, 5]);
    }

    #[test]
    fn refuses_empty_and_too_wide_windows() {
        let a = t("2026-01-01T00:00:00Z");
        let b = t("2026-12-01T00:00:00Z");
        assert_eq!(
            check_window(b, a, Granularity::Day).map_err(|p| p.code),
            Err("empty_window".to_owned())
        );
        assert_eq!(
            check_window(a, b, Granularity::Hour).map_err(|p| p.code),
            Err("window_too_wide".to_owned())
        );
        assert!(check_window(a, b, Granularity::Day).is_ok());
    }
}
