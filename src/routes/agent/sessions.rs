//! An agent signs out of their other sessions (a shared computer, a lost laptop) without
//! changing their password; the button is on the Change password page. This one goes on.

use actix_web::{web, HttpResponse};

use crate::agents::Agent;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{self, set_flash, FlashKind};
use crate::db::now;
use crate::error::AppError;
use crate::routes::redirect_see_other;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/profile/sessions/sign-out-others",
        web::post().to(sign_out_others),
    );
}

pub async fn sign_out_others(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let agent_id = agent.agent.id;
    state
        .db(move |conn| Ok(Agent::end_sessions(conn, agent_id, now())?))
        .await?;
    // Signed in afresh, so this session is not one of those just ended (`auth::guard`).
    session::sign_in_agent(agent.session(), agent_id);
    set_flash(
        agent.session(),
        FlashKind::Success,
        "You have been signed out of your other sessions. This one goes on.",
    );
    Ok(redirect_see_other("/profile/password"))
}
