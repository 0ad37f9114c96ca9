//! All SQL lives here, one file per kind of record. Every query on tenant data names its tenant.

pub mod access;
pub mod activity;
pub mod apps;
pub mod authorizations;
pub mod boards;
pub mod campaigns;
pub mod columns;
pub mod demo;
pub mod domains;
pub mod id_pages;
pub mod installs;
pub mod invitations;
pub mod jobs;
pub mod keyset;
pub mod memo;
pub mod oauth_states;
pub mod overview;
pub mod people;
pub mod rate_counters;
mod read_pin;
pub mod reads;
pub mod sealed;
pub mod sessions;
pub mod setup;
pub mod sso;
pub mod tenants;
pub mod users;
pub mod versions;

/// Whether the database answers (for health checks).
pub async fn ping(pool: &sqlx::AnyPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
}
