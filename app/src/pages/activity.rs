//! Activity: the tenant's events in the viewer's time zone, sorted by any column on the
//! server, filtered by user, action and dates, with "Show more", a menu per row to copy its
//! ids, and a streamed CSV download with progress.

use crate::api::list_activity;
use crate::components::browser::{
    copy_text, download_with_progress, local_day_start, local_offset, local_time, ClientOnly,
    DownloadProgress,
};
use crate::components::menu::RowMenu;
use crate::components::problem::ProblemPanel;
use crate::components::table::{Paged, ShowMoreRow, SortHeader, SortState};
use crate::model::{EventRow, Page};
use crate::pages::users::AreaTabs;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

/// The list's filters as the person typed them.
#[derive(Debug, Clone, Default, PartialEq)]
struct Filters {
    user: String,
    action: String,
    /// `yyyy-mm-dd`, from the date inputs.
    from: String,
    to: String,
}

impl Filters {
    /// The range in Unix ms: from the start of `from` to the end of `to`, in local time.
    fn range(&self) -> (Option<i64>, Option<i64>) {
        (local_day_start(&self.from, 0), local_day_start(&self.to, 1))
    }

    /// The download URL with the same filters.
    fn download_url(&self) -> String {
        let (from, to) = self.range();
        let mut query = vec![
            format!("user={}", encode(&self.user)),
            format!("action={}", encode(&self.action)),
        ];
        query.extend(from.map(|f| format!("from={f}")));
        query.extend(to.map(|t| format!("to={t}")));
        format!("/activity/events.csv?{}", query.join("&"))
    }
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

fn fetch_page(
    filters: Filters,
    sort: SortState,
    after: Option<String>,
) -> impl std::future::Future<Output = Result<Page<EventRow>, crate::error::AppError>> {
    let (from, to) = filters.range();
    let order = if sort.ascending { "asc" } else { "desc" };
    list_activity(
        filters.user,
        filters.action,
        from,
        to,
        sort.column.to_owned(),
        order.to_owned(),
        after,
        None,
    )
}

/// Users & Activity › Activity.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let filters = RwSignal::new(Filters::default());
    let sort = RwSignal::new(SortState {
        column: "date",
        ascending: false,
    });
    // Loaded in the browser: times are shown in the viewer's time zone, which only it knows.
    let first = LocalResource::new(move || fetch_page(filters.get(), sort.get(), None));
    let edit = move |f: fn(&mut Filters, String)| {
        move |ev: leptos::ev::Event| filters.update(|x| f(x, event_target_value(&ev)))
    };
    view! {
        <Title text="Activity"/>
        <div class="page-header">
            <div>
                <h1>"Users & Activity"</h1>
                <p class="muted">"Every change of access, every view of personal data and every time it leaves, in the order it happened."</p>
            </div>
            <ClientOnly><DownloadButton filters=filters/></ClientOnly>
        </div>
        <AreaTabs/>
        <section class="panel">
            <div class="panel-header filters" role="search">
                <h2>"Activity"</h2>
                <input type="search" class="search" placeholder="User name or email" aria-label="Filter by user"
                    id="filter-user" prop:value=move || filters.get().user on:change=edit(|f, v| f.user = v)/>
                <input type="search" class="search" placeholder="Action (e.g. policy/grant)" aria-label="Filter by action"
                    id="filter-action" prop:value=move || filters.get().action on:change=edit(|f, v| f.action = v)/>
                <label class="date-filter">"From"
                    <input type="date" id="filter-from" prop:value=move || filters.get().from on:change=edit(|f, v| f.from = v)/>
                </label>
                <label class="date-filter">"To"
                    <input type="date" id="filter-to" prop:value=move || filters.get().to on:change=edit(|f, v| f.to = v)/>
                </label>
                <button type="button" class="link-button" hidden=move || filters.get() == Filters::default()
                    on:click=move |_| filters.set(Filters::default())>"Clear filters"</button>
            </div>
            <ClientOnly><Transition fallback=|| view! { <p class="muted">"Loading activity…"</p> }>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(page) => view! { <EventRows page=page filters=filters sort=sort/> }.into_any(),
                        Err(e) => view! { <ProblemPanel error=e/> }.into_any(),
                    }
                })}
            </Transition></ClientOnly>
        </section>
    }
}

#[component]
fn EventRows(
    page: Page<EventRow>,
    filters: RwSignal<Filters>,
    sort: RwSignal<SortState>,
) -> impl IntoView {
    let paged = Paged::new(page);
    let rows = paged.rows;
    let copied = RwSignal::new(None::<String>);
    let menu = RwSignal::new(None::<String>);
    let show_more = Callback::new(move |_| {
        paged.show_more(|after| {
            fetch_page(filters.get_untracked(), sort.get_untracked(), Some(after))
        })
    });
    let date_label = format!("Date ({})", local_offset());
    let filtered = move || filters.get() != Filters::default();
    view! {
        <div class="alert alert-ok" role="status" hidden=move || copied.get().is_none()>{move || copied.get()}</div>
        <table class="data-table" id="activity-table">
        <thead>
            <tr>
                <SortHeader label=date_label column="date" sort=sort/>
                <SortHeader label="User" column="user" sort=sort/>
                <SortHeader label="Action" column="action" sort=sort/>
                <SortHeader label="Object" column="object" sort=sort/>
                <th scope="col"><span class="visually-hidden">"Copy ids"</span></th>
            </tr>
        </thead>
        <tbody>
            <Show when=move || rows.with(Vec::is_empty)>
                <tr><td colspan="5" class="empty-cell">
                    <strong>"No activity matches."</strong>
                    <span class="muted">{move || if filtered() { " Widen the dates or clear the filters." } else { " Changes of access appear here as they happen." }}</span>
                </td></tr>
            </Show>
            <For each=move || rows.get() key=|e| e.id.clone() let:event>
                <EventRowView event=event menu=menu copied=copied/>
            </For>
            <ShowMoreRow paged=paged colspan="5" on_more=show_more id="activity-more"/>
        </tbody>
        </table>
    }
}

#[component]
fn EventRowView(
    event: EventRow,
    menu: RwSignal<Option<String>>,
    copied: RwSignal<Option<String>>,
) -> impl IntoView {
    let id = event.id.clone();
    let copy = move |what: &'static str, value: String| {
        move |_| {
            copied.set(Some(if copy_text(&value) {
                format!("Copied {what} {value}")
            } else {
                format!("This browser would not copy; the {what} is {value}")
            }));
        }
    };
    let user = match &event.principal_email {
        Some(email) if *email != event.principal_name => view! {
            <strong>{event.principal_name.clone()}</strong><br/><span class="muted small">{email.clone()}</span>
        }.into_any(),
        _ => view! { <strong>{event.principal_name.clone()}</strong> }.into_any(),
    };
    let object_id = event.object_id.clone();
    view! {
        <tr data-event=event.id.clone() data-type=event.event_type.clone()>
            <td class="nowrap">{local_time(event.happened_at_ms)}</td>
            <td>{user}</td>
            <td><code>{event.event_type.clone()}</code></td>
            <td>{event.object_name.clone().unwrap_or_default()}</td>
            <td class="row-actions">
                <RowMenu label="Copy ids".to_owned() key=id.clone() open=menu>
                    <button type="button" role="menuitem" class="menu-item" on:click=copy("event id", id.clone())>"Copy event ID"</button>
                    <button type="button" role="menuitem" class="menu-item" disabled=object_id.is_none()
                        on:click=copy("object id", object_id.clone().unwrap_or_default())>"Copy object ID"</button>
                    <button type="button" role="menuitem" class="menu-item" on:click=copy("user id", event.principal_id.clone())>"Copy user ID"</button>
                </RowMenu>
            </td>
        </tr>
    }
}

/// Download CSV, with a progress bar while rows stream in.
#[component]
fn DownloadButton(filters: RwSignal<Filters>) -> impl IntoView {
    let progress = RwSignal::new(None::<DownloadProgress>);
    let error = RwSignal::new(None::<String>);
    let start = move |_| {
        let url = filters.get_untracked().download_url();
        error.set(None);
        progress.set(Some(DownloadProgress::default()));
        spawn_local(async move {
            let result = download_with_progress(&url, |p| progress.set(Some(p))).await;
            progress.set(None);
            if let Err(message) = result {
                error.set(Some(message));
            }
        });
    };
    let label = move || match progress.get() {
        None => "Download CSV".to_owned(),
        Some(p) => match p.total {
            Some(t) if t > 0 => format!("Downloading… {}%", (p.rows.min(t) * 100) / t),
            _ => format!("Downloading… {} rows", p.rows),
        },
    };
    let percent = move || {
        progress
            .get()
            .and_then(|p| {
                p.total
                    .filter(|t| *t > 0)
                    .map(|t| (p.rows.min(t) * 100) / t)
            })
            .unwrap_or(0)
    };
    view! {
        <div class="download">
            <button type="button" class="button button-primary" id="download-activity"
                disabled=move || progress.get().is_some() on:click=start>{label}</button>
            <progress max="100" value=percent hidden=move || progress.get().is_none() aria-label="Download progress"></progress>
            <span class="field-error" role="alert" hidden=move || error.get().is_none()>{move || error.get()}</span>
        </div>
    }
}
