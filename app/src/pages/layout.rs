//! The console frame: navigation to every area, the tenant switcher and the user menu.

use crate::api::{current_viewer, switch_tenant, SignOut};
use crate::components::browser::{hard_navigate, reload};
use crate::components::menu::focus_leaves;
use crate::components::post_form::{Fields, PostForm};
use crate::components::problem::ProblemPanel;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, Redirect, A};
use portcullis_core::tenancy::Viewer;

/// Every area of the console, in the order the sidebar shows them, with the section heading
/// that precedes it (if any).
pub const AREAS: &[(&str, &str, &str, Option<&str>)] = &[
    ("/", "Overview", "◧", None),
    ("/users", "Users & Activity", "◉", None),
    ("/customer-360", "Customer 360", "◎", None),
    ("/sources", "Sources", "⇶", None),
    ("/apps", "Apps", "▣", None),
    ("/jobs", "Jobs", "↻", None),
    (
        "/security/authorizations",
        "Authorizations",
        "◆",
        Some("Security"),
    ),
];

/// Wraps every signed-in page; sends anyone without a session to the sign-in page.
#[component]
pub fn ConsoleLayout() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| current_viewer());
    view! {
        <Suspense fallback=|| view! { <div class="loading-screen">"Loading the console…"</div> }>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(v)) => view! { <Frame viewer=v/> }.into_any(),
                    Ok(None) => view! { <Redirect path="/signin"/> }.into_any(),
                    Err(e) => view! { <main class="auth-page"><ProblemPanel error=e/></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Frame(viewer: Viewer) -> impl IntoView {
    provide_context(viewer.clone());
    view! {
        <div class="console">
            // The first Tab stop: past the navigation to the page. `external` leaves the jump to
            // the browser, which moves focus to the target as the router would not.
            <a class="skip-link" href="#main" rel="external">"Skip to content"</a>
            <aside class="sidebar">
                <a class="brand-mark" href="/">
                    <span class="brand-logo" aria-hidden="true">"▦"</span>
                    <span class="brand-name">"Portcullis"</span>
                </a>
                <nav aria-label="Main">
                    <ul>
                        {AREAS.iter().map(|(href, label, icon, section)| view! {
                            {section.map(|s| view! { <li class="nav-section" aria-hidden="true">{s}</li> })}
                            <li>
                                <A href=*href exact=*href == "/">
                                    <span class="nav-icon" aria-hidden="true">{*icon}</span>
                                    <span>{*label}</span>
                                </A>
                            </li>
                        }).collect_view()}
                    </ul>
                </nav>
                <p class="sidebar-footer">{concat!("Portcullis ", env!("CARGO_PKG_VERSION"))}</p>
            </aside>
            <div class="workspace">
                <header class="topbar">
                    <TenantSwitcher viewer=viewer.clone()/>
                    <UserMenu viewer=viewer/>
                </header>
                <main class="content" id="main" tabindex="-1">
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}

/// Switches the session to another tenant the person may enter.
#[component]
fn TenantSwitcher(viewer: Viewer) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    if viewer.tenants.is_empty() {
        return view! { <div class="tenant-switcher muted">"No tenants yet"</div> }.into_any();
    }
    let current = viewer.current.clone();
    let on_change = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        busy.set(true);
        spawn_local(async move {
            match switch_tenant(id).await {
                Ok(()) => reload(),
                Err(e) => {
                    busy.set(false);
                    error.set(Some(e.0.message));
                }
            }
        });
    };
    view! {
        <div class="tenant-switcher">
            <label for="tenant-switcher">"Tenant"</label>
            <select id="tenant-switcher" on:change=on_change disabled=move || busy.get()>
                {viewer.tenants.into_iter().map(|t| {
                    let selected = current.as_ref() == Some(&t.id);
                    let label = match &t.agency_name {
                        Some(a) => format!("{} · {a}", t.name),
                        None => t.name.clone(),
                    };
                    view! { <option value=t.id.to_string() selected=selected>{label}</option> }
                }).collect_view()}
            </select>
            <span class="field-error" role="alert" hidden=move || error.get().is_none()>{move || error.get()}</span>
        </div>
    }
    .into_any()
}

/// The person's name, with a menu to sign out.
#[component]
fn UserMenu(viewer: Viewer) -> impl IntoView {
    let open = RwSignal::new(false);
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        // Signed out, or the session had already ended: either way, back to sign-in.
        if sign_out.value().get().is_some() {
            hard_navigate("/signin");
        }
    });
    let initials: String = viewer
        .name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect();
    let role = if viewer.operator {
        "Operator"
    } else {
        "Member"
    };
    view! {
        <div
            class="user-menu"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    open.set(false);
                }
            }
            on:focusout=move |ev| {
                if focus_leaves(&ev) {
                    open.set(false);
                }
            }
        >
            <button
                type="button"
                class="user-button"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="avatar" aria-hidden="true">{initials}</span>
                <span class="user-name">{viewer.name.clone()}</span>
                <span aria-hidden="true">"▾"</span>
            </button>
            <div class="menu" role="menu" hidden=move || !open.get()>
                <div class="menu-header">
                    <strong>{viewer.name.clone()}</strong>
                    <span class="muted">{viewer.email.to_string()}</span>
                    <span class="badge">{role}</span>
                </div>
                <PostForm action=sign_out args=|_: &Fields| SignOut {}>
                    <button type="submit" role="menuitem" class="menu-item">"Sign out"</button>
                </PostForm>
            </div>
        </div>
    }
}
