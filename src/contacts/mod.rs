//! Changing contacts: every add, edit, spam mark, delete, restore and move goes through here, so
//! the duplicate flags and the audit trail stay right whichever page asked.

pub mod columns;
pub mod conditions;
mod contact;
mod counts;
mod criteria;
mod cursor;
pub mod custom_views;
mod duplicates;
pub mod import;
mod listing;
pub mod mass;
pub mod merge;
mod name_order;
mod search;
mod sort;
mod trigram_sample;
pub mod views;

use chrono::Duration;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::audit::{self, Actor};
use crate::auth::sessions;
use crate::db::schema::contacts;
use crate::db::{now, write_transaction, DbConnection};
use crate::domain::{folded_unless_ascii, ContactDraft, EmailAddress};

pub use contact::{Contact, ContactRow, ListedContact, ListedRow, NewContact};
pub use counts::{recent_start as counts_recent_start, ViewCounts, ViewTotal, COUNT_CAP};
pub use criteria::{count_in_view, ids_in_view, matching_ids_up_to_cap, Criteria, Scope};
pub use cursor::Cursor;
pub use duplicates::{
    refresh_all as refresh_all_duplicate_flags, refresh_duplicate_flags, refresh_flagged,
    sharing_a_key, DuplicateKeys,
};
pub use listing::{ListRequest, Page};
pub use search::{
    holds_term as search_holds_term, is_unindexed as search_is_unindexed,
    looks_rare as search_term_looks_rare,
};
pub use sort::Sort;

/// Deleted contacts can be restored for this long, then they are removed for good.
pub const RESTORE_DAYS: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    #[error("another contact already has this email address")]
    DuplicateEmail { existing_id: i64 },
    #[error("contact not found")]
    NotFound,
    /// A merged-away contact: restoring it would make an empty copy of the one it went into.
    #[error("this contact was merged into contact #{into_id}")]
    MergedInto { into_id: i64 },
    #[error(transparent)]
    Database(#[from] DieselError),
}

fn live_contact_with_email(
    conn: &mut DbConnection,
    email: Option<&EmailAddress>,
    except: Option<i64>,
) -> Result<(), ContactError> {
    let Some(email) = email else { return Ok(()) };
    match Contact::find_live_by_email(conn, email.as_str())? {
        Some(existing) if Some(existing.id) != except => Err(ContactError::DuplicateEmail {
            existing_id: existing.id,
        }),
        _ => Ok(()),
    }
}

/// The unique index is the last word when two agents add the same address at once.
fn unique_violation_as_duplicate(
    conn: &mut DbConnection,
    error: DieselError,
    email: Option<&EmailAddress>,
) -> ContactError {
    if let (DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _), Some(email)) =
        (&error, email)
    {
        if let Ok(Some(existing)) = Contact::find_live_by_email(conn, email.as_str()) {
            return ContactError::DuplicateEmail {
                existing_id: existing.id,
            };
        }
    }
    ContactError::Database(error)
}

pub fn new_contact(
    draft: &ContactDraft,
    account_id: Option<i64>,
    import_id: Option<i64>,
) -> NewContact {
    let timestamp = now();
    NewContact {
        import_id,
        name: draft.name.clone(),
        name_folded: folded_unless_ascii(&draft.name),
        email: draft.email.as_ref().map(|email| email.as_str().to_owned()),
        email_normalized: draft.email.as_ref().map(EmailAddress::normalized),
        phone: draft.phone.clone(),
        account_id,
        is_spam: false,
        created_at: timestamp,
        updated_at: timestamp,
    }
}

pub fn create(
    conn: &mut DbConnection,
    draft: &ContactDraft,
    account_id: Option<i64>,
    actor: Actor,
) -> Result<i64, ContactError> {
    write_transaction(conn, |conn| {
        live_contact_with_email(conn, draft.email.as_ref(), None)?;
        let row = new_contact(draft, account_id, None);
        let id = match row.insert(conn) {
            Ok(id) => id,
            Err(error) => {
                return Err(unique_violation_as_duplicate(
                    conn,
                    error,
                    draft.email.as_ref(),
                ))
            }
        };
        refresh_duplicate_flags(conn, &[DuplicateKeys::of_new(&row)])?;
        audit::record(
            conn,
            actor,
            "contact.created",
            ("contact", Some(id)),
            &draft.name,
        )?;
        Ok(id)
    })
}

pub fn update(
    conn: &mut DbConnection,
    id: i64,
    draft: &ContactDraft,
    account_id: Option<i64>,
    actor: Actor,
) -> Result<(), ContactError> {
    write_transaction(conn, |conn| {
        let before = Contact::find(conn, id)?
            .filter(Contact::is_live)
            .ok_or(ContactError::NotFound)?;
        live_contact_with_email(conn, draft.email.as_ref(), Some(id))?;
        let changed = diesel::update(contacts::table.find(id))
            .set((
                contacts::name.eq(&draft.name),
                contacts::name_folded.eq(folded_unless_ascii(&draft.name)),
                contacts::email.eq(draft.email.as_ref().map(|email| email.as_str())),
                contacts::email_normalized.eq(draft.email.as_ref().map(EmailAddress::normalized)),
                contacts::phone.eq(&draft.phone),
                contacts::account_id.eq(account_id),
                contacts::updated_at.eq(now()),
            ))
            .execute(conn);
        if let Err(error) = changed {
            return Err(unique_violation_as_duplicate(
                conn,
                error,
                draft.email.as_ref(),
            ));
        }
        let after = Contact::find(conn, id)?.ok_or(ContactError::NotFound)?;
        refresh_duplicate_flags(
            conn,
            &[DuplicateKeys::of(&before), DuplicateKeys::of(&after)],
        )?;
        let account_name = |conn: &mut DbConnection, id: Option<i64>| -> QueryResult<String> {
            match id {
                Some(id) => crate::db::schema::accounts::table
                    .find(id)
                    .select(crate::db::schema::accounts::name)
                    .first(conn),
                None => Ok(String::new()),
            }
        };
        let accounts = (
            account_name(conn, before.account_id)?,
            account_name(conn, after.account_id)?,
        );
        audit::record(
            conn,
            actor,
            "contact.updated",
            ("contact", Some(id)),
            &what_changed(&before, &after, accounts),
        )?;
        Ok(())
    })
}

/// "Email: ada@old.example → ada@new.example · Account: none → Acme", for the history.
fn what_changed(before: &Contact, after: &Contact, accounts: (String, String)) -> String {
    let shown = |value: Option<&str>| match value {
        Some(value) if !value.is_empty() => value.to_owned(),
        _ => "none".to_owned(),
    };
    let fields = [
        (
            "Name",
            Some(before.name.as_str()),
            Some(after.name.as_str()),
        ),
        ("Email", before.email.as_deref(), after.email.as_deref()),
        ("Phone", before.phone.as_deref(), after.phone.as_deref()),
        (
            "Account",
            Some(accounts.0.as_str()),
            Some(accounts.1.as_str()),
        ),
    ];
    let changes: Vec<String> = fields
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(label, old, new)| format!("{label}: {} → {}", shown(old), shown(new)))
        .collect();
    if changes.is_empty() {
        "Nothing changed".to_owned()
    } else {
        changes.join(" · ")
    }
}

/// Marks or unmarks live contacts as spam; returns how many changed.
pub fn set_spam(
    conn: &mut DbConnection,
    ids: &[i64],
    spam: bool,
    actor: Actor,
) -> Result<usize, ContactError> {
    write_transaction(conn, |conn| {
        let changed = diesel::update(
            contacts::table
                .filter(contacts::id.eq_any(ids))
                .filter(contacts::deleted_at.is_null())
                .filter(contacts::is_spam.ne(spam)),
        )
        .set((contacts::is_spam.eq(spam), contacts::updated_at.eq(now())))
        .execute(conn)?;
        if spam {
            sessions::end_for_contacts(conn, ids)?;
        }
        let action = if spam {
            "contact.marked_spam"
        } else {
            "contact.unmarked_spam"
        };
        for id in ids {
            audit::record(conn, actor, action, ("contact", Some(*id)), "")?;
        }
        Ok(changed)
    })
}

/// Moves live contacts to the recently deleted view; returns how many moved.
pub fn delete(conn: &mut DbConnection, ids: &[i64], actor: Actor) -> Result<usize, ContactError> {
    write_transaction(conn, |conn| {
        let deleted = diesel::update(
            contacts::table
                .filter(contacts::id.eq_any(ids))
                .filter(contacts::deleted_at.is_null()),
        )
        .set((
            contacts::deleted_at.eq(now()),
            contacts::possible_duplicate.eq(false),
        ))
        .execute(conn)?;
        sessions::end_for_contacts(conn, ids)?;
        // Removing a contact can only end duplicate groups, never start one.
        refresh_flagged(conn)?;
        for id in ids {
            audit::record(conn, actor, "contact.deleted", ("contact", Some(*id)), "")?;
        }
        Ok(deleted)
    })
}

pub fn restore(conn: &mut DbConnection, id: i64, actor: Actor) -> Result<(), ContactError> {
    write_transaction(conn, |conn| {
        let contact = Contact::find(conn, id)?
            .filter(|contact| !contact.is_live())
            .ok_or(ContactError::NotFound)?;
        if let Some(merged) = merge::rows::merged_into(conn, id)? {
            return Err(ContactError::MergedInto {
                into_id: merged.contact_id,
            });
        }
        let email = contact
            .email
            .as_deref()
            .and_then(|email| EmailAddress::parse(email).ok());
        live_contact_with_email(conn, email.as_ref(), Some(id))?;
        diesel::update(contacts::table.find(id))
            .set((
                contacts::deleted_at.eq(None::<chrono::NaiveDateTime>),
                contacts::updated_at.eq(now()),
            ))
            .execute(conn)?;
        refresh_duplicate_flags(conn, &[DuplicateKeys::of(&contact)])?;
        audit::record(conn, actor, "contact.restored", ("contact", Some(id)), "")?;
        Ok(())
    })
}

pub fn move_to_account(
    conn: &mut DbConnection,
    ids: &[i64],
    account_id: Option<i64>,
    actor: Actor,
) -> Result<usize, ContactError> {
    write_transaction(conn, |conn| {
        let moved = diesel::update(
            contacts::table
                .filter(contacts::id.eq_any(ids))
                .filter(contacts::deleted_at.is_null()),
        )
        .set((
            contacts::account_id.eq(account_id),
            contacts::updated_at.eq(now()),
        ))
        .execute(conn)?;
        for id in ids {
            audit::record(
                conn,
                actor,
                "contact.moved",
                ("contact", Some(*id)),
                &account_id.map(|id| id.to_string()).unwrap_or_default(),
            )?;
        }
        Ok(moved)
    })
}

/// Removes contacts deleted more than RESTORE_DAYS ago, with their tickets.
pub fn purge_expired_deletions(conn: &mut DbConnection) -> Result<usize, ContactError> {
    let cutoff = now() - Duration::days(RESTORE_DAYS);
    write_transaction(conn, |conn| {
        Ok(
            diesel::delete(contacts::table.filter(contacts::deleted_at.lt(cutoff)))
                .execute(conn)?,
        )
    })
}
