//! A view of the contacts list as a CSV download, streamed a keyset page at a time so a view
//! of a million contacts never sits in memory at once.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::Bytes;
use actix_web::{web, HttpResponse};
use futures_util::stream;

use super::list::resolve_view;
use super::params::{ListParams, RawListParams};
use crate::auth::guard::SignedInAgent;
use crate::contacts::{ListRequest, ViewCounts};
use crate::db::{now, DbConnection};
use crate::domain::spreadsheet_safe;
use crate::error::AppError;
use crate::state::AppState;

const EXPORT_PAGE_SIZE: i64 = 1_000;
const COLUMNS: [&str; 6] = [
    "name",
    "email",
    "phone",
    "account",
    "help_center_status",
    "created_at",
];

pub async fn export(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    query: web::Query<RawListParams>,
) -> Result<HttpResponse, AppError> {
    let raw = query.into_inner();
    let sort_given = raw.sort.is_some();
    // The whole view, whichever page the list was on.
    let mut params = ListParams::parse(RawListParams {
        after: None,
        before: None,
        per_page: None,
        ..raw
    })?;
    let agent_id = agent.agent.id;
    let zone = agent.agent.zone();
    let file_name = format!(
        "contacts-{}-{}.csv",
        params.view_slug(),
        now().format("%Y-%m-%d")
    );
    let first = state
        .db(move |conn| {
            let now = now();
            let (criteria, _title, custom) = resolve_view(conn, &params, agent_id, zone, now)?;
            if let (Some(view), false) = (&custom, sort_given) {
                params.sort = view.sort();
                params.descending = view.descending;
            }
            // A search matching more than the list's cap is read chunk by chunk as the list
            // reads a broad search's pages. Started from the search index's matches, every
            // chunk of 1,000 read every match: a search held by all of 1M contacts would read
            // a million rows a thousand times.
            let broad_search = match params.search.as_deref() {
                Some(term) => ViewCounts::read(conn, now)?
                    .count(conn, &criteria, Some(term), now)?
                    .exceeds_cap(),
                None => false,
            };
            Ok(ListRequest {
                criteria,
                search: params.search.clone(),
                sort: params.sort,
                descending: params.descending,
                cursor: None,
                backward: false,
                page_size: EXPORT_PAGE_SIZE,
                now,
                broad_search,
                only_ids: None,
            })
        })
        .await?;
    let chunks = stream::unfold(Some((first, true)), move |next| {
        let state = state.clone();
        async move {
            let (request, with_header) = next?;
            match state
                .db(move |conn| chunk(conn, request, with_header))
                .await
            {
                Ok((bytes, following)) => Some((Ok(bytes), following.map(|req| (req, false)))),
                // The status line is already sent: cutting the response short is the only way
                // left to tell the browser the file is incomplete.
                Err(error) => {
                    tracing::error!(%error, "contacts export failed part-way");
                    Some((Err(std::io::Error::other(error.to_string())), None))
                }
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(file_name)],
        })
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(chunks))
}

/// One page of the view as CSV lines, and the request for the page after it, if any.
fn chunk(
    conn: &mut DbConnection,
    request: ListRequest,
    with_header: bool,
) -> Result<(Bytes, Option<ListRequest>), AppError> {
    let page = request.page(conn)?;
    let next = page.next.clone().map(|cursor| ListRequest {
        cursor: Some(cursor),
        ..request.clone()
    });
    // A byte-order mark first, so Excel reads the file as UTF-8 ("Côté", not "CÃ´tÃ©").
    let start = if with_header {
        "\u{feff}".as_bytes().to_vec()
    } else {
        Vec::new()
    };
    let mut writer = csv::Writer::from_writer(start);
    let failed = |error: csv::Error| AppError::Blocking(format!("could not write CSV: {error}"));
    if with_header {
        writer.write_record(COLUMNS).map_err(failed)?;
    }
    for row in page.rows {
        let contact = &row.contact;
        writer
            .write_record([
                spreadsheet_safe(&contact.name),
                spreadsheet_safe(contact.email.as_deref().unwrap_or("")),
                spreadsheet_safe(contact.phone.as_deref().unwrap_or("")),
                spreadsheet_safe(row.account_name.as_deref().unwrap_or("")),
                contact.shown_status(request.now).slug().to_owned(),
                contact.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            ])
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| failed(csv::Error::from(error.into_error())))?;
    Ok((Bytes::from(bytes), next))
}
