//! Rules for people: names, the email-domain allowlist and requests to extend it,
//! resource-group names, assignment lists and the users list's sort order.
//!
//! The browser runs these as a person types; the server runs the same ones before storing.

use crate::email::Email;
use crate::error::Problem;
use crate::ids::{PolicyId, ResourceGroupId};
use serde::{Deserialize, Serialize};

/// Longest full name, group name or policy name accepted.
pub const NAME_MAX_CHARS: usize = 100;
/// Longest description accepted.
pub const DESCRIPTION_MAX_CHARS: usize = 500;
/// A request to allowlist a domain must say why in at least this many characters.
pub const REASON_MIN_CHARS: usize = 10;
/// How long the welcome email's set-password link works.
pub const WELCOME_LINK_HOURS: i64 = 72;

/// A trimmed, non-empty name of at most [`NAME_MAX_CHARS`]; `field` names the input.
pub fn check_name(field: &str, input: &str) -> Result<String, Problem> {
    let name = input.trim();
    if name.is_empty() {
        return Err(Problem::invalid(
            field,
            "name_required",
            "enter a name; it cannot be blank",
        ));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(Problem::invalid(
            field,
            "name_too_long",
            format!("a name has at most {NAME_MAX_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Problem::invalid(
            field,
            "name_control_characters",
            "a name cannot contain line breaks or control characters",
        ));
    }
    Ok(name.to_owned())
}

/// A trimmed description of at most [`DESCRIPTION_MAX_CHARS`] (may be empty).
pub fn check_description(input: &str) -> Result<String, Problem> {
    let text = input.trim();
    if text.chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(Problem::invalid(
            "description",
            "description_too_long",
            format!("a description has at most {DESCRIPTION_MAX_CHARS} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// A domain name as the allowlist holds it: lowercase labels of letters, digits and hyphens,
/// at least two of them (`acme.example`), no leading `@`.
pub fn check_domain(input: &str) -> Result<String, Problem> {
    let domain = input.trim().trim_start_matches('@').to_ascii_lowercase();
    let invalid = |why: &str| {
        Problem::invalid(
            "domain",
            "invalid_domain",
            format!("{why}; enter a domain such as acme.example"),
        )
    };
    if domain.is_empty() {
        return Err(invalid("the domain is empty"));
    }
    if domain.len() > 253 {
        return Err(invalid("a domain has at most 253 characters"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(invalid(
            "a domain has at least two parts separated by a dot",
        ));
    }
    for label in &labels {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !ok {
            return Err(invalid(
                "each part of a domain is letters, digits or inner hyphens",
            ));
        }
    }
    Ok(domain)
}

/// Whether `email`'s domain is on the platform-wide allowlist. The refusal says why and what
/// to do, and names the `email` field.
pub fn domain_allowed<'a>(
    email: &Email,
    allowlist: impl IntoIterator<Item = &'a str>,
) -> Result<(), Problem> {
    let domain = email.domain();
    if allowlist.into_iter().any(|d| d == domain) {
        return Ok(());
    }
    Err(Problem::invalid(
        "email",
        "domain_not_allowed",
        format!(
            "{domain} is not an allowed email domain; only people from allowlisted domains may use Portcullis, so request the domain first"
        ),
    ))
}

/// The reason given with a request to allowlist a domain.
pub fn check_reason(input: &str) -> Result<String, Problem> {
    let reason = input.trim();
    if reason.chars().count() < REASON_MIN_CHARS {
        return Err(Problem::invalid(
            "reason",
            "reason_too_short",
            format!(
                "say why the domain should be allowed, in at least {REASON_MIN_CHARS} characters"
            ),
        ));
    }
    if reason.chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(Problem::invalid(
            "reason",
            "reason_too_long",
            format!("a reason has at most {DESCRIPTION_MAX_CHARS} characters"),
        ));
    }
    Ok(reason.to_owned())
}

/// Where a request to allowlist a domain stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Approved,
    Rejected,
}

codes!(RequestStatus: code, from_code);

/// One (policy, resource group) pair as forms send it: `pol_…/rg_…`.
pub type AssignmentPair = (PolicyId, ResourceGroupId);

/// Parses a comma-separated list of `pol_…/rg_…` pairs; a person needs at least one, and a
/// pair listed twice counts once.
pub fn parse_assignments(input: &str) -> Result<Vec<AssignmentPair>, Problem> {
    let invalid = |why: String| Problem::invalid("assignments", "invalid_assignments", why);
    let mut out: Vec<AssignmentPair> = Vec::new();
    for part in input.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let shown = || crate::error::echo(part);
        let (policy, group) = part
            .split_once('/')
            .ok_or_else(|| invalid(format!("{} is not a policy/resource-group pair", shown())))?;
        let policy = PolicyId::parse(policy)
            .map_err(|e| invalid(format!("the policy of {}: {e}", shown())))?;
        let group = ResourceGroupId::parse(group)
            .map_err(|e| invalid(format!("the resource group of {}: {e}", shown())))?;
        if !out.contains(&(policy.clone(), group.clone())) {
            out.push((policy, group));
        }
    }
    if out.is_empty() {
        return Err(invalid(
            "give the person at least one policy on a resource group".to_owned(),
        ));
    }
    Ok(out)
}

/// The actions of a custom policy, as forms send them: codes separated by spaces or
/// commas. At least one; every code must be in the catalog.
pub fn parse_policy_actions(
    input: &str,
) -> Result<std::collections::BTreeSet<crate::actions::Action>, Problem> {
    let mut out = std::collections::BTreeSet::new();
    for code in input
        .split([' ', ','])
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let action = crate::actions::Action::from_code(code).ok_or_else(|| {
            Problem::invalid(
                "actions",
                "unknown_action",
                format!(
                    "{} is not an action of the catalog",
                    crate::error::echo(code)
                ),
            )
        })?;
        out.insert(action);
    }
    if out.is_empty() {
        return Err(Problem::invalid(
            "actions",
            "no_actions",
            "choose at least one action the policy allows",
        ));
    }
    Ok(out)
}

/// The columns the users list sorts by.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum UserSort {
    Name,
    Email,
    Policy,
    LastLogin,
}

impl UserSort {
    /// The sort named by a request (`name`, `email`, `policy`, `last_login`).
    pub fn parse(input: &str) -> Result<UserSort, Problem> {
        if input.is_empty() {
            return Ok(UserSort::Name);
        }
        input.parse().map_err(|_| {
            Problem::invalid(
                "sort",
                "unknown_sort",
                format!(
                    "cannot sort users by {}; use name, email, policy or last_login",
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

/// A list's `order` (`asc`, the default, or `desc`): whether it runs descending.
pub fn parse_descending(order: &str) -> Result<bool, Problem> {
    match order {
        "" | "asc" => Ok(false),
        "desc" => Ok(true),
        _ => Err(Problem::invalid(
            "order",
            "invalid_order",
            "order is asc or desc",
        )),
    }
}

/// Page size of lists: the API's default and its ceiling (shared/API.md).
pub fn page_limit(requested: Option<u32>) -> Result<u32, Problem> {
    match requested {
        None => Ok(50),
        Some(n) if (1..=200).contains(&n) => Ok(n),
        Some(_) => Err(Problem::invalid(
            "limit",
            "invalid_limit",
            "limit is between 1 and 200",
        )),
    }
}
