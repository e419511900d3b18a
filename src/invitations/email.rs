//! The invitation email: subject, text and HTML bodies from askama templates, or from the
//! template an admin wrote in Settings.

use askama::Template;
use chrono::NaiveDateTime;
use url::Url;

use super::template::{
    parse_all, MailTemplate, Placeholder, PlaceholderValues, TemplateError, TemplateFieldErrors,
};
use crate::domain::{EmailAddress, LinkToken};
use crate::help_center::branding::MailBrand;
use crate::help_center::settings::{Branding, HelpCenterSettings};
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
    brand: &'a MailBrand,
    contact_name: &'a str,
    inviter: &'a str,
    company: &'a str,
    link: &'a str,
    expires: String,
}

/// The invitation email as this server writes it: the company name derived from
/// PORTICO_MAIL_FROM, the links' base URL, and Portico's default wording.
pub struct InvitationEmail {
    pub company: String,
    pub base_url: Url,
}

/// What an admin changed about the invitation email in Settings (the company name, their own
/// subject and bodies); the default changes nothing.
#[derive(Debug, Clone, Default)]
pub struct InvitationWording {
    pub company: Option<String>,
    pub subject: Option<MailTemplate>,
    pub text_body: Option<MailTemplate>,
    pub html_body: Option<MailTemplate>,
    /// The sender name, logo and accent an admin chose for emails to customers.
    pub branding: Branding,
}

impl InvitationWording {
    pub fn from_settings(settings: &HelpCenterSettings) -> InvitationWording {
        let stored = &settings.invitation_template;
        // Only valid templates are saved; one that no longer parses falls back to the default
        // wording rather than stopping every invitation.
        let parsed = |source: &Option<String>,
                      parse: fn(&str) -> Result<MailTemplate, TemplateError>| {
            source.as_deref().and_then(|source| match parse(source) {
                Ok(template) => Some(template),
                Err(error) => {
                    tracing::warn!(%error, "stored invitation template ignored");
                    None
                }
            })
        };
        InvitationWording {
            company: settings.company_name.clone(),
            subject: parsed(&stored.subject, MailTemplate::parse_subject),
            text_body: parsed(&stored.text_body, MailTemplate::parse_body),
            html_body: parsed(&stored.html_body, MailTemplate::parse_body),
            branding: settings.branding.clone(),
        }
    }

    /// This wording with the subject and bodies an admin typed, each checked: for a preview
    /// before saving, or to refuse a mistake beside its field.
    pub fn with_typed(
        mut self,
        subject: &str,
        text_body: &str,
        html_body: &str,
    ) -> Result<InvitationWording, TemplateFieldErrors> {
        let [subject, text_body, html_body] = parse_all(subject, text_body, html_body)?;
        self.subject = Some(subject);
        self.text_body = Some(text_body);
        self.html_body = Some(html_body);
        Ok(self)
    }
}

/// The default email written with placeholders, to start an admin's own version from.
pub struct DefaultWording {
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}

impl InvitationEmail {
    pub fn subject(&self) -> String {
        default_subject(&self.company)
    }

    /// The company name emails use: the admin's, or the one derived from PORTICO_MAIL_FROM.
    pub fn company_name<'a>(&'a self, settings: &'a InvitationWording) -> &'a str {
        settings.company.as_deref().unwrap_or(&self.company)
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
        self.compose_with(
            &InvitationWording::default(),
            to,
            contact_name,
            inviter,
            link,
            expires_at,
        )
    }

    /// The email with the admin's company name and template where they set one.
    pub fn compose_with(
        &self,
        settings: &InvitationWording,
        to: &EmailAddress,
        contact_name: &str,
        inviter: Option<&str>,
        link: &str,
        expires_at: NaiveDateTime,
    ) -> Result<OutgoingMail, askama::Error> {
        let company = self.company_name(settings);
        let inviter = inviter
            .map(str::to_owned)
            .unwrap_or_else(|| format!("The {company} support team"));
        let expires = expires_at.format("%Y-%m-%d %H:%M").to_string();
        let values = PlaceholderValues {
            contact_name,
            agent_name: &inviter,
            link,
            expires_at: &expires,
            company_name: company,
        };
        let text = match &settings.text_body {
            Some(template) => template.render_text(&values),
            None => default_text(&values)?,
        };
        let brand = MailBrand::of(
            &settings.branding,
            company,
            self.base_url.as_str().trim_end_matches('/'),
        );
        let html = match &settings.html_body {
            Some(template) => template.render_html(&values),
            None => default_html(&values, &brand)?,
        };
        let subject = match &settings.subject {
            Some(template) => template.render_text(&values),
            None => default_subject(company),
        };
        Ok(OutgoingMail {
            to: to.clone(),
            to_name: Some(contact_name.to_owned()),
            from_name: brand.sender_name.clone(),
            // A name with a line break must not break the header onto a second line.
            subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
            text,
            html,
        })
    }

    /// The default wording with each value replaced by its placeholder.
    pub fn default_wording(&self) -> Result<DefaultWording, askama::Error> {
        let tokens = Placeholder::ALL.map(Placeholder::token);
        let values = PlaceholderValues {
            contact_name: &tokens[0],
            agent_name: &tokens[1],
            link: &tokens[2],
            expires_at: &tokens[3],
            company_name: &tokens[4],
        };
        Ok(DefaultWording {
            subject: default_subject(values.company_name),
            text_body: default_text(&values)?,
            html_body: default_html(&values, &MailBrand::default())?,
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
        self.preview_with(
            &InvitationWording::default(),
            to,
            contact_name,
            inviter,
            expires_at,
        )
    }

    pub fn preview_with(
        &self,
        settings: &InvitationWording,
        to: &EmailAddress,
        contact_name: &str,
        inviter: &str,
        expires_at: NaiveDateTime,
    ) -> Result<OutgoingMail, askama::Error> {
        let link = self.link_with("…link-created-when-sent…");
        self.compose_with(settings, to, contact_name, Some(inviter), &link, expires_at)
    }
}

fn default_subject(company: &str) -> String {
    format!("You're invited to the {company} Help Center")
}

fn default_text(values: &PlaceholderValues) -> Result<String, askama::Error> {
    InvitationText {
        contact_name: values.contact_name,
        inviter: values.agent_name,
        company: values.company_name,
        link: values.link,
        expires: values.expires_at.to_owned(),
    }
    .render()
}

fn default_html(values: &PlaceholderValues, brand: &MailBrand) -> Result<String, askama::Error> {
    InvitationHtml {
        brand,
        contact_name: values.contact_name,
        inviter: values.agent_name,
        company: values.company_name,
        link: values.link,
        expires: values.expires_at.to_owned(),
    }
    .render()
}
