//! SSO group mappings: an identity provider's group turns into a
//! (policy, resource group) assignment. At each SSO sign-in the person's SSO-sourced
//! assignments become exactly what the mappings give now: new ones added, ones whose group is
//! gone removed; assignments given by hand are never touched. The dry run in the browser and the
//! server's sign-in call the same [`plan_sign_in`].

use crate::people::AssignmentPair;
use crate::Problem;
use std::collections::BTreeSet;

/// One row of the mappings table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct GroupMapping {
    /// The group name exactly as the identity provider sends it (case matters).
    pub idp_group: String,
    pub pair: AssignmentPair,
}

/// Longest group name accepted.
pub const GROUP_MAX_CHARS: usize = 256;

/// An IdP group name: trimmed, 1 to 256 characters, no line breaks.
pub fn check_group(input: &str) -> Result<String, Problem> {
    let g = input.trim();
    if g.is_empty() {
        return Err(Problem::invalid(
            "idp_group",
            "group_required",
            "enter the group's name as the identity provider sends it",
        ));
    }
    if g.chars().count() > GROUP_MAX_CHARS || g.chars().any(char::is_control) {
        return Err(Problem::invalid(
            "idp_group",
            "invalid_group",
            format!("a group name is one line of at most {GROUP_MAX_CHARS} characters"),
        ));
    }
    Ok(g.to_owned())
}

/// The name of the ID-token claim that carries groups: letters, digits, `_`, `-`, `.`, `:`
/// or `/` (namespaced claims such as `https://example.com/groups` are common).
pub fn check_claim_name(input: &str) -> Result<String, Problem> {
    let c = input.trim();
    let ok = !c.is_empty()
        && c.len() <= 200
        && c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "_-.:/".contains(ch));
    if ok {
        Ok(c.to_owned())
    } else {
        Err(Problem::invalid(
            "groups_claim",
            "invalid_claim",
            "the groups claim is a claim name such as groups or https://example.com/groups",
        ))
    }
}

/// The groups a set of ID-token claims carries in `claim`: a list of strings, or one string
/// (some providers send a single group bare). A missing claim is no groups.
pub fn groups_in_claims(claims: &serde_json::Value, claim: &str) -> Result<Vec<String>, Problem> {
    let wrong = || {
        Problem::invalid(
            "claims",
            "invalid_groups_claim",
            format!(
                "the {} claim must be a list of group names",
                crate::error::echo(claim)
            ),
        )
    };
    match claims.get(claim) {
        None | Some(serde_json::Value::Null) => Ok(Vec::new()),
        Some(serde_json::Value::String(s)) => Ok(vec![s.clone()]),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned).ok_or_else(wrong))
            .collect(),
        Some(_) => Err(wrong()),
    }
}

/// The dry run's input: group names one per line or separated by commas, or the JSON claims of
/// a sample ID token (an object), read through `claim`.
pub fn groups_from_paste(text: &str, claim: &str) -> Result<Vec<String>, Problem> {
    let trimmed = text.trim();
    if trimmed.starts_with('{') {
        let claims: serde_json::Value = serde_json::from_str(trimmed).map_err(|_| {
            Problem::invalid(
                "claims",
                "invalid_claims",
                "the pasted claims are not a JSON object",
            )
        })?;
        return groups_in_claims(&claims, claim);
    }
    Ok(trimmed
        .split(['\n', ','])
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect())
}

/// What an SSO sign-in does to a person's assignments in the tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignInPlan {
    /// What the mappings give for these groups.
    pub desired: BTreeSet<AssignmentPair>,
    /// SSO-sourced assignments to add (not held already, by SSO or by hand).
    pub add: BTreeSet<AssignmentPair>,
    /// SSO-sourced assignments whose group is gone.
    pub remove: BTreeSet<AssignmentPair>,
    /// Groups the person has that no mapping names.
    pub unmapped: Vec<String>,
    /// Whether the person is left with no access at all (no mapped group, nothing by hand).
    pub no_access: bool,
}

/// The assignments a sign-in with `groups` produces, given what the person holds now through
/// SSO (`current_sso`) and by hand (`manual`).
pub fn plan_sign_in(
    mappings: &[GroupMapping],
    groups: &[String],
    current_sso: &BTreeSet<AssignmentPair>,
    manual: &BTreeSet<AssignmentPair>,
) -> SignInPlan {
    let has: BTreeSet<&str> = groups.iter().map(String::as_str).collect();
    let desired: BTreeSet<AssignmentPair> = mappings
        .iter()
        .filter(|m| has.contains(m.idp_group.as_str()))
        .map(|m| m.pair.clone())
        .collect();
    let add = desired
        .iter()
        .filter(|p| !current_sso.contains(*p) && !manual.contains(*p))
        .cloned()
        .collect();
    let remove = current_sso.difference(&desired).cloned().collect();
    let mapped: BTreeSet<&str> = mappings.iter().map(|m| m.idp_group.as_str()).collect();
    let mut unmapped: Vec<String> = groups
        .iter()
        .filter(|g| !mapped.contains(g.as_str()))
        .cloned()
        .collect();
    unmapped.sort();
    unmapped.dedup();
    SignInPlan {
        no_access: desired.is_empty() && manual.is_empty(),
        desired,
        add,
        remove,
        unmapped,
    }
}

/// Why a person who signed in through SSO has no access, in words they can act on.
pub fn no_access_reason(groups: &[String]) -> String {
    if groups.is_empty() {
        "your identity provider sent no groups; ask your administrator to add you to a group that is mapped here".to_owned()
    } else {
        // Group names come from the identity provider, as many and as long as it likes: the
        // refusal names two of them, each cut short, so it stays one short line.
        let mut named: Vec<String> = groups
            .iter()
            .take(2)
            .map(|g| crate::error::echo(g))
            .collect();
        if groups.len() > 2 {
            named.push(format!("{} more", groups.len() - 2));
        }
        format!(
            "none of your groups ({}) is mapped to access here; ask your administrator to map one",
            named.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{PolicyId, ResourceGroupId};

    fn pair(n: u8) -> AssignmentPair {
        (
            PolicyId::from_bytes([n; 16]),
            ResourceGroupId::from_bytes([n; 16]),
        )
    }

    fn mapping(group: &str, n: u8) -> GroupMapping {
        GroupMapping {
            idp_group: group.to_owned(),
            pair: pair(n),
        }
    }

    #[test]
    fn sign_in_adds_what_is_mapped_and_removes_what_is_gone() {
        let mappings = [
            mapping("analysts", 1),
            mapping("brand-a", 2),
            mapping("admins", 3),
        ];
        let current = BTreeSet::from([pair(1), pair(3)]);
        let manual = BTreeSet::from([pair(2), pair(9)]);
        let groups = vec![
            "brand-a".to_owned(),
            "analysts".to_owned(),
            "interns".to_owned(),
        ];
        let plan = plan_sign_in(&mappings, &groups, &current, &manual);
        assert_eq!(plan.desired, BTreeSet::from([pair(1), pair(2)]));
        assert!(plan.add.is_empty(), "brand-a is held by hand already");
        assert_eq!(plan.remove, BTreeSet::from([pair(3)]), "admins is gone");
        assert_eq!(plan.unmapped, vec!["interns".to_owned()]);
        assert!(!plan.no_access);
        let nothing = plan_sign_in(&mappings, &[], &current, &BTreeSet::new());
        assert!(nothing.no_access);
        assert_eq!(nothing.remove, current);
    }

    #[test]
    fn groups_come_from_lists_or_claims() {
        assert_eq!(
            groups_from_paste("a, b\nc\n\n", "groups").ok(),
            Some(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()])
        );
        assert_eq!(
            groups_from_paste(r#"{"sub": "1", "roles": ["x", "y"]}"#, "roles").ok(),
            Some(vec!["x".to_owned(), "y".to_owned()])
        );
        assert_eq!(
            groups_from_paste(r#"{"roles": "solo"}"#, "roles").ok(),
            Some(vec!["solo".to_owned()])
        );
        assert!(groups_from_paste(r#"{"roles": [1]}"#, "roles").is_err());
        assert!(check_claim_name("https://example.com/groups").is_ok());
        assert!(check_claim_name("groups claim").is_err());
    }
}
