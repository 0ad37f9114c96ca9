//! The page for an address that leads nowhere.

use crate::components::auth_card::AuthCard;
use crate::components::browser::mark_hydrated;
use leptos::prelude::*;
use leptos_meta::Title;

/// Nothing lives at this address.
#[component]
pub fn NotFound() -> impl IntoView {
    mark_hydrated();
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <main class="auth-page">
            <AuthCard title="Page not found" subtitle="Nothing lives at this address. It may have moved, or the link may be mistyped.">
                <a class="button button-primary" href="/">"Back to the console"</a>
            </AuthCard>
        </main>
    }
}
