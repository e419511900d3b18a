//! The filter a view's conditions make over the contacts: each condition a test on one
//! column (or one subquery: a contact's activation, its tickets), joined by AND or OR.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::{Clock, Condition, Field, Kind, Operator, Value};
use crate::db::literal::CodeSql;
use crate::db::schema::contacts;
use crate::db::{Backend, DbConnection};
use crate::domain::folded;

type Db = <DbConnection as Connection>::Backend;

/// The contacts matching every condition, or any one when `match_any`; `None` without
/// conditions.
pub fn matching(
    backend: Backend,
    conditions: &[Condition],
    match_any: bool,
    clock: Clock,
) -> Option<Box<dyn BoxableExpression<contacts::table, Db, SqlType = Bool>>> {
    let joiner = if match_any { " OR " } else { " AND " };
    let mut tests = conditions
        .iter()
        .map(|condition| test(backend, condition, clock));
    let first = tests.next()?;
    let joined = tests.fold(CodeSql::<Bool>::new("((").then(first), |sql, next| {
        sql.code(format!("){joiner}(")).then(next)
    });
    Some(Box::new(joined.code("))")))
}

fn test(backend: Backend, condition: &Condition, clock: Clock) -> CodeSql<Bool> {
    match condition.field.kind() {
        Kind::Text => text_test(backend, condition),
        Kind::Reference => reference_test(condition),
        Kind::Status => status_test(backend, condition, clock),
        Kind::Date => date_test(backend, condition, clock),
        Kind::Count => count_test(condition),
        Kind::Flag => flag_test(backend, condition),
    }
}

/// Text compares ignoring case, and names ignoring accents too, as the search does.
fn text_test(backend: Backend, condition: &Condition) -> CodeSql<Bool> {
    let column = match (condition.field, backend) {
        (Field::Name, _) => "contacts.name_sort",
        (Field::Email, _) => "contacts.email",
        (Field::EmailDomain, Backend::Sqlite) => {
            "substr(contacts.email, instr(contacts.email, '@') + 1)"
        }
        (Field::EmailDomain, Backend::Postgres) => "split_part(contacts.email, '@', 2)",
        _ => "lower(contacts.phone)",
    };
    let value = match &condition.value {
        Value::Text(text) if condition.field == Field::Name => folded(text),
        Value::Text(text) if condition.field == Field::EmailDomain => {
            text.trim_start_matches('@').to_lowercase()
        }
        Value::Text(text) => text.to_lowercase(),
        _ => String::new(),
    };
    let position = match backend {
        Backend::Sqlite => "instr",
        Backend::Postgres => "strpos",
    };
    match condition.operator {
        Operator::Is => CodeSql::new(format!("{column} = ")).text(value),
        Operator::IsNot => CodeSql::new(format!("({column} IS NULL OR {column} <> "))
            .text(value)
            .code(")"),
        Operator::Contains => CodeSql::new(format!("{position}({column}, "))
            .text(value)
            .code(") > 0"),
        Operator::DoesNotContain => {
            CodeSql::new(format!("({column} IS NULL OR {position}({column}, "))
                .text(value)
                .code(") = 0)")
        }
        Operator::StartsWith => {
            let length = value.chars().count();
            CodeSql::new(format!("substr({column}, 1, {length}) = ")).text(value)
        }
        Operator::IsEmpty => CodeSql::new(format!("({column} IS NULL OR {column} = '')")),
        _ => CodeSql::new(format!("({column} IS NOT NULL AND {column} <> '')")),
    }
}

fn reference_test(condition: &Condition) -> CodeSql<Bool> {
    let column = match condition.field {
        Field::Account => "contacts.account_id",
        _ => "contacts.import_id",
    };
    match (condition.operator, &condition.value) {
        (Operator::Is, Value::Id(id)) => CodeSql::new(format!("{column} = {id}")),
        (Operator::IsNot, Value::Id(id)) => {
            CodeSql::new(format!("({column} IS NULL OR {column} <> {id})"))
        }
        (Operator::IsEmpty, _) => CodeSql::new(format!("{column} IS NULL")),
        _ => CodeSql::new(format!("{column} IS NOT NULL")),
    }
}

/// As the list shows it: an invitation past its expiry is "Invitation expired".
fn status_test(backend: Backend, condition: &Condition, clock: Clock) -> CodeSql<Bool> {
    let Value::Status(status) = condition.value else {
        return CodeSql::new("FALSE");
    };
    let stored = status.stored().as_str();
    let mut holds = CodeSql::new(format!("(contacts.help_center_status = '{stored}'"));
    holds = match status {
        crate::domain::ShownStatus::Invited => holds
            .code(" AND contacts.invitation_expires_at > ")
            .then(timestamp(backend, clock.now)),
        crate::domain::ShownStatus::Expired => holds
            .code(" AND contacts.invitation_expires_at <= ")
            .then(timestamp(backend, clock.now)),
        _ => holds,
    };
    holds = holds.code(")");
    match condition.operator {
        Operator::Is => holds,
        _ => CodeSql::new("NOT coalesce(").then(holds).code(", FALSE)"),
    }
}

/// Days are the agent's: "in the last 7 days" is today and the six days before, in their time
/// zone; "more than 7 days ago" is every day before those.
fn date_test(backend: Backend, condition: &Condition, clock: Clock) -> CodeSql<Bool> {
    let column = match condition.field {
        Field::Created => "contacts.created_at",
        Field::Updated => "contacts.updated_at",
        Field::LastInvited => "contacts.last_invited_at",
        Field::InvitationExpires => "contacts.invitation_expires_at",
        Field::Activated => {
            "(SELECT portal_accounts.activated_at FROM portal_accounts \
             WHERE portal_accounts.contact_id = contacts.id)"
        }
        _ => {
            "(SELECT max(tickets.created_at) FROM tickets \
             WHERE tickets.contact_id = contacts.id)"
        }
    };
    let start = |day: NaiveDate| timestamp(backend, clock.zone.start_of_day(day));
    let today = clock.zone.day_of(clock.now);
    let first_recent_day = |days: u32| today - Duration::days(i64::from(days) - 1);
    match (condition.operator, &condition.value) {
        (Operator::Before, Value::Day(day)) => {
            CodeSql::new(format!("{column} < ")).then(start(*day))
        }
        (Operator::After, Value::Day(day)) => {
            CodeSql::new(format!("{column} >= ")).then(start(*day + Duration::days(1)))
        }
        (Operator::Between, Value::DayRange(first, last)) => CodeSql::new(format!("({column} >= "))
            .then(start(*first))
            .code(format!(" AND {column} < "))
            .then(start(*last + Duration::days(1)))
            .code(")"),
        (Operator::InTheLast, Value::Days(days)) => CodeSql::new(format!("({column} >= "))
            .then(start(first_recent_day(*days)))
            .code(format!(" AND {column} <= "))
            .then(timestamp(backend, clock.now))
            .code(")"),
        (Operator::MoreThanAgo, Value::Days(days)) => {
            CodeSql::new(format!("{column} < ")).then(start(first_recent_day(*days)))
        }
        (Operator::IsEmpty, _) => CodeSql::new(format!("{column} IS NULL")),
        _ => CodeSql::new(format!("{column} IS NOT NULL")),
    }
}

fn count_test(condition: &Condition) -> CodeSql<Bool> {
    let Value::Count(count) = condition.value else {
        return CodeSql::new("FALSE");
    };
    let comparison = match condition.operator {
        Operator::Equals => "=",
        Operator::NotEquals => "<>",
        Operator::LessThan => "<",
        _ => ">",
    };
    CodeSql::new(format!(
        "(SELECT count(*) FROM tickets WHERE tickets.contact_id = contacts.id \
         AND tickets.status = 'open') {comparison} {count}"
    ))
}

fn flag_test(backend: Backend, condition: &Condition) -> CodeSql<Bool> {
    let Value::Flag(wanted) = condition.value else {
        return CodeSql::new("FALSE");
    };
    let wanted = wanted == (condition.operator == Operator::Is);
    let literal = match (backend, wanted) {
        (Backend::Sqlite, true) => "1",
        (Backend::Sqlite, false) => "0",
        (Backend::Postgres, true) => "true",
        (Backend::Postgres, false) => "false",
    };
    CodeSql::new(format!("contacts.is_spam = {literal}"))
}

/// A moment bound as the stored text (SQLite keeps timestamps as text in diesel's format,
/// which sorts as time does) or cast to a timestamp (PostgreSQL).
fn timestamp(backend: Backend, at: NaiveDateTime) -> CodeSql<Bool> {
    let text = at.format("%Y-%m-%d %H:%M:%S%.f").to_string();
    match backend {
        Backend::Sqlite => CodeSql::new("").text(text),
        Backend::Postgres => CodeSql::new("CAST(").text(text).code(" AS TIMESTAMP)"),
    }
}
