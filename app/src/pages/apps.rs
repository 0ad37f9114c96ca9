//! Apps: the caller's applications, what each asks for and why (picked from the
//! catalog or a preset), and their bot tokens: "+ New token" shows the secret once.

use crate::api::{
    approve_install, create_app, create_token, load_apps, load_installs, revoke_token,
    set_app_permissions, uninstall_app,
};
use crate::components::browser::{copy_text, ClientOnly};
use crate::components::dialog::{ConfirmDialog, Dialog, FormActions};
use crate::components::field::{field_message, FieldError};
use crate::components::problem::ProblemPanel;
use crate::components::stale::StaleNotice;
use crate::error::AppError;
use crate::model::{AppRow, NewToken, TokenRow};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use portcullis_core::apps::{
    request_lines, Permission, PermissionRequest, PermissionScope, PRESETS,
};
use portcullis_core::edits::{rebase_set, set_change};
use portcullis_core::time_text;
use std::collections::BTreeMap;

/// Which dialog is open.
#[derive(Debug, Clone, PartialEq)]
enum Open {
    Nothing,
    NewApp,
    Permissions(AppRow),
    NewToken(AppRow),
    Revoke(TokenRow),
}

/// Apps.
#[component]
pub fn AppsPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let open = RwSignal::new(Open::Nothing);
    // The consent screen comes back here after Allow.
    let installed = use_query_map().with_untracked(|q| q.get("installed").is_some());
    let notice = RwSignal::new(
        installed.then(|| "Installed. Its bots can now act here with what you allowed.".to_owned()),
    );
    let apps = LocalResource::new(move || {
        version.get();
        load_apps()
    });
    let close = Callback::new(move |_| open.set(Open::Nothing));
    let changed = Callback::new(move |message: String| {
        open.set(Open::Nothing);
        notice.set(Some(message));
        version.update(|v| *v += 1);
    });
    view! {
        <Title text="Apps"/>
        <div class="page-header">
            <div>
                <h1>"Apps"</h1>
                <p class="muted">"Your applications: the permissions each asks for and why, and the bot tokens that act for it."</p>
            </div>
            <button type="button" class="button button-primary" id="new-app" on:click=move |_| open.set(Open::NewApp)>"New application"</button>
        </div>
        <div class="alert alert-ok" role="status" hidden=move || notice.get().is_none()>{move || notice.get()}</div>
        <ClientOnly><Transition fallback=|| view! { <p class="muted">"Loading apps…"</p> }>
            {move || Suspend::new(async move {
                match apps.await {
                    Ok(list) if list.is_empty() => view! {
                        <section class="panel empty-state">
                            <p><strong>"No applications yet."</strong></p>
                            <p class="muted">"Create one, choose what it may do, then make a token for its bot."</p>
                        </section>
                    }.into_any(),
                    Ok(list) => list.into_iter().map(|a| view! { <AppPanel app=a open=open/> }).collect_view().into_any(),
                    Err(e) => view! { <ProblemPanel error=e/> }.into_any(),
                }
            })}
        </Transition></ClientOnly>
        <ClientOnly><InstalledPanel notice=notice/></ClientOnly>
        {move || match open.get() {
            Open::Nothing => ().into_any(),
            Open::NewApp => view! { <AppDialog app=None on_close=close on_done=changed/> }.into_any(),
            Open::Permissions(app) => view! { <AppDialog app=Some(app) on_close=close on_done=changed/> }.into_any(),
            Open::NewToken(app) => view! { <NewTokenDialog app=app on_close=close on_done=changed/> }.into_any(),
            Open::Revoke(token) => view! { <RevokeDialog token=token on_close=close on_done=changed/> }.into_any(),
        }}
    }
}

#[component]
fn AppPanel(app: AppRow, open: RwSignal<Open>) -> impl IntoView {
    let (for_permissions, for_token) = (app.clone(), app.clone());
    view! {
        <section class="panel" data-app=app.name.clone()>
            <div class="panel-header">
                <div>
                    <h2>{app.name.clone()}</h2>
                    <p class="muted small">{app.description.clone()}</p>
                </div>
                <div class="row-actions">
                    <button type="button" class="button button-secondary" on:click=move |_| open.set(Open::Permissions(for_permissions.clone()))>"Permissions"</button>
                    <button type="button" class="button button-primary" on:click=move |_| open.set(Open::NewToken(for_token.clone()))>"+ New token"</button>
                </div>
            </div>
            <p class="hint">"Install link for an administrator of a tenant: "
                <a class="install-link" href=format!("/apps/install/{}", app.id)>{format!("/apps/install/{}", app.id)}</a></p>
            <h3 class="subhead">"Permissions"</h3>
            {if app.permissions.is_empty() {
                view! { <p class="muted">"This app asks for no permissions yet."</p> }.into_any()
            } else {
                view! {
                    <table class="data-table compact permissions-table">
                        <thead><tr><th scope="col">"Permission"</th><th scope="col">"Why"</th></tr></thead>
                        <tbody>
                            {app.permissions.iter().map(|r| view! {
                                <tr><td><code title=r.permission.description()>{r.permission.code()}</code></td><td>{r.why.clone()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <h3 class="subhead">"Tokens"</h3>
            <table class="data-table compact tokens-table">
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"API token"</th><th scope="col">"Created (UTC)"</th>
                    <th scope="col">"Last used (UTC)"</th><th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {app.tokens.is_empty().then(|| view! {
                        <tr><td colspan="6" class="empty-cell">"No tokens. A token lets the app's bot call the API."</td></tr>
                    })}
                    {app.tokens.into_iter().map(|t| {
                        let when = |d: Option<chrono::DateTime<chrono::Utc>>| d.as_ref().map(time_text::minute);
                        let revoked = t.revoked.is_some();
                        let revoke = t.clone();
                        view! {
                            <tr data-token=t.name.clone()>
                                <td>{t.name.clone()}</td>
                                <td><code>{t.public_token.clone()}</code></td>
                                <td class="nowrap">{when(Some(t.created_at))}</td>
                                <td class="nowrap">{when(t.last_used).unwrap_or_else(|| "never".to_owned())}</td>
                                <td>{if revoked { view! { <span class="status status-bad">"Revoked"</span> }.into_any() } else { view! { <span class="status status-ok">"Active"</span> }.into_any() }}</td>
                                <td class="row-actions">{(!revoked).then(|| view! {
                                    <button type="button" class="link-button danger" on:click=move |_| open.set(Open::Revoke(revoke.clone()))>"Revoke"</button>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// The app as it is now, to re-apply an edit made from an older view of it.
async fn current_app(opened: &AppRow) -> Result<AppRow, AppError> {
    load_apps()
        .await?
        .into_iter()
        .find(|a| a.id == opened.id)
        .ok_or_else(|| AppError(portcullis_core::Problem::not_found("app")))
}

fn permissions_of(app: &AppRow) -> Vec<Permission> {
    app.permissions.iter().map(|r| r.permission).collect()
}

/// What someone else changed in the app's permissions, as sentences.
fn permission_changes(opened: &AppRow, now: &AppRow) -> Vec<String> {
    let change = set_change(&permissions_of(opened), &permissions_of(now));
    let added = change
        .added
        .iter()
        .map(|p| format!("Asked for {}", p.code()));
    let removed = change
        .removed
        .iter()
        .map(|p| format!("Stopped asking for {}", p.code()));
    added.chain(removed).collect()
}

/// The person's chosen permissions (from `opened`) carried over to `now`, each with its reason.
fn rebase_permissions(
    opened: &AppRow,
    mine: &BTreeMap<Permission, String>,
    now: &AppRow,
) -> BTreeMap<Permission, String> {
    let keys: Vec<Permission> = mine.keys().copied().collect();
    rebase_set(&permissions_of(opened), &keys, &permissions_of(now))
        .into_iter()
        .map(|p| {
            let theirs = now.permissions.iter().find(|r| r.permission == p);
            let why = mine
                .get(&p)
                .cloned()
                .or_else(|| theirs.map(|r| r.why.clone()))
                .unwrap_or_default();
            (p, why)
        })
        .collect()
}

/// New application, or an app's permissions: name and description (new apps only), presets,
/// and the catalog with a reason box beside each chosen permission.
#[component]
fn AppDialog(
    app: Option<AppRow>,
    on_close: Callback<()>,
    on_done: Callback<String>,
) -> impl IntoView {
    let editing = app.as_ref().map(|a| (a.id.to_string(), a.name.clone()));
    // What the dialog opened: a stale save re-applies the person's changes from here.
    let base = StoredValue::new(app.clone());
    let stale = RwSignal::new(None::<Vec<String>>);
    let chosen: RwSignal<BTreeMap<Permission, String>> = RwSignal::new(
        app.as_ref()
            .map(|a| {
                a.permissions
                    .iter()
                    .map(|r| (r.permission, r.why.clone()))
                    .collect()
            })
            .unwrap_or_default(),
    );
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let general = move || {
        error.get().and_then(|e| {
            let f = e.0.field.clone().unwrap_or_default();
            (!(f == "name" || f == "description" || f.starts_with("why.")))
                .then(|| e.0.message.clone())
        })
    };
    let submit = {
        let editing = editing.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            busy.set(true);
            let lines = request_lines(
                &chosen
                    .get_untracked()
                    .into_iter()
                    .map(|(permission, why)| PermissionRequest { permission, why })
                    .collect::<Vec<_>>(),
            );
            let editing = editing.clone();
            spawn_local(async move {
                let opened = base.get_value();
                let version = opened.as_ref().map_or(0, |a| a.version);
                let result = match &editing {
                    Some((id, app_name)) => set_app_permissions(id.clone(), version, lines)
                        .await
                        .map(|_| format!("Saved the permissions of {app_name}.")),
                    None => {
                        let n = name.get_untracked();
                        create_app(n.clone(), description.get_untracked(), lines)
                            .await
                            .map(|_| {
                                format!("Created {n}. Make a token for its bot with + New token.")
                            })
                    }
                };
                match (result, opened) {
                    (Ok(message), _) => on_done.run(message),
                    (Err(e), Some(opened)) if e.is_stale() => match current_app(&opened).await {
                        Ok(now) => {
                            let mine = chosen.get_untracked();
                            stale.set(Some(permission_changes(&opened, &now)));
                            chosen.set(rebase_permissions(&opened, &mine, &now));
                            base.set_value(Some(now));
                            error.set(None);
                        }
                        Err(e) => error.set(Some(e)),
                    },
                    (Err(e), _) => error.set(Some(e)),
                }
                busy.set(false);
            });
        }
    };
    let title = match &editing {
        Some((_, n)) => format!("Permissions of {n}"),
        None => "New application".to_owned(),
    };
    let is_new = editing.is_none();
    view! {
        <Dialog title=title on_close=on_close wide=true>
            <form class="form" on:submit=submit>
                <div class="alert alert-error" role="alert" hidden=move || general().is_none()>{general}</div>
                <StaleNotice changes=stale/>
                {is_new.then(|| view! {
                    <div class="field">
                        <label for="app-name">"Name"</label>
                        <input id="app-name" required autocomplete="off" placeholder="Campaign reporter" on:input=move |ev| name.set(event_target_value(&ev))/>
                        <FieldError for_field="name" message=field_message(error, "name")/>
                    </div>
                    <div class="field">
                        <label for="app-description">"Description"</label>
                        <input id="app-description" autocomplete="off" placeholder="What the app does for the accounts that install it"
                            on:input=move |ev| description.set(event_target_value(&ev))/>
                        <FieldError for_field="description" message=field_message(error, "description")/>
                    </div>
                })}
                <div class="field">
                    <span class="label">"Presets"</span>
                    <div class="chips">
                        {PRESETS.iter().map(|preset| view! {
                            <button type="button" class="chip-button" on:click=move |_| chosen.set(
                                preset.permissions.iter().map(|(p, why)| (*p, (*why).to_owned())).collect())>{preset.name}</button>
                        }).collect_view()}
                    </div>
                    <p class="hint">"A preset replaces the selection with what apps of that kind usually need; adjust it below."</p>
                </div>
                {[(PermissionScope::Account, "Account permissions (on a tenant)"), (PermissionScope::Agency, "Agency permissions")].into_iter().map(|(scope, legend)| view! {
                    <fieldset class="permission-list">
                        <legend>{legend}</legend>
                        {Permission::ALL.iter().copied().filter(move |p| p.scope() == scope).map(|p| {
                            let field = format!("why.{}", p.code());
                            let message = Signal::derive({
                                let field = field.clone();
                                move || error.get().and_then(|e| e.message_for(&field))
                            });
                            view! {
                                <div class="permission-row" data-permission=p.code()>
                                    <label class="checkbox">
                                        <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains_key(&p))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                chosen.update(|c| { if on { c.entry(p).or_default(); } else { c.remove(&p); } });
                                            }/>
                                        <code>{p.code()}</code>
                                        <span class="muted small">{p.description()}</span>
                                    </label>
                                    <Show when=move || chosen.with(|c| c.contains_key(&p))>
                                        <input class="why" aria-label=format!("Why the app needs {}", p.code()) placeholder="Why the app needs this"
                                            prop:value=move || chosen.with(|c| c.get(&p).cloned().unwrap_or_default())
                                            on:input=move |ev| chosen.update(|c| { c.insert(p, event_target_value(&ev)); })/>
                                    </Show>
                                    <FieldError for_field=field.clone() message=message/>
                                </div>
                            }
                        }).collect_view()}
                    </fieldset>
                }).collect_view()}
                <FormActions on_close=on_close busy=busy label=if is_new { "Create" } else { "Save" }/>
            </form>
        </Dialog>
    }
}

/// "+ New token": a name and the type, then the token and secret shown once.
#[component]
fn NewTokenDialog(app: AppRow, on_close: Callback<()>, on_done: Callback<String>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let made = RwSignal::new(None::<NewToken>);
    let app_id = StoredValue::new(app.id.to_string());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let app_id = app_id.get_value();
        spawn_local(async move {
            match create_token(app_id, name.get_untracked()).await {
                Ok(t) => made.set(Some(t)),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let finish = Callback::new(move |_| {
        on_done.run(
            made.get_untracked()
                .map(|t| format!("Token {} is ready.", t.token.name))
                .unwrap_or_default(),
        )
    });
    view! {
        <Dialog title=format!("New token for {}", app.name) on_close=finish wide=true>
            {move || match made.get() {
                None => view! {
                    <form class="form" on:submit=submit>
                        <div class="field">
                            <label for="token-name">"Name"</label>
                            <input id="token-name" required autocomplete="off" placeholder="nightly sync" on:input=move |ev| name.set(event_target_value(&ev))/>
                            <FieldError for_field="token-name" message=Signal::derive(move || error.get().map(|e| e.0.message))/>
                        </div>
                        <div class="field">
                            <label for="token-type">"Type"</label>
                            <select id="token-type"><option value="authentication" selected=true>"Authentication Token"</option></select>
                        </div>
                        <FormActions on_close=on_close busy=busy label="Create"/>
                    </form>
                }.into_any(),
                Some(t) => view! { <ShownOnce token=t on_done=finish/> }.into_any(),
            }}
        </Dialog>
    }
}

/// The token and its secret, with copy buttons, and the warning that this is the only time.
#[component]
fn ShownOnce(token: NewToken, on_done: Callback<()>) -> impl IntoView {
    let copied = RwSignal::new(None::<&'static str>);
    let copy = move |what: &'static str, value: String| {
        move |_| {
            copy_text(&value);
            copied.set(Some(what));
        }
    };
    view! {
        <div class="alert alert-error" role="alert">
            <strong>"Copy the API secret now."</strong>" You will not be able to see it again; if it is lost, revoke the token and make a new one."
        </div>
        <div class="field">
            <span class="label">"API token"</span>
            <div class="secret-row"><code id="shown-token">{token.token.public_token.clone()}</code>
                <button type="button" class="button button-secondary" on:click=copy("API token", token.token.public_token.clone())>"Copy"</button></div>
        </div>
        <div class="field">
            <span class="label">"API secret"</span>
            <div class="secret-row"><code id="shown-secret">{token.secret.clone()}</code>
                <button type="button" class="button button-secondary" on:click=copy("API secret", token.secret.clone())>"Copy"</button></div>
        </div>
        <p class="hint">"Call the API with " <code>"Authorization: Bearer <token>:<secret>"</code> "."</p>
        <p class="muted small" role="status" hidden=move || copied.get().is_none()>{move || copied.get().map(|w| format!("Copied the {w}."))}</p>
        <div class="dialog-actions">
            <button type="button" class="button button-primary" on:click=move |_| on_done.run(())>"I have copied it"</button>
        </div>
    }
}

#[component]
fn RevokeDialog(
    token: TokenRow,
    on_close: Callback<()>,
    on_done: Callback<String>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id = token.id.to_string();
    let name = token.name.clone();
    let confirm = Callback::new(move |_| {
        let (id, name) = (id.clone(), name.clone());
        busy.set(true);
        spawn_local(async move {
            match revoke_token(id).await {
                Ok(()) => on_done.run(format!("Revoked {name}: its next call is refused.")),
                Err(e) => error.set(Some(e.0.message)),
            }
            busy.set(false);
        });
    });
    view! {
        <ConfirmDialog title=format!("Revoke {}?", token.name)
            message=format!("Programs using {} stop working on their next call. This cannot be undone.", token.public_token)
            confirm_label="Revoke".to_owned() on_confirm=confirm on_close=on_close busy=busy error=error/>
    }
}

/// The apps installed on the current tenant and on the agencies the viewer administers: where,
/// what each was granted, what it waits to have approved, uninstall.
#[component]
fn InstalledPanel(notice: RwSignal<Option<String>>) -> impl IntoView {
    let version = RwSignal::new(0u32);
    let installs = LocalResource::new(move || {
        version.get();
        load_installs()
    });
    let confirming = RwSignal::new(None::<(String, String)>);
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let act = move |install: String, approve: bool, app_name: String| {
        spawn_local(async move {
            let result = if approve {
                approve_install(install).await.map(|_| {
                    format!("Approved {app_name}: its bots act here with what it was granted.")
                })
            } else {
                uninstall_app(install)
                    .await
                    .map(|_| format!("Uninstalled {app_name}: its bots lost access here."))
            };
            notice.set(Some(result.unwrap_or_else(|e| e.0.message)));
            confirming.set(None);
            version.update(|v| *v += 1);
        });
    };
    let confirm_uninstall = Callback::new(move |_| {
        if let Some((id, name)) = confirming.get_untracked() {
            act(id, false, name);
        }
    });
    view! {
        <section class="panel" id="installed-apps">
            <div class="panel-header"><h2>"Installed apps"</h2></div>
            <Transition fallback=|| view! { <p class="muted">"Loading installs…"</p> }>
                {move || Suspend::new(async move {
                    match installs.await {
                        Err(e) => view! { <p class="muted">{e.0.message}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <p class="muted">"No apps are installed here. A developer shares an app's install link; opening it shows what the app would be granted."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <table class="data-table compact">
                                <thead><tr><th scope="col">"App"</th><th scope="col">"On"</th><th scope="col">"Granted"</th><th scope="col">"Waiting for approval"</th>
                                    <th scope="col">"Installed by"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|i| {
                                        let (id_a, id_u) = (i.id.to_string(), i.id.to_string());
                                        let (name_a, name_u) = (i.app_name.clone(), i.app_name.clone());
                                        let approvable = !i.pending.is_empty() || i.suspended.is_some();
                                        let approve_label = if i.suspended.is_some() { "Re-approve" } else { "Approve" };
                                        view! {
                                            <tr data-install=i.app_name.clone()>
                                                <td><strong>{i.app_name.clone()}</strong>
                                                    {i.suspended.clone().map(|why| view! {
                                                        <div class="install-suspended"><span class="status status-pending">"Suspended"</span>
                                                            <span class="muted small">{why}</span></div>
                                                    })}
                                                </td>
                                                <td>{i.target_name.clone()}</td>
                                                <td>{i.granted.iter().map(|p| view! { <span class="chip">{p.code()}</span> }).collect_view()}</td>
                                                <td>{i.pending.iter().map(|r| view! { <span class="chip chip-muted" title=r.why.clone()>{r.permission.code()}</span> }).collect_view()}</td>
                                                <td class="muted">{i.installed_by.clone()}</td>
                                                <td class="row-actions">
                                                    {approvable.then(|| view! {
                                                        <button type="button" class="link-button" on:click=move |_| act(id_a.clone(), true, name_a.clone())>{approve_label}</button>
                                                    })}
                                                    <button type="button" class="link-button danger" on:click=move |_| confirming.set(Some((id_u.clone(), name_u.clone())))>"Uninstall"</button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
            {move || confirming.get().map(|(_, name)| view! {
                <ConfirmDialog title=format!("Uninstall {name}?")
                    message=format!("{name}'s bots lose access where it was installed on their next call. Installing it again asks for consent again.")
                    confirm_label="Uninstall".to_owned() on_confirm=confirm_uninstall
                    on_close=Callback::new(move |_| confirming.set(None)) busy=busy error=failed/>
            })}
        </section>
    }
}
