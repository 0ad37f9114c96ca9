//! First start: the one-time setup link creates the first operator.

use crate::api::CompleteSetup;
use crate::components::browser::hard_navigate;
use crate::components::field::FieldError;
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
            <div class="auth-card">
                <div class="brand-mark">
                    <span class="brand-logo" aria-hidden="true">"▦"</span>
                    <span class="brand-name">"Portcullis"</span>
                </div>
                <h1>"Create the first operator"</h1>
                <p class="muted">"This link works once. The operator approves domains and can enter every tenant."</p>
                <ActionForm action=action>
                    <input type="hidden" name="token" value=token/>
                    <div class="alert alert-error" role="alert" hidden=move || form_message().is_none()>{form_message}</div>
                    <div class="field">
                        <label for="name">"Full name"</label>
                        <input id="name" name="name" type="text" autocomplete="name" required/>
                        <FieldError for_field="name" message=name_message/>
                    </div>
                    <div class="field">
                        <label for="email">"Work email"</label>
                        <input id="email" name="email" type="email" autocomplete="username" required
                            on:input=move |ev| email.set(event_target_value(&ev))
                            on:blur=move |_| touched.set(true)/>
                        <FieldError for_field="email" message=email_message/>
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input id="password" name="password" type="password" autocomplete="new-password" required
                            on:input=move |ev| password.set(event_target_value(&ev))/>
                        <p class="hint">"At least 12 characters. A phrase of a few words works well."</p>
                        <FieldError for_field="password" message=password_message/>
                    </div>
                    <button type="submit" class="button button-primary button-block" disabled=move || action.pending().get()>
                        "Create operator and sign in"
                    </button>
                </ActionForm>
            </div>
        </main>
    }
}
