//! The customers' Help Center: accepting an invitation, and the pages a signed-in customer uses.

mod home;
mod invitation;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/portal", web::get().to(home::home))
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
        );
}

/// The parts of the Help Center layout every page shares.
pub struct PortalChrome {
    pub customer_name: Option<String>,
    pub csrf_token: String,
    pub flash: Option<crate::auth::session::Flash>,
    pub section: &'static str,
}

impl PortalChrome {
    pub fn anonymous(session: &actix_session::Session) -> PortalChrome {
        PortalChrome {
            customer_name: None,
            csrf_token: crate::auth::session::csrf_token(session),
            flash: crate::auth::session::take_flash(session),
            section: "",
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
        }
    }
}
