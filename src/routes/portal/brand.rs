//! The Help Center's brand (name, logo, accent colour) for its pages' layout, and the logo and
//! theme those pages link to.
//!
//! The brand is read once per Help Center request by `with_brand`, around the handler and the
//! error pages, so every `PortalChrome` carries it without each handler passing it along.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::error::AppError;
use crate::help_center::branding::{Brand, Logo};
use crate::help_center::settings::HelpCenterSettings;
use crate::state::AppState;

tokio::task_local! {
    static BRAND: Brand;
}

/// The brand of the Help Center request being answered; the plain one outside such a request.
pub fn current() -> Brand {
    BRAND
        .try_with(Brand::clone)
        .unwrap_or_else(|_| Brand::plain())
}

/// The brand as Settings say, with the company name emails use.
pub async fn load(state: &AppState) -> Result<Brand, AppError> {
    let company = state.inviter.invitation_email.company.clone();
    state
        .db(move |conn| {
            let settings = HelpCenterSettings::load(conn)?;
            let company = settings
                .company_name
                .clone()
                .filter(|name| !name.trim().is_empty())
                .unwrap_or(company);
            Ok(Brand::of(&settings, &company))
        })
        .await
}

/// Middleware: reads the brand for Help Center pages. A database that cannot answer leaves the
/// plain brand, so the page (likely an error page saying so) still renders.
pub async fn with_brand<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let path = req.path();
    let is_page = (path == "/portal" || path.starts_with("/portal/"))
        && path != LOGO_PATH
        && path != THEME_PATH;
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let (true, Some(state)) = (is_page, state) else {
        return next.call(req).await;
    };
    let brand = load(&state).await.unwrap_or_else(|_| Brand::plain());
    BRAND.scope(brand, next.call(req)).await
}

pub const LOGO_PATH: &str = "/portal/logo";
pub const THEME_PATH: &str = "/portal/theme.css";

#[derive(Deserialize)]
pub struct Versioned {
    #[serde(default)]
    v: String,
}

/// Cached for a year when the address names the current version (a new one gets a new
/// address), else checked again each time.
fn cache_for(versioned: &Versioned, current: &str) -> &'static str {
    if versioned.v == current {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// The uploaded logo, stored in the database so every instance serves the same one.
pub async fn logo(
    state: web::Data<AppState>,
    query: web::Query<Versioned>,
) -> Result<HttpResponse, AppError> {
    let logo = state.db(|conn| Ok(Logo::load(conn)?)).await?;
    let Some(logo) = logo else {
        return Err(AppError::NotFound);
    };
    Ok(HttpResponse::Ok()
        .content_type(logo.content_type.as_str())
        .insert_header((header::CACHE_CONTROL, cache_for(&query, &logo.version)))
        .body(logo.image))
}

/// The accent colour as CSS custom properties, which the stylesheet's buttons and links use.
pub async fn theme(
    state: web::Data<AppState>,
    query: web::Query<Versioned>,
) -> Result<HttpResponse, AppError> {
    let brand = load(&state).await?;
    let css = match &brand.accent {
        Some(accent) => format!(
            ":root {{ --accent: {}; --accent-dark: {}; }}\n",
            accent.hex(),
            accent.darker()
        ),
        None => String::new(),
    };
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, cache_for(&query, brand.accent_hex())))
        .body(css))
}
