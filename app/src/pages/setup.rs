//! First start: the one-time setup link creates the first operator.

use crate::api::CompleteSetup;
use crate::components::auth_card::AuthCard;
use crate::components::browser::hard_navigate;
use crate::components::field::TextField;
use crate::components::post_form::{Fields, PostForm};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use portcullis_core::email::Email;
use portcullis_core::password::check_new_password;

/// Create the first operator account.
#[component]
pub fn SetupPage() -> impl IntoView {
    let token = move || use_query_map().with(|q| q.get("token").unwrap_or_default());
    let action = ServerAction::<CompleteSetup>::new();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let touched = RwSignal::new(false);

    let server_error = move || action.value().get().and_then(Result::err);
    let server_message =
        move |field: &'static str| server_error().and_then(|e| e.message_for(field));
    let email_message = Signal::derive(move || {
        let local = touched
            .get()
            .then(|| Email::parse(&email.get()).err().map(|e| e.to_string()))
            .flatten();
        local.or_else(|| server_message("email"))
    });
    let password_message = Signal::derive(move || {
        let typed = password.get();
        let local = (!typed.is_empty())
            .then(|| {
                check_new_password(&typed, Email::parse(&email.get()).ok().as_ref())
                    .err()
                    .map(|e| e.to_string())
            })
            .flatten();
        local.or_else(|| server_message("password"))
    });
    let name_message = Signal::derive(move || server_message("name"));
    let form_message =
        move || server_error().and_then(|e| e.general_message(&["name", "email", "password"]));

    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            hard_navigate("/");
        }
    });

    view! {
        <Title text="Set up"/>
        <main class="auth-page">
            <AuthCard title="Create the first operator"
                subtitle="This link works once. The operator approves domains and can enter every tenant.">
                <PostForm action=action args=|f: &Fields| CompleteSetup { token: f.get("token"), name: f.get("name"), email: f.get("email"), password: f.get("password") }>
                    <input type="hidden" name="token" value=token/>
                    <div class="alert alert-error" role="alert" hidden=move || form_message().is_none()>{form_message}</div>
                    <TextField name="name" label="Full name" autocomplete="name" message=name_message/>
                    <TextField name="email" label="Work email" kind="email" autocomplete="username"
                        message=email_message value=email touched=touched/>
                    <TextField name="password" label="Password" kind="password" autocomplete="new-password"
                        message=password_message value=password
                        hint="At least 12 characters. A phrase of a few words works well."/>
                    <button type="submit" class="button button-primary button-block" disabled=move || action.pending().get()>
                        "Create operator and sign in"
                    </button>
                </PostForm>
            </AuthCard>
        </main>
    }
}
