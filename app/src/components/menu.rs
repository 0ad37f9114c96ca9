//! Menus behind a button, as the WAI-ARIA menu button pattern has them: opening moves focus to
//! the first item, arrow keys, Home and End move between items, Escape closes the menu and
//! returns focus to its button, and focus leaving the menu closes it.

use crate::components::browser::{elements_in, focused};
use leptos::ev::{FocusEvent, KeyboardEvent};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, Node};

/// Whether focus is leaving the element the handler is on (for a click elsewhere, or tabbing on).
pub fn focus_leaves(ev: &FocusEvent) -> bool {
    let node = |t: Option<web_sys::EventTarget>| t.and_then(|t| t.dyn_into::<Node>().ok());
    match (node(ev.current_target()), node(ev.related_target())) {
        (Some(menu), Some(to)) => !menu.contains(Some(&to)),
        _ => true,
    }
}

/// The items of the menu in `menu` that can take focus.
fn items(menu: &HtmlElement) -> Vec<HtmlElement> {
    elements_in(menu, "[role=menuitem]:not(:disabled)")
}

/// Focuses the menu's first item.
pub fn focus_first(menu: &HtmlElement) {
    if let Some(first) = items(menu).first() {
        _ = first.focus();
    }
}

/// Moves focus between the items for the arrow keys, Home and End.
pub fn move_focus(ev: &KeyboardEvent, menu: &HtmlElement) {
    let items = items(menu);
    let current = focused().and_then(|a| items.iter().position(|i| *i == a));
    let last = items.len().saturating_sub(1);
    let next = match (ev.key().as_str(), current) {
        ("ArrowDown", Some(i)) if i < last => i + 1,
        ("ArrowDown", _) | ("Home", _) => 0,
        ("ArrowUp", Some(i)) if i > 0 => i - 1,
        ("ArrowUp", _) | ("End", _) => last,
        _ => return,
    };
    ev.prevent_default();
    if let Some(item) = items.get(next) {
        _ = item.focus();
    }
}

/// A table row's actions behind one "⋯" button, so every row keeps one line of actions.
/// `open` is shared by the table's rows: opening one row's menu closes the others.
#[component]
pub fn RowMenu(
    /// What the actions act on, for screen readers ("Actions for Alex Admin").
    label: String,
    /// This row's key in `open`.
    key: String,
    open: RwSignal<Option<String>>,
    /// The items: buttons with `role="menuitem"` and class `menu-item`.
    children: ChildrenFn,
) -> impl IntoView {
    let button = NodeRef::<html::Button>::new();
    let list = NodeRef::<html::Div>::new();
    let is_open = {
        let key = key.clone();
        Memo::new(move |_| open.with(|o| o.as_deref() == Some(key.as_str())))
    };
    let toggle = move |_| {
        let now_open = !is_open.get_untracked();
        open.set(now_open.then(|| key.clone()));
    };
    Effect::new(move |_| {
        if let (true, Some(list)) = (is_open.get(), list.get()) {
            focus_first(&list);
        }
    });
    let close_to_button = move || {
        open.set(None);
        if let Some(b) = button.get_untracked() {
            _ = b.focus();
        }
    };
    view! {
        <div class="row-menu"
            on:focusout=move |ev| if is_open.get_untracked() && focus_leaves(&ev) { open.set(None) }>
            <button type="button" class="icon-button" aria-haspopup="menu" aria-label=label node_ref=button
                aria-expanded=move || is_open.get().to_string() on:click=toggle>"⋯"</button>
            <Show when=move || is_open.get()>
                <div class="menu row-menu-list" role="menu" node_ref=list
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            close_to_button();
                        } else if let Some(list) = list.get_untracked() {
                            move_focus(&ev, &list);
                        }
                    }
                    on:click=move |_| close_to_button()>
                    {children()}
                </div>
            </Show>
        </div>
    }
}
