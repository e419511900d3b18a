//! An agent signs out of one of their sessions, or of all the others (a shared computer, a
//! lost laptop), without changing their password; the list is on the Change password page.

use actix_web::{web, HttpResponse};

use crate::agents::Agent;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::auth::sessions::{self, Holder};
use crate::error::AppError;
use crate::routes::redirect_see_other;
use crate::routes::session_list::SIGNED_OUT_THERE;
use crate::state::AppState;

pub const SESSIONS_PATH: &str = "/profile/sessions";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/profile/sessions/sign-out-others",
        web::post().to(sign_out_others),
    )
    .route(
        "/profile/sessions/{id}/sign-out",
        web::post().to(sign_out_listed),
    );
}

pub async fn sign_out_listed(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let holder = Holder::Agent(agent.agent.id);
    let id = path.into_inner();
    let ended = state
        .db(move |conn| Ok(sessions::end_listed(conn, holder, id)?))
        .await?;
    if ended {
        set_flash(agent.session(), FlashKind::Success, SIGNED_OUT_THERE);
    }
    Ok(redirect_see_other("/profile/password"))
}

pub async fn sign_out_others(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let agent_id = agent.agent.id;
    let kept = agent.session_key().clone();
    state
        .db(move |conn| Ok(Agent::end_other_sessions(conn, agent_id, &kept)?))
        .await?;
    set_flash(
        agent.session(),
        FlashKind::Success,
        "You have been signed out of your other sessions. This one goes on.",
    );
    Ok(redirect_see_other("/profile/password"))
}
