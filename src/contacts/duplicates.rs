//! Possible duplicates: live contacts sharing a normalized email address, or a name and phone.
//! The flag on each row is recomputed whenever a change could start or end a group.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use crate::contacts::{Contact, NewContact};
use crate::db::schema::contacts;
use crate::db::DbConnection;

const IS_POSSIBLE_DUPLICATE: &str = "(contacts.deleted_at IS NULL AND (\
    EXISTS (SELECT 1 FROM contacts AS other WHERE other.id <> contacts.id AND other.deleted_at IS NULL \
            AND other.email_normalized = contacts.email_normalized) \
    OR EXISTS (SELECT 1 FROM contacts AS other WHERE other.id <> contacts.id AND other.deleted_at IS NULL \
            AND other.name = contacts.name AND other.phone = contacts.phone)))";

/// What makes two contacts possible duplicates of each other.
#[derive(Debug, Clone)]
pub struct DuplicateKeys {
    pub email_normalized: Option<String>,
    pub name: String,
    pub phone: Option<String>,
}

impl DuplicateKeys {
    pub fn of(contact: &Contact) -> DuplicateKeys {
        DuplicateKeys {
            email_normalized: contact.email_normalized.clone(),
            name: contact.name.clone(),
            phone: contact.phone.clone(),
        }
    }

    pub fn of_new(contact: &NewContact) -> DuplicateKeys {
        DuplicateKeys {
            email_normalized: contact.email_normalized.clone(),
            name: contact.name.clone(),
            phone: contact.phone.clone(),
        }
    }
}

/// Recomputes the flag of every contact sharing any of these keys.
pub fn refresh_duplicate_flags(conn: &mut DbConnection, keys: &[DuplicateKeys]) -> QueryResult<()> {
    let mut ids: Vec<i64> = Vec::new();
    for key in keys {
        if let Some(email) = &key.email_normalized {
            ids.extend(
                contacts::table
                    .filter(contacts::email_normalized.eq(email))
                    .filter(contacts::deleted_at.is_null())
                    .select(contacts::id)
                    .load::<i64>(conn)?,
            );
        }
        if let Some(phone) = &key.phone {
            ids.extend(
                contacts::table
                    .filter(contacts::name.eq(&key.name))
                    .filter(contacts::phone.eq(phone))
                    // Matches the partial index contacts_name_phone, so this is a lookup, not a scan.
                    .filter(contacts::deleted_at.is_null())
                    .select(contacts::id)
                    .load::<i64>(conn)?,
            );
        }
    }
    ids.sort_unstable();
    ids.dedup();
    recompute(conn, &ids)
}

/// Recomputes every live contact's flag: for small databases (the demo) only.
pub fn refresh_all(conn: &mut DbConnection) -> QueryResult<()> {
    let ids: Vec<i64> = contacts::table
        .filter(contacts::deleted_at.is_null())
        .select(contacts::id)
        .load(conn)?;
    recompute(conn, &ids)
}

/// Recomputes the flag of every contact flagged now: enough after deletions and merges.
pub fn refresh_flagged(conn: &mut DbConnection) -> QueryResult<()> {
    let ids: Vec<i64> = contacts::table
        .filter(contacts::possible_duplicate.eq(true))
        .select(contacts::id)
        .load(conn)?;
    recompute(conn, &ids)
}

fn recompute(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<()> {
    for chunk in ids.chunks(500) {
        diesel::update(contacts::table.filter(contacts::id.eq_any(chunk)))
            .set(contacts::possible_duplicate.eq(sql::<Bool>(IS_POSSIBLE_DUPLICATE)))
            .execute(conn)?;
    }
    Ok(())
}

/// The live contacts sharing a key with `contact`, itself included; `None` when it has no
/// key (no email and no phone), so nothing can be its duplicate.
pub fn sharing_a_key(
    contact: &Contact,
) -> Option<contacts::BoxedQuery<'static, crate::db::MultiBackend>> {
    let query = contacts::table
        .filter(contacts::deleted_at.is_null())
        .into_boxed();
    let same_name_and_phone = |phone: &String| {
        contacts::name
            .eq(contact.name.clone())
            .and(contacts::phone.eq(phone.clone()))
    };
    Some(match (&contact.email_normalized, &contact.phone) {
        (Some(email), Some(phone)) => query.filter(
            contacts::email_normalized
                .eq(email.clone())
                .or(same_name_and_phone(phone)),
        ),
        (Some(email), None) => query.filter(contacts::email_normalized.eq(email.clone())),
        (None, Some(phone)) => query.filter(same_name_and_phone(phone)),
        (None, None) => return None,
    })
}
