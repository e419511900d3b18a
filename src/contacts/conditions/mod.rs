//! A custom view's conditions: rows of "field · operator · value" ("Created · in the last ·
//! 365 days"), matched all or any. Each is checked when it is built, so a condition held is
//! one its field can answer; views and bulk jobs keep them as JSON.

mod fields;
mod sql;
mod words;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::domain::ShownStatus;

pub use fields::{Field, Kind, Operator};
pub use sql::matching;
pub use words::{describe, Names};

/// What a condition compares with, as its field and operator need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// "is empty", "is not empty".
    Nothing,
    Text(String),
    /// An account's or an import's id.
    Id(i64),
    Status(ShownStatus),
    Day(NaiveDate),
    /// Whole days, for "in the last" and "more than … ago".
    Days(u32),
    /// Both days included.
    DayRange(NaiveDate, NaiveDate),
    Count(i64),
    Flag(bool),
}

/// One condition, its value fit for its field and operator (see `Condition::new`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredCondition", into = "StoredCondition")]
pub struct Condition {
    field: Field,
    operator: Operator,
    value: Value,
}

/// Why a row of the form is not a condition, said beside it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConditionError {
    #[error("Pick a field from the list.")]
    UnknownField,
    #[error("Pick what “{0}” should be: the operators listed for it.")]
    OperatorDoesNotFit(&'static str),
    #[error("Enter the value to compare with.")]
    MissingValue,
    #[error("Keep the value to {MAX_TEXT_CHARS} characters.")]
    TooLong,
    #[error("Enter a date as YYYY-MM-DD, like 2026-01-31.")]
    NotADate,
    #[error("Enter two dates as YYYY-MM-DD, the first on or before the second.")]
    NotTwoDates,
    #[error("Enter a whole number of days from 1 to {MAX_DAYS}.")]
    NotDays,
    #[error("Enter a whole number, 0 or more.")]
    NotACount,
    #[error("Pick a Help Center status from the list.")]
    NotAStatus,
    #[error("Enter yes or no.")]
    NotYesOrNo,
    #[error("There is no account called “{0}”. Pick one from the list.")]
    UnknownAccount(String),
    #[error("There is no import of that name. Pick one from the list.")]
    UnknownImport,
}

pub const MAX_TEXT_CHARS: usize = 200;
pub const MAX_DAYS: u32 = 36_500;

impl Condition {
    /// A condition from its parts, if the operator fits the field and the value both.
    pub fn new(
        field: Field,
        operator: Operator,
        value: Value,
    ) -> Result<Condition, ConditionError> {
        let kind = field.kind();
        if !operator.fits(kind) {
            return Err(ConditionError::OperatorDoesNotFit(field.label()));
        }
        let fits = match (&value, kind) {
            (Value::Nothing, _) => operator.takes_no_value(),
            _ if operator.takes_no_value() => false,
            (Value::Text(text), Kind::Text) => !text.is_empty(),
            (Value::Id(_), Kind::Reference) => true,
            (Value::Status(_), Kind::Status) => true,
            (Value::Flag(_), Kind::Flag) => true,
            (Value::Count(count), Kind::Count) => *count >= 0,
            (Value::Day(_), Kind::Date) => matches!(operator, Operator::Before | Operator::After),
            (Value::Days(days), Kind::Date) => {
                matches!(operator, Operator::InTheLast | Operator::MoreThanAgo)
                    && (1..=MAX_DAYS).contains(days)
            }
            (Value::DayRange(first, last), Kind::Date) => {
                operator == Operator::Between && first <= last
            }
            _ => false,
        };
        if fits {
            Ok(Condition {
                field,
                operator,
                value,
            })
        } else {
            Err(ConditionError::MissingValue)
        }
    }

    /// A condition from the text of a form's row or a stored one; accounts and imports come
    /// as ids (the form's names are looked up before, by `custom_views`).
    pub fn parse(
        field: Field,
        operator: Operator,
        value: &str,
        until: &str,
    ) -> Result<Condition, ConditionError> {
        if !operator.fits(field.kind()) {
            return Err(ConditionError::OperatorDoesNotFit(field.label()));
        }
        let value = value.trim();
        if operator.takes_no_value() {
            return Condition::new(field, operator, Value::Nothing);
        }
        if value.is_empty() {
            return Err(ConditionError::MissingValue);
        }
        let parsed = match field.kind() {
            Kind::Text if value.chars().count() > MAX_TEXT_CHARS => {
                return Err(ConditionError::TooLong)
            }
            Kind::Text => Value::Text(value.to_owned()),
            Kind::Reference => Value::Id(value.parse().map_err(|_| ConditionError::MissingValue)?),
            Kind::Status => Value::Status(parse_status(value).ok_or(ConditionError::NotAStatus)?),
            Kind::Flag => Value::Flag(parse_yes_no(value).ok_or(ConditionError::NotYesOrNo)?),
            Kind::Count => Value::Count(
                value
                    .parse()
                    .ok()
                    .filter(|count: &i64| *count >= 0)
                    .ok_or(ConditionError::NotACount)?,
            ),
            Kind::Date => match operator {
                Operator::InTheLast | Operator::MoreThanAgo => Value::Days(
                    value
                        .parse()
                        .ok()
                        .filter(|days| (1..=MAX_DAYS).contains(days))
                        .ok_or(ConditionError::NotDays)?,
                ),
                Operator::Between => {
                    let (Some(first), Some(last)) = (parse_day(value), parse_day(until)) else {
                        return Err(ConditionError::NotTwoDates);
                    };
                    if first > last {
                        return Err(ConditionError::NotTwoDates);
                    }
                    Value::DayRange(first, last)
                }
                _ => Value::Day(parse_day(value).ok_or(ConditionError::NotADate)?),
            },
        };
        Condition::new(field, operator, parsed)
    }

    pub fn field(&self) -> Field {
        self.field
    }

    pub fn operator(&self) -> Operator {
        self.operator
    }

    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The value as the form shows it (an account or import by id: the form names it) and the
    /// second date of "between".
    pub fn value_text(&self) -> (String, String) {
        match &self.value {
            Value::Nothing => (String::new(), String::new()),
            Value::Text(text) => (text.clone(), String::new()),
            Value::Id(id) => (id.to_string(), String::new()),
            Value::Status(status) => (status.label().to_owned(), String::new()),
            Value::Day(day) => (day.format(DAY_FORMAT).to_string(), String::new()),
            Value::Days(days) => (days.to_string(), String::new()),
            Value::DayRange(first, last) => (
                first.format(DAY_FORMAT).to_string(),
                last.format(DAY_FORMAT).to_string(),
            ),
            Value::Count(count) => (count.to_string(), String::new()),
            Value::Flag(true) => ("yes".to_owned(), String::new()),
            Value::Flag(false) => ("no".to_owned(), String::new()),
        }
    }
}

const DAY_FORMAT: &str = "%Y-%m-%d";

fn parse_day(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), DAY_FORMAT)
        .ok()
        .filter(|day| (1..=9999).contains(&chrono::Datelike::year(day)))
}

/// A status by its label ("Invitation expired") or its slug ("expired"), ignoring case.
fn parse_status(raw: &str) -> Option<ShownStatus> {
    ShownStatus::ALL.into_iter().find(|status| {
        status.label().eq_ignore_ascii_case(raw) || status.slug().eq_ignore_ascii_case(raw)
    })
}

fn parse_yes_no(raw: &str) -> Option<bool> {
    match raw.to_ascii_lowercase().as_str() {
        "yes" | "true" => Some(true),
        "no" | "false" => Some(false),
        _ => None,
    }
}

/// A condition as JSON keeps it: its parts as text, checked again when read.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredCondition {
    field: String,
    operator: String,
    #[serde(default)]
    value: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    until: String,
}

impl TryFrom<StoredCondition> for Condition {
    type Error = ConditionError;

    fn try_from(stored: StoredCondition) -> Result<Condition, ConditionError> {
        let field = Field::parse(&stored.field).ok_or(ConditionError::UnknownField)?;
        let operator = Operator::parse(&stored.operator)
            .ok_or(ConditionError::OperatorDoesNotFit(field.label()))?;
        // Stored statuses are slugs; the form's text is a label, both are read.
        Condition::parse(field, operator, &stored.value, &stored.until)
    }
}

impl From<Condition> for StoredCondition {
    fn from(condition: Condition) -> StoredCondition {
        let (value, until) = match &condition.value {
            Value::Status(status) => (status.slug().to_owned(), String::new()),
            _ => condition.value_text(),
        };
        StoredCondition {
            field: condition.field.slug().to_owned(),
            operator: condition.operator.slug().to_owned(),
            value,
            until,
        }
    }
}

/// The moment relative dates count back from ("in the last 7 days"), and the time zone whose
/// days they are.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub now: NaiveDateTime,
    pub zone: crate::domain::TimeZone,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        parse_day(text).unwrap()
    }

    #[test]
    fn operators_fit_their_fields() {
        assert!(Condition::parse(Field::Created, Operator::InTheLast, "365", "").is_ok());
        assert_eq!(
            Condition::parse(Field::Created, Operator::Contains, "x", ""),
            Err(ConditionError::OperatorDoesNotFit("Created"))
        );
        assert_eq!(
            Condition::parse(Field::Name, Operator::Before, "2026-01-01", ""),
            Err(ConditionError::OperatorDoesNotFit("Name"))
        );
        assert_eq!(
            Condition::parse(Field::OpenTickets, Operator::GreaterThan, "-1", ""),
            Err(ConditionError::NotACount)
        );
        assert_eq!(
            Condition::parse(Field::Created, Operator::InTheLast, "0", ""),
            Err(ConditionError::NotDays)
        );
        assert_eq!(
            Condition::parse(
                Field::Created,
                Operator::Between,
                "2026-03-31",
                "2026-03-01"
            ),
            Err(ConditionError::NotTwoDates)
        );
        assert_eq!(
            Condition::parse(Field::Name, Operator::Contains, "  ", ""),
            Err(ConditionError::MissingValue)
        );
        assert_eq!(
            Condition::parse(Field::LastInvited, Operator::IsEmpty, "ignored", "")
                .map(|condition| condition.value),
            Ok(Value::Nothing)
        );
    }

    #[test]
    fn statuses_are_read_by_label_or_slug() {
        for typed in ["Invitation expired", "invitation EXPIRED", "expired"] {
            assert_eq!(
                Condition::parse(Field::Status, Operator::Is, typed, "").map(|c| c.value),
                Ok(Value::Status(ShownStatus::Expired))
            );
        }
        assert_eq!(
            Condition::parse(Field::Status, Operator::Is, "pending", ""),
            Err(ConditionError::NotAStatus)
        );
    }

    #[test]
    fn conditions_keep_as_json_and_come_back_the_same() {
        let conditions = vec![
            Condition::parse(Field::Status, Operator::IsNot, "Activated", "").unwrap(),
            Condition::parse(
                Field::Created,
                Operator::Between,
                "2026-01-01",
                "2026-03-31",
            )
            .unwrap(),
            Condition::parse(Field::Account, Operator::Is, "12", "").unwrap(),
            Condition::parse(Field::Spam, Operator::Is, "no", "").unwrap(),
        ];
        let json = serde_json::to_string(&conditions).unwrap();
        assert!(json.contains(r#"{"field":"status","operator":"is_not","value":"activated"}"#));
        let back: Vec<Condition> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, conditions);
        assert_eq!(
            back[1].value,
            Value::DayRange(day("2026-01-01"), day("2026-03-31"))
        );
        let tampered = r#"[{"field":"created","operator":"contains","value":"x"}]"#;
        assert!(serde_json::from_str::<Vec<Condition>>(tampered).is_err());
    }
}
