//! The pages the browser loads when one is first shown rather than with the first page.
//!
//! Built with `cargo leptos build --split`, each area here (a group of pages someone tends to
//! use together), with whatever only it uses (its dialogs, wizards, charts and server-function
//! calls), becomes a chunk of its own; the first download keeps the router, the sign-in page
//! and what areas share. Areas rather than single pages because code shared by several split
//! points becomes a chunk per combination: sixteen pages made some three hundred chunks and a
//! first visit of a hundred and more requests, nine areas make far fewer.

use crate::components::browser::mark_hydrated;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use leptos_router::{lazy_route, LazyRoute};

/// A route type per area, whose view is the area's page for the current address: the first
/// page whose test the path passes, else the last page. The route table in `root.rs` names the
/// paths each area serves.
macro_rules! lazy_areas {
    ($($(#[$doc:meta])* $area:ident { $($test:expr => $page:path,)* _ => $last:path $(,)? })*) => {$(
        $(#[$doc])*
        pub struct $area;

        #[lazy_route]
        impl LazyRoute for $area {
            fn data() -> Self {
                $area
            }

            fn view(_this: Self) -> AnyView {
                mark_hydrated();
                // An area of one page has no test to read it with.
                #[allow(unused_variables)]
                let path = use_location().pathname.get_untracked();
                $(
                    if ($test)(path.as_str()) {
                        return $page().into_any();
                    }
                )*
                $last().into_any()
            }
        }
    )*};
}

/// Whether the path is exactly `page`.
fn is(page: &'static str) -> impl Fn(&str) -> bool {
    move |path| path == page
}

lazy_areas! {
    /// The console's frame around every signed-in page: navigation, tenant switcher, user menu.
    Console { _ => super::layout::ConsoleLayout }
    /// The tenant overview, the page after signing in.
    Overview { _ => super::overview::OverviewPage }
    /// Users, resource groups, policies and the domain allowlist; the activity log; SSO.
    People {
        is("/users/activity") => super::activity::ActivityPage,
        is("/users/sso") => super::sso::SsoPage,
        _ => super::users::UsersPage,
    }
    /// Customer 360 and the data sources.
    Data {
        is("/sources") => super::sources::SourcesPage,
        _ => super::customer_360::Customer360Page,
    }
    /// The tenant's authorizations, the new-authorization wizard and one authorization.
    Authorizations {
        is("/security/authorizations") => super::authorizations::AuthorizationsPage,
        is("/security/authorizations/new") => super::authorization_wizard::AuthorizationWizardPage,
        _ => super::authorization_summary::AuthorizationSummaryPage,
    }
    /// Applications, their tokens and installs, and the consent screen.
    Apps {
        is("/apps") => super::apps::AppsPage,
        _ => super::consent::ConsentPage,
    }
    /// The jobs list and one job.
    Jobs {
        is("/jobs") => super::jobs::JobsPage,
        _ => super::job::JobPage,
    }
    /// The first operator's one-time setup and an invited person's welcome.
    Onboarding {
        is("/setup") => super::setup::SetupPage,
        _ => super::welcome::WelcomePage,
    }
}
