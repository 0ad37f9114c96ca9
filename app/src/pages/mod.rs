//! One file per page.

pub mod access_panels;
pub mod activity;
pub mod apps;
pub mod authorization_summary;
pub mod authorization_wizard;
pub mod authorizations;
pub mod consent;
pub mod customer_360;
pub mod invitations;
pub mod job;
pub mod jobs;
pub mod layout;
pub mod lazy;
pub mod not_found;
pub mod overview;
pub mod setup;
pub mod sign_in;
pub mod sources;
pub mod sso;
pub mod users;
pub mod welcome;
