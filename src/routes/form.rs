//! Form bodies with repeated keys (`ids=1&ids=2`), which `web::Form` cannot read.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::AppError;

pub struct HtmlForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for HtmlForm<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body.await.map_err(|error| {
                AppError::BadRequest(format!("The form could not be read: {error}."))
            })?;
            serde_html_form::from_bytes(&body)
                .map(HtmlForm)
                .map_err(|error| {
                    AppError::BadRequest(format!("The form could not be read: {error}."))
                })
        })
    }
}
