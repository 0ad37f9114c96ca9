//! The sign-in page: email and password, checked by `core` as you type and again on the server.

use crate::api::{current_viewer, start_sso, SignIn};
use crate::components::auth_card::AuthCard;
use crate::components::browser::{hard_navigate, mark_hydrated};
use crate::components::field::TextField;
use crate::components::post_form::{Fields, PostForm};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use portcullis_core::email::Email;

/// Sign in; someone already signed in goes straight to the console.
#[component]
pub fn SignInPage() -> impl IntoView {
    mark_hydrated();
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

    // SSO: by the email's domain, or for the tenant of a sign-in link (`?tenant=`). A refused
    // SSO sign-in comes back here with its reason (`?sso_error=`).
    let query = use_query_map();
    let tenant = query
        .with_untracked(|q| q.get("tenant"))
        .unwrap_or_default();
    let sso_error = RwSignal::new(query.with_untracked(|q| q.get("sso_error")));
    let sso_busy = RwSignal::new(false);
    let for_tenant = !tenant.is_empty();
    let sso = move |_| {
        let (e, t) = if for_tenant {
            (String::new(), tenant.clone())
        } else {
            (email.get_untracked(), String::new())
        };
        sso_busy.set(true);
        spawn_local(async move {
            match start_sso(e, t).await {
                Ok(url) => hard_navigate(&url),
                Err(err) => {
                    sso_error.set(Some(err.0.message));
                    sso_busy.set(false);
                }
            }
        });
    };

    view! {
        <AuthCard title="Sign in" subtitle="Access management for your customer-data platform.">
            <PostForm action=action args=|f: &Fields| SignIn { email: f.get("email"), password: f.get("password") }>
                <div class="alert alert-error" role="alert" hidden=move || form_message().is_none()>
                    {form_message}
                </div>
                <TextField name="email" label="Work email" kind="email" autocomplete="username"
                    message=email_message value=email touched=email_touched/>
                <TextField name="password" label="Password" kind="password" autocomplete="current-password"
                    message=password_message/>
                <button type="submit" class="button button-primary button-block" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </PostForm>
            <div class="sso-divider"><span>"or"</span></div>
            <div class="alert alert-error" role="alert" id="sso-error" hidden=move || sso_error.get().is_none()>{move || sso_error.get()}</div>
            <button type="button" class="button button-secondary button-block" id="sso-sign-in" on:click=sso disabled=move || sso_busy.get()>
                {if for_tenant { "Continue with your organization's single sign-on" } else { "Sign in with SSO (enter your work email first)" }}
            </button>
        </AuthCard>
    }
}
