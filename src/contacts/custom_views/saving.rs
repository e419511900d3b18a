//! Saving a custom view from its form: accounts and imports looked up by the names typed,
//! each condition checked beside its row, then the view written.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{CustomView, CustomViewFields};
use crate::accounts::Account;
use crate::contacts::conditions::{Condition, ConditionError, Field, Operator, Value};
use crate::contacts::Sort;
use crate::db::schema::{contact_imports, contact_views};
use crate::db::{write_transaction, DbConnection};

/// A view as its form gave it, every field but the conditions' values already checked.
#[derive(Debug, Clone)]
pub struct ViewDraft {
    pub name: String,
    pub shared: bool,
    pub match_any: bool,
    pub sort: Sort,
    pub descending: bool,
    pub rows: Vec<RowDraft>,
    /// The columns after the name; empty for the usual ones.
    pub columns: Vec<Field>,
}

/// A row of the form with a field and an operator picked; its values as typed.
#[derive(Debug, Clone)]
pub struct RowDraft {
    /// Where the row stands on the form, for its error.
    pub index: usize,
    pub field: Field,
    pub operator: Operator,
    pub value: String,
    pub until: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("some conditions need fixing")]
    Conditions(Vec<(usize, ConditionError)>),
    #[error("no such view")]
    NotFound,
    #[error("only the agent who made this view can change it")]
    NotYours,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// Creates the view (`view_id` None) or saves view `view_id`, if the agent may change it
/// (`CustomView::is_editable_by`); its id.
pub fn save(
    conn: &mut DbConnection,
    (agent_id, admin): (i64, bool),
    view_id: Option<i64>,
    draft: &ViewDraft,
    now: NaiveDateTime,
) -> Result<i64, SaveError> {
    write_transaction(conn, |conn| {
        if let Some(id) = view_id {
            let view = CustomView::find_visible(conn, id, agent_id)?.ok_or(SaveError::NotFound)?;
            if !view.is_editable_by(agent_id, admin) {
                return Err(SaveError::NotYours);
            }
        }
        let mut conditions = Vec::new();
        let mut errors = Vec::new();
        for row in &draft.rows {
            match condition_of(conn, row)? {
                Ok(condition) => conditions.push(condition),
                Err(error) => errors.push((row.index, error)),
            }
        }
        if !errors.is_empty() {
            return Err(SaveError::Conditions(errors));
        }
        let fields = CustomViewFields {
            name: draft.name.clone(),
            shared: draft.shared,
            conditions: serde_json::to_string(&conditions).unwrap_or_else(|_| "[]".to_owned()),
            match_any: draft.match_any,
            sort: draft.sort.as_str().to_owned(),
            descending: draft.descending,
            shown_columns: (!draft.columns.is_empty())
                .then(|| crate::contacts::columns::to_json(&draft.columns)),
        };
        match view_id {
            Some(id) => {
                diesel::update(contact_views::table.find(id))
                    .set((&fields, contact_views::updated_at.eq(now)))
                    .execute(conn)?;
                Ok(id)
            }
            None => Ok(diesel::insert_into(contact_views::table)
                .values((
                    &fields,
                    contact_views::agent_id.eq(agent_id),
                    contact_views::created_at.eq(now),
                    contact_views::updated_at.eq(now),
                ))
                .returning(contact_views::id)
                .get_result(conn)?),
        }
    })
}

/// The row's condition, its account or import found by the name typed.
fn condition_of(
    conn: &mut DbConnection,
    row: &RowDraft,
) -> QueryResult<Result<Condition, ConditionError>> {
    let names_one = matches!(row.operator, Operator::Is | Operator::IsNot);
    let typed = row.value.trim();
    let id = match row.field {
        Field::Account if names_one && !typed.is_empty() => {
            match Account::find_by_name(conn, typed)? {
                Some(account) => Some(account.id),
                None => return Ok(Err(ConditionError::UnknownAccount(typed.to_owned()))),
            }
        }
        Field::Import if names_one && !typed.is_empty() => match import_named(conn, typed)? {
            Some(id) => Some(id),
            None => return Ok(Err(ConditionError::UnknownImport)),
        },
        _ => None,
    };
    let value = id.map_or_else(|| row.value.clone(), |id| id.to_string());
    Ok(Condition::parse(
        row.field,
        row.operator,
        &value,
        &row.until,
    ))
}

/// How the form names an import: its file and number, "contacts.csv (#12)".
pub fn import_label(id: i64, file_name: &str) -> String {
    format!("{file_name} (#{id})")
}

/// The import a label names, or the latest from a file of that name.
fn import_named(conn: &mut DbConnection, typed: &str) -> QueryResult<Option<i64>> {
    let numbered = typed
        .strip_suffix(')')
        .and_then(|rest| rest.rsplit_once("(#"))
        .and_then(|(_, number)| number.parse::<i64>().ok());
    let query = contact_imports::table
        .select(contact_imports::id)
        .into_boxed();
    match numbered {
        Some(id) => query
            .filter(contact_imports::id.eq(id))
            .first(conn)
            .optional(),
        None => query
            .filter(contact_imports::file_name.eq(typed))
            .order(contact_imports::id.desc())
            .first(conn)
            .optional(),
    }
}

/// What the form suggests for a row's value: account names and the latest imports.
pub struct Choices {
    pub account_names: Vec<String>,
    pub import_labels: Vec<String>,
}

pub fn choices(conn: &mut DbConnection, limit: i64) -> QueryResult<Choices> {
    let imports: Vec<(i64, String)> = contact_imports::table
        .select((contact_imports::id, contact_imports::file_name))
        .order(contact_imports::id.desc())
        .limit(limit)
        .load(conn)?;
    Ok(Choices {
        account_names: Account::names(conn, limit)?,
        import_labels: imports
            .iter()
            .map(|(id, name)| import_label(*id, name))
            .collect(),
    })
}

/// A condition's value as its form row shows it: accounts and imports by name.
pub fn shown_value(condition: &Condition, names: &crate::contacts::conditions::Names) -> String {
    match (condition.field(), condition.value()) {
        (Field::Account, Value::Id(id)) => names.accounts.get(id).cloned().unwrap_or_default(),
        (Field::Import, Value::Id(id)) => names
            .imports
            .get(id)
            .map(|name| import_label(*id, name))
            .unwrap_or_default(),
        _ => condition.value_text().0,
    }
}
