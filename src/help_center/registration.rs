//! Self-registration in the Help Center: who asking with an address gets which email.

use diesel::QueryResult;

use super::accounts::PortalAccount;
use super::links::{CustomerToken, IssuedToken, TokenPurpose};
use crate::contacts::Contact;
use crate::db::{now, DbConnection};
use crate::domain::EmailAddress;

pub enum Outcome {
    Verify { name: String, issued: IssuedToken },
    AlreadyRegistered { name: String },
    Nothing,
}

/// Who gets which email when `address` asks to register as `name`: a verification link
/// (issued here), a pointer to sign in for an existing account, or nothing for spam contacts
/// and deactivated accounts.
pub fn ask(conn: &mut DbConnection, address: &EmailAddress, name: String) -> QueryResult<Outcome> {
    if let Some(contact) = Contact::find_live_by_email(conn, address.as_str())? {
        if contact.is_spam {
            return Ok(Outcome::Nothing);
        }
        match PortalAccount::for_contact(conn, contact.id)? {
            Some(account) if account.deactivated_at.is_some() => return Ok(Outcome::Nothing),
            Some(account) if account.can_sign_in() => {
                return Ok(Outcome::AlreadyRegistered { name: contact.name })
            }
            _ => {}
        }
    }
    let issued = CustomerToken::issue(
        conn,
        TokenPurpose::VerifyEmail,
        None,
        address.as_str(),
        &name,
        now(),
    )?;
    Ok(Outcome::Verify { name, issued })
}
