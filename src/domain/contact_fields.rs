use super::email::EmailAddress;

pub const NAME_MAX_CHARS: usize = 200;
pub const PHONE_MAX_CHARS: usize = 40;

/// A contact's editable fields, parsed from what an agent typed (a form or a CSV row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDraft {
    pub name: String,
    pub email: Option<EmailAddress>,
    pub phone: Option<String>,
}

/// One message per field, to show beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactFieldErrors {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl ContactFieldErrors {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.email.is_none() && self.phone.is_none()
    }

    /// All messages in one line, for a CSV row's rejection reason.
    pub fn summary(&self) -> String {
        [&self.name, &self.email, &self.phone]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl ContactDraft {
    pub fn parse(name: &str, email: &str, phone: &str) -> Result<ContactDraft, ContactFieldErrors> {
        let mut errors = ContactFieldErrors::default();
        let name = super::one_line(name);
        if name.is_empty() {
            errors.name = Some("Enter the contact's name.".to_owned());
        } else if name.chars().count() > NAME_MAX_CHARS {
            errors.name = Some(format!("Names are at most {NAME_MAX_CHARS} characters."));
        }
        let email = if email.trim().is_empty() {
            None
        } else {
            match EmailAddress::parse(email) {
                Ok(address) => Some(address),
                Err(error) => {
                    errors.email = Some(error.to_string());
                    None
                }
            }
        };
        let phone = phone.trim();
        let phone = if phone.is_empty() {
            None
        } else if phone.chars().count() > PHONE_MAX_CHARS
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().x/".contains(c))
        {
            errors.phone =
                Some("Enter a phone number with digits, spaces and + - ( ) only.".to_owned());
            None
        } else {
            Some(phone.to_owned())
        };
        if errors.is_empty() {
            Ok(ContactDraft { name, email, phone })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_trimmed_and_an_empty_email_is_none() {
        let draft = ContactDraft::parse("  Grace   Hopper ", " ", " +1 555 0100 ").unwrap();
        assert_eq!(draft.name, "Grace Hopper");
        assert_eq!(draft.email, None);
        assert_eq!(draft.phone.as_deref(), Some("+1 555 0100"));
    }

    #[test]
    fn each_bad_field_gets_its_own_message() {
        let errors = ContactDraft::parse("", "not-an-email", "call me").unwrap_err();
        assert!(errors.name.is_some() && errors.email.is_some() && errors.phone.is_some());
        let long = "x".repeat(NAME_MAX_CHARS + 1);
        assert!(ContactDraft::parse(&long, "", "")
            .unwrap_err()
            .name
            .is_some());
    }
}
