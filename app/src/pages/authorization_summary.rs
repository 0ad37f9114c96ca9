//! One authorization: provider, method, health with the provider's last answer, owner
//! and dates; edit (label and description only), check now, delete with its blockers; the
//! requests chart and the jobs that use it.

use crate::api::{
    authorization_metrics, check_authorization, delete_authorization, edit_authorization,
    load_authorization, start_oauth,
};
use crate::components::browser::{
    hard_navigate, local_date, local_day_start, local_time, ClientOnly,
};
use crate::components::chart::RequestsChart;
use crate::components::dialog::{Dialog, FormActions};
use crate::components::field::{field_message, FieldError};
use crate::components::problem::ProblemPanel;
use crate::components::stale::StaleNotice;
use crate::components::status::HealthBadge;
use crate::error::AppError;
use crate::model::AuthorizationSummary;
use crate::pages::jobs::JobsTable;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use portcullis_core::edits::rebase_value;
use portcullis_core::metrics::Granularity;
use portcullis_core::Blocker;

/// Which dialog is open.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Open {
    Nothing,
    Edit,
    Delete,
}

/// The summary page.
#[component]
pub fn AuthorizationSummaryPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let query = use_query_map();
    let notice = RwSignal::new(query.with_untracked(|q| {
        if q.get("created").is_some() {
            Some(
                "Created. Its first health check runs within a minute, or press Check now."
                    .to_owned(),
            )
        } else if q.get("connected").is_some() {
            Some(
                "Connected: the provider granted access and its tokens are stored encrypted."
                    .to_owned(),
            )
        } else {
            None
        }
    }));
    let version = RwSignal::new(0u32);
    let summary = LocalResource::new({
        let id = id.clone();
        move || {
            version.get();
            load_authorization(id.clone())
        }
    });
    view! {
        <Title text="Authorization"/>
        <div class="alert alert-ok" role="status" hidden=move || notice.get().is_none()>{move || notice.get()}</div>
        <ClientOnly><Transition fallback=|| view! { <p class="muted">"Loading the authorization…"</p> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(s) => view! { <Summary summary=s version=version notice=notice/> }.into_any(),
                    Err(e) => view! { <ProblemPanel error=e/> }.into_any(),
                }
            })}
        </Transition></ClientOnly>
    }
}

#[component]
fn Summary(
    summary: AuthorizationSummary,
    version: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let open = RwSignal::new(Open::Nothing);
    let shown = RwSignal::new(summary);
    let id = shown.with_untracked(|s| s.row.id.to_string());
    let checking = RwSignal::new(false);
    let check_error = RwSignal::new(None::<String>);
    // A check is a request of the authorization: the chart reloads after one.
    let checks = RwSignal::new(0u32);
    let check_now = {
        let id = id.clone();
        move |_| {
            checking.set(true);
            check_error.set(None);
            let id = id.clone();
            spawn_local(async move {
                match check_authorization(id).await {
                    Ok(s) => {
                        shown.set(s);
                        checks.update(|c| *c += 1);
                    }
                    Err(e) => check_error.set(Some(e.0.message)),
                }
                checking.set(false);
            });
        }
    };
    let connect = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            spawn_local(async move {
                match start_oauth(id).await {
                    Ok(url) => hard_navigate(&url),
                    Err(e) => check_error.set(Some(e.0.message)),
                }
            });
        }
    };
    let close = Callback::new(move |_| open.set(Open::Nothing));
    let edited = Callback::new(move |_| {
        open.set(Open::Nothing);
        notice.set(Some("Saved the label and description.".to_owned()));
        version.update(|v| *v += 1);
    });
    let s = shown.get_untracked();
    let can_manage = s.can_manage;
    let oauth_pending = s.oauth_pending;
    view! {
        <div class="page-header">
            <div>
                <p class="breadcrumb"><a href="/security/authorizations">"Authorizations"</a>" › " {move || shown.get().row.label}</p>
                <h1 id="authorization-label">{move || shown.get().row.label}</h1>
                <p class="muted">{move || shown.get().row.description}</p>
            </div>
            <div class="row-actions" hidden=!can_manage>
                {oauth_pending.then(|| view! {
                    <button type="button" class="button button-primary" id="connect" on:click=connect.clone()>
                        {format!("Connect to {}", s.row.provider_name)}
                    </button>
                })}
                <button type="button" class="button button-secondary" id="check-now" on:click=check_now disabled=move || checking.get()>
                    {move || if checking.get() { "Checking…" } else { "Check now" }}
                </button>
                <button type="button" class="button button-secondary" id="edit-authorization" on:click=move |_| open.set(Open::Edit)>"Edit"</button>
                <button type="button" class="button button-danger" id="delete-authorization" on:click=move |_| open.set(Open::Delete)>"Delete"</button>
            </div>
        </div>
        <div class="alert alert-error" role="alert" hidden=move || check_error.get().is_none()>{move || check_error.get()}</div>
        <section class="panel">
            <dl class="facts" id="authorization-facts">
                <div><dt>"Provider"</dt><dd>{s.row.provider_name.clone()}</dd></div>
                <div><dt>"Method"</dt><dd>{s.method_name.clone()}</dd></div>
                <div><dt>"Health"</dt><dd id="health">{move || view! { <HealthBadge health=shown.get().row.health/> }}</dd></div>
                <div><dt>"Owner"</dt><dd>{s.row.created_by.clone()}</dd></div>
                <div><dt>"Created at"</dt><dd>{local_time(s.row.created_at.timestamp_millis())}</dd></div>
                <div><dt>"Last updated"</dt><dd>{local_time(s.row.updated_at.timestamp_millis())}</dd></div>
            </dl>
            <p class="last-check" id="last-check">
                {move || {
                    let s = shown.get();
                    match s.checked_at {
                        Some(at) => format!("Last checked {}. The provider answered: {}", local_time(at.timestamp_millis()), s.answer),
                        None => format!("Not checked yet ({}).", s.answer),
                    }
                }}
            </p>
            <h3 class="subhead">"Configuration"</h3>
            <p class="hint">"Configuration cannot change; make a new authorization for another one. Secret values are never shown."</p>
            <table class="data-table compact config-table">
                <tbody>
                    {s.config.iter().map(|(k, v)| view! {
                        <tr><th scope="row"><code>{k.clone()}</code></th><td class="mono">{v.clone()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <MetricsPanel id=id.clone() checks=checks/>
        <JobsPanel id=id.clone()/>
        {(!s.experiences.is_empty()).then(|| view! {
            <section class="panel">
                <h2>"Imported experiences using it"</h2>
                <ul class="compact-list">
                    {s.experiences.iter().map(|e| view! { <li>{e.name.clone()}</li> }).collect_view()}
                </ul>
            </section>
        })}
        {move || match open.get() {
            Open::Nothing => ().into_any(),
            Open::Edit => view! { <EditDialog summary=shown.get_untracked() on_close=close on_done=edited/> }.into_any(),
            Open::Delete => view! { <DeleteDialog summary=shown.get_untracked() on_close=close/> }.into_any(),
        }}
    }
}

/// The requests chart with its step and window.
#[component]
fn MetricsPanel(id: String, checks: RwSignal<u32>) -> impl IntoView {
    let step = RwSignal::new(Granularity::Day);
    let from = RwSignal::new(local_date(-29));
    let to = RwSignal::new(local_date(0));
    let metrics = LocalResource::new(move || {
        checks.get();
        let id = id.clone();
        let (f, t, s) = (from.get(), to.get(), step.get());
        async move {
            let (Some(f), Some(t)) = (local_day_start(&f, 0), local_day_start(&t, 1)) else {
                return Err(AppError(portcullis_core::Problem::invalid(
                    "from",
                    "invalid_date",
                    "choose both dates",
                )));
            };
            authorization_metrics(id, f, t, s.code().to_owned())
                .await
                .map(|b| (b, s))
        }
    });
    view! {
        <section class="panel" id="metrics">
            <div class="panel-header filters">
                <h2>"Activity metrics"</h2>
                <div class="segmented" role="group" aria-label="Step">
                    {Granularity::ALL.iter().copied().map(|g| view! {
                        <button type="button" class=move || if step.get() == g { "segment segment-on" } else { "segment" }
                            aria-pressed=move || (step.get() == g).to_string() on:click=move |_| step.set(g)>
                            {match g { Granularity::Hour => "Hourly", Granularity::Day => "Daily", Granularity::Week => "Weekly", Granularity::Month => "Monthly" }}
                        </button>
                    }).collect_view()}
                </div>
                <label class="date-filter">"From"<input type="date" prop:value=move || from.get() on:change=move |ev| from.set(event_target_value(&ev))/></label>
                <label class="date-filter">"To"<input type="date" prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev))/></label>
            </div>
            <p class="hint">"Requests made with this authorization: health checks, token exchanges and credential fetches by jobs. Times in UTC."</p>
            <Transition fallback=|| view! { <p class="muted">"Loading metrics…"</p> }>
                {move || Suspend::new(async move {
                    match metrics.await {
                        Ok((buckets, s)) => view! { <RequestsChart buckets=buckets step=s/> }.into_any(),
                        Err(e) => view! { <p class="field-error" role="alert">{e.0.message}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The jobs that use this authorization.
#[component]
fn JobsPanel(id: String) -> impl IntoView {
    let new_job = format!("/jobs?new=1&authorization={id}");
    view! {
        <section class="panel" id="associated-jobs">
            <div class="panel-header">
                <h2>"Associated jobs"</h2>
                <a class="button button-secondary" href=new_job>"New job with it"</a>
            </div>
            <JobsTable authorization=id/>
        </section>
    }
}

/// Edit: label and description only; the configuration is immutable.
#[component]
fn EditDialog(
    summary: AuthorizationSummary,
    on_close: Callback<()>,
    on_done: Callback<()>,
) -> impl IntoView {
    let label = RwSignal::new(summary.row.label.clone());
    let description = RwSignal::new(summary.row.description.clone());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    // What the dialog opened: a stale save re-applies the person's changes from here.
    let base = StoredValue::new(summary.clone());
    let stale = RwSignal::new(None::<Vec<String>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let opened = base.get_value();
        spawn_local(async move {
            let (mine_label, mine_description) =
                (label.get_untracked(), description.get_untracked());
            let id = opened.row.id.to_string();
            match edit_authorization(
                id.clone(),
                opened.version,
                mine_label.clone(),
                mine_description.clone(),
            )
            .await
            {
                Ok(()) => on_done.run(()),
                Err(e) if e.is_stale() => match load_authorization(id).await {
                    Ok(now) => {
                        let (was, is) = (&opened.row, &now.row);
                        let mut changes = Vec::new();
                        if was.label != is.label {
                            changes
                                .push(format!("Label changed from {} to {}", was.label, is.label));
                        }
                        if was.description != is.description {
                            changes.push("Description changed".to_owned());
                        }
                        label.set(rebase_value(&was.label, &mine_label, &is.label));
                        description.set(rebase_value(
                            &was.description,
                            &mine_description,
                            &is.description,
                        ));
                        stale.set(Some(changes));
                        error.set(None);
                        base.set_value(now);
                    }
                    Err(e) => error.set(Some(e)),
                },
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <Dialog title="Edit authorization".to_owned() on_close=on_close>
            <form class="form" on:submit=submit>
                <StaleNotice changes=stale/>
                <div class="field">
                    <label for="edit-label">"Label"</label>
                    <input id="edit-label" prop:value=move || label.get() on:input=move |ev| label.set(event_target_value(&ev))/>
                    <FieldError for_field="label" message=field_message(error, "label")/>
                </div>
                <div class="field">
                    <label for="edit-description">"Description"</label>
                    <input id="edit-description" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))/>
                    <FieldError for_field="description" message=field_message(error, "description")/>
                </div>
                <p class="hint">"The configuration cannot be edited: make a new authorization and delete this one."</p>
                <FormActions on_close=on_close busy=busy/>
            </form>
        </Dialog>
    }
}

/// Where a blocker's page is.
fn blocker_link(b: &Blocker) -> String {
    match b.kind.as_str() {
        "job" => format!("/jobs/{}", b.id),
        _ => "/jobs#experiences".to_owned(),
    }
}

/// Delete: refused with the list of what still uses it.
#[component]
fn DeleteDialog(summary: AuthorizationSummary, on_close: Callback<()>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let (id, version) = (summary.row.id.to_string(), summary.version);
    let confirm = move |_| {
        busy.set(true);
        let id = id.clone();
        spawn_local(async move {
            match delete_authorization(id, version).await {
                Ok(()) => hard_navigate("/security/authorizations"),
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <Dialog title=format!("Delete {}?", summary.row.label) on_close=on_close>
            <p>"Jobs and experiences can no longer use it, and its metrics go with it. This cannot be undone."</p>
            {move || error.get().map(|e| view! {
                <div class="alert alert-error" role="alert" id="delete-refused">
                    <p>{e.0.message.clone()}</p>
                    {(!e.0.blockers.is_empty()).then(|| view! {
                        <ul class="blockers">
                            {e.0.blockers.iter().map(|b| view! {
                                <li><span class="chip">{b.kind.clone()}</span> <a href=blocker_link(b)>{b.name.clone()}</a></li>
                            }).collect_view()}
                        </ul>
                    })}
                </div>
            })}
            <div class="dialog-actions">
                <button type="button" class="button button-secondary" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="button button-danger" id="confirm-delete" disabled=move || busy.get() on:click=confirm>
                    {move || if busy.get() { "Deleting…" } else { "Delete" }}
                </button>
            </div>
        </Dialog>
    }
}
