//! One CSV import of contacts: who ran it, how many rows went in, and the rows turned away.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::contact_imports;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contact_imports)]
pub struct ContactImport {
    pub id: i64,
    pub agent_id: Option<i64>,
    pub file_name: String,
    pub imported: i64,
    pub rejected: i64,
    /// The rejected rows as CSV: the file's own columns, then `line` and `reason`.
    pub rejected_csv: String,
    pub created_at: NaiveDateTime,
}

impl ContactImport {
    /// The name of the file an import read, for the title of its list of contacts.
    pub fn file_name(conn: &mut DbConnection, id: i64) -> QueryResult<Option<String>> {
        contact_imports::table
            .find(id)
            .select(contact_imports::file_name)
            .first(conn)
            .optional()
    }

    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ContactImport>> {
        contact_imports::table
            .find(id)
            .select(ContactImport::as_select())
            .first(conn)
            .optional()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = contact_imports)]
pub struct NewContactImport<'a> {
    pub agent_id: Option<i64>,
    pub file_name: &'a str,
    pub imported: i64,
    pub rejected: i64,
    pub rejected_csv: &'a str,
    pub created_at: NaiveDateTime,
}

impl NewContactImport<'_> {
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<i64> {
        diesel::insert_into(contact_imports::table)
            .values(self)
            .returning(contact_imports::id)
            .get_result(conn)
    }
}
