//! The invitation email: subject, text and HTML bodies from askama templates.

use askama::Template;
use chrono::NaiveDateTime;
use url::Url;

use crate::domain::{EmailAddress, LinkToken};
use crate::mail::OutgoingMail;

#[derive(Template)]
#[template(path = "mail/invitation.txt", escape = "none")]
struct InvitationText<'a> {
    contact_name: &'a str,
    inviter: &'a str,
    company: &'a str,
    link: &'a str,
    expires: String,
}

#[derive(Template)]
#[template(path = "mail/invitation.html")]
struct InvitationHtml<'a> {
    contact_name: &'a str,
    inviter: &'a str,
    company: &'a str,
    link: &'a str,
    expires: String,
}

/// What every invitation email shares.
pub struct InvitationLetter {
    pub company: String,
    pub base_url: Url,
}

impl InvitationLetter {
    pub fn subject(&self) -> String {
        format!("You're invited to the {} Help Center", self.company)
    }

    /// Links come from the configured base URL, never from a request's Host header.
    pub fn link(&self, token: &LinkToken) -> String {
        self.link_with(token.as_str())
    }

    fn link_with(&self, token_text: &str) -> String {
        let base = self.base_url.as_str().trim_end_matches('/');
        format!("{base}/portal/invitations/{token_text}")
    }

    pub fn compose(
        &self,
        to: &EmailAddress,
        contact_name: &str,
        inviter: Option<&str>,
        link: &str,
        expires_at: NaiveDateTime,
    ) -> Result<OutgoingMail, askama::Error> {
        let inviter = inviter
            .map(str::to_owned)
            .unwrap_or_else(|| format!("The {} support team", self.company));
        let expires = expires_at.format("%Y-%m-%d %H:%M").to_string();
        let text = InvitationText {
            contact_name,
            inviter: &inviter,
            company: &self.company,
            link,
            expires: expires.clone(),
        }
        .render()?;
        let html = InvitationHtml {
            contact_name,
            inviter: &inviter,
            company: &self.company,
            link,
            expires,
        }
        .render()?;
        Ok(OutgoingMail {
            to: to.clone(),
            to_name: Some(contact_name.to_owned()),
            subject: self.subject(),
            text,
            html,
        })
    }

    /// The email as it will be sent, with a stand-in for the secret link, for the preview.
    pub fn preview(
        &self,
        to: &EmailAddress,
        contact_name: &str,
        inviter: &str,
        expires_at: NaiveDateTime,
    ) -> Result<OutgoingMail, askama::Error> {
        let link = self.link_with("…link-created-when-sent…");
        self.compose(to, contact_name, Some(inviter), &link, expires_at)
    }
}
