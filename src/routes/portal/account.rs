//! The customer's account: their name, their password (the current one required), and
//! signing out of their other sessions.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{page_with_status, password_errors, PortalChrome};
use crate::audit::Actor;
use crate::auth::guard::SignedInCustomer;
use crate::auth::hashing_threads::{hash_new_password, off_the_workers};
use crate::auth::password::{verify_password, MAX_PASSWORD_BYTES};
use crate::auth::session::{set_flash, FlashKind};
use crate::auth::sessions::{self, Holder};
use crate::contacts::Contact;
use crate::contacts::{self, ContactError};
use crate::db::now;
use crate::domain::one_line;
use crate::domain::{
    ContactDraft, EmailAddress, NewPassword, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS,
};
use crate::error::AppError;
use crate::help_center::accounts::PortalAccount;
use crate::help_center::links::{change_password, end_other_sessions};
use crate::routes::redirect_see_other;
use crate::routes::session_list::{ShownSession, SIGNED_OUT_THERE};
use crate::state::AppState;

const NAME_MAX_CHARS: usize = 200;
pub const SESSIONS_PATH: &str = "/portal/account/sessions";

#[derive(Template)]
#[template(path = "portal/account.html")]
struct AccountPage {
    chrome: PortalChrome,
    sessions: Vec<ShownSession>,
    sessions_action: &'static str,
    name: String,
    email: String,
    errors: AccountErrors,
    min_chars: usize,
    max_chars: usize,
}

/// Each beside its own field.
#[derive(Debug, Default)]
pub struct AccountErrors {
    pub name: Option<String>,
    pub current_password: Option<String>,
    pub password: Option<String>,
    pub confirm: Option<String>,
}

/// Every form of the page posts here; `section` says which one was sent.
#[derive(Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    section: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

async fn render(
    customer: &SignedInCustomer,
    state: &AppState,
    status: StatusCode,
    name: String,
    errors: AccountErrors,
) -> Result<HttpResponse, AppError> {
    let holder = Holder::Customer(customer.contact.id);
    let listed = state
        .db(move |conn| Ok(sessions::list(conn, holder, now())?))
        .await?;
    page_with_status(
        &AccountPage {
            chrome: PortalChrome::for_customer(customer, "account"),
            sessions: ShownSession::list(listed, customer.session_key(), customer.zone()),
            sessions_action: SESSIONS_PATH,
            name,
            email: customer.contact.email.clone().unwrap_or_default(),
            errors,
            min_chars: PASSWORD_MIN_CHARS,
            max_chars: PASSWORD_MAX_CHARS,
        },
        status,
    )
}

pub async fn show(
    customer: SignedInCustomer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let name = customer.contact.name.clone();
    render(
        &customer,
        &state,
        StatusCode::OK,
        name,
        AccountErrors::default(),
    )
    .await
}

pub async fn update(
    customer: SignedInCustomer,
    state: web::Data<AppState>,
    form: web::Form<AccountForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    match form.section.as_str() {
        "name" => change_name(customer, state, form.name).await,
        "password" => change_own_password(customer, state, form).await,
        _ => Err(AppError::BadRequest(
            "The form could not be read: it names no section of the account page.".to_owned(),
        )),
    }
}

async fn change_name(
    customer: SignedInCustomer,
    state: web::Data<AppState>,
    typed: String,
) -> Result<HttpResponse, AppError> {
    let name = one_line(&typed);
    let error = if name.is_empty() {
        Some("Enter your name.".to_owned())
    } else if name.chars().count() > NAME_MAX_CHARS {
        Some(format!("Use at most {NAME_MAX_CHARS} characters."))
    } else {
        None
    };
    if error.is_some() {
        let shown: String = typed.chars().take(NAME_MAX_CHARS * 2).collect();
        let errors = AccountErrors {
            name: error,
            ..AccountErrors::default()
        };
        return render(
            &customer,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            shown,
            errors,
        )
        .await;
    }
    let contact_id = customer.contact.id;
    state
        .db(move |conn| {
            // Read afresh: every other field is written back as it is now.
            let contact = Contact::find(conn, contact_id)?.ok_or(AppError::NotFound)?;
            let email = match contact.email.as_deref() {
                Some(stored) => Some(EmailAddress::parse(stored).map_err(|error| {
                    AppError::Blocking(format!(
                        "contact {contact_id} has an unusable email: {error}"
                    ))
                })?),
                None => None,
            };
            let draft = ContactDraft {
                name,
                email,
                phone: contact.phone,
            };
            let actor = Actor::Contact(contact_id);
            contacts::update(conn, contact_id, &draft, contact.account_id, actor).map_err(|error| {
                match error {
                    ContactError::Database(error) => AppError::Database(error),
                    ContactError::NotFound
                    | ContactError::MergedInto { .. }
                    | ContactError::DuplicateEmail { .. } => AppError::NotFound,
                }
            })
        })
        .await?;
    set_flash(
        customer.session(),
        FlashKind::Success,
        "Your name has been updated.",
    );
    Ok(redirect_see_other("/portal/account"))
}

async fn change_own_password(
    customer: SignedInCustomer,
    state: web::Data<AppState>,
    form: AccountForm,
) -> Result<HttpResponse, AppError> {
    let contact_id = customer.contact.id;
    let account = state
        .db(move |conn| PortalAccount::for_contact(conn, contact_id)?.ok_or(AppError::NotFound))
        .await?;
    let current = form.current_password;
    let current_ok = current.len() <= MAX_PASSWORD_BYTES
        && off_the_workers(move || verify_password(&account.password_hash, &current)).await?;
    let new_password = NewPassword::parse(&form.password, &form.password_confirmation);
    let (password, confirm) = password_errors(new_password.as_ref().err());
    let errors = AccountErrors {
        name: None,
        current_password: (!current_ok).then(|| "Your current password is not right.".to_owned()),
        password,
        confirm,
    };
    let new_password = match new_password {
        Ok(new_password) if current_ok => new_password,
        _ => {
            let name = customer.contact.name.clone();
            return render(
                &customer,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                name,
                errors,
            )
            .await;
        }
    };
    let hash = hash_new_password(new_password).await?;
    let kept = customer.session_key().clone();
    let changed = state
        .db(move |conn| Ok(change_password(conn, contact_id, &hash, &kept, now())?))
        .await?;
    stay_signed_in(&customer, changed, "Your password has been changed.")
}

pub async fn sign_out_others(
    customer: SignedInCustomer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let contact_id = customer.contact.id;
    let kept = customer.session_key().clone();
    let ended = state
        .db(move |conn| Ok(end_other_sessions(conn, contact_id, &kept)?))
        .await?;
    stay_signed_in(
        &customer,
        ended,
        "You have been signed out of your other sessions. This one goes on.",
    )
}

pub async fn sign_out_listed(
    customer: SignedInCustomer,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let holder = Holder::Customer(customer.contact.id);
    let id = path.into_inner();
    let ended = state
        .db(move |conn| Ok(sessions::end_listed(conn, holder, id)?))
        .await?;
    if ended {
        set_flash(customer.session(), FlashKind::Success, SIGNED_OUT_THERE);
    }
    Ok(redirect_see_other("/portal/account"))
}

/// After the customer's other sessions ended (`done`): this one goes on, and the account page
/// says what happened. Not `done`: the account can no longer sign in at all.
fn stay_signed_in(
    customer: &SignedInCustomer,
    done: bool,
    message: &'static str,
) -> Result<HttpResponse, AppError> {
    if !done {
        return Err(AppError::CustomerSignInRequired {
            next: "/portal/account".to_owned(),
        });
    }
    set_flash(customer.session(), FlashKind::Success, message);
    Ok(redirect_see_other("/portal/account"))
}
