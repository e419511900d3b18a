use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
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
