//! Settings → Agents → Edit: an admin changes an agent's name, email or role. Portico keeps at
//! least one enabled admin, so the last one cannot be made an agent.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::agents::{parse_profile, NewAgentErrors};
use crate::agents::{self, Agent, AgentRole, Edited};
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::{page, page_with_status, redirect_see_other};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct EditAgentForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

#[derive(Template)]
#[template(path = "agent/settings/edit_agent.html")]
struct EditAgentPage {
    chrome: Chrome,
    agent_id: i64,
    /// The agent's name as stored, for the heading while the field holds what was typed.
    shown_name: String,
    form: EditAgentForm,
    errors: NewAgentErrors,
}

async fn load_agent(state: &AppState, agent_id: i64) -> Result<Agent, AppError> {
    state
        .db(move |conn| Agent::find(conn, agent_id)?.ok_or(AppError::NotFound))
        .await
}

pub async fn edit(
    admin: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    admin.require_admin()?;
    let target = load_agent(&state, path.into_inner()).await?;
    page(&EditAgentPage {
        chrome: admin.chrome("settings"),
        agent_id: target.id,
        form: EditAgentForm {
            name: target.name.clone(),
            email: target.email.clone(),
            role: target.role.clone(),
        },
        shown_name: target.name,
        errors: NewAgentErrors::default(),
    })
}

pub async fn save(
    admin: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<EditAgentForm>,
) -> Result<HttpResponse, AppError> {
    admin.require_admin()?;
    let target = load_agent(&state, path.into_inner()).await?;
    let form = form.into_inner();
    let refuse = |form: EditAgentForm, errors: NewAgentErrors, status| {
        page_with_status(
            &EditAgentPage {
                chrome: admin.chrome("settings"),
                agent_id: target.id,
                shown_name: target.name.clone(),
                form,
                errors,
            },
            status,
        )
    };
    let mut errors = NewAgentErrors::default();
    let Some((name, email, role)) = parse_profile(&form.name, &form.email, &form.role, &mut errors)
    else {
        return refuse(form, errors, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let (target_id, admin_id) = (target.id, admin.agent.id);
    let (saved_name, saved_email) = (name.clone(), email.as_str().to_owned());
    let saved = state
        .db(move |conn| {
            agents::edit(conn, admin_id, target_id, &saved_name, &saved_email, role)?
                .ok_or(AppError::NotFound)
        })
        .await?;
    match saved {
        Edited::EmailTaken => {
            let errors = NewAgentErrors {
                email: Some("Another agent already has this email address.".to_owned()),
                ..NewAgentErrors::default()
            };
            refuse(form, errors, StatusCode::CONFLICT)
        }
        Edited::LastAdmin => {
            let errors = NewAgentErrors {
                role: Some("This is the only enabled admin: make another agent an admin first, so someone can still manage settings and agents.".to_owned()),
                ..NewAgentErrors::default()
            };
            refuse(form, errors, StatusCode::CONFLICT)
        }
        Edited::Done { changes } => {
            let message = if changes.is_empty() {
                format!("Nothing changed for {name}.")
            } else {
                format!("{name} is updated.")
            };
            set_flash(admin.session(), FlashKind::Success, message);
            // An admin who made themselves an agent can no longer see Settings.
            let demoted_self = target_id == admin_id && role == AgentRole::Agent;
            Ok(redirect_see_other(if demoted_self {
                "/contacts"
            } else {
                "/settings#agents"
            }))
        }
    }
}
