//! Settings → Help Center → Branding: the Help Center's name, logo, accent colour and the name
//! emails to customers come from. A multipart form, for the logo.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;

use super::{render, Submitted};
use crate::audit::Actor;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::db::now;
use crate::domain::one_line;
use crate::error::AppError;
use crate::help_center::branding::{AccentColour, Logo, LOGO_MAX_BYTES};
use crate::help_center::settings::{self, Branding, HelpCenterSettings, LogoChange};
use crate::routes::redirect_see_other;
use crate::state::AppState;

const NAME_MAX_CHARS: usize = 60;
/// A text field of this form is never longer than this; more is not a form Portico sent.
const TEXT_PART_MAX_BYTES: usize = 4 * 1024;

/// The form as typed, so a refused one comes back unchanged (the file must be chosen again).
#[derive(Debug, Default)]
pub struct BrandingForm {
    pub help_center_name: String,
    pub accent_colour: String,
    pub sender_name: String,
    pub remove_logo: bool,
    /// The logo on file, shown beside the upload field.
    pub logo_version: Option<String>,
}

#[derive(Debug, Default)]
pub struct BrandingErrors {
    pub help_center_name: Option<String>,
    pub logo: Option<String>,
    pub accent_colour: Option<String>,
    pub sender_name: Option<String>,
}

impl BrandingErrors {
    fn any(&self) -> bool {
        self.help_center_name.is_some()
            || self.logo.is_some()
            || self.accent_colour.is_some()
            || self.sender_name.is_some()
    }
}

impl BrandingForm {
    pub fn from_settings(settings: &HelpCenterSettings) -> BrandingForm {
        let branding = &settings.branding;
        BrandingForm {
            help_center_name: branding.help_center_name.clone().unwrap_or_default(),
            accent_colour: branding.accent_colour.clone().unwrap_or_default(),
            sender_name: branding.sender_name.clone().unwrap_or_default(),
            remove_logo: false,
            logo_version: branding.logo_version.clone(),
        }
    }
}

/// What was posted: the form's fields and the uploaded file's bytes, if one was chosen.
struct Posted {
    form: BrandingForm,
    logo: Option<Vec<u8>>,
    logo_too_large: bool,
}

async fn read_posted(mut multipart: Multipart) -> Result<Posted, AppError> {
    let unreadable =
        || AppError::BadRequest("The form could not be read. Send it again.".to_owned());
    let mut posted = Posted {
        form: BrandingForm::default(),
        logo: None,
        logo_too_large: false,
    };
    while let Some(part) = multipart.next().await {
        let mut part = part.map_err(|_| unreadable())?;
        let name = part.name().unwrap_or_default().to_owned();
        let limit = if name == "logo" {
            LOGO_MAX_BYTES
        } else {
            TEXT_PART_MAX_BYTES
        };
        let mut bytes = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| unreadable())?;
            if bytes.len() + chunk.len() > limit {
                too_large = true;
                continue;
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "logo" if too_large => posted.logo_too_large = true,
            "logo" if !bytes.is_empty() => posted.logo = Some(bytes),
            _ if too_large => return Err(unreadable()),
            "help_center_name" => posted.form.help_center_name = text(),
            "accent_colour" => posted.form.accent_colour = text(),
            "sender_name" => posted.form.sender_name = text(),
            "remove_logo" => posted.form.remove_logo = true,
            _ => {}
        }
    }
    Ok(posted)
}

/// A single-line name: trimmed, at most `NAME_MAX_CHARS`; blank means the default.
fn parse_name(typed: &str) -> Result<Option<String>, String> {
    let name = one_line(typed);
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(format!("Use at most {NAME_MAX_CHARS} characters."));
    }
    Ok((!name.is_empty()).then_some(name))
}

/// A form sent back: as typed, with its errors and the status that says why.
struct Refused {
    form: BrandingForm,
    errors: BrandingErrors,
    status: StatusCode,
}

fn parse(posted: Posted) -> Result<(Branding, LogoChange), Box<Refused>> {
    let Posted {
        form,
        logo,
        logo_too_large,
    } = posted;
    let mut errors = BrandingErrors::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let help_center_name = parse_name(&form.help_center_name)
        .map_err(|error| errors.help_center_name = Some(error))
        .ok()
        .flatten();
    let sender_name = match parse_name(&form.sender_name) {
        Ok(Some(name)) if name.contains(['@', '<', '>', '"']) => {
            errors.sender_name = Some(
                "Write a name such as “Acme Support”, without an address or quotes: the address stays the configured one."
                    .to_owned(),
            );
            None
        }
        Ok(name) => name,
        Err(error) => {
            errors.sender_name = Some(error);
            None
        }
    };
    let accent_colour = match form.accent_colour.trim() {
        "" => None,
        typed => match AccentColour::parse(typed) {
            Ok(colour) => Some(colour.hex().to_owned()),
            Err(error) => {
                errors.accent_colour = Some(error.to_string());
                None
            }
        },
    };
    let logo_change = if logo_too_large {
        errors.logo = Some(
            "This file is larger than 1 MiB, the most a logo can be. Save it smaller and upload it again."
                .to_owned(),
        );
        status = StatusCode::PAYLOAD_TOO_LARGE;
        LogoChange::Keep
    } else {
        match logo.map(|image| Logo::parse(image, now())) {
            Some(Ok(logo)) => LogoChange::Replace(logo),
            Some(Err(error)) => {
                errors.logo = Some(error.to_string());
                LogoChange::Keep
            }
            None if form.remove_logo => LogoChange::Remove,
            None => LogoChange::Keep,
        }
    };
    if errors.any() {
        return Err(Box::new(Refused {
            form,
            errors,
            status,
        }));
    }
    let branding = Branding {
        help_center_name,
        accent_colour,
        sender_name,
        logo_version: None,
    };
    Ok((branding, logo_change))
}

pub async fn save(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    agent.require_admin()?;
    let posted = read_posted(multipart).await?;
    let (branding, logo) = match parse(posted) {
        Ok(wanted) => wanted,
        Err(refused) => {
            let Refused {
                mut form,
                errors,
                status,
            } = *refused;
            let logo_version = state
                .db(|conn| Ok(HelpCenterSettings::load(conn)?.branding.logo_version))
                .await?;
            form.logo_version = logo_version;
            let submitted = Submitted {
                branding: Some((form, errors)),
                ..Submitted::default()
            };
            return render(&agent, &state, submitted, status).await;
        }
    };
    let actor = Actor::Agent(agent.agent.id);
    state
        .db(move |conn| Ok(settings::update_branding(conn, actor, branding, logo)?))
        .await?;
    set_flash(agent.session(), FlashKind::Success, "Branding saved.");
    Ok(redirect_see_other("/settings#branding"))
}
