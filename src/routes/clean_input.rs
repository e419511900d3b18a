//! Control characters (NUL, the rest of C0 but tab, line feed and carriage return, and DEL) are
//! refused at the edge, in any address or form, before a handler or the database sees them:
//! no field takes them, and the databases choke on NUL.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::HttpMessage;
use futures_util::StreamExt;

use crate::auth::csrf::FORM_LIMIT_BYTES;
use crate::error::AppError;

const REFUSED: &str = "The request holds a control character (such as NUL) that no field accepts. Remove it and try again.";

pub async fn refuse_control_characters<B: MessageBody>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let refuse = |req: ServiceRequest| {
        Ok(req
            .error_response(AppError::BadRequest(REFUSED.to_owned()))
            .map_into_right_body())
    };
    if holds_control_characters(req.path().as_bytes())
        || holds_control_characters(req.query_string().as_bytes())
    {
        return refuse(req);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    if req.method() == Method::POST && is_form {
        let mut payload = req.take_payload();
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let Ok(chunk) = chunk else { break };
            body.extend_from_slice(&chunk);
            // Too large a form is the CSRF check's to refuse, with its own page.
            if body.len() > FORM_LIMIT_BYTES {
                break;
            }
        }
        let body: Bytes = body.freeze();
        if holds_control_characters(&body) {
            return refuse(req);
        }
        req.set_payload(actix_web::dev::Payload::from(body));
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Whether URL-encoded text (a path, a query, a form) decodes to a control character no
/// field takes.
fn holds_control_characters(urlencoded: &[u8]) -> bool {
    url::form_urlencoded::parse(urlencoded)
        .any(|(key, value)| key.chars().chain(value.chars()).any(is_refused_control))
}

fn is_refused_control(c: char) -> bool {
    c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r')
}

#[cfg(test)]
mod tests {
    use super::holds_control_characters;

    #[test]
    fn nul_and_escape_are_refused_but_line_breaks_and_tabs_pass() {
        assert!(holds_control_characters(b"q=a%00b"));
        assert!(holds_control_characters(b"name=%1b%5b31m"));
        assert!(!holds_control_characters(b"body=line%0D%0Anext%09tabbed"));
        assert!(!holds_control_characters(b"q=%C3%85ngstr%C3%B6m+%2B+plus"));
        assert!(holds_control_characters(b"/contacts/1%00"));
    }
}
