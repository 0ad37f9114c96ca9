//! Browser-only actions, called from event handlers and effects (which never run on the server).

use leptos::prelude::window;

/// Loads `path` as a fresh page, so every part of the app sees the new session or tenant.
pub fn hard_navigate(path: &str) {
    let _ = window().location().set_href(path);
}

/// Reloads the current page.
pub fn reload() {
    let _ = window().location().reload();
}

/// Renders its children only in the browser, after hydration. For lists that load per
/// keystroke or per click: a suspense nested in an already-suspended page hydrates badly, and
/// nothing is gained by rendering such a list on the server.
#[leptos::component]
pub fn ClientOnly(children: leptos::children::ChildrenFn) -> impl leptos::IntoView {
    use leptos::prelude::*;
    let mounted = RwSignal::new(false);
    // Effects run only in the browser, once the page is hydrated.
    Effect::new(move |_| mounted.set(true));
    move || mounted.get().then(|| children())
}
