//! The extractor every agent page takes: it proves an enabled agent is signed in.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::http::Method;
use actix_web::{web, FromRequest, HttpRequest};

use crate::auth::session;
use crate::db::models::agent::Agent;
use crate::error::AppError;
use crate::routes::chrome::Chrome;
use crate::state::AppState;

pub struct SignedInAgent {
    pub agent: Agent,
    session: Session,
}

impl SignedInAgent {
    /// The layout's shared parts for this agent, taking any pending flash message.
    pub fn chrome(&self, section: &'static str) -> Chrome {
        Chrome::for_agent(&self.agent, &self.session, section)
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.agent.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl FromRequest for SignedInAgent {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let session = req.get_session();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        // After signing in, come back to the page asked for; a form post cannot be replayed,
        // so it returns to the Customers tab.
        let next = if req.method() == Method::GET {
            req.uri()
                .path_and_query()
                .map(|pq| pq.as_str().to_owned())
                .unwrap_or_else(|| "/".to_owned())
        } else {
            "/contacts".to_owned()
        };
        Box::pin(async move {
            let state =
                state.ok_or_else(|| AppError::Blocking("application state missing".into()))?;
            let Some(agent_id) = session::signed_in_agent_id(&session) else {
                return Err(AppError::SignInRequired { next });
            };
            let agent = state
                .read(move |conn| Ok(Agent::find(conn, agent_id)?))
                .await?;
            match agent {
                Some(agent) if !agent.is_disabled() => Ok(SignedInAgent { agent, session }),
                _ => {
                    session::sign_out(&session);
                    Err(AppError::SignInRequired { next })
                }
            }
        })
    }
}

/// The extractor every Help Center page takes: a customer whose portal account can sign in.
/// An agent's session is not a customer's, and a customer's never reaches agent pages.
pub struct SignedInCustomer {
    pub contact: crate::db::models::contact::Contact,
    session: Session,
}

impl SignedInCustomer {
    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn csrf_token(&self) -> String {
        session::csrf_token(&self.session)
    }

    pub fn flash(&self) -> Option<session::Flash> {
        session::take_flash(&self.session)
    }
}

impl FromRequest for SignedInCustomer {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        use crate::db::models::contact::Contact;
        use crate::db::models::portal_account::PortalAccount;
        let session = req.get_session();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let next = if req.method() == Method::GET {
            req.uri()
                .path_and_query()
                .map(|pq| pq.as_str().to_owned())
                .unwrap_or_else(|| "/portal".to_owned())
        } else {
            "/portal".to_owned()
        };
        Box::pin(async move {
            let state =
                state.ok_or_else(|| AppError::Blocking("application state missing".into()))?;
            let Some(contact_id) = session::signed_in_customer_id(&session) else {
                return Err(AppError::CustomerSignInRequired { next });
            };
            let found = state
                .read(move |conn| {
                    let contact = Contact::find(conn, contact_id)?;
                    let account = PortalAccount::for_contact(conn, contact_id)?;
                    Ok(contact.zip(account))
                })
                .await?;
            match found {
                Some((contact, account))
                    if contact.is_live() && !contact.is_spam && account.can_sign_in() =>
                {
                    Ok(SignedInCustomer { contact, session })
                }
                _ => {
                    session::sign_out(&session);
                    Err(AppError::CustomerSignInRequired { next })
                }
            }
        })
    }
}
