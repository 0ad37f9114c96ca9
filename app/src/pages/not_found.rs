//! The page for an address that leads nowhere.

use leptos::prelude::*;
use leptos_meta::Title;

/// Nothing lives at this address.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <main class="auth-page">
            <div class="auth-card">
                <h1>"Page not found"</h1>
                <p class="muted">"Nothing lives at this address. It may have moved, or the link may be mistyped."</p>
                <a class="button button-primary" href="/">"Back to the console"</a>
            </div>
        </main>
    }
}
