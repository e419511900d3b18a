//! Types that parse: once built, they hold only valid values.

mod email;

pub use email::{EmailAddress, EmailError};
