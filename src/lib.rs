//! Portico: help-desk agents invite their contacts to a self-service Help Center.

pub mod auth;
pub mod cli;
pub mod config;
pub mod contacts;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod invitations;
pub mod jobs;
pub mod mail;
pub mod markdown;
pub mod priority;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
