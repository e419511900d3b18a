//! The invitation workflow: eligibility, token, rows, send, outcome. Every entry point (a
//! contact's page, the mass-action bar, bulk jobs (`jobs`), the Help Center's "email me a new link")
//! calls `invite`.
//!
//! Nothing is lost: the invitation rows are committed before any email leaves, and each
//! outcome is committed after its send. A row left pending by a process that stopped mid-send
//! reads "Delivery unknown" and waits for an agent to resend it.

pub mod acceptance;
pub mod access;
mod auto_invite;
mod eligibility;
pub mod email;
pub mod invitation;
pub mod lease;
pub mod mass_invite;
pub mod new_link;
pub mod quota;
mod record;
pub mod reminders;
pub mod template;
pub mod template_preview;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::audit::{self, Actor, ContactEvent};
use crate::contacts::Contact;
use crate::db::schema::{contacts, invitations};
use crate::db::{now, write_transaction, DbConnection, DbPool, ROWS_PER_STATEMENT};
use crate::domain::{EmailAddress, HelpCenterStatus, LinkKey, LinkToken};
use crate::help_center::settings::HelpCenterSettings;
use crate::invitations::invitation::{Invitation, InvitationState, NewInvitation};
use crate::mail::{Delivery, MailError, Mailer};

pub use auto_invite::auto_invite_for_ticket;
pub use eligibility::{decide, Decision, SkipReason};
pub use email::{InvitationEmail, InvitationWording};
pub use record::{mark_interrupted, RowOutcome, INTERRUPTED};

/// Sends run on this many threads at once, each with its own pooled SMTP connection.
const SEND_THREADS: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("the invitation email could not be written: {0}")]
    Template(#[from] askama::Error),
    #[error(transparent)]
    QuotaExceeded(#[from] quota::QuotaExceeded),
}

/// Who asks, and for what.
#[derive(Debug, Clone)]
pub struct InviteRequest {
    pub contact_ids: Vec<i64>,
    pub agent: Option<(i64, String)>,
    /// Resend: replace a live invitation instead of skipping its contact.
    pub resend: bool,
    pub mass_invite_id: Option<i64>,
    pub bulk_job_id: Option<i64>,
}

/// What sending invitations needs; cheap to clone into blocking work.
#[derive(Clone)]
pub struct Inviter {
    pub pool: DbPool,
    pub mailer: Arc<Mailer>,
    pub invitation_email: Arc<InvitationEmail>,
    /// How long a link lasts unless Settings say otherwise.
    pub ttl: Duration,
    /// Makes each link from a seed kept with its invitation, for the reminder.
    pub link_key: LinkKey,
}

/// One contact's result, in the order asked.
#[derive(Debug, Clone)]
pub struct InviteResult {
    pub contact_id: i64,
    pub contact_name: String,
    pub email: Option<String>,
    pub outcome: RowOutcome,
}

/// A contact the decision says to invite, before its invitation row is written.
struct Wanted {
    result_index: usize,
    address: EmailAddress,
    supersedes: Option<i64>,
    seed: String,
    token: LinkToken,
}

/// An invitation committed and waiting for its email.
struct ReadyToSend {
    invitation_id: i64,
    contact_id: i64,
    name: String,
    address: EmailAddress,
    token: LinkToken,
    expires_at: NaiveDateTime,
}

impl Inviter {
    pub fn invite(&self, request: &InviteRequest) -> Result<Vec<InviteResult>, InviteError> {
        let mut conn = self.pool.get()?;
        let settings = HelpCenterSettings::load(&mut conn)?;
        let (mut results, ready) = self.prepare(&mut conn, request, &settings)?;
        // The connection goes back to the pool while the emails go out.
        drop(conn);
        let deliveries = self.deliver(
            &ready,
            request.agent.as_ref().map(|(_, name)| name.as_str()),
            &InvitationWording::from_settings(&settings),
        )?;
        let mut conn = self.pool.get()?;
        let outcomes = record::outcomes(&mut conn, &ready_refs(&ready), deliveries, request)?;
        for result in &mut results {
            if let Some(outcome) = outcomes.get(&result.contact_id) {
                result.outcome = outcome.clone();
            }
            metrics::counter!("portico_invitations_total", "outcome" => result.outcome.kind())
                .increment(1);
        }
        Ok(results)
    }

    /// Decides for every contact and commits the invitations in one transaction; an agent
    /// over their daily quota gets a refusal and nothing is written.
    fn prepare(
        &self,
        conn: &mut DbConnection,
        request: &InviteRequest,
        settings: &HelpCenterSettings,
    ) -> Result<(Vec<InviteResult>, Vec<ReadyToSend>), InviteError> {
        let now = now();
        let expires_at = now + settings.invite_ttl_or(self.ttl);
        write_transaction(conn, |conn| {
            let found: HashMap<i64, Contact> = contacts::table
                .filter(contacts::id.eq_any(&request.contact_ids))
                .select(Contact::as_select())
                .load::<Contact>(conn)?
                .into_iter()
                .map(|contact| (contact.id, contact))
                .collect();
            let live: HashMap<i64, Invitation> =
                Invitation::live_for_contacts(conn, &request.contact_ids)?
                    .into_iter()
                    .map(|invitation| (invitation.contact_id, invitation))
                    .collect();
            if let (Some(limit), Some((agent_id, _))) =
                (settings.daily_invite_quota, &request.agent)
            {
                let wanted =
                    quota::count_eligible(&found, &live, &request.contact_ids, request.resend, now);
                quota::ensure_room(conn, *agent_id, limit, wanted, now)??;
            }
            let actor = request
                .agent
                .as_ref()
                .map_or(Actor::System, |(id, _)| Actor::Agent(*id));
            let mut results = Vec::with_capacity(request.contact_ids.len());
            let mut wanted: Vec<Wanted> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for &contact_id in &request.contact_ids {
                if !seen.insert(contact_id) {
                    continue;
                }
                let contact = found.get(&contact_id);
                let mut result = InviteResult {
                    contact_id,
                    contact_name: contact.map(|c| c.name.clone()).unwrap_or_default(),
                    email: contact.and_then(|c| c.email.clone()),
                    outcome: RowOutcome::Skipped(SkipReason::NotFound),
                };
                match decide(contact, live.get(&contact_id), request.resend, now) {
                    Decision::Skip(reason) => result.outcome = RowOutcome::Skipped(reason),
                    Decision::Invite {
                        address,
                        supersedes,
                    } => {
                        let seed = LinkKey::new_seed();
                        wanted.push(Wanted {
                            result_index: results.len(),
                            address,
                            supersedes,
                            token: self.link_key.token_for(&seed),
                            seed,
                        })
                    }
                }
                results.push(result);
            }
            // Each step below is one statement for all the contacts (per chunk), not one per
            // contact: on PostgreSQL every statement is a round trip.
            let superseded: Vec<i64> = wanted.iter().filter_map(|w| w.supersedes).collect();
            revoke_rows(conn, &superseded, now)?;
            let rows: Vec<NewInvitation> = wanted
                .iter()
                .map(|w| NewInvitation {
                    contact_id: results[w.result_index].contact_id,
                    token_digest: w.token.digest(),
                    link_seed: Some(w.seed.clone()),
                    created_by_agent_id: request.agent.as_ref().map(|(id, _)| *id),
                    batch_id: request.mass_invite_id,
                    bulk_job_id: request.bulk_job_id,
                    state: InvitationState::Pending.as_str(),
                    created_at: now,
                    expires_at,
                })
                .collect();
            let inserted = NewInvitation::insert_many_if_none_live(conn, &rows)?;
            let mut events = Vec::with_capacity(inserted.len());
            let mut ready: Vec<ReadyToSend> = Vec::with_capacity(inserted.len());
            for w in wanted {
                let result = &mut results[w.result_index];
                let Some(&invitation_id) = inserted.get(&result.contact_id) else {
                    // Another request invited this contact a moment ago.
                    result.outcome = RowOutcome::Skipped(SkipReason::AlreadyInvited);
                    continue;
                };
                events.push(ContactEvent {
                    action: if w.supersedes.is_some() {
                        "invitation.resent"
                    } else {
                        "invitation.created"
                    },
                    contact_id: result.contact_id,
                    details: format!(
                        "link valid until {} UTC",
                        expires_at.format("%Y-%m-%d %H:%M")
                    ),
                });
                result.outcome = RowOutcome::Invited;
                ready.push(ReadyToSend {
                    invitation_id,
                    contact_id: result.contact_id,
                    name: result.contact_name.clone(),
                    address: w.address,
                    token: w.token,
                    expires_at,
                });
            }
            audit::record_for_contacts(conn, actor, &events)?;
            // One UPDATE for all the invited contacts rather than one each: on PostgreSQL the
            // count triggers run once per statement, and each statement is a round trip.
            let invited: Vec<i64> = ready.iter().map(|row| row.contact_id).collect();
            for chunk in invited.chunks(ROWS_PER_STATEMENT) {
                diesel::update(contacts::table.filter(contacts::id.eq_any(chunk)))
                    .set((
                        contacts::help_center_status.eq(HelpCenterStatus::Invited.as_str()),
                        contacts::last_invited_at.eq(now),
                        contacts::invitation_expires_at.eq(expires_at),
                    ))
                    .execute(conn)?;
            }
            Ok((results, ready))
        })
    }

    /// Sends every email, several at a time over the SMTP pool.
    fn deliver(
        &self,
        ready: &[ReadyToSend],
        inviter: Option<&str>,
        wording: &InvitationWording,
    ) -> Result<Vec<Result<Delivery, MailError>>, InviteError> {
        let mails = ready
            .iter()
            .map(|row| {
                let link = self.invitation_email.link(&row.token);
                self.invitation_email.compose_with(
                    wording,
                    &row.address,
                    &row.name,
                    inviter,
                    &link,
                    row.expires_at,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        if mails.len() <= 1 {
            return Ok(mails.iter().map(|mail| self.mailer.send(mail)).collect());
        }
        let threads = SEND_THREADS.min(mails.len());
        let per_thread = mails.len().div_ceil(threads);
        let mut deliveries = Vec::with_capacity(mails.len());
        std::thread::scope(|scope| {
            let handles: Vec<_> = mails
                .chunks(per_thread)
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|mail| self.mailer.send(mail))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for handle in handles {
                match handle.join() {
                    Ok(sent) => deliveries.extend(sent),
                    Err(_) => deliveries.push(Err(MailError::Transient {
                        code: None,
                        message: "the sending thread stopped unexpectedly".to_owned(),
                    })),
                }
            }
        });
        deliveries.resize_with(mails.len(), || {
            Err(MailError::Transient {
                code: None,
                message: "not sent".to_owned(),
            })
        });
        Ok(deliveries)
    }
}

/// A random value for claims and submission keys.
pub fn random_key() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn ready_refs(ready: &[ReadyToSend]) -> Vec<(i64, i64)> {
    ready
        .iter()
        .map(|row| (row.invitation_id, row.contact_id))
        .collect()
}

fn revoke_rows(
    conn: &mut DbConnection,
    invitation_ids: &[i64],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut revoked = 0;
    for chunk in invitation_ids.chunks(ROWS_PER_STATEMENT) {
        revoked += diesel::update(
            invitations::table
                .filter(invitations::id.eq_any(chunk))
                .filter(invitations::state.eq_any(InvitationState::LIVE)),
        )
        .set((
            invitations::state.eq(InvitationState::Revoked.as_str()),
            invitations::revoked_at.eq(now),
        ))
        .execute(conn)?;
    }
    Ok(revoked)
}

/// Kills a contact's live invitation link; the contact reads "Not invited" again.
pub fn revoke(conn: &mut DbConnection, contact_id: i64, agent_id: i64) -> QueryResult<bool> {
    write_transaction(conn, |conn| {
        let Some(live) = Invitation::live_for_contact(conn, contact_id)? else {
            return Ok(false);
        };
        let now = now();
        revoke_rows(conn, &[live.id], now)?;
        diesel::update(
            contacts::table
                .find(contact_id)
                .filter(contacts::help_center_status.eq(HelpCenterStatus::Invited.as_str())),
        )
        .set((
            contacts::help_center_status.eq(HelpCenterStatus::NotInvited.as_str()),
            contacts::invitation_expires_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
        audit::record(
            conn,
            Actor::Agent(agent_id),
            "invitation.revoked",
            ("contact", Some(contact_id)),
            &format!(
                "the link sent {} UTC works no more",
                live.created_at.format("%Y-%m-%d %H:%M")
            ),
        )?;
        Ok(true)
    })
}
