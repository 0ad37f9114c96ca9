//! Modal dialogs: one frame for every form and confirmation, closed with Escape or Cancel.

use leptos::prelude::*;

/// A modal dialog over the page. `on_close` runs on Escape and on the close button.
#[component]
pub fn Dialog(
    title: String,
    on_close: Callback<()>,
    children: Children,
    #[prop(optional)] wide: bool,
) -> impl IntoView {
    let class = if wide { "dialog dialog-wide" } else { "dialog" };
    view! {
        <div class="dialog-backdrop" on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }>
            <div class=class role="dialog" aria-modal="true" aria-labelledby="dialog-title">
                <header class="dialog-header">
                    <h2 id="dialog-title">{title}</h2>
                    <button type="button" class="icon-button" aria-label="Close" on:click=move |_| on_close.run(())>"✕"</button>
                </header>
                {children()}
            </div>
        </div>
    }
}

/// Asks before a destructive step; says exactly what will happen.
#[component]
pub fn ConfirmDialog(
    title: String,
    message: String,
    confirm_label: String,
    on_confirm: Callback<()>,
    on_close: Callback<()>,
    /// Set while the step runs.
    busy: RwSignal<bool>,
    /// Why the step failed, shown in the dialog.
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <Dialog title=title on_close=on_close>
            <p>{message}</p>
            <div class="alert alert-error" role="alert" hidden=move || error.get().is_none()>{move || error.get()}</div>
            <div class="dialog-actions">
                <button type="button" class="button button-secondary" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="button button-danger" disabled=move || busy.get() on:click=move |_| on_confirm.run(())>
                    {move || if busy.get() { "Working…".to_owned() } else { confirm_label.clone() }}
                </button>
            </div>
        </Dialog>
    }
}

/// The foot of every dialog form: Cancel, and the submit button that says when it is working.
#[component]
pub fn FormActions(
    on_close: Callback<()>,
    busy: RwSignal<bool>,
    #[prop(default = "Save")] label: &'static str,
) -> impl IntoView {
    view! {
        <div class="dialog-actions">
            <button type="button" class="button button-secondary" on:click=move |_| on_close.run(())>"Cancel"</button>
            <button type="submit" class="button button-primary" disabled=move || busy.get()>
                {move || if busy.get() { "Saving…" } else { label }}
            </button>
        </div>
    }
}
