//! Pieces every page uses: one of each, so pages do not grow their own copies.

pub mod access;
pub mod auth_card;
pub mod browser;
pub mod chart;
pub mod dialog;
pub mod field;
pub mod menu;
pub mod post_form;
pub mod problem;
pub mod stale;
pub mod status;
pub mod table;
