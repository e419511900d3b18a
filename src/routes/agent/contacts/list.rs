use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;

use super::params::{ListParams, RawListParams, ViewChoice};
use super::table::{format_count, total_label, Cell, ContactTable, KeptBar, Shown};
use crate::agents::Agent;
use crate::auth::guard::{shows_a_page, tell_of_finished_jobs, AgentSession, SignedInAgent};
use crate::auth::sessions;
use crate::contacts::custom_views::CustomView;
use crate::contacts::import::rows::ContactImport;
use crate::contacts::views::StandardView;
use crate::contacts::{
    matching_ids_up_to_cap, search_is_unindexed, search_term_looks_rare, Criteria, ListRequest,
    Page, ViewCounts, ViewTotal,
};
use crate::db::{self, backend_of, now, DbConnection};
use crate::domain::TimeZone;
use crate::error::AppError;
use crate::jobs::{self, BulkJob};
use crate::routes::agent::invitations::new_submission_key;
use crate::routes::chrome::Chrome;
use crate::routes::{page, page_with_status};
use crate::state::AppState;

pub struct SidebarLink {
    pub label: String,
    pub href: String,
    pub count: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "agent/contacts/list.html")]
struct ContactsPage<'a> {
    chrome: Chrome,
    submission_key: String,
    title: &'a str,
    views: &'a [SidebarLink],
    custom_views: &'a [SidebarLink],
    search: &'a str,
    selection: &'a [(&'static str, String)],
    table: &'a ContactTable,
    /// The custom view shown: Duplicate offered on it, and Edit when it is the agent's.
    custom_view: Option<i64>,
    editable_custom_view: Option<i64>,
    /// A custom view's conditions in one line, under its title.
    view_conditions: Option<&'a str>,
    reviewing_duplicates: bool,
    export_href: &'a str,
    running_jobs: i64,
}

/// What the Contacts list shows, apart from the page's chrome and form keys.
struct ContactsListing {
    agent: Agent,
    title: String,
    views: Vec<SidebarLink>,
    custom_views: Vec<SidebarLink>,
    search: String,
    selection: Vec<(&'static str, String)>,
    table: ContactTable,
    custom_view: Option<i64>,
    editable_custom_view: Option<i64>,
    view_conditions: Option<String>,
    reviewing_duplicates: bool,
    export_href: String,
    running_jobs: i64,
    /// The agent's bulk jobs that ended since their last page.
    finished_jobs: Vec<BulkJob>,
}

/// The criteria of the view asked for, its title, and its saved sort if it is a custom view.
pub fn resolve_view(
    conn: &mut DbConnection,
    params: &ListParams,
    agent_id: i64,
    zone: TimeZone,
    now: chrono::NaiveDateTime,
) -> Result<(Criteria, String, Option<CustomView>), AppError> {
    let mut criteria = params.base_criteria(now);
    match params.view {
        ViewChoice::Standard(view) => {
            let title = match params.import {
                // The contacts one import added, as its result page links to them.
                Some(import) => {
                    let file = ContactImport::file_name(conn, import)?
                        .unwrap_or_else(|| "a file".to_owned());
                    match view {
                        StandardView::All => format!("Imported from {file}"),
                        view => format!("{} · imported from {file}", view.label()),
                    }
                }
                None => view.label().to_owned(),
            };
            Ok((criteria, title, None))
        }
        ViewChoice::Custom(id) => {
            let view = CustomView::find_visible(conn, id, agent_id)?.ok_or(AppError::NotFound)?;
            criteria = Criteria {
                account_id: criteria.account_id,
                import_id: criteria.import_id,
                ..view.criteria(zone)
            };
            Ok((criteria, view.name.clone(), Some(view)))
        }
    }
}

/// One page of the contacts table for these params: the part the Contacts list and an
/// account's page share. `base` is the page the table's links return to.
pub fn build_table(
    conn: &mut DbConnection,
    params: &mut ListParams,
    sort_given: bool,
    agent: &Agent,
    counts: &ViewCounts,
    base: &str,
    now: chrono::NaiveDateTime,
) -> Result<(ContactTable, String, Option<CustomView>), AppError> {
    let agent_id = agent.id;
    let (criteria, title, custom) = resolve_view(conn, params, agent_id, agent.zone(), now)?;
    if let (Some(view), false) = (&custom, sort_given) {
        params.sort = view.sort();
        params.descending = view.descending;
    }
    let (page, total) = read_page_and_total(conn, params, &criteria, counts, now)?;
    let columns = match &custom {
        Some(view) => view.shown_columns(),
        None => crate::contacts::columns::USUAL.to_vec(),
    };
    let shown = Shown {
        extras: crate::contacts::columns::extras(conn, &page.rows, &columns)?,
        columns,
    };
    let table = ContactTable::build(base, params, page, total, now, agent.zone(), &shown);
    Ok((table, title, custom))
}

/// The page of the table and its total, read the cheapest way for the view and search.
fn read_page_and_total(
    conn: &mut DbConnection,
    params: &ListParams,
    criteria: &Criteria,
    counts: &ViewCounts,
    now: chrono::NaiveDateTime,
) -> Result<(Page, ViewTotal), AppError> {
    let search = params.search.as_deref();
    let request = |broad_search: bool| ListRequest {
        criteria: criteria.clone(),
        search: params.search.clone(),
        sort: params.sort,
        descending: params.descending,
        cursor: params.cursor.clone(),
        backward: params.backward,
        page_size: params.page_size,
        now,
        broad_search,
        only_ids: None,
    };
    // A term no index serves reads every contact of the view to count its matches; under the
    // cap those are every match, so the page reads them rather than walking the list a second
    // time (target: P3 for a rare two-letter term).
    if let Some(term) = search.filter(|term| search_is_unindexed(backend_of(conn), term)) {
        let matches = matching_ids_up_to_cap(conn, criteria, term, now)?;
        let total = ViewTotal::counted_up_to_cap(matches.len() as i64);
        let page = ListRequest {
            only_ids: (!total.exceeds_cap()).then_some(matches),
            ..request(total.exceeds_cap())
        }
        .page(conn)?;
        return Ok((page, total));
    }
    // A total counted row by row whose matches look few: the first page, read first, is its
    // count when it holds them all, and the count's own statement is saved.
    let on_first_page = params.cursor.is_none() && !params.backward;
    let read_first = on_first_page
        && !counts.is_kept(criteria, search, now)
        && search.is_none_or(|term| search_term_looks_rare(backend_of(conn), term));
    let first_read = if read_first {
        Some(request(false).page(conn)?)
    } else {
        None
    };
    Ok(match first_read {
        Some(page) if page.next.is_none() => {
            let total = ViewTotal::exact(page.rows.len() as i64);
            (page, total)
        }
        first_read => {
            let total = counts.count(conn, criteria, search, now)?;
            let broad_search = search.is_some() && total.exceeds_cap();
            let page = match first_read {
                Some(page) if !broad_search => page,
                _ => request(broad_search).page(conn)?,
            };
            (page, total)
        }
    })
}

/// The Customers tab's list, the page agents load most: the agent is read with the page's
/// other reads (`db::reads`), in one trip to the blocking pool.
pub async fn list(
    agent_session: AgentSession,
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<RawListParams>,
) -> Result<HttpResponse, AppError> {
    let raw = query.into_inner();
    let agent_id = agent_session.agent_id();
    let key = agent_session.key().clone();
    let found = state
        .db(move |conn| {
            // Before the reads: the check may write, which a read transaction must not.
            if !sessions::check(conn, &key, now())? {
                return Ok(None);
            }
            db::reads(conn, |conn| {
                let Some((agent, news)) = AgentSession::load_with_job_news(conn, agent_id)? else {
                    return Ok(None);
                };
                Ok(Some(read_listing(conn, raw, agent, news, now())?))
            })
        })
        .await?;
    let Some(mut listing) = found else {
        return Err(agent_session.refuse());
    };
    let agent = agent_session.signed_in(listing.agent.clone());
    if shows_a_page(&request) {
        let finished = std::mem::take(&mut listing.finished_jobs);
        tell_of_finished_jobs(&state, agent.session(), finished, None).await?;
    }
    page(&contacts_page(&agent, &listing))
}

/// The list the action bar was on, again, with its refusal beside the bar and the ticked
/// rows and typed account as the agent left them.
pub async fn list_again(
    agent: &SignedInAgent,
    state: &web::Data<AppState>,
    raw: RawListParams,
    kept: KeptBar,
) -> Result<HttpResponse, AppError> {
    let record = agent.agent.clone();
    let mut listing = state
        .db(move |conn| db::reads(conn, |conn| read_listing(conn, raw, record, false, now())))
        .await?;
    listing.table.kept = kept;
    page_with_status(&contacts_page(agent, &listing), StatusCode::BAD_REQUEST)
}

fn contacts_page<'a>(agent: &SignedInAgent, listing: &'a ContactsListing) -> ContactsPage<'a> {
    ContactsPage {
        chrome: agent.chrome("customers"),
        submission_key: new_submission_key(),
        title: &listing.title,
        views: &listing.views,
        custom_views: &listing.custom_views,
        search: &listing.search,
        selection: &listing.selection,
        table: &listing.table,
        custom_view: listing.custom_view,
        editable_custom_view: listing.editable_custom_view,
        view_conditions: listing.view_conditions.as_deref(),
        reviewing_duplicates: listing.reviewing_duplicates,
        export_href: &listing.export_href,
        running_jobs: listing.running_jobs,
    }
}

fn read_listing(
    conn: &mut DbConnection,
    raw: RawListParams,
    agent: Agent,
    job_news: bool,
    now: NaiveDateTime,
) -> Result<ContactsListing, AppError> {
    let agent_id = agent.id;
    let admin = agent.is_admin();
    let sort_given = raw.sort.is_some();
    // After the agent: a removed agent is asked to sign in whatever the address says.
    let mut params = ListParams::parse(raw)?;
    let counts = ViewCounts::read(conn, now)?;
    let (table, title, custom) = build_table(
        conn,
        &mut params,
        sort_given,
        &agent,
        &counts,
        "/contacts",
        now,
    )?;
    let custom_views = CustomView::visible_to(conn, agent_id)?
        .into_iter()
        .map(|view| {
            let count = counts.count(conn, &view.criteria(agent.zone()), None, now)?;
            Ok(SidebarLink {
                active: params.view == ViewChoice::Custom(view.id),
                href: ListParams::for_view_href("/contacts", &format!("custom-{}", view.id)),
                count: total_label(count),
                label: view.name,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let views = StandardView::sidebar()
        .into_iter()
        .map(|view| SidebarLink {
            label: view.label().to_owned(),
            href: ListParams::for_view_href("/contacts", view.slug()),
            count: format_count(view.count(&counts)),
            active: params.view == ViewChoice::Standard(view)
                && params.account.is_none()
                && params.import.is_none(),
        })
        .collect();
    Ok(ContactsListing {
        agent,
        title,
        views,
        custom_views,
        search: params.search.clone().unwrap_or_default(),
        selection: params
            .selection_pairs()
            .into_iter()
            .filter(|(key, _)| *key != "q")
            .collect(),
        view_conditions: match &custom {
            Some(view) => Some(view.describe(conn)?),
            None => None,
        },
        custom_view: custom.as_ref().map(|view| view.id),
        editable_custom_view: custom
            .filter(|view| view.is_editable_by(agent_id, admin))
            .map(|view| view.id),
        reviewing_duplicates: params.view == ViewChoice::Standard(StandardView::PossibleDuplicates),
        export_href: params.first_page_href("/contacts/export"),
        running_jobs: jobs::running_count(conn)?,
        finished_jobs: match job_news {
            true => jobs::finished_untold(conn, agent_id)?,
            false => Vec::new(),
        },
        table,
    })
}
