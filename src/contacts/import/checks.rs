//! Checking each row of a file against the rules and the database: which rows can become
//! contacts, and why the others cannot.

use std::collections::HashMap;

use diesel::prelude::*;

use super::csv_file::{CsvFile, CsvRow};
use crate::accounts::Account;
use crate::db::schema::contacts;
use crate::db::DbConnection;
use crate::domain::{ContactDraft, ContactFieldErrors};

/// Why a row cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    MissingName,
    InvalidName(String),
    InvalidEmail(String),
    InvalidPhone(String),
    UnknownAccount(String),
    DuplicateOfContact { contact_id: i64, email: String },
    DuplicateOfLine { line: u64, email: String },
}

impl Reason {
    pub fn message(&self) -> String {
        match self {
            Reason::MissingName => "Missing name.".to_owned(),
            Reason::InvalidName(message) | Reason::InvalidEmail(message) => message.clone(),
            Reason::InvalidPhone(phone) => format!(
                "“{phone}” is not a valid phone number: use digits, spaces and + - ( ) only."
            ),
            Reason::UnknownAccount(name) => format!("There is no account called “{name}”."),
            Reason::DuplicateOfContact { email, .. } => {
                format!("Duplicate of an existing contact with the email {email}.")
            }
            Reason::DuplicateOfLine { line, email } => {
                format!("Duplicate of line {line}: the same email {email}.")
            }
        }
    }

    /// The existing contact this row duplicates, to link to.
    pub fn existing_contact(&self) -> Option<i64> {
        match self {
            Reason::DuplicateOfContact { contact_id, .. } => Some(*contact_id),
            _ => None,
        }
    }

    fn of_fields(row: &CsvRow, errors: ContactFieldErrors) -> Vec<Reason> {
        let mut reasons = Vec::new();
        if let Some(message) = errors.name {
            reasons.push(if row.name.is_empty() {
                Reason::MissingName
            } else {
                Reason::InvalidName(message)
            });
        }
        if let Some(message) = errors.email {
            reasons.push(Reason::InvalidEmail(message));
        }
        if errors.phone.is_some() {
            reasons.push(Reason::InvalidPhone(row.phone.clone()));
        }
        reasons
    }
}

/// A row ready to become a contact.
#[derive(Debug, Clone)]
pub struct ValidRow {
    pub draft: ContactDraft,
    pub account_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct CheckedRow {
    pub row: CsvRow,
    pub outcome: Result<ValidRow, Vec<Reason>>,
}

impl CheckedRow {
    pub fn reason_summary(&self) -> String {
        match &self.outcome {
            Ok(_) => String::new(),
            Err(reasons) => reasons
                .iter()
                .map(Reason::message)
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

#[derive(Debug, Clone)]
pub struct CheckedFile {
    pub headers: Vec<String>,
    pub ignored_columns: Vec<String>,
    pub rows: Vec<CheckedRow>,
}

impl CheckedFile {
    pub fn valid_count(&self) -> usize {
        self.rows.iter().filter(|row| row.outcome.is_ok()).count()
    }

    pub fn rejected(&self) -> impl Iterator<Item = &CheckedRow> {
        self.rows.iter().filter(|row| row.outcome.is_err())
    }
}

/// Account names resolved once per distinct name, ignoring case.
struct AccountCache(HashMap<String, Option<i64>>);

impl AccountCache {
    fn id_of(&mut self, conn: &mut DbConnection, name: &str) -> QueryResult<Option<i64>> {
        let key = name.trim().to_lowercase();
        if let Some(found) = self.0.get(&key) {
            return Ok(*found);
        }
        let found = Account::find_by_name(conn, &key)?.map(|account| account.id);
        self.0.insert(key, found);
        Ok(found)
    }
}

/// The live contacts holding any of these (lowercase) addresses, by address.
fn live_contacts_by_email(
    conn: &mut DbConnection,
    emails: &[&str],
) -> QueryResult<HashMap<String, i64>> {
    let mut found = HashMap::new();
    for chunk in emails.chunks(500) {
        let rows: Vec<(Option<String>, i64)> = contacts::table
            .filter(contacts::email.eq_any(chunk))
            .filter(contacts::deleted_at.is_null())
            .select((contacts::email, contacts::id))
            .load(conn)?;
        found.extend(
            rows.into_iter()
                .filter_map(|(email, id)| Some((email?, id))),
        );
    }
    Ok(found)
}

pub fn check(conn: &mut DbConnection, file: CsvFile) -> QueryResult<CheckedFile> {
    let drafts: Vec<Result<ContactDraft, ContactFieldErrors>> = file
        .rows
        .iter()
        .map(|row| ContactDraft::parse(&row.name, &row.email, &row.phone))
        .collect();
    let emails: Vec<&str> = drafts
        .iter()
        .filter_map(|draft| draft.as_ref().ok()?.email.as_ref())
        .map(|email| email.as_str())
        .collect();
    let existing = live_contacts_by_email(conn, &emails)?;
    let mut accounts = AccountCache(HashMap::new());
    let mut first_line_of_email: HashMap<String, u64> = HashMap::new();
    let mut rows = Vec::with_capacity(file.rows.len());
    for (row, draft) in file.rows.into_iter().zip(drafts) {
        // Field errors come first: they are what the agent fixes in the file.
        let (draft, mut reasons) = match draft {
            Ok(draft) => (Some(draft), Vec::new()),
            Err(errors) => (None, Reason::of_fields(&row, errors)),
        };
        let account_id = match row.account.as_str() {
            "" => None,
            name => {
                let found = accounts.id_of(conn, name)?;
                if found.is_none() {
                    reasons.push(Reason::UnknownAccount(name.to_owned()));
                }
                found
            }
        };
        if let Some(email) = draft.as_ref().and_then(|draft| draft.email.as_ref()) {
            let email = email.as_str().to_owned();
            if let Some(contact_id) = existing.get(&email) {
                reasons.push(Reason::DuplicateOfContact {
                    contact_id: *contact_id,
                    email: email.clone(),
                });
            }
            match first_line_of_email.get(&email) {
                Some(line) => reasons.push(Reason::DuplicateOfLine { line: *line, email }),
                None => {
                    first_line_of_email.insert(email, row.line);
                }
            }
        }
        let outcome = match (draft, reasons.is_empty()) {
            (Some(draft), true) => Ok(ValidRow { draft, account_id }),
            _ => Err(reasons),
        };
        rows.push(CheckedRow { row, outcome });
    }
    Ok(CheckedFile {
        headers: file.headers,
        ignored_columns: file.ignored_columns,
        rows,
    })
}
