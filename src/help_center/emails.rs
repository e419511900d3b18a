//! The emails the Help Center sends customers about their account: a link to reset a
//! password, and the answer to a registration.

use askama::Template;
use chrono::NaiveDateTime;

use crate::domain::EmailAddress;
use crate::help_center::branding::MailBrand;
use crate::mail::OutgoingMail;

#[derive(Template)]
#[template(path = "mail/password_reset.txt", escape = "none")]
struct ResetMailText<'a> {
    name: &'a str,
    company: &'a str,
    link: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "mail/password_reset.html")]
struct ResetMailHtml<'a> {
    brand: &'a MailBrand,
    name: &'a str,
    company: &'a str,
    link: &'a str,
    expires: &'a str,
}

/// One template, two messages: the verification link, or "you already have an account".
#[derive(Template)]
#[template(path = "mail/verify_email.txt", escape = "none")]
struct VerifyMailText<'a> {
    letter: &'a RegistrationEmail,
}

#[derive(Template)]
#[template(path = "mail/verify_email.html")]
struct VerifyMailHtml<'a> {
    brand: &'a MailBrand,
    letter: &'a RegistrationEmail,
}

/// What the answer to a registration says.
pub struct RegistrationEmail {
    pub name: String,
    pub company: String,
    pub already_registered: bool,
    /// The verification link, or the sign-in page for an existing account.
    pub link: String,
    pub reset_link: String,
    pub expires: String,
    pub brand: MailBrand,
}

/// "Reset your … Help Center password", with `link` valid until `expires_at`.
pub fn password_reset(
    to: &EmailAddress,
    name: &str,
    company: &str,
    link: &str,
    expires_at: NaiveDateTime,
    brand: &MailBrand,
) -> askama::Result<OutgoingMail> {
    let expires = expires_at.format("%Y-%m-%d %H:%M").to_string();
    let text = ResetMailText {
        name,
        company,
        link,
        expires: &expires,
    }
    .render()?;
    let html = ResetMailHtml {
        brand,
        name,
        company,
        link,
        expires: &expires,
    }
    .render()?;
    Ok(OutgoingMail {
        to: to.clone(),
        to_name: Some(name.to_owned()),
        from_name: brand.sender_name.clone(),
        subject: format!("Reset your {company} Help Center password"),
        text,
        html,
    })
}

/// "Confirm your email", or "you already have an account" with a way to sign in.
pub fn registration(to: &EmailAddress, letter: &RegistrationEmail) -> askama::Result<OutgoingMail> {
    let subject = if letter.already_registered {
        format!("You already have a {} Help Center account", letter.company)
    } else {
        format!("Confirm your email for the {} Help Center", letter.company)
    };
    Ok(OutgoingMail {
        to: to.clone(),
        to_name: Some(letter.name.clone()),
        from_name: letter.brand.sender_name.clone(),
        subject,
        text: VerifyMailText { letter }.render()?,
        html: VerifyMailHtml {
            brand: &letter.brand,
            letter,
        }
        .render()?,
    })
}
