//! Emails a page sends about a link for someone signed out (a password reset, a registration):
//! where the link points, and sending it after the response.

use actix_web::web;

use crate::mail::OutgoingMail;
use crate::state::AppState;

/// A link for an email, built from the configured base URL, never from a request's Host.
pub fn link_to(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.base_url.as_str().trim_end_matches('/'))
}

/// Sends after the response: a page answering "check your email" must take as long for an
/// address with an account as for one without, or its timing would tell them apart. A failed
/// send is logged; the visitor can ask again.
pub fn send_in_background(state: &AppState, mail: OutgoingMail) {
    let mailer = state.mailer.clone();
    actix_web::rt::spawn(async move {
        let to = mail.to.domain().to_owned();
        let subject = mail.subject.clone();
        match web::block(move || mailer.send(&mail)).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => {
                tracing::warn!(%error, recipient_domain = %to, %subject, "an email was not sent")
            }
            Err(error) => tracing::warn!(%error, %subject, "an email was not sent"),
        }
    });
}
