//! Possible duplicates, reviewed a group at a time, and merging a group into one contact.

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::audit::Actor;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::contacts::merge::{
    self, page_of_groups, ticket_counts, DuplicateGroup, MergeChoices, MergeError, GROUPS_PER_PAGE,
};
use crate::contacts::{Contact, ViewCounts};
use crate::db::{now, DbConnection};
use crate::domain::ShownStatus;
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::form::HtmlForm;
use crate::routes::{page, redirect_see_other};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/contacts/duplicates", web::get().to(review))
        .route("/contacts/merge", web::get().to(merge_form))
        .route("/contacts/merge", web::post().to(merge));
}

/// One contact as both pages compare it.
pub struct MemberView {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub account_id: Option<i64>,
    pub account_name: Option<String>,
    pub status: ShownStatus,
    pub tickets: i64,
    pub created_at: chrono::NaiveDateTime,
    pub is_spam: bool,
}

fn member_views(
    conn: &mut DbConnection,
    contacts: Vec<Contact>,
    tickets: &HashMap<i64, i64>,
) -> Result<Vec<MemberView>, AppError> {
    let now = now();
    Ok(Contact::with_account_names(conn, contacts)?
        .into_iter()
        .map(|row| MemberView {
            id: row.contact.id,
            status: row.contact.shown_status(now),
            tickets: tickets.get(&row.contact.id).copied().unwrap_or(0),
            created_at: row.contact.created_at,
            is_spam: row.contact.is_spam,
            name: row.contact.name,
            email: row.contact.email,
            phone: row.contact.phone,
            account_id: row.contact.account_id,
            account_name: row.account_name,
        })
        .collect())
}

pub struct GroupView {
    pub reasons: Vec<&'static str>,
    pub members: Vec<MemberView>,
    pub merge_href: String,
    pub has_more: bool,
}

#[derive(Template)]
#[template(path = "agent/contacts/duplicates.html")]
struct DuplicatesPage {
    chrome: Chrome,
    flagged: i64,
    groups: Vec<GroupView>,
    first_href: Option<String>,
    next_href: Option<String>,
}

#[derive(Deserialize)]
pub struct ReviewQuery {
    after: Option<i64>,
}

fn merge_href(ids: impl Iterator<Item = i64>) -> String {
    let query = ids
        .map(|id| format!("ids={id}"))
        .collect::<Vec<_>>()
        .join("&");
    format!("/contacts/merge?{query}")
}

fn group_view(
    conn: &mut DbConnection,
    group: DuplicateGroup,
    tickets: &HashMap<i64, i64>,
) -> Result<GroupView, AppError> {
    let mut reasons = Vec::new();
    if group.same_email {
        reasons.push("Same address once +tags are ignored");
    }
    if group.same_name_and_phone {
        reasons.push("Same name and phone");
    }
    Ok(GroupView {
        reasons,
        merge_href: merge_href(group.contacts.iter().map(|contact| contact.id)),
        has_more: group.has_more,
        members: member_views(conn, group.contacts, tickets)?,
    })
}

pub async fn review(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    query: web::Query<ReviewQuery>,
) -> Result<HttpResponse, AppError> {
    let after = query.after.unwrap_or(0);
    let (flagged, groups, next_after) = state
        .db(move |conn| {
            let flagged = ViewCounts::read(conn, now())?.possible_duplicates;
            let found = page_of_groups(conn, after, GROUPS_PER_PAGE)?;
            let ids: Vec<i64> = found
                .groups
                .iter()
                .flat_map(|group| group.contacts.iter().map(|contact| contact.id))
                .collect();
            let tickets = ticket_counts(conn, &ids)?;
            let groups = found
                .groups
                .into_iter()
                .map(|group| group_view(conn, group, &tickets))
                .collect::<Result<Vec<_>, AppError>>()?;
            Ok((flagged, groups, found.next_after))
        })
        .await?;
    page(&DuplicatesPage {
        chrome: agent.chrome("customers"),
        flagged,
        groups,
        first_href: (after > 0).then(|| "/contacts/duplicates".to_owned()),
        next_href: next_after.map(|id| format!("/contacts/duplicates?after={id}")),
    })
}

/// Which contact each radio group starts on.
struct Proposal {
    primary: i64,
    name_from: i64,
    email_from: i64,
    phone_from: i64,
    account_from: i64,
}

#[derive(Template)]
#[template(path = "agent/contacts/merge.html")]
struct MergePage {
    chrome: Chrome,
    members: Vec<MemberView>,
    proposal: Proposal,
}

#[derive(Deserialize)]
struct MergeQuery {
    #[serde(default)]
    ids: Vec<i64>,
}

/// A merge that cannot happen, as a page the agent can act on; nothing was changed.
fn refused(error: MergeError) -> AppError {
    match error {
        MergeError::NotFound(_) => AppError::NotFound,
        MergeError::Database(error) => error.into(),
        refusal => AppError::BadRequest(refusal.to_string()),
    }
}

pub async fn merge_form(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let query: MergeQuery = serde_html_form::from_str(request.query_string()).map_err(|_| {
        AppError::BadRequest("The contacts to merge are given as ids=1&ids=2.".to_owned())
    })?;
    let ids = merge::distinct_ids(&query.ids).map_err(refused)?;
    let (members, proposal) = state
        .db(move |conn| {
            let group = merge::load_live_group(conn, &ids).map_err(refused)?;
            let tickets = ticket_counts(conn, &ids)?;
            let primary = merge::suggested_primary(&group, &tickets).ok_or(AppError::NotFound)?;
            let proposal = Proposal {
                primary,
                name_from: merge::suggested_source(&group, primary, |contact| {
                    !contact.name.is_empty()
                }),
                email_from: merge::suggested_source(&group, primary, |contact| {
                    contact.email.is_some()
                }),
                phone_from: merge::suggested_source(&group, primary, |contact| {
                    contact.phone.is_some()
                }),
                account_from: merge::suggested_source(&group, primary, |contact| {
                    contact.account_id.is_some()
                }),
            };
            Ok((member_views(conn, group, &tickets)?, proposal))
        })
        .await?;
    page(&MergePage {
        chrome: agent.chrome("customers"),
        members,
        proposal,
    })
}

#[derive(Debug, Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    ids: Vec<i64>,
    primary: Option<i64>,
    name_from: Option<i64>,
    email_from: Option<i64>,
    phone_from: Option<i64>,
    account_from: Option<i64>,
}

pub async fn merge(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: HtmlForm<MergeForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.0;
    let primary = form.primary.ok_or_else(|| {
        AppError::BadRequest("Choose the contact to keep (the primary).".to_owned())
    })?;
    let choices = MergeChoices {
        ids: form.ids,
        primary,
        name_from: form.name_from.unwrap_or(primary),
        email_from: form.email_from.unwrap_or(primary),
        phone_from: form.phone_from.unwrap_or(primary),
        account_from: form.account_from.unwrap_or(primary),
    };
    let actor = Actor::Agent(agent.agent.id);
    let merged = state
        .db(move |conn| merge::merge(conn, &choices, actor).map_err(refused))
        .await?;
    set_flash(
        agent.session(),
        FlashKind::Success,
        format!(
            "Merged {} contacts into {}.",
            merged.contacts, merged.primary_name
        ),
    );
    Ok(redirect_see_other(&format!(
        "/contacts/{}",
        merged.primary_id
    )))
}
