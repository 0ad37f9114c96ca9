//! Invitations from other tenants, answered by the signed-in person: shown on the home page,
//! since a person invited before they belong anywhere lands there.

use crate::api::{answer_invitation, load_invitations};
use crate::components::browser::{hard_navigate, local_time, ClientOnly};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The person's open invitations with Accept and Decline; nothing at all when there are none.
#[component]
pub fn InvitationsPanel() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let invitations = LocalResource::new(move || {
        version.get();
        load_invitations()
    });
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let answer = move |tenant: String, accept: bool| {
        busy.set(true);
        spawn_local(async move {
            match answer_invitation(tenant, accept).await {
                // Joining changes the tenants the person may enter: reload the whole page.
                Ok(()) if accept => hard_navigate("/"),
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e.0.message)),
            }
            busy.set(false);
        });
    };
    view! {
        <ClientOnly><Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match invitations.await {
                    Ok(list) if list.is_empty() => ().into_any(),
                    Ok(list) => view! {
                        <section class="panel" id="invitations" aria-label="Invitations">
                            <h2>"Invitations"</h2>
                            <p class="muted">"You have no access to these tenants until you accept."</p>
                            <div class="alert alert-error" role="alert" hidden=move || error.get().is_none()>{move || error.get()}</div>
                            <table class="data-table compact">
                                <thead><tr><th scope="col">"Tenant"</th><th scope="col">"Access offered"</th>
                                    <th scope="col">"Invited by"</th><th scope="col">"When"</th>
                                    <th scope="col"><span class="visually-hidden">"Answer"</span></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|i| {
                                        let (accept_id, decline_id) = (i.tenant_id.to_string(), i.tenant_id.to_string());
                                        view! {
                                            <tr data-invitation=i.tenant_name.clone()>
                                                <td><strong>{i.tenant_name.clone()}</strong></td>
                                                <td>{i.access.clone()}</td>
                                                <td class="muted">{i.invited_by.clone()}</td>
                                                <td class="muted nowrap">{local_time(i.created_at.timestamp_millis())}</td>
                                                <td class="row-actions">
                                                    <button type="button" class="button button-primary" disabled=move || busy.get()
                                                        on:click=move |_| answer(accept_id.clone(), true)>"Accept"</button>
                                                    <button type="button" class="link-button" disabled=move || busy.get()
                                                        on:click=move |_| answer(decline_id.clone(), false)>"Decline"</button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <p class="field-error">{e.0.message}</p> }.into_any(),
                }
            })}
        </Transition></ClientOnly>
    }
}
