//! The stylesheet and the script, built into the binary and answered from memory: no file is
//! opened or stat'ed per request (actix-files did both, and a binary moved away from its
//! source folder served no stylesheet at all). An ETag lets browsers revalidate for a 304.

use std::sync::LazyLock;

use actix_web::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::error::AppError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: [Asset; 2] = [
    Asset {
        name: "portico.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../static/portico.css"),
    },
    Asset {
        name: "portico.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/portico.js"),
    },
];

/// Each asset's ETag, in `ASSETS` order: a digest of its bytes, so it changes with them.
static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| {
            let digest = Sha256::digest(asset.body);
            let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
            format!("\"{hex}\"")
        })
        .collect()
});

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/static/{name}")
            .route(web::get().to(asset))
            .route(web::head().to(asset)),
    );
}

async fn asset(request: HttpRequest, name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (asset, etag) = ASSETS
        .iter()
        .zip(ETAGS.iter())
        .find(|(asset, _)| asset.name == name.as_str())
        .ok_or(AppError::NotFound)?;
    let revalidating = request
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    // Revalidated on every use: the addresses carry no version, so a long max-age would keep
    // last release's stylesheet after an upgrade.
    let mut response = if revalidating {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((ETAG, etag.as_str()))
        .insert_header((CACHE_CONTROL, "no-cache"));
    if revalidating {
        return Ok(response.finish());
    }
    Ok(response
        .content_type(asset.content_type)
        .body(web::Bytes::from_static(asset.body)))
}
