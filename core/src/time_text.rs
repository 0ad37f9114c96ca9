//! Times as the console writes them: ISO 8601 dates and 24-hour clock times.
//!
//! Written from the calendar fields rather than with chrono's strftime, whose `%P` brings
//! Unicode case tables (24 KB) into the first download of the browser bundle.

use chrono::{DateTime, Datelike, TimeZone, Timelike};

/// `2026-11-29`.
pub fn date<Tz: TimeZone>(t: &DateTime<Tz>) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day())
}

/// `2026-11`.
pub fn month<Tz: TimeZone>(t: &DateTime<Tz>) -> String {
    format!("{:04}-{:02}", t.year(), t.month())
}

/// `14:05`.
pub fn clock<Tz: TimeZone>(t: &DateTime<Tz>) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `2026-11-29 14:05`.
pub fn minute<Tz: TimeZone>(t: &DateTime<Tz>) -> String {
    format!("{} {}", date(t), clock(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn fields_are_zero_padded_in_iso_order() {
        let t = Utc.with_ymd_and_hms(2026, 3, 7, 4, 5, 9).single().unwrap();
        assert_eq!(date(&t), "2026-03-07");
        assert_eq!(month(&t), "2026-03");
        assert_eq!(clock(&t), "04:05");
        assert_eq!(minute(&t), "2026-03-07 04:05");
    }

    #[test]
    fn they_agree_with_strftime() {
        let t = Utc
            .with_ymd_and_hms(1999, 12, 31, 23, 59, 59)
            .single()
            .unwrap();
        assert_eq!(minute(&t), t.format("%Y-%m-%d %H:%M").to_string());
        assert_eq!(month(&t), t.format("%Y-%m").to_string());
    }
}
