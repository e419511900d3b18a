//! Keyset positions in the contacts list, their compact form in links, and the condition for
//! the rows past one.

use chrono::NaiveDateTime;
use diesel::expression::Expression;
use diesel::query_builder::QueryFragment;
use diesel::sql_types::{BigInt, Bool, Text, Timestamp};
use diesel::QueryResult;

use super::sort::Sort;
use super::ListedContact;
use crate::db::schema::contacts;

/// A position in the list: the sort key of a row and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    Text {
        key: String,
        id: i64,
    },
    Time {
        key: NaiveDateTime,
        id: i64,
    },
    /// Status sort: the status, then the name.
    StatusName {
        status: String,
        name: String,
        id: i64,
    },
    /// Among the rows whose sort column is NULL, ordered by id.
    Null {
        id: i64,
    },
}

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f";

impl Cursor {
    /// A compact form for a URL: "t:<key>~<id>", "d:<time>~<id>", "s:<status>~<name>~<id>", "n:<id>".
    pub fn encode(&self) -> String {
        match self {
            Cursor::Text { key, id } => format!("t:{key}~{id}"),
            Cursor::Time { key, id } => format!("d:{}~{id}", key.format(TIME_FORMAT)),
            Cursor::StatusName { status, name, id } => format!("s:{status}~{name}~{id}"),
            Cursor::Null { id } => format!("n:{id}"),
        }
    }

    pub fn decode(encoded: &str) -> Option<Cursor> {
        let (kind, rest) = encoded.split_once(':')?;
        match kind {
            "n" => Some(Cursor::Null {
                id: rest.parse().ok()?,
            }),
            "t" => {
                let (key, id) = rest.rsplit_once('~')?;
                Some(Cursor::Text {
                    key: key.to_owned(),
                    id: id.parse().ok()?,
                })
            }
            "d" => {
                let (key, id) = rest.rsplit_once('~')?;
                let key = NaiveDateTime::parse_from_str(key, TIME_FORMAT).ok()?;
                Some(Cursor::Time {
                    key,
                    id: id.parse().ok()?,
                })
            }
            "s" => {
                let (status, rest) = rest.split_once('~')?;
                let (name, id) = rest.rsplit_once('~')?;
                Some(Cursor::StatusName {
                    status: status.to_owned(),
                    name: name.to_owned(),
                    id: id.parse().ok()?,
                })
            }
            _ => None,
        }
    }

    pub(super) fn of(contact: &ListedContact, sort: Sort) -> Cursor {
        let id = contact.id;
        match sort {
            Sort::Name => Cursor::Text {
                key: contact.name_sort.clone(),
                id,
            },
            Sort::Email => match &contact.email {
                Some(email) => Cursor::Text {
                    key: email.clone(),
                    id,
                },
                None => Cursor::Null { id },
            },
            Sort::Created => Cursor::Time {
                key: contact.created_at,
                id,
            },
            Sort::LastInvited => match contact.last_invited_at {
                Some(at) => Cursor::Time { key: at, id },
                None => Cursor::Null { id },
            },
            Sort::Status => Cursor::StatusName {
                status: contact.help_center_status.clone(),
                name: contact.name_sort.clone(),
                id,
            },
        }
    }
}

/// `(sort columns, contacts.id) > (cursor's values)` (or `<`): the rows past a cursor, with
/// the cursor's values bound. Unlike `sql()` with binds, it leaves the query cacheable.
#[derive(Debug, Clone)]
pub(super) struct RowsPast {
    /// "(<columns>, contacts.id) > (" with the comparison for the direction.
    pub(super) columns: String,
    pub(super) cursor: Cursor,
}

impl Expression for RowsPast {
    type SqlType = Bool;
}

impl<DB> QueryFragment<DB> for RowsPast
where
    DB: diesel::backend::Backend
        + diesel::sql_types::HasSqlType<Text>
        + diesel::sql_types::HasSqlType<BigInt>
        + diesel::sql_types::HasSqlType<Timestamp>,
    String: diesel::serialize::ToSql<Text, DB>,
    i64: diesel::serialize::ToSql<BigInt, DB>,
    NaiveDateTime: diesel::serialize::ToSql<Timestamp, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        out.push_sql(&self.columns);
        let id = match &self.cursor {
            Cursor::Text { key, id } => {
                out.push_bind_param::<Text, _>(key)?;
                id
            }
            Cursor::Time { key, id } => {
                out.push_bind_param::<Timestamp, _>(key)?;
                id
            }
            Cursor::StatusName { status, name, id } => {
                out.push_bind_param::<Text, _>(status)?;
                out.push_sql(", ");
                out.push_bind_param::<Text, _>(name)?;
                id
            }
            Cursor::Null { id } => id,
        };
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(id)?;
        out.push_sql(")");
        Ok(())
    }
}

impl diesel::query_builder::QueryId for RowsPast {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<GroupBy> diesel::expression::ValidGrouping<GroupBy> for RowsPast {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl diesel::expression::AppearsOnTable<contacts::table> for RowsPast {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_survive_a_round_trip_through_a_url() {
        let time =
            NaiveDateTime::parse_from_str("2026-11-25T10:00:00.123456", TIME_FORMAT).unwrap();
        for cursor in [
            Cursor::Text {
                key: "Ada ~ Lovelace".into(),
                id: 7,
            },
            Cursor::Time { key: time, id: 8 },
            Cursor::StatusName {
                status: "invited".into(),
                name: "Grace~H".into(),
                id: 9,
            },
            Cursor::Null { id: 10 },
        ] {
            assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }
        assert_eq!(Cursor::decode("x:1"), None);
        assert_eq!(Cursor::decode("t:no-id"), None);
    }
}
