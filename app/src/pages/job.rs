//! One job: what it does, where it is, with which authorization; pause, resume, delete.

use crate::api::{change_job, delete_job, load_job};
use crate::components::browser::{hard_navigate, local_time, ClientOnly};
use crate::components::dialog::ConfirmDialog;
use crate::components::problem::ProblemPanel;
use crate::components::status::JobStatusBadge;
use crate::model::JobRow;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use portcullis_core::jobs::JobStatus;

/// The job page.
#[component]
pub fn JobPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let created = use_query_map().with_untracked(|q| q.get("created").is_some());
    let version = RwSignal::new(0u32);
    let job = LocalResource::new(move || {
        version.get();
        load_job(id.clone())
    });
    view! {
        <Title text="Job"/>
        <div class="alert alert-ok" role="status" hidden=!created>"Created. The job sleeps until its runner picks it up."</div>
        <ClientOnly><Transition fallback=|| view! { <p class="muted">"Loading the job…"</p> }>
            {move || Suspend::new(async move {
                match job.await {
                    Ok(j) => view! { <JobView job=j version=version/> }.into_any(),
                    Err(e) => view! { <ProblemPanel error=e/> }.into_any(),
                }
            })}
        </Transition></ClientOnly>
    }
}

#[component]
fn JobView(job: JobRow, version: RwSignal<u32>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let id = job.id.to_string();
    let change = {
        let id = id.clone();
        move |what: &'static str| {
            let id = id.clone();
            move |_| {
                let id = id.clone();
                spawn_local(async move {
                    match change_job(id, what.to_owned()).await {
                        Ok(()) => version.update(|v| *v += 1),
                        Err(e) => error.set(Some(e.0.message)),
                    }
                });
            }
        }
    };
    let delete = Callback::new({
        let id = id.clone();
        move |_| {
            busy.set(true);
            let id = id.clone();
            spawn_local(async move {
                match delete_job(id).await {
                    Ok(()) => hard_navigate("/jobs"),
                    Err(e) => {
                        error.set(Some(e.0.message));
                        busy.set(false);
                    }
                }
            });
        }
    });
    let can_pause = matches!(job.status, JobStatus::Running | JobStatus::Sleeping);
    let can_resume = job.status == JobStatus::Paused;
    view! {
        <div class="page-header">
            <div>
                <p class="breadcrumb"><a href="/jobs">"Jobs"</a>" › " {job.name.clone()}</p>
                <h1>{job.name.clone()}</h1>
                <p class="muted">{job.job_type.label()}</p>
            </div>
            <div class="row-actions">
                {can_pause.then(|| view! { <button type="button" class="button button-secondary" id="pause-job" on:click=change("pause")>"Pause"</button> })}
                {can_resume.then(|| view! { <button type="button" class="button button-secondary" id="resume-job" on:click=change("resume")>"Resume"</button> })}
                <button type="button" class="button button-danger" id="delete-job" on:click=move |_| confirming.set(true)>"Delete"</button>
            </div>
        </div>
        <div class="alert alert-error" role="alert" hidden=move || error.get().is_none()>{move || error.get()}</div>
        <section class="panel">
            <dl class="facts">
                <div><dt>"Status"</dt><dd id="job-status"><JobStatusBadge status=job.status/></dd></div>
                <div><dt>"Type"</dt><dd>{job.job_type.label()}</dd></div>
                <div><dt>"Authorization"</dt><dd>{match job.authorization.clone() {
                    Some((aid, label)) => view! { <a href=format!("/security/authorizations/{aid}")>{label}</a> }.into_any(),
                    None => view! { <span class="muted">"deleted"</span> }.into_any(),
                }}</dd></div>
                <div><dt>"Run by"</dt><dd id="job-runner">{match job.runner.clone() {
                    Some((_, name)) => view! { <span>{name}</span> }.into_any(),
                    None => view! { <span class="muted">"no app: no bot can fetch its credential"</span> }.into_any(),
                }}</dd></div>
                <div><dt>"Created"</dt><dd>{local_time(job.created_at.timestamp_millis())}</dd></div>
                <div><dt>"Last change"</dt><dd>{local_time(job.updated_at.timestamp_millis())}</dd></div>
                <div><dt>"Last report"</dt><dd>{if job.status_detail.is_empty() { "—".to_owned() } else { job.status_detail.clone() }}</dd></div>
            </dl>
            <p class="hint">"The app that runs this job fetches its credential and reports how each run went with its own bot token; nobody else can read the credential."</p>
        </section>
        <Show when=move || confirming.get()>
            <ConfirmDialog title="Delete this job?".to_owned()
                message="The job and its schedule are removed; its authorization stays. A running job must be paused first.".to_owned()
                confirm_label="Delete job".to_owned() on_confirm=delete on_close=Callback::new(move |_| confirming.set(false))
                busy=busy error=error/>
        </Show>
    }
}
