//! Jobs: the tenant's jobs sorted on the server, the job wizard whose
//! choose-authorization step can open the authorization wizard in a new tab, and the imported
//! experiences that hold authorizations.

use crate::api::{
    authorizations_for_job, create_job, import_experience, list_jobs, load_experiences,
    load_job_runners, retire_experience,
};
use crate::components::browser::{hard_navigate, local_time, ClientOnly};
use crate::components::dialog::{Asking, ConfirmDialog, Dialog, FormActions};
use crate::components::field::{field_message, FieldError};
use crate::components::problem::ProblemPanel;
use crate::components::status::JobStatusBadge;
use crate::components::table::{Paged, ShowMoreRow, SortHeader, SortState};
use crate::error::AppError;
use crate::model::{ExperienceRow, JobRow, Page};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use portcullis_core::providers::JobType;

fn fetch_jobs(
    authorization: String,
    sort: SortState,
    after: Option<String>,
) -> impl std::future::Future<Output = Result<Page<JobRow>, AppError>> {
    let order = if sort.ascending { "asc" } else { "desc" };
    list_jobs(
        authorization,
        sort.column.to_owned(),
        order.to_owned(),
        after,
        None,
    )
}

/// The Jobs page.
#[component]
pub fn JobsPage() -> impl IntoView {
    let query = use_query_map();
    let preset = query.with_untracked(|q| q.get("authorization"));
    let open = RwSignal::new(query.with_untracked(|q| q.get("new").is_some()));
    let close = Callback::new(move |_| open.set(false));
    view! {
        <Title text="Jobs"/>
        <div class="page-header">
            <div>
                <h1>"Jobs"</h1>
                <p class="muted">"Imports and exports that run with this tenant's authorizations, and the experiences imported from third-party tools."</p>
            </div>
            <button type="button" class="button button-primary" id="new-job" on:click=move |_| open.set(true)>"+ New job"</button>
        </div>
        <section class="panel">
            <JobsTable authorization=String::new()/>
        </section>
        <ClientOnly><ExperiencesPanel/></ClientOnly>
        <Show when=move || open.get()>
            <JobWizard preset=preset.clone() on_close=close/>
        </Show>
    }
}

/// The jobs of the tenant (`authorization` empty) or of one authorization, sortable and paged.
#[component]
pub fn JobsTable(authorization: String) -> impl IntoView {
    let sort = RwSignal::new(SortState {
        column: "created",
        ascending: false,
    });
    let first = LocalResource::new({
        let a = authorization.clone();
        move || fetch_jobs(a.clone(), sort.get(), None)
    });
    let authorization = StoredValue::new(authorization);
    view! {
        <ClientOnly><Transition fallback=|| view! { <p class="muted">"Loading jobs…"</p> }>
            {move || Suspend::new(async move {
                match first.await {
                    Ok(page) => view! { <JobRows page=page sort=sort authorization=authorization.get_value()/> }.into_any(),
                    Err(e) => view! { <ProblemPanel error=e/> }.into_any(),
                }
            })}
        </Transition></ClientOnly>
    }
}

#[component]
fn JobRows(page: Page<JobRow>, sort: RwSignal<SortState>, authorization: String) -> impl IntoView {
    let paged = Paged::new(page);
    let rows = paged.rows;
    let show_more = Callback::new(move |_| {
        let a = authorization.clone();
        paged.show_more(move |after| fetch_jobs(a, sort.get_untracked(), Some(after)))
    });
    view! {
        <table class="data-table jobs-table">
            <thead><tr>
                <SortHeader label="Name" column="name" sort=sort/>
                <SortHeader label="Type" column="type" sort=sort/>
                <SortHeader label="Status" column="status" sort=sort/>
                <th scope="col">"Authorization"</th>
                <SortHeader label="Created" column="created" sort=sort/>
            </tr></thead>
            <tbody>
                <Show when=move || rows.with(Vec::is_empty)>
                    <tr><td colspan="5" class="empty-cell"><strong>"No jobs yet."</strong>
                        <span class="muted">" A job imports or exports data with an authorization: + New job."</span></td></tr>
                </Show>
                <For each=move || rows.get() key=|j| (j.id.clone(), j.status) let:j>
                    <tr data-job=j.name.clone() class="clickable" on:click={
                        let href = format!("/jobs/{}", j.id);
                        move |_| hard_navigate(&href)
                    }>
                        <td><a href=format!("/jobs/{}", j.id)><strong>{j.name.clone()}</strong></a></td>
                        <td>{j.job_type.label()}</td>
                        <td><JobStatusBadge status=j.status/></td>
                        <td>{match j.authorization.clone() {
                            Some((aid, label)) => view! { <a href=format!("/security/authorizations/{aid}")>{label}</a> }.into_any(),
                            None => view! { <span class="muted">"deleted"</span> }.into_any(),
                        }}</td>
                        <td class="nowrap">{local_time(j.created_at.timestamp_millis())}</td>
                    </tr>
                </For>
                <ShowMoreRow paged=paged colspan="5" on_more=show_more/>
            </tbody>
        </table>
    }
}

/// New job: name and type, then the authorization (or a new one, in a new tab).
#[component]
fn JobWizard(preset: Option<String>, on_close: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let job_type = RwSignal::new(JobType::SendEmail);
    let chosen = RwSignal::new(preset);
    let refresh = RwSignal::new(0u32);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let choices = LocalResource::new(move || {
        refresh.get();
        authorizations_for_job(job_type.get().code().to_owned())
    });
    let runners = LocalResource::new(load_job_runners);
    let runner = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(authorization) = chosen.get_untracked() else {
            error.set(Some(AppError(portcullis_core::Problem::invalid(
                "authorization",
                "authorization_required",
                "choose an authorization, or create one",
            ))));
            return;
        };
        busy.set(true);
        spawn_local(async move {
            match create_job(
                name.get_untracked(),
                job_type.get_untracked().code().to_owned(),
                authorization,
                runner.get_untracked().unwrap_or_default(),
            )
            .await
            {
                Ok(id) => hard_navigate(&format!("/jobs/{id}?created=1")),
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <Dialog title="New job".to_owned() on_close=on_close wide=true>
            <form class="form" on:submit=submit>
                <div class="field">
                    <label for="job-name">"Name"</label>
                    <input id="job-name" required autocomplete="off" placeholder="Nightly newsletter sync"
                        on:input=move |ev| name.set(event_target_value(&ev))/>
                    <FieldError for_field="name" message=field_message(error, "name")/>
                </div>
                <div class="field">
                    <label for="job-type">"Type"</label>
                    <select id="job-type" on:change=move |ev| {
                        if let Ok(t) = JobType::parse("job_type", &event_target_value(&ev)) { job_type.set(t); }
                    }>
                        {JobType::ALL.iter().copied().map(|t| view! {
                            <option value=t.code() selected=t == JobType::SendEmail>{t.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="job-runner">"Run by app"</label>
                    <Transition fallback=|| view! { <p class="muted">"Loading installed apps…"</p> }>
                        {move || Suspend::new(async move {
                            match runners.await {
                                Ok(apps) => {
                                    if runner.get_untracked().is_none() {
                                        runner.set(Some(apps.first().map(|a| a.0.clone()).unwrap_or_default()));
                                    }
                                    view! {
                                        <select id="job-runner" on:change=move |ev| runner.set(Some(event_target_value(&ev)))>
                                            {apps.into_iter().map(|(id, name)| {
                                                let value = id.clone();
                                                view! { <option value=id prop:selected=move || runner.get().as_deref() == Some(value.as_str())>{name}</option> }
                                            }).collect_view()}
                                            <option value="" prop:selected=move || runner.get().as_deref() == Some("")>"No app yet"</option>
                                        </select>
                                    }.into_any()
                                }
                                Err(e) => view! { <p class="field-error">{e.0.message}</p> }.into_any(),
                            }
                        })}
                    </Transition>
                    <p class="hint">"Only bots of this app fetch the job's credential. Install an app under Apps to offer it here."</p>
                    <FieldError for_field="runner" message=field_message(error, "runner")/>
                </div>
                <fieldset class="choose-authorization">
                    <legend>"Choose authorization"</legend>
                    <Transition fallback=|| view! { <p class="muted">"Loading authorizations…"</p> }>
                        {move || Suspend::new(async move {
                            match choices.await {
                                Ok(list) if list.is_empty() => view! {
                                    <p class="muted">{format!("No authorization here can run {}. Create one, then refresh.", job_type.get_untracked().label())}</p>
                                }.into_any(),
                                Ok(list) => list.into_iter().map(|a| {
                                    let id = a.id.to_string();
                                    let value = id.clone();
                                    view! {
                                        <label class="radio-row" data-choice=a.label.clone()>
                                            <input type="radio" name="authorization" value=id.clone()
                                                prop:checked=move || chosen.get().as_deref() == Some(id.as_str())
                                                on:change=move |_| chosen.set(Some(value.clone()))/>
                                            <strong>{a.label.clone()}</strong>
                                            <span class="muted small">{format!("{} · {}", a.provider_name, a.method)}</span>
                                        </label>
                                    }
                                }).collect_view().into_any(),
                                Err(e) => view! { <p class="field-error">{e.0.message}</p> }.into_any(),
                            }
                        })}
                    </Transition>
                    <div class="row-actions">
                        <a class="link-button" target="_blank" rel="noopener" id="new-authorization-tab"
                            href=move || format!("/security/authorizations/new?job_type={}", job_type.get().code())>
                            "+ Create a new authorization (opens a new tab)"</a>
                        <button type="button" class="link-button" on:click=move |_| refresh.update(|r| *r += 1)>"Refresh list"</button>
                    </div>
                    <FieldError for_field="authorization" message=field_message(error, "authorization")/>
                </fieldset>
                <div class="alert alert-error" role="alert" hidden=move || error.get().and_then(|e| e.general_message(&["name", "authorization", "runner"])).is_none()>
                    {move || error.get().and_then(|e| e.general_message(&["name", "authorization", "runner"]))}
                </div>
                <FormActions on_close=on_close busy=busy label="Create job"/>
            </form>
        </Dialog>
    }
}

/// Imported experiences: each holds its authorization until it is retired.
#[component]
fn ExperiencesPanel() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        version.get();
        load_experiences()
    });
    let importing = RwSignal::new(false);
    view! {
        <section class="panel" id="experiences">
            <div class="panel-header">
                <h2>"Imported experiences"</h2>
                <button type="button" class="button button-secondary" on:click=move |_| importing.set(true)>"Import experience"</button>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading experiences…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(rows) => view! { <ExperienceRows rows=rows version=version/> }.into_any(),
                        Err(e) => view! { <ProblemPanel error=e/> }.into_any(),
                    }
                })}
            </Transition>
            <Show when=move || importing.get()>
                <ImportDialog on_close=Callback::new(move |_| importing.set(false))
                    on_done=Callback::new(move |_| { importing.set(false); version.update(|v| *v += 1); })/>
            </Show>
        </section>
    }
}

#[component]
fn ExperienceRows(rows: Vec<ExperienceRow>, version: RwSignal<u32>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"No imported experiences. An active experience keeps its authorization from being deleted."</p> }.into_any();
    }
    // Retiring is asked about first: the experience stops holding its authorization.
    let retiring = Asking::<(String, String, String)>::new();
    let retire = Callback::new(move |_| {
        retiring.run(
            |(id, _, _)| retire_experience(id),
            move || version.update(|v| *v += 1),
        )
    });
    view! {
        {move || retiring.about.get().map(|(_, name, authorization)| view! {
            <ConfirmDialog title=format!("Retire {name}?")
                message=format!("{name} stops being active and no longer holds {authorization}, which can then be deleted if nothing else uses it.")
                confirm_label="Retire experience".to_owned() on_confirm=retire
                on_close=Callback::new(move |_| retiring.cancel())
                busy=retiring.busy error=retiring.error/>
        })}
        <table class="data-table compact">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Authorization"</th><th scope="col">"Status"</th><th scope="col">"Imported"</th><th scope="col"></th></tr></thead>
            <tbody>
                {rows.into_iter().map(|e| {
                    let asked = (
                        e.id.to_string(),
                        e.name.clone(),
                        e.authorization.clone().map_or_else(|| "its authorization".to_owned(), |(_, l)| l),
                    );
                    view! {
                        <tr data-experience=e.name.clone()>
                            <td>{e.name.clone()}</td>
                            <td>{e.authorization.clone().map(|(_, l)| l).unwrap_or_else(|| "deleted".to_owned())}</td>
                            <td>{if e.active { view! { <span class="status status-ok">"Active"</span> }.into_any() } else { view! { <span class="status status-pending">"Retired"</span> }.into_any() }}</td>
                            <td class="nowrap">{local_time(e.created_at.timestamp_millis())}</td>
                            <td class="row-actions">{e.active.then(|| view! {
                                <button type="button" class="link-button danger"
                                    on:click=move |_| retiring.about.set(Some(asked.clone()))>"Retire"</button>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }.into_any()
}

#[component]
fn ImportDialog(on_close: Callback<()>, on_done: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let chosen = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let choices = LocalResource::new(|| {
        crate::api::list_authorizations("label".into(), "asc".into(), None, Some(200))
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        spawn_local(async move {
            match import_experience(name.get_untracked(), chosen.get_untracked()).await {
                Ok(_) => on_done.run(()),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <Dialog title="Import experience".to_owned() on_close=on_close>
            <form class="form" on:submit=submit>
                <div class="field">
                    <label for="experience-name">"Name"</label>
                    <input id="experience-name" required on:input=move |ev| name.set(event_target_value(&ev))/>
                    <FieldError for_field="name" message=field_message(error, "name")/>
                </div>
                <div class="field">
                    <label for="experience-authorization">"Authorization"</label>
                    <select id="experience-authorization" on:change=move |ev| chosen.set(event_target_value(&ev))>
                        <option value="">"Choose…"</option>
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                choices.await.map(|p| p.items).unwrap_or_default().into_iter().map(|a| view! {
                                    <option value=a.id.to_string()>{a.label.clone()}</option>
                                }).collect_view()
                            })}
                        </Transition>
                    </select>
                    <FieldError for_field="authorization" message=field_message(error, "authorization")/>
                </div>
                <FormActions on_close=on_close busy=busy label="Import"/>
            </form>
        </Dialog>
    }
}
