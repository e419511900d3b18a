//! argon2id password hashes as PHC strings, with the crate's default cost.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

#[derive(Debug, thiserror::Error)]
#[error("could not hash the password: {0}")]
pub struct HashError(String);

pub fn hash_password(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| HashError(error.to_string()))
}

pub fn verify_password(phc: &str, candidate: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Longer passwords are refused before hashing, so a huge field cannot buy CPU time.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The id of the account found (its id and stored hash) if `password` opens it. Every path
/// verifies one argon2 hash, so a wrong password and an unknown or refused address take the
/// same time; an overlong password is checked against the dummy's empty one.
pub fn verify_sign_in(found: Option<(i64, &str)>, password: &str) -> Option<i64> {
    match found {
        _ if password.len() > MAX_PASSWORD_BYTES => {
            verify_against_dummy("");
            None
        }
        Some((id, hash)) => verify_password(hash, password).then_some(id),
        None => {
            verify_against_dummy(password);
            None
        }
    }
}

/// Verifies against a real hash of a random password, so that an unknown email costs the
/// same time as a wrong password and timing does not reveal which addresses exist.
pub fn verify_against_dummy(candidate: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        let throwaway = SaltString::generate(&mut OsRng);
        hash_password(throwaway.as_str()).unwrap_or_default()
    });
    verify_password(dummy, candidate);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(&hash, "correct horse battery staple"));
        assert!(!verify_password(&hash, "Correct horse battery staple"));
        assert!(!verify_password("not a phc string", "anything"));
    }
}
