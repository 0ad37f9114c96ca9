//! One file per page.

pub mod areas;
pub mod layout;
pub mod not_found;
pub mod overview;
pub mod setup;
pub mod sign_in;
