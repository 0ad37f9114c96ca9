//! Form fields with their error shown right below them.

use leptos::prelude::*;

/// The message under a field: present only when there is something to say.
#[component]
pub fn FieldError(
    /// The id of the field, so the message can be tied to it for screen readers.
    #[prop(into)]
    for_field: String,
    /// What is wrong, if anything.
    #[prop(into)]
    message: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("{for_field}-error");
    view! {
        <p class="field-error" id=id role="alert" data-field=for_field hidden=move || message.get().is_none()>
            {move || message.get().unwrap_or_default()}
        </p>
    }
}

/// A labelled input with its error below it; `value` and `touched` let a page run core's rules
/// as the person types.
#[component]
pub fn TextField(
    /// Form field name, also the input's id.
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    autocomplete: &'static str,
    /// What is wrong with the field, if anything.
    #[prop(into)]
    message: Signal<Option<String>>,
    /// Mirrors what is typed.
    #[prop(optional)]
    value: Option<RwSignal<String>>,
    /// Set once the field has been left.
    #[prop(optional)]
    touched: Option<RwSignal<bool>>,
    /// A line of help under the field.
    #[prop(optional)]
    hint: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=name>{label}</label>
            <input
                id=name
                name=name
                type=kind
                autocomplete=autocomplete
                required
                aria-describedby=format!("{name}-error")
                aria-invalid=move || message.get().is_some().to_string()
                on:input=move |ev| {
                    if let Some(v) = value {
                        v.set(event_target_value(&ev));
                    }
                }
                on:blur=move |_| {
                    if let Some(t) = touched {
                        t.set(true);
                    }
                }
            />
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <FieldError for_field=name message=message/>
        </div>
    }
}

/// The server's message for one field of a form, if its last answer was about that field.
pub fn field_message(
    error: RwSignal<Option<crate::error::AppError>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.message_for(field)))
}
