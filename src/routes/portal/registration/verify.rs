//! The verification link of a self-registration: the password form, then the account.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::load_settings;
use crate::audit::Actor;
use crate::contacts::Contact;
use crate::contacts::{self, ContactError};
use crate::db::{now, DbConnection};
use crate::domain::{
    ContactDraft, LinkToken, PasswordError, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS,
};
use crate::error::AppError;
use crate::help_center::links::{complete_registration, CustomerToken, TokenPurpose};
use crate::routes::password_link::{self, NewPasswordForm, PasswordLink};
use crate::routes::portal::{
    link_no_longer_valid, page_with_status, password_errors, signed_in_from_link, PortalChrome,
};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "portal/verify_email.html")]
struct VerifyPage {
    chrome: PortalChrome,
    name: String,
    email: String,
    password_error: Option<String>,
    confirm_error: Option<String>,
    min_chars: usize,
    max_chars: usize,
}

/// A self-registration's verification link.
struct VerifyLink;

impl PasswordLink for VerifyLink {
    /// The registration the link finishes: the address and the name typed.
    type Opened = CustomerToken;

    /// The registration a still-usable link finishes, while registration still admits its
    /// address.
    fn open(conn: &mut DbConnection, token: &LinkToken) -> Result<Option<CustomerToken>, AppError> {
        let settings = load_settings(conn)?;
        let row = CustomerToken::find_usable(conn, TokenPurpose::VerifyEmail, token, now())?;
        Ok(row.filter(|row| {
            let domain = row.email.rsplit_once('@').map_or("", |(_, domain)| domain);
            settings.self_registration.allows(domain)
        }))
    }

    fn form_page(
        session: &Session,
        status: StatusCode,
        row: CustomerToken,
        error: Option<&PasswordError>,
    ) -> Result<HttpResponse, AppError> {
        let (password_error, confirm_error) = password_errors(error);
        page_with_status(
            &VerifyPage {
                chrome: PortalChrome::anonymous(session),
                name: row.name,
                email: row.email,
                password_error,
                confirm_error,
                min_chars: PASSWORD_MIN_CHARS,
                max_chars: PASSWORD_MAX_CHARS,
            },
            status,
        )
    }

    fn no_longer_valid(session: &Session) -> Result<HttpResponse, AppError> {
        link_no_longer_valid(session, "/portal/register", "Register again")
    }
}

pub async fn verify_form(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    password_link::show_form::<VerifyLink>(&state, &session, &path).await
}

/// The live contact with this address, created first if there is none. Creating runs its own
/// transaction (duplicate flags, audit), so it comes before the one that activates.
fn contact_for(conn: &mut DbConnection, row: &CustomerToken) -> Result<i64, AppError> {
    if let Some(contact) = Contact::find_live_by_email(conn, &row.email)? {
        return Ok(contact.id);
    }
    let draft = ContactDraft::parse(&row.name, &row.email, "")
        .map_err(|errors| AppError::BadRequest(errors.summary()))?;
    match contacts::create(conn, &draft, None, Actor::System) {
        Ok(id) => Ok(id),
        // Someone added this address a moment ago: link that contact.
        Err(ContactError::DuplicateEmail { existing_id }) => Ok(existing_id),
        Err(ContactError::Database(error)) => Err(AppError::Database(error)),
        Err(ContactError::NotFound | ContactError::MergedInto { .. }) => Err(AppError::NotFound),
    }
}

pub async fn verify(
    state: web::Data<AppState>,
    session: Session,
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<NewPasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (token, hash) =
        match password_link::checked::<VerifyLink>(&state, &session, &path, form).await? {
            Ok(ready) => ready,
            Err(page) => return Ok(page),
        };
    let registered = state
        .db(move |conn| {
            let Some(row) = VerifyLink::open(conn, &token)? else {
                return Ok(None);
            };
            let contact_id = contact_for(conn, &row)?;
            Ok(complete_registration(
                conn,
                &token,
                contact_id,
                &hash,
                now(),
            )?)
        })
        .await?;
    let Some(contact_id) = registered else {
        return VerifyLink::no_longer_valid(&session);
    };
    signed_in_from_link(
        &state,
        &session,
        &request,
        contact_id,
        "Your Help Center account is ready. Welcome!",
    )
    .await
}
