//! The web interface: the router, its middleware, the handlers (one module
//! per area, GET/POST pairs, Post/Redirect/Get), askama templates built
//! from typed GOV.UK components, and the embedded static assets.

pub mod api;
mod assets;
mod charts;
mod components;
mod csrf;
mod error;
mod extract;
mod handlers;
mod layout;
mod security;
mod session;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::HeaderName;
use openpep_service::Services;
use openpep_service::sessions::SessionPolicy;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use error::AppError;
pub use handlers::{Access, ROUTES, RouteSpec};

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The largest request body accepted (forms; uploads get their own limit).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The largest upload request: a file over the 20 MB limit still arrives
/// whole, so that the form can say what is wrong and keep what was typed.
pub const MAX_UPLOAD_BODY_BYTES: usize = 40 * 1024 * 1024;

/// Whether `path` takes file uploads (a PEP's documents).
pub fn is_upload(path: &str) -> bool {
    path == "/imports"
        || (path.starts_with("/children/") && path.ends_with("/documents"))
        || (path.starts_with("/notices/") && path.ends_with("/attachments"))
}

/// The body limit of a request to `path`: uploads get their own.
pub fn body_limit(path: &str) -> usize {
    if is_upload(path) { MAX_UPLOAD_BODY_BYTES } else { MAX_BODY_BYTES }
}

/// How the web layer behaves in this deployment.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Served over TLS (directly or behind a proxy): cookies get `Secure`
    /// and responses carry HSTS.
    pub tls: bool,
    /// Demo or development mode: shows the component gallery.
    pub dev_mode: bool,
    /// The address people reach the service at, e.g. `https://pep.example.gov.uk`:
    /// the only origin forms are accepted from. Without it, the request's Host.
    pub public_url: Option<String>,
    /// Behind a reverse proxy: take the client's address from the first
    /// `X-Forwarded-For` entry (sign-in throttling counts per address).
    pub trust_forwarded_for: bool,
    pub session: SessionPolicy,
}

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub config: Arc<WebConfig>,
}

/// The whole application as one axum router.
pub fn router(services: Services, config: WebConfig) -> Router {
    let state = AppState { services, config: Arc::new(config) };
    let app = handlers::routes()
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf::verify))
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::load))
        // Form and upload extractors: the CSRF check has already held every
        // form to its path's limit (see `body_limit`).
        .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_BODY_BYTES))
        .merge(handlers::public_routes())
        .merge(api::routes(state.clone()))
        .fallback(handlers::not_found)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(time_limit));
    app.layer(
        ServiceBuilder::new()
            // The request id goes into audit rows: never take the client's.
            .layer(axum::middleware::map_request(drop_client_request_id))
            .layer(SetRequestIdLayer::new(REQUEST_ID_HEADER, MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(trace_span)
                    .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
            )
            .layer(PropagateRequestIdLayer::new(REQUEST_ID_HEADER))
            .layer(CatchPanicLayer::custom(error::panic_response))
            .layer(axum::middleware::from_fn_with_state(state, security::headers))
            .layer(CompressionLayer::new())
            .layer(RequestBodyLimitLayer::new(MAX_UPLOAD_BODY_BYTES)),
    )
}

/// Requests get 30 seconds; an upload (20 MB on a slow connection) five
/// minutes.
async fn time_limit(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let seconds = if is_upload(request.uri().path()) { 300 } else { 30 };
    match tokio::time::timeout(Duration::from_secs(seconds), next.run(request)).await {
        Ok(response) => response,
        Err(_) => axum::http::StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

async fn drop_client_request_id(mut request: axum::extract::Request) -> axum::extract::Request {
    request.headers_mut().remove(&REQUEST_ID_HEADER);
    request
}

/// One span per request: method, route template and request id. Never the
/// full URL: a search query can hold a child's name.
fn trace_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let request_id =
        request.headers().get(&REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", method = %request.method(), route = %route, request_id = %request_id)
}
