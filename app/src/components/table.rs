//! Sorting for every table: one state type, one clickable header, one comparison.

use leptos::prelude::*;
use std::cmp::Ordering;

/// Which column a table is sorted by, and which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortState {
    pub column: &'static str,
    pub ascending: bool,
}

impl SortState {
    /// Sorted by `column`, ascending.
    pub fn by(column: &'static str) -> Self {
        SortState {
            column,
            ascending: true,
        }
    }

    /// Clicking a header: the same column flips the direction, another column sorts ascending.
    pub fn toggled(self, column: &'static str) -> Self {
        if self.column == column {
            SortState {
                column,
                ascending: !self.ascending,
            }
        } else {
            SortState::by(column)
        }
    }

    /// Applies the direction to an ascending comparison.
    pub fn order(self, ordering: Ordering) -> Ordering {
        if self.ascending {
            ordering
        } else {
            ordering.reverse()
        }
    }
}

/// A column header that sorts the table when clicked (or activated with the keyboard).
#[component]
pub fn SortHeader(
    #[prop(into)] label: String,
    column: &'static str,
    sort: RwSignal<SortState>,
) -> impl IntoView {
    let aria = move || {
        let s = sort.get();
        match (s.column == column, s.ascending) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        }
    };
    let arrow = move || match aria() {
        "ascending" => "▲",
        "descending" => "▼",
        _ => "↕",
    };
    view! {
        <th aria-sort=aria scope="col">
            <button type="button" class="sort-button" on:click=move |_| sort.update(|s| *s = s.toggled(column))>
                {label}
                <span class="sort-arrow" aria-hidden="true">{arrow}</span>
            </button>
        </th>
    }
}
