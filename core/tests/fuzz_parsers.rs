//! Fuzz smoke of every core function that reads outside input (proptest): ids, emails and
//! passwords, base64 and the Authorization header, https URLs, provider configurations and
//! answers, coded values, SSO claims and group names, the activity log's filters, CSV cells and
//! times, people's forms, app permission lines, REST bodies and date windows.
//!
//! Each target feeds arbitrary text and text built to sit next to valid input (a valid value
//! with one character changed, URLs with backslashes and userinfo, emails with quotes and two
//! `@`) and checks that nothing panics, that what is accepted keeps its promises (round trips
//! where there is one), and that every refusal is one short line naming a field, with nothing
//! of the program inside (no paths, no Debug output, no type names).
//!
//! `FUZZ_CASES` sets the inputs per target (512 when unset, 0 skips); each target prints
//! `fuzz <target>: <N> inputs, no panic` to stderr, so a CI log shows how much ran.

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use chrono::{DateTime, NaiveDate, Utc};
use portcullis_core::actions::Action;
use portcullis_core::apps::{parse_authorization, parse_request_lines, request_lines, Permission};
use portcullis_core::audit::{
    client_ip, csv_safe, csv_time, is_event_type, write_csv_time, ActivityFilter, ActivitySort,
    CsvTimes, CSV_FORMULA_STARTS,
};
use portcullis_core::authorizations::{check_label, AuthorizationSort};
use portcullis_core::boards::{
    AdDecision, Approval, BoardImage, BoardPatch, NewAgencyCampaign, StatsReport,
};
use portcullis_core::campaigns::{
    CampaignPatch, CampaignSettings, CampaignStatus, ContentKind, FeedFormat, NewAccount,
    NewCampaign, NewContent, NewFeed,
};
use portcullis_core::email::Email;
use portcullis_core::health::{answer_summary, plan, verdict, CheckPlan, Health, ANSWER_MAX_CHARS};
use portcullis_core::ids::*;
use portcullis_core::jobs::{check_job_name, JobSort, JobStatus};
use portcullis_core::metrics::{buckets, Granularity, MAX_BUCKETS};
use portcullis_core::password::{check_new_password, PasswordError};
use portcullis_core::people::{
    check_description, check_domain, check_name, check_reason, page_limit, parse_assignments,
    parse_descending, parse_policy_actions, RequestStatus, UserSort,
};
use portcullis_core::pii::MASK;
use portcullis_core::providers::{
    check_https_url, masked, method, validate, JobType, Rule, PROVIDERS,
};
use portcullis_core::signin::check_sign_in;
use portcullis_core::sso::{
    check_claim_name, check_group, groups_from_paste, groups_in_claims, no_access_reason,
};
use portcullis_core::{base64, Problem, ProblemKind};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::{TestCaseError, TestRunner};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::{Debug, Display};
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

type Check = Result<(), TestCaseError>;

// ---------------------------------------------------------------------------------------------
// The harness: how many inputs, the one line each target prints, and what a refusal may say.

/// Inputs per target: `FUZZ_CASES`, or 512. A value that is not a number fails the run rather
/// than quietly running the default.
fn cases() -> u32 {
    match std::env::var("FUZZ_CASES") {
        Err(_) => 512,
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("FUZZ_CASES must be a whole number, not {v:?}")),
    }
}

/// Runs `test` on `cases()` inputs from `strategy` and prints how many ran; a target that runs
/// nothing says "skipped" so it cannot pass unseen.
fn fuzz<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Check) {
    let cases = cases();
    if cases == 0 {
        eprintln!("fuzz {name}: skipped (FUZZ_CASES=0)");
        return;
    }
    let ran = AtomicU64::new(0);
    // Failures are kept as regular tests below, not in a proptest-regressions file.
    let config = ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases)
    };
    let result = TestRunner::new(config).run(&strategy, |input| {
        ran.fetch_add(1, Ordering::Relaxed);
        test(input)
    });
    let ran = ran.load(Ordering::Relaxed);
    if let Err(e) = result {
        panic!("fuzz {name}: failed after {ran} inputs: {e}");
    }
    if ran == 0 {
        eprintln!("fuzz {name}: skipped, no input ran");
        return;
    }
    eprintln!("fuzz {name}: {ran} inputs, no panic");
}

/// Text that gives away the program rather than the rule: panics, source paths, storage errors,
/// Debug output of Rust values.
const LEAKS: &[&str] = &[
    "panicked",
    "src/",
    ".rs",
    "sqlx",
    "Error {",
    "Some(",
    "None",
    "Err(",
    "Ok(",
    "RUST_BACKTRACE",
    "unwrap",
    "thread '",
    "::",
    "portcullis_core",
];

/// The longest refusal, in characters (field and message together).
const SHORT: usize = 200;

/// A refusal's text is one short line with none of [`LEAKS`] in it, unless the client sent that
/// very text (a message may repeat what was sent).
fn clean_text(what: &str, text: &str, inputs: &[&str]) -> Check {
    short_line(what, text)?;
    no_leaks(what, text, inputs)
}

/// At most [`SHORT`] characters on one line.
fn short_line(what: &str, text: &str) -> Check {
    prop_assert!(
        text.chars().count() < SHORT,
        "{what} has {} characters: {text:?}",
        text.chars().count()
    );
    prop_assert!(!text.trim().is_empty(), "{what} is blank");
    prop_assert!(
        !text.chars().any(char::is_control),
        "{what} is not one line: {text:?}"
    );
    Ok(())
}

/// None of [`LEAKS`], unless the client sent it.
fn no_leaks(what: &str, text: &str, inputs: &[&str]) -> Check {
    for leak in LEAKS {
        prop_assert!(
            !text.contains(leak) || inputs.iter().any(|i| i.contains(leak)),
            "{what} shows {leak:?}: {text:?}"
        );
    }
    Ok(())
}

/// A problem caused by input: a client error (never a 500), a snake_case code, a non-empty field
/// when it names one, and clean text.
fn clean_problem(p: &Problem, inputs: &[&str]) -> Check {
    // The field and the message are checked apart: `field: message` joins them with a colon.
    short_line("problem", &p.to_string())?;
    no_leaks("message", &p.message, inputs)?;
    no_leaks("field", p.field.as_deref().unwrap_or_default(), inputs)?;
    prop_assert!(
        p.kind != ProblemKind::Internal && p.status() < 500,
        "input caused a {}: {p:?}",
        p.status()
    );
    prop_assert!(
        !p.code.is_empty()
            && p.code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        "code {:?}",
        p.code
    );
    if let Some(field) = &p.field {
        prop_assert!(!field.trim().is_empty(), "blank field in {p:?}");
    }
    Ok(())
}

/// The problem names `field`.
fn names(p: &Problem, field: &str) -> Check {
    prop_assert_eq!(p.field.as_deref(), Some(field), "{:?}", p);
    Ok(())
}

/// Names of core's types a serde message could carry ("expected struct NewCampaign").
const TYPE_NAMES: &[&str] = &[
    "struct ",
    "enum ",
    "NewCampaign",
    "CampaignPatch",
    "NewContent",
    "NewFeed",
    "NewAccount",
    "BoardPatch",
    "BoardImage",
    "NewAgencyCampaign",
    "AdDecision",
    "StatsReport",
    "CampaignStatus",
    "ContentKind",
    "FeedFormat",
    "Approval",
    "Permission",
    "NaiveDate",
];

/// A serde refusal (the REST layer passes it on): no leaks, no type names. Neither its length
/// nor its line breaks are checked: serde repeats an unknown key or a wrong value whole and as
/// sent, and cutting that short is the REST layer's job, not the types'.
fn clean_serde(e: &serde_json::Error, inputs: &[&str]) -> Check {
    let text = e.to_string();
    for leak in LEAKS.iter().chain(TYPE_NAMES) {
        prop_assert!(
            !text.contains(leak) || inputs.iter().any(|i| i.contains(leak)),
            "serde message shows {leak:?}: {text:?}"
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Generators: arbitrary text, and small edits that turn valid input into near-valid input.

/// Arbitrary text: any Unicode, printable ASCII, ASCII with control characters, long runs.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => any::<String>(),
        3 => "[ -~]{0,40}",
        1 => "[\\x00-\\x7f]{0,40}",
        1 => "(\\PC|\\s){0,300}",
        1 => "[a-z.@/_-]{150,400}",
    ]
    .boxed()
}

/// Characters that break parsers more often than a random one does.
fn odd_char() -> BoxedStrategy<char> {
    prop_oneof![
        1 => any::<char>(),
        2 => select(vec![
            '@', '/', '\\', '%', ':', '.', '_', '-', '=', '+', ' ', '\t', '\n', '\r', '\0', '"',
            '\'', ',', '|', '[', ']', '#', '?', '{', '}', '\u{202e}', '\u{200b}', '\u{3000}',
            'é', 'İ', 'ß', '\u{212a}', '０', '＠', '•',
        ]),
    ]
    .boxed()
}

/// One small change to a valid value.
#[derive(Debug, Clone)]
enum Edit {
    Keep,
    Replace(Index, char),
    Insert(Index, char),
    Delete(Index),
    Upper,
    Pad(String, String),
    Cut(Index),
    Twice,
}

fn edit() -> BoxedStrategy<Edit> {
    prop_oneof![
        6 => Just(Edit::Keep),
        2 => (any::<Index>(), odd_char()).prop_map(|(i, c)| Edit::Replace(i, c)),
        2 => (any::<Index>(), odd_char()).prop_map(|(i, c)| Edit::Insert(i, c)),
        1 => any::<Index>().prop_map(Edit::Delete),
        1 => Just(Edit::Upper),
        1 => ("[ \t\n]{0,2}", "[ \t\n]{0,2}").prop_map(|(a, b)| Edit::Pad(a, b)),
        1 => any::<Index>().prop_map(Edit::Cut),
        1 => Just(Edit::Twice),
    ]
    .boxed()
}

fn apply(s: &str, e: &Edit) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    match e {
        Edit::Keep => return s.to_owned(),
        Edit::Replace(i, c) if !chars.is_empty() => {
            let at = i.index(chars.len());
            chars[at] = *c;
        }
        Edit::Insert(i, c) => chars.insert(i.index(chars.len() + 1), *c),
        Edit::Delete(i) if !chars.is_empty() => {
            chars.remove(i.index(chars.len()));
        }
        Edit::Upper => return s.to_uppercase(),
        Edit::Pad(a, b) => return format!("{a}{s}{b}"),
        Edit::Cut(i) => chars.truncate(i.index(chars.len() + 1)),
        Edit::Twice => return s.repeat(2),
        _ => {}
    }
    chars.into_iter().collect()
}

/// A valid value from `valid`, with one edit.
fn near(valid: impl Strategy<Value = String> + 'static) -> BoxedStrategy<String> {
    (valid, edit()).prop_map(|(s, e)| apply(&s, &e)).boxed()
}

/// Arbitrary text, or near-valid text from `valid`.
fn input(valid: impl Strategy<Value = String> + 'static) -> BoxedStrategy<String> {
    prop_oneof![1 => text(), 3 => near(valid)].boxed()
}

/// Arbitrary JSON, a few levels deep.
fn json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(Value::Array),
            vec((text(), inner), 0..5).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
    .boxed()
}

/// URLs around the https rule: every scheme spelling, userinfo, backslashes, IPv6 brackets,
/// percent-encoding, Unicode hosts, and one authority hiding behind another.
fn near_url() -> BoxedStrategy<String> {
    let scheme = prop_oneof![
        4 => select(vec!["https", "http"]),
        1 => select(vec!["HTTPS", "Http", "ftp", "postgres", "javascript", "file", "", "https:", "http "]),
    ];
    let sep = prop_oneof![6 => Just("://"), 1 => select(vec![":/", ":\\\\", "//", ":///", ":\\/", "://\\"])];
    let host = prop_oneof![
        2 => select(vec!["127.0.0.1", "localhost", "[::1]"]),
        2 => select(vec!["example.com", "evil.com", "api.example.com:8443"]),
        1 => select(vec![
            "bücher.example", "xn--bcher-kva.example", "[::1", "::1", "[::ffff:127.0.0.1]",
            "127.0.0.1.evil.com", "0x7f.0.0.1", "2130706433", "LOCALHOST", "", "127.1",
            "localhost.", "[0:0:0:0:0:0:0:1]", "%6c%6f%63alhost", "evil.com%2f", "ex ample.com",
            "exa\u{3000}mple.com", "[::1]x", "localhost:abc", "localhost:",
        ]),
    ];
    let mid = prop_oneof![
        3 => Just(""),
        2 => select(vec!["@", "\\@", "\\", "/@", "#@", "?@", "%40", ":@", "\t@", ":pw@", "\\\\"]),
    ];
    let tail = prop_oneof![
        3 => select(vec!["", "/", "/path?q=1#f", "?q=1", "#frag"]),
        1 => select(vec!["\\@evil.com", "%2f@evil.com", "/@evil.com", " ", "\t", "\u{3000}", "/ x"]),
    ];
    (scheme, sep, host.clone(), mid, host, tail, edit())
        .prop_map(|(scheme, sep, a, mid, b, tail, e)| {
            let authority = if mid.is_empty() {
                a.to_owned()
            } else {
                format!("{a}{mid}{b}")
            };
            apply(&format!("{scheme}{sep}{authority}{tail}"), &e)
        })
        .boxed()
}

/// What the server's HTTP client would reach with `url`, by the URL standard's parser: https,
/// or http on a loopback host. Text the parser refuses reaches nothing.
fn reaches_only_https_or_loopback(url: &str) -> Check {
    if let Ok(u) = url::Url::parse(url) {
        let loopback = match u.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        prop_assert!(
            u.scheme() == "https" || (u.scheme() == "http" && loopback),
            "{url:?} was accepted but reaches {}://{:?}",
            u.scheme(),
            u.host_str()
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Ids.

const ID_PREFIXES: &[&str] = &[
    "tnt", "agc", "usr", "pol", "rg", "db", "auth", "job", "exp", "app", "tok", "ins", "evt",
    "cmp", "cnt", "feed", "crv", "brd", "pull", "dev",
];
const ID_ALPHABET: &str = "0123456789abcdefghjkmnpqrstvwxyz";

/// The documented shape: `<prefix>_` then 26 Crockford characters, the first from 0 to 7.
fn id_shape(prefix: &str, s: &str) -> bool {
    let Some(body) = s.strip_prefix(prefix).and_then(|r| r.strip_prefix('_')) else {
        return false;
    };
    body.chars().count() == 26
        && body.chars().all(|c| ID_ALPHABET.contains(c))
        && body.starts_with(|c: char| ('0'..='7').contains(&c))
}

fn check_id<T>(prefix: &str, s: &str) -> Check
where
    T: FromStr<Err = IdError> + Display + Debug + PartialEq + Clone + Serialize + DeserializeOwned,
{
    let from_json = serde_json::from_value::<T>(Value::String(s.to_owned()));
    match s.parse::<T>() {
        Ok(id) => {
            prop_assert!(id_shape(prefix, s), "{s:?} accepted as {prefix}");
            prop_assert_eq!(id.to_string(), s);
            prop_assert_eq!(id.to_string().parse::<T>().ok(), Some(id.clone()));
            prop_assert_eq!(from_json.ok(), Some(id.clone()));
            let body = &s[prefix.len() + 1..];
            let bytes = decode_body(body).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(encode_body(bytes), body);
        }
        Err(e) => {
            prop_assert!(!id_shape(prefix, s), "{s:?} refused as {prefix}: {e}");
            clean_text("id error", &e.to_string(), &[s])?;
            let serde_error = from_json.err().map(|e| e.to_string()).unwrap_or_default();
            prop_assert!(serde_error.contains(&e.to_string()), "{serde_error}");
        }
    }
    Ok(())
}

#[test]
fn fuzz_ids() {
    let near_id = (select(ID_PREFIXES), any::<[u8; 16]>(), edit())
        .prop_map(|(p, b, e)| apply(&format!("{p}_{}", encode_body(b)), &e));
    let strategy = (prop_oneof![1 => text(), 3 => near_id], any::<[u8; 16]>());
    fuzz("ids", strategy, |(s, bytes)| {
        check_id::<TenantId>(TenantId::PREFIX, &s)?;
        check_id::<AgencyId>(AgencyId::PREFIX, &s)?;
        check_id::<UserId>(UserId::PREFIX, &s)?;
        check_id::<PolicyId>(PolicyId::PREFIX, &s)?;
        check_id::<ResourceGroupId>(ResourceGroupId::PREFIX, &s)?;
        check_id::<DatabaseId>(DatabaseId::PREFIX, &s)?;
        check_id::<AuthorizationId>(AuthorizationId::PREFIX, &s)?;
        check_id::<JobId>(JobId::PREFIX, &s)?;
        check_id::<ExperienceId>(ExperienceId::PREFIX, &s)?;
        check_id::<AppId>(AppId::PREFIX, &s)?;
        check_id::<TokenId>(TokenId::PREFIX, &s)?;
        check_id::<InstallId>(InstallId::PREFIX, &s)?;
        check_id::<EventId>(EventId::PREFIX, &s)?;
        check_id::<CampaignId>(CampaignId::PREFIX, &s)?;
        check_id::<ContentId>(ContentId::PREFIX, &s)?;
        check_id::<FeedId>(FeedId::PREFIX, &s)?;
        check_id::<CreativeId>(CreativeId::PREFIX, &s)?;
        check_id::<BoardId>(BoardId::PREFIX, &s)?;
        check_id::<PullId>(PullId::PREFIX, &s)?;
        check_id::<DeviceId>(DeviceId::PREFIX, &s)?;
        // Every id the server makes from 16 bytes reads back as itself and its bytes.
        let made = UserId::from_bytes(bytes);
        prop_assert_eq!(UserId::parse(made.as_str()), Ok(made.clone()));
        prop_assert_eq!(decode_body(&made.as_str()[4..]), Ok(bytes));
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Emails, passwords and the sign-in form.

fn near_email() -> BoxedStrategy<String> {
    let local = prop_oneof![
        3 => "[a-zA-Z0-9._%+'-]{1,20}",
        1 => "[a-zA-Z0-9._%+'-]{60,70}",
        1 => "\"[a-z @]{0,10}\"",
        1 => "\\PC{1,12}",
        1 => Just(String::new()),
    ];
    let at = prop_oneof![6 => Just("@"), 1 => select(vec!["", "@@", "@x@", "＠", " @", "@ "])];
    let domain = prop_oneof![
        4 => "[a-z0-9-]{1,12}(\\.[a-z0-9-]{1,12}){0,3}\\.[a-z]{2,6}",
        1 => "\\[[0-9.]{7,15}\\]",
        1 => "[a-zA-Z0-9.-]{0,80}",
        1 => "\\PC{1,20}\\.[a-z]{2,4}",
        1 => "[a-z]{60,66}\\.[a-z]{2,3}",
        1 => "[a-z]{2,8}\\.[a-z0-9]{1,3}",
    ];
    (local, at, domain, edit())
        .prop_map(|(l, a, d, e)| apply(&format!("{l}{a}{d}"), &e))
        .boxed()
}

#[test]
fn fuzz_emails_and_passwords() {
    let strategy = (
        prop_oneof![1 => text(), 3 => near_email()],
        prop_oneof![
            text(),
            "[a-z]{1,8}[0-9]{0,6}",
            Just("password1234".to_owned())
        ],
    );
    fuzz("emails_and_passwords", strategy, |(s, password)| {
        let parsed = Email::parse(&s);
        match &parsed {
            Ok(e) => {
                let a = e.as_str();
                prop_assert_eq!(a, s.trim().to_ascii_lowercase());
                prop_assert_eq!(Email::parse(a), Ok(e.clone()));
                prop_assert!(
                    a.is_ascii() && a.chars().count() <= 254 && !a.contains(char::is_whitespace)
                );
                prop_assert_eq!(a.matches('@').count(), 1);
                prop_assert_eq!(format!("{}@{}", e.local_part(), e.domain()), a);
                prop_assert!((1..=64).contains(&e.local_part().len()) && e.domain().contains('.'));
                let json =
                    serde_json::to_string(e).map_err(|x| TestCaseError::fail(x.to_string()))?;
                prop_assert_eq!(serde_json::from_str::<Email>(&json).ok(), Some(e.clone()));
            }
            Err(err) => {
                clean_text("email error", &err.to_string(), &[&s])?;
                let p = err.into_problem("email");
                clean_problem(&p, &[&s])?;
                names(&p, "email")?;
                prop_assert!(p.code.starts_with("email_"));
                prop_assert!(serde_json::from_value::<Email>(Value::String(s.clone())).is_err());
            }
        }
        // Case never matters: the address is lower-cased before any rule runs.
        prop_assert_eq!(&Email::parse(&s.to_ascii_uppercase()), &parsed);

        match check_sign_in(&s, &password) {
            Ok(form) => prop_assert_eq!(Ok(form.email), parsed.clone()),
            Err(p) => {
                clean_problem(&p, &[&s, &password])?;
                let field = p.field.as_deref().unwrap_or_default();
                prop_assert!(field == "email" || field == "password", "{p:?}");
            }
        }
        let n = password.chars().count();
        match check_new_password(&password, parsed.as_ref().ok()) {
            Ok(()) => prop_assert!((12..=128).contains(&n)),
            Err(e) => {
                let p = e.into_problem("password");
                clean_problem(&p, &[&s, &password])?;
                prop_assert_eq!(e == PasswordError::TooShort, n < 12);
                prop_assert_eq!(e == PasswordError::TooLong, n > 128);
            }
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Base64 and the bot Authorization header.

fn near_base64() -> BoxedStrategy<String> {
    let damage = prop_oneof![
        3 => Just(0u8),
        1 => Just(1), // padding dropped
        1 => Just(2), // extra padding
        1 => Just(3), // padding in the middle
        1 => Just(4), // URL-safe alphabet
    ];
    (vec(any::<u8>(), 0..48), damage, edit())
        .prop_map(|(bytes, damage, e)| {
            let s = base64::encode(&bytes);
            let s = match damage {
                1 => s.trim_end_matches('=').to_owned(),
                2 => format!("{s}==="),
                3 => format!("{}={}", &s[..s.len() / 2], &s[s.len() / 2..]),
                4 => s.replace('+', "-").replace('/', "_"),
                _ => s,
            };
            apply(&s, &e)
        })
        .boxed()
}

const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#[test]
fn fuzz_base64() {
    let strategy = (
        prop_oneof![1 => text(), 3 => near_base64()],
        vec(any::<u8>(), 0..64),
    );
    fuzz("base64", strategy, |(s, bytes)| {
        if let Some(decoded) = base64::decode(&s) {
            let unpadded = s.trim_end_matches('=');
            prop_assert!(unpadded.chars().all(|c| B64.contains(c)), "{s:?} decoded");
            prop_assert_eq!(decoded.len(), unpadded.len() * 3 / 4);
            prop_assert_eq!(base64::decode(&base64::encode(&decoded)), Some(decoded));
        }
        let encoded = base64::encode(&bytes);
        prop_assert_eq!(base64::decode(&encoded), Some(bytes.clone()));
        prop_assert_eq!(base64::decode(encoded.trim_end_matches('=')), Some(bytes));
        Ok(())
    });
}

#[test]
fn fuzz_authorization_header() {
    let pair = ("pct_[A-Za-z0-9]{1,20}", "[!-9;-~][ -~]{0,30}[!-~]|[!-9;-~]");
    let header = (
        prop_oneof![4 => select(vec!["Bearer", "Basic"]), 1 => select(vec!["bearer", "BASIC", "Token", "", "Bearer\t"])],
        pair,
        any::<bool>(),
        edit(),
    )
        .prop_map(|(scheme, (t, s), basic, e)| {
            let value = if basic {
                base64::encode(format!("{t}:{s}").as_bytes())
            } else {
                format!("{t}:{s}")
            };
            apply(&format!("{scheme} {value}"), &e)
        });
    let strategy = (prop_oneof![1 => text(), 3 => header], pair);
    fuzz("authorization_header", strategy, |(h, (token, secret))| {
        match parse_authorization(&h) {
            Ok(c) => {
                prop_assert!(c.token.starts_with("pct_") && !c.secret.is_empty());
                let shown = format!("{c:?}");
                let own = format!("Credentials {{ token: {:?}, .. }}", c.token);
                if c.secret.chars().count() >= 4 && !own.contains(&c.secret) {
                    prop_assert!(
                        !shown.contains(&c.secret),
                        "Debug shows the secret: {shown}"
                    );
                }
            }
            Err(p) => {
                clean_problem(&p, &[&h])?;
                prop_assert_eq!(p.kind, ProblemKind::Unauthenticated);
            }
        }
        // Bearer and Basic carry the same pair.
        let bearer =
            parse_authorization(&format!("Bearer {token}:{secret}")).map_err(|p| p.message);
        let basic_value = base64::encode(format!("{token}:{secret}").as_bytes());
        let basic = parse_authorization(&format!("Basic {basic_value}")).map_err(|p| p.message);
        prop_assert_eq!(&bearer, &basic);
        let c = bearer.map_err(TestCaseError::fail)?;
        prop_assert_eq!(
            (c.token.as_str(), c.secret.as_str()),
            (token.as_str(), secret.as_str())
        );
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// URLs.

#[test]
fn fuzz_https_urls() {
    let strategy = prop_oneof![1 => text(), 4 => near_url()];
    fuzz("https_urls", strategy, |s| {
        match check_https_url("url", &s) {
            Ok(v) => {
                prop_assert_eq!(v.as_str(), s.trim());
                prop_assert!(!v.contains(char::is_whitespace));
                let scheme = v.split(':').next().unwrap_or_default().to_ascii_lowercase();
                prop_assert!(scheme == "https" || scheme == "http");
                reaches_only_https_or_loopback(&v)?;
            }
            Err(p) => {
                clean_problem(&p, &[&s])?;
                names(&p, "url")?;
            }
        }
        // A provider's base URL follows the same rule inside a configuration.
        let (_, bearer) =
            method("http_api", "bearer").map_err(|p| TestCaseError::fail(p.message))?;
        let config = BTreeMap::from([
            ("base_url".to_owned(), s.clone()),
            ("token".to_owned(), "t0ken".to_owned()),
        ]);
        match validate(bearer, &config) {
            Ok(out) => reaches_only_https_or_loopback(&out["base_url"])?,
            Err(p) => clean_problem(&p, &[&s])?,
        }
        let (_, pg) =
            method("postgresql", "connection_url").map_err(|p| TestCaseError::fail(p.message))?;
        if let Err(p) = validate(pg, &BTreeMap::from([("url".to_owned(), s.clone())])) {
            clean_problem(&p, &[&s])?;
            names(&p, "url")?;
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Provider configurations, health plans and provider answers.

fn all_keys() -> Vec<&'static str> {
    let mut keys: Vec<&str> = PROVIDERS
        .iter()
        .flat_map(|p| {
            p.methods
                .iter()
                .flat_map(|m| m.fields.iter().map(|f| f.key))
        })
        .chain(["access_token", "refresh_token"])
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

fn config_value() -> BoxedStrategy<String> {
    let key_file = r#"{"type": "service_account", "client_email": "a@b.iam", "private_key": "-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n"}"#;
    let valid = prop_oneof![
        Just("SG.abc123".to_owned()),
        "[0-9a-fA-F]{30,34}",
        "[0-9]{3,8}",
        "[a-z][a-z0-9-]{4,31}",
        select(vec!["us", "eu", "asia"]).prop_map(str::to_owned),
        Just(key_file.to_owned()),
        Just(r#"{"type":"user"}"#.to_owned()),
        select(vec![
            "postgres://u:p@db.example.com:5432/app",
            "postgresql://db/app?sslmode=require",
            "postgres://db/",
            "postgres:///app",
            "postgres://@/x",
        ])
        .prop_map(str::to_owned),
        near_url(),
        "[ -~]{1,30}",
    ];
    prop_oneof![1 => text(), 3 => near(valid)].boxed()
}

#[test]
fn fuzz_provider_configs() {
    let methods: Vec<(String, String)> = PROVIDERS
        .iter()
        .flat_map(|p| {
            p.methods
                .iter()
                .map(|m| (p.code.to_owned(), m.code.to_owned()))
        })
        .collect();
    let names = prop_oneof![6 => select(methods), 1 => (text(), text())];
    let key = prop_oneof![5 => select(all_keys()).prop_map(str::to_owned), 1 => text()];
    let strategy = (
        names,
        vec((key, config_value()), 0..6),
        prop::option::of(prop_oneof![near_url(), text()]),
        any::<i64>(),
    );
    fuzz(
        "provider_configs",
        strategy,
        |((p, m), entries, base, now_ms)| {
            let config: BTreeMap<String, String> = entries.into_iter().collect();
            let mut inputs: Vec<&str> = vec![&p, &m];
            inputs.extend(config.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]));
            let (provider, meth) = match method(&p, &m) {
                Ok(found) => found,
                Err(problem) => {
                    clean_problem(&problem, &inputs)?;
                    let field = problem.field.as_deref().unwrap_or_default();
                    prop_assert!(field == "provider" || field == "method");
                    return Ok(());
                }
            };
            match validate(meth, &config) {
                Ok(out) => {
                    for f in meth.fields {
                        prop_assert!(!f.required || out.contains_key(f.key), "{} missing", f.key);
                    }
                    for (k, v) in &out {
                        let f = meth.fields.iter().find(|f| f.key == k.as_str());
                        prop_assert!(f.is_some(), "unknown key {k:?} kept");
                        prop_assert_eq!(v.as_str(), config[k].trim());
                        prop_assert!(!v.is_empty());
                        let rule = f.map(|f| f.rule);
                        if rule != Some(Rule::ServiceAccountJson) {
                            prop_assert!(!v.contains(['\n', '\r']), "{k} kept a line break");
                        }
                        if rule == Some(Rule::HttpsUrl) {
                            reaches_only_https_or_loopback(v)?;
                        }
                    }
                }
                Err(problem) => {
                    clean_problem(&problem, &inputs)?;
                    let field = problem.field.clone().unwrap_or_default();
                    prop_assert!(
                        meth.fields.iter().any(|f| f.key == field)
                            || config.contains_key(&field)
                            || field == "config",
                        "field {field:?} is neither the method's, nor sent, nor the whole config"
                    );
                    let shown = problem.to_string();
                    for v in config.values().filter(|v| v.chars().count() >= 16) {
                        prop_assert!(
                            !shown.contains(v.as_str()),
                            "a refusal repeats a value: {shown}"
                        );
                    }
                }
            }
            for (k, v) in masked(meth, &config) {
                let shown_as_is = meth.fields.iter().any(|f| f.key == k && !f.secret);
                prop_assert_eq!(
                    v,
                    if shown_as_is {
                        config[&k].clone()
                    } else {
                        MASK.to_owned()
                    }
                );
            }
            match plan(provider, meth.kind, &config, base.as_deref(), now_ms) {
                CheckPlan::Unavailable { reason } => clean_text("reason", &reason, &inputs)?,
                CheckPlan::Http(h) => prop_assert!(!h.rejected.is_empty()),
                CheckPlan::Sql { .. } | CheckPlan::GoogleServiceAccount { .. } => {}
            }
            let _ = portcullis_core::oauth::endpoints(provider.code, &config, base.as_deref());
            Ok(())
        },
    );
}

/// Whitespace-collapsed, as the answer summary reads a provider's answer.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Debug, Clone)]
struct Answer {
    answer: String,
    secrets: Vec<String>,
    /// Secrets whose echoes together cover `covered`, which the filler never contains.
    covered: Option<String>,
}

fn provider_answer() -> BoxedStrategy<Answer> {
    // Filler never holds the letters and digits secrets are made of here.
    let filler = "[A-Z .,:{}\"\\n\\t]{0,40}";
    let secret = prop_oneof![
        3 => "[a-z0-9]{0,12}",
        2 => "[a-z0-9]{2,6}[ \t\n]{1,3}[a-z0-9]{2,6}",
        1 => "[^•…]{0,20}",
    ];
    // Echoes of separate secrets, whitespace as the provider sent it.
    let echoes = (vec(secret, 0..4), vec(filler, 1..5), vec(any::<bool>(), 4)).prop_map(
        |(secrets, fill, mangle)| {
            let mut answer = String::new();
            for (i, f) in fill.iter().enumerate() {
                answer.push_str(f);
                if let Some(s) = secrets.get(i) {
                    let echo = if mangle[i % 4] {
                        s.replace(' ', "\n  ")
                    } else {
                        s.clone()
                    };
                    answer.push_str(&echo);
                }
            }
            Answer {
                answer,
                secrets,
                covered: None,
            }
        },
    );
    // Secrets that overlap or contain each other, echoed as the one text they share.
    let overlapping = (
        "[a-z0-9]{8,24}",
        any::<Index>(),
        any::<Index>(),
        filler,
        filler,
    )
        .prop_map(|(base, a, b, pre, post)| {
            let n = base.len();
            let cut = 4 + a.index(n - 7); // 4..=n-4: both halves at least 4 long
            let back = b.index(cut - 3); // the second secret starts up to cut-4 earlier
            let secrets = vec![
                base[..cut].to_owned(),
                base[back..].to_owned(),
                base[..4].to_owned(),
            ];
            Answer {
                answer: format!("{pre}{base}{post}"),
                secrets,
                covered: Some(base),
            }
        });
    prop_oneof![2 => echoes, 1 => overlapping, 1 => (text(), vec(text(), 0..3)).prop_map(|(answer, secrets)| Answer { answer, secrets, covered: None })].boxed()
}

#[test]
fn fuzz_provider_answers() {
    let strategy = (provider_answer(), any::<u16>(), vec(any::<u16>(), 0..4));
    fuzz("provider_answers", strategy, |(a, status, rejected)| {
        let refs: Vec<&str> = a.secrets.iter().map(String::as_str).collect();
        let out = answer_summary(&a.answer, &refs);
        prop_assert!(out.chars().count() <= ANSWER_MAX_CHARS);
        prop_assert!(
            !out.contains(|c: char| c.is_whitespace() && c != ' '),
            "{out:?}"
        );
        prop_assert!(!out.contains("  ") && out == out.trim(), "{out:?}");
        for s in &a.secrets {
            let s = one_line(s);
            if s.len() >= 4 && !s.contains('•') && !s.contains('…') {
                prop_assert!(!out.contains(&s), "secret {s:?} shown in {out:?}");
            }
        }
        if let Some(covered) = &a.covered {
            prop_assert!(
                !out.contains(|c: char| covered.contains(c)),
                "part of the secrets {:?} shown in {out:?}",
                a.secrets
            );
        }
        let whole = one_line(&a.answer);
        if a.secrets.iter().all(|s| s.len() < 4) && whole.chars().count() <= ANSWER_MAX_CHARS {
            prop_assert_eq!(&out, &whole);
        }
        let v = verdict(status, &rejected);
        prop_assert_eq!(v == Health::Healthy, (200..300).contains(&status));
        prop_assert_eq!(
            v == Health::Unhealthy,
            !(200..300).contains(&status) && rejected.contains(&status)
        );
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Coded values: sorts, statuses, kinds, permissions, actions.

fn every_code() -> Vec<String> {
    let mut codes: Vec<&str> = Vec::new();
    codes.extend(JobType::ALL.iter().map(|c| c.code()));
    codes.extend(Health::ALL.iter().map(|c| c.code()));
    codes.extend(JobStatus::ALL.iter().map(|c| c.code()));
    codes.extend(AuthorizationSort::ALL.iter().map(|c| c.code()));
    codes.extend(Granularity::ALL.iter().map(|c| c.code()));
    codes.extend(Action::ALL.iter().map(|c| c.code()));
    codes.extend(Permission::ALL.iter().map(|c| c.code()));
    codes.extend(CampaignStatus::ALL.iter().map(|c| c.code()));
    codes.extend(ContentKind::ALL.iter().map(|c| c.code()));
    codes.extend(FeedFormat::ALL.iter().map(|c| c.code()));
    codes.extend(Approval::ALL.iter().map(|c| c.code()));
    codes.extend([
        "",
        "date",
        "user",
        "action",
        "object",
        "name",
        "email",
        "policy",
        "last_login",
        "type",
        "status",
        "created",
        "asc",
        "desc",
        "pending",
        "approved",
        "rejected",
    ]);
    codes.into_iter().map(str::to_owned).collect()
}

/// A parse that answers a problem: what it accepts has `code` equal to the input (or the
/// input is empty and means the default), and what it refuses names `field`.
fn coded<T: Debug>(
    s: &str,
    field: &str,
    got: Result<T, Problem>,
    code: impl Fn(&T) -> &'static str,
    empty_ok: bool,
) -> Check {
    match got {
        Ok(v) => prop_assert!(
            code(&v) == s || (empty_ok && s.is_empty()),
            "{s:?} read as {v:?}"
        ),
        Err(p) => {
            clean_problem(&p, &[s])?;
            names(&p, field)?;
        }
    }
    Ok(())
}

/// Serde reads a coded enum as `from_code` does, and says nothing of the program when not.
fn serde_coded<T: DeserializeOwned + PartialEq + Debug>(s: &str, from_code: Option<T>) -> Check {
    match serde_json::from_value::<T>(Value::String(s.to_owned())) {
        Ok(v) => prop_assert_eq!(Some(v), from_code),
        Err(e) => {
            prop_assert!(from_code.is_none());
            clean_serde(&e, &[s])?;
        }
    }
    Ok(())
}

#[test]
fn fuzz_codes() {
    fuzz("codes", input(select(every_code())), |s| {
        coded(&s, "type", JobType::parse("type", &s), |v| v.code(), false)?;
        coded(
            &s,
            "health",
            Health::parse("health", &s),
            |v| v.code(),
            false,
        )?;
        coded(
            &s,
            "status",
            JobStatus::parse("status", &s),
            |v| v.code(),
            false,
        )?;
        coded(&s, "sort", ActivitySort::parse(&s), |v| v.code(), true)?;
        coded(&s, "sort", UserSort::parse(&s), |v| v.code(), true)?;
        coded(&s, "sort", JobSort::parse(&s), |v| v.code(), true)?;
        coded(&s, "sort", AuthorizationSort::parse(&s), |v| v.code(), true)?;
        coded(
            &s,
            "granularity",
            Granularity::parse(&s),
            |v| v.code(),
            false,
        )?;
        match Permission::parse("permission", &s) {
            Ok(p) => prop_assert_eq!(p.code(), s.trim()),
            Err(p) => {
                clean_problem(&p, &[&s])?;
                names(&p, "permission")?;
            }
        }
        match serde_json::from_value::<Permission>(Value::String(s.clone())) {
            Ok(p) => prop_assert_eq!(p.code(), s.trim()),
            Err(e) => clean_serde(&e, &[&s])?,
        }
        match parse_descending(&s) {
            Ok(d) => prop_assert_eq!(d, s == "desc"),
            Err(p) => {
                clean_problem(&p, &[&s])?;
                prop_assert!(!["", "asc", "desc"].contains(&s.as_str()));
            }
        }
        match parse_policy_actions(&s) {
            Ok(actions) => {
                prop_assert!(!actions.is_empty());
                for a in actions {
                    prop_assert!(s.split([' ', ',']).any(|w| w.trim() == a.code()));
                }
            }
            Err(p) => {
                clean_problem(&p, &[&s])?;
                names(&p, "actions")?;
            }
        }
        if let Some(r) = RequestStatus::from_code(&s) {
            prop_assert_eq!(r.code(), s.as_str());
        }
        if let Some(a) = Action::from_code(&s) {
            prop_assert_eq!(a.code(), s.as_str());
        }
        serde_coded(&s, CampaignStatus::from_code(&s))?;
        serde_coded(&s, ContentKind::from_code(&s))?;
        serde_coded(&s, FeedFormat::from_code(&s))?;
        serde_coded(&s, Approval::from_code(&s))?;
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// SSO: the groups claim's name, ID-token claims, pasted samples, group names, people's names.

fn claim_name() -> BoxedStrategy<String> {
    input(prop_oneof![
        "[a-zA-Z0-9_.:/-]{1,40}",
        "https://[a-z]{1,10}\\.example/[a-z]{1,10}",
        "[a-z0-9]{190,200}",
        Just("groups".to_owned()),
    ])
}

/// What `groups_in_claims` should read: nothing when the claim is absent or null, a bare string
/// as one group, a list of strings as it is; anything else is refused.
fn expected_groups(claims: &Value, claim: &str) -> Option<Vec<String>> {
    match claims.get(claim) {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::String(s)) => Some(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect(),
        Some(_) => None,
    }
}

#[test]
fn fuzz_sso_claims() {
    let groups_value = prop_oneof![
        2 => vec(input("[A-Za-z0-9 _-]{1,20}"), 0..6).prop_map(Value::from),
        1 => text().prop_map(Value::from),
        1 => json(),
    ];
    let claims = (vec((text(), json()), 0..4), prop::option::of(groups_value));
    let paste = prop_oneof![
        text(),
        vec("[ -+\\--~]{0,20}", 0..6).prop_map(|g| g.join(",\n")),
        "\\{[ -~]{0,40}",
    ];
    let strategy = (
        claim_name(),
        claims,
        paste,
        input("[A-Za-z0-9 _-]{1,30}"),
        input("[A-Z][a-z]{1,12} [A-Z][a-z]{1,12}"),
    );
    fuzz(
        "sso_claims",
        strategy,
        |(claim, (kv, groups), paste, group, name)| {
            match check_claim_name(&claim) {
                Ok(c) => {
                    prop_assert_eq!(c.as_str(), claim.trim());
                    prop_assert!(c.is_ascii() && c.len() <= 200);
                    prop_assert_eq!(check_claim_name(&c).ok(), Some(c.clone()));
                }
                Err(p) => {
                    clean_problem(&p, &[&claim])?;
                    names(&p, "groups_claim")?;
                }
            }
            // Only a claim name that passed the check reaches the sign-in; the dry run passes any.
            let mut object: serde_json::Map<String, Value> = kv.into_iter().collect();
            if let Some(g) = groups {
                object.insert(claim.clone(), g);
            }
            let claims = Value::Object(object);
            let got = groups_in_claims(&claims, &claim);
            prop_assert_eq!(got.clone().ok(), expected_groups(&claims, &claim));
            match &got {
                Ok(groups) => {
                    // The refusal a person with these groups and no mapping sees.
                    let refs: Vec<&str> = groups.iter().map(String::as_str).collect();
                    let reason = Problem::forbidden("sso_no_access", no_access_reason(groups));
                    clean_problem(&reason, &refs)?;
                }
                Err(p) => {
                    clean_problem(p, &[&claim])?;
                    names(p, "claims")?;
                }
            }
            let sample = claims.to_string();
            for text in [&paste, &sample] {
                match groups_from_paste(text, &claim) {
                    Ok(groups) if !text.trim().starts_with('{') => {
                        for g in groups {
                            prop_assert!(
                                !g.is_empty() && g == g.trim() && !g.contains([',', '\n']),
                                "{g:?}"
                            );
                        }
                    }
                    Ok(_) => {}
                    Err(p) => {
                        clean_problem(&p, &[&claim, text])?;
                        names(&p, "claims")?;
                    }
                }
            }
            match check_group(&group) {
                Ok(g) => {
                    prop_assert_eq!(g.as_str(), group.trim());
                    prop_assert!(
                        (1..=256).contains(&g.chars().count()) && !g.contains(char::is_control)
                    );
                    prop_assert_eq!(check_group(&g).ok(), Some(g.clone()));
                }
                Err(p) => {
                    clean_problem(&p, &[&group])?;
                    names(&p, "idp_group")?;
                }
            }
            // The ID token's name claim goes through the same check as a typed name.
            match check_name("name", &name) {
                Ok(n) => {
                    prop_assert_eq!(n.as_str(), name.trim());
                    prop_assert!(
                        (1..=100).contains(&n.chars().count()) && !n.contains(char::is_control)
                    );
                }
                Err(p) => {
                    clean_problem(&p, &[&name])?;
                    names(&p, "name")?;
                }
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// The activity log: CSV cells and times, filters, the client's address.

/// OWASP's list of the characters that start a spreadsheet formula, written out here so the
/// property does not trust core's own copy of it.
const OWASP_FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

#[test]
fn fuzz_csv_mending() {
    let cell = prop_oneof![
        2 => text(),
        2 => (select(vec!["=", "+", "-", "@", "\t", "\r", "\n", "＝", " =", "'=", "=="]), text()).prop_map(|(a, b)| format!("{a}{b}")),
    ];
    let millis = prop_oneof![
        3 => -62_167_219_200_000i64..=253_402_300_799_999,
        1 => any::<i64>(),
        1 => select(vec![i64::MIN, i64::MAX, -1, 0, 253_402_300_800_000, -62_167_219_200_001]),
    ];
    let strategy = (cell, vec(millis, 1..8));
    fuzz("csv_mending", strategy, |(cell, times)| {
        let safe = csv_safe(&cell);
        prop_assert!(!safe.starts_with(OWASP_FORMULA_STARTS), "{safe:?}");
        prop_assert!(!safe.starts_with(CSV_FORMULA_STARTS), "{safe:?}");
        if cell.starts_with(CSV_FORMULA_STARTS) {
            prop_assert_eq!(safe.strip_prefix('\''), Some(cell.as_str()));
        } else {
            prop_assert_eq!(safe.as_ref(), cell.as_str());
        }
        let mut writer = CsvTimes::default();
        for ms in times {
            let text = csv_time(ms);
            let mut out = [0u8; 24];
            match write_csv_time(ms, &mut out) {
                Some(()) => {
                    let parsed = DateTime::parse_from_rfc3339(&text).map(|t| t.timestamp_millis());
                    prop_assert_eq!(parsed.ok(), Some(ms), "{}", text);
                    let mut again = [0u8; 24];
                    prop_assert_eq!(writer.write(ms, &mut again), Some(()));
                    prop_assert_eq!(std::str::from_utf8(&again).ok(), Some(text.as_str()));
                }
                None => prop_assert!(writer.write(ms, &mut out).is_none()),
            }
        }
        Ok(())
    });
}

fn ip() -> BoxedStrategy<IpAddr> {
    prop_oneof![
        select(vec!["10.0.0.1", "10.0.0.2", "127.0.0.1", "::1"]).prop_map(|s| s.parse().unwrap()),
        any::<[u8; 4]>().prop_map(IpAddr::from),
        any::<[u8; 16]>().prop_map(IpAddr::from),
    ]
    .boxed()
}

#[test]
fn fuzz_activity_filters() {
    let hop = prop_oneof![
        2 => ip().prop_map(|ip| ip.to_string()),
        1 => select(vec!["10.0.0.1", "10.0.0.2", " 10.0.0.1 ", "unknown", "", "[::1]", "1.2.3.4:80", "::ffff:10.0.0.1"]).prop_map(str::to_owned),
        1 => text(),
    ];
    let header = prop_oneof![3 => vec(hop, 0..5).prop_map(|h| h.join(",")), 1 => text()];
    let action = input("[a-z0-9._-]{1,10}(/[a-z0-9._-]{1,10})?");
    let when = prop::option::of(any::<i64>());
    let proxies = vec!["10.0.0.1", "10.0.0.2", "::1"];
    let proxy = select(proxies).prop_map(|s| s.parse::<IpAddr>().unwrap());
    let peer = prop_oneof![2 => proxy.clone(), 1 => ip()];
    let trusted = vec(prop_oneof![3 => proxy, 1 => ip()], 0..3);
    let strategy = (
        text(),
        action,
        when.clone(),
        when,
        peer,
        prop::option::of(header),
        trusted,
    );
    fuzz(
        "activity_filters",
        strategy,
        |(user, action, from, to, peer, header, trusted)| {
            match ActivityFilter::parse(&user, &action, from, to) {
                Ok(f) => {
                    if let Some(u) = &f.user {
                        prop_assert!(
                            u == &u.to_lowercase()
                                && u == u.trim()
                                && !u.contains(char::is_control)
                        );
                    }
                    if let Some(a) = &f.action {
                        let as_type = format!("{a}/x");
                        prop_assert!(is_event_type(a) || is_event_type(&as_type), "{a:?}");
                    }
                    if let (Some(from), Some(to)) = (f.from_ms, f.to_ms) {
                        prop_assert!(from < to);
                    }
                }
                Err(p) => {
                    clean_problem(&p, &[&user, &action])?;
                    let field = p.field.as_deref().unwrap_or_default();
                    prop_assert!(["user", "action", "to"].contains(&field), "{p:?}");
                }
            }
            if is_event_type(&action) {
                prop_assert!(
                    action.is_ascii() && action.len() <= 64 && action.matches('/').count() == 1
                );
            }
            let got = client_ip(peer, header.as_deref(), &trusted);
            if !trusted.contains(&peer) || header.is_none() {
                prop_assert_eq!(got, peer);
            } else if got != peer {
                let hops: Vec<Option<IpAddr>> = header
                    .unwrap_or_default()
                    .split(',')
                    .map(|h| h.trim().parse().ok())
                    .collect();
                let at = hops.iter().rposition(|h| *h == Some(got));
                prop_assert!(at.is_some(), "{got} is not in the header");
                // Every hop to the right of the answer is a trusted proxy.
                for h in &hops[at.unwrap_or_default() + 1..] {
                    prop_assert!(
                        h.is_some_and(|h| trusted.contains(&h)),
                        "skipped past {h:?}"
                    );
                }
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// People, groups, policies and labels.

#[test]
fn fuzz_people_forms() {
    let pair = (any::<[u8; 16]>(), any::<[u8; 16]>()).prop_map(|(p, g)| {
        format!(
            "{}/{}",
            PolicyId::from_bytes(p),
            ResourceGroupId::from_bytes(g)
        )
    });
    let assignments = input(vec(pair, 0..4).prop_map(|v| v.join(", ")));
    let domain = input(prop_oneof![
        "@?[a-zA-Z0-9-]{1,20}(\\.[a-z0-9-]{1,20}){1,3}",
        "[a-z]{60,70}\\.[a-z]{2,3}",
        "[a-z.]{240,260}",
    ]);
    let strategy = (
        input("[A-Za-z ]{1,30}|[a-z]{95,105}"),
        text(),
        domain,
        input("[a-z ]{5,20}|[a-z]{495,505}"),
        assignments,
        prop::option::of(any::<u32>()),
    );
    fuzz(
        "people_forms",
        strategy,
        |(name, description, domain, reason, assignments, limit)| {
            for (field, got) in [
                ("name", check_name("name", &name)),
                ("label", check_label(&name)),
                ("name", check_job_name(&name)),
            ] {
                match got {
                    Ok(n) => prop_assert_eq!(n.as_str(), name.trim()),
                    Err(p) => {
                        clean_problem(&p, &[&name])?;
                        names(&p, field)?;
                    }
                }
            }
            match check_description(&description) {
                Ok(d) => prop_assert!(d == description.trim() && d.chars().count() <= 500),
                Err(p) => {
                    clean_problem(&p, &[&description])?;
                    names(&p, "description")?;
                }
            }
            match check_domain(&domain) {
                Ok(d) => {
                    prop_assert!(
                        d.is_ascii() && d == d.to_ascii_lowercase() && !d.starts_with('@')
                    );
                    prop_assert_eq!(check_domain(&d).ok(), Some(d.clone()));
                    prop_assert!(d.split('.').count() >= 2);
                    for label in d.split('.') {
                        prop_assert!(
                            (1..=63).contains(&label.len())
                                && !label.starts_with('-')
                                && !label.ends_with('-')
                        );
                    }
                }
                Err(p) => {
                    clean_problem(&p, &[&domain])?;
                    names(&p, "domain")?;
                }
            }
            match check_reason(&reason) {
                Ok(r) => {
                    prop_assert!(r == reason.trim() && (10..=500).contains(&r.chars().count()))
                }
                Err(p) => {
                    clean_problem(&p, &[&reason])?;
                    names(&p, "reason")?;
                }
            }
            match parse_assignments(&assignments) {
                Ok(pairs) => {
                    prop_assert!(!pairs.is_empty());
                    for (i, (p, g)) in pairs.iter().enumerate() {
                        let written = format!("{p}/{g}");
                        prop_assert!(assignments.contains(&written), "{written} not sent");
                        prop_assert!(
                            !pairs[..i].contains(&(p.clone(), g.clone())),
                            "listed twice"
                        );
                    }
                }
                Err(p) => {
                    clean_problem(&p, &[&assignments])?;
                    names(&p, "assignments")?;
                }
            }
            match page_limit(limit) {
                Ok(n) => {
                    prop_assert!((1..=200).contains(&n) && (limit.is_none() || limit == Some(n)))
                }
                Err(p) => clean_problem(&p, &[])?,
            }
            Ok(())
        },
    );
}

#[test]
fn fuzz_permission_lines() {
    let line = (
        select(
            Permission::ALL
                .iter()
                .map(|p| p.code().to_owned())
                .collect::<Vec<_>>(),
        ),
        input("[A-Za-z ]{3,40}"),
    )
        .prop_map(|(code, why)| format!("{code}: {why}"));
    let lines = input(vec(line, 0..5).prop_map(|l| l.join("\n")));
    fuzz("permission_lines", lines, |text| {
        match parse_request_lines(&text) {
            Ok(requests) => {
                for (i, r) in requests.iter().enumerate() {
                    prop_assert!(
                        (3..=300).contains(&r.why.chars().count()) && r.why == r.why.trim()
                    );
                    prop_assert!(!requests[..i].iter().any(|o| o.permission == r.permission));
                }
                prop_assert_eq!(
                    parse_request_lines(&request_lines(&requests)).ok(),
                    Some(requests)
                );
            }
            Err(p) => {
                clean_problem(&p, &[&text])?;
                let field = p.field.as_deref().unwrap_or_default();
                prop_assert!(field == "permissions" || field.starts_with("why."), "{p:?}");
            }
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// REST bodies and date windows.

/// Each body the REST API reads, with its fields.
const BODIES: &[(&str, &[&str])] = &[
    (
        "NewCampaign",
        &[
            "name",
            "status",
            "starts_on",
            "ends_on",
            "daily_budget_cents",
        ],
    ),
    (
        "CampaignPatch",
        &[
            "name",
            "status",
            "starts_on",
            "ends_on",
            "daily_budget_cents",
        ],
    ),
    (
        "NewContent",
        &["kind", "title", "body", "media_url", "campaign_id"],
    ),
    ("NewFeed", &["name", "url", "format", "refresh_minutes"]),
    ("NewAccount", &["name"]),
    ("BoardPatch", &["name", "location"]),
    ("BoardImage", &["image_url"]),
    (
        "NewAgencyCampaign",
        &[
            "account_id",
            "name",
            "status",
            "starts_on",
            "ends_on",
            "daily_budget_cents",
            "board_ids",
        ],
    ),
    (
        "AdDecision",
        &["board_id", "campaign_id", "decision", "note"],
    ),
    ("StatsReport", &["board_id", "day", "plays", "impressions"]),
];

fn date_text() -> BoxedStrategy<String> {
    prop_oneof![
        2 => (-100_000i32..3_000_000).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).map(|d| d.to_string()).unwrap_or_default()),
        1 => any::<i32>().prop_filter_map("in chrono's range", |d| NaiveDate::from_num_days_from_ce_opt(d).map(|d| d.to_string())),
        1 => select(vec![
            "2026-11-24", "2026-02-29", "2024-02-29", "0000-01-01", "9999-12-31", "+262142-12-31",
            "-262143-01-01", "-262144-01-01", "-262143-01-05", "+10000-01-01", "-0001-12-31", "2026-1-5", "20261124",
            " 2026-11-24", "2026-11-24T00:00:00Z", "",
        ]).prop_map(str::to_owned),
        1 => "[0-9+-]{1,12}",
    ]
    .boxed()
}

fn field_value(key: &str) -> BoxedStrategy<Value> {
    let typed: BoxedStrategy<Value> = match key {
        "status" | "kind" | "format" | "decision" => select(vec![
            "draft", "active", "paused", "ended", "post", "photo", "csv", "json", "xml", "pending",
            "approved", "rejected", "DRAFT", "",
        ])
        .prop_map(Value::from)
        .boxed(),
        "starts_on" | "ends_on" | "day" => {
            prop_oneof![4 => date_text().prop_map(Value::from), 1 => Just(Value::Null)].boxed()
        }
        "daily_budget_cents" | "plays" | "impressions" | "refresh_minutes" => prop_oneof![
            any::<i64>().prop_map(Value::from),
            select(vec![
                i64::MIN,
                -1,
                0,
                14,
                15,
                60,
                1440,
                1441,
                100_000_000,
                100_000_001,
                i64::from(u32::MAX),
                i64::from(u32::MAX) + 1,
                i64::MAX
            ])
            .prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            Just(Value::from(1.5)),
            Just(Value::Null),
        ]
        .boxed(),
        "media_url" | "url" | "image_url" => near_url().prop_map(Value::from).boxed(),
        "board_ids" => vec(input("brd_[a-z0-9]{4}"), 0..4)
            .prop_map(Value::from)
            .boxed(),
        _ => input("[A-Za-z ]{1,20}|[a-z]{95,105}|[a-z]{495,505}")
            .prop_map(Value::from)
            .boxed(),
    };
    prop_oneof![8 => typed, 1 => json()].boxed()
}

fn body_text() -> BoxedStrategy<String> {
    let body = select(BODIES).prop_flat_map(|(_, fields)| {
        let entries: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
            .iter()
            .map(|f| {
                prop::option::weighted(0.8, field_value(f).prop_map(move |v| (f.to_string(), v)))
                    .boxed()
            })
            .collect();
        (entries, prop::option::weighted(0.1, (text(), json())))
    });
    let object = body.prop_map(|(entries, extra)| {
        let mut map: serde_json::Map<String, Value> = entries.into_iter().flatten().collect();
        map.extend(extra);
        Value::Object(map).to_string()
    });
    prop_oneof![
        6 => object,
        1 => text(),
        1 => json().prop_map(|v| v.to_string()),
        1 => (Just("{\"name\": \"x\"}"), text()).prop_map(|(a, b)| format!("{a}{b}")),
    ]
    .boxed()
}

/// Reads `text` as body `T` and runs its check; `inputs` excuse text a refusal repeats.
fn body<T: DeserializeOwned>(
    text: &str,
    fields: &[&str],
    check: impl Fn(T) -> Result<(), Problem>,
) -> Check {
    match serde_json::from_str::<T>(text) {
        Ok(b) => match check(b) {
            Ok(()) => {}
            Err(p) => {
                clean_problem(&p, &[text])?;
                let field = p.field.as_deref().unwrap_or_default();
                prop_assert!(field == "body" || fields.contains(&field), "{p:?}");
            }
        },
        Err(e) => clean_serde(&e, &[text])?,
    }
    Ok(())
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

fn current() -> CampaignSettings {
    CampaignSettings {
        name: "Holiday".into(),
        status: CampaignStatus::Active,
        starts_on: NaiveDate::from_ymd_opt(2026, 11, 1),
        ends_on: None,
        daily_budget_cents: Some(100),
    }
}

/// An accepted body that breaks its own rules: a 500, which [`clean_problem`] fails on.
fn broken(why: String) -> Problem {
    Problem::new(ProblemKind::Internal, "accepted_but_broken", why)
}

/// Rules every accepted campaign keeps.
fn campaign_rules(s: &CampaignSettings) -> Result<(), Problem> {
    let ok = s.name == s.name.trim()
        && !s.name.is_empty()
        && s.daily_budget_cents
            .is_none_or(|b| (0..=100_000_000).contains(&b))
        && match (s.starts_on, s.ends_on) {
            (Some(a), Some(b)) => a <= b,
            _ => true,
        };
    if ok {
        Ok(())
    } else {
        Err(broken(format!("accepted campaign breaks its rules: {s:?}")))
    }
}

/// An accepted URL reaches only https or loopback; as a problem so `body` can report it.
fn url_rule(url: &str) -> Result<(), Problem> {
    reaches_only_https_or_loopback(url).map_err(|e| broken(e.to_string()))
}

#[test]
fn fuzz_rest_bodies() {
    fuzz("rest_bodies", body_text(), |text| {
        let f = |name: &str| {
            BODIES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, f)| *f)
                .unwrap_or_default()
        };
        body::<NewCampaign>(&text, f("NewCampaign"), |b| campaign_rules(&b.check()?))?;
        body::<CampaignPatch>(&text, f("CampaignPatch"), |b| {
            campaign_rules(&b.apply(&current())?)
        })?;
        body::<NewContent>(&text, f("NewContent"), |b| {
            let c = b.check()?;
            c.media_url.as_deref().map_or(Ok(()), url_rule)
        })?;
        body::<NewFeed>(&text, f("NewFeed"), |b| url_rule(&b.check()?.url))?;
        body::<NewAccount>(&text, f("NewAccount"), |b| b.check().map(drop))?;
        body::<BoardPatch>(&text, f("BoardPatch"), |b| b.check().map(drop))?;
        body::<BoardImage>(&text, f("BoardImage"), |b| url_rule(&b.check()?))?;
        body::<NewAgencyCampaign>(&text, f("NewAgencyCampaign"), |b| {
            let (settings, boards) = b.check()?;
            campaign_rules(&settings)?;
            if boards.is_empty() || boards.len() > 100 {
                return Err(broken(format!("{} boards accepted", boards.len())));
            }
            Ok(())
        })?;
        body::<AdDecision>(&text, f("AdDecision"), |b| b.check().map(drop))?;
        body::<StatsReport>(&text, f("StatsReport"), |b| b.check(today()))?;
        Ok(())
    });
}

#[test]
fn fuzz_date_windows() {
    let ms = prop_oneof![
        2 => 0i64..4_000_000_000_000,
        1 => any::<i64>(),
        2 => (
            select(vec![
                DateTime::<Utc>::MIN_UTC.timestamp_millis(),
                DateTime::<Utc>::MAX_UTC.timestamp_millis(),
            ]),
            prop_oneof![-400_000_000i64..400_000_000, -40_000_000_000i64..40_000_000_000],
        )
            .prop_map(|(edge, d)| edge.saturating_add(d)),
    ];
    let strategy = (
        prop::option::of(date_text()),
        prop::option::of(date_text()),
        ms.clone(),
        ms,
        select(Granularity::ALL.to_vec()),
        vec((0i64..2_000, 0u64..1_000), 0..6),
    );
    fuzz(
        "date_windows",
        strategy,
        |(from, to, from_ms, to_ms, step, hourly)| {
            // The daily-figures window of the REST API: dates as the query string sends them.
            let date = |t: &Option<String>| {
                t.as_ref()
                    .map(|t| serde_json::from_value::<NaiveDate>(Value::String(t.clone())))
            };
            let (from_d, to_d) = (date(&from), date(&to));
            if let (Some(Err(e)), _) | (_, Some(Err(e))) = (&from_d, &to_d) {
                clean_serde(
                    e,
                    &[
                        from.as_deref().unwrap_or_default(),
                        to.as_deref().unwrap_or_default(),
                    ],
                )?;
            } else {
                let from_d = from_d.and_then(Result::ok);
                let to_d = to_d.and_then(Result::ok);
                match portcullis_core::campaigns::check_window(from_d, to_d, today()) {
                    Ok((a, b)) => prop_assert!(a <= b && (b - a).num_days() < 366),
                    Err(p) => clean_problem(&p, &[])?,
                }
            }
            // The metrics chart's window: Unix milliseconds from the console.
            let (Some(from), Some(to)) = (
                DateTime::from_timestamp_millis(from_ms),
                DateTime::from_timestamp_millis(to_ms),
            ) else {
                return Ok(());
            };
            let hourly: Vec<(DateTime<Utc>, u64)> = hourly
                .into_iter()
                .filter_map(|(h, n)| {
                    Some((from.checked_add_signed(chrono::TimeDelta::hours(h))?, n))
                })
                .collect();
            match buckets(&hourly, from, to, step) {
                Ok(b) => {
                    prop_assert!(!b.is_empty() && b.len() <= MAX_BUCKETS + 1);
                    prop_assert!(b.windows(2).all(|w| w[0].start < w[1].start));
                    let inside: u64 = hourly
                        .iter()
                        .filter(|(h, _)| *h >= from && *h < to)
                        .map(|(_, n)| n)
                        .sum();
                    prop_assert_eq!(b.iter().map(|b| b.requests).sum::<u64>(), inside);
                }
                Err(p) => clean_problem(&p, &[])?,
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Inputs the targets above found, kept as plain tests so they run on every build.

/// A refusal's field and message, as a client sees them.
fn shown(p: &Problem) -> String {
    p.to_string()
}

/// `?sort=` with a tab was repeated raw, line break and all.
#[test]
fn a_sort_refusal_repeats_the_input_on_one_line() {
    for p in [
        ActivitySort::parse("import_pub_sub\t").unwrap_err(),
        UserSort::parse("name\nX-Injected: 1").unwrap_err(),
        JobSort::parse("\u{7f}").unwrap_err(),
        AuthorizationSort::parse(&"x".repeat(10_000)).unwrap_err(),
    ] {
        let text = shown(&p);
        assert!(!text.contains(char::is_control), "{text:?}");
        assert!(text.chars().count() < SHORT, "{text:?}");
    }
}

/// Long or multi-line codes came back whole in the refusal.
#[test]
fn refusals_cut_long_input_short() {
    let long = "@-_-@".repeat(40);
    for p in [
        parse_request_lines(&long).unwrap_err(),
        Permission::parse("permission", &long).unwrap_err(),
        JobType::parse("type", &long).unwrap_err(),
        Health::parse("health", &long).unwrap_err(),
        JobStatus::parse("status", &long).unwrap_err(),
        method(&long, "x").unwrap_err(),
        method("sendgrid", &long).unwrap_err(),
        parse_assignments("\u{7f}").unwrap_err(),
        parse_assignments(&format!("pol_{long}/rg_x")).unwrap_err(),
        parse_policy_actions(&long).unwrap_err(),
        groups_in_claims(&serde_json::json!({ long.as_str(): 1 }), &long).unwrap_err(),
    ] {
        let text = shown(&p);
        assert!(text.chars().count() < SHORT, "{text:?}");
        assert!(!text.contains(char::is_control), "{text:?}");
    }
    // Short input still reads as it did.
    assert_eq!(
        JobType::parse("type", "nope").unwrap_err().message,
        "\"nope\" is not a job type"
    );
}

/// A configuration key `""` came back as the problem's (blank) field.
#[test]
fn an_unreadable_unknown_key_is_named_as_the_config() {
    let (_, m) = method("google_cloud", "service_account").unwrap();
    for key in ["", " ", "a\nb", &"k".repeat(65)] {
        let p = validate(m, &BTreeMap::from([(key.to_owned(), "v".to_owned())])).unwrap_err();
        assert_eq!(p.field.as_deref(), Some("config"), "{key:?}");
        assert!(shown(&p).chars().count() < SHORT);
    }
    let p = validate(m, &BTreeMap::from([("apikey".to_owned(), "v".to_owned())])).unwrap_err();
    assert_eq!(p.field.as_deref(), Some("apikey"));
}

/// A group name with a NUL (or a thousand groups) made the SSO refusal multi-line or long.
#[test]
fn the_no_access_refusal_stays_one_short_line() {
    let one = no_access_reason(&["\0".to_owned()]);
    assert!(!one.contains(char::is_control), "{one:?}");
    let many: Vec<String> = (0..1000)
        .map(|i| format!("group-{i}-{}", "x".repeat(80)))
        .collect();
    let text = no_access_reason(&many);
    assert!(text.chars().count() < SHORT, "{text:?}");
    assert!(text.contains("998 more"), "{text:?}");
    assert_eq!(
        no_access_reason(&["interns".to_owned()]),
        "none of your groups (\"interns\") is mapped to access here; ask your administrator to map one"
    );
}

/// A secret with a tab was echoed as spaces and shown; overlapping secrets uncovered each other.
#[test]
fn provider_answers_hide_secrets_however_they_are_spaced_or_overlap() {
    let out = answer_summary("rejected 0a\t00 here", &["0a\t00"]);
    assert_eq!(out, format!("rejected {MASK} here"));
    let out = answer_summary("key=abcdefgh!", &["abcdef", "cdefgh"]);
    assert_eq!(out, format!("key={MASK}!"));
    let out = answer_summary("token hunter22xyz", &["hunter22", "hunter22xyz"]);
    assert_eq!(out, format!("token {MASK}"));
    let out = answer_summary("aaaaa", &["aaaa"]);
    assert_eq!(out, MASK);
}

/// `http://evil\@localhost` passed as loopback, yet an HTTP client sends it to evil in clear.
#[test]
fn a_backslash_cannot_hide_a_host_behind_loopback() {
    for url in [
        "http://example.com\\@[::1]x",
        "http://evil.example\\@localhost/",
        "http://evil.example\\@127.0.0.1",
    ] {
        assert!(check_https_url("url", url).is_err(), "{url}");
        let (_, m) = method("http_api", "bearer").unwrap();
        let config = BTreeMap::from([
            ("base_url".to_owned(), url.to_owned()),
            ("token".to_owned(), "t0ken".to_owned()),
        ]);
        assert!(validate(m, &config).is_err(), "{url}");
    }
    // Any backslash is refused: it is where parsers start to disagree.
    assert!(check_https_url("url", "http://localhost:8080/a\\b").is_err());
    assert!(check_https_url("url", "https://evil.example\\@localhost/").is_err());
}

/// `?to=-262143-01-01` panicked: there are no 29 days before it.
#[test]
fn a_window_ending_at_chronos_first_day_does_not_panic() {
    let to: NaiveDate = serde_json::from_value(Value::from("-262143-01-05")).unwrap();
    let (from, to) = portcullis_core::campaigns::check_window(None, Some(to), today()).unwrap();
    assert_eq!(from, NaiveDate::MIN);
    assert!(from <= to);
}

/// A chart window at either end of chrono's range panicked adding or subtracting a step.
#[test]
fn a_chart_at_the_ends_of_time_does_not_panic() {
    let max = DateTime::<Utc>::MAX_UTC.timestamp_millis();
    let min = DateTime::<Utc>::MIN_UTC.timestamp_millis();
    for (from, to, step) in [
        (
            8_210_266_700_767_094,
            8_210_266_876_799_999,
            Granularity::Hour,
        ),
        (max - 3_600_000, max, Granularity::Day),
        (max - 86_400_000 * 40, max, Granularity::Month),
        (min, -8_334_600_771_599_999, Granularity::Week),
    ] {
        let from = DateTime::from_timestamp_millis(from).unwrap();
        let to = DateTime::from_timestamp_millis(to).unwrap();
        let hour = from
            .checked_add_signed(chrono::TimeDelta::hours(1))
            .unwrap_or(from);
        let got = buckets(&[(hour, 1)], from, to, step).unwrap();
        let counted: u64 = got.iter().map(|b| b.requests).sum();
        assert_eq!(counted, u64::from(hour < to), "{step:?}");
    }
}

/// A body of the wrong shape was refused as "expected struct NewCampaign".
#[test]
fn a_body_of_the_wrong_shape_is_not_refused_by_its_rust_name() {
    let e = serde_json::from_str::<NewCampaign>("0")
        .unwrap_err()
        .to_string();
    assert!(!e.contains("NewCampaign") && !e.contains("struct"), "{e}");
    let e = serde_json::from_str::<StatsReport>("[]")
        .unwrap_err()
        .to_string();
    assert!(!e.contains("StatsReport") && !e.contains("struct"), "{e}");
}
