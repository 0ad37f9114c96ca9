//! The sign-in page: email and password, checked by `core` as you type and again on the server.

use crate::api::{current_viewer, SignIn};
use crate::components::browser::hard_navigate;
use crate::components::field::FieldError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use portcullis_core::email::Email;

/// Sign in; someone already signed in goes straight to the console.
#[component]
pub fn SignInPage() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| current_viewer());
    view! {
        <Title text="Sign in"/>
        <main class="auth-page">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match viewer.await {
                        Ok(Some(_)) => view! { <Redirect path="/"/> }.into_any(),
                        _ => view! { <SignInForm/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn SignInForm() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let email = RwSignal::new(String::new());
    let email_touched = RwSignal::new(false);

    // The same rule the server applies, run in the browser as soon as the field is left.
    let email_rule = move || {
        if !email_touched.get() {
            return None;
        }
        Email::parse(&email.get()).err().map(|e| e.to_string())
    };
    let server_error = move || action.value().get().and_then(Result::err);
    let email_message = Signal::derive(move || {
        email_rule().or_else(|| server_error().and_then(|e| e.message_for("email")))
    });
    let password_message =
        Signal::derive(move || server_error().and_then(|e| e.message_for("password")));
    let form_message =
        move || server_error().and_then(|e| e.general_message(&["email", "password"]));

    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            hard_navigate("/");
        }
    });

    view! {
        <div class="auth-card">
            <div class="brand-mark">
                <span class="brand-logo" aria-hidden="true">"▦"</span>
                <span class="brand-name">"Portcullis"</span>
            </div>
            <h1>"Sign in"</h1>
            <p class="muted">"Access management for your customer-data platform."</p>
            <ActionForm action=action>
                <div class="alert alert-error" role="alert" hidden=move || form_message().is_none()>
                    {form_message}
                </div>
                <div class="field">
                    <label for="email">"Work email"</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        required
                        aria-describedby="email-error"
                        aria-invalid=move || email_message.get().is_some().to_string()
                        on:input=move |ev| email.set(event_target_value(&ev))
                        on:blur=move |_| email_touched.set(true)
                    />
                    <FieldError for_field="email" message=email_message/>
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        aria-describedby="password-error"
                        aria-invalid=move || password_message.get().is_some().to_string()
                    />
                    <FieldError for_field="password" message=password_message/>
                </div>
                <button type="submit" class="button button-primary button-block" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
        </div>
    }
}
