//! Prometheus metrics on a listen address of their own (PORTICO_METRICS_BIND), for an
//! operator's monitoring. Unset, no recorder is installed and every `metrics::` call records
//! nothing. The counters and histograms are recorded where things happen (requests in
//! `telemetry`, sends in `mail`, invitations in `invitations`, chunks in `jobs`); the pools
//! and running jobs are read when scraped.

use std::sync::{Arc, OnceLock};

use std::net::{SocketAddr, TcpListener};

use actix_web::dev::Server;
use actix_web::{web, App, HttpResponse, HttpServer};
use diesel::prelude::*;
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

use crate::db::schema::bulk_invite_jobs;
use crate::db::DbPool;
use crate::mail::Mailer;

/// Seconds: from a fast page to an SMTP server that is slow to answer.
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process's recorder, installed once however many applications the process builds.
pub fn recorder() -> Result<PrometheusHandle, String> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), &LATENCY_BUCKETS)
                .map_err(|error: BuildError| error.to_string())?;
            builder
                .install_recorder()
                .map_err(|error| error.to_string())
        })
        .clone()
}

/// What a scrape reads besides the recorded metrics.
pub struct Scraped {
    pub handle: PrometheusHandle,
    pub pool: DbPool,
    pub mailer: Arc<Mailer>,
}

/// `GET /metrics` in Prometheus's text format.
pub async fn scrape(scraped: web::Data<Scraped>) -> HttpResponse {
    let state = scraped.pool.state();
    metrics::gauge!("portico_db_pool_connections").set(f64::from(state.connections));
    metrics::gauge!("portico_db_pool_idle_connections").set(f64::from(state.idle_connections));
    metrics::gauge!("portico_db_pool_max_connections").set(f64::from(scraped.pool.max_size()));
    if let Some((open, idle, max)) = scraped.mailer.pool_state() {
        metrics::gauge!("portico_smtp_pool_connections").set(open as f64);
        metrics::gauge!("portico_smtp_pool_idle_connections").set(idle as f64);
        metrics::gauge!("portico_smtp_pool_max_connections").set(max as f64);
    }
    let pool = scraped.pool.clone();
    let running = web::block(move || -> Result<i64, String> {
        let mut conn = pool.get().map_err(|error| error.to_string())?;
        bulk_invite_jobs::table
            .filter(bulk_invite_jobs::state.eq("running"))
            .count()
            .get_result(&mut conn)
            .map_err(|error| error.to_string())
    })
    .await;
    if let Ok(Ok(running)) = running {
        metrics::gauge!("portico_bulk_jobs_running").set(running as f64);
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(scraped.handle.render())
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Bind(#[from] std::io::Error),
    #[error("{0}")]
    Recorder(String),
}

/// The metrics listener, one route on an address of its own so it never faces the public;
/// its port and the server, to run beside the pages.
pub fn serve(
    address: SocketAddr,
    pool: DbPool,
    mailer: Arc<Mailer>,
) -> Result<(u16, Server), ServeError> {
    let handle = recorder().map_err(ServeError::Recorder)?;
    let listener = TcpListener::bind(address)?;
    let port = listener.local_addr()?.port();
    let scraped = web::Data::new(Scraped {
        handle,
        pool,
        mailer,
    });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(scraped.clone())
            .route("/metrics", web::get().to(scrape))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok((port, server))
}
