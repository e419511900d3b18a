//! Settings → Help Center: who may register, auto-invite, link validity, reminders, the daily
//! quota, the company name used in emails, and which events email customers.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{render, Submitted};
use crate::audit::Actor;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::error::AppError;
use crate::help_center::settings::{self, CustomerEmails, HelpCenterSettings, SelfRegistration};
use crate::invitations::reminders::REMIND_AFTER_DAYS_MAX;
use crate::routes::redirect_see_other;
use crate::state::AppState;

pub const TTL_MAX_HOURS: u32 = 720;
pub const QUOTA_MAX: u32 = 100_000;
const COMPANY_MAX_CHARS: usize = 100;
const DOMAINS_MAX: usize = 100;

/// The form as typed, so a refused one comes back unchanged.
#[derive(Debug, Default, Deserialize)]
pub struct HelpCenterForm {
    #[serde(default)]
    pub self_registration: String,
    #[serde(default)]
    pub domains: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    pub auto_invite: Option<String>,
    #[serde(default)]
    pub invite_ttl_hours: String,
    #[serde(default)]
    pub daily_invite_quota: String,
    #[serde(default)]
    pub company_name: String,
    /// Checkboxes, present when ticked: which events email the customer.
    #[serde(default)]
    pub email_on_reply: Option<String>,
    #[serde(default)]
    pub email_on_closed: Option<String>,
    #[serde(default)]
    pub email_on_received: Option<String>,
    #[serde(default)]
    pub remind_after_days: String,
}

#[derive(Debug, Default)]
pub struct HelpCenterErrors {
    pub self_registration: Option<String>,
    pub domains: Option<String>,
    pub invite_ttl_hours: Option<String>,
    pub daily_invite_quota: Option<String>,
    pub company_name: Option<String>,
    pub remind_after_days: Option<String>,
}

impl HelpCenterErrors {
    fn any(&self) -> bool {
        self.remind_after_days.is_some()
            || self.self_registration.is_some()
            || self.domains.is_some()
            || self.invite_ttl_hours.is_some()
            || self.daily_invite_quota.is_some()
            || self.company_name.is_some()
    }
}

impl HelpCenterForm {
    pub fn from_settings(settings: &HelpCenterSettings) -> HelpCenterForm {
        let (mode, domains) = match &settings.self_registration {
            SelfRegistration::Off => ("off", String::new()),
            SelfRegistration::Open => ("open", String::new()),
            SelfRegistration::Domains(domains) => ("domains", domains.join(", ")),
        };
        HelpCenterForm {
            self_registration: mode.to_owned(),
            domains,
            auto_invite: ticked(settings.auto_invite),
            invite_ttl_hours: settings
                .invite_ttl_hours
                .map(|hours| hours.to_string())
                .unwrap_or_default(),
            daily_invite_quota: settings
                .daily_invite_quota
                .map(|quota| quota.to_string())
                .unwrap_or_default(),
            company_name: settings.company_name.clone().unwrap_or_default(),
            email_on_reply: ticked(settings.customer_emails.on_reply),
            email_on_closed: ticked(settings.customer_emails.on_closed),
            email_on_received: ticked(settings.customer_emails.on_received),
            remind_after_days: settings
                .remind_after_days
                .map(|days| days.to_string())
                .unwrap_or_default(),
        }
    }

    pub fn auto_invite_checked(&self) -> bool {
        self.auto_invite.is_some()
    }

    /// The settings this form asks for; the invitation email, edited on its own page, is left
    /// to the caller to carry over. `server_ttl_hours` is the link validity when the form
    /// leaves it blank.
    fn parse(&self, server_ttl_hours: i64) -> Result<HelpCenterSettings, Box<HelpCenterErrors>> {
        let mut errors = HelpCenterErrors::default();
        let self_registration = match self.self_registration.as_str() {
            "off" | "" => Some(SelfRegistration::Off),
            "open" => Some(SelfRegistration::Open),
            "domains" => match parse_domains(&self.domains) {
                Ok(domains) => Some(SelfRegistration::Domains(domains)),
                Err(error) => {
                    errors.domains = Some(error);
                    None
                }
            },
            _ => {
                errors.self_registration = Some("Choose one of the options.".to_owned());
                None
            }
        };
        let invite_ttl_hours = parse_optional_number(&self.invite_ttl_hours, 1, TTL_MAX_HOURS)
            .map_err(|()| {
                errors.invite_ttl_hours = Some(format!(
                    "Enter a whole number of hours from 1 to {TTL_MAX_HOURS} (30 days), or leave it blank."
                ));
            });
        let daily_invite_quota = parse_optional_number(&self.daily_invite_quota, 1, QUOTA_MAX)
            .map_err(|()| {
                errors.daily_invite_quota = Some(format!(
                    "Enter a whole number from 1 to {QUOTA_MAX}, or leave it blank for no limit."
                ));
            });
        let remind_after_days =
            parse_optional_number(&self.remind_after_days, 1, REMIND_AFTER_DAYS_MAX).map_err(|()| {
                errors.remind_after_days = Some(format!(
                    "Enter a whole number of days from 1 to {REMIND_AFTER_DAYS_MAX}, or leave it blank for no reminders."
                ));
            });
        let ttl_hours = match &invite_ttl_hours {
            Ok(Some(hours)) => i64::from(*hours),
            _ => server_ttl_hours,
        };
        if let Ok(Some(days)) = remind_after_days {
            if i64::from(days) * 24 >= ttl_hours {
                errors.remind_after_days = Some(format!(
                    "Links are valid for {ttl_hours} hours, so a reminder after {days} days would find every link expired. Choose fewer days, or longer-lived links."
                ));
            }
        }
        let company_name = self.company_name.trim();
        if company_name.chars().count() > COMPANY_MAX_CHARS {
            errors.company_name = Some(format!("Use at most {COMPANY_MAX_CHARS} characters."));
        } else if company_name.chars().any(char::is_control) {
            errors.company_name = Some("Use a single line without special characters.".to_owned());
        }
        match (
            self_registration,
            invite_ttl_hours,
            daily_invite_quota,
            remind_after_days,
        ) {
            (
                Some(self_registration),
                Ok(invite_ttl_hours),
                Ok(daily_invite_quota),
                Ok(remind_after_days),
            ) if !errors.any() => Ok(HelpCenterSettings {
                self_registration,
                auto_invite: self.auto_invite_checked(),
                invite_ttl_hours,
                daily_invite_quota,
                company_name: (!company_name.is_empty()).then(|| company_name.to_owned()),
                invitation_template: Default::default(),
                customer_emails: CustomerEmails {
                    on_reply: self.email_on_reply.is_some(),
                    on_closed: self.email_on_closed.is_some(),
                    on_received: self.email_on_received.is_some(),
                },
                remind_after_days,
                branding: Default::default(),
            }),
            _ => Err(Box::new(errors)),
        }
    }
}

fn ticked(on: bool) -> Option<String> {
    on.then(|| "on".to_owned())
}

fn parse_optional_number(input: &str, min: u32, max: u32) -> Result<Option<u32>, ()> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    match input.parse::<u32>() {
        Ok(number) if (min..=max).contains(&number) => Ok(Some(number)),
        _ => Err(()),
    }
}

/// "example.com, @Example.org" → ["example.com", "example.org"]: lowercase, each once.
pub fn parse_domains(input: &str) -> Result<Vec<String>, String> {
    let mut domains: Vec<String> = Vec::new();
    for typed in input.split(|c: char| c == ',' || c == ';' || c.is_whitespace()) {
        let domain = typed.trim().trim_start_matches('@').to_lowercase();
        if domain.is_empty() {
            continue;
        }
        if !is_domain_name(&domain) {
            let shown: String = typed.trim().chars().take(60).collect();
            return Err(format!(
                "“{shown}” is not a domain name. Write domains like example.com, separated by commas."
            ));
        }
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    if domains.is_empty() {
        return Err("Enter at least one email domain, such as example.com.".to_owned());
    }
    if domains.len() > DOMAINS_MAX {
        return Err(format!("List at most {DOMAINS_MAX} domains."));
    }
    Ok(domains)
}

fn is_domain_name(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|top| top.chars().any(|c| c.is_ascii_alphabetic()))
}

pub async fn save(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: web::Form<HelpCenterForm>,
) -> Result<HttpResponse, AppError> {
    agent.require_admin()?;
    let form = form.into_inner();
    let wanted = match form.parse(state.inviter.ttl.num_hours()) {
        Ok(wanted) => wanted,
        Err(errors) => {
            let submitted = Submitted {
                help_center: Some((form, *errors)),
                ..Submitted::default()
            };
            return render(&agent, &state, submitted, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let actor = Actor::Agent(agent.agent.id);
    state
        .db(move |conn| Ok(settings::update(conn, actor, wanted)?))
        .await?;
    set_flash(
        agent.session(),
        FlashKind::Success,
        "Help Center settings saved.",
    );
    Ok(redirect_see_other("/settings"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_lowercased_deduplicated_and_checked() {
        assert_eq!(
            parse_domains("Example.com, @example.org\nexample.com").unwrap(),
            vec!["example.com".to_owned(), "example.org".to_owned()]
        );
        assert!(parse_domains("not a domain!").is_err());
        assert!(parse_domains("localhost").is_err());
        assert!(parse_domains("-bad.com").is_err());
        assert!(parse_domains("   ").is_err());
        assert!(parse_domains("10.0.0.1").is_err());
    }

    #[test]
    fn blank_numbers_mean_the_default_and_bounds_are_kept() {
        assert_eq!(parse_optional_number(" ", 1, 720), Ok(None));
        assert_eq!(parse_optional_number("48", 1, 720), Ok(Some(48)));
        assert!(parse_optional_number("0", 1, 720).is_err());
        assert!(parse_optional_number("721", 1, 720).is_err());
        assert!(parse_optional_number("2.5", 1, 720).is_err());
    }
}
