//! The custom view form: what an agent typed, checked field by field, turned into the
//! columns of a saved view.

use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use crate::contacts::custom_views::{CustomView, CustomViewFields};
use crate::contacts::Sort;
use crate::domain::ShownStatus;

const NAME_MAX_CHARS: usize = 100;
const NAME_CONTAINS_MAX_CHARS: usize = 100;
const DATE_FORMAT: &str = "%Y-%m-%d";

/// The form as typed: every field text, so a rejected form comes back exactly as sent.
#[derive(Debug, Default, Deserialize)]
pub struct ViewForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub account: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub email_domain: String,
    #[serde(default)]
    pub created_from: String,
    #[serde(default)]
    pub created_until: String,
    #[serde(default)]
    pub open_tickets: String,
    #[serde(default)]
    pub name_contains: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub visibility: String,
}

#[derive(Debug, Default)]
pub struct ViewFieldErrors {
    pub name: Option<String>,
    pub account: Option<String>,
    pub status: Option<String>,
    pub email_domain: Option<String>,
    pub created: Option<String>,
    pub open_tickets: Option<String>,
    pub name_contains: Option<String>,
    pub sort: Option<String>,
    pub visibility: Option<String>,
}

impl ViewFieldErrors {
    pub fn any(&self) -> bool {
        [
            &self.name,
            &self.account,
            &self.status,
            &self.email_domain,
            &self.created,
            &self.open_tickets,
            &self.name_contains,
            &self.sort,
            &self.visibility,
        ]
        .iter()
        .any(|error| error.is_some())
    }
}

impl ViewForm {
    pub fn for_new_view() -> ViewForm {
        ViewForm {
            sort: Sort::Name.as_str().to_owned(),
            dir: "asc".to_owned(),
            visibility: "private".to_owned(),
            ..ViewForm::default()
        }
    }

    pub fn of_view(view: &CustomView, account_name: Option<String>) -> ViewForm {
        ViewForm {
            name: view.name.clone(),
            account: account_name.unwrap_or_default(),
            status: view.help_center_status.clone().unwrap_or_default(),
            email_domain: view.email_domain.clone().unwrap_or_default(),
            created_from: view
                .created_from
                .map(|from| from.date().format(DATE_FORMAT).to_string())
                .unwrap_or_default(),
            // Stored as the exclusive midnight after the last day, shown as that last day.
            created_until: view
                .created_until
                .map(|until| {
                    (until - Duration::nanoseconds(1))
                        .date()
                        .format(DATE_FORMAT)
                        .to_string()
                })
                .unwrap_or_default(),
            open_tickets: match view.has_open_tickets {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            }
            .to_owned(),
            name_contains: view.name_contains.clone().unwrap_or_default(),
            sort: view.sort.clone(),
            dir: if view.descending { "desc" } else { "asc" }.to_owned(),
            visibility: if view.shared { "shared" } else { "private" }.to_owned(),
        }
    }

    /// Everything but the account, which needs the database; errors beside each field.
    pub fn parse(&self) -> (CustomViewFields, ViewFieldErrors) {
        let mut errors = ViewFieldErrors::default();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.name = Some("Give the view a name.".to_owned());
        } else if name.chars().count() > NAME_MAX_CHARS {
            errors.name = Some(format!("Keep the name to {NAME_MAX_CHARS} characters."));
        }
        let help_center_status = match self.status.as_str() {
            "" => None,
            slug => match ShownStatus::from_slug(slug) {
                Some(status) => Some(status.slug().to_owned()),
                None => {
                    errors.status = Some("Pick a Help Center status from the list.".to_owned());
                    None
                }
            },
        };
        let email_domain = parse_domain(&self.email_domain).unwrap_or_else(|message| {
            errors.email_domain = Some(message.to_owned());
            None
        });
        let created_from = parse_date(&self.created_from);
        let created_until = parse_date(&self.created_until);
        let (created_from, created_until) = match (created_from, created_until) {
            (Ok(Some(from)), Ok(Some(until))) if from > until => {
                errors.created = Some("The first date must be on or before the second.".to_owned());
                (None, None)
            }
            (Ok(from), Ok(until)) => (
                from.map(|day| day.and_time(chrono::NaiveTime::MIN)),
                until
                    .and_then(|day| day.succ_opt())
                    .map(|day| day.and_time(chrono::NaiveTime::MIN)),
            ),
            _ => {
                errors.created = Some("Enter dates as YYYY-MM-DD, like 2026-01-31.".to_owned());
                (None, None)
            }
        };
        let has_open_tickets = match self.open_tickets.as_str() {
            "" | "any" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                errors.open_tickets = Some("Pick any, yes or no.".to_owned());
                None
            }
        };
        let name_contains = self.name_contains.trim().to_owned();
        if name_contains.chars().count() > NAME_CONTAINS_MAX_CHARS {
            errors.name_contains = Some(format!(
                "Keep this to {NAME_CONTAINS_MAX_CHARS} characters."
            ));
        }
        let sort = match self.sort.as_str() {
            "" => Some(Sort::Name),
            other => Sort::parse(other),
        };
        let descending = match self.dir.as_str() {
            "" | "asc" => Some(false),
            "desc" => Some(true),
            _ => None,
        };
        let (sort, descending) = match (sort, descending) {
            (Some(sort), Some(descending)) => (sort, descending),
            _ => {
                errors.sort = Some("Pick a sort and a direction from the lists.".to_owned());
                (Sort::Name, false)
            }
        };
        let shared = match self.visibility.as_str() {
            "" | "private" => false,
            "shared" => true,
            _ => {
                errors.visibility = Some("Pick who can see this view.".to_owned());
                false
            }
        };
        let fields = CustomViewFields {
            name,
            shared,
            account_id: None,
            help_center_status,
            email_domain,
            created_from,
            created_until,
            has_open_tickets,
            name_contains: Some(name_contains).filter(|fragment| !fragment.is_empty()),
            sort: sort.as_str().to_owned(),
            descending,
        };
        (fields, errors)
    }
}

/// A domain such as acme.example: dot-separated labels of letters, digits and hyphens.
fn parse_domain(raw: &str) -> Result<Option<String>, &'static str> {
    let domain = raw.trim().to_lowercase();
    if domain.is_empty() {
        return Ok(None);
    }
    if domain.contains('@') {
        return Err("Enter only the domain, like acme.example, without the @.");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let valid = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if valid {
        Ok(Some(domain))
    } else {
        Err("Enter a domain like acme.example.")
    }
}

fn parse_date(raw: &str) -> Result<Option<NaiveDate>, ()> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match NaiveDate::parse_from_str(raw, DATE_FORMAT) {
        Ok(date) if (1..=9999).contains(&chrono::Datelike::year(&date)) => Ok(Some(date)),
        _ => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;

    use super::*;

    #[test]
    fn domains_need_two_labels_and_no_at_sign() {
        assert_eq!(
            parse_domain(" Acme.Example "),
            Ok(Some("acme.example".to_owned()))
        );
        assert_eq!(parse_domain(""), Ok(None));
        assert!(parse_domain("@acme.example").is_err());
        assert!(parse_domain("acme").is_err());
        assert!(parse_domain("acme..example").is_err());
        assert!(parse_domain("-acme.example").is_err());
        assert!(parse_domain("acme example.com").is_err());
    }

    #[test]
    fn the_last_day_is_included_and_shown_back_as_typed() {
        let form = ViewForm {
            name: "March".into(),
            created_from: "2026-03-01".into(),
            created_until: "2026-03-31".into(),
            ..ViewForm::for_new_view()
        };
        let (fields, errors) = form.parse();
        assert!(!errors.any());
        assert_eq!(
            fields.created_until,
            NaiveDate::from_ymd_opt(2026, 4, 1).map(|day| day.and_time(chrono::NaiveTime::MIN))
        );
        let view = CustomView {
            id: 1,
            agent_id: 1,
            name: fields.name.clone(),
            shared: fields.shared,
            account_id: None,
            help_center_status: None,
            email_domain: None,
            created_from: fields.created_from,
            created_until: fields.created_until,
            has_open_tickets: None,
            name_contains: None,
            sort: fields.sort.clone(),
            descending: false,
            created_at: NaiveDateTime::MIN,
            updated_at: NaiveDateTime::MIN,
        };
        let shown = ViewForm::of_view(&view, None);
        assert_eq!(shown.created_from, "2026-03-01");
        assert_eq!(shown.created_until, "2026-03-31");
    }
}
