//! The welcome link's page: a new person sets their password once and is signed in.

use crate::api::SetPassword;
use crate::components::auth_card::AuthCard;
use crate::components::browser::hard_navigate;
use crate::components::field::TextField;
use crate::components::post_form::{Fields, PostForm};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use portcullis_core::password::check_new_password;

/// Set a password from `/welcome?token=…`.
#[component]
pub fn WelcomePage() -> impl IntoView {
    let token = move || use_query_map().get().get("token").unwrap_or_default();
    let action = ServerAction::<SetPassword>::new();
    let password = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let server_error = move || action.value().get().and_then(Result::err);
    let password_message = Signal::derive(move || {
        let typed = touched
            .get()
            .then(|| {
                check_new_password(&password.get(), None)
                    .err()
                    .map(|e| e.to_string())
            })
            .flatten();
        typed.or_else(|| server_error().and_then(|e| e.message_for("password")))
    });
    let general = move || server_error().and_then(|e| e.general_message(&["password"]));
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            hard_navigate("/");
        }
    });
    view! {
        <Title text="Welcome"/>
        <main class="auth-page">
            <AuthCard title="Welcome to Portcullis" subtitle="Choose a password to finish setting up your account.">
                <PostForm action=action args=|f: &Fields| SetPassword { token: f.get("token"), password: f.get("password") }>
                    <div class="alert alert-error" role="alert" hidden=move || general().is_none()>{general}</div>
                    <input type="hidden" name="token" prop:value=token/>
                    <TextField name="password" label="New password" kind="password" autocomplete="new-password"
                        message=password_message value=password touched=touched
                        hint="At least 12 characters; a passphrase works well."/>
                    <button type="submit" class="button button-primary button-block" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Saving…" } else { "Set password and sign in" }}
                    </button>
                </PostForm>
            </AuthCard>
        </main>
    }
}
