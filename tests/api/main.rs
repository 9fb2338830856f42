//! Integration tests: the real server on port 0 against a fresh PostgreSQL database per test.
mod asaas;
mod auth;
mod billing;
mod company;
mod departments;
mod errors;
mod helpers;
mod lists;
mod mail;
mod provisioning;
mod sessions;
mod sign_in;
mod signup;
mod smtp;
mod tenancy;
mod users;
mod web;
