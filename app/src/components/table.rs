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

/// Names in the order a reader expects, whatever their case. The folding is ASCII's: Unicode's
/// case tables would add 24 KB to the browser's first download for the sake of sort order.
pub fn text_order(a: &str, b: &str) -> Ordering {
    let (x, y) = (
        a.bytes().map(|c| c.to_ascii_lowercase()),
        b.bytes().map(|c| c.to_ascii_lowercase()),
    );
    x.cmp(y).then_with(|| a.cmp(b))
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

/// A keyset-paged list in the browser: the rows so far, the next page's cursor, and the state
/// of "Show more". Every paged table (users, activity) keeps its rows in one of these.
pub struct Paged<T: Send + Sync + 'static> {
    pub rows: RwSignal<Vec<T>>,
    next: RwSignal<Option<String>>,
    loading: RwSignal<bool>,
    error: RwSignal<Option<String>>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Send + Sync + 'static> Paged<T> {
    /// Starts from the first page.
    pub fn new(page: crate::model::Page<T>) -> Self {
        Paged {
            rows: RwSignal::new(page.items),
            next: RwSignal::new(page.next),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Fetches the page after the last row with `fetch(cursor)` and appends it; a failure is
    /// shown beside the button.
    pub fn show_more<F, Fut>(self, fetch: F)
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = Result<crate::model::Page<T>, crate::error::AppError>>
            + 'static,
    {
        let Some(after) = self.next.get_untracked() else {
            return;
        };
        self.loading.set(true);
        let request = fetch(after);
        leptos::task::spawn_local(async move {
            match request.await {
                Ok(p) => {
                    self.rows.update(|r| r.extend(p.items));
                    self.next.set(p.next);
                }
                Err(e) => self.error.set(Some(e.0.message)),
            }
            self.loading.set(false);
        });
    }
}

/// The last row of a paged table: "Show more" while there is a next page, and why it failed.
#[component]
pub fn ShowMoreRow<T: Send + Sync + 'static>(
    paged: Paged<T>,
    colspan: &'static str,
    on_more: Callback<()>,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    let (next, loading, error) = (paged.next, paged.loading, paged.error);
    view! {
        <tr hidden=move || next.get().is_none() && error.get().is_none()>
            <td colspan=colspan class="table-footer">
                <button type="button" class="button button-secondary" id=id on:click=move |_| on_more.run(()) disabled=move || loading.get()>
                    {move || if loading.get() { "Loading…" } else { "Show more" }}
                </button>
                <span class="field-error" hidden=move || error.get().is_none()>{move || error.get()}</span>
            </td>
        </tr>
    }
}
