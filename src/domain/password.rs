/// The documented rules for customers' passwords: long enough, not absurdly long, no
/// composition rules (NIST SP 800-63B).
pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Use at least 12 characters.")]
    TooShort,
    #[error("Use at most 128 characters.")]
    TooLong,
    #[error("The two passwords do not match.")]
    Mismatch,
}

/// A new password that follows the rules; it is hashed at once and never stored as is.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(password: &str, confirmation: &str) -> Result<NewPassword, PasswordError> {
        let length = password.chars().count();
        if length < PASSWORD_MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if length > PASSWORD_MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        if password != confirmation {
            return Err(PasswordError::Mismatch);
        }
        Ok(NewPassword(password.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Where a password's problem is shown on a form: beside the new password (the first) or
/// beside its confirmation (the second).
pub fn password_errors(error: Option<&PasswordError>) -> (Option<String>, Option<String>) {
    match error {
        Some(PasswordError::Mismatch) => (None, Some(PasswordError::Mismatch.to_string())),
        Some(error) => (Some(error.to_string()), None),
        None => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_and_confirmation_are_the_only_rules() {
        assert!(NewPassword::parse("correct horse battery", "correct horse battery").is_ok());
        assert_eq!(
            NewPassword::parse("short", "short").err(),
            Some(PasswordError::TooShort)
        );
        let long = "x".repeat(129);
        assert_eq!(
            NewPassword::parse(&long, &long).err(),
            Some(PasswordError::TooLong)
        );
        assert_eq!(
            NewPassword::parse("correct horse battery", "correct horse batter").err(),
            Some(PasswordError::Mismatch)
        );
        assert!(
            NewPassword::parse("ééééééééééééé", "ééééééééééééé").is_ok(),
            "counted in characters"
        );
    }
}
