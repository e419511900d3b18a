//! Who is asking: password hashing, session keys, CSRF, and the guard for agent pages.

pub mod csrf;
pub mod guard;
pub mod hashing_threads;
pub mod password;
pub mod rate_limit;
pub mod session;
