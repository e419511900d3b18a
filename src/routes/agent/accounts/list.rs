//! The accounts list: by name, a page at a time, with each account's contact counts.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::accounts::{Account, AccountOrder, AccountPosition, AccountSort};
use crate::auth::guard::SignedInAgent;
use crate::error::AppError;
use crate::routes::agent::contacts::table::format_count;
use crate::routes::chrome::Chrome;
use crate::routes::page;
use crate::state::AppState;

const PAGE_SIZE: i64 = 50;
const SEARCH_MAX_CHARS: usize = 200;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    after: Option<String>,
    before: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
}

pub struct AccountRow {
    pub id: i64,
    pub name: String,
    pub contacts: String,
    pub activated: String,
    pub created_at: chrono::NaiveDateTime,
}

#[derive(Template)]
#[template(path = "agent/accounts/list.html")]
struct AccountsPage {
    chrome: Chrome,
    search: String,
    rows: Vec<AccountRow>,
    total_label: String,
    first_href: Option<String>,
    previous_href: Option<String>,
    next_href: Option<String>,
    by_name: SortLink,
    by_created: SortLink,
}

/// A column header's link: sorting by it, or flipping it if the list is sorted by it now.
pub struct SortLink {
    pub href: String,
    /// "sort-asc", "sort-desc" or "" for a column the list is not sorted by.
    pub class: &'static str,
}

fn sort_link(search: Option<&str>, order: AccountOrder, sort: AccountSort) -> SortLink {
    let current = order.sort == sort;
    let flipped = AccountOrder {
        sort,
        descending: current && !order.descending,
    };
    SortLink {
        href: href(search, flipped, None),
        class: match (current, order.descending) {
            (true, false) => "sort-asc",
            (true, true) => "sort-desc",
            (false, _) => "",
        },
    }
}

fn href(search: Option<&str>, order: AccountOrder, position: Option<(&str, String)>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(search) = search {
        query.append_pair("q", search);
    }
    if order.sort != AccountSort::Name {
        query.append_pair("sort", order.sort.as_str());
    }
    if order.descending {
        query.append_pair("dir", "desc");
    }
    if let Some((key, value)) = position {
        query.append_pair(key, &value);
    }
    let query = query.finish();
    if query.is_empty() {
        "/accounts".to_owned()
    } else {
        format!("/accounts?{query}")
    }
}

pub async fn list(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let search = query
        .q
        .map(|q| q.trim().to_owned())
        .filter(|q| !q.is_empty());
    if search
        .as_ref()
        .is_some_and(|q| q.chars().count() > SEARCH_MAX_CHARS)
    {
        return Err(AppError::BadRequest(format!(
            "Search for at most {SEARCH_MAX_CHARS} characters."
        )));
    }
    let stale_link = || {
        AppError::BadRequest(
            "This page link is out of date. Start again from the first page.".to_owned(),
        )
    };
    let (position, backward) = match (query.after, query.before) {
        (Some(after), None) => (
            Some(AccountPosition::decode(&after).ok_or_else(stale_link)?),
            false,
        ),
        (None, Some(before)) => (
            Some(AccountPosition::decode(&before).ok_or_else(stale_link)?),
            true,
        ),
        (None, None) => (None, false),
        (Some(_), Some(_)) => return Err(stale_link()),
    };
    let order = AccountOrder {
        sort: match query.sort.as_deref() {
            None | Some("") => AccountSort::Name,
            Some(other) => AccountSort::parse(other).ok_or_else(|| {
                AppError::BadRequest(format!("Accounts cannot be sorted by “{other}”."))
            })?,
        },
        descending: query.dir.as_deref() == Some("desc"),
    };
    let on_first_page = position.is_none();
    let wanted = search.clone();
    let (total, found, counts) = state
        .db(move |conn| {
            let search = wanted.as_deref();
            let total = Account::count_matching(conn, search)?;
            let found = Account::page(conn, search, order, position.as_ref(), backward, PAGE_SIZE)?;
            let ids: Vec<i64> = found.accounts.iter().map(|account| account.id).collect();
            let counts = Account::contact_counts(conn, &ids)?;
            Ok((total, found, counts))
        })
        .await?;
    let search_ref = search.as_deref();
    let rows = found
        .accounts
        .into_iter()
        .map(|account| {
            let counts = counts.get(&account.id).copied().unwrap_or_default();
            AccountRow {
                id: account.id,
                contacts: format_count(counts.contacts),
                activated: format_count(counts.activated),
                created_at: account.created_at,
                name: account.name,
            }
        })
        .collect();
    page(&AccountsPage {
        chrome: agent.chrome("customers"),
        total_label: match total {
            1 => "1 account".to_owned(),
            total => format!("{} accounts", format_count(total)),
        },
        rows,
        first_href: (!on_first_page).then(|| href(search_ref, order, None)),
        previous_href: found
            .previous
            .map(|position| href(search_ref, order, Some(("before", position.encode())))),
        next_href: found
            .next
            .map(|position| href(search_ref, order, Some(("after", position.encode())))),
        by_name: sort_link(search_ref, order, AccountSort::Name),
        by_created: sort_link(search_ref, order, AccountSort::Created),
        search: search.unwrap_or_default(),
    })
}

#[derive(Debug, Deserialize)]
pub struct NamesQuery {
    #[serde(default)]
    q: String,
}

/// Account names holding what the agent typed, as JSON, for the action bar's suggestions.
pub async fn names(
    _agent: SignedInAgent,
    state: web::Data<AppState>,
    query: web::Query<NamesQuery>,
) -> Result<HttpResponse, AppError> {
    let term: String = query
        .into_inner()
        .q
        .chars()
        .take(SEARCH_MAX_CHARS)
        .collect();
    let names = state
        .db(move |conn| Ok(Account::names_holding(conn, &term, 20)?))
        .await?;
    Ok(HttpResponse::Ok().json(names))
}
