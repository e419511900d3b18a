//! Custom views of the contacts list: an agent saves conditions, a sort and who may see
//! them; only the agent who made a view changes or deletes it, and anyone who sees it may
//! duplicate it as their own.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::contacts::conditions::{Field, Kind, Operator};
use crate::contacts::custom_views::{self, Choices, CustomView, SaveError};
use crate::contacts::Sort;
use crate::db::{now, write_transaction, DbConnection};
use crate::domain::ShownStatus;
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::page_with_status;
use crate::routes::redirect_see_other;
use crate::state::AppState;

mod view_form;

use view_form::{Intent, RowForm, ViewFieldErrors, ViewForm};

const KIND_NAMES: [(Kind, &str); 6] = [
    (Kind::Text, "text"),
    (Kind::Reference, "reference"),
    (Kind::Status, "status"),
    (Kind::Date, "date"),
    (Kind::Count, "count"),
    (Kind::Flag, "flag"),
];

/// Suggestions for a condition's account or import; beyond this many, agents type the name.
const SUGGESTIONS: i64 = 200;

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
    choices: Choices,
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

    fn fields(&self) -> [Field; 15] {
        Field::ALL
    }

    fn column_fields(&self) -> Vec<Field> {
        crate::contacts::columns::choosable().collect()
    }

    fn operators(&self) -> [Operator; 16] {
        Operator::ALL
    }

    /// The kinds of field an operator fits, for the script that offers only those.
    fn kinds_of(&self, operator: &Operator) -> String {
        KIND_NAMES
            .into_iter()
            .filter(|(kind, _)| operator.fits(*kind))
            .map(|(_, name)| name)
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn kind_name(&self, field: &Field) -> &'static str {
        KIND_NAMES
            .into_iter()
            .find(|(kind, _)| *kind == field.kind())
            .map_or("", |(_, name)| name)
    }

    /// The suggestions a row's value offers, by its field.
    fn value_list(&self, field: &Field) -> &'static str {
        match field {
            Field::Account => "condition-accounts",
            Field::Import => "condition-imports",
            Field::Status => "condition-statuses",
            Field::Spam => "condition-yes-no",
            _ => "",
        }
    }

    fn row_list(&self, row: &RowForm) -> &'static str {
        Field::parse(&row.field).map_or("", |field| self.value_list(&field))
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
/// by someone else and they are not an admin.
fn own_view(
    conn: &mut DbConnection,
    id: i64,
    (agent_id, admin): (i64, bool),
) -> Result<CustomView, AppError> {
    let view = CustomView::find_visible(conn, id, agent_id)?.ok_or(AppError::NotFound)?;
    if view.is_editable_by(agent_id, admin) {
        Ok(view)
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    /// A view to start from: "Duplicate".
    from: Option<i64>,
}

pub async fn new_form(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let agent_id = agent.agent.id;
    let from = query.from;
    let (form, choices) = state
        .db(move |conn| {
            let form = match from {
                Some(id) => {
                    let view =
                        CustomView::find_visible(conn, id, agent_id)?.ok_or(AppError::NotFound)?;
                    let names = custom_views::names_for(conn, &view.conditions)?;
                    let mut form = ViewForm::of_view(&view, &names);
                    form.name = format!("Copy of {}", view.name);
                    form.visibility = "private".to_owned();
                    form
                }
                None => ViewForm::for_new_view(),
            };
            Ok((form, custom_views::choices(conn, SUGGESTIONS)?))
        })
        .await?;
    ViewFormPage {
        chrome: agent.chrome("customers"),
        view_id: None,
        form,
        errors: ViewFieldErrors::default(),
        choices,
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
    let editor = (agent.agent.id, agent.agent.is_admin());
    let (form, choices) = state
        .db(move |conn| {
            let view = own_view(conn, id, editor)?;
            let names = custom_views::names_for(conn, &view.conditions)?;
            Ok((
                ViewForm::of_view(&view, &names),
                custom_views::choices(conn, SUGGESTIONS)?,
            ))
        })
        .await?;
    ViewFormPage {
        chrome: agent.chrome("customers"),
        view_id: Some(id),
        form,
        errors: ViewFieldErrors::default(),
        choices,
        confirm_delete: query.confirm.as_deref() == Some("delete"),
    }
    .render_with(StatusCode::OK)
}

pub async fn create(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    save(agent, state, None, form.into_inner()).await
}

pub async fn update(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    save(agent, state, Some(path.into_inner()), form.into_inner()).await
}

async fn save(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    view_id: Option<i64>,
    pairs: Vec<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (mut form, intent) = ViewForm::from_pairs(pairs);
    let editor = (agent.agent.id, agent.agent.is_admin());
    // "Add condition" and "Remove" change the form only: it comes back with its rows.
    if intent != Intent::Save {
        form.apply(intent);
        let choices = state
            .db(move |conn| Ok(custom_views::choices(conn, SUGGESTIONS)?))
            .await?;
        return ViewFormPage {
            chrome: agent.chrome("customers"),
            view_id,
            form,
            errors: ViewFieldErrors::default(),
            choices,
            confirm_delete: false,
        }
        .render_with(StatusCode::OK);
    }
    let draft = form.parse();
    let (outcome, choices) = state
        .db(move |conn| {
            let outcome = match draft {
                Ok(draft) => match custom_views::save(conn, editor, view_id, &draft, now()) {
                    Ok(id) => Ok(id),
                    Err(SaveError::Conditions(found)) => {
                        Err(ViewFieldErrors::default().with_conditions(found))
                    }
                    Err(SaveError::NotFound) => return Err(AppError::NotFound),
                    Err(SaveError::NotYours) => return Err(AppError::Forbidden),
                    Err(SaveError::Database(error)) => return Err(error.into()),
                },
                Err(errors) => Err(*errors),
            };
            let choices = match outcome {
                Ok(_) => None,
                Err(_) => Some(custom_views::choices(conn, SUGGESTIONS)?),
            };
            Ok((outcome, choices))
        })
        .await?;
    match (outcome, choices) {
        (Ok(id), _) => {
            let message = if view_id.is_some() {
                "View saved."
            } else {
                "View created."
            };
            set_flash(agent.session(), FlashKind::Success, message);
            Ok(redirect_see_other(&format!("/contacts?view=custom-{id}")))
        }
        (Err(errors), choices) => ViewFormPage {
            chrome: agent.chrome("customers"),
            view_id,
            form,
            errors,
            choices: choices.unwrap_or(Choices {
                account_names: Vec::new(),
                import_labels: Vec::new(),
            }),
            confirm_delete: false,
        }
        .render_with(StatusCode::UNPROCESSABLE_ENTITY),
    }
}

pub async fn delete(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let editor = (agent.agent.id, agent.agent.is_admin());
    let name = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let view = own_view(conn, id, editor)?;
                CustomView::delete(conn, id)?;
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
