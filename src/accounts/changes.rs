//! Adding, renaming and deleting accounts, each in one transaction with its audit event.

use diesel::QueryResult;

use super::{Account, ContactCounts, NewAccount};
use crate::audit::{self, Actor};
use crate::db::{now, write_transaction, DbConnection};

pub enum Saved {
    Done(i64),
    /// Another account already has the name, ignoring case: its id and name.
    Duplicate(i64, String),
}

/// Adds an account named `name`, or renames account `id` to it; `None` when there is no
/// account `id`.
pub fn save(
    conn: &mut DbConnection,
    actor: Actor,
    id: Option<i64>,
    name: &str,
) -> QueryResult<Option<Saved>> {
    write_transaction(conn, |conn| {
        if let Some(id) = id {
            if Account::find(conn, id)?.is_none() {
                return Ok(None);
            }
        }
        Account::lock_names(conn)?;
        if let Some(existing) = Account::find_other_by_name(conn, name, id)? {
            return Ok(Some(Saved::Duplicate(existing.id, existing.name)));
        }
        let timestamp = now();
        let (id, action) = match id {
            Some(id) => {
                Account::rename(conn, id, name, timestamp)?;
                (id, "account.renamed")
            }
            None => {
                let new_account = NewAccount {
                    name,
                    created_at: timestamp,
                    updated_at: timestamp,
                };
                (new_account.insert(conn)?, "account.created")
            }
        };
        audit::record(conn, actor, action, ("account", Some(id)), name)?;
        Ok(Some(Saved::Done(id)))
    })
}

/// Deletes account `id`; its contacts stay, without an account. The account's name and how
/// many contacts it had, or `None` when there is no such account.
pub fn delete(
    conn: &mut DbConnection,
    actor: Actor,
    id: i64,
) -> QueryResult<Option<(String, ContactCounts)>> {
    write_transaction(conn, |conn| {
        let Some(account) = Account::find(conn, id)? else {
            return Ok(None);
        };
        let counts = Account::contact_counts(conn, &[id])?
            .remove(&id)
            .unwrap_or_default();
        Account::delete(conn, id)?;
        audit::record(
            conn,
            actor,
            "account.deleted",
            ("account", Some(id)),
            &account.name,
        )?;
        Ok(Some((account.name, counts)))
    })
}
