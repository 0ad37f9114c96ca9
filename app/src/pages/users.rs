//! Users & Activity: the tenant's people (list, add, edit, revoke, delete), with the access
//! panels below them.

use crate::api::{add_user, delete_user, edit_user, list_users, load_directory, revoke_user};
use crate::components::access::Access;
use crate::components::browser::ClientOnly;
use crate::components::dialog::{ConfirmDialog, Dialog, FormActions};
use crate::components::field::{field_message, FieldError};
use crate::components::menu::RowMenu;
use crate::components::problem::ProblemPanel;
use crate::components::stale::StaleNotice;
use crate::components::table::{Paged, ShowMoreRow, SortHeader, SortState};
use crate::error::AppError;
use crate::model::{Page, PeopleDirectory, UserRow};
use crate::pages::access_panels::{
    DomainsPanel, GroupsPanel, OutboxPanel, PoliciesPanel, RequestDomainDialog,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use portcullis_core::actions::Action;
use portcullis_core::edits::{rebase_set, rebase_value, set_change};
use portcullis_core::email::Email;
use portcullis_core::people::domain_allowed;
use portcullis_core::tenancy::Viewer;
use portcullis_core::time_text;

/// Which dialog is open on the page.
#[derive(Debug, Clone, PartialEq)]
enum Open {
    Nothing,
    Add,
    Edit(UserRow),
    Revoke(UserRow),
    Delete(UserRow),
    RequestDomain(String),
}

/// Users & Activity.
#[component]
pub fn UsersPage() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let directory = Resource::new(move || refresh.get(), |_| load_directory());
    view! {
        <Title text="Users & Activity"/>
        <Suspense fallback=|| view! { <p class="muted">"Loading people…"</p> }>
            {move || Suspend::new(async move {
                match directory.await {
                    Ok(d) => view! { <People directory=d refresh=refresh/> }.into_any(),
                    Err(e) => view! {
                        <div class="page-header"><div><h1>"Users & Activity"</h1></div></div>
                        <ProblemPanel error=e/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn People(directory: PeopleDirectory, refresh: RwSignal<u32>) -> impl IntoView {
    let access = Access::new(directory.access.clone(), directory.me.clone());
    let can_manage = access.tenant(Action::ManageUsers);
    let operator = use_context::<Viewer>().is_some_and(|v| v.operator);
    let open = RwSignal::new(Open::Nothing);
    let users_version = RwSignal::new(0u32);
    let notice = RwSignal::new(None::<String>);
    let directory = StoredValue::new(directory);
    let access = StoredValue::new(access);
    let close = Callback::new(move |_| open.set(Open::Nothing));
    let changed = Callback::new(move |message: String| {
        open.set(Open::Nothing);
        notice.set(Some(message));
        users_version.update(|v| *v += 1);
    });
    let add_title = if can_manage.allowed {
        String::new()
    } else {
        can_manage.reason.explain()
    };
    view! {
        <div class="page-header">
            <div>
                <h1>"Users & Activity"</h1>
                <p class="muted">"The people of this tenant and what each of them may do."</p>
            </div>
            <button type="button" class="button button-primary" id="add-user"
                disabled=!can_manage.allowed title=add_title
                on:click=move |_| open.set(Open::Add)>"Add user"</button>
        </div>
        <AreaTabs/>
        <div class="alert alert-ok" role="status" hidden=move || notice.get().is_none()>{move || notice.get()}</div>
        <UsersTable version=users_version can_manage=can_manage.allowed open=open access=access/>
        <div class="panel-grid">
            <GroupsPanel groups=directory.with_value(|d| d.groups.clone())
                can_manage=access.with_value(|a| a.tenant(Action::ManageResourceGroups)) refresh=refresh/>
            <PoliciesPanel policies=directory.with_value(|d| d.policies.clone())
                can_manage=access.with_value(|a| a.tenant(Action::ManagePolicies)) refresh=refresh/>
        </div>
        <DomainsPanel domains=directory.with_value(|d| d.domains.clone()) operator=operator
            can_request=can_manage.allowed/>
        {operator.then(|| view! { <OutboxPanel/> })}
        {move || match open.get() {
            Open::Nothing => ().into_any(),
            Open::Add => view! {
                <AddUserDialog directory=directory.get_value() on_close=close on_done=changed
                    on_request_domain=Callback::new(move |d| open.set(Open::RequestDomain(d)))/>
            }.into_any(),
            Open::Edit(user) => view! {
                <EditUserDialog directory=directory.get_value() user=user on_close=close on_done=changed/>
            }.into_any(),
            Open::Revoke(user) => view! { <UserRemovalDialog user=user delete=false on_close=close on_done=changed/> }.into_any(),
            Open::Delete(user) => view! { <UserRemovalDialog user=user delete=true on_close=close on_done=changed/> }.into_any(),
            Open::RequestDomain(domain) => view! {
                <RequestDomainDialog domain=domain on_close=close on_done=Callback::new(move |m: String| {
                    open.set(Open::Nothing);
                    notice.set(Some(m));
                    refresh.update(|v| *v += 1);
                })/>
            }.into_any(),
        }}
    }
}

/// Users & Activity is one area with two views (the seed's one page with two tabs).
#[component]
pub fn AreaTabs() -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Users & Activity">
            <A href="/users" exact=true>"Users"</A>
            <A href="/users/activity" exact=true>"Activity"</A>
            <A href="/users/sso" exact=true>"SSO"</A>
        </nav>
    }
}

/// The users list: sorted and searched on the server, "Show more" fetches the next page.
#[component]
fn UsersTable(
    version: RwSignal<u32>,
    can_manage: bool,
    open: RwSignal<Open>,
    access: StoredValue<Access>,
) -> impl IntoView {
    let sort = RwSignal::new(SortState::by("name"));
    let search = RwSignal::new(String::new());
    // Loaded in the browser: a resource nested under the page's own suspense does not survive
    // out-of-order streaming and hydration intact, and this list changes with every keystroke.
    let first = LocalResource::new(move || {
        let (q, s, _) = (search.get(), sort.get(), version.get());
        let order = if s.ascending { "asc" } else { "desc" };
        list_users(q, s.column.to_owned(), order.to_owned(), None, None)
    });
    // The whole table renders inside the transition: a suspense boundary between <table> and
    // <tbody> breaks hydration.
    view! {
        <section class="panel">
            <div class="panel-header">
                <h2>"Users"</h2>
                <input type="search" class="search" placeholder="Search by name or email" aria-label="Search users"
                    prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            </div>
            <ClientOnly><Transition fallback=|| view! { <p class="muted">"Loading users…"</p> }>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(page) => view! { <UserRows page=page search=search can_manage=can_manage open=open access=access sort=sort/> }.into_any(),
                        Err(e) => view! { <ProblemPanel error=e/> }.into_any(),
                    }
                })}
            </Transition></ClientOnly>
        </section>
    }
}

#[component]
fn UserRows(
    page: Page<UserRow>,
    search: RwSignal<String>,
    sort: RwSignal<SortState>,
    can_manage: bool,
    open: RwSignal<Open>,
    access: StoredValue<Access>,
) -> impl IntoView {
    let paged = Paged::new(page);
    let rows = paged.rows;
    let menu = RwSignal::new(None::<String>);
    let show_more = Callback::new(move |_| {
        let s = sort.get_untracked();
        let order = if s.ascending { "asc" } else { "desc" };
        paged.show_more(|after| {
            list_users(
                search.get_untracked(),
                s.column.to_owned(),
                order.to_owned(),
                Some(after),
                None,
            )
        })
    });
    view! {
        <table class="data-table" id="users-table">
        <thead>
            <tr>
                <SortHeader label="Name" column="name" sort=sort/>
                <SortHeader label="Email" column="email" sort=sort/>
                <SortHeader label="Policies" column="policy" sort=sort/>
                <th scope="col">"Resource groups"</th>
                <SortHeader label="Last sign-in (UTC)" column="last_login" sort=sort/>
                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
            </tr>
        </thead>
        <tbody>
            <Show when=move || rows.with(Vec::is_empty)>
                <tr><td colspan="6" class="empty-cell">
                    <strong>"No users match."</strong>
                    <span class="muted">{move || if search.get().is_empty() { " Add the first person with Add user." } else { " Try another search." }}</span>
                </td></tr>
            </Show>
            <For each=move || rows.get() key=|u| (u.id.clone(), u.name.clone(), u.assignments.len()) let:user>
                <UserRowView user=user can_manage=can_manage open=open menu=menu access=access/>
            </For>
            <ShowMoreRow paged=paged colspan="6" on_more=show_more/>
        </tbody>
        </table>
    }
}

#[component]
fn UserRowView(
    user: UserRow,
    can_manage: bool,
    open: RwSignal<Open>,
    menu: RwSignal<Option<String>>,
    access: StoredValue<Access>,
) -> impl IntoView {
    let policies: Vec<String> = user.assignments.iter().map(|a| a.policy.clone()).collect();
    let groups: Vec<String> = user.assignments.iter().map(|a| a.group.clone()).collect();
    let last = user
        .last_login
        .as_ref()
        .map(time_text::minute)
        .unwrap_or_else(|| "never".to_owned());
    let is_me = access.with_value(|a| a.is_me(&user.id));
    let (edit, revoke, delete) = (user.clone(), user.clone(), user.clone());
    view! {
        <tr data-email=user.email.clone()>
            <td><strong>{user.name.clone()}</strong>{is_me.then(|| view! { <span class="badge">"you"</span> })}</td>
            <td>{user.email.clone()}</td>
            <td>{policies.into_iter().map(|p| view! { <span class="chip">{p}</span> }).collect_view()}</td>
            <td>{groups.into_iter().map(|g| view! { <span class="chip chip-muted">{g}</span> }).collect_view()}</td>
            <td class="muted nowrap">{last}</td>
            <td class="row-actions">
                {can_manage.then(|| view! {
                    <RowMenu label=format!("Actions for {}", user.name) key=user.id.to_string() open=menu>
                        <button type="button" role="menuitem" class="menu-item" on:click={
                            let edit = edit.clone();
                            move |_| open.set(Open::Edit(edit.clone()))
                        }>"Edit access"</button>
                        <button type="button" role="menuitem" class="menu-item" disabled=is_me on:click={
                            let revoke = revoke.clone();
                            move |_| open.set(Open::Revoke(revoke.clone()))
                        }>"Revoke tenant access"</button>
                        <button type="button" role="menuitem" class="menu-item danger" disabled=is_me on:click={
                            let delete = delete.clone();
                            move |_| open.set(Open::Delete(delete.clone()))
                        }>"Delete"</button>
                    </RowMenu>
                })}
            </td>
        </tr>
    }
}

#[component]
fn AddUserDialog(
    directory: PeopleDirectory,
    on_close: Callback<()>,
    on_done: Callback<String>,
    on_request_domain: Callback<String>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let email_touched = RwSignal::new(false);
    // Nothing is chosen for the administrator: a new person has no access until one is picked.
    let policy = RwSignal::new(String::new());
    let group = RwSignal::new(String::new());
    let welcome = RwSignal::new(true);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let domains = StoredValue::new(directory.domains.clone());
    // Core's rules, run as the person types: the email's form, then the domain allowlist.
    let email_rule = move || {
        if !email_touched.get() {
            return None;
        }
        let parsed = match Email::parse(&email.get()) {
            Ok(e) => e,
            Err(e) => return Some((e.to_string(), None)),
        };
        domains
            .with_value(|d| domain_allowed(&parsed, d.iter().map(String::as_str)))
            .err()
            .map(|p| (p.message, Some(parsed.domain().to_owned())))
    };
    let email_message = Signal::derive(move || {
        email_rule()
            .map(|(m, _)| m)
            .or_else(|| error.get().and_then(|e| e.message_for("email")))
    });
    let unknown_domain = move || email_rule().and_then(|(_, d)| d);
    let general = move || {
        error
            .get()
            .and_then(|e| e.general_message(&["name", "email", "policy", "resource_group"]))
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        email_touched.set(true);
        if email_rule().is_some() {
            return;
        }
        busy.set(true);
        let who = email.get_untracked();
        spawn_local(async move {
            let result = add_user(
                name.get_untracked(),
                who.clone(),
                policy.get_untracked(),
                group.get_untracked(),
                welcome.get_untracked(),
            )
            .await;
            busy.set(false);
            match result {
                Ok(added) if added.invited => on_done.run(format!(
                    "{who} already has an account, so they are invited: they join when they accept at their next sign-in."
                )),
                Ok(_) => on_done.run(if welcome.get_untracked() {
                    format!(
                        "Added {who}; a welcome email with a link to set a password is on its way."
                    )
                } else {
                    format!("Added {who}.")
                }),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <Dialog title="Add user".to_owned() on_close=on_close>
            <form class="form" on:submit=submit>
                <div class="alert alert-error" role="alert" hidden=move || general().is_none()>{general}</div>
                <div class="field">
                    <label for="new-name">"Full name"</label>
                    <input id="new-name" name="name" required autocomplete="off" placeholder="Justin Currie"
                        on:input=move |ev| name.set(event_target_value(&ev))/>
                    <FieldError for_field="name" message=field_message(error, "name")/>
                </div>
                <div class="field">
                    <label for="new-email">"Login email"</label>
                    <input id="new-email" name="email" type="email" required autocomplete="off" placeholder="justin.currie@acme.example"
                        aria-invalid=move || email_message.get().is_some().to_string()
                        on:input=move |ev| email.set(event_target_value(&ev))
                        on:blur=move |_| email_touched.set(true)/>
                    <FieldError for_field="email" message=email_message/>
                    <p class="hint">
                        "Only people from allowlisted domains may use Portcullis."
                        // Offered when it applies, so it is no Tab stop on the way to Save.
                        <Show when=move || unknown_domain().is_some()>
                            " Domain missing? "
                            <button type="button" class="link-button" id="request-domain-link"
                                on:click=move |_| on_request_domain.run(unknown_domain().unwrap_or_default())>"Request a domain"</button>
                        </Show>
                    </p>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="new-policy">"Policy"</label>
                        <select id="new-policy" on:change=move |ev| policy.set(event_target_value(&ev))>
                            <option value="" selected>"Choose a policy"</option>
                            {directory.policies.iter().map(|p| {
                                view! { <option value=p.id.to_string()>{p.name.clone()}</option> }
                            }).collect_view()}
                        </select>
                        <FieldError for_field="policy" message=field_message(error, "policy")/>
                    </div>
                    <div class="field">
                        <label for="new-group">"Resource group"</label>
                        <select id="new-group" on:change=move |ev| group.set(event_target_value(&ev))>
                            <option value="" selected>"Choose a resource group"</option>
                            {directory.groups.iter().map(|g| {
                                view! { <option value=g.id.to_string()>{g.name.clone()}</option> }
                            }).collect_view()}
                        </select>
                        <FieldError for_field="resource_group" message=field_message(error, "resource_group")/>
                    </div>
                </div>
                <label class="checkbox">
                    <input type="checkbox" prop:checked=move || welcome.get() on:change=move |ev| welcome.set(event_target_checked(&ev))/>
                    " Send a welcome email with a link to set a password"
                </label>
                <FormActions on_close=on_close busy=busy/>
            </form>
        </Dialog>
    }
}

#[component]
fn EditUserDialog(
    directory: PeopleDirectory,
    user: UserRow,
    on_close: Callback<()>,
    on_done: Callback<String>,
) -> impl IntoView {
    let name = RwSignal::new(user.name.clone());
    let pairs = RwSignal::new(pairs_of(&user));
    let (first_policy, first_group) = directory.first_pair_ids();
    let new_policy = RwSignal::new(first_policy);
    let new_group = RwSignal::new(first_group);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let dir = StoredValue::new(directory.clone());
    let add_pair = move |_| {
        let (p, g) = (new_policy.get_untracked(), new_group.get_untracked());
        let names = dir.with_value(|d| {
            let pn = d
                .policies
                .iter()
                .find(|x| x.id.to_string() == p)
                .map(|x| x.name.clone());
            let gn = d
                .groups
                .iter()
                .find(|x| x.id.to_string() == g)
                .map(|x| x.name.clone());
            pn.zip(gn)
        });
        if let Some((pn, gn)) = names {
            pairs.update(|list| {
                if !list.iter().any(|(lp, _, lg, _)| *lp == p && *lg == g) {
                    list.push((p, pn, g, gn));
                }
            });
        }
    };
    // What the dialog opened: a stale save re-applies the person's changes from here.
    let base = StoredValue::new(user.clone());
    let stale = RwSignal::new(None::<Vec<String>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let list = pairs
            .get_untracked()
            .iter()
            .map(|(p, _, g, _)| format!("{p}/{g}"))
            .collect::<Vec<_>>()
            .join(",");
        let opened = base.get_value();
        spawn_local(async move {
            let result = edit_user(
                opened.id.to_string(),
                opened.version,
                name.get_untracked(),
                list,
            )
            .await;
            match result {
                Ok(()) => on_done.run(format!("Saved {}.", name.get_untracked())),
                Err(e) if e.is_stale() => match current_row(&opened).await {
                    Ok(now) => {
                        let mine = (name.get_untracked(), pairs.get_untracked());
                        let (name_now, pairs_now) = rebase_edit(&opened, mine, &now);
                        stale.set(Some(their_changes(&opened, &now)));
                        name.set(name_now);
                        pairs.set(pairs_now);
                        base.set_value(now);
                        error.set(None);
                    }
                    Err(e) => error.set(Some(e)),
                },
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let general = move || {
        error
            .get()
            .and_then(|e| e.general_message(&["name", "assignments"]))
    };
    view! {
        <Dialog title=format!("Edit {}", user.email) on_close=on_close wide=true>
            <form class="form" on:submit=submit>
                <div class="alert alert-error" role="alert" hidden=move || general().is_none()>{general}</div>
                <StaleNotice changes=stale/>
                <div class="field">
                    <label for="edit-name">"Full name"</label>
                    <input id="edit-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    <FieldError for_field="name" message=field_message(error, "name")/>
                </div>
                <fieldset class="assignments">
                    <legend>"Policies and resource groups"</legend>
                    <ul class="assignment-list">
                        <For each=move || pairs.get() key=|p| (p.0.clone(), p.2.clone()) let:pair>
                            {
                                let (p, g) = (pair.0.clone(), pair.2.clone());
                                view! {
                                    <li>
                                        <span><strong>{pair.1.clone()}</strong>" on "{pair.3.clone()}</span>
                                        <button type="button" class="link-button danger"
                                            on:click=move |_| pairs.update(|l| l.retain(|x| !(x.0 == p && x.2 == g)))>"Remove"</button>
                                    </li>
                                }
                            }
                        </For>
                    </ul>
                    <p class="muted" hidden=move || !pairs.with(Vec::is_empty)>"No assignments: this person could do nothing here."</p>
                    <div class="field-row">
                        <select aria-label="Policy to add" on:change=move |ev| new_policy.set(event_target_value(&ev))>
                            {directory.policies.iter().map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> }).collect_view()}
                        </select>
                        <select aria-label="Resource group to add" on:change=move |ev| new_group.set(event_target_value(&ev))>
                            {directory.groups.iter().map(|g| view! { <option value=g.id.to_string()>{g.name.clone()}</option> }).collect_view()}
                        </select>
                        <button type="button" class="button button-secondary" on:click=add_pair>"Add"</button>
                    </div>
                    <FieldError for_field="assignments" message=field_message(error, "assignments")/>
                </fieldset>
                <FormActions on_close=on_close busy=busy/>
            </form>
        </Dialog>
    }
}

/// A person's assignment as the edit dialog holds it: policy id and name, group id and name.
type PairView = (String, String, String, String);

fn pairs_of(user: &UserRow) -> Vec<PairView> {
    user.assignments
        .iter()
        .map(|a| {
            (
                a.policy_id.to_string(),
                a.policy.clone(),
                a.group_id.to_string(),
                a.group.clone(),
            )
        })
        .collect()
}

/// The person as they are now, to re-apply an edit made from an older view of them.
async fn current_row(opened: &UserRow) -> Result<UserRow, AppError> {
    let page = list_users(
        opened.email.clone(),
        "email".into(),
        "asc".into(),
        None,
        Some(200),
    )
    .await?;
    page.items
        .into_iter()
        .find(|u| u.id == opened.id)
        .ok_or_else(|| AppError(portcullis_core::Problem::not_found("person in this tenant")))
}

/// The person's own edit (name and assignments, from `opened`) carried over to `now`.
fn rebase_edit(
    opened: &UserRow,
    (name, pairs): (String, Vec<PairView>),
    now: &UserRow,
) -> (String, Vec<PairView>) {
    (
        rebase_value(&opened.name, &name, &now.name),
        rebase_set(&pairs_of(opened), &pairs, &pairs_of(now)),
    )
}

/// What someone else changed between `opened` and `now`, as sentences.
fn their_changes(opened: &UserRow, now: &UserRow) -> Vec<String> {
    let mut lines = Vec::new();
    if opened.name != now.name {
        lines.push(format!("Renamed from {} to {}", opened.name, now.name));
    }
    let change = set_change(&pairs_of(opened), &pairs_of(now));
    lines.extend(
        change
            .added
            .iter()
            .map(|p| format!("Granted {} on {}", p.1, p.3)),
    );
    lines.extend(
        change
            .removed
            .iter()
            .map(|p| format!("Took away {} on {}", p.1, p.3)),
    );
    lines
}

/// Revoke tenant access or delete: the two destructive steps on a person, each confirmed with
/// exactly what it does.
#[component]
fn UserRemovalDialog(
    user: UserRow,
    delete: bool,
    on_close: Callback<()>,
    on_done: Callback<String>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let (id, email, version) = (user.id.to_string(), user.email.clone(), user.version);
    let confirm = Callback::new(move |_| {
        busy.set(true);
        let (id, email) = (id.clone(), email.clone());
        spawn_local(async move {
            let (result, done) = if delete {
                (
                    delete_user(id, version).await,
                    format!("Deleted {email} from every tenant."),
                )
            } else {
                (
                    revoke_user(id, version).await,
                    format!("{email} no longer has access to this tenant."),
                )
            };
            match result {
                Ok(()) => on_done.run(done),
                Err(e) if e.is_stale() => error.set(Some(format!(
                    "Someone else changed {email} since you opened this. Close it and look at the list again before you {}.",
                    if delete { "delete them" } else { "revoke their access" }
                ))),
                Err(e) => error.set(Some(e.0.message)),
            }
            busy.set(false);
        });
    });
    let (title, message, label) = if delete {
        (
            "Delete user",
            format!("{} is deleted from every tenant they belong to, not only this one, and signed out everywhere. To remove them from this tenant only, revoke tenant access instead.", user.email),
            "Delete from all tenants",
        )
    } else {
        (
            "Revoke tenant access",
            format!("{} loses every policy in this tenant and cannot enter it any more. Their access to other tenants stays as it is.", user.email),
            "Revoke access",
        )
    };
    view! {
        <ConfirmDialog title=title.to_owned() message=message confirm_label=label.to_owned()
            on_confirm=confirm on_close=on_close busy=busy error=error/>
    }
}
