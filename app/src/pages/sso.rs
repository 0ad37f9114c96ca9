//! Users & Activity › SSO: the tenant's OpenID Connect provider, its group mappings,
//! and the dry run: paste groups (or a sample ID token's claims) and see what a sign-in would
//! give, add and remove, computed by core's `plan_sign_in`, the function the server applies.

use crate::api::{
    add_sso_mapping, load_directory, load_sso_settings, remove_sso_mapping, save_sso_provider,
    sso_user_assignments,
};
use crate::components::browser::ClientOnly;
use crate::components::field::{field_message, FieldError};
use crate::components::problem::ProblemPanel;
use crate::components::stale::StaleNotice;
use crate::error::AppError;
use crate::model::{MappingRow, PeopleDirectory, SsoProviderView, SsoSettings};
use crate::pages::users::AreaTabs;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use portcullis_core::edits::rebase_value;
use portcullis_core::people::AssignmentPair;
use portcullis_core::sso::{groups_from_paste, no_access_reason, plan_sign_in, SignInPlan};
use std::collections::BTreeSet;

/// The SSO page.
#[component]
pub fn SsoPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let data = LocalResource::new(move || {
        version.get();
        async move {
            let settings = load_sso_settings().await?;
            let directory = load_directory().await?;
            Ok::<_, AppError>((settings, directory))
        }
    });
    view! {
        <Title text="SSO"/>
        <div class="page-header">
            <div>
                <h1>"Users & Activity"</h1>
                <p class="muted">"Single sign-on through your identity provider; its groups decide each person's access at every sign-in."</p>
            </div>
        </div>
        <AreaTabs/>
        <ClientOnly><Transition fallback=|| view! { <p class="muted">"Loading SSO settings…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((settings, directory)) => view! { <SsoPanels settings=settings directory=directory version=version/> }.into_any(),
                    Err(e) => view! { <ProblemPanel error=e/> }.into_any(),
                }
            })}
        </Transition></ClientOnly>
    }
}

#[component]
fn SsoPanels(
    settings: SsoSettings,
    directory: PeopleDirectory,
    version: RwSignal<u32>,
) -> impl IntoView {
    let mappings = settings.mappings.clone();
    view! {
        <ProviderPanel settings=settings.clone() version=version/>
        <MappingsPanel mappings=settings.mappings directory=directory.clone() version=version/>
        <DryRunPanel mappings=mappings directory=directory
            claim=settings.provider.map(|p| p.groups_claim).unwrap_or_else(|| "groups".to_owned())/>
    }
}

#[component]
fn ProviderPanel(settings: SsoSettings, version: RwSignal<u32>) -> impl IntoView {
    let p = settings.provider.clone();
    let issuer = RwSignal::new(p.as_ref().map(|p| p.issuer.clone()).unwrap_or_default());
    let client_id = RwSignal::new(p.as_ref().map(|p| p.client_id.clone()).unwrap_or_default());
    let secret = RwSignal::new(String::new());
    let claim = RwSignal::new(
        p.as_ref()
            .map_or("groups".to_owned(), |p| p.groups_claim.clone()),
    );
    let domains = RwSignal::new(p.as_ref().map(|p| p.domains.join(", ")).unwrap_or_default());
    let error = RwSignal::new(None::<AppError>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let configured = p.is_some();
    // What the form opened: a stale save re-applies the person's changes from here.
    let base = StoredValue::new(p);
    let stale = RwSignal::new(None::<Vec<String>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let opened = base.get_value();
        spawn_local(async move {
            let mine = [
                issuer.get_untracked(),
                client_id.get_untracked(),
                claim.get_untracked(),
                domains.get_untracked(),
            ];
            match save_sso_provider(
                mine[0].clone(),
                mine[1].clone(),
                secret.get_untracked(),
                mine[2].clone(),
                mine[3].clone(),
                opened.as_ref().map_or(0, |p| p.version),
            )
            .await
            {
                Ok(()) => {
                    saved.set(true);
                    version.update(|v| *v += 1);
                }
                Err(e) if e.is_stale() => match load_sso_settings().await {
                    Ok(now) => {
                        let fields = |p: &Option<SsoProviderView>| match p {
                            Some(p) => [
                                p.issuer.clone(),
                                p.client_id.clone(),
                                p.groups_claim.clone(),
                                p.domains.join(", "),
                            ],
                            None => Default::default(),
                        };
                        let (was, is) = (fields(&opened), fields(&now.provider));
                        let labels = ["Issuer", "Client id", "Groups claim", "Domains"];
                        stale.set(Some(
                            (0..4)
                                .filter(|&i| was[i] != is[i])
                                .map(|i| format!("{} changed to {}", labels[i], is[i]))
                                .collect(),
                        ));
                        for (i, field) in
                            [issuer, client_id, claim, domains].into_iter().enumerate()
                        {
                            field.set(rebase_value(&was[i], &mine[i], &is[i]));
                        }
                        base.set_value(now.provider);
                    }
                    Err(e) => error.set(Some(e)),
                },
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let general = move || {
        error.get().and_then(|e| {
            e.general_message(&[
                "issuer",
                "client_id",
                "client_secret",
                "groups_claim",
                "domains",
            ])
        })
    };
    let input = |id: &'static str,
                 label: &'static str,
                 value: RwSignal<String>,
                 kind: &'static str,
                 hint: &'static str| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type=kind autocomplete="off" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                <p class="hint">{hint}</p>
            </div>
        }
    };
    view! {
        <section class="panel" id="sso-provider">
            <div class="panel-header">
                <h2>"Identity provider (OpenID Connect)"</h2>
                {if configured { view! { <span class="status status-ok">"Configured"</span> }.into_any() } else { view! { <span class="status status-pending">"Not set up"</span> }.into_any() }}
            </div>
            <div class="alert alert-ok" role="status" hidden=move || !saved.get()>"Saved. The provider's discovery document was read."</div>
            <form class="form wizard-form" on:submit=submit>
                <div class="alert alert-error" role="alert" hidden=move || general().is_none()>{general}</div>
                <StaleNotice changes=stale/>
                {input("sso-issuer", "Issuer URL", issuer, "url", "Its discovery document is read from /.well-known/openid-configuration.")}
                <FieldError for_field="issuer" message=field_message(error, "issuer")/>
                {input("sso-client-id", "Client ID", client_id, "text", "The client this console is registered as at the provider.")}
                <FieldError for_field="client_id" message=field_message(error, "client_id")/>
                {input("sso-client-secret", "Client secret", secret, "password",
                    if configured { "Stored encrypted and never shown. Leave blank to keep it." } else { "Stored encrypted and never shown again." })}
                <FieldError for_field="client_secret" message=field_message(error, "client_secret")/>
                {input("sso-claim", "Groups claim", claim, "text", "The ID-token claim that lists the person's groups.")}
                <FieldError for_field="groups_claim" message=field_message(error, "groups_claim")/>
                {input("sso-domains", "Email domains", domains, "text", "People of these domains sign in here (allowlisted domains only), comma-separated.")}
                <FieldError for_field="domains" message=field_message(error, "domains")/>
                <div class="dialog-actions">
                    <button type="submit" class="button button-primary" id="save-sso" disabled=move || busy.get()>
                        {move || if busy.get() { "Checking the provider…" } else { "Save provider" }}
                    </button>
                </div>
            </form>
            <p class="hint">"Tenant sign-in link: " <code id="sso-link">{settings.sign_in_link.clone()}</code></p>
        </section>
    }
}

#[component]
fn MappingsPanel(
    mappings: Vec<MappingRow>,
    directory: PeopleDirectory,
    version: RwSignal<u32>,
) -> impl IntoView {
    let group = RwSignal::new(String::new());
    let (first_policy, first_group) = directory.first_pair_ids();
    let policy = RwSignal::new(first_policy);
    let resource_group = RwSignal::new(first_group);
    let error = RwSignal::new(None::<AppError>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        spawn_local(async move {
            match add_sso_mapping(
                group.get_untracked(),
                policy.get_untracked(),
                resource_group.get_untracked(),
            )
            .await
            {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let empty = mappings.is_empty();
    view! {
        <section class="panel" id="sso-mappings">
            <h2>"Group mappings"</h2>
            <p class="muted">"At every SSO sign-in a person's SSO access becomes exactly what their groups map to now: new groups add access, lost groups remove it. Access given by hand stays. A person with no mapped group gets no access."</p>
            <table class="data-table compact">
                <thead><tr><th scope="col">"IdP group"</th><th scope="col">"Policy"</th><th scope="col">"Resource group"</th><th scope="col"></th></tr></thead>
                <tbody>
                    {empty.then(|| view! { <tr><td colspan="4" class="empty-cell">"No mappings yet: nobody signing in through SSO gets access."</td></tr> })}
                    {mappings.into_iter().map(|m| {
                        let (g, p, r) = (m.mapping.idp_group.clone(), m.mapping.pair.0.to_string(), m.mapping.pair.1.to_string());
                        view! {
                            <tr data-mapping=m.mapping.idp_group.clone()>
                                <td><code>{m.mapping.idp_group.clone()}</code></td>
                                <td>{m.policy.clone()}</td>
                                <td>{m.group.clone()}</td>
                                <td class="row-actions"><button type="button" class="link-button danger" on:click=move |_| {
                                    let (g, p, r) = (g.clone(), p.clone(), r.clone());
                                    spawn_local(async move {
                                        match remove_sso_mapping(g, p, r).await {
                                            Ok(()) => version.update(|v| *v += 1),
                                            Err(e) => error.set(Some(e)),
                                        }
                                    });
                                }>"Remove"</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <form class="field-row mapping-form" on:submit=add>
                <input id="mapping-group" placeholder="IdP group, e.g. analysts" aria-label="IdP group" on:input=move |ev| group.set(event_target_value(&ev))/>
                <select id="mapping-policy" aria-label="Policy" on:change=move |ev| policy.set(event_target_value(&ev))>
                    {directory.policies.iter().map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> }).collect_view()}
                </select>
                <select id="mapping-resource-group" aria-label="Resource group" on:change=move |ev| resource_group.set(event_target_value(&ev))>
                    {directory.groups.iter().map(|g| view! { <option value=g.id.to_string()>{g.name.clone()}</option> }).collect_view()}
                </select>
                <button type="submit" class="button button-secondary" id="add-mapping">"Add mapping"</button>
            </form>
            <p class="field-error" role="alert" hidden=move || error.get().is_none()>{move || error.get().map(|e| e.0.message)}</p>
        </section>
    }
}

/// The dry run: what a sign-in with these groups would do, before anyone signs in.
#[component]
fn DryRunPanel(
    mappings: Vec<MappingRow>,
    directory: PeopleDirectory,
    claim: String,
) -> impl IntoView {
    let pasted = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let result =
        RwSignal::new(None::<Result<(SignInPlan, Vec<String>, BTreeSet<AssignmentPair>), String>>);
    let mappings = StoredValue::new(mappings.into_iter().map(|m| m.mapping).collect::<Vec<_>>());
    let claim = StoredValue::new(claim);
    let run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let groups = match groups_from_paste(&pasted.get_untracked(), &claim.get_value()) {
            Ok(g) => g,
            Err(p) => return result.set(Some(Err(p.message))),
        };
        let who = email.get_untracked();
        spawn_local(async move {
            let (sso, manual) = if who.trim().is_empty() {
                (BTreeSet::new(), BTreeSet::new())
            } else {
                match sso_user_assignments(who).await {
                    Ok(a) => (a.sso.into_iter().collect(), a.manual.into_iter().collect()),
                    Err(e) => return result.set(Some(Err(e.0.message))),
                }
            };
            let plan = plan_sign_in(&mappings.get_value(), &groups, &sso, &manual);
            result.set(Some(Ok((plan, groups, manual))));
        });
    };
    let directory = StoredValue::new(directory);
    let list = move |pairs: &BTreeSet<AssignmentPair>| -> Vec<String> {
        pairs
            .iter()
            .map(|p| directory.with_value(|d| d.describe(p)))
            .collect()
    };
    view! {
        <section class="panel" id="sso-dry-run">
            <h2>"Dry run"</h2>
            <p class="muted">"Paste group names (one per line or comma-separated) or the claims of a sample ID token, and optionally a member's email to see what would be added and removed for them. Nothing is stored."</p>
            <form class="form" on:submit=run>
                <div class="field">
                    <label for="dry-groups">"Groups or ID-token claims"</label>
                    <textarea id="dry-groups" rows="4" class="mono" placeholder="analysts\nbrand-a" on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
                </div>
                <div class="field">
                    <label for="dry-email">"Existing member (optional)"</label>
                    <input id="dry-email" type="email" placeholder="person@acme.example" on:input=move |ev| email.set(event_target_value(&ev))/>
                </div>
                <div class="dialog-actions"><button type="submit" class="button button-secondary" id="run-dry-run">"Show what a sign-in would do"</button></div>
            </form>
            {move || result.get().map(|r| match r {
                Err(message) => view! { <p class="field-error" role="alert">{message}</p> }.into_any(),
                Ok((plan, groups, manual)) => view! {
                    <div class="dry-run-result" id="dry-run-result">
                        {plan.no_access.then(|| view! { <div class="alert alert-error">{format!("No access: {}", no_access_reason(&groups))}</div> })}
                        <dl class="facts">
                            <div><dt>"Gives"</dt><dd>{list(&plan.desired).join("; ")}</dd></div>
                            <div><dt>"Adds"</dt><dd class="dry-add">{list(&plan.add).join("; ")}</dd></div>
                            <div><dt>"Removes"</dt><dd class="dry-remove">{list(&plan.remove).join("; ")}</dd></div>
                            <div><dt>"Kept (given by hand)"</dt><dd>{list(&manual).join("; ")}</dd></div>
                            <div><dt>"Unmapped groups"</dt><dd>{plan.unmapped.join(", ")}</dd></div>
                        </dl>
                    </div>
                }.into_any(),
            })}
        </section>
    }
}
