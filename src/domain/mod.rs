//! Types that parse: once built, they hold only valid values.

mod contact_fields;
mod email;
mod help_center;

pub use contact_fields::{ContactDraft, ContactFieldErrors};
pub use email::{EmailAddress, EmailError};
pub use help_center::{HelpCenterStatus, ShownStatus};
