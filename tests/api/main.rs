//! One integration test binary: a real server on a real database, driven over HTTP.

mod browser;
mod helpers;
mod smtp_server;

mod accounts;
mod agent_password_reset;
mod auth;
mod contacts;
mod contacts_import;
mod contacts_kept_pages;
mod contacts_merge;
mod contacts_search;
mod custom_views;
mod demo;
mod health;
mod invitations;
mod journeys;
mod knowledge_base;
mod mail;
mod portal;
mod settings;
mod tickets;
