//! Keyset positions in the contacts list, and their compact form in links.

use chrono::NaiveDateTime;

use super::listing::Sort;
use super::ListedContact;

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
                key: contact.name.clone(),
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
                name: contact.name.clone(),
                id,
            },
        }
    }
}

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
