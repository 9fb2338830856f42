pub mod account;
pub mod dashboard;
pub mod departments;
pub mod login;
pub mod not_found;
pub mod users;
