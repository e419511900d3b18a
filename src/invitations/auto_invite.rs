//! Auto-invite: an admin's setting under which a new ticket invites its contact.

use super::{InviteError, InviteRequest, InviteResult, Inviter};
use crate::help_center::settings::HelpCenterSettings;

/// When an admin turned auto-invite on, a new ticket invites its contact to the Help Center,
/// under the same eligibility rules as any invite (an activated, deactivated, already invited,
/// spam or email-less contact gets nothing). Every place that creates a ticket calls this after
/// committing it: the agents' "New ticket" form, and the Help Center's "Submit a ticket".
pub fn auto_invite_for_ticket(
    inviter: &Inviter,
    contact_id: i64,
) -> Result<Option<InviteResult>, InviteError> {
    let mut conn = inviter.pool.get()?;
    if !HelpCenterSettings::load(&mut conn)?.auto_invite {
        return Ok(None);
    }
    drop(conn);
    let results = inviter.invite(&InviteRequest {
        contact_ids: vec![contact_id],
        agent: None,
        resend: false,
        mass_invite_id: None,
        bulk_job_id: None,
    })?;
    Ok(results.into_iter().next())
}
