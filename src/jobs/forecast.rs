//! What a whole-view invite will do, said before it starts: how many contacts the view holds,
//! how many will be skipped and why, and whom the first email goes to (for its preview).

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::contacts::{count_in_view, ids_in_view, Criteria, Scope};
use crate::db::DbConnection;
use crate::domain::{EmailAddress, ShownStatus};
use crate::invitations::{decide, quota, Decision, SkipReason};

pub struct InviteForecast {
    pub total: i64,
    /// Each reason with how many contacts it skips, largest first; none that skip nobody.
    pub skipped: Vec<(SkipReason, i64)>,
    pub to_invite: i64,
    /// The first contact of the view who would get the email: its preview's addressee.
    pub sample: Option<(String, EmailAddress)>,
}

/// Counts by the view's own criteria narrowed to each reason, so a view of a million
/// contacts costs a few indexed counts rather than a read of every row.
pub fn invite_forecast(
    conn: &mut DbConnection,
    criteria: &Criteria,
    search: Option<&str>,
    resend: bool,
    now: NaiveDateTime,
) -> QueryResult<InviteForecast> {
    let total = count_in_view(conn, criteria, search, now)?;
    let mut skipped = Vec::new();
    // The contacts that are neither spam nor deleted, whose other reasons are counted.
    let listed = match criteria.scope {
        Scope::Spam => {
            skipped.push((SkipReason::Spam, total));
            None
        }
        Scope::RecentlyDeleted => {
            skipped.push((SkipReason::Deleted, total));
            None
        }
        _ if criteria.without_email => {
            skipped.push((SkipReason::NoEmail, total));
            None
        }
        Scope::Live => {
            let spam = Criteria {
                scope: Scope::Spam,
                ..criteria.clone()
            };
            skipped.push((SkipReason::Spam, count_in_view(conn, &spam, search, now)?));
            Some(Criteria {
                scope: Scope::Listed,
                ..criteria.clone()
            })
        }
        Scope::Listed | Scope::PossibleDuplicates => Some(criteria.clone()),
    };
    if let Some(criteria) = listed {
        let no_email = Criteria {
            without_email: true,
            ..criteria.clone()
        };
        skipped.push((
            SkipReason::NoEmail,
            count_in_view(conn, &no_email, search, now)?,
        ));
        let mut statuses = vec![
            (ShownStatus::Activated, SkipReason::AlreadyActivated),
            (ShownStatus::Deactivated, SkipReason::Deactivated),
        ];
        if !resend {
            statuses.push((ShownStatus::Invited, SkipReason::AlreadyInvited));
            statuses.push((ShownStatus::DeliveryUnknown, SkipReason::AlreadyInvited));
        }
        for (status, reason) in statuses {
            let count = match criteria.status {
                Some(own) if own == status => total,
                Some(_) => 0,
                None => {
                    let narrowed = Criteria {
                        status: Some(status),
                        ..criteria.clone()
                    };
                    count_in_view(conn, &narrowed, search, now)?
                }
            };
            match skipped.iter_mut().find(|(listed, _)| *listed == reason) {
                Some((_, listed_count)) => *listed_count += count,
                None => skipped.push((reason, count)),
            }
        }
    }
    skipped.retain(|(_, count)| *count > 0);
    skipped.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    let to_invite = (total - skipped.iter().map(|(_, count)| count).sum::<i64>()).max(0);
    Ok(InviteForecast {
        total,
        skipped,
        to_invite,
        sample: first_to_invite(conn, criteria, search, resend, now)?,
    })
}

fn first_to_invite(
    conn: &mut DbConnection,
    criteria: &Criteria,
    search: Option<&str>,
    resend: bool,
    now: NaiveDateTime,
) -> QueryResult<Option<(String, EmailAddress)>> {
    let ids = ids_in_view(conn, criteria, search, now, 0, 50)?;
    let (found, live) = quota::load_for_decision(conn, &ids)?;
    Ok(ids.iter().find_map(|id| {
        let contact = found.get(id)?;
        match decide(Some(contact), live.get(id), resend, now) {
            Decision::Invite { address, .. } => Some((contact.name.clone(), address)),
            Decision::Skip(_) => None,
        }
    }))
}
