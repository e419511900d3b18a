//! Custom views of the contacts list: an agent saves criteria, a sort and who may see them;
//! only the agent who made a view changes or deletes it.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::accounts::Account;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::contacts::custom_views::CustomView;
use crate::contacts::Sort;
use crate::db::{now, write_transaction, DbConnection};
use crate::domain::ShownStatus;
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::page_with_status;
use crate::routes::redirect_see_other;
use crate::state::AppState;

mod view_form;

use view_form::{ViewFieldErrors, ViewForm};

/// Suggestions for the account field; beyond this many, agents type the name.
const ACCOUNT_SUGGESTIONS: i64 = 200;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/contacts/views/new", web::get().to(new_form))
        .route("/contacts/views", web::post().to(create))
        .route("/contacts/views/{id}/edit", web::get().to(edit_form))
        .route("/contacts/views/{id}", web::post().to(update))
        .route("/contacts/views/{id}/delete", web::post().to(delete));
}

#[derive(Template)]
#[template(path = "agent/contacts/custom_view_form.html")]
struct ViewFormPage {
    chrome: Chrome,
    view_id: Option<i64>,
    form: ViewForm,
    errors: ViewFieldErrors,
    account_names: Vec<String>,
    confirm_delete: bool,
}

impl ViewFormPage {
    fn title(&self) -> &'static str {
        if self.view_id.is_some() {
            "Edit custom view"
        } else {
            "New custom view"
        }
    }

    fn action(&self) -> String {
        match self.view_id {
            Some(id) => format!("/contacts/views/{id}"),
            None => "/contacts/views".to_owned(),
        }
    }

    fn statuses(&self) -> [ShownStatus; 7] {
        ShownStatus::ALL
    }

    fn sorts(&self) -> [(&'static str, &'static str); 5] {
        [
            (Sort::Name.as_str(), "Name"),
            (Sort::Email.as_str(), "Email"),
            (Sort::Created.as_str(), "Created"),
            (Sort::LastInvited.as_str(), "Last invited"),
            (Sort::Status.as_str(), "Help Center status"),
        ]
    }

    fn render_with(&self, status: StatusCode) -> Result<HttpResponse, AppError> {
        page_with_status(&self, status)
    }
}

/// The view, if this agent may change it: 404 when they cannot see it, 403 when it is shared
/// by someone else.
fn own_view(conn: &mut DbConnection, id: i64, agent_id: i64) -> Result<CustomView, AppError> {
    let view = CustomView::find_visible(conn, id, agent_id)?.ok_or(AppError::NotFound)?;
    if view.is_editable_by(agent_id) {
        Ok(view)
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn new_form(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let account_names = state
        .db(|conn| Ok(Account::names(conn, ACCOUNT_SUGGESTIONS)?))
        .await?;
    ViewFormPage {
        chrome: agent.chrome("customers"),
        view_id: None,
        form: ViewForm::for_new_view(),
        errors: ViewFieldErrors::default(),
        account_names,
        confirm_delete: false,
    }
    .render_with(StatusCode::OK)
}

#[derive(Deserialize)]
pub struct EditQuery {
    confirm: Option<String>,
}

pub async fn edit_form(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<EditQuery>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let agent_id = agent.agent.id;
    let (form, account_names) = state
        .db(move |conn| {
            let view = own_view(conn, id, agent_id)?;
            let account_name = match view.account_id {
                Some(account_id) => Account::find(conn, account_id)?.map(|account| account.name),
                None => None,
            };
            let names = Account::names(conn, ACCOUNT_SUGGESTIONS)?;
            Ok((ViewForm::of_view(&view, account_name), names))
        })
        .await?;
    ViewFormPage {
        chrome: agent.chrome("customers"),
        view_id: Some(id),
        form,
        errors: ViewFieldErrors::default(),
        account_names,
        confirm_delete: query.confirm.as_deref() == Some("delete"),
    }
    .render_with(StatusCode::OK)
}

pub async fn create(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: web::Form<ViewForm>,
) -> Result<HttpResponse, AppError> {
    save(agent, state, None, form.into_inner()).await
}

pub async fn update(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ViewForm>,
) -> Result<HttpResponse, AppError> {
    save(agent, state, Some(path.into_inner()), form.into_inner()).await
}

enum Saved {
    Done(i64),
    Invalid {
        unknown_account: bool,
        account_names: Vec<String>,
    },
}

async fn save(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    view_id: Option<i64>,
    form: ViewForm,
) -> Result<HttpResponse, AppError> {
    let (mut fields, errors) = form.parse();
    let valid = !errors.any();
    let account_name = form.account.trim().to_owned();
    let agent_id = agent.agent.id;
    let outcome = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                if let Some(id) = view_id {
                    own_view(conn, id, agent_id)?;
                }
                let account = match account_name.as_str() {
                    "" => Some(None),
                    name => Account::find_by_name(conn, name)?.map(|account| Some(account.id)),
                };
                let (true, Some(account_id)) = (valid, account) else {
                    return Ok(Saved::Invalid {
                        unknown_account: account.is_none(),
                        account_names: Account::names(conn, ACCOUNT_SUGGESTIONS)?,
                    });
                };
                fields.account_id = account_id;
                let now = now();
                let id = match view_id {
                    Some(id) => {
                        CustomView::update(conn, id, agent_id, &fields, now)?;
                        id
                    }
                    None => CustomView::create(conn, agent_id, &fields, now)?,
                };
                Ok::<_, AppError>(Saved::Done(id))
            })
        })
        .await?;
    match outcome {
        Saved::Done(id) => {
            let message = if view_id.is_some() {
                "View saved."
            } else {
                "View created."
            };
            set_flash(agent.session(), FlashKind::Success, message);
            Ok(redirect_see_other(&format!("/contacts?view=custom-{id}")))
        }
        Saved::Invalid {
            unknown_account,
            account_names,
        } => {
            let mut errors = errors;
            if unknown_account {
                errors.account = Some(format!(
                    "There is no account called “{}”. Pick one from the list.",
                    form.account.trim()
                ));
            }
            ViewFormPage {
                chrome: agent.chrome("customers"),
                view_id,
                form,
                errors,
                account_names,
                confirm_delete: false,
            }
            .render_with(StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

pub async fn delete(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let agent_id = agent.agent.id;
    let name = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let view = own_view(conn, id, agent_id)?;
                CustomView::delete(conn, id, agent_id)?;
                Ok::<_, AppError>(view.name)
            })
        })
        .await?;
    set_flash(
        agent.session(),
        FlashKind::Success,
        format!("View “{name}” deleted."),
    );
    Ok(redirect_see_other("/contacts"))
}
