//! The contact row and the queries that read one contact at a time.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{accounts, contacts};
use crate::db::timestamp::{OptionalStoredTime, StoredTime};
use crate::db::DbConnection;
use crate::domain::ShownStatus;

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
    #[diesel(deserialize_as = OptionalStoredTime)]
    pub last_invited_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = OptionalStoredTime)]
    pub deleted_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = StoredTime)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = StoredTime)]
    pub updated_at: NaiveDateTime,
    #[diesel(deserialize_as = OptionalStoredTime)]
    pub invitation_expires_at: Option<NaiveDateTime>,
    pub possible_duplicate: bool,
    pub import_id: Option<i64>,
}

/// A contact with the name of its account.
#[derive(Debug, Clone)]
pub struct ContactRow {
    pub contact: Contact,
    pub account_name: Option<String>,
}

/// The columns the contacts list shows, sorts by and exports: ten of `Contact`'s fifteen,
/// read for every row of every list page.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contacts)]
pub struct ListedContact {
    pub id: i64,
    pub name: String,
    /// The name as the list sorts it: without case or accents.
    pub name_sort: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub account_id: Option<i64>,
    pub help_center_status: String,
    #[diesel(deserialize_as = OptionalStoredTime)]
    pub last_invited_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = StoredTime)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = StoredTime)]
    pub updated_at: NaiveDateTime,
    #[diesel(deserialize_as = OptionalStoredTime)]
    pub invitation_expires_at: Option<NaiveDateTime>,
    pub import_id: Option<i64>,
    pub is_spam: bool,
    /// For Recently deleted, which says how long each can still be restored.
    #[diesel(deserialize_as = OptionalStoredTime)]
    pub deleted_at: Option<NaiveDateTime>,
}

/// A row of the contacts list: the contact and the name of its account.
#[derive(Debug, Clone)]
pub struct ListedRow {
    pub contact: ListedContact,
    pub account_name: Option<String>,
}

impl ListedContact {
    pub fn shown_status(&self, now: NaiveDateTime) -> ShownStatus {
        ShownStatus::of(&self.help_center_status, self.invitation_expires_at, now)
    }
}

impl Contact {
    pub fn shown_status(&self, now: NaiveDateTime) -> ShownStatus {
        ShownStatus::of(&self.help_center_status, self.invitation_expires_at, now)
    }

    pub fn is_live(&self) -> bool {
        self.deleted_at.is_none()
    }

    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Contact>> {
        contacts::table
            .find(id)
            .select(Contact::as_select())
            .first(conn)
            .optional()
    }

    /// The live contact holding this (lowercase) address, if any.
    pub fn find_live_by_email(
        conn: &mut DbConnection,
        email: &str,
    ) -> QueryResult<Option<Contact>> {
        contacts::table
            .filter(contacts::email.eq(email))
            .filter(contacts::deleted_at.is_null())
            .select(Contact::as_select())
            .first(conn)
            .optional()
    }

    /// Pairs each contact with its account's name, in one extra query for the whole page.
    pub fn with_account_names(
        conn: &mut DbConnection,
        contacts: Vec<Contact>,
    ) -> QueryResult<Vec<ContactRow>> {
        let account_ids: Vec<i64> = contacts
            .iter()
            .filter_map(|contact| contact.account_id)
            .collect();
        let names: std::collections::HashMap<i64, String> = if account_ids.is_empty() {
            Default::default()
        } else {
            accounts::table
                .filter(accounts::id.eq_any(&account_ids))
                .select((accounts::id, accounts::name))
                .load::<(i64, String)>(conn)?
                .into_iter()
                .collect()
        };
        Ok(contacts
            .into_iter()
            .map(|contact| ContactRow {
                account_name: contact.account_id.and_then(|id| names.get(&id).cloned()),
                contact,
            })
            .collect())
    }
}

/// `None` is written as NULL, which is also each of these columns' default: so that a batch
/// is one multi-row INSERT on SQLite (diesel otherwise sends a statement per row, in case a
/// row needs DEFAULT) and can be sent with COPY on PostgreSQL.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = contacts, treat_none_as_default_value = false)]
pub struct NewContact {
    pub import_id: Option<i64>,
    pub name: String,
    /// `domain::folded_unless_ascii(&name)`: what a search compares.
    pub name_folded: Option<String>,
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

    /// One multi-row INSERT on SQLite, one COPY on PostgreSQL (it parses and plans nothing
    /// per row, and fires the same triggers); diesel's multi-backend connection can do
    /// neither, so this goes to the concrete connection.
    pub fn insert_many(conn: &mut DbConnection, batch: &[NewContact]) -> QueryResult<usize> {
        match conn {
            DbConnection::Sqlite(sqlite) => diesel::insert_into(contacts::table)
                .values(batch)
                .execute(sqlite),
            DbConnection::Postgresql(pg) => diesel::copy_from(contacts::table)
                .from_insertable(batch)
                .execute(pg),
        }
    }
}
