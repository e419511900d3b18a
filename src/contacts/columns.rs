//! The columns a contacts list shows after the name: the usual ones, or those a custom view
//! picks from the fields its conditions can ask about, and what a page needs to fill them.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::conditions::Field;
use super::ListedRow;
use crate::db::schema::{contact_imports, portal_accounts, tickets};
use crate::db::DbConnection;

/// What every list shows unless a custom view says otherwise.
pub const USUAL: [Field; 6] = [
    Field::Email,
    Field::Account,
    Field::Phone,
    Field::Status,
    Field::LastInvited,
    Field::Created,
];

/// A view shows at most this many columns after the name (a 1280 px screen holds them).
pub const MAX_COLUMNS: usize = 8;

/// Every field a view may show as a column: all but the name, which always comes first.
pub fn choosable() -> impl Iterator<Item = Field> {
    Field::ALL.into_iter().filter(|field| *field != Field::Name)
}

/// Columns as JSON keeps them: their fields' names in order. Unknown names are left out.
pub fn from_json(json: &str) -> Vec<Field> {
    serde_json::from_str::<Vec<String>>(json)
        .unwrap_or_default()
        .iter()
        .filter_map(|slug| Field::parse(slug))
        .filter(|field| *field != Field::Name)
        .collect()
}

pub fn to_json(columns: &[Field]) -> String {
    serde_json::to_string(&columns.iter().map(|field| field.slug()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".to_owned())
}

/// What a page's rows need beyond the contact row for the columns shown.
#[derive(Debug, Default)]
pub struct Extras {
    pub activated: HashMap<i64, NaiveDateTime>,
    pub open_tickets: HashMap<i64, i64>,
    pub last_ticket: HashMap<i64, NaiveDateTime>,
    pub import_names: HashMap<i64, String>,
}

/// Read only for the columns shown, for the page's rows only.
pub fn extras(
    conn: &mut DbConnection,
    rows: &[ListedRow],
    columns: &[Field],
) -> QueryResult<Extras> {
    let ids: Vec<i64> = rows.iter().map(|row| row.contact.id).collect();
    let mut extras = Extras::default();
    if ids.is_empty() {
        return Ok(extras);
    }
    if columns.contains(&Field::Activated) {
        extras.activated = portal_accounts::table
            .filter(portal_accounts::contact_id.eq_any(&ids))
            .filter(portal_accounts::activated_at.is_not_null())
            .select((portal_accounts::contact_id, portal_accounts::activated_at))
            .load::<(i64, Option<NaiveDateTime>)>(conn)?
            .into_iter()
            .filter_map(|(id, at)| Some((id, at?)))
            .collect();
    }
    if columns.contains(&Field::OpenTickets) {
        extras.open_tickets = tickets::table
            .filter(tickets::contact_id.eq_any(&ids))
            .filter(tickets::status.eq("open"))
            .group_by(tickets::contact_id)
            .select((tickets::contact_id, diesel::dsl::count_star()))
            .load(conn)?
            .into_iter()
            .collect();
    }
    if columns.contains(&Field::LastTicket) {
        extras.last_ticket = tickets::table
            .filter(tickets::contact_id.eq_any(&ids))
            .group_by(tickets::contact_id)
            .select((tickets::contact_id, diesel::dsl::max(tickets::created_at)))
            .load::<(i64, Option<NaiveDateTime>)>(conn)?
            .into_iter()
            .filter_map(|(id, at)| Some((id, at?)))
            .collect();
    }
    if columns.contains(&Field::Import) {
        let imports: Vec<i64> = rows
            .iter()
            .filter_map(|row| row.contact.import_id)
            .collect();
        if !imports.is_empty() {
            extras.import_names = contact_imports::table
                .filter(contact_imports::id.eq_any(imports))
                .select((contact_imports::id, contact_imports::file_name))
                .load(conn)?
                .into_iter()
                .collect();
        }
    }
    Ok(extras)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_keep_as_json_in_order_without_the_name_or_unknown_fields() {
        let columns = [Field::Created, Field::OpenTickets, Field::Email];
        assert_eq!(from_json(&to_json(&columns)), columns);
        assert_eq!(
            from_json(r#"["name", "phone", "shoe size"]"#),
            [Field::Phone]
        );
        assert!(from_json("not json").is_empty());
    }
}
