//! A refused or failed request shown as a panel, with what to do about it.

use crate::error::AppError;
use leptos::prelude::*;

/// Where the panel sends the reader next.
enum NextStep {
    SignIn,
    AskAdministrator,
    Overview,
    TryAgain,
}

/// A problem that is not about one field: shown where the missing content would be, in words
/// and with a way on; the code stays in the answer for programs, not on screen.
#[component]
pub fn ProblemPanel(error: AppError) -> impl IntoView {
    let p = error.0;
    let (title, message, next) = match (p.status(), p.code.as_str()) {
        // A malformed id in an address is a link that leads nowhere, not a form to correct.
        (_, "invalid_id") => (
            "Not found",
            "This address does not lead to anything here: it may be mistyped or cut short."
                .to_owned(),
            NextStep::Overview,
        ),
        (401, _) => ("You are signed out", p.message, NextStep::SignIn),
        (403, _) => ("Not allowed", p.message, NextStep::AskAdministrator),
        (404, _) => ("Not found", p.message, NextStep::Overview),
        (429, _) => ("Slow down", p.message, NextStep::TryAgain),
        (503, _) => ("Temporarily unavailable", p.message, NextStep::TryAgain),
        _ => ("Something went wrong", p.message, NextStep::TryAgain),
    };
    let next = match next {
        NextStep::SignIn => view! { <p><a href="/signin">"Sign in again"</a></p> }.into_any(),
        NextStep::AskAdministrator => view! {
            <p class="muted">"A user administrator of this tenant can give you access. "
                <a href="/">"Back to the overview"</a></p>
        }
        .into_any(),
        NextStep::Overview => view! { <p><a href="/">"Back to the overview"</a></p> }.into_any(),
        NextStep::TryAgain => {
            view! { <p class="muted">"Reload the page to try again."</p> }.into_any()
        }
    };
    view! {
        <div class="problem-panel" role="alert">
            <h2>{title}</h2>
            <p>{message}</p>
            {next}
        </div>
    }
}
