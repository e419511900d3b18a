use actix_web::{web, HttpResponse};
use diesel::RunQueryDsl;

use crate::state::AppState;

/// Liveness: the process answers; deliberately touches nothing else.
pub async fn liveness() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// Readiness: the database answers a query.
pub async fn readiness(state: web::Data<AppState>) -> HttpResponse {
    let probe = state
        .db(|conn| {
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
        .await;
    match probe {
        Ok(()) => HttpResponse::Ok().content_type("text/plain").body("ready"),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unavailable")
        }
    }
}
