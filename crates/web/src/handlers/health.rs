//! Probes for load balancers and orchestrators.

use axum::extract::State;
use axum::http::StatusCode;

use crate::AppState;

/// The process is up.
pub async fn alive() -> (StatusCode, &'static str) {
    (StatusCode::OK, "ok")
}

/// The process can reach its database.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.services.db.ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}
