//! What both HTTP faces of the server (the console's routes and the REST API) read from a
//! request and how they answer a refusal.

pub mod problem;
pub mod request;
