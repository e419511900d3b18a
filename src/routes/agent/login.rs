use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::agents::Agent;
use crate::auth::password::verify_sign_in;
use crate::auth::session;
use crate::auth::sessions::Holder;
use crate::auth::sign_in_throttle::{self, Audience};
use crate::auth::signing_in;
use crate::domain::TimeZone;
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::{page, page_with_status, redirect_see_other};
use crate::state::AppState;

const DEFAULT_LANDING: &str = "/contacts";
const SIGN_IN_FAILED: &str = "Incorrect email or password.";

#[derive(Template)]
#[template(path = "agent/login.html")]
struct LoginPage {
    chrome: Chrome,
    email: String,
    next: String,
    error: Option<String>,
    signed_out: bool,
    demo: bool,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    signed_out: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
    /// The browser's time zone, filled in by script: the agent's until they choose one.
    #[serde(default)]
    time_zone: String,
}

/// Only a path on this site: "//evil.example" and "/\evil.example" are other sites to a browser.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => DEFAULT_LANDING.to_owned(),
    }
}

pub async fn login_form(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let next = safe_next(query.next.as_deref());
    if session::agent_key(&session).is_some() {
        return Ok(redirect_see_other(&next));
    }
    page(&LoginPage {
        chrome: Chrome::anonymous(&session),
        email: String::new(),
        next,
        error: None,
        signed_out: query.signed_out.is_some(),
        demo: state.demo,
    })
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
        Audience::Agent,
        &email,
        state.client_addresses.of(&request),
        Agent::find_by_email,
        move |agent| {
            let enabled = agent.as_ref().filter(|agent| !agent.is_disabled());
            verify_sign_in(
                enabled.map(|agent| (agent.id, agent.password_hash.as_str())),
                &password,
            )
        },
    )
    .await?;
    let rejection = match attempt.signed_in(SIGN_IN_FAILED) {
        Ok(agent_id) => {
            let browser = signing_in::browser_of(&state, &request);
            signing_in::sign_in(&state, &session, browser, Holder::Agent(agent_id)).await?;
            if let Some(zone) = TimeZone::parse(&time_zone) {
                state
                    .db(move |conn| Ok(Agent::set_time_zone(conn, agent_id, zone, true)?))
                    .await?;
            }
            return Ok(redirect_see_other(&next));
        }
        Err(rejection) => rejection,
    };
    let mut response = page_with_status(
        &LoginPage {
            chrome: Chrome::anonymous(&session),
            email,
            next,
            error: Some(rejection.message.clone()),
            signed_out: false,
            demo: state.demo,
        },
        rejection.status,
    )?;
    rejection.add_headers(&mut response);
    Ok(response)
}

pub async fn logout(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    signing_in::sign_out(&state, &session).await?;
    Ok(redirect_see_other("/login?signed_out=1"))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/contacts?page=2")), "/contacts?page=2");
        for offsite in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "contacts",
            "/a\r\nSet-Cookie: x",
        ] {
            assert_eq!(safe_next(Some(offsite)), "/contacts", "{offsite:?}");
        }
        assert_eq!(safe_next(None), "/contacts");
    }
}
