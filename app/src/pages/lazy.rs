//! The pages the browser loads when one is first shown rather than with the first page.
//!
//! Built with `cargo leptos build --split`, each page here, with whatever only it uses (its
//! dialogs, wizards, charts and server-function calls), becomes a chunk of its own; the first
//! download keeps the router, the console's frame, the sign-in page and what pages share.
//! Without `--split` these are ordinary routes.

use crate::components::browser::mark_hydrated;
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// A route type per page, whose view is the page: `Route => Page`.
macro_rules! lazy_pages {
    ($($(#[$doc:meta])* $route:ident => $page:path,)*) => {$(
        $(#[$doc])*
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                mark_hydrated();
                $page().into_any()
            }
        }
    )*};
}

lazy_pages! {
    /// The console's frame around every signed-in page: navigation, tenant switcher, user menu.
    Console => super::layout::ConsoleLayout,
    /// The tenant overview, the page after signing in.
    Overview => super::overview::OverviewPage,
    /// Users, resource groups, policies and the domain allowlist.
    Users => super::users::UsersPage,
    /// The activity log.
    Activity => super::activity::ActivityPage,
    /// Single sign-on: the provider, group mappings and the dry run.
    Sso => super::sso::SsoPage,
    /// Customer 360.
    Customer360 => super::customer_360::Customer360Page,
    /// The data sources.
    Sources => super::sources::SourcesPage,
    /// The tenant's authorizations.
    Authorizations => super::authorizations::AuthorizationsPage,
    /// The new-authorization wizard.
    AuthorizationWizard => super::authorization_wizard::AuthorizationWizardPage,
    /// One authorization's summary.
    AuthorizationSummary => super::authorization_summary::AuthorizationSummaryPage,
    /// Applications, their tokens and installs.
    Apps => super::apps::AppsPage,
    /// The consent screen for installing an app.
    Consent => super::consent::ConsentPage,
    /// The jobs list.
    Jobs => super::jobs::JobsPage,
    /// One job.
    Job => super::job::JobPage,
    /// The first operator's one-time setup.
    Setup => super::setup::SetupPage,
    /// An invited person's welcome.
    Welcome => super::welcome::WelcomePage,
}
