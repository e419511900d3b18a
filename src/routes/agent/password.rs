//! An agent's profile (linked beside their name in every page's header): the time zone their
//! pages show times in, the emails they want, their password (changing it ends their other sessions), and where
//! they are signed in.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::agents::Agent;
use crate::auth::guard::SignedInAgent;
use crate::auth::hashing_threads::{hash_new_password, off_the_workers};
use crate::auth::password::{verify_password, MAX_PASSWORD_BYTES};
use crate::auth::session::{set_flash, FlashKind};
use crate::auth::sessions::{self, Holder};
use crate::db::now;
use crate::domain::{
    password_errors, NewPassword, TimeZone, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS,
};
use crate::error::AppError;
use crate::routes::agent::sessions::SESSIONS_PATH;
use crate::routes::chrome::Chrome;
use crate::routes::session_list::ShownSession;
use crate::routes::{page, page_with_status, redirect_see_other};
use crate::state::AppState;

const PATH: &str = "/profile/password";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(PATH)
            .route(web::get().to(form))
            .route(web::post().to(change)),
    )
    .route("/profile/time-zone", web::post().to(choose_time_zone))
    .route("/profile/emails", web::post().to(choose_emails));
}

#[derive(Template)]
#[template(path = "agent/password.html")]
struct PasswordPage {
    chrome: Chrome,
    agent: Agent,
    sessions: Vec<ShownSession>,
    sessions_action: &'static str,
    current_error: Option<String>,
    password_error: Option<String>,
    confirm_error: Option<String>,
    min_chars: usize,
    max_chars: usize,
    zones: Vec<&'static str>,
    zone_error: Option<String>,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

async fn password_page(agent: &SignedInAgent, state: &AppState) -> Result<PasswordPage, AppError> {
    let holder = Holder::Agent(agent.agent.id);
    let listed = state
        .db(move |conn| Ok(sessions::list(conn, holder, now())?))
        .await?;
    Ok(PasswordPage {
        chrome: agent.chrome("profile"),
        agent: agent.agent.clone(),
        sessions: ShownSession::list(listed, agent.session_key(), agent.agent.zone()),
        sessions_action: SESSIONS_PATH,
        current_error: None,
        password_error: None,
        confirm_error: None,
        min_chars: PASSWORD_MIN_CHARS,
        max_chars: PASSWORD_MAX_CHARS,
        zones: TimeZone::all().map(TimeZone::name).collect(),
        zone_error: None,
    })
}

pub async fn form(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    page(&password_page(&agent, &state).await?)
}

pub async fn change(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let PasswordForm {
        current_password,
        password,
        password_confirmation,
    } = form.into_inner();
    let stored_hash = agent.agent.password_hash.clone();
    let current_ok = current_password.len() <= MAX_PASSWORD_BYTES
        && off_the_workers(move || verify_password(&stored_hash, &current_password)).await?;
    let new_password = NewPassword::parse(&password, &password_confirmation);
    let new_password = match new_password {
        Ok(new_password) if current_ok => new_password,
        new_password => {
            let (password_error, confirm_error) = password_errors(new_password.as_ref().err());
            let refused = PasswordPage {
                current_error: (!current_ok)
                    .then(|| "Your current password is not right.".to_owned()),
                password_error,
                confirm_error,
                ..password_page(&agent, &state).await?
            };
            return page_with_status(&refused, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let hash = hash_new_password(new_password).await?;
    let agent_id = agent.agent.id;
    let kept = agent.session_key().clone();
    state
        .db(move |conn| Ok(Agent::change_password(conn, agent_id, &hash, &kept, now())?))
        .await?;
    set_flash(
        agent.session(),
        FlashKind::Success,
        "Your password has been changed. Your other sessions have been signed out.",
    );
    Ok(redirect_see_other(PATH))
}

#[derive(Deserialize)]
pub struct TimeZoneForm {
    #[serde(default)]
    time_zone: String,
}

/// The agent picks the zone their pages show times in.
pub async fn choose_time_zone(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: web::Form<TimeZoneForm>,
) -> Result<HttpResponse, AppError> {
    let Some(zone) = TimeZone::parse(&form.time_zone) else {
        let refused = PasswordPage {
            zone_error: Some("Choose a time zone from the list.".to_owned()),
            ..password_page(&agent, &state).await?
        };
        return page_with_status(&refused, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let agent_id = agent.agent.id;
    state
        .db(move |conn| Ok(Agent::set_time_zone(conn, agent_id, zone, false)?))
        .await?;
    set_flash(
        agent.session(),
        FlashKind::Success,
        format!("Times are now shown in {}.", zone.name()),
    );
    Ok(redirect_see_other(PATH))
}

#[derive(Deserialize)]
pub struct EmailsForm {
    /// A checkbox: present when ticked.
    #[serde(default)]
    notify_new_tickets: Option<String>,
}

/// The agent chooses whether unanswered Help Center tickets are emailed to them.
pub async fn choose_emails(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: web::Form<EmailsForm>,
) -> Result<HttpResponse, AppError> {
    let notify = form.notify_new_tickets.is_some();
    let agent_id = agent.agent.id;
    state
        .db(move |conn| Ok(Agent::set_notify_new_tickets(conn, agent_id, notify)?))
        .await?;
    let message = if notify {
        "You will be emailed new Help Center tickets that no agent has answered yet."
    } else {
        "You will no longer be emailed new Help Center tickets."
    };
    set_flash(agent.session(), FlashKind::Success, message);
    Ok(redirect_see_other(PATH))
}
