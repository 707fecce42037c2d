//! Handlers, one module per area. Each is thin: extract, authorise (through
//! the actor's scope), call a service, render or redirect.

mod children;
mod gallery;
mod health;
mod home;
mod learners;
mod sign_in;

use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};

use crate::{AppState, assets};

/// Routes that need the session (everything but assets and probes).
pub fn routes(_state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/sign-in", get(sign_in::show).post(sign_in::submit))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/learners", get(learners::show))
        .route("/children/{id}", get(children::show))
        .route("/components", get(gallery::show))
}

/// Routes that never touch a session.
pub fn public_routes() -> Router<AppState> {
    Router::new()
        .route("/assets/{name}", get(assets::serve))
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
}

pub async fn not_found() -> Response {
    crate::error::not_found()
}
