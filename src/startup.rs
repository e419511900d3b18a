//! The one place the application is assembled; `main` and the tests both call it.

use std::any::Any;
use std::net::TcpListener;
use std::sync::Arc;

use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::{Extensions, Server};
use actix_web::middleware::{from_fn, Compress, DefaultHeaders};
use actix_web::{web, App, HttpServer};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use lettre::message::Mailbox;
use rand::RngCore;
use secrecy::ExposeSecret;
use url::Url;

use crate::auth::client_address::ClientAddresses;
use crate::auth::csrf;
use crate::config::Settings;
use crate::db::{self, DbPool};
use crate::demo;
use crate::domain::LinkKey;
use crate::error::AppError;
use crate::invitations::{InvitationEmail, Inviter};
use crate::jobs::{JobContext, JobRunner};
use crate::mail::{Mailer, Outbox, SmtpMailer, SmtpSettings};
use crate::routes;
use crate::state::AppState;
use crate::telemetry;
use crate::tickets::emails::TicketEmails;

const SESSION_COOKIE: &str = "portico_session";

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("could not listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Database(#[from] db::DbSetupError),
    #[error("mail settings: {0}")]
    Mail(String),
    #[error("secret key: {0}")]
    SecretKey(String),
    #[error("demo data: {0}")]
    Demo(String),
    #[error("metrics: {0}")]
    Metrics(String),
}

pub struct Application {
    port: u16,
    base_url: Url,
    pool: DbPool,
    server: Server,
    /// The metrics listener, when PORTICO_METRICS_BIND is set.
    metrics: Option<(u16, Server)>,
    jobs: JobRunner,
}

impl Application {
    pub fn build(settings: &Settings) -> Result<Application, StartupError> {
        let listener = TcpListener::bind(settings.bind).map_err(|source| StartupError::Bind {
            address: settings.bind.to_string(),
            source,
        })?;
        let local = listener.local_addr().map_err(|source| StartupError::Bind {
            address: settings.bind.to_string(),
            source,
        })?;
        let base_url = match &settings.base_url {
            Some(url) => url.clone(),
            None => {
                let mut with_port = settings.clone();
                with_port.bind = local;
                with_port.base_url()
            }
        };

        let pool = db::connect(&settings.database_url, settings.db_pool_size)?;
        {
            let mut conn = pool.get().map_err(db::DbSetupError::from)?;
            db::run_migrations(&mut conn)?;
            if settings.demo_enabled() {
                demo::seed_if_empty(&mut conn)
                    .map_err(|error| StartupError::Demo(error.to_string()))?;
            }
        }
        let mailer = Arc::new(build_mailer(settings)?);
        let invitation_email = Arc::new(InvitationEmail {
            company: company_name(mailer.from_address()),
            base_url: base_url.clone(),
        });
        let key = session_key(settings)?;
        let secure_cookies = base_url.scheme() == "https";

        let inviter = Inviter {
            pool: pool.clone(),
            mailer: mailer.clone(),
            invitation_email,
            ttl: chrono::Duration::hours(i64::from(settings.invite_ttl_hours)),
            link_key: LinkKey::from_secret(key.master()),
        };
        let lease = chrono::Duration::seconds(i64::from(settings.job_lease_seconds));
        let jobs = JobRunner::start(
            JobContext {
                inviter: inviter.clone(),
                lease,
            },
            settings.job_workers,
        );
        let ticket_emails = TicketEmails {
            pool: pool.clone(),
            mailer: mailer.clone(),
            company: inviter.invitation_email.company.clone(),
            base_url: base_url.clone(),
        };
        let mailer_for_metrics = mailer.clone();
        let state = web::Data::new(AppState {
            pool: pool.clone(),
            mailer,
            inviter,
            ticket_emails,
            base_url: base_url.clone(),
            demo: settings.demo_enabled(),
            jobs: jobs.waker(),
            client_addresses: ClientAddresses::new(settings.trusted_proxies.clone()),
            mass_invite_wait: std::time::Duration::from_secs(u64::from(
                settings.mass_invite_wait_seconds,
            )),
            lease,
        });

        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(form_config())
                .app_data(query_config())
                .wrap(from_fn(csrf::verify_csrf))
                .wrap(from_fn(routes::clean_input::refuse_control_characters))
                .wrap(from_fn(routes::error_pages::error_pages))
                .wrap(from_fn(routes::portal::brand::with_brand))
                .wrap(
                    SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
                        .cookie_name(SESSION_COOKIE.to_owned())
                        .cookie_http_only(true)
                        .cookie_same_site(SameSite::Lax)
                        .cookie_secure(secure_cookies)
                        .build(),
                )
                .wrap(security_headers(secure_cookies))
                .wrap(Compress::default())
                .wrap(from_fn(telemetry::log_request))
                .wrap(from_fn(telemetry::with_request_id))
                .configure(routes::configure)
                .default_service(web::to(routes::not_found))
        })
        .on_connect(disable_nagle)
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            address: local.to_string(),
            source,
        })?
        .run();

        let metrics = match settings.metrics_bind {
            Some(address) => Some(
                crate::monitoring::serve(address, pool.clone(), mailer_for_metrics).map_err(
                    |error| match error {
                        crate::monitoring::ServeError::Bind(source) => StartupError::Bind {
                            address: address.to_string(),
                            source,
                        },
                        crate::monitoring::ServeError::Recorder(message) => {
                            StartupError::Metrics(message)
                        }
                    },
                )?,
            ),
            None => None,
        };

        Ok(Application {
            port: local.port(),
            base_url,
            pool,
            server,
            metrics,
            jobs,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// The port metrics are served on, when they are.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(port, _)| *port)
    }

    /// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish and the job
    /// runner record the chunks it holds.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let metrics = self.metrics.map(|(_, server)| {
            let handle = server.handle();
            actix_web::rt::spawn(server);
            handle
        });
        let served = self.server.await;
        if let Some(metrics) = metrics {
            metrics.stop(true).await;
        }
        let jobs = self.jobs;
        let _ = actix_web::rt::task::spawn_blocking(move || jobs.stop()).await;
        served
    }
}

/// actix-web leaves Nagle's algorithm on; then every keep-alive response after the first
/// waits ~40 ms for the client's delayed ACK.
fn disable_nagle(connection: &dyn Any, _: &mut Extensions) {
    if let Some(stream) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
        let _ = stream.set_nodelay(true);
    }
}

/// `https`: every link is https, so browsers are told to use nothing else for a year.
fn security_headers(https: bool) -> DefaultHeaders {
    let headers = if https {
        DefaultHeaders::new().add(("Strict-Transport-Security", "max-age=31536000"))
    } else {
        DefaultHeaders::new()
    };
    headers
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        // Invitation links carry tokens: never hand them to another site in a Referer.
        .add(("Referrer-Policy", "same-origin"))
        // Pages hold contacts' data and links' tokens: Back after signing out must not show
        // them from the browser's cache. Static assets set their own.
        .add(("Cache-Control", "no-store"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ))
}

fn form_config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(csrf::FORM_LIMIT_BYTES)
        .error_handler(|error, _| {
            AppError::BadRequest(format!("The form could not be read: {error}.")).into()
        })
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _| {
        AppError::BadRequest(format!("The address has an invalid parameter: {error}.")).into()
    })
}

/// "Acme Help Center <help@acme.example>" → "Acme": the name customers know the company by.
fn company_name(from: &Mailbox) -> String {
    let mut name = from.name.as_deref().unwrap_or("").trim();
    // Emails sign "— Acme support": a sender named "Acme Support" must not sign twice.
    while let Some(shorter) = ["help center", "support", "team"]
        .iter()
        .find_map(|suffix| {
            let cut = name.len().checked_sub(suffix.len())?;
            (name.is_char_boundary(cut) && name[cut..].eq_ignore_ascii_case(suffix))
                .then(|| name[..cut].trim_end())
        })
    {
        name = shorter;
    }
    if name.is_empty() {
        from.email.domain().to_owned()
    } else {
        name.to_owned()
    }
}

pub fn build_mailer(settings: &Settings) -> Result<Mailer, StartupError> {
    let from: Mailbox = settings.mail_from.parse().map_err(|error| {
        StartupError::Mail(format!(
            "PORTICO_MAIL_FROM {:?}: {error}",
            settings.mail_from
        ))
    })?;
    match &settings.smtp_url {
        Some(url) => {
            let smtp = SmtpSettings::parse(url.expose_secret()).map_err(StartupError::Mail)?;
            Ok(Mailer::Smtp(SmtpMailer::new(
                smtp,
                from,
                settings.smtp_pool_size,
            )))
        }
        None => Outbox::new(settings.outbox_dir.clone(), from)
            .map(Mailer::Outbox)
            .map_err(|error| {
                StartupError::Mail(format!(
                    "cannot create the outbox folder {}: {error}",
                    settings.outbox_dir.display()
                ))
            }),
    }
}

/// The session cookie key: from the settings, or generated once and kept beside the data so
/// sessions survive a restart.
fn session_key(settings: &Settings) -> Result<Key, StartupError> {
    if let Some(secret) = &settings.secret_key {
        return Key::try_from(secret.expose_secret().as_bytes()).map_err(|_| {
            StartupError::SecretKey("PORTICO_SECRET_KEY must be at least 64 bytes".to_owned())
        });
    }
    let path = settings.secret_key_file();
    if let Ok(stored) = std::fs::read_to_string(&path) {
        let bytes = STANDARD.decode(stored.trim()).map_err(|error| {
            StartupError::SecretKey(format!("{} is not base64: {error}", path.display()))
        })?;
        return Key::try_from(bytes.as_slice()).map_err(|_| {
            StartupError::SecretKey(format!("{} holds fewer than 64 bytes", path.display()))
        });
    }
    let mut bytes = [0u8; 64];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let write = std::fs::create_dir_all(&settings.data_dir)
        .and_then(|_| write_private(&path, STANDARD.encode(bytes).as_bytes()));
    write.map_err(|error| {
        StartupError::SecretKey(format!("cannot write {}: {error}", path.display()))
    })?;
    tracing::warn!(
        path = %path.display(),
        "PORTICO_SECRET_KEY is not set: generated a session key and stored it in this file; \
         set PORTICO_SECRET_KEY when several instances serve the same site"
    );
    Ok(Key::from(&bytes))
}

fn write_private(path: &std::path::Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::company_name;

    #[test]
    fn the_signature_names_the_company_once() {
        let company = |from: &str| company_name(&from.parse().unwrap());
        assert_eq!(company("Acme Support <help@acme.example>"), "Acme");
        assert_eq!(company("Acme Help Center <help@acme.example>"), "Acme");
        assert_eq!(company("Acme Support Team <help@acme.example>"), "Acme");
        assert_eq!(company("Ünïcode GmbH <help@acme.example>"), "Ünïcode GmbH");
        assert_eq!(company("Support <help@acme.example>"), "acme.example");
        assert_eq!(company("help@acme.example"), "acme.example");
    }
}
