//! CSRF protection for every state-changing request: the Origin header, if
//! sent, must be this site, and the form must carry the token of the
//! session (or, before sign-in, of the CSRF cookie).

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::forbidden;
use crate::session::LoadedSession;

pub const CSRF_COOKIE: &str = "openpep_csrf";
pub const CSRF_FIELD: &str = "_csrf";
const CSRF_HEADER: &str = "x-csrf-token";
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The cookie that carries the pre-sign-in CSRF token.
pub fn csrf_cookie(token: String, tls: bool) -> Cookie<'static> {
    Cookie::build((CSRF_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(tls)
        .build()
}

pub async fn verify(
    State(_state): State<AppState>,
    jar: CookieJar,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    if !same_origin(&request) {
        return forbidden();
    }
    let expected = match request
        .extensions()
        .get::<LoadedSession>()
        .and_then(|s| s.0.clone())
    {
        Some(session) => Some(session.csrf_token.clone()),
        None => jar.get(CSRF_COOKIE).map(|c| c.value().to_owned()),
    };
    let Some(expected) = expected.filter(|t| !t.is_empty()) else {
        return forbidden();
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return forbidden();
    };
    let sent = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| form_urlencoded_field(&bytes, CSRF_FIELD));
    let matches = sent.is_some_and(|sent| bool::from(sent.as_bytes().ct_eq(expected.as_bytes())));
    if !matches {
        return forbidden();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find_map(|(k, v)| (k == name).then_some(v))
}

/// A browser says where a form came from; it must be this host.
fn same_origin(request: &Request) -> bool {
    let Some(origin) = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let Some(host) = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(origin);
    origin_host.eq_ignore_ascii_case(host)
}
