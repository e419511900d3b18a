use std::fmt;

/// An email address that lettre accepts as a recipient, kept lowercase so that uniqueness and
/// look-ups are case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an email address.")]
    Empty,
    #[error("Email addresses are at most 254 characters.")]
    TooLong,
    #[error("“{0}” is not a valid email address.")]
    Invalid(String),
}

impl EmailAddress {
    pub fn parse(input: &str) -> Result<EmailAddress, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let lowercase = trimmed.to_lowercase();
        match lowercase.parse::<lettre::Address>() {
            // A quoted local part ("a b"@x) parses, but mail servers and the mailer's own
            // headers refuse it: it would be saved and never reach anyone.
            Ok(address) if address.user().starts_with('"') => {
                Err(EmailError::Invalid(trimmed.to_owned()))
            }
            Ok(address) if address.domain().contains('.') || address.domain() == "localhost" => {
                Ok(EmailAddress(lowercase))
            }
            _ => Err(EmailError::Invalid(trimmed.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0
            .rsplit_once('@')
            .map(|(_, domain)| domain)
            .unwrap_or("")
    }

    /// The form two addresses of one person share: no "+tag", and for Gmail no dots in the
    /// local part. Used to find possible duplicates, never to send mail.
    pub fn normalized(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or((&self.0, ""));
        let local = local.split('+').next().unwrap_or(local);
        let domain = if domain == "googlemail.com" {
            "gmail.com"
        } else {
            domain
        };
        let local = if domain == "gmail.com" {
            local.replace('.', "")
        } else {
            local.to_owned()
        };
        format!("{local}@{domain}")
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_kept_lowercase() {
        let email = EmailAddress::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.com");
        assert_eq!(email.domain(), "example.com");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for input in [
            "",
            "   ",
            "no-at-sign",
            "two@@example.com",
            "a@b",
            "spaces in@example.com",
        ] {
            assert!(
                EmailAddress::parse(input).is_err(),
                "{input:?} was accepted"
            );
        }
    }

    #[test]
    fn plus_tags_and_gmail_dots_normalize_away() {
        let tagged = EmailAddress::parse("jo.ann+support@gmail.com").unwrap();
        assert_eq!(tagged.normalized(), "joann@gmail.com");
        let work = EmailAddress::parse("jo.ann+x@acme.io").unwrap();
        assert_eq!(work.normalized(), "jo.ann@acme.io");
    }
}
