//! One integration test binary: a real server on a real database, driven over HTTP.

mod browser;
mod helpers;
mod smtp_server;

mod accounts;
mod action_bar;
mod agent_password_reset;
mod auth;
mod bulk_jobs;
mod bulk_jobs_takeover;
mod clean_input;
mod contacts;
mod contacts_import;
mod contacts_merge;
mod contacts_search;
mod custom_views;
mod delivery_unknown;
mod demo;
mod health;
mod invitations;
mod journeys;
mod journeys_bulk;
mod knowledge_base;
mod layout;
mod mail;
mod new_link;
mod page_checks;
mod portal;
mod screenshots;
mod search_folding;
mod sessions;
mod settings;
mod tickets;
mod time_zones;
mod view_columns;
mod view_conditions;
