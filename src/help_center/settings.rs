//! Admin settings kept in the `settings` table as key/value text, read and written as one
//! typed struct.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::branding::Logo;
use crate::audit::{self, Actor};
use crate::db::schema::settings;
use crate::db::{now, write_transaction, DbConnection};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SelfRegistration {
    /// Only invited contacts can get an account.
    #[default]
    Off,
    /// Anyone may register with name and email (verified by an emailed link).
    Open,
    /// Only addresses at these domains may register.
    Domains(Vec<String>),
}

impl SelfRegistration {
    pub fn allows(&self, email_domain: &str) -> bool {
        match self {
            SelfRegistration::Off => false,
            SelfRegistration::Open => true,
            SelfRegistration::Domains(domains) => domains
                .iter()
                .any(|domain| domain.eq_ignore_ascii_case(email_domain)),
        }
    }
}

/// The invitation email as an admin wrote it; `None` fields use Portico's default wording.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvitationTemplate {
    pub subject: Option<String>,
    pub text_body: Option<String>,
    pub html_body: Option<String>,
}

/// Which events email the customer about their ticket; each on unless an admin turns it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerEmails {
    pub on_reply: bool,
    pub on_closed: bool,
    pub on_received: bool,
}

impl Default for CustomerEmails {
    fn default() -> CustomerEmails {
        CustomerEmails {
            on_reply: true,
            on_closed: true,
            on_received: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HelpCenterSettings {
    pub self_registration: SelfRegistration,
    /// A new ticket from a contact without a portal account sends an invitation.
    pub auto_invite: bool,
    /// Overrides PORTICO_INVITE_TTL_HOURS when set.
    pub invite_ttl_hours: Option<u32>,
    /// Invitations one agent may create per day (UTC); none means unlimited.
    pub daily_invite_quota: Option<u32>,
    pub company_name: Option<String>,
    pub invitation_template: InvitationTemplate,
    pub customer_emails: CustomerEmails,
    /// Days after which an unopened invitation gets its one reminder; none means no reminders.
    pub remind_after_days: Option<u32>,
    pub branding: Branding,
}

/// Settings → Help Center → Branding, as saved; none means Portico's own.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Branding {
    pub help_center_name: Option<String>,
    /// `#rrggbb`, checked against white text when saved.
    pub accent_colour: Option<String>,
    /// The name emails to customers come from; the address stays PORTICO_MAIL_FROM's.
    pub sender_name: Option<String>,
    /// The uploaded logo's version, naming it in URLs.
    pub logo_version: Option<String>,
}

const SELF_REGISTRATION: &str = "self_registration";
const SELF_REGISTRATION_DOMAINS: &str = "self_registration_domains";
const AUTO_INVITE: &str = "auto_invite";
const INVITE_TTL_HOURS: &str = "invite_ttl_hours";
const DAILY_INVITE_QUOTA: &str = "daily_invite_quota";
const COMPANY_NAME: &str = "company_name";
const TEMPLATE_SUBJECT: &str = "invitation_subject";
const TEMPLATE_TEXT: &str = "invitation_text";
const TEMPLATE_HTML: &str = "invitation_html";
const EMAIL_ON_REPLY: &str = "email_customer_on_reply";
const EMAIL_ON_CLOSED: &str = "email_customer_on_closed";
const EMAIL_ON_RECEIVED: &str = "email_customer_on_received";
const REMIND_AFTER_DAYS: &str = "remind_after_days";
const HELP_CENTER_NAME: &str = "help_center_name";
const ACCENT_COLOUR: &str = "accent_colour";
const SENDER_NAME: &str = "sender_name";
const LOGO_VERSION: &str = "logo_version";

impl HelpCenterSettings {
    /// How long a new invitation link stays valid: the admin's choice, else the server's.
    pub fn invite_ttl_or(&self, server_default: chrono::Duration) -> chrono::Duration {
        self.invite_ttl_hours.map_or(server_default, |hours| {
            chrono::Duration::hours(i64::from(hours))
        })
    }

    pub fn has_custom_template(&self) -> bool {
        let template = &self.invitation_template;
        template.subject.is_some() || template.text_body.is_some() || template.html_body.is_some()
    }

    pub fn load(conn: &mut DbConnection) -> QueryResult<HelpCenterSettings> {
        let stored: Vec<(String, String)> = settings::table
            .select((settings::key, settings::value))
            .load(conn)?;
        let get = |key: &str| {
            stored
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, value)| value.clone())
        };
        let domains = || {
            get(SELF_REGISTRATION_DOMAINS)
                .unwrap_or_default()
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|domain| !domain.is_empty())
                .map(|domain| domain.to_lowercase())
                .collect::<Vec<_>>()
        };
        Ok(HelpCenterSettings {
            self_registration: match get(SELF_REGISTRATION).as_deref() {
                Some("open") => SelfRegistration::Open,
                Some("domains") => SelfRegistration::Domains(domains()),
                _ => SelfRegistration::Off,
            },
            auto_invite: get(AUTO_INVITE).as_deref() == Some("true"),
            invite_ttl_hours: get(INVITE_TTL_HOURS).and_then(|value| value.parse().ok()),
            daily_invite_quota: get(DAILY_INVITE_QUOTA).and_then(|value| value.parse().ok()),
            company_name: get(COMPANY_NAME),
            invitation_template: InvitationTemplate {
                subject: get(TEMPLATE_SUBJECT),
                text_body: get(TEMPLATE_TEXT),
                html_body: get(TEMPLATE_HTML),
            },
            customer_emails: CustomerEmails {
                on_reply: get(EMAIL_ON_REPLY).as_deref() != Some("false"),
                on_closed: get(EMAIL_ON_CLOSED).as_deref() != Some("false"),
                on_received: get(EMAIL_ON_RECEIVED).as_deref() != Some("false"),
            },
            remind_after_days: get(REMIND_AFTER_DAYS).and_then(|value| value.parse().ok()),
            branding: Branding {
                help_center_name: get(HELP_CENTER_NAME),
                accent_colour: get(ACCENT_COLOUR),
                sender_name: get(SENDER_NAME),
                logo_version: get(LOGO_VERSION),
            },
        })
    }

    /// Writes every setting; call inside a write transaction.
    pub fn save(&self, conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<()> {
        let (mode, domains) = match &self.self_registration {
            SelfRegistration::Off => ("off", String::new()),
            SelfRegistration::Open => ("open", String::new()),
            SelfRegistration::Domains(domains) => ("domains", domains.join(", ")),
        };
        let emails = self.customer_emails;
        let branding = &self.branding;
        let values: [(&str, Option<String>); 17] = [
            (SELF_REGISTRATION, Some(mode.to_owned())),
            (SELF_REGISTRATION_DOMAINS, Some(domains)),
            (AUTO_INVITE, Some(self.auto_invite.to_string())),
            (
                INVITE_TTL_HOURS,
                self.invite_ttl_hours.map(|hours| hours.to_string()),
            ),
            (
                DAILY_INVITE_QUOTA,
                self.daily_invite_quota.map(|quota| quota.to_string()),
            ),
            (COMPANY_NAME, self.company_name.clone()),
            (TEMPLATE_SUBJECT, self.invitation_template.subject.clone()),
            (TEMPLATE_TEXT, self.invitation_template.text_body.clone()),
            (TEMPLATE_HTML, self.invitation_template.html_body.clone()),
            (EMAIL_ON_REPLY, Some(emails.on_reply.to_string())),
            (EMAIL_ON_CLOSED, Some(emails.on_closed.to_string())),
            (EMAIL_ON_RECEIVED, Some(emails.on_received.to_string())),
            (
                REMIND_AFTER_DAYS,
                self.remind_after_days.map(|days| days.to_string()),
            ),
            (HELP_CENTER_NAME, branding.help_center_name.clone()),
            (ACCENT_COLOUR, branding.accent_colour.clone()),
            (SENDER_NAME, branding.sender_name.clone()),
            (LOGO_VERSION, branding.logo_version.clone()),
        ];
        for (key, value) in values {
            diesel::delete(settings::table.find(key)).execute(conn)?;
            if let Some(value) = value {
                diesel::insert_into(settings::table)
                    .values((
                        settings::key.eq(key),
                        settings::value.eq(value),
                        settings::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
        }
        Ok(())
    }
}

/// Saves Settings → Help Center as `wanted` (the invitation email and the branding, edited on
/// their own, stay as they are) and records what changed, if anything.
pub fn update(
    conn: &mut DbConnection,
    actor: Actor,
    wanted: HelpCenterSettings,
) -> QueryResult<()> {
    write_transaction(conn, |conn| {
        let before = HelpCenterSettings::load(conn)?;
        let wanted = HelpCenterSettings {
            invitation_template: before.invitation_template.clone(),
            branding: before.branding.clone(),
            ..wanted
        };
        let changed = changes(&before, &wanted);
        if !changed.is_empty() {
            wanted.save(conn, now())?;
            audit::record(
                conn,
                actor,
                "settings.updated",
                ("settings", None),
                &changed,
            )?;
        }
        Ok(())
    })
}

/// Saves the admin's invitation email (the default wording when empty), recorded as `action`.
pub fn update_invitation_template(
    conn: &mut DbConnection,
    actor: Actor,
    template: InvitationTemplate,
    action: &str,
) -> QueryResult<()> {
    write_transaction(conn, |conn| {
        let mut settings = HelpCenterSettings::load(conn)?;
        settings.invitation_template = template;
        settings.save(conn, now())?;
        audit::record(conn, actor, action, ("settings", None), "")?;
        Ok(())
    })
}

/// What to do with the logo when the branding is saved.
pub enum LogoChange {
    Keep,
    Replace(Logo),
    Remove,
}

/// Saves Settings → Help Center → Branding, the logo with it, and records what changed.
pub fn update_branding(
    conn: &mut DbConnection,
    actor: Actor,
    mut wanted: Branding,
    logo: LogoChange,
) -> QueryResult<()> {
    write_transaction(conn, |conn| {
        let mut settings = HelpCenterSettings::load(conn)?;
        wanted.logo_version = match &logo {
            LogoChange::Keep => settings.branding.logo_version.clone(),
            LogoChange::Replace(logo) => Some(logo.version.clone()),
            LogoChange::Remove => None,
        };
        match &logo {
            LogoChange::Keep => {}
            LogoChange::Replace(logo) => Logo::replace(conn, Some(logo))?,
            LogoChange::Remove => Logo::replace(conn, None)?,
        }
        let before = std::mem::replace(&mut settings.branding, wanted);
        let after = &settings.branding;
        let changed: Vec<&str> = [
            (
                before.help_center_name != after.help_center_name,
                "Help Center name",
            ),
            (before.logo_version != after.logo_version, "logo"),
            (before.accent_colour != after.accent_colour, "accent colour"),
            (before.sender_name != after.sender_name, "sender name"),
        ]
        .into_iter()
        .filter_map(|(changed, what)| changed.then_some(what))
        .collect();
        if !changed.is_empty() {
            settings.save(conn, now())?;
            audit::record(
                conn,
                actor,
                "settings.updated",
                ("settings", None),
                &changed.join(", "),
            )?;
        }
        Ok(())
    })
}

/// What changed, in words, for the audit log.
fn changes(before: &HelpCenterSettings, after: &HelpCenterSettings) -> String {
    let mut changed = Vec::new();
    if before.self_registration != after.self_registration {
        changed.push("self-registration");
    }
    if before.auto_invite != after.auto_invite {
        changed.push(if after.auto_invite {
            "auto-invite on"
        } else {
            "auto-invite off"
        });
    }
    if before.invite_ttl_hours != after.invite_ttl_hours {
        changed.push("invitation link validity");
    }
    if before.daily_invite_quota != after.daily_invite_quota {
        changed.push("daily invitation quota");
    }
    if before.company_name != after.company_name {
        changed.push("company name");
    }
    if before.customer_emails != after.customer_emails {
        changed.push("emails to customers");
    }
    if before.remind_after_days != after.remind_after_days {
        changed.push("invitation reminders");
    }
    changed.join(", ")
}
