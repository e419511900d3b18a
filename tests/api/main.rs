//! One integration test binary: a real server on a real database, driven over HTTP.

mod browser;
mod helpers;
mod smtp_server;

mod auth;
mod contacts;
mod health;
mod journeys;
mod mail;
