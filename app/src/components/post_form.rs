//! A form that sends one server function: as the browser's own POST until the bundle has
//! loaded, through its action after.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::web_sys::{FormData, HtmlFormElement};

/// The fields of the form being sent, as the browser holds them (autofilled ones included).
pub struct Fields(Option<FormData>);

impl Fields {
    /// The field named `name`, or empty if the form has none.
    pub fn get(&self, name: &str) -> String {
        self.0
            .as_ref()
            .and_then(|f| f.get(name).as_string())
            .unwrap_or_default()
    }
}

/// Leptos' `ActionForm` without its generic form parsing: `args` names each argument's field,
/// so no query-string parser (about 5 KB compressed) sits in the browser's first download.
/// Without the bundle, the browser posts the same fields, which the server reads as it reads
/// every form.
#[component]
pub fn PostForm<S>(
    action: ServerAction<S>,
    args: impl Fn(&Fields) -> S + Send + Sync + 'static,
    children: Children,
) -> impl IntoView
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let form = event_target::<HtmlFormElement>(&ev);
        action.dispatch(args(&Fields(FormData::new_with_form(&form).ok())));
    };
    view! {
        <form method="post" action=S::url() on:submit=submit>
            {children()}
        </form>
    }
}
