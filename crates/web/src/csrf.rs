//! CSRF protection for every state-changing request: the request must come
//! from this service (Origin, Sec-Fetch-Site), and the form must carry the
//! token of the session (or, before sign-in, of the CSRF cookie).

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use futures_util::StreamExt;
use subtle::ConstantTimeEq;

use crate::error::{form_expired, too_large};
use crate::session::LoadedSession;
use crate::{AppState, WebConfig, body_limit};

pub const CSRF_COOKIE: &str = "openpep_csrf";
pub const CSRF_FIELD: &str = "_csrf";
const CSRF_HEADER: &str = "x-csrf-token";

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
    State(state): State<AppState>,
    jar: CookieJar,
    request: Request,
    next: Next,
) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    if !same_origin(&request, &state.config) {
        return form_expired();
    }
    let loaded = request.extensions().get::<LoadedSession>().cloned();
    let (session, stale) = loaded.map_or((None, false), |l| (l.session, l.stale_cookie));
    // The session ended while a page was open: say so and ask them to sign
    // in again, rather than refuse the form as if it were forged.
    if session.is_none() && stale {
        let target = if request.uri().path() == "/sign-out" {
            "/sign-in?signed_out=1"
        } else {
            "/sign-in?timed_out=1"
        };
        return Redirect::to(target).into_response();
    }
    let expected = match session {
        Some(session) => Some(session.csrf_token.clone()),
        None => jar.get(CSRF_COOKIE).map(|c| c.value().to_owned()),
    };
    let Some(expected) = expected.filter(|t| !t.is_empty()) else {
        return form_expired();
    };
    let (parts, body) = request.into_parts();
    let limit = body_limit(parts.uri.path());
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return too_large(parts.uri.path());
    }
    let header_token =
        parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    // An upload is not held in memory here: its token comes first, so its
    // start is read, and the rest streams on to the handler.
    let (sent, body) = if is_multipart(&parts) && header_token.is_none() {
        let (start, rest) = match split_start(body).await {
            Ok(split) => split,
            Err(()) => return form_expired(),
        };
        // The token must come within the window, whatever the chunk sizes.
        let window = start.slice(..start.len().min(TOKEN_WINDOW));
        let sent = multipart_field(&parts, &window, CSRF_FIELD).await;
        (sent, limited(start, rest, limit))
    } else {
        let Ok(bytes) = to_bytes(body, limit).await else {
            return too_large(parts.uri.path());
        };
        let sent = header_token.or_else(|| form_urlencoded_field(&bytes, CSRF_FIELD));
        (sent, Body::from(bytes))
    };
    let matches = sent.is_some_and(|sent| bool::from(sent.as_bytes().ct_eq(expected.as_bytes())));
    if !matches {
        return form_expired();
    }
    next.run(Request::from_parts(parts, body)).await
}

/// How much of a multipart form is read to find its token.
const TOKEN_WINDOW: usize = 64 * 1024;

type BodyStream = axum::body::BodyDataStream;

/// The first `TOKEN_WINDOW` bytes (or more: whole chunks) of a body, and
/// the stream of the rest.
async fn split_start(body: Body) -> Result<(Bytes, BodyStream), ()> {
    let mut stream = body.into_data_stream();
    let mut start = Vec::new();
    while start.len() < TOKEN_WINDOW {
        match stream.next().await {
            Some(Ok(chunk)) => start.extend_from_slice(&chunk),
            Some(Err(_)) => return Err(()),
            None => break,
        }
    }
    Ok((Bytes::from(start), stream))
}

/// The body again, from its start and the rest, failing once it is
/// longer than `limit` bytes.
fn limited(start: Bytes, rest: BodyStream, limit: usize) -> Body {
    let mut seen = 0usize;
    let chunks = futures_util::stream::once(async move { Ok(start) }).chain(rest).map(
        move |chunk: Result<Bytes, axum::Error>| {
            let chunk = chunk?;
            seen = seen.saturating_add(chunk.len());
            if seen > limit {
                Err(axum::Error::new("the request body is too large"))
            } else {
                Ok(chunk)
            }
        },
    );
    Body::from_stream(chunks)
}

fn is_multipart(parts: &axum::http::request::Parts) -> bool {
    parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// A file upload's form: the token is a field before the file.
async fn multipart_field(
    parts: &axum::http::request::Parts,
    body: &axum::body::Bytes,
    name: &str,
) -> Option<String> {
    use axum::extract::FromRequest;
    let mut request = Request::new(Body::from(body.clone()));
    *request.headers_mut() = parts.headers.clone();
    let mut multipart = axum::extract::Multipart::from_request(request, &()).await.ok()?;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find_map(|(k, v)| (k == name).then_some(v))
}

/// A browser says where a form came from: it must be this service, as its
/// public URL names it (or, without one, this Host on this scheme).
fn same_origin(request: &Request, config: &WebConfig) -> bool {
    let headers = request.headers();
    if headers.get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site") {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let expected = match &config.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
                return false;
            };
            format!("{}://{host}", if config.tls { "https" } else { "http" })
        }
    };
    origin.eq_ignore_ascii_case(&expected)
}
