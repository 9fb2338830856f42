//! The HTTP side of the core: the two authentication middlewares (`auth`), the browser session
//! (`session`) and what a server function reads from its request (`request`).
pub mod auth;
pub mod request;
pub mod session;
