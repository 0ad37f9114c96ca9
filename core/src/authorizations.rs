//! Authorizations as records: what the dashboard sorts by, and how a checked
//! configuration splits into what may be shown and what is sealed.

use crate::providers::Method;
use crate::Problem;
use std::collections::BTreeMap;

/// Columns of the authorizations dashboard.
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
pub enum AuthorizationSort {
    #[default]
    Label,
    Description,
    Provider,
    Status,
    CreatedBy,
    LastModified,
}

impl AuthorizationSort {
    /// Every column, in declaration order.
    pub const ALL: &'static [AuthorizationSort] =
        <AuthorizationSort as strum::VariantArray>::VARIANTS;

    /// The code a request names the column by.
    pub fn code(self) -> &'static str {
        self.into()
    }

    /// The column named by `input` (empty means label).
    pub fn parse(input: &str) -> Result<AuthorizationSort, Problem> {
        if input.is_empty() {
            return Ok(AuthorizationSort::Label);
        }
        input.parse().map_err(|_| {
            Problem::invalid(
                "sort",
                "unknown_sort",
                format!(
                    "cannot sort authorizations by {}; use label, description, provider, status, created_by or last_modified",
                    crate::error::echo(input)
                ),
            )
        })
    }
}

/// A checked configuration, split: `settings` may be shown again, `secrets` are sealed and
/// never leave the server except to the job that uses them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SplitConfig {
    pub settings: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
}

/// Splits a configuration checked by [`crate::providers::validate`] by each field's `secret`
/// flag. Keys the method does not know (the OAuth tokens the console adds itself) are secret.
pub fn split_config(method: &Method, config: BTreeMap<String, String>) -> SplitConfig {
    let mut out = SplitConfig::default();
    for (k, v) in config {
        let shown = method.fields.iter().any(|f| f.key == k && !f.secret);
        if shown {
            out.settings.insert(k, v);
        } else {
            out.secrets.insert(k, v);
        }
    }
    out
}

/// The label of an authorization: 1 to 100 characters on one line.
pub fn check_label(label: &str) -> Result<String, Problem> {
    crate::people::check_name("label", label)
}
