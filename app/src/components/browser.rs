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
