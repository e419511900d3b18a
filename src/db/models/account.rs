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
