//! One-time links the Help Center emails to customers — a password reset, or the email
//! verification that finishes a self-registration — and what using one does. Only a link's
//! digest is stored; a link works once, and only until it expires.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::audit::{self, Actor};
use crate::auth::sessions::{self, Holder, SessionKey};
use crate::contacts::Contact;
use crate::db::schema::{contacts, customer_tokens, invitations, portal_accounts};
use crate::db::{write_transaction, DbConnection};
use crate::domain::{HelpCenterStatus, LinkToken};
use crate::help_center::accounts::PortalAccount;
use crate::invitations::invitation::InvitationState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    PasswordReset,
    VerifyEmail,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::PasswordReset => "password_reset",
            TokenPurpose::VerifyEmail => "verify_email",
        }
    }

    /// A reset link is a key to an existing account, so it lives briefly; a verification link
    /// only proves an address, and people read mail the next day.
    pub fn lifetime(self) -> Duration {
        match self {
            TokenPurpose::PasswordReset => Duration::hours(1),
            TokenPurpose::VerifyEmail => Duration::hours(24),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = customer_tokens)]
pub struct CustomerToken {
    pub id: i64,
    pub purpose: String,
    pub token_digest: String,
    /// The account a reset link is for; verification links name only an address.
    pub contact_id: Option<i64>,
    pub email: String,
    /// The name a visitor registered with.
    pub name: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A new link: the token goes into the email, its digest into the table.
pub struct IssuedToken {
    pub token: LinkToken,
    pub expires_at: NaiveDateTime,
}

impl CustomerToken {
    /// Stores a new link's digest. Expired links are swept out here, so none pile up.
    pub fn issue(
        conn: &mut DbConnection,
        purpose: TokenPurpose,
        contact_id: Option<i64>,
        email: &str,
        name: &str,
        now: NaiveDateTime,
    ) -> QueryResult<IssuedToken> {
        let token = LinkToken::generate();
        let expires_at = now + purpose.lifetime();
        write_transaction(conn, |conn| {
            diesel::delete(customer_tokens::table.filter(customer_tokens::expires_at.le(now)))
                .execute(conn)?;
            diesel::insert_into(customer_tokens::table)
                .values((
                    customer_tokens::purpose.eq(purpose.as_str()),
                    customer_tokens::token_digest.eq(token.digest()),
                    customer_tokens::contact_id.eq(contact_id),
                    customer_tokens::email.eq(email),
                    customer_tokens::name.eq(name),
                    customer_tokens::expires_at.eq(expires_at),
                    customer_tokens::created_at.eq(now),
                ))
                .execute(conn)
        })?;
        Ok(IssuedToken { token, expires_at })
    }

    /// The unused, unexpired link for this purpose, or nothing: every kind of invalid link
    /// looks the same. Looking does not use it up (mail scanners open links).
    pub fn find_usable(
        conn: &mut DbConnection,
        purpose: TokenPurpose,
        token: &LinkToken,
        now: NaiveDateTime,
    ) -> QueryResult<Option<CustomerToken>> {
        customer_tokens::table
            .filter(customer_tokens::token_digest.eq(token.digest()))
            .filter(customer_tokens::purpose.eq(purpose.as_str()))
            .filter(customer_tokens::used_at.is_null())
            .filter(customer_tokens::expires_at.gt(now))
            .select(CustomerToken::as_select())
            .first(conn)
            .optional()
    }

    /// Uses the link up; however many requests race, exactly one gets `true`.
    fn use_up(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
        let used = diesel::update(
            customer_tokens::table
                .find(id)
                .filter(customer_tokens::used_at.is_null())
                .filter(customer_tokens::expires_at.gt(now)),
        )
        .set(customer_tokens::used_at.eq(now))
        .execute(conn)?;
        Ok(used == 1)
    }
}

/// After any password change an older reset link must not change it again.
fn retire_reset_links(
    conn: &mut DbConnection,
    contact_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        customer_tokens::table
            .filter(customer_tokens::contact_id.eq(contact_id))
            .filter(customer_tokens::purpose.eq(TokenPurpose::PasswordReset.as_str()))
            .filter(customer_tokens::used_at.is_null()),
    )
    .set(customer_tokens::used_at.eq(now))
    .execute(conn)
}

/// The customer behind `contact` with an activated account, deactivated since or not: whose
/// password a sign-in checks, so a right password on a deactivated account can be told so.
pub fn customer_with_a_password(
    conn: &mut DbConnection,
    contact: Option<Contact>,
) -> QueryResult<Option<(Contact, PortalAccount)>> {
    let Some(contact) = contact.filter(|contact| contact.is_live() && !contact.is_spam) else {
        return Ok(None);
    };
    let account = PortalAccount::for_contact(conn, contact.id)?;
    Ok(account
        .filter(|account| account.activated_at.is_some())
        .map(|account| (contact, account)))
}

/// The contact and account behind a Help Center sign-in: a live, non-spam contact whose
/// account is activated and not deactivated. Anything else is nobody.
pub fn customer_who_can_sign_in(
    conn: &mut DbConnection,
    contact: Option<Contact>,
) -> QueryResult<Option<(Contact, PortalAccount)>> {
    Ok(customer_with_a_password(conn, contact)?.filter(|(_, account)| account.can_sign_in()))
}

/// The new password of an account that can sign in; its sessions but `kept` end.
fn replace_password_hash(
    conn: &mut DbConnection,
    contact_id: i64,
    password_hash: &str,
    kept: Option<&SessionKey>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        portal_accounts::table
            .filter(portal_accounts::contact_id.eq(contact_id))
            .filter(portal_accounts::activated_at.is_not_null())
            .filter(portal_accounts::deactivated_at.is_null()),
    )
    .set((
        portal_accounts::password_hash.eq(password_hash),
        portal_accounts::updated_at.eq(now),
        portal_accounts::password_changed_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 1 {
        sessions::end_all_but(conn, Holder::Customer(contact_id), kept)?;
    }
    Ok(changed == 1)
}

/// Sets a new password through a reset link, in one transaction that uses the link up and
/// retires the contact's other reset links. Returns the contact to sign in, or nothing when
/// the link (or the account) is no longer good.
pub fn redeem_password_reset(
    conn: &mut DbConnection,
    token: &LinkToken,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<i64>> {
    write_transaction(conn, |conn| {
        let Some(row) = CustomerToken::find_usable(conn, TokenPurpose::PasswordReset, token, now)?
        else {
            return Ok(None);
        };
        let Some(contact_id) = row.contact_id else {
            return Ok(None);
        };
        if !CustomerToken::use_up(conn, row.id, now)? {
            return Ok(None);
        }
        let contact = Contact::find(conn, contact_id)?;
        if customer_who_can_sign_in(conn, contact)?.is_none()
            || !replace_password_hash(conn, contact_id, password_hash, None, now)?
        {
            return Ok(None);
        }
        retire_reset_links(conn, contact_id, now)?;
        audit::record(
            conn,
            Actor::Contact(contact_id),
            "portal.password_reset",
            ("contact", Some(contact_id)),
            "",
        )?;
        Ok(Some(contact_id))
    })
}

/// A signed-in customer's new password, typed on the session `kept`: their other sessions
/// end and outstanding reset links stop working.
pub fn change_password(
    conn: &mut DbConnection,
    contact_id: i64,
    password_hash: &str,
    kept: &SessionKey,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    write_transaction(conn, |conn| {
        if !replace_password_hash(conn, contact_id, password_hash, Some(kept), now)? {
            return Ok(false);
        }
        retire_reset_links(conn, contact_id, now)?;
        audit::record(
            conn,
            Actor::Contact(contact_id),
            "portal.password_changed",
            ("contact", Some(contact_id)),
            "",
        )?;
        Ok(true)
    })
}

/// Ends every session of a signed-in customer but `kept`, recorded in the audit log; `false`
/// when the account can no longer sign in at all.
pub fn end_other_sessions(
    conn: &mut DbConnection,
    contact_id: i64,
    kept: &SessionKey,
) -> QueryResult<bool> {
    write_transaction(conn, |conn| {
        let contact = Contact::find(conn, contact_id)?;
        if customer_who_can_sign_in(conn, contact)?.is_none() {
            return Ok(false);
        }
        sessions::end_all_but(conn, Holder::Customer(contact_id), Some(kept))?;
        audit::record(
            conn,
            Actor::Contact(contact_id),
            "portal.signed_out_elsewhere",
            ("contact", Some(contact_id)),
            "",
        )?;
        Ok(true)
    })
}

/// Finishes a self-registration: uses the verification link up and activates the account of
/// `contact_id` (the live contact holding the link's address, found or created beforehand).
/// Nothing happens for a spam contact, a deactivated account or one already activated.
/// A live invitation is revoked: the account exists now, and its link must not reset it.
pub fn complete_registration(
    conn: &mut DbConnection,
    token: &LinkToken,
    contact_id: i64,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<i64>> {
    write_transaction(conn, |conn| {
        let Some(row) = CustomerToken::find_usable(conn, TokenPurpose::VerifyEmail, token, now)?
        else {
            return Ok(None);
        };
        let contact = Contact::find(conn, contact_id)?.filter(|contact| {
            contact.is_live() && !contact.is_spam && contact.email.as_deref() == Some(&row.email)
        });
        let Some(contact) = contact else {
            return Ok(None);
        };
        let account = PortalAccount::for_contact(conn, contact.id)?;
        if account.is_some_and(|account| {
            account.activated_at.is_some() || account.deactivated_at.is_some()
        }) {
            return Ok(None);
        }
        if !CustomerToken::use_up(conn, row.id, now)? {
            return Ok(None);
        }
        PortalAccount::activate(conn, contact.id, password_hash, now)?;
        diesel::update(contacts::table.find(contact.id))
            .set((
                contacts::help_center_status.eq(HelpCenterStatus::Activated.as_str()),
                contacts::invitation_expires_at.eq(None::<NaiveDateTime>),
                contacts::updated_at.eq(now),
            ))
            .execute(conn)?;
        diesel::update(
            invitations::table
                .filter(invitations::contact_id.eq(contact.id))
                .filter(invitations::state.eq_any(InvitationState::LIVE)),
        )
        .set((
            invitations::state.eq(InvitationState::Revoked.as_str()),
            invitations::revoked_at.eq(now),
        ))
        .execute(conn)?;
        audit::record(
            conn,
            Actor::Contact(contact.id),
            "portal.registered",
            ("contact", Some(contact.id)),
            &contact.name,
        )?;
        Ok(Some(contact.id))
    })
}
