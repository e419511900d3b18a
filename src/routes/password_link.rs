//! The pages behind an emailed link that sets a password — an agent's reset or welcome link, a
//! Help Center reset, a self-registration's verification: showing the link's form, and
//! checking what the form sent before the link is used. Every link that does not work gets
//! the same page, whatever the reason. Looking never uses a link up: mail scanners open links.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Deserialize;

use crate::auth::hashing_threads::hash_new_password;
use crate::db::DbConnection;
use crate::domain::{LinkToken, NewPassword, PasswordError};
use crate::error::AppError;
use crate::state::AppState;

/// What a link's form sends.
#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

/// One kind of link: how it is opened, and its two pages.
pub trait PasswordLink: 'static {
    /// What an open link's form shows (the address it is for, a name).
    type Opened: Send + 'static;

    /// The still-usable link's details; `None` for any link that does not work.
    fn open(conn: &mut DbConnection, token: &LinkToken) -> Result<Option<Self::Opened>, AppError>;

    fn form_page(
        session: &Session,
        status: StatusCode,
        opened: Self::Opened,
        error: Option<&PasswordError>,
    ) -> Result<HttpResponse, AppError>;

    fn no_longer_valid(session: &Session) -> Result<HttpResponse, AppError>;
}

/// The link's form, or the page saying it no longer works.
pub async fn show_form<L: PasswordLink>(
    state: &AppState,
    session: &Session,
    token: &str,
) -> Result<HttpResponse, AppError> {
    let Some(token) = LinkToken::parse(token) else {
        return L::no_longer_valid(session);
    };
    match state.db(move |conn| L::open(conn, &token)).await? {
        Some(opened) => L::form_page(session, StatusCode::OK, opened, None),
        None => L::no_longer_valid(session),
    }
}

/// The link's token and the new password's hash, ready for the link to be used; or the page to
/// answer instead: the form again with the error beside its field, or the no-longer-valid page.
pub async fn checked<L: PasswordLink>(
    state: &AppState,
    session: &Session,
    token: &str,
    form: NewPasswordForm,
) -> Result<Result<(LinkToken, String), HttpResponse>, AppError> {
    let Some(token) = LinkToken::parse(token) else {
        return Ok(Err(L::no_longer_valid(session)?));
    };
    let error = match NewPassword::parse(&form.password, &form.password_confirmation) {
        Ok(password) => return Ok(Ok((token, hash_new_password(password).await?))),
        Err(error) => error,
    };
    let page = match state.db(move |conn| L::open(conn, &token)).await? {
        Some(opened) => L::form_page(
            session,
            StatusCode::UNPROCESSABLE_ENTITY,
            opened,
            Some(&error),
        ),
        None => L::no_longer_valid(session),
    };
    Ok(Err(page?))
}
