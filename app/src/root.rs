//! The HTML document and the route table.

use crate::pages::lazy;
use crate::pages::not_found::NotFound;
use crate::pages::sign_in::SignInPage;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, Lazy};

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
                <link rel="stylesheet" id="leptos" href=stylesheet_href(&options)/>
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

/// The stylesheet's address, which the server reads from the build's hash list once at start.
#[derive(Clone, Debug)]
pub struct Stylesheet(pub std::sync::Arc<str>);

/// The server's stylesheet address, else the unhashed name a plain build writes.
fn stylesheet_href(options: &LeptosOptions) -> String {
    use_context::<Stylesheet>().map_or_else(
        || format!("/{}/{}.css", options.site_pkg_dir, options.output_name),
        |Stylesheet(href)| href.to_string(),
    )
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
    view! {
        <Title formatter=|text: String| if text.is_empty() { "Portcullis".to_owned() } else { format!("{text} · Portcullis") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/signin") view=SignInPage/>
                <Route path=path!("/setup") view={Lazy::<lazy::Onboarding>::new()}/>
                <Route path=path!("/welcome") view={Lazy::<lazy::Onboarding>::new()}/>
                <ParentRoute path=path!("") view={Lazy::<lazy::Console>::new()}>
                    <Route path=path!("") view={Lazy::<lazy::Overview>::new()}/>
                    <Route path=path!("users") view={Lazy::<lazy::People>::new()}/>
                    <Route path=path!("users/activity") view={Lazy::<lazy::People>::new()}/>
                    <Route path=path!("users/sso") view={Lazy::<lazy::People>::new()}/>
                    <Route path=path!("customer-360") view={Lazy::<lazy::Data>::new()}/>
                    <Route path=path!("sources") view={Lazy::<lazy::Data>::new()}/>
                    <Route path=path!("security/authorizations") view={Lazy::<lazy::Authorizations>::new()}/>
                    <Route path=path!("security/authorizations/new") view={Lazy::<lazy::Authorizations>::new()}/>
                    <Route path=path!("security/authorizations/:id") view={Lazy::<lazy::Authorizations>::new()}/>
                    <Route path=path!("apps") view={Lazy::<lazy::Apps>::new()}/>
                    <Route path=path!("apps/install/:app_id") view={Lazy::<lazy::Apps>::new()}/>
                    <Route path=path!("jobs") view={Lazy::<lazy::Jobs>::new()}/>
                    <Route path=path!("jobs/:id") view={Lazy::<lazy::Jobs>::new()}/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
