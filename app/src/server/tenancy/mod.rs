//! The ground floor: what a tenant is and the only road to its data, with no HTTP in it.
//! `slug` (names), `tenant` (the registry row), `db` (the schema-bound handles), `directory`
//! (the cached registry) and `context` (an authenticated tenant + user, made by `resolve`).
pub mod context;
pub mod db;
pub mod directory;
pub mod slug;
pub mod tenant;
