//! A refused or failed request shown as a panel, with what to do about it.

use crate::error::AppError;
use leptos::prelude::*;

/// A problem that is not about one field: shown where the missing content would be.
#[component]
pub fn ProblemPanel(error: AppError) -> impl IntoView {
    let p = error.0;
    let title = match p.status() {
        401 => "You are signed out",
        403 => "Not allowed",
        404 => "Not found",
        429 => "Slow down",
        503 => "Temporarily unavailable",
        _ => "Something went wrong",
    };
    view! {
        <div class="problem-panel" role="alert">
            <h2>{title}</h2>
            <p>{p.message}</p>
            <p class="muted">"Code: " <code>{p.code}</code></p>
        </div>
    }
}
