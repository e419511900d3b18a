//! Synchronizer-token CSRF protection for every POST, in one middleware so no form is missed.

use actix_session::SessionExt;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::HttpMessage;
use futures_util::StreamExt;
use subtle::ConstantTimeEq;

use crate::auth::session;
use crate::error::AppError;

pub const FIELD: &str = "csrf_token";
/// Ordinary forms; a CSV upload has its own, larger limit.
pub const FORM_LIMIT_BYTES: usize = 256 * 1024;
pub const UPLOAD_LIMIT_BYTES: usize = 11 * 1024 * 1024;

/// A refused form is answered here as an error page (a response carrying the `AppError`, so
/// the middleware outside can still choose its layout).
pub async fn verify_csrf<B: MessageBody>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if req.method() != Method::POST {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    let limit = if is_multipart {
        UPLOAD_LIMIT_BYTES
    } else {
        FORM_LIMIT_BYTES
    };
    let body = match read_body(&mut req, limit).await {
        Ok(body) => body,
        Err(refusal) => return Ok(req.error_response(refusal).map_into_right_body()),
    };
    // A multipart body is not parsed here; its forms carry the token in the action's query.
    let submitted = if is_multipart {
        token_in(req.query_string().as_bytes())
    } else {
        token_in(&body)
    };
    let expected = session::stored_csrf_token(&req.get_session());
    let accepted = match (submitted, expected) {
        (Some(submitted), Some(expected)) => {
            bool::from(submitted.as_bytes().ct_eq(expected.as_bytes()))
        }
        _ => false,
    };
    if !accepted {
        return Ok(req
            .error_response(AppError::CsrfRejected)
            .map_into_right_body());
    }
    req.set_payload(payload_of(body));
    Ok(next.call(req).await?.map_into_left_body())
}

fn token_in(urlencoded: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(urlencoded)
        .find(|(key, _)| key == FIELD)
        .map(|(_, value)| value.into_owned())
}

async fn read_body(req: &mut ServiceRequest, limit: usize) -> Result<Bytes, AppError> {
    let too_large = AppError::PayloadTooLarge {
        limit_kib: limit / 1024,
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(too_large);
    }
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| {
            AppError::BadRequest(format!("The form could not be read: {error}"))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn payload_of(body: Bytes) -> actix_web::dev::Payload {
    actix_web::dev::Payload::from(body)
}
