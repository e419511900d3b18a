use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::password_reset::email_reset_link;
use super::{check_your_email, signed_in_from_link, PortalChrome};
use crate::auth::hashing_threads::hash_new_password;
use crate::auth::rate_limit;
use crate::db::now;
use crate::domain::one_line;
use crate::domain::{
    LinkToken, NewPassword, PasswordError, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS,
};
use crate::error::AppError;
use crate::invitations::acceptance::{accept as accept_invitation, open_invitation};
use crate::invitations::new_link::{self, NewLink};
use crate::invitations::InviteRequest;
use crate::state::AppState;

const NAME_MAX_CHARS: usize = 200;

#[derive(Template)]
#[template(path = "portal/accept.html")]
struct AcceptPage {
    chrome: PortalChrome,
    name: String,
    email: String,
    name_error: Option<String>,
    password_error: Option<String>,
    confirm_error: Option<String>,
    min_chars: usize,
    max_chars: usize,
}

#[derive(Template)]
#[template(path = "portal/link_invalid.html")]
struct InvalidLinkPage {
    chrome: PortalChrome,
    /// The link as presented, for "Email me a new link" to work from.
    token: String,
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

#[derive(Deserialize)]
pub struct NewLinkForm {
    #[serde(default)]
    token: String,
}

const NEW_LINK_SENT: &str = "If this link was sent to you, we have emailed you a new one, or a link to sign in if you already activated your account. It can take a few minutes to arrive.";

/// Longer than any real link: the page never echoes more of a made-up one.
const PRESENTED_TOKEN_MAX_CHARS: usize = 64;

fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// One page for every link that does not work (unknown, expired, revoked, used): the same
/// status, the same words, so a link reveals nothing about why.
fn invalid_link(session: &Session, presented: &str) -> Result<HttpResponse, AppError> {
    let body = InvalidLinkPage {
        chrome: PortalChrome::anonymous(session),
        token: presented.chars().take(PRESENTED_TOKEN_MAX_CHARS).collect(),
    }
    .render()?;
    Ok(html(StatusCode::GONE, body))
}

/// Shows the registration form. Looking never uses the link up: mail scanners open links.
pub async fn form(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let presented = path.into_inner();
    let Some(token) = LinkToken::parse(&presented) else {
        return invalid_link(&session, &presented);
    };
    let open = state
        .db(move |conn| Ok(open_invitation(conn, &token, now())?))
        .await?;
    let Some((_, contact)) = open else {
        return invalid_link(&session, &presented);
    };
    let page = AcceptPage {
        chrome: PortalChrome::anonymous(&session),
        name: contact.name.clone(),
        email: contact.email.clone().unwrap_or_default(),
        name_error: None,
        password_error: None,
        confirm_error: None,
        min_chars: PASSWORD_MIN_CHARS,
        max_chars: PASSWORD_MAX_CHARS,
    };
    Ok(html(StatusCode::OK, page.render()?))
}

pub async fn accept(
    state: web::Data<AppState>,
    session: Session,
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<AcceptForm>,
) -> Result<HttpResponse, AppError> {
    let presented = path.into_inner();
    let Some(token) = LinkToken::parse(&presented) else {
        return invalid_link(&session, &presented);
    };
    let AcceptForm {
        name,
        password,
        password_confirmation,
    } = form.into_inner();
    let name = one_line(&name);
    let name_error = if name.is_empty() {
        Some("Enter your name.".to_owned())
    } else if name.chars().count() > NAME_MAX_CHARS {
        Some(format!("Use at most {NAME_MAX_CHARS} characters."))
    } else {
        None
    };
    let password = NewPassword::parse(&password, &password_confirmation);
    if name_error.is_some() || password.is_err() {
        let lookup = token.clone();
        let open = state
            .db(move |conn| Ok(open_invitation(conn, &lookup, now())?))
            .await?;
        let Some((_, contact)) = open else {
            return invalid_link(&session, &presented);
        };
        let (password_error, confirm_error) = match password.as_ref().err() {
            Some(PasswordError::Mismatch) => (None, Some(PasswordError::Mismatch.to_string())),
            Some(error) => (Some(error.to_string()), None),
            None => (None, None),
        };
        let shown_name: String = name.chars().take(NAME_MAX_CHARS * 2).collect();
        let page = AcceptPage {
            chrome: PortalChrome::anonymous(&session),
            name: shown_name,
            email: contact.email.unwrap_or_default(),
            name_error,
            password_error,
            confirm_error,
            min_chars: PASSWORD_MIN_CHARS,
            max_chars: PASSWORD_MAX_CHARS,
        };
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()?));
    }
    let password = password.map_err(|error| AppError::BadRequest(error.to_string()))?;
    let hash = hash_new_password(password).await?;
    let accepted = state
        .db(move |conn| Ok(accept_invitation(conn, &token, &name, &hash, now())?))
        .await?;
    let Some(contact_id) = accepted else {
        return invalid_link(&session, &presented);
    };
    signed_in_from_link(
        &state,
        &session,
        &request,
        contact_id,
        "Your Help Center account is active. Welcome!",
    )
    .await
}

/// "Email me a new link": the same answer, as fast, whatever the link was; what it earns is
/// worked out and sent after the answer.
pub async fn request_new_link(
    state: web::Data<AppState>,
    session: Session,
    request: HttpRequest,
    form: web::Form<NewLinkForm>,
) -> Result<HttpResponse, AppError> {
    if let Some(token) = LinkToken::parse(&form.into_inner().token) {
        let client = state.client_addresses.of(&request);
        actix_web::rt::spawn(async move {
            if let Err(error) = email_new_link(&state, token, client).await {
                tracing::warn!(%error, "a new link asked for from the Help Center was not sent");
            }
        });
    }
    check_your_email(&session, NEW_LINK_SENT)
}

async fn email_new_link(
    state: &AppState,
    token: LinkToken,
    client: String,
) -> Result<(), AppError> {
    let new_link = state
        .db(move |conn| Ok(new_link::for_presented_link(conn, &token, now())?))
        .await?;
    let address = match &new_link {
        NewLink::Invitation { address, .. } | NewLink::PasswordReset { address } => address,
        NewLink::Nothing => return Ok(()),
    };
    if rate_limit::allow_email(state, address.as_str(), client)
        .await?
        .is_err()
    {
        return Ok(());
    }
    match new_link {
        NewLink::Invitation { contact_id, .. } => {
            // Not a resend: a live invitation is skipped, never replaced from outside.
            let request = InviteRequest {
                contact_ids: vec![contact_id],
                agent: None,
                resend: false,
                mass_invite_id: None,
                bulk_job_id: None,
            };
            state
                .invitations(move |inviter| inviter.invite(&request))
                .await?;
            Ok(())
        }
        NewLink::PasswordReset { address } => email_reset_link(state, address).await,
        NewLink::Nothing => Ok(()),
    }
}
