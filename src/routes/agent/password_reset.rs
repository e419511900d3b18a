//! Links that set an agent's password and sign them in: "Forgot password?" on the agents'
//! sign-in page emails one valid one hour (the answer is the same whether or not the address
//! belongs to an agent), and a new agent added without a password is emailed one valid three
//! days (`send_welcome`).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::agents::password_reset::{self, LinkPurpose};
use crate::agents::{emails, Agent, AgentRole};
use crate::auth::rate_limit;
use crate::auth::session::{set_flash, FlashKind};
use crate::auth::sessions::Holder;
use crate::auth::sign_in_throttle::address_key;
use crate::auth::signing_in;
use crate::db::{now, DbConnection};
use crate::domain::{
    password_errors, EmailAddress, LinkToken, PasswordError, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS,
};
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::emailed::{link_to, send_in_background};
use crate::routes::password_link::{self, NewPasswordForm, PasswordLink};
use crate::routes::{page_with_status, redirect_see_other};
use crate::state::AppState;

const FORGOT_PATH: &str = "/password/forgot";
const RESET_PATH: &str = "/password/reset/{token}";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(FORGOT_PATH)
            .route(web::get().to(request_form))
            .route(web::post().to(request_link)),
    )
    .service(
        web::resource(RESET_PATH)
            .route(web::get().to(reset_form))
            .route(web::post().to(reset)),
    );
}

#[derive(Template)]
#[template(path = "agent/password_reset/forgot.html")]
struct RequestPage {
    chrome: Chrome,
    email: String,
    email_error: Option<String>,
    sent: bool,
}

#[derive(Template)]
#[template(path = "agent/password_reset/choose.html")]
struct ChoosePage {
    chrome: Chrome,
    email: String,
    password_error: Option<String>,
    confirm_error: Option<String>,
    min_chars: usize,
    max_chars: usize,
}

#[derive(Template)]
#[template(path = "agent/password_reset/link_expired.html")]
struct LinkExpiredPage {
    chrome: Chrome,
}

/// A new agent an admin added without a password, to be sent a link to choose one.
pub struct NewAgentWelcome {
    pub agent_id: i64,
    pub name: String,
    pub email: EmailAddress,
    pub role: AgentRole,
    pub added_by: String,
}

/// Emails a new agent a link, valid three days, to choose their first password. Sent while
/// the admin waits, so the page can say whether it went: `Err` holds why it did not.
pub async fn send_welcome(
    state: &AppState,
    welcome: NewAgentWelcome,
) -> Result<Result<(), String>, AppError> {
    let agent_id = welcome.agent_id;
    let issued = state
        .db(move |conn| {
            Ok(password_reset::issue(
                conn,
                agent_id,
                LinkPurpose::Welcome,
                now(),
            )?)
        })
        .await?;
    let link = link_for(state, &issued.token);
    let forgot_link = link_to(state, FORGOT_PATH);
    let mail = emails::welcome(&emails::Welcome {
        name: &welcome.name,
        email: &welcome.email,
        role: welcome.role,
        added_by: &welcome.added_by,
        link: &link,
        expires_at: issued.expires_at,
        forgot_link: &forgot_link,
    })?;
    let mailer = state.mailer.clone();
    let sent = web::block(move || mailer.send(&mail)).await?;
    Ok(sent.map(|_| ()).map_err(|error| error.to_string()))
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    email: String,
}

fn request_page(
    session: &Session,
    status: StatusCode,
    email: String,
    email_error: Option<String>,
    sent: bool,
) -> Result<HttpResponse, AppError> {
    page_with_status(
        &RequestPage {
            chrome: Chrome::anonymous(session),
            email,
            email_error,
            sent,
        },
        status,
    )
}

pub async fn request_form(session: Session) -> Result<HttpResponse, AppError> {
    request_page(&session, StatusCode::OK, String::new(), None, false)
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
            let shown = typed.chars().take(254).collect();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return request_page(&session, status, shown, Some(error.to_string()), false);
        }
    };
    let client = state.client_addresses.of(&request);
    rate_limit::allow_email(&state, address.as_str(), client).await??;
    let lookup = address_key(address.as_str());
    let issued = state
        .db(move |conn| {
            let Some(agent) = Agent::find_by_email(conn, &lookup)?.filter(|a| !a.is_disabled())
            else {
                return Ok(None);
            };
            let issued = password_reset::issue(conn, agent.id, LinkPurpose::Reset, now())?;
            Ok(Some((agent.name, issued)))
        })
        .await?;
    if let Some((name, issued)) = issued {
        let link = link_for(&state, &issued.token);
        send_in_background(
            &state,
            emails::reset(&address, &name, &link, issued.expires_at)?,
        );
    }
    request_page(
        &session,
        StatusCode::OK,
        address.as_str().to_owned(),
        None,
        true,
    )
}

/// Where a link's email sends its reader.
fn link_for(state: &AppState, token: &LinkToken) -> String {
    link_to(state, &format!("/password/reset/{}", token.as_str()))
}

/// An agent's reset or welcome link.
struct AgentPasswordLink;

impl PasswordLink for AgentPasswordLink {
    /// The address of the agent the link is for.
    type Opened = String;

    fn open(conn: &mut DbConnection, token: &LinkToken) -> Result<Option<String>, AppError> {
        Ok(password_reset::agent_for(conn, token, now())?.map(|agent| agent.email))
    }

    fn form_page(
        session: &Session,
        status: StatusCode,
        email: String,
        error: Option<&PasswordError>,
    ) -> Result<HttpResponse, AppError> {
        let (password_error, confirm_error) = password_errors(error);
        page_with_status(
            &ChoosePage {
                chrome: Chrome::anonymous(session),
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
        page_with_status(
            &LinkExpiredPage {
                chrome: Chrome::anonymous(session),
            },
            StatusCode::GONE,
        )
    }
}

pub async fn reset_form(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    password_link::show_form::<AgentPasswordLink>(&state, &session, &path).await
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
        match password_link::checked::<AgentPasswordLink>(&state, &session, &path, form).await? {
            Ok(ready) => ready,
            Err(page) => return Ok(page),
        };
    let redeemed = state
        .db(move |conn| Ok(password_reset::redeem(conn, &token, &hash, now())?))
        .await?;
    let Some(agent_id) = redeemed else {
        return AgentPasswordLink::no_longer_valid(&session);
    };
    let browser = signing_in::browser_of(&state, &request);
    signing_in::sign_in(&state, &session, browser, Holder::Agent(agent_id)).await?;
    set_flash(
        &session,
        FlashKind::Success,
        "Your password is set. You are signed in.",
    );
    Ok(redirect_see_other("/contacts"))
}
