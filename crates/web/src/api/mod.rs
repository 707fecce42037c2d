//! The JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/v1/openapi.json` (generated from these handlers with utoipa).
//!
//! Every call carries a bearer token the Virtual School's administrator
//! made (Settings → API tokens): it is checked, counted against its
//! per-minute limit and audited (`api.called`, with the route, status and
//! the child when the call is about one) before and after the handler.
//! Errors are RFC 9457 problem details, with a JSON pointer per field.

mod children;
mod peps;
mod problem;
mod writes;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use openpep_domain::Role;
use openpep_service::Actor;
use openpep_service::api_tokens::{ApiCaller, ApiRefusal};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use uuid::Uuid;

pub use problem::Problem;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "OpenPEP API",
        description = "Children in care, their Personal Education Plans, targets and funding, for one local authority's Virtual School. Authenticate with a bearer token made in Settings → API tokens.",
        version = "1.0.0"
    ),
    paths(
        children::list, children::read, writes::create_child, writes::update_child,
        peps::list, peps::read, peps::status, peps::targets, peps::funding,
        writes::put_attendance, writes::put_school,
    ),
    components(schemas(Problem, problem::FieldProblem)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "children", description = "The authority's children in care"),
        (name = "peps", description = "Personal Education Plans, their targets, funding and attendance"),
        (name = "schools", description = "Schools, as GIAS describes them"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API's routes: no session, no cookies, no CSRF (a bearer token is
/// not sent by a browser on its own).
pub fn routes(state: AppState) -> Router<AppState> {
    let api = Router::new()
        .route("/children", get(children::list).post(writes::create_child))
        .route("/children/{id}", get(children::read).patch(writes::update_child))
        .route("/attendance", put(writes::put_attendance))
        .route("/schools/{urn}", put(writes::put_school))
        .route("/peps", get(peps::list))
        .route("/peps/{id}", get(peps::read))
        .route("/peps/{id}/status", get(peps::status))
        .route("/peps/{id}/targets", get(peps::targets))
        .route("/peps/{id}/funding", get(peps::funding))
        .fallback(|| async { Problem::not_found() })
        .layer(axum::middleware::from_fn_with_state(state, authenticate));
    Router::new().route("/api/v1/openapi.json", get(openapi_json)).nest("/api/v1", api)
}

async fn openapi_json() -> Response {
    let mut response = Json(ApiDoc::openapi()).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Who a call acts as: the token, and the administrator who made it, as
/// they stand in the authority now (a token stops working when its maker
/// is deactivated or is no longer the authority's administrator).
#[derive(Debug, Clone)]
pub struct ApiActor {
    pub caller: ApiCaller,
    pub actor: Actor,
}

/// The child a call was about, for its audit row.
#[derive(Debug, Clone, Copy)]
pub struct AboutChild(pub Uuid);

/// `body` as the answer to a call about `child` (its audit row says so).
fn about(child: Uuid, body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    response.extensions_mut().insert(AboutChild(child));
    response
}

async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    let caller = match state.services.authenticate_api(&bearer).await {
        Ok(caller) => caller,
        Err(ApiRefusal::Unauthenticated) => return Problem::unauthenticated().into_response(),
        Err(ApiRefusal::RateLimited { retry_after }) => {
            return Problem::rate_limited(retry_after).into_response();
        }
        Err(ApiRefusal::Unavailable) => return Problem::unavailable().into_response(),
    };
    let request_id = request
        .headers()
        .get(crate::REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Some(actor) = acting(&state, &caller, request_id).await else {
        return Problem::unauthenticated().into_response();
    };
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD);
    if writes && !caller.scope.may_write() {
        return Problem::forbidden(
            "This token may only read: make a read and write token to change records",
        )
        .into_response();
    }
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    request.extensions_mut().insert(ApiActor { caller: caller.clone(), actor: actor.clone() });
    let response = next.run(request).await;
    let child = response.extensions().get::<AboutChild>().map(|c| c.0);
    let status = response.status().as_u16();
    if let Err(error) = state
        .services
        .record_api_call(&actor, caller.token_id, &method, &route, status, child)
        .await
    {
        tracing::error!(error = %error, "an API call could not be audited");
    }
    response
}

async fn acting(state: &AppState, caller: &ApiCaller, request_id: Option<String>) -> Option<Actor> {
    let db = &state.services.db;
    if !openpep_store::users::get(db, caller.made_by).await.ok()?.is_active {
        return None;
    }
    let memberships = openpep_store::users::current_memberships(db, caller.made_by).await.ok()?;
    // One person may hold several roles in an authority: the token acts
    // in the administrator's.
    let membership = memberships
        .into_iter()
        .find(|m| m.la_id == caller.la_id && m.role == Role::VsAdmin.code())?;
    let role = Role::VsAdmin;
    Some(Actor {
        user_id: caller.made_by,
        membership_id: membership.id,
        la_id: caller.la_id,
        role,
        school_id: None,
        request_id,
    })
}

/// How many rows a list call gives: 50 unless `per_page` (1 to 200) says.
const PER_PAGE: u32 = 50;

/// The `page` and `per_page` of a list call, or a problem naming them.
fn paging(
    query: &std::collections::HashMap<String, String>,
) -> Result<openpep_store::PageRequest, Problem> {
    let mut errors = Vec::new();
    let mut number = |name: &str, default: u32, max: u32| match query.get(name) {
        None => default,
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                errors.push(Problem::field(
                    &format!("#/query/{name}"),
                    format!("Give a whole number from 1 to {max}"),
                ));
                default
            }
        },
    };
    let page = number("page", 1, 1_000_000);
    let per_page = number("per_page", PER_PAGE, 200);
    if errors.is_empty() {
        Ok(openpep_store::PageRequest::new(page, per_page))
    } else {
        Err(Problem::invalid(errors))
    }
}
