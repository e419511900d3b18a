//! Customers' Help Center accounts, their one-time links, and the Help Center settings.

pub mod accounts;
pub mod branding;
pub mod emails;
pub mod links;
pub mod registration;
pub mod settings;
