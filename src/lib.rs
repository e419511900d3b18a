//! Portico: help-desk agents invite their contacts to a self-service Help Center.

pub mod accounts;
pub mod agents;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod contacts;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod help_center;
pub mod invitations;
pub mod jobs;
pub mod knowledge_base;
pub mod mail;
pub mod markdown;
pub mod monitoring;
pub mod priority;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tickets;
