//! The HTML document and the route table.

use crate::pages::activity::ActivityPage;
use crate::pages::apps::AppsPage;
use crate::pages::authorization_summary::AuthorizationSummaryPage;
use crate::pages::authorization_wizard::AuthorizationWizardPage;
use crate::pages::authorizations::AuthorizationsPage;
use crate::pages::consent::ConsentPage;
use crate::pages::customer_360::Customer360Page;
use crate::pages::job::JobPage;
use crate::pages::jobs::JobsPage;
use crate::pages::layout::ConsoleLayout;
use crate::pages::not_found::NotFound;
use crate::pages::overview::OverviewPage;
use crate::pages::setup::SetupPage;
use crate::pages::sign_in::SignInPage;
use crate::pages::sources::SourcesPage;
use crate::pages::sso::SsoPage;
use crate::pages::users::UsersPage;
use crate::pages::welcome::WelcomePage;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

/// The whole HTML document, rendered on the server around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Allows this response's scripts only: the app's own files and the hydration script that
/// carries this response's nonce. Anything injected into a page, even through a bug in
/// escaping, does not run.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The app: every area of the console under one router.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Lets end-to-end tests (and curious people) tell a hydrated page from a server-rendered one.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/portcullis.css"/>
        <Title formatter=|text: String| if text.is_empty() { "Portcullis".to_owned() } else { format!("{text} · Portcullis") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/signin") view=SignInPage/>
                <Route path=path!("/setup") view=SetupPage/>
                <Route path=path!("/welcome") view=WelcomePage/>
                <ParentRoute path=path!("") view=ConsoleLayout>
                    <Route path=path!("") view=OverviewPage/>
                    <Route path=path!("users") view=UsersPage/>
                    <Route path=path!("users/activity") view=ActivityPage/>
                    <Route path=path!("users/sso") view=SsoPage/>
                    <Route path=path!("customer-360") view=Customer360Page/>
                    <Route path=path!("sources") view=SourcesPage/>
                    <Route path=path!("security/authorizations") view=AuthorizationsPage/>
                    <Route path=path!("security/authorizations/new") view=AuthorizationWizardPage/>
                    <Route path=path!("security/authorizations/:id") view=AuthorizationSummaryPage/>
                    <Route path=path!("apps") view=AppsPage/>
                    <Route path=path!("apps/install/:app_id") view=ConsentPage/>
                    <Route path=path!("jobs") view=JobsPage/>
                    <Route path=path!("jobs/:id") view=JobPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
