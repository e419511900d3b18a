//! The customers' Help Center: signing in (with a password reset and self-registration),
//! accepting an invitation, the customer's tickets and account, and the knowledge base, which
//! is public like most help centers' (signed-in customers see it inside their layout).

mod account;
pub mod brand;
mod home;
mod invitation;
mod knowledge_base;
mod login;
mod password_reset;
mod registration;
mod tickets;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use crate::auth::sessions::Holder;
use crate::auth::signing_in;
use crate::domain::password_errors;
use crate::error::AppError;
use crate::routes::emailed::{link_to, send_in_background};
use crate::routes::page_with_status;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/portal", web::get().to(home::home))
        .route(brand::LOGO_PATH, web::get().to(brand::logo))
        .route(brand::THEME_PATH, web::get().to(brand::theme))
        .route("/portal/logout", web::post().to(home::logout))
        .route(
            "/portal/invitations/new-link",
            web::post().to(invitation::request_new_link),
        )
        .route(
            "/portal/invitations/{token}",
            web::get().to(invitation::form),
        )
        .route(
            "/portal/invitations/{token}",
            web::post().to(invitation::accept),
        )
        .service(
            web::resource("/portal/login")
                .route(web::get().to(login::login_form))
                .route(web::post().to(login::login)),
        )
        .service(
            web::resource("/portal/password/forgot")
                .route(web::get().to(password_reset::request_form))
                .route(web::post().to(password_reset::request_link)),
        )
        .service(
            web::resource("/portal/password/reset/{token}")
                .route(web::get().to(password_reset::reset_form))
                .route(web::post().to(password_reset::reset)),
        )
        .service(
            web::resource("/portal/register")
                .route(web::get().to(registration::form))
                .route(web::post().to(registration::register)),
        )
        .service(
            web::resource("/portal/register/verify/{token}")
                .route(web::get().to(registration::verify_form))
                .route(web::post().to(registration::verify)),
        )
        // Before "/portal/tickets/{id}", which would otherwise claim "new".
        .service(
            web::resource("/portal/tickets/new")
                .route(web::get().to(tickets::new_form))
                .route(web::post().to(tickets::create)),
        )
        .route("/portal/tickets/{id}", web::get().to(tickets::show))
        .route("/portal/tickets/{id}/reply", web::post().to(tickets::reply))
        .route(
            "/portal/knowledge-base",
            web::get().to(knowledge_base::index),
        )
        .route(
            "/portal/knowledge-base/{slug}",
            web::get().to(knowledge_base::article),
        )
        .service(
            web::resource("/portal/account")
                .route(web::get().to(account::show))
                .route(web::post().to(account::update)),
        )
        .route(
            "/portal/account/sessions/sign-out-others",
            web::post().to(account::sign_out_others),
        )
        .route(
            "/portal/account/sessions/{id}/sign-out",
            web::post().to(account::sign_out_listed),
        );
}

/// After a link's form made or reset a customer's account: signed in, and welcomed with
/// `welcome` on the Help Center's home page.
async fn signed_in_from_link(
    state: &AppState,
    session: &actix_session::Session,
    request: &actix_web::HttpRequest,
    contact_id: i64,
    welcome: &str,
) -> Result<HttpResponse, AppError> {
    let browser = signing_in::browser_of(state, request);
    signing_in::sign_in(state, session, browser, Holder::Customer(contact_id)).await?;
    crate::auth::session::set_flash(session, crate::auth::session::FlashKind::Success, welcome);
    Ok(crate::routes::redirect_see_other("/portal"))
}

/// The parts of the Help Center layout every page shares.
pub struct PortalChrome {
    pub customer_name: Option<String>,
    pub csrf_token: String,
    pub flash: Option<crate::auth::session::Flash>,
    pub section: &'static str,
    /// Times on the page are shown in this zone (UTC, named so, until the browser says).
    pub zone: crate::domain::TimeZone,
    pub brand: crate::help_center::branding::Brand,
}

impl PortalChrome {
    /// For error pages, made without the database: a signed-in customer keeps the Help
    /// Center's menu and "Sign out" (under "Your account", their name unread); the flash waits
    /// for the next page.
    pub fn for_error_page(session: &actix_session::Session) -> PortalChrome {
        let signed_in = crate::auth::session::customer_key(session).is_some();
        PortalChrome {
            customer_name: signed_in.then(|| "Your account".to_owned()),
            csrf_token: crate::auth::session::csrf_token(session),
            flash: None,
            section: "",
            zone: crate::auth::session::time_zone(session),
            brand: brand::current(),
        }
    }

    pub fn anonymous(session: &actix_session::Session) -> PortalChrome {
        PortalChrome {
            customer_name: None,
            csrf_token: crate::auth::session::csrf_token(session),
            flash: crate::auth::session::take_flash(session),
            section: "",
            zone: crate::auth::session::time_zone(session),
            brand: brand::current(),
        }
    }

    /// For public pages: the customer's layout when one is signed in, the visitor's otherwise.
    pub fn for_anyone(
        customer: Option<&crate::auth::guard::SignedInCustomer>,
        session: &actix_session::Session,
        section: &'static str,
    ) -> PortalChrome {
        match customer {
            Some(customer) => PortalChrome::for_customer(customer, section),
            None => PortalChrome {
                section,
                ..PortalChrome::anonymous(session)
            },
        }
    }

    pub fn for_customer(
        customer: &crate::auth::guard::SignedInCustomer,
        section: &'static str,
    ) -> PortalChrome {
        PortalChrome {
            customer_name: Some(customer.contact.name.clone()),
            csrf_token: customer.csrf_token(),
            flash: customer.flash(),
            section,
            zone: customer.zone(),
            brand: brand::current(),
        }
    }
}

/// The name customers know the company by: the admin's setting, else the mail sender's name.
fn company_name(
    state: &AppState,
    settings: &crate::help_center::settings::HelpCenterSettings,
) -> String {
    settings
        .company_name
        .clone()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| state.inviter.invitation_email.company.clone())
}

/// The brand on emails to customers, with links from the configured base URL.
fn mail_brand(
    state: &AppState,
    settings: &crate::help_center::settings::HelpCenterSettings,
) -> crate::help_center::branding::MailBrand {
    crate::help_center::branding::MailBrand::of(
        &settings.branding,
        &company_name(state, settings),
        state.base_url.as_str().trim_end_matches('/'),
    )
}

#[derive(Template)]
#[template(path = "portal/link_expired.html")]
struct LinkExpiredPage {
    chrome: PortalChrome,
    ask_again_href: &'static str,
    ask_again_label: &'static str,
}

/// One page for every emailed link that does not work (unknown, expired, used): the same
/// status and words whatever the reason, with a way to ask for a new one.
fn link_no_longer_valid(
    session: &actix_session::Session,
    ask_again_href: &'static str,
    ask_again_label: &'static str,
) -> Result<HttpResponse, AppError> {
    page_with_status(
        &LinkExpiredPage {
            chrome: PortalChrome::anonymous(session),
            ask_again_href,
            ask_again_label,
        },
        StatusCode::GONE,
    )
}

#[derive(Template)]
#[template(path = "portal/check_email.html")]
struct CheckEmailPage {
    chrome: PortalChrome,
    message: &'static str,
}

/// The answer to a form that may send mail: the same for every address, so it tells an
/// outsider nothing about which addresses have accounts.
fn check_your_email(
    session: &actix_session::Session,
    message: &'static str,
) -> Result<HttpResponse, AppError> {
    page_with_status(
        &CheckEmailPage {
            chrome: PortalChrome::anonymous(session),
            message,
        },
        StatusCode::OK,
    )
}
