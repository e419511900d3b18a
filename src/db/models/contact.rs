use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{accounts, contacts};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contacts)]
pub struct Contact {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub email_normalized: Option<String>,
    pub phone: Option<String>,
    pub account_id: Option<i64>,
    pub is_spam: bool,
    pub help_center_status: String,
    pub last_invited_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A row of the contacts list: the contact and the name of its account.
#[derive(Debug, Clone)]
pub struct ContactRow {
    pub contact: Contact,
    pub account_name: Option<String>,
}

/// Where a page of the name-ordered list starts: after this (name, id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameCursor {
    pub name: String,
    pub id: i64,
}

impl Contact {
    /// One page of live, non-spam contacts ordered by name, read with a keyset so a deep page
    /// costs what the first does.
    pub fn page_by_name(
        conn: &mut DbConnection,
        after: Option<&NameCursor>,
        limit: i64,
    ) -> QueryResult<Vec<ContactRow>> {
        let mut query = contacts::table
            .left_join(accounts::table)
            .filter(contacts::deleted_at.is_null())
            .filter(contacts::is_spam.eq(false))
            .select((Contact::as_select(), accounts::name.nullable()))
            .order((contacts::name.asc(), contacts::id.asc()))
            .limit(limit)
            .into_boxed();
        if let Some(cursor) = after {
            query = query.filter(
                contacts::name.gt(cursor.name.clone()).or(contacts::name
                    .eq(cursor.name.clone())
                    .and(contacts::id.gt(cursor.id))),
            );
        }
        let rows: Vec<(Contact, Option<String>)> = query.load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(contact, account_name)| ContactRow {
                contact,
                account_name,
            })
            .collect())
    }

    pub fn count_listed(conn: &mut DbConnection) -> QueryResult<i64> {
        contacts::table
            .filter(contacts::deleted_at.is_null())
            .filter(contacts::is_spam.eq(false))
            .count()
            .get_result(conn)
    }

    pub fn count_all(conn: &mut DbConnection) -> QueryResult<i64> {
        contacts::table.count().get_result(conn)
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = contacts)]
pub struct NewContact {
    pub name: String,
    pub email: Option<String>,
    pub email_normalized: Option<String>,
    pub phone: Option<String>,
    pub account_id: Option<i64>,
    pub is_spam: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NewContact {
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<i64> {
        diesel::insert_into(contacts::table)
            .values(self)
            .returning(contacts::id)
            .get_result(conn)
    }

    /// One multi-row INSERT; diesel's multi-backend connection cannot batch, so this goes to
    /// the concrete connection.
    pub fn insert_many(conn: &mut DbConnection, batch: &[NewContact]) -> QueryResult<usize> {
        let insert = diesel::insert_into(contacts::table).values(batch);
        match conn {
            DbConnection::Sqlite(sqlite) => insert.execute(sqlite),
            DbConnection::Postgresql(pg) => insert.execute(pg),
        }
    }
}
