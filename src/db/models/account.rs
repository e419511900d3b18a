use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{accounts, contacts};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct AccountSummary {
    pub account: Account,
    pub contacts: i64,
}

impl Account {
    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Account>> {
        accounts::table
            .find(id)
            .select(Account::as_select())
            .first(conn)
            .optional()
    }

    /// The account with this name, ignoring case; the oldest if several share it.
    pub fn find_by_name(conn: &mut DbConnection, name: &str) -> QueryResult<Option<Account>> {
        accounts::table
            .filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>("lower(accounts.name) = ")
                    .bind::<diesel::sql_types::Text, _>(name.trim().to_lowercase()),
            )
            .order(accounts::id.asc())
            .select(Account::as_select())
            .first(conn)
            .optional()
    }

    /// Up to `limit` account names, for the account field's suggestions.
    pub fn names(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<String>> {
        accounts::table
            .select(accounts::name)
            .order(accounts::name.asc())
            .limit(limit)
            .load(conn)
    }

    pub fn list_with_contact_counts(conn: &mut DbConnection) -> QueryResult<Vec<AccountSummary>> {
        let rows: Vec<(Account, i64)> = accounts::table
            .left_join(
                contacts::table.on(contacts::account_id
                    .eq(accounts::id.nullable())
                    .and(contacts::deleted_at.is_null())),
            )
            .group_by(accounts::id)
            .select((
                Account::as_select(),
                diesel::dsl::count(contacts::id.nullable()),
            ))
            .order(accounts::name.asc())
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(account, contacts)| AccountSummary { account, contacts })
            .collect())
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccount<'a> {
    pub name: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl NewAccount<'_> {
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<i64> {
        diesel::insert_into(accounts::table)
            .values(self)
            .returning(accounts::id)
            .get_result(conn)
    }
}
