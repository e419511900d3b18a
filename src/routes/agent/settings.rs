use actix_web::{web, HttpResponse};
use askama::Template;

use crate::auth::guard::SignedInAgent;
use crate::db::models::agent::Agent;
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::page;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "agent/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    agents: Vec<Agent>,
    mail_delivery: String,
    invite_ttl_hours: u32,
}

pub async fn overview(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    agent.require_admin()?;
    let agents = state.db(|conn| Ok(Agent::list(conn)?)).await?;
    page(&SettingsPage {
        chrome: agent.chrome("settings"),
        agents,
        mail_delivery: state.mailer.describe(),
        invite_ttl_hours: state.invite_ttl_hours,
    })
}
