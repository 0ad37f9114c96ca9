//! Customer 360 tables and the PII rule: a preview shows PII only to those who may see it
//! (an assignment on *All resource groups* whose policy allows it), and masks it for everyone
//! else in every view.

use serde::{Deserialize, Serialize};

/// What a masked value shows: always the same length, so a mask leaks nothing, not even length.
pub const MASK: &str = "••••••";

/// One column of a Customer 360 table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether the column holds personally identifiable information.
    pub pii: bool,
}

/// Rows as shown: PII replaced by [`MASK`] unless `show_pii`. Rows shorter than the column list
/// are padded with empty cells so every row lines up with the header.
pub fn preview(columns: &[Column], rows: &[Vec<String>], show_pii: bool) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| {
            columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let value = row.get(i).cloned().unwrap_or_default();
                    if c.pii && !show_pii && !value.is_empty() {
                        MASK.to_owned()
                    } else {
                        value
                    }
                })
                .collect()
        })
        .collect()
}

/// Whether a table has any PII column (its preview is then masked or audited).
pub fn has_pii(columns: &[Column]) -> bool {
    columns.iter().any(|c| c.pii)
}
