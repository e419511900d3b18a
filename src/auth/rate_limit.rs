//! Limits on requests that send email to an address someone typed (a new invitation link, a
//! password reset), so the Help Center cannot be used to flood an inbox. Per address and per
//! client (`client_address`, which sees through trusted proxies). Counted per process:
//! several instances each allow this much.

use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub struct EmailRequestLimits {
    by_address: DefaultKeyedRateLimiter<String>,
    by_client: DefaultKeyedRateLimiter<String>,
}

impl Default for EmailRequestLimits {
    fn default() -> Self {
        let per_address = NonZeroU32::new(3).unwrap_or(NonZeroU32::MIN);
        let per_client = NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN);
        EmailRequestLimits {
            by_address: RateLimiter::keyed(Quota::per_hour(per_address)),
            by_client: RateLimiter::keyed(Quota::per_hour(per_client)),
        }
    }
}

impl EmailRequestLimits {
    /// Whether one more email may go to `address` at the request of `client` (its IP address).
    pub fn allow(&self, address: &str, client: &str) -> bool {
        self.by_client.check_key(&client.to_owned()).is_ok()
            && self.by_address.check_key(&address.to_lowercase()).is_ok()
    }
}
