use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{page_with_status, PortalChrome};
use crate::auth::password::verify_sign_in;
use crate::auth::session;
use crate::auth::sessions::Holder;
use crate::auth::sign_in_throttle::{self, Audience, Rejection};
use crate::auth::signing_in;
use crate::contacts::Contact;
use crate::domain::TimeZone;
use crate::error::AppError;
use crate::help_center::accounts::PortalAccount;
use crate::help_center::links::customer_with_a_password;
use crate::help_center::settings::{HelpCenterSettings, SelfRegistration};
use crate::routes::redirect_see_other;
use crate::state::AppState;

const DEFAULT_LANDING: &str = "/portal";
/// The one answer for every failure, so the page never tells which addresses have accounts.
const SIGN_IN_FAILED: &str = "Incorrect email or password.";
/// Only for the right password: the customer would otherwise reset it again and again.
const ACCESS_TURNED_OFF: &str = "Your password is right, but your Help Center access has been \
    turned off, so you cannot sign in. If you need it back, contact support.";

#[derive(Template)]
#[template(path = "portal/login.html")]
struct LoginPage {
    chrome: PortalChrome,
    email: String,
    next: String,
    error: Option<String>,
    signed_out: bool,
    registration_open: bool,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    signed_out: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
    /// The browser's time zone, filled in by script, for the Help Center's times.
    #[serde(default)]
    time_zone: String,
}

/// Only a Help Center path on this site: "//evil.example" and "/\evil.example" are other
/// sites to a browser, and agent pages are no place to send a customer.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if (path == DEFAULT_LANDING
                || path.starts_with("/portal/")
                || path.starts_with("/portal?"))
                && !path.contains('\\')
                && !path.chars().any(char::is_control)
                && !path.starts_with("/portal/logout") =>
        {
            path.to_owned()
        }
        _ => DEFAULT_LANDING.to_owned(),
    }
}

async fn can_sign_in(state: &AppState, contact_id: i64) -> Result<bool, AppError> {
    state
        .db(move |conn| {
            Ok(PortalAccount::for_contact(conn, contact_id)?
                .is_some_and(|account| account.can_sign_in()))
        })
        .await
}

async fn registration_open(state: &AppState) -> Result<bool, AppError> {
    let settings = state.db(|conn| Ok(HelpCenterSettings::load(conn)?)).await?;
    Ok(settings.self_registration != SelfRegistration::Off)
}

pub async fn login_form(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let next = safe_next(query.next.as_deref());
    if session::customer_key(&session).is_some() {
        return Ok(redirect_see_other(&next));
    }
    page_with_status(
        &LoginPage {
            chrome: PortalChrome::anonymous(&session),
            email: String::new(),
            next,
            error: None,
            signed_out: query.signed_out.is_some(),
            registration_open: registration_open(&state).await?,
        },
        StatusCode::OK,
    )
}

pub async fn login(
    state: web::Data<AppState>,
    session: Session,
    request: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let LoginForm {
        email,
        password,
        next,
        time_zone,
    } = form.into_inner();
    let next = safe_next(next.as_deref());
    let attempt = sign_in_throttle::attempt(
        &state,
        Audience::Customer,
        &email,
        state.client_addresses.of(&request),
        |conn, address| {
            let contact = Contact::find_live_by_email(conn, address)?;
            customer_with_a_password(conn, contact)
        },
        move |customer| {
            let found = customer
                .as_ref()
                .map(|(contact, account)| (contact.id, account.password_hash.as_str()));
            verify_sign_in(found, &password)
        },
    )
    .await?;
    let rejection = match attempt.signed_in(SIGN_IN_FAILED) {
        Ok(contact_id) if !can_sign_in(&state, contact_id).await? => {
            Rejection::now(ACCESS_TURNED_OFF, StatusCode::FORBIDDEN)
        }
        Ok(contact_id) => {
            let browser = signing_in::browser_of(&state, &request);
            signing_in::sign_in(&state, &session, browser, Holder::Customer(contact_id)).await?;
            if let Some(zone) = TimeZone::parse(&time_zone) {
                session::set_time_zone(&session, zone);
            }
            return Ok(redirect_see_other(&next));
        }
        Err(rejection) => rejection,
    };
    let shown_email: String = email.trim().chars().take(254).collect();
    let mut response = page_with_status(
        &LoginPage {
            chrome: PortalChrome::anonymous(&session),
            email: shown_email,
            next,
            error: Some(rejection.message.clone()),
            signed_out: false,
            registration_open: registration_open(&state).await?,
        },
        rejection.status,
    )?;
    rejection.add_headers(&mut response);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_in_the_help_center() {
        for kept in ["/portal", "/portal/tickets/7", "/portal?status=closed"] {
            assert_eq!(safe_next(Some(kept)), kept);
        }
        for refused in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/portal/..\\x",
            "/contacts",
            "/portalx",
            "portal",
            "/portal/a\r\nSet-Cookie: x",
            "/portal/logout",
        ] {
            assert_eq!(safe_next(Some(refused)), "/portal", "{refused:?}");
        }
        assert_eq!(safe_next(None), "/portal");
    }
}
