//! Integration tests: the real server on port 0 against a fresh PostgreSQL database per test.
mod asaas;
mod auth;
mod billing;
mod errors;
mod helpers;
mod provisioning;
mod signup;
mod team;
mod tenancy;
mod web;
