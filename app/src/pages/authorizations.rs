//! Security › Authorizations: every authorization of the tenant, sorted on the server by
//! label, description, provider, status, creator or last change, a page at a time.

use crate::api::list_authorizations;
use crate::components::browser::{local_time, ClientOnly};
use crate::components::problem::ProblemPanel;
use crate::components::status::HealthBadge;
use crate::components::table::{Paged, ShowMoreRow, SortHeader, SortState};
use crate::error::AppError;
use crate::model::{AuthorizationRow, Page};
use leptos::prelude::*;
use leptos_meta::Title;

fn fetch_page(
    sort: SortState,
    after: Option<String>,
) -> impl std::future::Future<Output = Result<Page<AuthorizationRow>, AppError>> {
    let order = if sort.ascending { "asc" } else { "desc" };
    list_authorizations(sort.column.to_owned(), order.to_owned(), after, None)
}

/// The dashboard.
#[component]
pub fn AuthorizationsPage() -> impl IntoView {
    let sort = RwSignal::new(SortState::by("label"));
    let first = LocalResource::new(move || fetch_page(sort.get(), None));
    view! {
        <Title text="Authorizations"/>
        <div class="page-header">
            <div>
                <h1>"Authorizations"</h1>
                <p class="muted">"Credentials for third-party tools: whether they work, who made them, and the jobs that need them."</p>
            </div>
            <a class="button button-primary" href="/security/authorizations/new" id="create-authorization">"+ Create new"</a>
        </div>
        <section class="panel">
            <ClientOnly><Transition fallback=|| view! { <p class="muted">"Loading authorizations…"</p> }>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(page) => view! { <AuthorizationRows page=page sort=sort/> }.into_any(),
                        Err(e) => view! { <ProblemPanel error=e/> }.into_any(),
                    }
                })}
            </Transition></ClientOnly>
        </section>
    }
}

#[component]
fn AuthorizationRows(page: Page<AuthorizationRow>, sort: RwSignal<SortState>) -> impl IntoView {
    let paged = Paged::new(page);
    let rows = paged.rows;
    let show_more = Callback::new(move |_| {
        paged.show_more(|after| fetch_page(sort.get_untracked(), Some(after)))
    });
    view! {
        <table class="data-table" id="authorizations-table">
            <thead><tr>
                <SortHeader label="Label" column="label" sort=sort/>
                <SortHeader label="Description" column="description" sort=sort/>
                <SortHeader label="Provider" column="provider" sort=sort/>
                <SortHeader label="Status" column="status" sort=sort/>
                <SortHeader label="Created by" column="created_by" sort=sort/>
                <SortHeader label="Last modified" column="last_modified" sort=sort/>
            </tr></thead>
            <tbody>
                <Show when=move || rows.with(Vec::is_empty)>
                    <tr><td colspan="6" class="empty-cell">
                        <strong>"No authorizations yet."</strong>
                        <span class="muted">" Create one to connect a provider; jobs then use it to import and export data."</span>
                    </td></tr>
                </Show>
                <For each=move || rows.get() key=|a| (a.id.clone(), a.updated_at) let:a>
                    <tr data-authorization=a.label.clone()>
                        <td><a href=format!("/security/authorizations/{}", a.id)><strong>{a.label.clone()}</strong></a></td>
                        <td class="muted">{a.description.clone()}</td>
                        <td>{a.provider_name.clone()}</td>
                        <td><HealthBadge health=a.health/></td>
                        <td>{a.created_by.clone()}</td>
                        <td class="nowrap">{local_time(a.updated_at.timestamp_millis())}</td>
                    </tr>
                </For>
                <ShowMoreRow paged=paged colspan="6" on_more=show_more id="authorizations-more"/>
            </tbody>
        </table>
    }
}
