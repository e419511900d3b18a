//! The groups the review page offers to merge. A group is every live contact linked to a
//! flagged one, directly or through others (Ann shares an address with Bo, Bo a name and phone
//! with Cy: one group), so each flagged contact appears in exactly one group, whichever page
//! the walk starts on. Pages are keyed on each group's smallest contact id.

use std::collections::{BTreeMap, HashMap, HashSet};

use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::MAX_MERGE;
use crate::contacts::Contact;
use crate::db::schema::{contacts, tickets};
use crate::db::{backend_of, Backend, DbConnection};

pub const GROUPS_PER_PAGE: usize = 20;
/// Flagged contacts read at a time while filling a page.
const SCAN_CHUNK: i64 = 200;

#[derive(Debug, Clone)]
pub struct DuplicateGroup {
    /// Ordered by id; at most MAX_MERGE of them.
    pub contacts: Vec<Contact>,
    pub same_email: bool,
    pub same_name_and_phone: bool,
    /// More contacts are linked than one merge takes; they form a group again afterwards.
    pub has_more: bool,
}

impl DuplicateGroup {
    fn smallest_id(&self) -> i64 {
        self.contacts.first().map_or(0, |contact| contact.id)
    }
}

#[derive(Debug, Clone)]
pub struct GroupsPage {
    pub groups: Vec<DuplicateGroup>,
    /// Where the next page starts, if there is one.
    pub next_after: Option<i64>,
}

/// Up to `per_page` groups whose smallest contact id is above `after`, in that order.
pub fn page_of_groups(
    conn: &mut DbConnection,
    after: i64,
    per_page: usize,
) -> QueryResult<GroupsPage> {
    let mut groups: Vec<DuplicateGroup> = Vec::new();
    let mut grouped: HashSet<i64> = HashSet::new();
    let mut scanned_up_to = after;
    loop {
        let flagged = flagged_after(conn, scanned_up_to, SCAN_CHUNK)?;
        let Some(last) = flagged.last() else { break };
        scanned_up_to = last.id;
        for contact in &flagged {
            if grouped.contains(&contact.id) {
                continue;
            }
            let group = linked_group(conn, contact)?;
            grouped.extend(group.contacts.iter().map(|member| member.id));
            // A smaller id means an earlier page showed this group; one member means the flag
            // is stale.
            if group.smallest_id() <= after || group.contacts.len() < 2 {
                continue;
            }
            if groups.len() == per_page {
                let next_after = groups.last().map(DuplicateGroup::smallest_id);
                return Ok(GroupsPage { groups, next_after });
            }
            groups.push(group);
        }
        if flagged.len() < SCAN_CHUNK as usize {
            break;
        }
    }
    Ok(GroupsPage {
        groups,
        next_after: None,
    })
}

fn flagged_after(conn: &mut DbConnection, after: i64, limit: i64) -> QueryResult<Vec<Contact>> {
    // Spelled as a literal: SQLite uses the partial index on flagged contacts only when the
    // query repeats its condition word for word, which a bound parameter does not.
    let flagged = match backend_of(conn) {
        Backend::Sqlite => "contacts.possible_duplicate = 1",
        Backend::Postgres => "contacts.possible_duplicate = true",
    };
    contacts::table
        .filter(sql::<Bool>(flagged))
        .filter(contacts::deleted_at.is_null())
        .filter(contacts::id.gt(after))
        .order(contacts::id.asc())
        .limit(limit)
        .select(Contact::as_select())
        .load(conn)
}

/// Every live contact reachable from `seed` through shared keys, up to MAX_MERGE.
fn linked_group(conn: &mut DbConnection, seed: &Contact) -> QueryResult<DuplicateGroup> {
    let mut members: BTreeMap<i64, Contact> = BTreeMap::from([(seed.id, seed.clone())]);
    let mut to_visit = vec![seed.clone()];
    let mut same_email = false;
    let mut same_name_and_phone = false;
    let mut has_more = false;
    while let Some(contact) = to_visit.pop() {
        for other in sharing_a_key(conn, &contact)? {
            if other.id == contact.id {
                continue;
            }
            same_email |= contact.email_normalized.is_some()
                && other.email_normalized == contact.email_normalized;
            same_name_and_phone |= contact.phone.is_some()
                && other.phone == contact.phone
                && other.name == contact.name;
            if members.contains_key(&other.id) {
                continue;
            }
            if members.len() == MAX_MERGE {
                has_more = true;
                break;
            }
            members.insert(other.id, other.clone());
            to_visit.push(other);
        }
        if has_more {
            break;
        }
    }
    Ok(DuplicateGroup {
        contacts: members.into_values().collect(),
        same_email,
        same_name_and_phone,
        has_more,
    })
}

fn sharing_a_key(conn: &mut DbConnection, contact: &Contact) -> QueryResult<Vec<Contact>> {
    let Some(query) = crate::contacts::sharing_a_key(contact) else {
        return Ok(Vec::new());
    };
    query
        .order(contacts::id.asc())
        .limit(MAX_MERGE as i64 + 1)
        .select(Contact::as_select())
        .load(conn)
}

/// How many tickets each of these contacts has (absent: none).
pub fn ticket_counts(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, i64>> {
    Ok(tickets::table
        .filter(tickets::contact_id.eq_any(ids))
        .group_by(tickets::contact_id)
        .select((tickets::contact_id, count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect())
}
