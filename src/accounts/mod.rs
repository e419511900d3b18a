//! Accounts: the companies contacts belong to, their rows and queries.

mod changes;

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::literal::CodeSql;
use crate::db::schema::{accounts, contacts};
use crate::db::{backend_of, contains_pattern, lower_function, Backend, DbConnection};
use crate::domain::HelpCenterStatus;

pub use changes::{delete, save, Saved};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub id: i64,
    pub name: String,
    /// The name as the list sorts it: without case or accents.
    pub name_sort: String,
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
            .filter(name_equals(backend_of(conn), name))
            .order(accounts::id.asc())
            .select(Account::as_select())
            .first(conn)
            .optional()
    }

    /// Up to `limit` account names, for the account field's suggestions.
    pub fn names(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<String>> {
        accounts::table
            .select(accounts::name)
            .order((accounts::name_sort.asc(), accounts::id.asc()))
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
            .order((accounts::name_sort.asc(), accounts::id.asc()))
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
            .values((
                self,
                accounts::name_folded.eq(crate::domain::folded_unless_ascii(self.name)),
            ))
            .returning(accounts::id)
            .get_result(conn)
    }
}

type Db = <DbConnection as Connection>::Backend;

/// Serialises adding and renaming accounts on PostgreSQL for the rest of the transaction, so
/// two agents cannot both pass the duplicate-name check; on SQLite the write transaction
/// already holds the database's one write lock.
const ACCOUNT_NAMES_LOCK: i64 = 0x6163_636f_756e_7473;

/// Where a page of the accounts list starts or ends: a name, and the id that breaks ties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPosition {
    pub name: String,
    pub id: i64,
}

impl AccountPosition {
    /// "<id>~<name>": the id first, so a name holding "~" still splits right.
    pub fn encode(&self) -> String {
        format!("{}~{}", self.id, self.name)
    }

    pub fn decode(encoded: &str) -> Option<AccountPosition> {
        let (id, name) = encoded.split_once('~')?;
        Some(AccountPosition {
            name: name.to_owned(),
            id: id.parse().ok()?,
        })
    }

    fn of(account: &Account) -> AccountPosition {
        AccountPosition {
            name: account.name_sort.clone(),
            id: account.id,
        }
    }
}

/// What the accounts list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountSort {
    Name,
    Created,
}

impl AccountSort {
    pub fn parse(value: &str) -> Option<AccountSort> {
        match value {
            "name" => Some(AccountSort::Name),
            "created" => Some(AccountSort::Created),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountSort::Name => "name",
            AccountSort::Created => "created",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountOrder {
    pub sort: AccountSort,
    pub descending: bool,
}

#[derive(Debug, Clone)]
pub struct AccountPage {
    pub accounts: Vec<Account>,
    pub next: Option<AccountPosition>,
    pub previous: Option<AccountPosition>,
}

/// An account's live contacts that are not spam, and how many of them use the Help Center.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContactCounts {
    pub contacts: i64,
    pub activated: i64,
}

/// The account's name is `name`, ignoring case.
fn name_equals(backend: Backend, name: &str) -> CodeSql<diesel::sql_types::Bool> {
    let lowered = name.trim().to_lowercase();
    CodeSql::new(format!(
        "{}(accounts.name) = ",
        lower_function(backend, &lowered)
    ))
    .text(lowered)
}

impl Account {
    /// Accounts whose name holds `search`, ignoring case.
    fn matching(backend: Backend, search: Option<&str>) -> accounts::BoxedQuery<'static, Db> {
        let query = accounts::table.into_boxed();
        match search {
            Some(term) => {
                let lowered = term.to_lowercase();
                query.filter(
                    diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
                        "{}(accounts.name) LIKE ",
                        lower_function(backend, &lowered)
                    ))
                    .bind::<diesel::sql_types::Text, _>(contains_pattern(&lowered))
                    .sql(" ESCAPE '\\'"),
                )
            }
            None => query,
        }
    }

    /// Up to `limit` names holding `term`, ignoring case: suggestions as an agent types.
    pub fn names_holding(
        conn: &mut DbConnection,
        term: &str,
        limit: i64,
    ) -> QueryResult<Vec<String>> {
        Account::matching(backend_of(conn), Some(term.trim()))
            .select(accounts::name)
            .order((accounts::name_sort.asc(), accounts::id.asc()))
            .limit(limit)
            .load(conn)
    }

    pub fn count_matching(conn: &mut DbConnection, search: Option<&str>) -> QueryResult<i64> {
        Account::matching(backend_of(conn), search)
            .count()
            .get_result(conn)
    }

    /// One page in `order`: after `position`, or before it when `backward` (the previous page).
    pub fn page(
        conn: &mut DbConnection,
        search: Option<&str>,
        order: AccountOrder,
        position: Option<&AccountPosition>,
        backward: bool,
        page_size: i64,
    ) -> QueryResult<AccountPage> {
        let mut query = Account::matching(backend_of(conn), search);
        // Walking back through a descending list reads ascending, and the other way round.
        let descending = order.descending != backward;
        match order.sort {
            AccountSort::Name => {
                if let Some(AccountPosition { name, id }) = position.cloned() {
                    query = if descending {
                        query.filter(
                            accounts::name_sort
                                .lt(name.clone())
                                .or(accounts::name_sort.eq(name).and(accounts::id.lt(id))),
                        )
                    } else {
                        query.filter(
                            accounts::name_sort
                                .gt(name.clone())
                                .or(accounts::name_sort.eq(name).and(accounts::id.gt(id))),
                        )
                    };
                }
                query = if descending {
                    query.order((accounts::name_sort.desc(), accounts::id.desc()))
                } else {
                    query.order((accounts::name_sort.asc(), accounts::id.asc()))
                };
            }
            // Accounts are numbered as they are created: their ids are in creation order.
            AccountSort::Created => {
                if let Some(position) = position {
                    query = if descending {
                        query.filter(accounts::id.lt(position.id))
                    } else {
                        query.filter(accounts::id.gt(position.id))
                    };
                }
                query = if descending {
                    query.order(accounts::id.desc())
                } else {
                    query.order(accounts::id.asc())
                };
            }
        }
        let mut rows: Vec<Account> = query
            .select(Account::as_select())
            .limit(page_size + 1)
            .load(conn)?;
        let more = rows.len() as i64 > page_size;
        rows.truncate(page_size.max(0) as usize);
        if backward {
            rows.reverse();
        }
        let first = rows.first().map(AccountPosition::of);
        let last = rows.last().map(AccountPosition::of);
        let (next, previous) = if backward {
            (last, first.filter(|_| more))
        } else {
            (last.filter(|_| more), first.filter(|_| position.is_some()))
        };
        Ok(AccountPage {
            accounts: rows,
            next,
            previous,
        })
    }

    /// The counts for these accounts only, in one grouped query over the account index, so a
    /// page costs the same however many accounts there are.
    pub fn contact_counts(
        conn: &mut DbConnection,
        ids: &[i64],
    ) -> QueryResult<HashMap<i64, ContactCounts>> {
        let mut counts: HashMap<i64, ContactCounts> = HashMap::new();
        if ids.is_empty() {
            return Ok(counts);
        }
        let rows: Vec<(Option<i64>, String, i64)> = contacts::table
            .filter(contacts::account_id.eq_any(ids))
            .filter(contacts::deleted_at.is_null())
            .filter(contacts::is_spam.eq(false))
            .group_by((contacts::account_id, contacts::help_center_status))
            .select((
                contacts::account_id,
                contacts::help_center_status,
                diesel::dsl::count_star(),
            ))
            .load(conn)?;
        for (account_id, status, count) in rows {
            let Some(account_id) = account_id else {
                continue;
            };
            let entry = counts.entry(account_id).or_default();
            entry.contacts += count;
            if status == HelpCenterStatus::Activated.as_str() {
                entry.activated += count;
            }
        }
        Ok(counts)
    }

    /// Another account with this name, ignoring case.
    pub fn find_other_by_name(
        conn: &mut DbConnection,
        name: &str,
        except: Option<i64>,
    ) -> QueryResult<Option<Account>> {
        let mut query = accounts::table
            .filter(name_equals(backend_of(conn), name))
            .into_boxed();
        if let Some(id) = except {
            query = query.filter(accounts::id.ne(id));
        }
        query
            .order(accounts::id.asc())
            .select(Account::as_select())
            .first(conn)
            .optional()
    }

    pub fn lock_names(conn: &mut DbConnection) -> QueryResult<()> {
        if let DbConnection::Postgresql(pg) = conn {
            diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
                .bind::<diesel::sql_types::BigInt, _>(ACCOUNT_NAMES_LOCK)
                .execute(pg)?;
        }
        Ok(())
    }

    pub fn rename(
        conn: &mut DbConnection,
        id: i64,
        name: &str,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(accounts::table.find(id))
            .set((
                accounts::name.eq(name),
                accounts::name_folded.eq(crate::domain::folded_unless_ascii(name)),
                accounts::updated_at.eq(now),
            ))
            .execute(conn)
    }

    /// Removes the account; its contacts lose it (ON DELETE SET NULL), and a custom view that
    /// names it then matches no contact by it.
    pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
        diesel::delete(accounts::table.find(id)).execute(conn)
    }
}
