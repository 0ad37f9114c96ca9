//! The card that single-purpose pages (sign-in, setup, not found) sit in.

use leptos::prelude::*;

/// The product mark, a title, a line under it, and the page's content.
#[component]
pub fn AuthCard(title: &'static str, subtitle: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="auth-card">
            <div class="brand-mark">
                <span class="brand-logo" aria-hidden="true">"▦"</span>
                <span class="brand-name">"Portcullis"</span>
            </div>
            <h1>{title}</h1>
            <p class="muted">{subtitle}</p>
            {children()}
        </div>
    }
}
