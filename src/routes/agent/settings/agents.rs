//! Settings → Agents: adding an agent (with an initial password, or emailed a link to choose
//! one), and disabling or enabling one. A disabled agent's sessions stop at their next request
//! (the guard checks `disabled_at`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{render, Submitted};
use crate::agents::{self, Agent, AgentRole, NewAgent};
use crate::auth::guard::SignedInAgent;
use crate::auth::hashing_threads::hash_new_password;
use crate::auth::session::{set_flash, FlashKind};
use crate::db::now;
use crate::domain::one_line;
use crate::domain::{EmailAddress, LinkToken, NewPassword};
use crate::error::AppError;
use crate::routes::agent::password_reset::{send_welcome, NewAgentWelcome};
use crate::routes::redirect_see_other;
use crate::state::AppState;

const NAME_MAX_CHARS: usize = 200;

#[derive(Debug, Default, Deserialize)]
pub struct NewAgentForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role: String,
    /// Never shown again: a refused form comes back with this field empty. Left empty, the
    /// agent is emailed a link to choose their own.
    #[serde(default)]
    pub password: String,
}

#[derive(Debug, Default)]
pub struct NewAgentErrors {
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
    pub password: Option<String>,
}

struct ValidAgent {
    name: String,
    email: EmailAddress,
    role: AgentRole,
    /// None: the agent chooses one through an emailed link.
    password: Option<NewPassword>,
}

/// An agent's name, email and role as an admin typed them, checked: what is wrong goes into
/// `errors`, beside its field. For adding an agent and for editing one.
pub(super) fn parse_profile(
    typed_name: &str,
    typed_email: &str,
    typed_role: &str,
    errors: &mut NewAgentErrors,
) -> Option<(String, EmailAddress, AgentRole)> {
    let name = one_line(typed_name);
    if name.is_empty() {
        errors.name = Some("Enter the agent's name.".to_owned());
    } else if name.chars().count() > NAME_MAX_CHARS {
        errors.name = Some(format!("Use at most {NAME_MAX_CHARS} characters."));
    }
    let email =
        EmailAddress::parse(typed_email).map_err(|error| errors.email = Some(error.to_string()));
    let role = match typed_role {
        "agent" => Some(AgentRole::Agent),
        "admin" => Some(AgentRole::Admin),
        _ => {
            errors.role = Some("Choose Agent or Admin.".to_owned());
            None
        }
    };
    match (email, role) {
        (Ok(email), Some(role)) if errors.name.is_none() => Some((name, email, role)),
        _ => None,
    }
}

impl NewAgentForm {
    fn parse(&self) -> Result<ValidAgent, NewAgentErrors> {
        let mut errors = NewAgentErrors::default();
        let profile = parse_profile(&self.name, &self.email, &self.role, &mut errors);
        let password = match self.password.as_str() {
            "" => Ok(None),
            typed => NewPassword::parse(typed, typed)
                .map(Some)
                .map_err(|error| errors.password = Some(error.to_string())),
        };
        match (profile, password) {
            (Some((name, email, role)), Ok(password)) => Ok(ValidAgent {
                name,
                email,
                role,
                password,
            }),
            _ => Err(errors),
        }
    }
}

fn refused(form: NewAgentForm, errors: NewAgentErrors) -> Submitted {
    Submitted {
        new_agent: Some((
            NewAgentForm {
                password: String::new(),
                ..form
            },
            errors,
        )),
        ..Submitted::default()
    }
}

pub async fn add(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: web::Form<NewAgentForm>,
) -> Result<HttpResponse, AppError> {
    agent.require_admin()?;
    let form = form.into_inner();
    let valid = match form.parse() {
        Ok(valid) => valid,
        Err(errors) => {
            let submitted = refused(form, errors);
            return render(&agent, &state, submitted, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let lookup = valid.email.clone();
    let taken = state
        .db(move |conn| Ok(Agent::find_by_email(conn, lookup.as_str())?.is_some()))
        .await?;
    let taken_error = || NewAgentErrors {
        email: Some("An agent with this email address already exists.".to_owned()),
        ..NewAgentErrors::default()
    };
    if taken {
        return render(
            &agent,
            &state,
            refused(form, taken_error()),
            StatusCode::CONFLICT,
        )
        .await;
    }
    let emailed = valid.password.is_none();
    // Without a password the agent cannot sign in until they choose one through the link:
    // the hash is of a secret nobody knows, so a guess costs the same as for any agent.
    let password = match valid.password {
        Some(password) => password,
        None => {
            let secret = LinkToken::generate();
            NewPassword::parse(secret.as_str(), secret.as_str())
                .map_err(|error| AppError::Blocking(error.to_string()))?
        }
    };
    let hash = hash_new_password(password).await?;
    let admin_id = agent.agent.id;
    let (name, email, role) = (valid.name.clone(), valid.email.clone(), valid.role);
    let inserted = state
        .db(move |conn| {
            let timestamp = now();
            let new_agent = NewAgent {
                email: email.as_str(),
                name: &name,
                role: role.as_str(),
                password_hash: &hash,
                created_at: timestamp,
                updated_at: timestamp,
            };
            Ok(agents::add(conn, admin_id, &new_agent, emailed)?)
        })
        .await?;
    let Some(new_id) = inserted else {
        return render(
            &agent,
            &state,
            refused(form, taken_error()),
            StatusCode::CONFLICT,
        )
        .await;
    };
    let (kind, message) = if emailed {
        let welcome = NewAgentWelcome {
            agent_id: new_id,
            name: valid.name.clone(),
            email: valid.email.clone(),
            role: valid.role,
            added_by: agent.agent.name.clone(),
        };
        match send_welcome(&state, welcome).await? {
            Ok(()) => (
                FlashKind::Success,
                format!(
                    "{} is added. We have emailed {} a link to choose a password; it works for three days.",
                    valid.name,
                    valid.email.as_str()
                ),
            ),
            Err(error) => (
                FlashKind::Error,
                format!(
                    "{} is added, but the email with their link could not be sent ({error}). They can use \"Forgot password?\" on the sign-in page once mail works.",
                    valid.name
                ),
            ),
        }
    } else {
        (
            FlashKind::Success,
            format!(
                "{} can now sign in as {}.",
                valid.name,
                valid.email.as_str()
            ),
        )
    };
    set_flash(agent.session(), kind, message);
    Ok(redirect_see_other("/settings#agents"))
}

async fn set_disabled(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    target_id: i64,
    disable: bool,
) -> Result<HttpResponse, AppError> {
    agent.require_admin()?;
    if disable && target_id == agent.agent.id {
        return Err(AppError::BadRequest(
            "You cannot disable your own account. Ask another admin to do it.".to_owned(),
        ));
    }
    let admin_id = agent.agent.id;
    let (target, changed) = state
        .db(move |conn| {
            agents::set_disabled(conn, admin_id, target_id, disable)?.ok_or(AppError::NotFound)
        })
        .await?;
    let message = match (changed, disable) {
        (true, true) => format!("{} is disabled and can no longer sign in.", target.name),
        (true, false) => format!("{} is enabled and can sign in again.", target.name),
        (false, true) => format!("{} was already disabled.", target.name),
        (false, false) => format!("{} was already enabled.", target.name),
    };
    set_flash(agent.session(), FlashKind::Success, message);
    Ok(redirect_see_other("/settings#agents"))
}

pub async fn disable(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    set_disabled(agent, state, path.into_inner(), true).await
}

pub async fn enable(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    set_disabled(agent, state, path.into_inner(), false).await
}
