//! Types that parse: once built, they hold only valid values.

mod contact_fields;
mod email;
mod folding;
mod help_center;
mod invite_token;
mod password;
mod text;
mod time_zone;

pub use contact_fields::{ContactDraft, ContactFieldErrors};
pub use email::{EmailAddress, EmailError};
pub use folding::{folded, folded_unless_ascii};
pub use help_center::{HelpCenterStatus, ShownStatus};
pub use invite_token::{LinkKey, LinkToken};
pub use password::{
    password_errors, NewPassword, PasswordError, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS,
};
pub use text::{one_line, paragraphs, spreadsheet_safe};
pub use time_zone::{relative, TimeZone};
