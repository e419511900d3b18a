//! Importing contacts from a CSV file, in two steps: the upload is kept and previewed, then the
//! agent confirms and every valid row goes in at once, checked again against the database as
//! it is then.

mod checks;
mod csv_file;
mod rejected;
pub mod rows;
pub mod upload;

use chrono::Duration;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::Bool;

use super::{new_contact, refresh_duplicate_flags, DuplicateKeys};
use crate::audit::{self, Actor};
use crate::contacts::import::rows::NewContactImport;
use crate::contacts::import::upload::{ImportUpload, NewImportUpload};
use crate::contacts::{Contact, NewContact};
use crate::db::schema::contacts;
use crate::db::{now, write_transaction, DbConnection};

pub use checks::{CheckedFile, CheckedRow, Reason};
pub use csv_file::{FileError, MAX_FILE_BYTES, MAX_ROWS};
pub use rejected::{for_download as rejected_for_download, read as read_rejected, RejectedTable};

/// Contacts go into the database this many per INSERT.
const INSERT_BATCH: usize = 1_000;
/// Uploads nobody confirmed are forgotten after this long.
const UPLOAD_KEPT_HOURS: i64 = 24;
const FILE_NAME_MAX_CHARS: usize = 200;
/// Whether a contact shares an address, or a name and phone, with another live contact; each
/// half is one index look-up.
const SHARES_A_DUPLICATE_KEY: &str = "(EXISTS (SELECT 1 FROM contacts AS other \
    WHERE other.id <> contacts.id AND other.deleted_at IS NULL \
    AND other.email_normalized = contacts.email_normalized) \
    OR EXISTS (SELECT 1 FROM contacts AS other \
    WHERE other.id <> contacts.id AND other.deleted_at IS NULL AND other.phone IS NOT NULL \
    AND other.name = contacts.name AND other.phone = contacts.phone))";

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("upload not found")]
    UploadNotFound,
    #[error("a contact with one of these email addresses was added while the file was imported")]
    Conflict,
    #[error("could not write the rejected rows: {0}")]
    RejectedRows(#[from] csv::Error),
    #[error(transparent)]
    Database(DieselError),
}

impl From<DieselError> for ImportError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ImportError::Conflict
            }
            other => ImportError::Database(other),
        }
    }
}

/// An upload, checked row by row, for the agent to look over before confirming.
#[derive(Debug, Clone)]
pub struct Preview {
    pub upload_id: i64,
    pub file_name: String,
    pub file: CheckedFile,
}

/// Keeps an uploaded file for its preview if it can be read at all; returns the upload's id.
pub fn store_upload(
    conn: &mut DbConnection,
    agent_id: i64,
    file_name: &str,
    bytes: &[u8],
) -> Result<i64, ImportError> {
    let text = csv_file::decode(bytes)?;
    csv_file::read(text)?;
    let file_name = clean_file_name(file_name);
    let created_at = now();
    write_transaction(conn, |conn| {
        ImportUpload::delete_older_than(conn, created_at - Duration::hours(UPLOAD_KEPT_HOURS))?;
        Ok(NewImportUpload {
            agent_id,
            file_name: &file_name,
            contents: text,
            created_at,
        }
        .insert(conn)?)
    })
}

pub fn preview(
    conn: &mut DbConnection,
    agent_id: i64,
    upload_id: i64,
) -> Result<Preview, ImportError> {
    let upload = ImportUpload::find_for_agent(conn, upload_id, agent_id)?
        .ok_or(ImportError::UploadNotFound)?;
    let file = checks::check(conn, csv_file::read(&upload.contents)?)?;
    Ok(Preview {
        upload_id: upload.id,
        file_name: upload.file_name,
        file,
    })
}

/// Imports every row that is valid now, in one transaction; returns the import's id.
pub fn confirm(conn: &mut DbConnection, agent_id: i64, upload_id: i64) -> Result<i64, ImportError> {
    write_transaction(conn, |conn| {
        let upload = ImportUpload::find_for_agent(conn, upload_id, agent_id)?
            .ok_or(ImportError::UploadNotFound)?;
        let file = checks::check(conn, csv_file::read(&upload.contents)?)?;
        let imported = file.valid_count();
        let rejected = file.rows.len() - imported;
        let import_id = NewContactImport {
            agent_id: Some(agent_id),
            file_name: &upload.file_name,
            imported: imported as i64,
            rejected: rejected as i64,
            rejected_csv: &rejected::write(&file)?,
            created_at: now(),
        }
        .insert(conn)?;
        let new_contacts: Vec<NewContact> = file
            .rows
            .iter()
            .filter_map(|checked| checked.outcome.as_ref().ok())
            .map(|valid| new_contact(&valid.draft, valid.account_id, Some(import_id)))
            .collect();
        for batch in new_contacts.chunks(INSERT_BATCH) {
            NewContact::insert_many(conn, batch)?;
        }
        let keys = colliding_keys(conn, import_id)?;
        refresh_duplicate_flags(conn, &keys)?;
        audit::record(
            conn,
            Actor::Agent(agent_id),
            "contacts.imported",
            ("contact_import", Some(import_id)),
            &format!(
                "{}: {imported} imported, {rejected} rejected",
                upload.file_name
            ),
        )?;
        ImportUpload::delete(conn, upload.id)?;
        Ok(import_id)
    })
}

/// The keys of the imported contacts that another live contact shares. Only these can start
/// a duplicate group, so recomputing flags for them alone is exact, and a 50,000-row import
/// of new people costs one query instead of a look-up per row.
fn colliding_keys(conn: &mut DbConnection, import_id: i64) -> QueryResult<Vec<DuplicateKeys>> {
    let colliding: Vec<Contact> = contacts::table
        .filter(contacts::import_id.eq(import_id))
        .filter(sql::<Bool>(SHARES_A_DUPLICATE_KEY))
        .select(Contact::as_select())
        .load(conn)?;
    Ok(colliding.iter().map(DuplicateKeys::of).collect())
}

/// The name as the agent's computer called it, without any folders, for the pages.
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(FILE_NAME_MAX_CHARS)
        .collect();
    if cleaned.is_empty() {
        "upload.csv".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_folders() {
        assert_eq!(
            clean_file_name("C:\\Users\\ada\\contacts.csv"),
            "contacts.csv"
        );
        assert_eq!(clean_file_name("/tmp/x/list.csv"), "list.csv");
        assert_eq!(clean_file_name("  "), "upload.csv");
    }
}
