//! Row types and their queries, one file per table.

pub mod account;
pub mod agent;
pub mod agent_password_reset;
pub mod article;
pub mod audit;
pub mod audit_log;
pub mod contact;
pub mod contact_import;
pub mod contact_merge;
pub mod custom_view;
pub mod customer_token;
pub mod email_request;
pub mod import_upload;
pub mod invitation;
pub mod portal_account;
pub mod setting;
pub mod sign_in_failure;
pub mod ticket;
