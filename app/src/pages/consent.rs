//! The consent screen: installing an app on the current tenant, or on an agency the viewer
//! administers (`?agency=`), lists exactly what Allow grants there, each with the app's reason;
//! Cancel grants nothing.

use crate::api::{install_app, load_consent};
use crate::components::browser::{hard_navigate, ClientOnly};
use crate::components::problem::ProblemPanel;
use crate::model::Consent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Apps › Install.
#[component]
pub fn ConsentPage() -> impl IntoView {
    let app_id = move || use_params_map().with(|p| p.get("app_id").unwrap_or_default());
    let agency = move || use_query_map().with(|q| q.get("agency"));
    let consent = LocalResource::new(move || load_consent(app_id(), agency()));
    view! {
        <Title text="Install an app"/>
        <ClientOnly><Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match consent.await {
                    Ok(c) => view! { <ConsentScreen consent=c/> }.into_any(),
                    Err(e) => view! {
                        <div class="page-header"><div><h1>"Install an app"</h1></div></div>
                        <ProblemPanel error=e/>
                    }.into_any(),
                }
            })}
        </Transition></ClientOnly>
    }
}

#[component]
fn ConsentScreen(consent: Consent) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let app_id = StoredValue::new(consent.app_id.to_string());
    let agency_id = StoredValue::new(consent.agency_id.as_ref().map(|a| a.to_string()));
    let base = format!("/apps/install/{}", consent.app_id);
    let on_agency = consent.agency_id.is_some();
    let scope = if on_agency { "agency" } else { "tenant" };
    let allow = move |_| {
        busy.set(true);
        spawn_local(async move {
            match install_app(app_id.get_value(), agency_id.get_value()).await {
                Ok(_) => hard_navigate("/apps?installed=1"),
                Err(e) => {
                    error.set(Some(e.0.message));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <div class="page-header">
            <div>
                <h1>{format!("Install {} on {}?", consent.app_name, consent.target_name)}</h1>
                <p class="muted">{format!("By {}. {}", consent.developer, consent.description)}</p>
            </div>
        </div>
        {(!consent.agencies.is_empty()).then(|| view! {
            <nav class="tabs" aria-label="Install on" id="install-targets">
                {consent.tenant_installable.then(|| view! { <a href=base.clone() class:active=!on_agency>"This tenant"</a> })}
                {consent.agencies.iter().map(|(id, name)| {
                    let active = consent.agency_id.as_ref() == Some(id);
                    view! { <a href=format!("{base}?agency={id}") class:active=active data-agency=id.to_string()>{format!("{name} (agency)")}</a> }
                }).collect_view()}
            </nav>
        })}
        <section class="panel consent" id="consent">
            {if consent.installed {
                view! { <p class="alert alert-info">"This app is already installed here. Its pending requests, if any, are approved on the Apps page."</p> }.into_any()
            } else if consent.grants.is_empty() {
                view! { <p><strong>{format!("This app asks for no permissions on an {scope}.")}</strong>" Installing it lets its bots do nothing here."</p> }.into_any()
            } else {
                view! {
                    <p><strong>{format!("Allow grants its bots exactly this, on this {scope} only:")}</strong></p>
                    <ul class="consent-list">
                        {consent.grants.iter().map(|g| view! {
                            <li data-permission=g.permission.code()>
                                <code>{g.permission.code()}</code>" — "{g.permission.description()}
                                <br/><span class="muted small">{format!("Why: {}", g.why)}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <p class="field-error" role="alert" hidden=move || error.get().is_none()>{move || error.get()}</p>
            <div class="dialog-actions">
                <a class="button button-secondary" href="/apps" id="consent-cancel">"Cancel"</a>
                {(!consent.installed).then(|| view! {
                    <button type="button" class="button button-primary" id="consent-allow" disabled=move || busy.get() on:click=allow>"Allow"</button>
                })}
            </div>
        </section>
    }
}
