//! The activity log's rules: event types, the hash chain that makes each tenant's
//! log tamper-evident, the list's sorts and filters, and the download's header and file name.
//!
//! The chain is computed here, not in the database, so that `portcullis audit verify` and any
//! other reader (a wasm build in an auditor's browser, say) recompute exactly the same hashes.

use crate::Problem;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// The download's header row, exactly as the seed gives it.
pub const CSV_HEADER: [&str; 12] = [
    "event-id",
    "event-type",
    "happened-at",
    "recorded-at",
    "principal-id",
    "principal-name",
    "principal-email",
    "external-id",
    "source",
    "object",
    "object-name",
    "origin-ip",
];

/// The hash before a chain's first event: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Tag mixed into every hash so a chain hash can never be mistaken for another SHA-256 use.
const CHAIN_TAG: &[u8] = b"portcullis/activity-chain/v1";

/// The longest event type or action filter accepted.
const EVENT_TYPE_MAX: usize = 64;

/// `events-yyyy-mm-dd-<timestamp>.csv`: the date and the Unix time (seconds, UTC) of the
/// download, so two downloads on one day never overwrite each other.
pub fn export_file_name(now: DateTime<Utc>) -> String {
    format!("events-{}-{}.csv", now.format("%Y-%m-%d"), now.timestamp())
}

/// Writes `value` as `width` decimal digits at `out[at..]`.
fn put_digits(out: &mut [u8; 24], at: usize, value: i64, width: usize) {
    let mut v = value;
    for digit in out.iter_mut().skip(at).take(width).rev() {
        *digit = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// Writes each separator byte at its place.
fn put_separators<const N: usize>(out: &mut [u8; 24], places: [(usize, u8); N]) {
    for (at, sep) in places {
        if let Some(slot) = out.get_mut(at) {
            *slot = sep;
        }
    }
}

/// Writes `hh:mm:ss.mmmZ` of `ms` (milliseconds into the day) at `out[11..]`.
fn put_time_of_day(ms: i64, out: &mut [u8; 24]) {
    put_digits(out, 11, ms / 3_600_000, 2);
    put_digits(out, 14, ms / 60_000 % 60, 2);
    put_digits(out, 17, ms / 1_000 % 60, 2);
    put_digits(out, 20, ms % 1_000, 3);
    put_separators(out, [(13, b':'), (16, b':'), (19, b'.'), (23, b'Z')]);
}

/// Writes many `csv_time`s, remembering the last date it wrote: a download's rows come in time
/// order, so nearly every time falls on the day of the one before, and only the time of day
/// needs writing: the calendar arithmetic is the costly part of formatting a time.
#[derive(Debug, Clone, Default)]
pub struct CsvTimes {
    /// The day (since 1970-01-01) whose `yyyy-mm-ddT` is in `date`.
    day: Option<i64>,
    date: [u8; 11],
}

impl CsvTimes {
    /// As [`write_csv_time`].
    pub fn write(&mut self, millis: i64, out: &mut [u8; 24]) -> Option<()> {
        let day = millis.div_euclid(86_400_000);
        if self.day != Some(day) {
            write_csv_time(millis, out)?;
            self.date.copy_from_slice(&out[..11]);
            self.day = Some(day);
            return Some(());
        }
        out[..11].copy_from_slice(&self.date);
        put_time_of_day(millis.rem_euclid(86_400_000), out);
        Some(())
    }
}

/// The first characters that make a spreadsheet read a cell as a formula (OWASP's list).
pub const CSV_FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as the download writes it: a value that a spreadsheet would run as a formula gets a
/// leading `'`, so it opens as the text it is. PostgreSQL's export applies the same rule in its
/// query (`store::activity::copy_sql`), and a test pins the two alike.
pub fn csv_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(CSV_FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The download's time format: RFC 3339 in UTC with milliseconds (`2026-11-24T04:26:12.000Z`).
pub fn csv_time(millis: i64) -> String {
    let mut out = [0u8; 24];
    match write_csv_time(millis, &mut out) {
        // Only ASCII digits and separators are written.
        Some(()) => out.iter().map(|b| char::from(*b)).collect(),
        None => DateTime::<Utc>::from_timestamp_millis(millis)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
            .unwrap_or_default(),
    }
}

/// Writes `csv_time` into `out` without allocating (the download formats two per row), for
/// years 0000-9999; `None` outside them.
///
/// Days to a civil date by Howard Hinnant's `civil_from_days`, exact for the proleptic
/// Gregorian calendar.
pub fn write_csv_time(millis: i64, out: &mut [u8; 24]) -> Option<()> {
    let days = millis.div_euclid(86_400_000);
    let ms = millis.rem_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(0..=9999).contains(&year) {
        return None;
    }
    put_digits(out, 0, year, 4);
    put_digits(out, 5, month, 2);
    put_digits(out, 8, day, 2);
    put_separators(out, [(4, b'-'), (7, b'-'), (10, b'T')]);
    put_time_of_day(ms, out);
    Some(())
}

/// Whether `s` reads `type/action` (`policy/grant`, `query.exec/download`): lower-case words of
/// letters, digits, `.`, `_` or `-` on each side of exactly one slash.
pub fn is_event_type(s: &str) -> bool {
    let Some((kind, action)) = s.split_once('/') else {
        return false;
    };
    let word = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    };
    s.len() <= EVENT_TYPE_MAX && word(kind) && word(action)
}

/// One event as the chain sees it: every column a reader can see, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEvent<'a> {
    pub id: &'a str,
    /// `None` for platform events (setup, operators), which form their own chain.
    pub tenant_id: Option<&'a str>,
    /// Position in the tenant's chain, from 1, without gaps.
    pub seq: i64,
    pub event_type: &'a str,
    pub happened_at_ms: i64,
    pub recorded_at_ms: i64,
    pub principal_id: &'a str,
    pub principal_name: &'a str,
    pub principal_email: Option<&'a str>,
    pub source: &'a str,
    pub object_id: Option<&'a str>,
    pub object_name: Option<&'a str>,
    pub origin_ip: Option<&'a str>,
}

/// The hash of `event` chained to the hash of the event before it (lower-case hex SHA-256).
///
/// Every field is written with a presence byte and a length prefix, so no two different events
/// encode to the same bytes (`"ab" + "c"` vs `"a" + "bc"`, empty vs absent).
pub fn chain_hash(prev_hash: &str, event: &ChainedEvent<'_>) -> String {
    let mut h = Sha256::new();
    h.update(CHAIN_TAG);
    let mut field = |value: Option<&[u8]>| match value {
        None => h.update([0u8]),
        Some(bytes) => {
            h.update([1u8]);
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        }
    };
    field(Some(prev_hash.as_bytes()));
    field(Some(event.id.as_bytes()));
    field(event.tenant_id.map(str::as_bytes));
    field(Some(&event.seq.to_be_bytes()));
    field(Some(event.event_type.as_bytes()));
    field(Some(&event.happened_at_ms.to_be_bytes()));
    field(Some(&event.recorded_at_ms.to_be_bytes()));
    field(Some(event.principal_id.as_bytes()));
    field(Some(event.principal_name.as_bytes()));
    field(event.principal_email.map(str::as_bytes));
    field(Some(event.source.as_bytes()));
    field(event.object_id.map(str::as_bytes));
    field(event.object_name.map(str::as_bytes));
    field(event.origin_ip.map(str::as_bytes));
    hex::encode(h.finalize())
}

/// Where a chain stops fitting, naming the first event that does not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// An event's columns (or its stored hash) were changed after it was recorded.
    #[error("event {event_id} (#{seq}) was altered: its hash does not match its contents and the event before it")]
    Altered { event_id: String, seq: i64 },
    /// Events are missing before this one (deleted, or inserted around the chain).
    #[error(
        "event {event_id} is #{found} but #{expected} was expected: events are missing before it"
    )]
    Gap {
        event_id: String,
        expected: i64,
        found: i64,
    },
    /// The chain's recorded head is ahead of its last event: events at the end are missing.
    #[error(
        "the chain ends at #{last} but {head} events were recorded: the newest events are missing"
    )]
    Truncated { last: i64, head: i64 },
    /// The chain's newest event is not the one recorded as its head.
    #[error("the chain's newest event does not match its recorded head: events were added or rewritten outside the log")]
    HeadMismatch,
}

/// Checks one chain event by event, in `seq` order, holding only the previous hash: memory
/// stays flat however long the chain.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    next_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            next_seq: 1,
            prev_hash: GENESIS.to_owned(),
        }
    }
}

impl ChainVerifier {
    /// Feeds the next event and the hash stored beside it.
    pub fn check(&mut self, event: &ChainedEvent<'_>, stored_hash: &str) -> Result<(), ChainBreak> {
        if event.seq != self.next_seq {
            return Err(ChainBreak::Gap {
                event_id: event.id.to_owned(),
                expected: self.next_seq,
                found: event.seq,
            });
        }
        let expected = chain_hash(&self.prev_hash, event);
        if expected != stored_hash {
            return Err(ChainBreak::Altered {
                event_id: event.id.to_owned(),
                seq: event.seq,
            });
        }
        self.next_seq += 1;
        self.prev_hash = expected;
        Ok(())
    }

    /// Compares the end of the chain with its recorded head; answers how many events fit.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        let last = self.next_seq - 1;
        if head_seq > last {
            return Err(ChainBreak::Truncated {
                last,
                head: head_seq,
            });
        }
        if head_seq < last || head_hash != self.prev_hash {
            return Err(ChainBreak::HeadMismatch);
        }
        Ok(last)
    }
}

/// Columns the activity list sorts by.
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
)]
#[strum(serialize_all = "snake_case")]
pub enum ActivitySort {
    #[default]
    Date,
    User,
    Action,
    Object,
}

impl ActivitySort {
    /// The sort named by a request (`date`, `user`, `action`, `object`).
    pub fn parse(input: &str) -> Result<ActivitySort, Problem> {
        if input.is_empty() {
            return Ok(ActivitySort::Date);
        }
        input.parse().map_err(|_| {
            Problem::invalid(
                "sort",
                "unknown_sort",
                format!(
                    "cannot sort activity by {}; use date, user, action or object",
                    crate::error::echo(input)
                ),
            )
        })
    }

    /// The code `parse` reads.
    pub fn code(self) -> &'static str {
        self.into()
    }
}

/// What the activity list and the download are narrowed to, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActivityFilter {
    /// Part of the principal's name or email, or a principal id; lower-case.
    pub user: Option<String>,
    /// An event type (`policy/grant`) or only its type (`policy`, meaning `policy/…`).
    pub action: Option<String>,
    /// Happened at or after (Unix ms).
    pub from_ms: Option<i64>,
    /// Happened before (Unix ms).
    pub to_ms: Option<i64>,
}

impl ActivityFilter {
    /// Checks raw filter input: `user` and `action` are trimmed and blank means "any";
    /// the range must not end before it starts.
    pub fn parse(
        user: &str,
        action: &str,
        from_ms: Option<i64>,
        to_ms: Option<i64>,
    ) -> Result<ActivityFilter, Problem> {
        let user = user.trim().to_lowercase();
        if user.chars().count() > 200 || user.chars().any(char::is_control) {
            return Err(Problem::invalid(
                "user",
                "invalid_user_filter",
                "the user filter is at most 200 characters, without line breaks",
            ));
        }
        let action = action.trim().to_lowercase();
        if !action.is_empty() && !is_event_type(&action) && !is_event_type(&format!("{action}/x")) {
            return Err(Problem::invalid(
                "action",
                "invalid_action_filter",
                "filter by an action such as policy/grant, or by its type such as policy",
            ));
        }
        if let (Some(from), Some(to)) = (from_ms, to_ms) {
            if to <= from {
                return Err(Problem::invalid(
                    "to",
                    "empty_date_range",
                    "the end date must come after the start date",
                ));
            }
        }
        Ok(ActivityFilter {
            user: (!user.is_empty()).then_some(user),
            action: (!action.is_empty()).then_some(action),
            from_ms,
            to_ms,
        })
    }

    /// Whether the action filter names a whole type (`policy`) rather than one event type.
    pub fn action_is_type(&self) -> bool {
        self.action.as_deref().is_some_and(|a| !a.contains('/'))
    }
}

/// The client's address for the activity log: the connection's peer, unless that peer is a
/// trusted proxy, in which case the right-most address of `X-Forwarded-For` that is not itself
/// a trusted proxy. Untrusted peers cannot forge their origin by sending the header.
pub fn client_ip(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    let mut hops = header.split(',').rev();
    let mut last_trusted = peer;
    for hop in hops.by_ref() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => last_trusted = ip,
            Ok(ip) => return ip,
            Err(_) => return last_trusted,
        }
    }
    last_trusted
}

#[cfg(test)]
mod tests {
    // A panic in a test is its failure report.
    #![allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]

    use super::*;

    /// The remembering writer writes what `csv_time` does, across days, years, the epoch,
    /// times going backwards and years out of range.
    #[test]
    fn csv_times_writes_what_csv_time_does() {
        let mut times = CsvTimes::default();
        let day = 86_400_000i64;
        let mut at = -3 * day - 1;
        let mut checked = 0;
        let mut cases: Vec<i64> = Vec::new();
        while at < 3 * day {
            cases.push(at);
            at += 7_777_777;
        }
        cases.extend([
            1_700_000_000_000,
            1_700_000_000_001,
            1_699_999_999_999,
            253_402_300_799_999,
            253_402_300_800_000,
            -62_167_219_200_000,
            -62_167_219_200_001,
            1_700_000_000_000,
        ]);
        for ms in cases {
            let mut out = [0u8; 24];
            match times.write(ms, &mut out) {
                Some(()) => {
                    assert_eq!(
                        std::str::from_utf8(&out).ok(),
                        Some(csv_time(ms).as_str()),
                        "{ms}"
                    );
                    checked += 1;
                }
                None => assert!(write_csv_time(ms, &mut [0u8; 24]).is_none(), "{ms}"),
            }
        }
        assert!(checked > 70);
    }

    fn event(seq: i64) -> ChainedEvent<'static> {
        ChainedEvent {
            id: "evt_1",
            tenant_id: Some("tnt_1"),
            seq,
            event_type: "policy/grant",
            happened_at_ms: 1,
            recorded_at_ms: 2,
            principal_id: "usr_1",
            principal_name: "Ada",
            principal_email: Some("ada@acme.example"),
            source: "console",
            object_id: None,
            object_name: Some(""),
            origin_ip: None,
        }
    }

    #[test]
    fn absent_and_empty_fields_hash_differently() {
        let a = event(1);
        let mut b = event(1);
        b.object_name = None;
        assert_ne!(chain_hash(GENESIS, &a), chain_hash(GENESIS, &b));
    }

    #[test]
    fn a_verifier_accepts_its_own_chain_and_names_the_altered_event() {
        let mut hashes = Vec::new();
        let mut prev = GENESIS.to_owned();
        for seq in 1..=3 {
            prev = chain_hash(&prev, &event(seq));
            hashes.push(prev.clone());
        }
        let mut v = ChainVerifier::default();
        for seq in 1..=3 {
            assert_eq!(v.check(&event(seq), &hashes[(seq - 1) as usize]), Ok(()));
        }
        assert_eq!(v.finish(3, &hashes[2]), Ok(3));
        let mut v = ChainVerifier::default();
        let mut altered = event(1);
        altered.principal_name = "Eve";
        assert!(matches!(
            v.check(&altered, &hashes[0]),
            Err(ChainBreak::Altered { seq: 1, .. })
        ));
    }
}
