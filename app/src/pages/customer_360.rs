//! Customer 360: the databases the viewer reaches, their tables with PII masked unless the
//! viewer may see it, and "Change permissions", which gives a database to one custom group.

use crate::api::{change_database_group, load_customer_360, preview_table};
use crate::components::access::Access;
use crate::components::dialog::{Dialog, FormActions};
use crate::components::problem::ProblemPanel;
use crate::components::stale::StaleNotice;
use crate::error::AppError;
use crate::model::{Customer360, DatabaseView, GroupRow, TablePreview};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use portcullis_core::actions::Action;

/// Customer 360.
#[component]
pub fn Customer360Page() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let data = Resource::new(move || version.get(), |_| load_customer_360());
    view! {
        <Title text="Customer 360"/>
        <div class="page-header">
            <div>
                <h1>"Customer 360"</h1>
                <p class="muted">"Databases, their tables, and who may see what in them."</p>
            </div>
            <a class="button button-secondary" href="/sources">"Sources"</a>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading databases…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(c) => view! { <Databases data=c version=version/> }.into_any(),
                    Err(e) => view! { <ProblemPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Databases(data: Customer360, version: RwSignal<u32>) -> impl IntoView {
    let access = StoredValue::new(Access::new(data.access.clone(), data.me.clone()));
    let groups = StoredValue::new(data.groups.clone());
    let changing = RwSignal::new(None::<DatabaseView>);
    let previewing = RwSignal::new(None::<(DatabaseView, String)>);
    if data.databases.is_empty() {
        return view! {
            <section class="panel empty-state">
                <p><strong>"No databases you can reach."</strong></p>
                <p class="muted">"Databases appear here once one is given to a resource group you are on, or you hold a policy on All resource groups."</p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="panel">
            <h2>"All databases"</h2>
            <table class="data-table" id="databases-table">
                <thead><tr><th>"Name"</th><th>"Custom resource group"</th><th>"Tables"</th><th></th></tr></thead>
                <tbody>
                    {data.databases.into_iter().map(|d| {
                        let change = access.with_value(|a| a.database(Action::ChangeDatabasePermissions, &d.id));
                        let why = if change.allowed { String::new() } else { change.reason.explain() };
                        let row = d.clone();
                        view! {
                            <tr data-database=d.name.clone()>
                                <td><strong>{d.name.clone()}</strong><div class="muted small">{d.description.clone()}</div></td>
                                <td>{d.group.clone().unwrap_or_else(|| "All resource groups only".to_owned())}</td>
                                <td>{d.tables.iter().map(|t| {
                                    let (db, table) = (d.clone(), t.clone());
                                    view! { <button type="button" class="chip chip-button" on:click=move |_| previewing.set(Some((db.clone(), table.clone())))>{t.clone()}</button> }
                                }).collect_view()}</td>
                                <td class="row-actions">
                                    <button type="button" class="link-button" disabled=!change.allowed title=why
                                        on:click=move |_| changing.set(Some(row.clone()))>"Change permissions"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        {move || previewing.get().map(|(db, table)| {
            let can_show = access.with_value(|a| a.database(Action::ViewPii, &db.id));
            view! { <Preview database=db table=table can_show=can_show/> }
        })}
        {move || changing.get().map(|db| view! {
            <ChangePermissions database=db groups=groups.get_value()
                on_close=Callback::new(move |_| changing.set(None))
                on_done=Callback::new(move |_| { changing.set(None); version.update(|v| *v += 1); })/>
        })}
    }
    .into_any()
}

#[component]
fn Preview(
    database: DatabaseView,
    table: String,
    can_show: portcullis_core::decide::Decision,
) -> impl IntoView {
    let unmask = RwSignal::new(false);
    let db_id = database.id.to_string();
    let t = table.clone();
    let data = Resource::new(
        move || unmask.get(),
        move |u| preview_table(db_id.clone(), t.clone(), u),
    );
    view! {
        <section class="panel" id="table-preview">
            <div class="panel-header">
                <h2>{format!("{} · {}", database.name, table)}</h2>
                {can_show.allowed.then(|| view! {
                    <button type="button" class="button button-secondary" id="show-pii"
                        on:click=move |_| unmask.update(|u| *u = !*u)>
                        {move || if unmask.get() { "Hide PII" } else { "Show PII (recorded)" }}
                    </button>
                })}
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading rows…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(p) => view! { <PreviewTable preview=p/> }.into_any(),
                        Err(e) => view! { <ProblemPanel error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PreviewTable(preview: TablePreview) -> impl IntoView {
    view! {
        {preview.masked.clone().map(|m| view! { <p class="alert alert-info" id="pii-notice">{m}</p> })}
        <div class="table-scroll">
            <table class="data-table compact">
                <thead><tr>{preview.columns.iter().map(|c| view! {
                    <th>{c.name.clone()}{c.pii.then(|| view! { <span class="badge badge-pii">"PII"</span> })}</th>
                }).collect_view()}</tr></thead>
                <tbody>{preview.rows.into_iter().map(|r| view! {
                    <tr>{r.into_iter().map(|cell| view! { <td>{cell}</td> }).collect_view()}</tr>
                }).collect_view()}</tbody>
            </table>
        </div>
    }
}

#[component]
fn ChangePermissions(
    database: DatabaseView,
    groups: Vec<GroupRow>,
    on_close: Callback<()>,
    on_done: Callback<()>,
) -> impl IntoView {
    let choice = RwSignal::new(
        database
            .group_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    // What the dialog opened: a stale save keeps the person's choice and shows the other change.
    let base = StoredValue::new(database.clone());
    let stale = RwSignal::new(None::<Vec<String>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let opened = base.get_value();
        spawn_local(async move {
            let id = opened.id.to_string();
            match change_database_group(id, opened.version, choice.get_untracked()).await {
                Ok(()) => on_done.run(()),
                Err(e) if e.is_stale() => match load_customer_360()
                    .await
                    .map(|c| c.databases.into_iter().find(|d| d.id == opened.id))
                {
                    Ok(Some(now)) => {
                        let moved = (now.group != opened.group).then(|| {
                            let to = now
                                .group
                                .clone()
                                .unwrap_or_else(|| "All resource groups only".to_owned());
                            format!("Standard access changed to {to}")
                        });
                        stale.set(Some(moved.into_iter().collect()));
                        base.set_value(now);
                        error.set(None);
                    }
                    Ok(None) => error.set(Some(AppError(portcullis_core::Problem::not_found(
                        "database",
                    )))),
                    Err(e) => error.set(Some(e)),
                },
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let current = choice.get_untracked();
    view! {
        <Dialog title=format!("Permissions for {}", database.name) on_close=on_close>
            <form class="form" on:submit=submit>
                <div class="alert alert-error" role="alert" hidden=move || error.get().is_none()>{move || error.get().map(|e| e.0.message)}</div>
                <StaleNotice changes=stale/>
                <p class="muted">"A database always belongs to All resource groups. Standard access adds at most one custom group, whose members may then work with this database as far as their policy allows."</p>
                <div class="field">
                    <label for="standard-access">"Standard access"</label>
                    <select id="standard-access" on:change=move |ev| choice.set(event_target_value(&ev))>
                        <option value="" selected=current.is_empty()>"No custom group (All resource groups only)"</option>
                        {groups.into_iter().map(|g| {
                            let selected = g.id.to_string() == current;
                            view! { <option value=g.id.to_string() selected=selected>{g.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <FormActions on_close=on_close busy=busy/>
            </form>
        </Dialog>
    }
}
