//! The extractor every agent page takes: it proves an enabled agent is signed in.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::http::Method;
use actix_web::{web, FromRequest, HttpRequest};
use diesel::QueryResult;
use std::future::{ready, Ready};

use crate::agents::Agent;
use crate::auth::session;
use crate::auth::sessions::{self, Holder, SessionKey};
use crate::db::{now, DbConnection};
use crate::error::AppError;
use crate::jobs;
use crate::state::AppState;

pub struct SignedInAgent {
    pub agent: Agent,
    session: Session,
    key: SessionKey,
}

impl SignedInAgent {
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// This browser's session on the server.
    pub fn session_key(&self) -> &SessionKey {
        &self.key
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

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let agent_session = AgentSession::from_request(req, payload).into_inner();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let shows_a_page = shows_a_page(req);
        let watching = watched_job(req);
        Box::pin(async move {
            let agent_session = agent_session?;
            let state =
                state.ok_or_else(|| AppError::Blocking("application state missing".into()))?;
            let agent_id = agent_session.agent_id();
            let key = agent_session.key.clone();
            let (agent, finished) = state
                .db(move |conn| {
                    if !sessions::check(conn, &key, now())? {
                        return Ok((None, Vec::new()));
                    }
                    let Some((agent, news)) = AgentSession::load_with_job_news(conn, agent_id)?
                    else {
                        return Ok((None, Vec::new()));
                    };
                    let finished = if news && shows_a_page {
                        jobs::finished_untold(conn, agent_id)?
                    } else {
                        Vec::new()
                    };
                    Ok((Some(agent), finished))
                })
                .await?;
            let Some(agent) = agent else {
                return Err(agent_session.refuse());
            };
            let signed_in = agent_session.signed_in(agent);
            tell_of_finished_jobs(&state, &signed_in.session, finished, watching).await?;
            Ok(signed_in)
        })
    }
}

/// A page, as opposed to a form's post (whose own message follows) or a script's JSON.
pub fn shows_a_page(req: &HttpRequest) -> bool {
    req.method() == Method::GET
        && !req
            .headers()
            .get(actix_web::http::header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.starts_with("application/json"))
}

/// The bulk job whose own page this is: it says how the job ended without a message.
fn watched_job(req: &HttpRequest) -> Option<i64> {
    req.path().strip_prefix("/bulk-jobs/")?.parse().ok()
}

/// Bulk jobs the agent started that ended since their last page: this page says so, once
/// (the page of one of them says it itself).
pub async fn tell_of_finished_jobs(
    state: &AppState,
    session: &Session,
    mut finished: Vec<jobs::BulkJob>,
    watching: Option<i64>,
) -> Result<(), AppError> {
    if finished.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = finished.iter().map(|job| job.id).collect();
    finished.retain(|job| Some(job.id) != watching);
    let told = state
        .db(move |conn| Ok(jobs::mark_told(conn, &ids)?))
        .await?;
    if told && !finished.is_empty() {
        session::set_flash(
            session,
            session::FlashKind::Info,
            jobs::finished_message(&finished),
        );
    }
    Ok(())
}

/// An agent's session whose agent is not yet read: for a page that reads the agent inside its
/// own database work, in the same transaction (and on PostgreSQL the same trip to the blocking
/// pool) as its other reads, rather than in one of its own first. The page must call
/// `sessions::check` and `AgentSession::load_with_job_news` there and show nothing unless
/// both find the agent.
pub struct AgentSession {
    key: SessionKey,
    session: Session,
    /// Where signing in again should return to.
    next: String,
}

impl AgentSession {
    pub fn agent_id(&self) -> i64 {
        self.key.holder.id()
    }

    pub fn key(&self) -> &SessionKey {
        &self.key
    }

    /// The session's agent, if it still exists and is enabled, and whether a bulk job the
    /// agent started ended since they were told.
    pub fn load_with_job_news(
        conn: &mut DbConnection,
        agent_id: i64,
    ) -> QueryResult<Option<(Agent, bool)>> {
        Ok(jobs::agent_with_job_news(conn, agent_id)?.filter(|(agent, _)| !agent.is_disabled()))
    }

    /// The agent read for this session, once its session was checked.
    pub fn signed_in(self, agent: Agent) -> SignedInAgent {
        SignedInAgent {
            agent,
            session: self.session,
            key: self.key,
        }
    }

    /// The session ended, or the agent was removed or disabled: the cookie is forgotten and
    /// the page asks to sign in.
    pub fn refuse(self) -> AppError {
        session::sign_out(&self.session);
        AppError::SignInRequired { next: self.next }
    }
}

impl FromRequest for AgentSession {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let session = req.get_session();
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
        ready(match session::agent_key(&session) {
            Some(key) => Ok(AgentSession { key, session, next }),
            None => Err(AppError::SignInRequired { next }),
        })
    }
}

/// The extractor every Help Center page takes: a customer whose portal account can sign in.
/// An agent's session is not a customer's, and a customer's never reaches agent pages.
pub struct SignedInCustomer {
    pub contact: crate::contacts::Contact,
    session: Session,
    key: SessionKey,
}

impl SignedInCustomer {
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// This browser's session on the server.
    pub fn session_key(&self) -> &SessionKey {
        &self.key
    }

    pub fn csrf_token(&self) -> String {
        session::csrf_token(&self.session)
    }

    pub fn flash(&self) -> Option<session::Flash> {
        session::take_flash(&self.session)
    }

    /// The zone the customer's browser said it was in when they signed in, or UTC.
    pub fn zone(&self) -> crate::domain::TimeZone {
        session::time_zone(&self.session)
    }
}

impl FromRequest for SignedInCustomer {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        use crate::contacts::Contact;
        use crate::help_center::accounts::PortalAccount;
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
            let Some(key) = session::customer_key(&session) else {
                return Err(AppError::CustomerSignInRequired { next });
            };
            let Holder::Customer(contact_id) = key.holder else {
                return Err(AppError::CustomerSignInRequired { next });
            };
            let checked = key.clone();
            let found = state
                .db(move |conn| {
                    if !sessions::check(conn, &checked, now())? {
                        return Ok(None);
                    }
                    let contact = Contact::find(conn, contact_id)?;
                    let account = PortalAccount::for_contact(conn, contact_id)?;
                    Ok(contact.zip(account))
                })
                .await?;
            match found {
                Some((contact, account))
                    if contact.is_live() && !contact.is_spam && account.can_sign_in() =>
                {
                    Ok(SignedInCustomer {
                        contact,
                        session,
                        key,
                    })
                }
                _ => {
                    session::sign_out(&session);
                    Err(AppError::CustomerSignInRequired { next })
                }
            }
        })
    }
}
