use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

const TOKEN_BYTES: usize = 32;
/// 32 bytes in unpadded base64url.
const ENCODED_LEN: usize = 43;

/// A link token: 32 bytes from the OS generator. Only its SHA-256 digest is stored; the token
/// itself exists in the email and in memory while the email is built.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkToken(String);

impl LinkToken {
    pub fn generate() -> LinkToken {
        let mut bytes = [0u8; TOKEN_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        LinkToken(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token from a link: the right length and alphabet, or nothing.
    pub fn parse(text: &str) -> Option<LinkToken> {
        let well_formed = text.len() == ENCODED_LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && URL_SAFE_NO_PAD
                .decode(text)
                .is_ok_and(|bytes| bytes.len() == TOKEN_BYTES);
        well_formed.then(|| LinkToken(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn digest(&self) -> String {
        let hash = Sha256::digest(self.0.as_bytes());
        hash.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

/// Makes invitation links from a seed kept with the invitation, so its one reminder can send
/// the same link again while the database still holds only the link's digest: without this
/// key, derived from the server's secret key, a seed opens nothing.
#[derive(Clone)]
pub struct LinkKey([u8; 32]);

impl LinkKey {
    pub fn from_secret(secret: &[u8]) -> LinkKey {
        LinkKey(hmac_sha256(secret, b"portico invitation links"))
    }

    /// The link token for `seed`: the same seed and key always make the same token.
    pub fn token_for(&self, seed: &str) -> LinkToken {
        LinkToken(URL_SAFE_NO_PAD.encode(hmac_sha256(&self.0, seed.as_bytes())))
    }

    /// A new random seed, base64url.
    pub fn new_seed() -> String {
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        URL_SAFE_NO_PAD.encode(bytes)
    }
}

impl fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkKey(…)")
    }
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC accepts a key of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Never print the token itself: logs and panics must not leak a working link.
impl fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkToken(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_makes_the_same_link_only_with_the_same_key() {
        let key = LinkKey::from_secret(&[7u8; 64]);
        let seed = LinkKey::new_seed();
        let token = key.token_for(&seed);
        assert_eq!(
            LinkToken::parse(token.as_str()),
            Some(token.clone()),
            "a well-formed link"
        );
        assert_eq!(key.token_for(&seed), token);
        assert_ne!(key.token_for(&LinkKey::new_seed()), token);
        assert_ne!(LinkKey::from_secret(&[8u8; 64]).token_for(&seed), token);
    }

    #[test]
    fn generated_tokens_parse_and_differ() {
        let token = LinkToken::generate();
        assert_eq!(token.as_str().len(), ENCODED_LEN);
        assert_eq!(LinkToken::parse(token.as_str()), Some(token.clone()));
        assert_ne!(LinkToken::generate(), token);
        assert_eq!(token.digest().len(), 64);
        assert_eq!(format!("{token:?}"), "LinkToken(…)");
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for bad in [
            "",
            "short",
            &"a".repeat(44),
            &"!".repeat(43),
            &"a".repeat(42),
        ] {
            assert_eq!(LinkToken::parse(bad), None, "{bad:?}");
        }
    }
}
