//! Merging possible duplicates into one contact: the primary keeps the values the agent chose
//! and gathers the others' tickets, invitations and Help Center account; the others move to
//! Recently deleted. One transaction, so a merge happens whole or not at all.

mod groups;
pub mod rows;

pub use groups::{page_of_groups, ticket_counts, DuplicateGroup, GroupsPage, GROUPS_PER_PAGE};

use std::cmp::Reverse;
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::{refresh_duplicate_flags, DuplicateKeys};
use crate::audit::{self, Actor};
use crate::contacts::Contact;
use crate::db::schema::{contacts, invitations, invite_batch_rows, portal_accounts, tickets};
use crate::db::{now, write_transaction, DbConnection};
use crate::domain::HelpCenterStatus;

/// More than this at once is a clean-up job, not a group of duplicates an agent can compare.
pub const MAX_MERGE: usize = 20;

const LIVE_INVITATION_STATES: [&str; 2] = ["pending", "sent"];

/// What the agent chose on the merge form: each field names the contact whose value is kept.
#[derive(Debug, Clone)]
pub struct MergeChoices {
    pub ids: Vec<i64>,
    pub primary: i64,
    pub name_from: i64,
    pub email_from: i64,
    pub phone_from: i64,
    pub account_from: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("Choose at least two different contacts to merge.")]
    TooFew,
    #[error("Merge at most {MAX_MERGE} contacts at once.")]
    TooMany,
    #[error("The primary contact and every kept value must come from the contacts being merged.")]
    ChoiceOutsideGroup,
    #[error("contact #{0} does not exist")]
    NotFound(i64),
    #[error("{name} (#{id}) has been deleted, so it cannot be merged. Nothing was changed: go back to Possible duplicates and review the group again.")]
    NotLive { id: i64, name: String },
    #[error("These contacts changed while you were merging them. Nothing was changed: review the group again.")]
    Changed,
    #[error(transparent)]
    Database(DieselError),
}

impl From<DieselError> for MergeError {
    fn from(error: DieselError) -> Self {
        match error {
            // Another writer got in between (PostgreSQL only: SQLite writers queue).
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                MergeError::Changed
            }
            error => MergeError::Database(error),
        }
    }
}

/// The outcome, for the flash message.
#[derive(Debug, Clone)]
pub struct Merged {
    pub primary_id: i64,
    pub primary_name: String,
    pub contacts: usize,
}

/// Each id once, in order; between two and MAX_MERGE of them.
pub fn distinct_ids(ids: &[i64]) -> Result<Vec<i64>, MergeError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    match ids.len() {
        0 | 1 => Err(MergeError::TooFew),
        count if count > MAX_MERGE => Err(MergeError::TooMany),
        _ => Ok(ids),
    }
}

/// The contacts, ordered by id, all of them live.
pub fn load_live_group(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<Contact>, MergeError> {
    let found: Vec<Contact> = contacts::table
        .filter(contacts::id.eq_any(ids))
        .order(contacts::id.asc())
        .select(Contact::as_select())
        .load(conn)?;
    if let Some(missing) = ids
        .iter()
        .find(|id| !found.iter().any(|contact| contact.id == **id))
    {
        return Err(MergeError::NotFound(*missing));
    }
    if let Some(deleted) = found.iter().find(|contact| !contact.is_live()) {
        return Err(MergeError::NotLive {
            id: deleted.id,
            name: deleted.name.clone(),
        });
    }
    Ok(found)
}

/// Higher is further along with the Help Center; the merged contact keeps the highest.
fn help_center_rank(contact: &Contact) -> u8 {
    match HelpCenterStatus::parse(&contact.help_center_status) {
        Some(HelpCenterStatus::Activated) => 4,
        Some(HelpCenterStatus::Invited | HelpCenterStatus::DeliveryUnknown) => 3,
        Some(HelpCenterStatus::InvitationFailed) => 2,
        Some(HelpCenterStatus::Deactivated) => 1,
        Some(HelpCenterStatus::NotInvited) | None => 0,
    }
}

/// The contact the form proposes to keep: furthest along with the Help Center, then the one
/// with most tickets, then the oldest.
pub fn suggested_primary(group: &[Contact], tickets: &HashMap<i64, i64>) -> Option<i64> {
    group
        .iter()
        .max_by_key(|contact| {
            (
                help_center_rank(contact),
                tickets.get(&contact.id).copied().unwrap_or(0),
                Reverse(contact.id),
            )
        })
        .map(|contact| contact.id)
}

/// Whose value of a field the form proposes: the primary's, or the first one that has any.
pub fn suggested_source(
    group: &[Contact],
    primary: i64,
    has_value: impl Fn(&Contact) -> bool,
) -> i64 {
    group
        .iter()
        .find(|contact| contact.id == primary && has_value(contact))
        .or_else(|| group.iter().find(|contact| has_value(contact)))
        .map_or(primary, |contact| contact.id)
}

/// The contact whose Help Center status (and invitation dates) the merged contact takes.
fn status_source<'a>(group: &'a [Contact], primary: &'a Contact) -> &'a Contact {
    group
        .iter()
        .max_by_key(|contact| {
            (
                help_center_rank(contact),
                contact.id == primary.id,
                contact.last_invited_at,
            )
        })
        .unwrap_or(primary)
}

pub fn merge(
    conn: &mut DbConnection,
    choices: &MergeChoices,
    actor: Actor,
) -> Result<Merged, MergeError> {
    let ids = distinct_ids(&choices.ids)?;
    let chosen = [
        choices.primary,
        choices.name_from,
        choices.email_from,
        choices.phone_from,
        choices.account_from,
    ];
    if chosen.iter().any(|id| !ids.contains(id)) {
        return Err(MergeError::ChoiceOutsideGroup);
    }
    write_transaction(conn, |conn| {
        let group = load_live_group(conn, &ids)?;
        let by_id: HashMap<i64, &Contact> =
            group.iter().map(|contact| (contact.id, contact)).collect();
        let pick = |id: i64| {
            by_id
                .get(&id)
                .copied()
                .ok_or(MergeError::ChoiceOutsideGroup)
        };
        let primary = pick(choices.primary)?;
        let name = pick(choices.name_from)?.name.clone();
        let email_owner = pick(choices.email_from)?;
        let phone = pick(choices.phone_from)?.phone.clone();
        let account_id = pick(choices.account_from)?.account_id;
        let status = status_source(&group, primary);
        let secondaries: Vec<i64> = ids.iter().copied().filter(|id| *id != primary.id).collect();

        settle_invitations(conn, primary.id, &secondaries)?;
        settle_portal_accounts(conn, primary.id, &secondaries)?;
        diesel::update(tickets::table.filter(tickets::contact_id.eq_any(&secondaries)))
            .set(tickets::contact_id.eq(primary.id))
            .execute(conn)?;
        diesel::update(
            invite_batch_rows::table.filter(invite_batch_rows::contact_id.eq_any(&secondaries)),
        )
        .set(invite_batch_rows::contact_id.eq(primary.id))
        .execute(conn)?;

        // The secondaries leave first, so the primary can take an address one of them held.
        let timestamp = now();
        let deleted = diesel::update(
            contacts::table
                .filter(contacts::id.eq_any(&secondaries))
                .filter(contacts::deleted_at.is_null()),
        )
        .set((
            contacts::deleted_at.eq(timestamp),
            contacts::possible_duplicate.eq(false),
            contacts::updated_at.eq(timestamp),
        ))
        .execute(conn)?;
        crate::auth::sessions::end_for_contacts(conn, &secondaries)?;
        let updated = diesel::update(
            contacts::table
                .find(primary.id)
                .filter(contacts::deleted_at.is_null()),
        )
        .set((
            contacts::name.eq(&name),
            contacts::name_folded.eq(crate::domain::folded_unless_ascii(&name)),
            contacts::email.eq(&email_owner.email),
            contacts::email_normalized.eq(&email_owner.email_normalized),
            contacts::phone.eq(&phone),
            contacts::account_id.eq(account_id),
            contacts::help_center_status.eq(&status.help_center_status),
            contacts::last_invited_at.eq(status.last_invited_at),
            contacts::invitation_expires_at.eq(status.invitation_expires_at),
            contacts::updated_at.eq(timestamp),
        ))
        .execute(conn)?;
        if deleted != secondaries.len() || updated != 1 {
            return Err(MergeError::Changed);
        }
        rows::record(conn, &secondaries, primary.id, timestamp)?;

        let mut keys: Vec<DuplicateKeys> = group.iter().map(DuplicateKeys::of).collect();
        keys.push(DuplicateKeys {
            email_normalized: email_owner.email_normalized.clone(),
            name: name.clone(),
            phone: phone.clone(),
        });
        refresh_duplicate_flags(conn, &keys)?;
        record_merge(conn, actor, primary.id, &name, &secondaries)?;
        Ok(Merged {
            primary_id: primary.id,
            primary_name: name,
            contacts: group.len(),
        })
    })
}

/// One live invitation per contact: the primary's, or else the newest, stays live; the others
/// are revoked before they move, so the unique index never sees two.
fn settle_invitations(
    conn: &mut DbConnection,
    primary: i64,
    secondaries: &[i64],
) -> Result<(), MergeError> {
    let mut everyone = secondaries.to_vec();
    everyone.push(primary);
    let live: Vec<(i64, i64, NaiveDateTime)> = invitations::table
        .filter(invitations::contact_id.eq_any(&everyone))
        .filter(invitations::state.eq_any(LIVE_INVITATION_STATES))
        .select((
            invitations::id,
            invitations::contact_id,
            invitations::created_at,
        ))
        .load(conn)?;
    let kept = live
        .iter()
        .find(|(_, contact_id, _)| *contact_id == primary)
        .or_else(|| {
            live.iter()
                .max_by_key(|(id, _, created_at)| (*created_at, *id))
        })
        .map(|(id, _, _)| *id);
    let revoked: Vec<i64> = live
        .iter()
        .map(|(id, _, _)| *id)
        .filter(|id| Some(*id) != kept)
        .collect();
    if !revoked.is_empty() {
        diesel::update(invitations::table.filter(invitations::id.eq_any(&revoked)))
            .set((
                invitations::state.eq("revoked"),
                invitations::revoked_at.eq(now()),
            ))
            .execute(conn)?;
    }
    diesel::update(invitations::table.filter(invitations::contact_id.eq_any(secondaries)))
        .set(invitations::contact_id.eq(primary))
        .execute(conn)?;
    Ok(())
}

/// One Help Center account per contact: the primary's stays, unless only a secondary's is in
/// use (activated and not deactivated); the others are removed.
fn settle_portal_accounts(
    conn: &mut DbConnection,
    primary: i64,
    secondaries: &[i64],
) -> Result<(), MergeError> {
    let mut everyone = secondaries.to_vec();
    everyone.push(primary);
    let found: Vec<(i64, i64, Option<NaiveDateTime>, Option<NaiveDateTime>)> =
        portal_accounts::table
            .filter(portal_accounts::contact_id.eq_any(&everyone))
            .select((
                portal_accounts::id,
                portal_accounts::contact_id,
                portal_accounts::activated_at,
                portal_accounts::deactivated_at,
            ))
            .load(conn)?;
    let Some(kept) = found
        .iter()
        .max_by_key(|(id, contact_id, activated_at, deactivated_at)| {
            (
                activated_at.is_some() && deactivated_at.is_none(),
                *contact_id == primary,
                *activated_at,
                Reverse(*id),
            )
        })
        .map(|(id, contact_id, _, _)| (*id, *contact_id))
    else {
        return Ok(());
    };
    let removed: Vec<i64> = found
        .iter()
        .map(|(id, _, _, _)| *id)
        .filter(|id| *id != kept.0)
        .collect();
    if !removed.is_empty() {
        diesel::delete(portal_accounts::table.filter(portal_accounts::id.eq_any(&removed)))
            .execute(conn)?;
    }
    if kept.1 != primary {
        diesel::update(portal_accounts::table.find(kept.0))
            .set((
                portal_accounts::contact_id.eq(primary),
                portal_accounts::updated_at.eq(now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn record_merge(
    conn: &mut DbConnection,
    actor: Actor,
    primary: i64,
    name: &str,
    secondaries: &[i64],
) -> QueryResult<()> {
    let merged = secondaries
        .iter()
        .map(|id| format!("#{id}"))
        .collect::<Vec<_>>()
        .join(", ");
    audit::record(
        conn,
        actor,
        "contact.merged",
        ("contact", Some(primary)),
        &format!("merged contacts {merged} into #{primary}"),
    )?;
    for id in secondaries {
        audit::record(
            conn,
            actor,
            "contact.merged_into",
            ("contact", Some(*id)),
            &format!("merged into #{primary} ({name}), which took its tickets, invitations and Help Center account"),
        )?;
    }
    Ok(())
}
