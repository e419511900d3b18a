//! Who is asking: password hashing, session keys, CSRF, the guard for agent pages, and the
//! limits on guessing passwords and on mail to typed addresses.

pub mod client_address;
pub mod csrf;
pub mod email_requests;
pub mod guard;
pub mod hashing_threads;
pub mod password;
pub mod rate_limit;
pub mod session;
pub mod sessions;
pub mod sign_in_failures;
pub mod sign_in_throttle;
pub mod signing_in;
