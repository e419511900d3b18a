//! The emails Portico sends agents: a link to reset a forgotten password, and a new agent's
//! link to choose their first one.

use askama::Template;
use chrono::NaiveDateTime;

use super::AgentRole;
use crate::domain::EmailAddress;
use crate::mail::OutgoingMail;

/// What a reset email says, in both its parts.
struct ResetMail<'a> {
    name: &'a str,
    link: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "mail/agent_password_reset.txt", escape = "none")]
struct ResetMailText<'a> {
    mail: &'a ResetMail<'a>,
}

#[derive(Template)]
#[template(path = "mail/agent_password_reset.html")]
struct ResetMailHtml<'a> {
    mail: &'a ResetMail<'a>,
}

/// What a welcome email says, in both its parts.
struct WelcomeMail<'a> {
    name: &'a str,
    email: &'a str,
    role: &'a str,
    added_by: &'a str,
    link: &'a str,
    forgot_link: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "mail/agent_welcome.txt", escape = "none")]
struct WelcomeMailText<'a> {
    mail: &'a WelcomeMail<'a>,
}

#[derive(Template)]
#[template(path = "mail/agent_welcome.html")]
struct WelcomeMailHtml<'a> {
    mail: &'a WelcomeMail<'a>,
}

/// "Reset your Portico password", with `link` valid until `expires_at`.
pub fn reset(
    to: &EmailAddress,
    name: &str,
    link: &str,
    expires_at: NaiveDateTime,
) -> askama::Result<OutgoingMail> {
    let expires = expires_at.format("%Y-%m-%d %H:%M").to_string();
    let mail = ResetMail {
        name,
        link,
        expires: &expires,
    };
    Ok(OutgoingMail {
        to: to.clone(),
        from_name: None,
        to_name: Some(name.to_owned()),
        subject: "Reset your Portico password".to_owned(),
        text: ResetMailText { mail: &mail }.render()?,
        html: ResetMailHtml { mail: &mail }.render()?,
    })
}

/// A new agent an admin added without a password, to be sent a link to choose one.
pub struct Welcome<'a> {
    pub name: &'a str,
    pub email: &'a EmailAddress,
    pub role: AgentRole,
    pub added_by: &'a str,
    /// The link to choose a password, valid until `expires_at`.
    pub link: &'a str,
    pub expires_at: NaiveDateTime,
    /// "Forgot password?", for after the link expired.
    pub forgot_link: &'a str,
}

/// "You have been added to Portico", with the link to choose a first password.
pub fn welcome(welcome: &Welcome) -> askama::Result<OutgoingMail> {
    let expires = welcome.expires_at.format("%Y-%m-%d %H:%M").to_string();
    let role = match welcome.role {
        AgentRole::Admin => "an admin",
        AgentRole::Agent => "an agent",
    };
    let mail = WelcomeMail {
        name: welcome.name,
        email: welcome.email.as_str(),
        role,
        added_by: welcome.added_by,
        link: welcome.link,
        forgot_link: welcome.forgot_link,
        expires: &expires,
    };
    Ok(OutgoingMail {
        to: welcome.email.clone(),
        from_name: None,
        to_name: Some(welcome.name.to_owned()),
        subject: "You have been added to Portico".to_owned(),
        text: WelcomeMailText { mail: &mail }.render()?,
        html: WelcomeMailHtml { mail: &mail }.render()?,
    })
}
