//! The create wizard: provider, then method, then label, description and configuration.
//! Core checks the configuration here as the person types and again on the server. OAuth
//! methods continue to the provider's consent. Opened from the job wizard with `?job_type=`,
//! it offers only the methods that can run that job.

use crate::api::{create_authorization, start_oauth};
use crate::components::browser::hard_navigate;
use crate::components::field::FieldError;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use portcullis_core::authorizations::check_label;
use portcullis_core::people::check_description;
use portcullis_core::providers::PROVIDERS;
use portcullis_core::providers::{validate, Field, JobType, Method, MethodKind, Provider, Rule};
use portcullis_core::Problem;
use std::collections::BTreeMap;

/// How a method proves who it is, in words.
fn kind_label(kind: MethodKind) -> &'static str {
    match kind {
        MethodKind::ApiKey => "API key",
        MethodKind::OAuth => "OAuth consent",
        MethodKind::ServiceAccount => "Service account",
        MethodKind::Bearer => "Bearer token",
        MethodKind::Basic => "User and password",
        MethodKind::Hmac => "HMAC signature",
        MethodKind::ConnectionUrl => "Connection URL",
    }
}

/// The jobs a method enables, as one line.
fn jobs_line(method: &Method) -> String {
    method
        .jobs
        .iter()
        .map(|j| j.label())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Everything the wizard checks before it sends: the same rules the server runs.
fn check_all(
    method: &Method,
    label: &str,
    description: &str,
    config: &BTreeMap<String, String>,
) -> Result<(), Problem> {
    check_label(label)?;
    check_description(description)?;
    validate(method, config).map(|_| ())
}

/// The wizard.
#[component]
pub fn AuthorizationWizardPage() -> impl IntoView {
    let job_type = use_query_map()
        .with_untracked(|q| q.get("job_type"))
        .and_then(|t| JobType::parse("job_type", &t).ok());
    let provider = RwSignal::new(None::<&'static Provider>);
    let method = RwSignal::new(None::<&'static Method>);
    let step = move || match (provider.get(), method.get()) {
        (None, _) => 1u8,
        (Some(_), None) => 2,
        _ => 3,
    };
    let steps = [(1u8, "Provider"), (2, "Method"), (3, "Configure")];
    view! {
        <Title text="New authorization"/>
        <div class="page-header">
            <div>
                <p class="breadcrumb"><a href="/security/authorizations">"Authorizations"</a>" › New"</p>
                <h1>"New authorization"</h1>
                <p class="muted">{match job_type {
                    Some(j) => format!("Showing the providers and methods that can run {}.", j.label()),
                    None => "Connect a third-party tool. Secrets are encrypted and never shown again.".to_owned(),
                }}</p>
            </div>
        </div>
        <ol class="stepper">
            {steps.into_iter().map(|(n, name)| view! {
                <li class=move || step_class(step(), n)>
                    <span class="step-number">{n}</span>{name}
                </li>
            }).collect_view()}
        </ol>
        {move || match (provider.get(), method.get()) {
            (None, _) => view! { <ChooseProvider job_type=job_type provider=provider/> }.into_any(),
            (Some(p), None) => view! { <ChooseMethod job_type=job_type provider=p method=method back=provider/> }.into_any(),
            (Some(p), Some(m)) => view! { <Configure provider=p method=m back=method/> }.into_any(),
        }}
    }
}

/// A step's class: done, current or to come.
fn step_class(current: u8, step: u8) -> &'static str {
    match current.cmp(&step) {
        std::cmp::Ordering::Equal => "step step-current",
        std::cmp::Ordering::Greater => "step step-done",
        std::cmp::Ordering::Less => "step",
    }
}

fn supports(method: &Method, job_type: Option<JobType>) -> bool {
    job_type.is_none_or(|j| method.jobs.contains(&j))
}

#[component]
fn ChooseProvider(
    job_type: Option<JobType>,
    provider: RwSignal<Option<&'static Provider>>,
) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Choose the provider"</h2>
            <div class="choice-grid" id="providers">
                {PROVIDERS.iter().filter(|p| p.methods.iter().any(|m| supports(m, job_type))).map(|p| {
                    let methods = p.methods.iter().map(|m| kind_label(m.kind)).collect::<Vec<_>>().join(", ");
                    view! {
                        <button type="button" class="choice" data-provider=p.code on:click=move |_| provider.set(Some(p))>
                            <strong>{p.name}</strong>
                            <span class="muted small">{methods}</span>
                        </button>
                    }
                }).collect_view()}
            </div>
        </section>
    }
}

#[component]
fn ChooseMethod(
    job_type: Option<JobType>,
    provider: &'static Provider,
    method: RwSignal<Option<&'static Method>>,
    back: RwSignal<Option<&'static Provider>>,
) -> impl IntoView {
    view! {
        <section class="panel">
            <div class="panel-header">
                <h2>{format!("How should Portcullis sign in to {}?", provider.name)}</h2>
                <button type="button" class="link-button" on:click=move |_| back.set(None)>"← Change provider"</button>
            </div>
            <p class="muted">"Methods enable different jobs. If unsure, check the provider's integration documentation."</p>
            <div class="choice-list" id="methods">
                {provider.methods.iter().filter(|m| supports(m, job_type)).map(|m| view! {
                    <button type="button" class="choice choice-wide" data-method=m.code on:click=move |_| method.set(Some(m))>
                        <strong>{m.name}</strong>
                        <span class="chip">{kind_label(m.kind)}</span>
                        <span class="muted small">"Enables: " {jobs_line(m)}</span>
                    </button>
                }).collect_view()}
            </div>
        </section>
    }
}

/// One configuration field's input: secrets are password inputs, a key file a text area.
#[component]
fn ConfigInput(
    field: &'static Field,
    config: RwSignal<BTreeMap<String, String>>,
    message: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("config-{}", field.key);
    let set = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        config.update(|c| {
            if v.is_empty() {
                c.remove(field.key);
            } else {
                c.insert(field.key.to_owned(), v);
            }
        });
    };
    let hint = match (field.secret, field.rule) {
        (_, Rule::Prefix(p)) => Some(format!("Starts with {p}")),
        (_, Rule::OneOf(values)) => Some(format!("One of: {}", values.join(", "))),
        (true, _) => Some("Write-only: stored encrypted and never shown again.".to_owned()),
        _ => None,
    };
    let input = match (field.rule, field.secret) {
        (Rule::ServiceAccountJson, _) => view! {
            <textarea id=id.clone() name=field.key rows="6" class="mono" on:input=set
                aria-invalid=move || message.get().is_some().to_string() placeholder="Paste the key file (JSON)"></textarea>
        }.into_any(),
        (Rule::OneOf(values), _) => view! {
            <select id=id.clone() name=field.key on:change=set>
                <option value="">"Choose…"</option>
                {values.iter().map(|v| view! { <option value=*v>{*v}</option> }).collect_view()}
            </select>
        }.into_any(),
        (_, secret) => view! {
            <input id=id.clone() name=field.key type=if secret { "password" } else { "text" } autocomplete="off"
                aria-invalid=move || message.get().is_some().to_string() on:input=set/>
        }.into_any(),
    };
    view! {
        <div class="field" data-field=field.key>
            <label for=id.clone()>{field.label}{(!field.required).then_some(" (optional)")}</label>
            {input}
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <FieldError for_field=id message=message/>
        </div>
    }
}

#[component]
fn Configure(
    provider: &'static Provider,
    method: &'static Method,
    back: RwSignal<Option<&'static Method>>,
) -> impl IntoView {
    let label = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let config = RwSignal::new(BTreeMap::<String, String>::new());
    let submitted = RwSignal::new(false);
    let server_error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    // Core's verdict on the whole form, shown once the person has tried to save.
    let problem = Memo::new(move |_| {
        if let Some(e) = server_error.get() {
            return Some(e.0);
        }
        if !submitted.get() {
            return None;
        }
        check_all(method, &label.get(), &description.get(), &config.get()).err()
    });
    let message_for = move |field: &'static str| {
        Signal::derive(move || {
            problem
                .get()
                .filter(|p| p.field.as_deref() == Some(field))
                .map(|p| p.message)
        })
    };
    let general = move || {
        problem.get().and_then(|p| {
            let named = p.field.as_deref().is_some_and(|f| {
                f == "label" || f == "description" || method.fields.iter().any(|x| x.key == f)
            });
            (!named).then_some(p.message)
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        server_error.set(None);
        let (l, d, c) = (
            label.get_untracked(),
            description.get_untracked(),
            config.get_untracked(),
        );
        if check_all(method, &l, &d, &c).is_err() {
            return;
        }
        busy.set(true);
        let json = serde_json::to_string(&c).unwrap_or_default();
        spawn_local(async move {
            let made =
                create_authorization(provider.code.to_owned(), method.code.to_owned(), l, d, json)
                    .await;
            let next = match made {
                Ok(id) if method.kind == MethodKind::OAuth => start_oauth(id).await,
                Ok(id) => Ok(format!("/security/authorizations/{id}?created=1")),
                Err(e) => Err(e),
            };
            match next {
                Ok(url) => hard_navigate(&url),
                Err(e) => {
                    busy.set(false);
                    server_error.set(Some(e));
                }
            }
        });
    };
    view! {
        <section class="panel">
            <div class="panel-header">
                <h2>{format!("{} · {}", provider.name, method.name)}</h2>
                <button type="button" class="link-button" on:click=move |_| back.set(None)>"← Change method"</button>
            </div>
            <form class="form wizard-form" on:submit=submit novalidate>
                <div class="alert alert-error" role="alert" hidden=move || general().is_none()>{general}</div>
                <div class="field">
                    <label for="auth-label">"Label"</label>
                    <input id="auth-label" name="label" autocomplete="off" placeholder="Newsletter sending (production)"
                        aria-invalid=move || message_for("label").get().is_some().to_string()
                        on:input=move |ev| label.set(event_target_value(&ev))/>
                    <FieldError for_field="label" message=message_for("label")/>
                </div>
                <div class="field">
                    <label for="auth-description">"Description (optional)"</label>
                    <input id="auth-description" name="description" autocomplete="off"
                        placeholder="Tells this authorization apart from others of the same provider"
                        on:input=move |ev| description.set(event_target_value(&ev))/>
                    <FieldError for_field="description" message=message_for("description")/>
                </div>
                <fieldset class="config-fields">
                    <legend>"Configuration"</legend>
                    {method.fields.iter().map(|f| view! {
                        <ConfigInput field=f config=config message=message_for(f.key)/>
                    }).collect_view()}
                    {(method.kind == MethodKind::OAuth).then(|| view! {
                        <p class="hint">"After saving you continue to the provider to grant access; the tokens it returns are stored encrypted."</p>
                    })}
                </fieldset>
                <div class="dialog-actions">
                    <a class="button button-secondary" href="/security/authorizations">"Cancel"</a>
                    <button type="submit" class="button button-primary" id="save-authorization" disabled=move || busy.get()>
                        {move || match (busy.get(), method.kind == MethodKind::OAuth) {
                            (true, _) => "Saving…",
                            (false, true) => "Save and connect",
                            (false, false) => "Save authorization",
                        }}
                    </button>
                </div>
            </form>
        </section>
    }
}
