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
