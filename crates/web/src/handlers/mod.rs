//! Handlers, one module per area. Each is thin: extract, authorise (through
//! the actor's scope), call a service, render or redirect.

mod account;
mod children;
mod gallery;
mod health;
mod home;
mod learners;
mod mailbox;
mod people;
mod register;
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
        .route("/sign-in/code", get(sign_in::show_code).post(sign_in::submit_code))
        .route("/sign-in/code/new", post(sign_in::resend_code))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/demo/mailbox", get(mailbox::show))
        .route("/terms", get(account::show_terms).post(account::agree_terms))
        .route("/choose-authority", get(account::show_choose).post(account::choose))
        .route("/register", get(register::without_invitation))
        .route("/register/{token}", get(register::show).post(register::submit))
        .route("/forgot-password", get(register::show_forgot).post(register::forgot))
        .route("/reset-password/{token}", get(register::show_reset).post(register::reset))
        .route("/people", get(people::list))
        .route("/people/invite", get(people::show_invite).post(people::invite))
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
