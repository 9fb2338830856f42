//! The HTTP side of the core: the two authentication middlewares (`auth`), the browser session
//! (`session`), the one-shot messages of form posts (`flash`), what a server function reads from its request (`request`), and the development
//! mailbox page (`mailbox`).
pub mod auth;
pub mod client;
pub mod flash;
pub mod headers;
pub mod mailbox;
pub mod request;
pub mod session;
