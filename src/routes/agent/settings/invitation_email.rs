//! Settings → Help Center invitation: the admin's own subject and bodies for the invitation
//! email, checked when saved, previewed for a sample contact, and reset to the default.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::audit::Actor;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::db::now;
use crate::domain::EmailAddress;
use crate::error::AppError;
use crate::help_center::settings::{self, HelpCenterSettings, InvitationTemplate};
use crate::invitations::template::{Placeholder, TemplateFieldErrors};
use crate::invitations::template_preview;
use crate::invitations::InvitationWording;
use crate::mail::OutgoingMail;
use crate::routes::chrome::Chrome;
use crate::routes::redirect_see_other;
use crate::routes::{email_in_a_frame, page_with_status};
use crate::state::AppState;

const SAMPLE_NAME: &str = "Alex Sample";
const SAMPLE_EMAIL: &str = "alex.sample@example.com";

#[derive(Debug, Default, Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    text_body: String,
    #[serde(default)]
    html_body: String,
}

/// The email as the preview shows it: subject, text and HTML source on the page, and the HTML
/// itself in a frame (`frame_key` names it) where it looks as it will arrive.
pub struct Preview {
    pub email: OutgoingMail,
    pub frame_key: String,
}

#[derive(Template)]
#[template(path = "agent/settings/invitation_email.html")]
struct TemplatePage {
    chrome: Chrome,
    form: TemplateForm,
    errors: TemplateFieldErrors,
    custom: bool,
    placeholders: Vec<String>,
    preview: Option<Preview>,
    sample_name: &'static str,
}

fn respond(page: TemplatePage, status: StatusCode) -> Result<HttpResponse, AppError> {
    page_with_status(&page, status)
}

fn page(
    agent: &SignedInAgent,
    form: TemplateForm,
    errors: TemplateFieldErrors,
    custom: bool,
    preview: Option<Preview>,
) -> TemplatePage {
    TemplatePage {
        chrome: agent.chrome("settings"),
        form,
        errors,
        custom,
        placeholders: Placeholder::ALL.iter().map(|p| p.token()).collect(),
        preview,
        sample_name: SAMPLE_NAME,
    }
}

async fn load_settings(state: &web::Data<AppState>) -> Result<HelpCenterSettings, AppError> {
    state.db(|conn| Ok(HelpCenterSettings::load(conn)?)).await
}

/// The form filled with the admin's template, or with the default wording to start from.
pub async fn edit(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    agent.require_admin()?;
    let settings = load_settings(&state).await?;
    let default = state.inviter.invitation_email.default_wording()?;
    let stored = settings.invitation_template.clone();
    let form = TemplateForm {
        subject: stored.subject.unwrap_or(default.subject),
        text_body: stored.text_body.unwrap_or(default.text_body),
        html_body: stored.html_body.unwrap_or(default.html_body),
    };
    let custom = settings.has_custom_template();
    respond(
        page(&agent, form, TemplateFieldErrors::default(), custom, None),
        StatusCode::OK,
    )
}

pub async fn save(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: web::Form<TemplateForm>,
) -> Result<HttpResponse, AppError> {
    agent.require_admin()?;
    let form = form.into_inner();
    let typed =
        InvitationWording::default().with_typed(&form.subject, &form.text_body, &form.html_body);
    if let Err(errors) = typed {
        let custom = load_settings(&state).await?.has_custom_template();
        return respond(
            page(&agent, form, errors, custom, None),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let template = InvitationTemplate {
        subject: Some(form.subject.trim().to_owned()),
        text_body: Some(form.text_body),
        html_body: Some(form.html_body),
    };
    store(
        &agent,
        &state,
        template,
        "settings.invitation_email_updated",
    )
    .await?;
    set_flash(
        agent.session(),
        FlashKind::Success,
        "Invitation email saved. The next invitation uses it.",
    );
    Ok(redirect_see_other("/settings/invitation-email"))
}

pub async fn reset(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    agent.require_admin()?;
    store(
        &agent,
        &state,
        InvitationTemplate::default(),
        "settings.invitation_email_reset",
    )
    .await?;
    set_flash(
        agent.session(),
        FlashKind::Success,
        "The invitation email is back to Portico's default wording.",
    );
    Ok(redirect_see_other("/settings/invitation-email"))
}

async fn store(
    agent: &SignedInAgent,
    state: &web::Data<AppState>,
    template: InvitationTemplate,
    action: &'static str,
) -> Result<(), AppError> {
    let actor = Actor::Agent(agent.agent.id);
    state
        .db(move |conn| {
            Ok(settings::update_invitation_template(
                conn, actor, template, action,
            )?)
        })
        .await
}

/// The email as it would go to a sample contact, from the form as typed (saved or not).
pub async fn preview(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: web::Form<TemplateForm>,
) -> Result<HttpResponse, AppError> {
    agent.require_admin()?;
    let form = form.into_inner();
    let settings = load_settings(&state).await?;
    let custom = settings.has_custom_template();
    let typed = InvitationWording::from_settings(&settings).with_typed(
        &form.subject,
        &form.text_body,
        &form.html_body,
    );
    let wording = match typed {
        Ok(wording) => wording,
        Err(errors) => {
            return respond(
                page(&agent, form, errors, custom, None),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    let default_ttl = state.inviter.ttl;
    let expires_at = now() + settings.invite_ttl_or(default_ttl);
    let sample = EmailAddress::parse(SAMPLE_EMAIL)
        .map_err(|error| AppError::BadRequest(error.to_string()))?;
    let email = state.inviter.invitation_email.preview_with(
        &wording,
        &sample,
        SAMPLE_NAME,
        &agent.agent.name,
        expires_at,
    )?;
    let (agent_id, html) = (agent.agent.id, email.html.clone());
    let frame_key = state
        .db(move |conn| Ok(template_preview::keep(conn, agent_id, &html, now())?))
        .await?;
    let preview = Preview { email, frame_key };
    respond(
        page(
            &agent,
            form,
            TemplateFieldErrors::default(),
            custom,
            Some(preview),
        ),
        StatusCode::OK,
    )
}

/// The previewed email's HTML, for the editor's frame: the admin's own previews only.
pub async fn preview_frame(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    agent.require_admin()?;
    let (key, agent_id) = (path.into_inner(), agent.agent.id);
    let html = state
        .db(move |conn| Ok(template_preview::find(conn, &key, agent_id, now())?))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(email_in_a_frame(html))
}
