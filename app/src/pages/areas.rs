//! Areas of the console whose pages come in later issues. Each says what will live there, so
//! no link in the navigation leads nowhere.

use leptos::prelude::*;
use leptos_meta::Title;

/// A console area still being built: its purpose and the features (spec ids) it will hold.
#[component]
fn Area(
    title: &'static str,
    summary: &'static str,
    features: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    view! {
        <Title text=title/>
        <div class="page-header">
            <div>
                <h1>{title}</h1>
                <p class="muted">{summary}</p>
            </div>
        </div>
        <section class="panel empty-state">
            <p><strong>"This area is being built."</strong> " Here is what will live in it:"</p>
            <ul class="feature-list">
                {features.iter().map(|(id, text)| view! {
                    <li><span class="badge">{*id}</span> {*text}</li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Security › Authorizations.
#[component]
pub fn AuthorizationsPage() -> impl IntoView {
    view! { <Area title="Authorizations" summary="Credentials for third-party tools: their health, their use, the jobs that need them." features=&[
        ("A1", "Provider catalog: Google Cloud, Facebook, Iterable, Salesforce, SendGrid, HTTP API, PostgreSQL."),
        ("A2", "Create wizard: provider, method, label, description, configuration."),
        ("A3", "Secrets encrypted at rest and never shown again."),
        ("A5", "Health checked daily and on demand."),
        ("A8", "Requests made with each authorization, charted over time."),
        ("A10", "Dashboard of every authorization in the tenant."),
    ]/> }
}

/// Jobs.
#[component]
pub fn JobsPage() -> impl IntoView {
    view! { <Area title="Jobs" summary="The jobs and imported experiences that use this tenant's authorizations." features=&[
        ("A11", "Jobs created from a wizard whose first step picks or creates an authorization."),
        ("A9", "Each authorization lists the jobs that depend on it."),
        ("A7", "An authorization cannot be deleted while a job uses it."),
    ]/> }
}
