//! Integration tests: the real server on port 0 against a fresh PostgreSQL database per test.
mod auth;
mod errors;
mod helpers;
mod provisioning;
mod team;
mod tenancy;
mod web;
