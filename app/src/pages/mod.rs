//! One file per page.

pub mod access_panels;
pub mod activity;
pub mod apps;
pub mod areas;
pub mod consent;
pub mod customer_360;
pub mod layout;
pub mod not_found;
pub mod overview;
pub mod setup;
pub mod sign_in;
pub mod sources;
pub mod users;
pub mod welcome;
