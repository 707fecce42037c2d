//! The web integration tests: one binary. Each test starts the app on a
//! random port over a fresh database, on SQLite and then on PostgreSQL,
//! and drives it over HTTP as a browser without JavaScript would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod accounts;
mod allocations;
mod api;
mod api_tokens;
mod care;
mod dashboard;
mod demo;
mod exports;
mod imports;
mod mail;
mod matrix;
mod meetings;
mod messages;
mod moving;
mod notices;
mod peps;
mod profile;
mod quality;
mod reminders;
mod resilience;
mod security;
mod sign_in;
mod sign_off;
mod support;
mod targets_funding;
mod two_step;
mod typed_pages;
mod xss;
