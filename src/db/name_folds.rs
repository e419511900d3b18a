//! The folded names search compares (`domain::folded`) for rows written before it did: made
//! once, by the app, right after the migration that added the columns, since neither
//! database can fold accents the same way in SQL.

use diesel::migration::MigrationVersion;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::literal::CodeSql;
use super::schema::{accounts, contacts};
use super::{backend_of, write_transaction, Backend, DbConnection};
use crate::domain::folded;

/// The migration that added `contacts.name_folded` and `accounts.name_folded`.
const FOLDS_ADDED_BY: &str = "20261207000086";

pub(super) fn came_with(applied: &[MigrationVersion<'_>]) -> bool {
    applied
        .iter()
        .any(|version| version.to_string() == FOLDS_ADDED_BY)
}

pub(super) fn fill_in(conn: &mut DbConnection) -> QueryResult<()> {
    let backend = backend_of(conn);
    let beyond_ascii = |column: &str| {
        CodeSql::<Bool>::new(match backend {
            Backend::Sqlite => format!("length({column}) <> length(CAST({column} AS BLOB))"),
            Backend::Postgres => format!("octet_length({column}) <> char_length({column})"),
        })
    };
    let contact_names: Vec<(i64, String)> = contacts::table
        .filter(beyond_ascii("contacts.name"))
        .select((contacts::id, contacts::name))
        .load(conn)?;
    let account_names: Vec<(i64, String)> = accounts::table
        .filter(beyond_ascii("accounts.name"))
        .select((accounts::id, accounts::name))
        .load(conn)?;
    write_transaction(conn, |conn| {
        for (id, name) in &contact_names {
            diesel::update(contacts::table.find(id))
                .set(contacts::name_folded.eq(folded(name)))
                .execute(conn)?;
        }
        for (id, name) in &account_names {
            diesel::update(accounts::table.find(id))
                .set(accounts::name_folded.eq(folded(name)))
                .execute(conn)?;
        }
        Ok(())
    })
}
