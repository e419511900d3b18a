use actix_web::{web, HttpResponse};
use askama::Template;

use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::contacts::Contact;
use crate::db::now;
use crate::error::AppError;
use crate::help_center::settings::HelpCenterSettings;
use crate::invitations::invitation::Invitation;
use crate::invitations::{self, decide, Decision, InvitationWording, InviteRequest, RowOutcome};
use crate::mail::OutgoingMail;
use crate::routes::chrome::Chrome;
use crate::routes::{email_in_a_frame, page, redirect_see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "agent/invitations/preview.html")]
struct PreviewPage {
    chrome: Chrome,
    contact: Contact,
    email: Option<OutgoingMail>,
    refusal: Option<&'static str>,
}

pub async fn preview(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (contact, previewed) = previewed_email(&agent, &state, path.into_inner()).await?;
    let (email, refusal) = match previewed {
        Ok(email) => (Some(email), None),
        Err(reason) => (None, Some(reason)),
    };
    page(&PreviewPage {
        chrome: agent.chrome("customers"),
        contact,
        email,
        refusal,
    })
}

/// The invitation's HTML alone, as the contact's mail program will show it, for the preview
/// page's frame (so the button looks as sent).
pub async fn preview_html(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (_, previewed) = previewed_email(&agent, &state, path.into_inner()).await?;
    let email = previewed.map_err(|_| AppError::NotFound)?;
    Ok(email_in_a_frame(email.html))
}

/// The email the contact would get now, with a stand-in for the link, or why they cannot be
/// invited.
async fn previewed_email(
    agent: &SignedInAgent,
    state: &web::Data<AppState>,
    id: i64,
) -> Result<(Contact, Result<OutgoingMail, &'static str>), AppError> {
    let (contact, live, settings) = state
        .db(move |conn| {
            let contact = Contact::find(conn, id)?.ok_or(AppError::NotFound)?;
            let live = Invitation::live_for_contact(conn, id)?;
            Ok((contact, live, HelpCenterSettings::load(conn)?))
        })
        .await?;
    let now = now();
    let expires_at = now + settings.invite_ttl_or(state.inviter.ttl);
    let wording = InvitationWording::from_settings(&settings);
    let previewed = match decide(Some(&contact), live.as_ref(), false, now) {
        Decision::Invite { address, .. } => Ok(state.inviter.invitation_email.preview_with(
            &wording,
            &address,
            &contact.name,
            &agent.agent.name,
            expires_at,
        )?),
        Decision::Skip(reason) => Err(reason.text()),
    };
    Ok((contact, previewed))
}

/// Invites (or re-invites) one contact and returns to its page with what happened.
async fn invite_one(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    contact_id: i64,
    resend: bool,
) -> Result<HttpResponse, AppError> {
    let request = InviteRequest {
        contact_ids: vec![contact_id],
        agent: Some((agent.agent.id, agent.agent.name.clone())),
        resend,
        mass_invite_id: None,
        bulk_job_id: None,
    };
    let results = state
        .invitations(move |inviter| inviter.invite(&request))
        .await?;
    let result = results.into_iter().next().ok_or(AppError::NotFound)?;
    let address = result.email.unwrap_or_default();
    let (kind, message) = match &result.outcome {
        RowOutcome::Invited if resend => (
            FlashKind::Success,
            format!("A new invitation was sent to {address}. The previous link no longer works."),
        ),
        RowOutcome::Invited => (FlashKind::Success, format!("Invitation sent to {address}.")),
        RowOutcome::Skipped(invitations::SkipReason::NotFound) => return Err(AppError::NotFound),
        RowOutcome::Skipped(reason) => {
            (FlashKind::Error, format!("Not invited: {}.", reason.text()))
        }
        RowOutcome::Failed {
            error, permanent, ..
        } => (
            FlashKind::Error,
            if *permanent {
                format!("The mail server refused the invitation to {address}: {error}")
            } else {
                format!("The invitation to {address} could not be sent yet ({error}). Use Retry to try again.")
            },
        ),
        RowOutcome::Unknown { error } => (
            FlashKind::Error,
            format!("The mail server took the invitation to {address} but never confirmed it ({error}). It may have arrived: if {address} did not get it, use Resend anyway."),
        ),
    };
    set_flash(agent.session(), kind, message);
    Ok(redirect_see_other(&format!(
        "/contacts/{contact_id}#help-center"
    )))
}

pub async fn invite(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    invite_one(agent, state, path.into_inner(), false).await
}

pub async fn resend(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    invite_one(agent, state, path.into_inner(), true).await
}

pub async fn revoke(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let contact_id = path.into_inner();
    let agent_id = agent.agent.id;
    let revoked = state
        .db(move |conn| Ok(invitations::revoke(conn, contact_id, agent_id)?))
        .await?;
    let message = if revoked {
        (
            FlashKind::Success,
            "Invitation revoked: its link no longer works.",
        )
    } else {
        (FlashKind::Info, "There was no open invitation to revoke.")
    };
    set_flash(agent.session(), message.0, message.1);
    Ok(redirect_see_other(&format!(
        "/contacts/{contact_id}#help-center"
    )))
}
