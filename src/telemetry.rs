//! Logging: one line per request, as text or JSON, every line of a request carrying its ID.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A request's reference: in each of its log lines, its `X-Request-Id` answer and its error
/// page, so support can find the lines of the page a user saw.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl RequestId {
    fn new() -> RequestId {
        use rand::Rng;
        let id: u64 = rand::thread_rng().gen();
        RequestId(format!("{id:016x}"))
    }

    /// A proxy's ID, if it is one Portico can put in a log line and a header unchanged.
    fn given(value: &HeaderValue) -> Option<RequestId> {
        let text = value.to_str().ok()?;
        let fits = (1..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        fits.then(|| RequestId(text.to_owned()))
    }
}

/// Middleware, outermost: gives the request its ID (a trusted proxy's `X-Request-Id`, else a
/// new one), runs it inside a span that names the ID, and answers with the ID.
pub async fn with_request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let trusted = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|state| state.client_addresses.from_trusted_proxy(req.request()));
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .filter(|_| trusted)
        .and_then(RequestId::given)
        .unwrap_or_else(RequestId::new);
    req.extensions_mut().insert(id.clone());
    let span = tracing::info_span!("request", id = %id.0);
    let mut response = next.call(req).instrument(span).await?;
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(response)
}

/// `filter` is PORTICO_LOG: a level or tracing's directives; one it cannot read means "info".
pub fn init(format: LogFormat, filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    // A second init (tests build many apps in one process) keeps the first subscriber.
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Logs the route pattern rather than the path, so tokens in links never reach the log.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let outcome = next.call(req).await;
    let status = match &outcome {
        Ok(response) => response.status(),
        Err(error) => error.as_response_error().status_code(),
    };
    let elapsed = started.elapsed().as_secs_f64();
    tracing::info!(
        method = %method,
        route = %route,
        status = status.as_u16(),
        latency_ms = elapsed * 1000.0,
        "request"
    );
    metrics::counter!(
        "portico_http_requests_total",
        "route" => route.clone(),
        "method" => method.to_string(),
        "status" => status.as_u16().to_string()
    )
    .increment(1);
    metrics::histogram!(
        "portico_http_request_duration_seconds",
        "route" => route,
        "method" => method.to_string()
    )
    .record(elapsed);
    outcome
}
