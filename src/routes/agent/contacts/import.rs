//! Importing contacts from CSV: the upload form, the preview of every row, the confirmation,
//! and the result with the rejected rows to download.

use actix_multipart::Multipart;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use futures_util::StreamExt;

use super::table::format_count;
use crate::auth::guard::SignedInAgent;
use crate::contacts::import::rows::ContactImport;
use crate::contacts::import::{
    self, read_rejected, rejected_for_download, CheckedRow, FileError, ImportError, Preview,
    RejectedTable, MAX_FILE_BYTES,
};
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::{page, redirect_see_other};
use crate::state::AppState;

/// The preview shows this many rows of the file, to see that the columns were read right.
const SAMPLE_ROWS: usize = 100;
/// Beyond this many rejected rows, the pages point to the CSV download instead.
const REJECTED_SHOWN: usize = 1_000;

#[derive(Template)]
#[template(path = "agent/contacts/import.html")]
struct UploadPage {
    chrome: Chrome,
    error: Option<String>,
}

pub struct ReasonView {
    pub message: String,
    pub existing_contact: Option<i64>,
}

pub struct PreviewRow {
    pub line: u64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub account: String,
    pub reasons: Vec<ReasonView>,
}

impl PreviewRow {
    fn of(checked: &CheckedRow) -> PreviewRow {
        let row = &checked.row;
        PreviewRow {
            line: row.line,
            name: row.name.clone(),
            email: row.email.clone(),
            phone: row.phone.clone(),
            account: row.account.clone(),
            reasons: match &checked.outcome {
                Ok(_) => Vec::new(),
                Err(reasons) => reasons
                    .iter()
                    .map(|reason| ReasonView {
                        message: reason.message(),
                        existing_contact: reason.existing_contact(),
                    })
                    .collect(),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "agent/contacts/import_preview.html")]
struct PreviewPage {
    chrome: Chrome,
    upload_id: i64,
    file_name: String,
    total: String,
    valid: usize,
    valid_label: String,
    import_label: String,
    rejected_label: String,
    ignored_columns: Vec<String>,
    sample: Vec<PreviewRow>,
    more_rows: String,
    rejected: Vec<PreviewRow>,
    rejected_not_shown: String,
}

#[derive(Template)]
#[template(path = "agent/contacts/import_result.html")]
struct ResultPage {
    chrome: Chrome,
    import: ContactImport,
    summary: String,
    table: RejectedTable,
    not_shown_label: String,
}

fn counted(count: i64, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        format_count(count),
        if count == 1 { one } else { many }
    )
}

fn upload_page(
    agent: &SignedInAgent,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let body = UploadPage {
        chrome: agent.chrome("customers"),
        error,
    }
    .render()?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

pub async fn upload_form(agent: SignedInAgent) -> Result<HttpResponse, AppError> {
    upload_page(&agent, None, StatusCode::OK)
}

/// Why an upload went back to the form: what to tell the agent, with which status.
struct Refused(StatusCode, String);

impl From<FileError> for Refused {
    fn from(error: FileError) -> Self {
        let status = match error {
            FileError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Refused(status, error.to_string())
    }
}

/// The `file` part of the form: its name and its bytes, refused past the size limit.
async fn read_file_part(mut multipart: Multipart) -> Result<(String, Vec<u8>), Refused> {
    let unreadable = |_| {
        Refused(
            StatusCode::BAD_REQUEST,
            "The upload could not be read. Choose the file again and upload it.".to_owned(),
        )
    };
    while let Some(part) = multipart.next().await {
        let mut part = part.map_err(unreadable)?;
        if part.name() != Some("file") {
            continue;
        }
        let file_name = part
            .content_disposition()
            .and_then(|disposition| disposition.get_filename())
            .unwrap_or("")
            .to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                return Err(FileError::TooLarge.into());
            }
            bytes.extend_from_slice(&chunk);
        }
        if file_name.is_empty() && bytes.is_empty() {
            break;
        }
        return Ok((file_name, bytes));
    }
    Err(Refused(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Choose a CSV file to upload.".to_owned(),
    ))
}

pub async fn upload(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    let (file_name, bytes) = match read_file_part(multipart).await {
        Ok(file) => file,
        Err(Refused(status, message)) => return upload_page(&agent, Some(message), status),
    };
    let agent_id = agent.agent.id;
    let stored = state
        .db(
            move |conn| match import::store_upload(conn, agent_id, &file_name, &bytes) {
                Ok(upload_id) => Ok(Ok(upload_id)),
                Err(ImportError::File(error)) => Ok(Err(Refused::from(error))),
                Err(other) => Err(import_failure(other)),
            },
        )
        .await?;
    match stored {
        Ok(upload_id) => Ok(redirect_see_other(&format!("/contacts/import/{upload_id}"))),
        Err(Refused(status, message)) => upload_page(&agent, Some(message), status),
    }
}

fn import_failure(error: ImportError) -> AppError {
    match error {
        ImportError::UploadNotFound => AppError::NotFound,
        ImportError::File(error) => AppError::BadRequest(error.to_string()),
        ImportError::Conflict => AppError::BadRequest(
            "Another agent added a contact with one of these email addresses while the file was being imported. Nothing was imported; go back and confirm again to see the rows as they are now.".to_owned(),
        ),
        ImportError::Database(error) => AppError::Database(error),
        ImportError::RejectedRows(error) => AppError::Blocking(error.to_string()),
    }
}

pub async fn preview(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let upload_id = path.into_inner();
    let agent_id = agent.agent.id;
    let Preview {
        upload_id,
        file_name,
        file,
    } = state
        .db(move |conn| import::preview(conn, agent_id, upload_id).map_err(import_failure))
        .await?;
    let valid = file.valid_count();
    let rejected_count = file.rows.len() - valid;
    page(&PreviewPage {
        chrome: agent.chrome("customers"),
        upload_id,
        file_name,
        total: match file.rows.len() {
            1 => "1 row".to_owned(),
            rows => format!("{} rows", format_count(rows as i64)),
        },
        valid,
        valid_label: format_count(valid as i64),
        import_label: counted(valid as i64, "contact", "contacts"),
        rejected_label: format_count(rejected_count as i64),
        ignored_columns: file.ignored_columns.clone(),
        sample: file
            .rows
            .iter()
            .take(SAMPLE_ROWS)
            .map(PreviewRow::of)
            .collect(),
        more_rows: format_count(file.rows.len().saturating_sub(SAMPLE_ROWS) as i64),
        rejected: file
            .rejected()
            .take(REJECTED_SHOWN)
            .map(PreviewRow::of)
            .collect(),
        rejected_not_shown: format_count(rejected_count.saturating_sub(REJECTED_SHOWN) as i64),
    })
}

pub async fn confirm(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let upload_id = path.into_inner();
    let agent_id = agent.agent.id;
    let import_id = state
        .db(move |conn| import::confirm(conn, agent_id, upload_id).map_err(import_failure))
        .await?;
    Ok(redirect_see_other(&format!(
        "/contacts/imports/{import_id}"
    )))
}

async fn find_import(state: &AppState, import_id: i64) -> Result<ContactImport, AppError> {
    state
        .db(move |conn| ContactImport::find(conn, import_id)?.ok_or(AppError::NotFound))
        .await
}

pub async fn result(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let import = find_import(&state, path.into_inner()).await?;
    let table = read_rejected(&import.rejected_csv, REJECTED_SHOWN);
    page(&ResultPage {
        chrome: agent.chrome("customers"),
        summary: format!(
            "Imported {} · Rejected {}",
            counted(import.imported, "contact", "contacts"),
            counted(import.rejected, "row", "rows")
        ),
        not_shown_label: format_count(table.not_shown as i64),
        table,
        import,
    })
}

pub async fn rejected_csv(
    _agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let import = find_import(&state, path.into_inner()).await?;
    let body = rejected_for_download(&import.rejected_csv).map_err(|error| {
        AppError::Blocking(format!("the rejected rows could not be read: {error}"))
    })?;
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(format!(
            "rejected-rows-import-{}.csv",
            import.id
        ))],
    };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(disposition)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}
