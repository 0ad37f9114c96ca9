//! Sources: the raw feeds behind every database. Reaching all of a tenant's data, it opens only
//! through an assignment on *All resource groups*; anyone else is told why.

use crate::api::load_sources;
use crate::components::problem::ProblemPanel;
use leptos::prelude::*;
use leptos_meta::Title;

/// Sources.
#[component]
pub fn SourcesPage() -> impl IntoView {
    let decision = Resource::new(|| (), |_| load_sources());
    view! {
        <Title text="Sources"/>
        <div class="page-header">
            <div>
                <h1>"Sources"</h1>
                <p class="muted">"The feeds every database is built from. Sources hold all of the tenant's data, PII included."</p>
            </div>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Checking your access…"</p> }>
            {move || Suspend::new(async move {
                match decision.await {
                    Ok(d) if d.allowed => view! {
                        <section class="panel" id="sources-open">
                            <p><span class="status status-ok">"Open"</span>" "{d.reason.explain()}"."</p>
                            <p class="muted">"No sources are connected to this tenant yet; feeds arrive through authorizations and jobs."</p>
                        </section>
                    }.into_any(),
                    Ok(d) => view! {
                        <section class="problem-panel" id="sources-refused" role="alert">
                            <h2>"Sources are not open to you"</h2>
                            <p>{capitalise(&d.reason.explain())}"."</p>
                            <p class="muted">"Ask a User Administrator for a policy on All resource groups if your work needs every source."</p>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <ProblemPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The reason (core's English, which starts with an ASCII letter) as a sentence of its own.
fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => std::iter::once(first.to_ascii_uppercase())
            .chain(chars)
            .collect(),
        None => String::new(),
    }
}
