//! Modal dialogs: one frame for every form and confirmation, as the WAI-ARIA dialog pattern
//! has them: focus moves in when one opens, Tab stays inside, Escape or Cancel closes it, and
//! focus returns to what opened it.

use crate::components::browser::{elements_in, focused};
use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::sync::{Arc, Mutex};
use web_sys::HtmlElement;

/// What Tab stops on inside a dialog.
const TAB_STOPS: &str = "input:not([disabled]):not([type=hidden]), select:not([disabled]), \
    textarea:not([disabled]), button:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])";

/// Keeps Tab and Shift+Tab inside `frame`, wrapping from the last stop to the first.
fn keep_tab_inside(ev: &KeyboardEvent, frame: &HtmlElement) {
    let stops = elements_in(frame, TAB_STOPS);
    let (Some(first), Some(last)) = (stops.first(), stops.last()) else {
        return;
    };
    let now = focused();
    let wrap_to = match (ev.shift_key(), now.as_ref()) {
        (true, Some(f)) if f == first => last,
        (false, Some(f)) if f == last => first,
        (_, Some(f)) if frame.contains(Some(f)) => return,
        (true, _) => last,
        (false, _) => first,
    };
    ev.prevent_default();
    _ = wrap_to.focus();
}

/// A modal dialog over the page. `on_close` runs on Escape and on the close button.
#[component]
pub fn Dialog(
    title: String,
    on_close: Callback<()>,
    children: Children,
    #[prop(optional)] wide: bool,
) -> impl IntoView {
    let class = if wide { "dialog dialog-wide" } else { "dialog" };
    let frame = NodeRef::<html::Div>::new();
    // What had focus when the dialog opened, which gets it back when the dialog closes.
    let opener = Arc::new(Mutex::new(None::<SendWrapper<HtmlElement>>));
    Effect::new({
        let opener = Arc::clone(&opener);
        move |moved_in: Option<bool>| {
            if moved_in == Some(true) {
                return true;
            }
            let Some(frame) = frame.get() else {
                return false;
            };
            if let Ok(mut o) = opener.lock() {
                *o = focused().map(SendWrapper::new);
            }
            // The first field, else the first button after the close button.
            let start = elements_in(
                &frame,
                "input:not([type=hidden]):not([disabled]), select, textarea",
            )
            .into_iter()
            .next()
            .or_else(|| elements_in(&frame, TAB_STOPS).into_iter().nth(1));
            if let Some(start) = start {
                _ = start.focus();
            }
            true
        }
    });
    on_cleanup(move || {
        if let Some(o) = opener.lock().ok().and_then(|mut o| o.take()) {
            if o.is_connected() {
                _ = o.focus();
            }
        }
    });
    view! {
        <div class="dialog-backdrop" on:keydown=move |ev| match ev.key().as_str() {
            "Escape" => on_close.run(()),
            "Tab" => if let Some(frame) = frame.get_untracked() { keep_tab_inside(&ev, &frame) },
            _ => {}
        }>
            <div class=class role="dialog" aria-modal="true" aria-labelledby="dialog-title" node_ref=frame>
                <header class="dialog-header">
                    <h2 id="dialog-title">{title}</h2>
                    <button type="button" class="icon-button" aria-label="Close" on:click=move |_| on_close.run(())>"✕"</button>
                </header>
                {children()}
            </div>
        </div>
    }
}

/// A step that asks first: what is being asked about, whether the step is running, and why it
/// failed. Pages keep one per kind of step and show a `ConfirmDialog` while `about` is set.
pub struct Asking<T: Send + Sync + 'static> {
    pub about: RwSignal<Option<T>>,
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
}

impl<T: Send + Sync + 'static> Clone for Asking<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Asking<T> {}

impl<T: Clone + Send + Sync + 'static> Default for Asking<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Clone + Send + Sync + 'static> Asking<T> {
    pub fn new() -> Self {
        Asking {
            about: RwSignal::new(None),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Closes the question without doing anything.
    pub fn cancel(self) {
        self.about.set(None);
        self.error.set(None);
    }

    /// Runs `step` on what is asked about: on success the question closes and `done` runs; on
    /// failure the reason shows in the dialog and nothing else changes.
    pub fn run<O, Fut>(self, step: impl FnOnce(T) -> Fut, done: impl FnOnce() + 'static)
    where
        Fut: std::future::Future<Output = Result<O, crate::error::AppError>> + 'static,
    {
        let Some(about) = self.about.get_untracked() else {
            return;
        };
        self.busy.set(true);
        let running = step(about);
        leptos::task::spawn_local(async move {
            let result = running.await;
            self.busy.set(false);
            match result {
                Ok(_) => {
                    self.about.set(None);
                    done();
                }
                Err(e) => self.error.set(Some(e.0.message)),
            }
        });
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
