use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::accounts::Account;
use crate::audit::Actor;
use crate::auth::guard::SignedInAgent;
use crate::auth::session::{set_flash, FlashKind};
use crate::contacts::Contact;
use crate::contacts::{self, ContactError};
use crate::domain::{ContactDraft, ContactFieldErrors};
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::routes::page_with_status;
use crate::routes::{page, redirect_see_other};
use crate::state::AppState;

/// Suggestions for the account field; beyond this many, agents type the name.
const ACCOUNT_SUGGESTIONS: i64 = 200;

#[derive(Debug, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    account: String,
}

#[derive(Template)]
#[template(path = "agent/contacts/form.html")]
struct ContactFormPage {
    chrome: Chrome,
    contact_id: Option<i64>,
    form: ContactForm,
    errors: ContactFieldErrors,
    account_error: Option<String>,
    duplicate_of: Option<i64>,
    account_names: Vec<String>,
}

impl ContactFormPage {
    fn title(&self) -> &'static str {
        if self.contact_id.is_some() {
            "Edit contact"
        } else {
            "Add contact"
        }
    }

    fn action(&self) -> String {
        match self.contact_id {
            Some(id) => format!("/contacts/{id}"),
            None => "/contacts".to_owned(),
        }
    }
}

fn render_form(page_data: ContactFormPage, status: StatusCode) -> Result<HttpResponse, AppError> {
    page_with_status(&page_data, status)
}

pub async fn new_form(
    agent: SignedInAgent,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let account_names = state
        .db(|conn| Ok(Account::names(conn, ACCOUNT_SUGGESTIONS)?))
        .await?;
    page(&ContactFormPage {
        chrome: agent.chrome("customers"),
        contact_id: None,
        form: ContactForm::default(),
        errors: ContactFieldErrors::default(),
        account_error: None,
        duplicate_of: None,
        account_names,
    })
}

pub async fn edit_form(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (contact, account, account_names) = state
        .db(move |conn| {
            let contact = Contact::find(conn, id)?
                .filter(Contact::is_live)
                .ok_or(AppError::NotFound)?;
            let account = match contact.account_id {
                Some(account_id) => Account::find(conn, account_id)?,
                None => None,
            };
            Ok((contact, account, Account::names(conn, ACCOUNT_SUGGESTIONS)?))
        })
        .await?;
    page(&ContactFormPage {
        chrome: agent.chrome("customers"),
        contact_id: Some(id),
        form: ContactForm {
            name: contact.name,
            email: contact.email.unwrap_or_default(),
            phone: contact.phone.unwrap_or_default(),
            account: account.map(|account| account.name).unwrap_or_default(),
        },
        errors: ContactFieldErrors::default(),
        account_error: None,
        duplicate_of: None,
        account_names,
    })
}

pub async fn create(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    form: web::Form<ContactForm>,
) -> Result<HttpResponse, AppError> {
    save(agent, state, None, form.into_inner()).await
}

pub async fn update(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ContactForm>,
) -> Result<HttpResponse, AppError> {
    save(agent, state, Some(path.into_inner()), form.into_inner()).await
}

enum Saved {
    Done(i64),
    /// The form goes back with its errors; the account name too if it named no account.
    Invalid {
        unknown_account: bool,
        account_names: Vec<String>,
    },
    Duplicate(i64, Vec<String>),
}

async fn save(
    agent: SignedInAgent,
    state: web::Data<AppState>,
    contact_id: Option<i64>,
    form: ContactForm,
) -> Result<HttpResponse, AppError> {
    let draft = ContactDraft::parse(&form.name, &form.email, &form.phone);
    let account_name = form.account.trim().to_owned();
    let actor = Actor::Agent(agent.agent.id);
    let (draft, errors) = match draft {
        Ok(draft) => (Some(draft), ContactFieldErrors::default()),
        Err(errors) => (None, errors),
    };
    let outcome = state
        .db(move |conn| {
            let account = match account_name.as_str() {
                "" => Ok(None),
                name => Account::find_by_name(conn, name)?
                    .map(|account| Some(account.id))
                    .ok_or(()),
            };
            let (Some(draft), Ok(account)) = (draft, account) else {
                return Ok(Saved::Invalid {
                    unknown_account: account.is_err(),
                    account_names: Account::names(conn, ACCOUNT_SUGGESTIONS)?,
                });
            };
            let result = match contact_id {
                Some(id) => contacts::update(conn, id, &draft, account, actor).map(|()| id),
                None => contacts::create(conn, &draft, account, actor),
            };
            match result {
                Ok(id) => Ok(Saved::Done(id)),
                Err(ContactError::DuplicateEmail { existing_id }) => Ok(Saved::Duplicate(
                    existing_id,
                    Account::names(conn, ACCOUNT_SUGGESTIONS)?,
                )),
                Err(ContactError::NotFound | ContactError::MergedInto { .. }) => {
                    Err(AppError::NotFound)
                }
                Err(ContactError::Database(error)) => Err(error.into()),
            }
        })
        .await?;
    let mut page_data = ContactFormPage {
        chrome: agent.chrome("customers"),
        contact_id,
        form,
        errors,
        account_error: None,
        duplicate_of: None,
        account_names: Vec::new(),
    };
    match outcome {
        Saved::Done(id) => {
            let message = if contact_id.is_some() {
                "Contact saved."
            } else {
                "Contact added."
            };
            set_flash(agent.session(), FlashKind::Success, message);
            Ok(redirect_see_other(&format!("/contacts/{id}")))
        }
        Saved::Invalid {
            unknown_account,
            account_names,
        } => {
            if unknown_account {
                page_data.account_error = Some(format!(
                    "There is no account called “{}”. Pick one from the list or add it under Accounts first.",
                    page_data.form.account.trim()
                ));
            }
            page_data.account_names = account_names;
            render_form(page_data, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Saved::Duplicate(existing_id, names) => {
            page_data.duplicate_of = Some(existing_id);
            page_data.account_names = names;
            render_form(page_data, StatusCode::CONFLICT)
        }
    }
}
