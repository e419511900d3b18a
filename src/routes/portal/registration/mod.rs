//! Self-registration, when an admin allows it: name and email, an emailed verification link
//! (valid 24 hours), then a password (`verify`). The address's existing contact is linked, never
//! duplicated; an address that already has an account is emailed a pointer to sign-in.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

mod verify;

pub use verify::{verify, verify_form};

use super::{
    check_your_email, company_name, link_to, mail_brand, page_with_status, send_in_background,
    PortalChrome,
};
use crate::auth::rate_limit;
use crate::db::DbConnection;
use crate::domain::one_line;
use crate::domain::EmailAddress;
use crate::error::AppError;
use crate::help_center::emails::{self, RegistrationEmail};
use crate::help_center::registration::{self, Outcome};
use crate::help_center::settings::{HelpCenterSettings, SelfRegistration};
use crate::state::AppState;

const NAME_MAX_CHARS: usize = 200;
const LINK_SENT: &str = "We have sent a message to the address you gave. Open the link in it within 24 hours to choose your password and finish creating your account. It can take a few minutes to arrive.";

#[derive(Template)]
#[template(path = "portal/register.html")]
struct RegisterPage {
    chrome: PortalChrome,
    /// Registration is off: the page says accounts are by invitation only.
    closed: bool,
    domains: Vec<String>,
    name: String,
    email: String,
    name_error: Option<String>,
    email_error: Option<String>,
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

fn load_settings(conn: &mut DbConnection) -> Result<HelpCenterSettings, AppError> {
    Ok(HelpCenterSettings::load(conn)?)
}

fn allowed_domains(settings: &HelpCenterSettings) -> Vec<String> {
    match &settings.self_registration {
        SelfRegistration::Domains(domains) => domains.clone(),
        _ => Vec::new(),
    }
}

fn register_page(
    session: &Session,
    settings: &HelpCenterSettings,
    form: RegisterForm,
    name_error: Option<String>,
    email_error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let closed = settings.self_registration == SelfRegistration::Off;
    let status = if closed {
        StatusCode::NOT_FOUND
    } else if name_error.is_some() || email_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page_with_status(
        &RegisterPage {
            chrome: PortalChrome::anonymous(session),
            closed,
            domains: allowed_domains(settings),
            name: form.name.chars().take(NAME_MAX_CHARS * 2).collect(),
            email: form.email.chars().take(254).collect(),
            name_error,
            email_error,
        },
        status,
    )
}

pub async fn form(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, AppError> {
    let settings = state.db(load_settings).await?;
    let empty = RegisterForm {
        name: String::new(),
        email: String::new(),
    };
    register_page(&session, &settings, empty, None, None)
}

fn parse_name(typed: &str) -> Result<String, String> {
    let name = one_line(typed);
    if name.is_empty() {
        Err("Enter your name.".to_owned())
    } else if name.chars().count() > NAME_MAX_CHARS {
        Err(format!("Use at most {NAME_MAX_CHARS} characters."))
    } else {
        Ok(name)
    }
}

pub async fn register(
    state: web::Data<AppState>,
    session: Session,
    request: HttpRequest,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let settings = state.db(load_settings).await?;
    if settings.self_registration == SelfRegistration::Off {
        return register_page(&session, &settings, form, None, None);
    }
    let name = parse_name(&form.name);
    let address = EmailAddress::parse(&form.email)
        .map_err(|error| error.to_string())
        .and_then(|address| {
            if settings.self_registration.allows(address.domain()) {
                Ok(address)
            } else {
                Err(format!(
                    "Accounts can be created only with an address at {}.",
                    allowed_domains(&settings).join(", ")
                ))
            }
        });
    let (name, address) = match (name, address) {
        (Ok(name), Ok(address)) => (name, address),
        (name, address) => {
            return register_page(&session, &settings, form, name.err(), address.err());
        }
    };
    let client = state.client_addresses.of(&request);
    rate_limit::allow_email(&state, address.as_str(), client).await??;
    let lookup = address.clone();
    let outcome = state
        .db(move |conn| Ok(registration::ask(conn, &lookup, name)?))
        .await?;
    let company = company_name(&state, &settings);
    let brand = mail_brand(&state, &settings);
    let letter = match outcome {
        Outcome::Verify { name, issued } => Some(RegistrationEmail {
            name,
            company,
            already_registered: false,
            link: link_to(
                &state,
                &format!("/portal/register/verify/{}", issued.token.as_str()),
            ),
            reset_link: String::new(),
            expires: issued.expires_at.format("%Y-%m-%d %H:%M").to_string(),
            brand,
        }),
        Outcome::AlreadyRegistered { name } => Some(RegistrationEmail {
            name,
            company,
            already_registered: true,
            link: link_to(&state, "/portal/login"),
            reset_link: link_to(&state, "/portal/password/forgot"),
            expires: String::new(),
            brand,
        }),
        Outcome::Nothing => None,
    };
    if let Some(letter) = letter {
        send_in_background(&state, emails::registration(&address, &letter)?);
    }
    check_your_email(&session, LINK_SENT)
}
