//! The tenant home page: what the tenant holds, at a glance.

use crate::api::load_overview;
use crate::components::problem::ProblemPanel;
use crate::components::table::{text_order, SortHeader, SortState};
use crate::model::{DatabaseSummary, TenantOverview};
use crate::pages::invitations::InvitationsPanel;
use leptos::prelude::*;
use leptos_meta::Title;

/// Counts and the tenant's databases.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| load_overview());
    view! {
        <Title text="Overview"/>
        <InvitationsPanel/>
        <Suspense fallback=|| view! { <p class="muted">"Loading the tenant…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <Overview overview=o/> }.into_any(),
                    Err(e) => view! { <ProblemPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Overview(overview: TenantOverview) -> impl IntoView {
    let agency = overview
        .tenant
        .agency_name
        .clone()
        .map(|a| format!("Owned by {a}"));
    let cards = [
        ("Users", overview.users, "/users"),
        ("Policies", overview.policies, "/users"),
        ("Resource groups", overview.resource_groups, "/users"),
        (
            "Databases",
            overview.databases.len() as i64,
            "/customer-360",
        ),
    ];
    view! {
        <div class="page-header">
            <div>
                <h1>{overview.tenant.name.clone()}</h1>
                <p class="muted">{agency}</p>
            </div>
        </div>
        <section class="cards" aria-label="Tenant at a glance">
            {cards.into_iter().map(|(label, n, href)| view! {
                <a class="card stat" href=href>
                    <span class="stat-value">{n}</span>
                    <span class="stat-label">{label}</span>
                </a>
            }).collect_view()}
        </section>
        <section class="panel">
            <h2>"Databases"</h2>
            <DatabaseTable databases=overview.databases/>
        </section>
    }
}

#[component]
fn DatabaseTable(databases: Vec<DatabaseSummary>) -> impl IntoView {
    if databases.is_empty() {
        return view! {
            <div class="empty-state">
                <p><strong>"No databases yet."</strong></p>
                <p class="muted">"Databases appear here once Customer 360 builds them from your sources."</p>
            </div>
        }
        .into_any();
    }
    let sort = RwSignal::new(SortState::by("name"));
    let rows = move || {
        let s = sort.get();
        let mut rows = databases.clone();
        rows.sort_by(|a, b| {
            s.order(match s.column {
                "group" => a.resource_group.cmp(&b.resource_group),
                "tables" => a.tables.cmp(&b.tables),
                _ => text_order(&a.name, &b.name),
            })
        });
        rows
    };
    view! {
        <table class="data-table">
            <thead>
                <tr>
                    <SortHeader label="Name" column="name" sort=sort/>
                    <SortHeader label="Custom resource group" column="group" sort=sort/>
                    <SortHeader label="Tables" column="tables" sort=sort/>
                </tr>
            </thead>
            <tbody>
                <For each=rows key=|d| (d.id.clone(), d.name.clone()) let:d>
                    <tr>
                        <td>
                            <strong>{d.name.clone()}</strong>
                            <div class="muted small">{d.description.clone()}</div>
                        </td>
                        <td>{d.resource_group.clone().unwrap_or_else(|| "All resource groups only".to_owned())}</td>
                        <td class="num">{d.tables}</td>
                    </tr>
                </For>
            </tbody>
        </table>
    }
    .into_any()
}
