use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::guard::SignedInAgent;
use crate::db::models::contact::{Contact, ContactRow, NameCursor};
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::page;
use crate::state::AppState;

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "agent/contacts/list.html")]
struct ContactsPage {
    chrome: Chrome,
    rows: Vec<ContactRow>,
    total: i64,
    next_page: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    after_name: Option<String>,
    after_id: Option<i64>,
}

pub async fn list(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let ListQuery {
        after_name,
        after_id,
    } = query.into_inner();
    let cursor = after_name
        .zip(after_id)
        .map(|(name, id)| NameCursor { name, id });
    let (rows, total) = state
        .db(move |conn| {
            let rows = Contact::page_by_name(conn, cursor.as_ref(), PAGE_SIZE + 1)?;
            Ok((rows, Contact::count_listed(conn)?))
        })
        .await?;
    let mut rows = rows;
    let next_page = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|last| {
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("after_name", &last.contact.name)
                .append_pair("after_id", &last.contact.id.to_string())
                .finish();
            format!("/contacts?{query}")
        })
    } else {
        None
    };
    page(&ContactsPage {
        chrome: agent.chrome("customers"),
        rows,
        total,
        next_page,
    })
}
