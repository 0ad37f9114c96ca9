//! The access panels of Users & Activity: resource groups, policies, the domain
//! allowlist and its requests, and the operators' outbox of unsent mail.

use crate::api::{
    create_group, create_policy, delete_group, load_domain_requests, load_outbox, request_domain,
    review_domain,
};
use crate::components::browser::ClientOnly;
use crate::components::dialog::{Asking, ConfirmDialog, Dialog, FormActions};
use crate::components::field::{field_message, FieldError};
use crate::components::problem::ProblemPanel;
use crate::error::AppError;
use crate::model::{DomainRequestRow, GroupRow, PolicyRow};
use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_core::actions::{Action, Scope};
use portcullis_core::decide::Decision;
use portcullis_core::people::{check_domain, check_reason, parse_policy_actions, RequestStatus};
use portcullis_core::time_text;

/// Resource groups with what uses them; custom ones can be added and, when unused, deleted.
#[component]
pub fn GroupsPanel(
    groups: Vec<GroupRow>,
    can_manage: Decision,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let adding = RwSignal::new(false);
    let deleting = RwSignal::new(None::<GroupRow>);
    let allowed = can_manage.allowed;
    let why = if allowed {
        String::new()
    } else {
        can_manage.reason.explain()
    };
    view! {
        <section class="panel" id="groups-panel">
            <div class="panel-header">
                <h2>"Resource groups"</h2>
                <button type="button" class="button button-secondary" disabled=!allowed title=why
                    on:click=move |_| adding.set(true)>"Add resource group"</button>
            </div>
            <table class="data-table">
                <thead><tr><th>"Name"</th><th>"Databases"</th><th class="num">"Users"</th><th></th></tr></thead>
                <tbody>
                    {groups.into_iter().map(|g| {
                        let dbs = if g.builtin { "every database".to_owned() } else if g.databases.is_empty() { "none yet".to_owned() } else { g.databases.join(", ") };
                        let row = g.clone();
                        view! {
                            <tr>
                                <td><strong>{g.name.clone()}</strong>
                                    {g.builtin.then(|| view! { <span class="badge">"built in"</span> })}
                                    <div class="muted small">{g.description.clone()}</div></td>
                                <td>{dbs}</td>
                                <td class="num">{g.users}</td>
                                <td class="row-actions">
                                    {(allowed && !g.builtin).then(|| view! {
                                        <button type="button" class="link-button danger" on:click=move |_| deleting.set(Some(row.clone()))>"Delete"</button>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || adding.get()>
                <NewGroupDialog on_close=Callback::new(move |_| adding.set(false))
                    on_done=Callback::new(move |_| { adding.set(false); refresh.update(|v| *v += 1); })/>
            </Show>
            {move || deleting.get().map(|g| view! {
                <DeleteGroupDialog group=g on_close=Callback::new(move |_| deleting.set(None))
                    on_done=Callback::new(move |_| { deleting.set(None); refresh.update(|v| *v += 1); })/>
            })}
        </section>
    }
}

#[component]
fn NewGroupDialog(on_close: Callback<()>, on_done: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        spawn_local(async move {
            match create_group(name.get_untracked(), description.get_untracked()).await {
                Ok(_) => on_done.run(()),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let name_message = field_message(error, "name");
    let description_message = field_message(error, "description");
    let general = move || {
        error
            .get()
            .and_then(|e| e.general_message(&["name", "description"]))
    };
    view! {
        <Dialog title="Add resource group".to_owned() on_close=on_close>
            <form class="form" on:submit=submit>
                <div class="alert alert-error" role="alert" hidden=move || general().is_none()>{general}</div>
                <div class="field">
                    <label for="group-name">"Name"</label>
                    <input id="group-name" required placeholder="Brand C: Eastwind" on:input=move |ev| name.set(event_target_value(&ev))/>
                    <FieldError for_field="name" message=name_message/>
                </div>
                <div class="field">
                    <label for="group-description">"Description"</label>
                    <textarea id="group-description" rows="2" on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                    <FieldError for_field="description" message=description_message/>
                </div>
                <FormActions on_close=on_close busy=busy/>
            </form>
        </Dialog>
    }
}

#[component]
fn DeleteGroupDialog(
    group: GroupRow,
    on_close: Callback<()>,
    on_done: Callback<()>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id = group.id.to_string();
    let confirm = Callback::new(move |_| {
        busy.set(true);
        let id = id.clone();
        spawn_local(async move {
            match delete_group(id).await {
                Ok(()) => on_done.run(()),
                Err(e) => {
                    let blockers: Vec<String> =
                        e.0.blockers
                            .iter()
                            .map(|b| format!("{} ({})", b.name, b.kind))
                            .collect();
                    let text = if blockers.is_empty() {
                        e.0.message
                    } else {
                        format!("{} In use by: {}.", e.0.message, blockers.join("; "))
                    };
                    error.set(Some(text));
                }
            }
            busy.set(false);
        });
    });
    view! {
        <ConfirmDialog title="Delete resource group".to_owned()
            message=format!("Delete {}? People and databases must be moved off it first.", group.name)
            confirm_label="Delete group".to_owned() on_confirm=confirm on_close=on_close busy=busy error=error/>
    }
}

/// Policies: what each allows and how many people hold it; custom ones can be added.
#[component]
pub fn PoliciesPanel(
    policies: Vec<PolicyRow>,
    can_manage: Decision,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let adding = RwSignal::new(false);
    let allowed = can_manage.allowed;
    let why = if allowed {
        String::new()
    } else {
        can_manage.reason.explain()
    };
    view! {
        <section class="panel" id="policies-panel">
            <div class="panel-header">
                <h2>"Policies"</h2>
                <button type="button" class="button button-secondary" disabled=!allowed title=why
                    on:click=move |_| adding.set(true)>"Add policy"</button>
            </div>
            <Show when=move || adding.get()>
                <NewPolicyDialog on_close=Callback::new(move |_| adding.set(false))
                    on_done=Callback::new(move |_| { adding.set(false); refresh.update(|v| *v += 1); })/>
            </Show>
            <table class="data-table">
                <thead><tr><th>"Name"</th><th>"Allows"</th><th class="num">"Users"</th></tr></thead>
                <tbody>
                    {policies.into_iter().map(|p| {
                        let count = p.actions.len();
                        let labels: Vec<&'static str> = p.actions.iter().map(|a| a.label()).collect();
                        view! {
                            <tr>
                                <td><strong>{p.name.clone()}</strong>
                                    {p.builtin.then(|| view! { <span class="badge">"built in"</span> })}
                                    <div class="muted small">{p.description.clone()}</div></td>
                                <td><details><summary>{format!("{count} actions")}</summary>
                                    <ul class="compact-list">{labels.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                                </details></td>
                                <td class="num">{p.users}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn NewPolicyDialog(on_close: Callback<()>, on_done: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let chosen = RwSignal::new(std::collections::BTreeSet::<Action>::new());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let codes: Vec<&str> = chosen.get_untracked().iter().map(|a| a.code()).collect();
        let codes = codes.join(" ");
        // Core's rule first: at least one action, all of them in the catalog.
        if let Err(p) = parse_policy_actions(&codes) {
            error.set(Some(AppError(p)));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match create_policy(name.get_untracked(), description.get_untracked(), codes).await {
                Ok(_) => on_done.run(()),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let general = move || {
        error
            .get()
            .and_then(|e| e.general_message(&["name", "description", "actions"]))
    };
    let scopes = [
        (Scope::Tenant, "Across the tenant"),
        (
            Scope::Database,
            "On the databases of the assignment's resource group",
        ),
        (Scope::AllData, "Only with All resource groups"),
    ];
    view! {
        <Dialog title="Add policy".to_owned() on_close=on_close wide=true>
            <form class="form" on:submit=submit>
                <div class="alert alert-error" role="alert" hidden=move || general().is_none()>{general}</div>
                <div class="field">
                    <label for="policy-name">"Name"</label>
                    <input id="policy-name" required placeholder="Campaign Designer" on:input=move |ev| name.set(event_target_value(&ev))/>
                    <FieldError for_field="name" message=field_message(error, "name")/>
                </div>
                <div class="field">
                    <label for="policy-description">"Description"</label>
                    <textarea id="policy-description" rows="2" on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                    <FieldError for_field="description" message=field_message(error, "description")/>
                </div>
                {scopes.into_iter().map(|(scope, heading)| view! {
                    <fieldset class="assignments">
                        <legend>{heading}</legend>
                        <div class="action-grid">
                            {Action::ALL.iter().copied().filter(|a| a.scope() == scope).map(|a| view! {
                                <label class="checkbox">
                                    <input type="checkbox" value=a.code()
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            chosen.update(|set| { if on { set.insert(a); } else { set.remove(&a); } });
                                        }/>
                                    {a.label()}
                                </label>
                            }).collect_view()}
                        </div>
                    </fieldset>
                }).collect_view()}
                <FieldError for_field="actions" message=field_message(error, "actions")/>
                <FormActions on_close=on_close busy=busy/>
            </form>
        </Dialog>
    }
}

/// The allowlist and the requests to extend it; operators approve or reject here.
#[component]
pub fn DomainsPanel(domains: Vec<String>, operator: bool, can_request: bool) -> impl IntoView {
    let version = RwSignal::new(0u32);
    // Loaded in the browser, like every list nested under a page's own suspense.
    let requests = LocalResource::new(move || {
        version.track();
        load_domain_requests()
    });
    let asking = RwSignal::new(false);
    let heading = if operator {
        "Domain requests (all tenants)"
    } else {
        "Your domain requests"
    };
    view! {
        <section class="panel" id="domains-panel">
            <div class="panel-header">
                <h2>"Allowed email domains"</h2>
                <button type="button" class="button button-secondary" disabled=!can_request on:click=move |_| asking.set(true)>"Request a domain"</button>
            </div>
            <p class="chips">{domains.into_iter().map(|d| view! { <span class="chip">{d}</span> }).collect_view()}</p>
            <h3>{heading}</h3>
            <ClientOnly><Transition fallback=|| view! { <p class="muted">"Loading requests…"</p> }>
                {move || Suspend::new(async move {
                    match requests.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No requests yet."</p> }.into_any(),
                        Ok(list) => view! { <RequestsTable list=list operator=operator version=version/> }.into_any(),
                        Err(e) => view! { <ProblemPanel error=e/> }.into_any(),
                    }
                })}
            </Transition></ClientOnly>
            <Show when=move || asking.get()>
                <RequestDomainDialog domain=String::new() on_close=Callback::new(move |_| asking.set(false))
                    on_done=Callback::new(move |_| { asking.set(false); version.update(|v| *v += 1); })/>
            </Show>
        </section>
    }
}

#[component]
fn RequestsTable(
    list: Vec<DomainRequestRow>,
    operator: bool,
    version: RwSignal<u32>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let review = move |id: String, approve: bool| {
        spawn_local(async move {
            match review_domain(id, approve).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e.0.message)),
            }
        });
    };
    // Approving reaches every tenant on the platform, so it is asked about first.
    let approving = Asking::<(String, String)>::new();
    let approve = Callback::new(move |_| {
        approving.run(
            |(id, _)| review_domain(id, true),
            move || version.update(|v| *v += 1),
        )
    });
    view! {
        <div class="alert alert-error" role="alert" hidden=move || error.get().is_none()>{move || error.get()}</div>
        {move || approving.about.get().map(|(_, domain)| view! {
            <ConfirmDialog title=format!("Allow {domain} everywhere?")
                message=format!("People whose email address ends in @{domain} can then be added to every tenant on the platform by its user administrators.")
                confirm_label="Approve domain".to_owned() on_confirm=approve
                on_close=Callback::new(move |_| approving.cancel())
                busy=approving.busy error=approving.error/>
        })}
        <table class="data-table" id="domain-requests">
            <thead><tr><th>"Domain"</th><th>"Reason"</th><th>"Requested by"</th><th>"Status"</th><th></th></tr></thead>
            <tbody>
                {list.into_iter().map(|r| {
                    let (status_class, status) = match r.status {
                        RequestStatus::Pending => ("status status-pending", "Pending"),
                        RequestStatus::Approved => ("status status-ok", "Approved"),
                        RequestStatus::Rejected => ("status status-bad", "Rejected"),
                    };
                    let decided = r.decided_by.clone().map(|d| format!("by {d}"));
                    let pending = r.status == RequestStatus::Pending;
                    let (a, b) = ((r.id.clone(), r.domain.clone()), r.id.clone());
                    view! {
                        <tr data-domain=r.domain.clone()>
                            <td><strong>{r.domain.clone()}</strong></td>
                            <td>{r.reason.clone()}</td>
                            <td>{r.requested_by.clone()}<div class="muted small">{r.tenant.clone()}</div></td>
                            <td><span class=status_class>{status}</span><div class="muted small">{decided}</div>
                                {r.sso_claimed_by.clone().map(|t| view! { <div class="muted small">{format!("SSO: signed in through {t}'s provider")}</div> })}</td>
                            <td class="row-actions">
                                {(operator && pending).then(|| view! {
                                    <button type="button" class="link-button" on:click=move |_| approving.about.set(Some(a.clone()))>"Approve"</button>
                                    <button type="button" class="link-button danger" on:click=move |_| review(b.clone(), false)>"Reject"</button>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Asks operators to allowlist a domain, with a reason.
#[component]
pub fn RequestDomainDialog(
    domain: String,
    on_close: Callback<()>,
    on_done: Callback<String>,
) -> impl IntoView {
    let value = RwSignal::new(domain.clone());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // The same rules the server applies, before anything is sent.
        if let Err(p) =
            check_domain(&value.get_untracked()).and_then(|_| check_reason(&reason.get_untracked()))
        {
            error.set(Some(AppError(p)));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let d = value.get_untracked();
            match request_domain(d.clone(), reason.get_untracked()).await {
                Ok(()) => on_done.run(format!("Asked the operators to allow {d}; the outcome shows under Allowed email domains.")),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let domain_message = field_message(error, "domain");
    let reason_message = field_message(error, "reason");
    let general = move || {
        error
            .get()
            .and_then(|e| e.general_message(&["domain", "reason"]))
    };
    view! {
        <Dialog title="Request to allowlist a domain".to_owned() on_close=on_close>
            <form class="form" on:submit=submit>
                <div class="alert alert-error" role="alert" hidden=move || general().is_none()>{general}</div>
                <div class="field">
                    <label for="request-domain">"Domain"</label>
                    <input id="request-domain" prop:value=move || value.get() placeholder="partner.example" on:input=move |ev| value.set(event_target_value(&ev))/>
                    <FieldError for_field="domain" message=domain_message/>
                </div>
                <div class="field">
                    <label for="request-reason">"Why should it be allowed?"</label>
                    <textarea id="request-reason" rows="3" on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    <FieldError for_field="reason" message=reason_message/>
                </div>
                <FormActions on_close=on_close busy=busy label="Send"/>
            </form>
        </Dialog>
    }
}

/// Mail kept because no SMTP server is configured (operators only).
#[component]
pub fn OutboxPanel() -> impl IntoView {
    let mail = LocalResource::new(load_outbox);
    view! {
        <section class="panel" id="outbox-panel">
            <div class="panel-header"><h2>"Outbox"</h2><span class="muted small">"Sent through the mail server once one is configured; kept here either way"</span></div>
            <ClientOnly><Transition fallback=|| view! { <p class="muted">"Loading the outbox…"</p> }>
                {move || Suspend::new(async move {
                    match mail.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No mail yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="data-table">
                                <thead><tr><th>"To"</th><th>"Subject"</th><th>"Queued"</th><th>"Delivery"</th></tr></thead>
                                <tbody>{list.into_iter().map(|m| view! {
                                    <tr>
                                        <td>{m.to.clone()}</td>
                                        <td>{if m.body.is_empty() {
                                            view! { <span>{m.subject.clone()}</span><div class="muted small">"Delivered or its link used: the message is no longer kept"</div> }.into_any()
                                        } else {
                                            view! { <details><summary>{m.subject.clone()}</summary><pre class="mail-body">{m.body.clone()}</pre></details> }.into_any()
                                        }}</td>
                                        <td class="muted nowrap">{format!("{} UTC", time_text::minute(&m.created_at))}</td>
                                        <td>{match (m.sent_at, m.last_error.clone()) {
                                            (Some(t), _) => view! { <span class="status status-ok">{format!("sent {} UTC", time_text::clock(&t))}</span> }.into_any(),
                                            (None, Some(e)) => view! { <span class="status status-bad" title=e>"retrying"</span> }.into_any(),
                                            (None, None) => view! { <span class="status status-pending">"waiting"</span> }.into_any(),
                                        }}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <ProblemPanel error=e/> }.into_any(),
                    }
                })}
            </Transition></ClientOnly>
        </section>
    }
}
