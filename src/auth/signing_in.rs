//! Signing a browser in and out: the session row on the server and the cookie that names it.

use actix_session::Session;
use actix_web::http::header::USER_AGENT;
use actix_web::HttpRequest;

use crate::auth::session;
use crate::auth::sessions::{self, Browser, Holder, SessionKey};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;

/// The browser asking, as the session list will show it.
pub fn browser_of(state: &AppState, request: &HttpRequest) -> Browser {
    Browser {
        client_address: state.client_addresses.of(request),
        user_agent: request
            .headers()
            .get(USER_AGENT)
            .and_then(|agent| agent.to_str().ok())
            .unwrap_or("")
            .to_owned(),
    }
}

/// Signs `holder` in on this browser: a new session row and a fresh cookie naming it.
pub async fn sign_in(
    state: &AppState,
    session: &Session,
    browser: Browser,
    holder: Holder,
) -> Result<(), AppError> {
    let token = state
        .db(move |conn| Ok(sessions::start(conn, holder, &browser, now())?))
        .await?;
    session::start_signed_in(session, holder, &token);
    Ok(())
}

/// Signs this browser out, on the server and in its cookie.
pub async fn sign_out(state: &AppState, session: &Session) -> Result<(), AppError> {
    let keys: Vec<SessionKey> = [session::agent_key(session), session::customer_key(session)]
        .into_iter()
        .flatten()
        .collect();
    session::sign_out(session);
    state
        .db(move |conn| {
            for key in &keys {
                sessions::end(conn, key)?;
            }
            Ok(())
        })
        .await
}
