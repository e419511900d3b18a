//! Settings (admins only): the Help Center's settings, its invitation email, the agents, and a
//! way into the audit log.

mod agents;
mod branding;
mod edit_agent;
mod help_center;
mod invitation_email;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use crate::agents::Agent;
use crate::auth::guard::SignedInAgent;
use crate::error::AppError;
use crate::help_center::settings::HelpCenterSettings;
use crate::routes::chrome::Chrome;
use crate::state::AppState;

use agents::{NewAgentErrors, NewAgentForm};
use branding::{BrandingErrors, BrandingForm};
use help_center::{HelpCenterErrors, HelpCenterForm};

use crate::help_center::branding::{LOGO_MAX_BYTES, MIN_CONTRAST};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/settings", web::get().to(overview))
        .route("/settings/help-center", web::post().to(help_center::save))
        .route("/settings/branding", web::post().to(branding::save))
        .route("/settings/agents", web::post().to(agents::add))
        .route(
            "/settings/agents/{id}/disable",
            web::post().to(agents::disable),
        )
        .route(
            "/settings/agents/{id}/enable",
            web::post().to(agents::enable),
        )
        .route(
            "/settings/agents/{id}/edit",
            web::get().to(edit_agent::edit),
        )
        .route(
            "/settings/agents/{id}/edit",
            web::post().to(edit_agent::save),
        )
        .route(
            "/settings/invitation-email",
            web::get().to(invitation_email::edit),
        )
        .route(
            "/settings/invitation-email",
            web::post().to(invitation_email::save),
        )
        .route(
            "/settings/invitation-email/preview/{key}",
            web::get().to(invitation_email::preview_frame),
        )
        .route(
            "/settings/invitation-email/preview",
            web::post().to(invitation_email::preview),
        )
        .route(
            "/settings/invitation-email/reset",
            web::post().to(invitation_email::reset),
        );
}

#[derive(Template)]
#[template(path = "agent/settings/index.html")]
struct SettingsPage {
    chrome: Chrome,
    signed_in_id: i64,
    help_center: HelpCenterForm,
    help_center_errors: HelpCenterErrors,
    branding: BrandingForm,
    branding_errors: BrandingErrors,
    logo_max_kib: usize,
    min_contrast: f64,
    mail_sender_name: String,
    mail_sender_address: String,
    custom_template: bool,
    agents: Vec<Agent>,
    new_agent: NewAgentForm,
    new_agent_errors: NewAgentErrors,
    mail_delivery: String,
    server_ttl_hours: i64,
    derived_company: String,
}

/// The forms on the page; `None` shows the stored values and an empty "Add agent" form.
#[derive(Default)]
struct Submitted {
    help_center: Option<(HelpCenterForm, HelpCenterErrors)>,
    branding: Option<(BrandingForm, BrandingErrors)>,
    new_agent: Option<(NewAgentForm, NewAgentErrors)>,
}

async fn render(
    agent: &SignedInAgent,
    state: &web::Data<AppState>,
    submitted: Submitted,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (settings, agents) = state
        .db(|conn| Ok((HelpCenterSettings::load(conn)?, Agent::list(conn)?)))
        .await?;
    let custom_template = settings.has_custom_template();
    let (help_center, help_center_errors) = submitted.help_center.unwrap_or_else(|| {
        (
            HelpCenterForm::from_settings(&settings),
            HelpCenterErrors::default(),
        )
    });
    let (branding, branding_errors) = submitted.branding.unwrap_or_else(|| {
        (
            BrandingForm::from_settings(&settings),
            BrandingErrors::default(),
        )
    });
    let (new_agent, new_agent_errors) = submitted.new_agent.unwrap_or_default();
    let body = SettingsPage {
        chrome: agent.chrome("settings"),
        signed_in_id: agent.agent.id,
        help_center,
        help_center_errors,
        branding,
        branding_errors,
        logo_max_kib: LOGO_MAX_BYTES / 1024,
        min_contrast: MIN_CONTRAST,
        mail_sender_name: state.mailer.from_address().name.clone().unwrap_or_default(),
        mail_sender_address: state.mailer.from_address().email.to_string(),
        custom_template,
        agents,
        new_agent,
        new_agent_errors,
        mail_delivery: state.mailer.describe(),
        server_ttl_hours: state.inviter.ttl.num_hours(),
        derived_company: state.inviter.invitation_email.company.clone(),
    }
    .render()?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

pub async fn overview(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    agent.require_admin()?;
    render(&agent, &state, Submitted::default(), StatusCode::OK).await
}
