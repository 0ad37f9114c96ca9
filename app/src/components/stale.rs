//! What a dialog shows when its save was refused because someone else changed the record first.

use leptos::prelude::*;

/// Lists what the other person changed and says the person's own edit now applies to the
/// current version; hidden until a save is refused as stale.
#[component]
pub fn StaleNotice(changes: RwSignal<Option<Vec<String>>>) -> impl IntoView {
    let lines = move || changes.get().unwrap_or_default();
    view! {
        <div class="alert alert-warning" role="alert" hidden=move || changes.with(Option::is_none)>
            <p><strong>"Someone else changed this while you were editing."</strong></p>
            <ul hidden=move || lines().is_empty()>
                {move || lines().into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
            </ul>
            <p hidden=move || !lines().is_empty()>"Their change does not touch what you edited here."</p>
            <p>"Your changes are kept and now apply to the current version. Review them and save again."</p>
        </div>
    }
}
