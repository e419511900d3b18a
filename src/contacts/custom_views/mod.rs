//! Custom views: an agent's saved conditions and sort, private or shared with every agent.

mod saving;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::contacts::conditions::{self, Condition, Field, Names, Value};
use crate::contacts::{Criteria, Scope, Sort};
use crate::db::schema::{accounts, contact_imports, contact_views};
use crate::db::DbConnection;
use crate::domain::TimeZone;

pub use saving::{
    choices, import_label, save, shown_value, Choices, RowDraft, SaveError, ViewDraft,
};

/// A saved view of the contacts list: conditions, a sort, and who may see it.
#[derive(Debug, Clone)]
pub struct CustomView {
    pub id: i64,
    pub agent_id: i64,
    pub name: String,
    pub shared: bool,
    pub conditions: Vec<Condition>,
    pub match_any: bool,
    pub sort: String,
    pub descending: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The columns after the name; empty for the usual ones.
    pub columns: Vec<Field>,
}

/// The row as stored, its conditions still JSON.
#[derive(Queryable, Selectable)]
#[diesel(table_name = contact_views)]
struct StoredView {
    id: i64,
    agent_id: i64,
    name: String,
    shared: bool,
    conditions: String,
    match_any: bool,
    sort: String,
    descending: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    shown_columns: Option<String>,
}

impl From<StoredView> for CustomView {
    fn from(stored: StoredView) -> CustomView {
        CustomView {
            id: stored.id,
            agent_id: stored.agent_id,
            name: stored.name,
            shared: stored.shared,
            // Conditions the code cannot read (written by hand) match nothing, not everything.
            conditions: serde_json::from_str(&stored.conditions)
                .unwrap_or_else(|_| vec![matching_nothing()]),
            match_any: stored.match_any,
            sort: stored.sort,
            descending: stored.descending,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
            columns: stored
                .shown_columns
                .as_deref()
                .map(crate::contacts::columns::from_json)
                .unwrap_or_default(),
        }
    }
}

/// An account id no account has.
fn matching_nothing() -> Condition {
    Condition::new(Field::Account, conditions::Operator::Is, Value::Id(-1))
        .expect("an account condition")
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = contact_views, treat_none_as_null = true)]
pub struct CustomViewFields {
    pub name: String,
    pub shared: bool,
    pub conditions: String,
    pub match_any: bool,
    pub sort: String,
    pub descending: bool,
    pub shown_columns: Option<String>,
}

impl CustomView {
    /// The contacts it holds, with days counted in `zone`: live ones, and only those not
    /// marked as spam unless a condition asks about spam.
    pub fn criteria(&self, zone: TimeZone) -> Criteria {
        let asks_about_spam = self
            .conditions
            .iter()
            .any(|condition| condition.field() == Field::Spam);
        Criteria {
            scope: if asks_about_spam {
                Scope::Live
            } else {
                Scope::Listed
            },
            conditions: self.conditions.clone(),
            match_any: self.match_any,
            // Without conditions the view is a standard one, whose count is kept.
            time_zone: (!self.conditions.is_empty()).then(|| zone.name().to_owned()),
            ..Criteria::default()
        }
    }

    /// Its conditions in one line, as the list shows them under its title.
    pub fn describe(&self, conn: &mut DbConnection) -> QueryResult<String> {
        let names = names_for(conn, &self.conditions)?;
        Ok(conditions::describe(
            &self.conditions,
            self.match_any,
            &names,
        ))
    }

    /// Whether a condition names this account.
    pub fn names_account(&self, account_id: i64) -> bool {
        self.conditions.iter().any(|condition| {
            condition.field() == Field::Account && *condition.value() == Value::Id(account_id)
        })
    }

    /// The columns its list shows after the name.
    pub fn shown_columns(&self) -> Vec<Field> {
        if self.columns.is_empty() {
            crate::contacts::columns::USUAL.to_vec()
        } else {
            self.columns.clone()
        }
    }

    pub fn sort(&self) -> Sort {
        Sort::parse(&self.sort).unwrap_or_default()
    }

    /// Its owner changes it, and so does an admin when it is shared with every agent.
    pub fn is_editable_by(&self, agent_id: i64, admin: bool) -> bool {
        self.agent_id == agent_id || (self.shared && admin)
    }

    /// The agent's own views and every shared one, by name.
    pub fn visible_to(conn: &mut DbConnection, agent_id: i64) -> QueryResult<Vec<CustomView>> {
        contact_views::table
            .filter(
                contact_views::agent_id
                    .eq(agent_id)
                    .or(contact_views::shared.eq(true)),
            )
            .order((contact_views::name.asc(), contact_views::id.asc()))
            .select(StoredView::as_select())
            .load::<StoredView>(conn)
            .map(|views| views.into_iter().map(CustomView::from).collect())
    }

    pub fn find_visible(
        conn: &mut DbConnection,
        id: i64,
        agent_id: i64,
    ) -> QueryResult<Option<CustomView>> {
        contact_views::table
            .find(id)
            .filter(
                contact_views::agent_id
                    .eq(agent_id)
                    .or(contact_views::shared.eq(true)),
            )
            .select(StoredView::as_select())
            .first::<StoredView>(conn)
            .optional()
            .map(|view| view.map(CustomView::from))
    }

    /// Every view whose conditions name this account, for the warning before deleting it.
    pub fn naming_account(conn: &mut DbConnection, account_id: i64) -> QueryResult<usize> {
        let views: Vec<StoredView> = contact_views::table
            .select(StoredView::as_select())
            .load(conn)?;
        Ok(views
            .into_iter()
            .map(CustomView::from)
            .filter(|view| view.names_account(account_id))
            .count())
    }

    /// Deletes the view, which the caller has checked this agent may change.
    pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
        diesel::delete(contact_views::table.find(id)).execute(conn)
    }
}

/// The names of the accounts and imports these conditions point at, those that still exist.
pub fn names_for(conn: &mut DbConnection, conditions: &[Condition]) -> QueryResult<Names> {
    let ids_of = |wanted: Field| -> Vec<i64> {
        conditions
            .iter()
            .filter(|condition| condition.field() == wanted)
            .filter_map(|condition| match condition.value() {
                Value::Id(id) => Some(*id),
                _ => None,
            })
            .collect()
    };
    let account_ids = ids_of(Field::Account);
    let import_ids = ids_of(Field::Import);
    let mut names = Names::default();
    if !account_ids.is_empty() {
        names.accounts = accounts::table
            .filter(accounts::id.eq_any(account_ids))
            .select((accounts::id, accounts::name))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect();
    }
    if !import_ids.is_empty() {
        names.imports = contact_imports::table
            .filter(contact_imports::id.eq_any(import_ids))
            .select((contact_imports::id, contact_imports::file_name))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect();
    }
    Ok(names)
}
