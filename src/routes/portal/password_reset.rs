//! "Forgot password?": an emailed one-time link, valid one hour, that sets a new password.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{
    check_your_email, company_name, link_no_longer_valid, link_to, mail_brand, page_with_status,
    password_errors, send_in_background, signed_in_from_link, PortalChrome,
};
use crate::auth::rate_limit;
use crate::contacts::Contact;
use crate::db::{now, DbConnection};
use crate::domain::{
    EmailAddress, LinkToken, PasswordError, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS,
};
use crate::error::AppError;
use crate::help_center::emails;
use crate::help_center::links::{
    customer_who_can_sign_in, redeem_password_reset, CustomerToken, TokenPurpose,
};
use crate::help_center::settings::HelpCenterSettings;
use crate::routes::password_link::{self, NewPasswordForm, PasswordLink};
use crate::state::AppState;

const LINK_SENT: &str = "If this address belongs to a Help Center account, we have sent it a link to choose a new password. The link works once, for one hour. It can take a few minutes to arrive.";

#[derive(Template)]
#[template(path = "portal/forgot_password.html")]
struct RequestPage {
    chrome: PortalChrome,
    email: String,
    email_error: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/reset_password.html")]
struct ResetPage {
    chrome: PortalChrome,
    email: String,
    password_error: Option<String>,
    confirm_error: Option<String>,
    min_chars: usize,
    max_chars: usize,
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    email: String,
}

pub async fn request_form(session: Session) -> Result<HttpResponse, AppError> {
    page_with_status(
        &RequestPage {
            chrome: PortalChrome::anonymous(&session),
            email: String::new(),
            email_error: None,
        },
        StatusCode::OK,
    )
}

pub async fn request_link(
    state: web::Data<AppState>,
    session: Session,
    request: HttpRequest,
    form: web::Form<RequestForm>,
) -> Result<HttpResponse, AppError> {
    let typed = form.into_inner().email;
    let address = match EmailAddress::parse(&typed) {
        Ok(address) => address,
        Err(error) => {
            return page_with_status(
                &RequestPage {
                    chrome: PortalChrome::anonymous(&session),
                    email: typed.chars().take(254).collect(),
                    email_error: Some(error.to_string()),
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let client = state.client_addresses.of(&request);
    rate_limit::allow_email(&state, address.as_str(), client).await??;
    email_reset_link(&state, address).await?;
    check_your_email(&session, LINK_SENT)
}

/// Emails a reset link to `address` if it belongs to a customer who can sign in; the email
/// goes out after the answer, so its time tells nothing.
pub(super) async fn email_reset_link(
    state: &AppState,
    address: EmailAddress,
) -> Result<(), AppError> {
    let lookup = address.clone();
    let issued = state
        .db(move |conn| {
            let contact = Contact::find_live_by_email(conn, lookup.as_str())?;
            let Some((contact, _)) = customer_who_can_sign_in(conn, contact)? else {
                return Ok(None);
            };
            let settings = HelpCenterSettings::load(conn)?;
            let issued = CustomerToken::issue(
                conn,
                TokenPurpose::PasswordReset,
                Some(contact.id),
                lookup.as_str(),
                "",
                now(),
            )?;
            Ok(Some((contact.name, settings, issued)))
        })
        .await?;
    if let Some((name, settings, issued)) = issued {
        let link = link_to(
            state,
            &format!("/portal/password/reset/{}", issued.token.as_str()),
        );
        let company = company_name(state, &settings);
        let brand = mail_brand(state, &settings);
        let mail =
            emails::password_reset(&address, &name, &company, &link, issued.expires_at, &brand)?;
        send_in_background(state, mail);
    }
    Ok(())
}

/// A Help Center customer's reset link.
struct CustomerResetLink;

impl PasswordLink for CustomerResetLink {
    /// The address of the account the link is for.
    type Opened = String;

    fn open(conn: &mut DbConnection, token: &LinkToken) -> Result<Option<String>, AppError> {
        let Some(row) =
            CustomerToken::find_usable(conn, TokenPurpose::PasswordReset, token, now())?
        else {
            return Ok(None);
        };
        let contact = match row.contact_id {
            Some(id) => Contact::find(conn, id)?,
            None => None,
        };
        Ok(customer_who_can_sign_in(conn, contact)?.map(|_| row.email))
    }

    fn form_page(
        session: &Session,
        status: StatusCode,
        email: String,
        error: Option<&PasswordError>,
    ) -> Result<HttpResponse, AppError> {
        let (password_error, confirm_error) = password_errors(error);
        page_with_status(
            &ResetPage {
                chrome: PortalChrome::anonymous(session),
                email,
                password_error,
                confirm_error,
                min_chars: PASSWORD_MIN_CHARS,
                max_chars: PASSWORD_MAX_CHARS,
            },
            status,
        )
    }

    fn no_longer_valid(session: &Session) -> Result<HttpResponse, AppError> {
        link_no_longer_valid(session, "/portal/password/forgot", "Email me a new link")
    }
}

pub async fn reset_form(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    password_link::show_form::<CustomerResetLink>(&state, &session, &path).await
}

pub async fn reset(
    state: web::Data<AppState>,
    session: Session,
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<NewPasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (token, hash) =
        match password_link::checked::<CustomerResetLink>(&state, &session, &path, form).await? {
            Ok(ready) => ready,
            Err(page) => return Ok(page),
        };
    let redeemed = state
        .db(move |conn| Ok(redeem_password_reset(conn, &token, &hash, now())?))
        .await?;
    let Some(contact_id) = redeemed else {
        return CustomerResetLink::no_longer_valid(&session);
    };
    signed_in_from_link(
        &state,
        &session,
        &request,
        contact_id,
        "Your password has been changed. You are signed in.",
    )
    .await
}
