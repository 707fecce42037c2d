//! Errors as RFC 9457 problem details (`application/problem+json`): a
//! type, a title, the status, what went wrong, and for a refused body each
//! field's JSON pointer with what is wrong with it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// One field of the request that is wrong.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    /// A JSON pointer to the field (RFC 6901), e.g. `/date_of_birth`, or
    /// a query parameter's name as `#/query/page`.
    pub pointer: String,
    pub detail: String,
}

/// A problem, as RFC 9457 describes it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    #[serde(skip)]
    retry_after: Option<i64>,
}

impl Problem {
    fn new(kind: &str, title: &str, status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("https://openpep.invalid/problems/{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn unauthenticated() -> Problem {
        Problem::new(
            "unauthenticated",
            "No valid token",
            StatusCode::UNAUTHORIZED,
            "Send a live API token as: Authorization: Bearer opep_…",
        )
    }

    pub fn rate_limited(retry_after: i64) -> Problem {
        Problem {
            retry_after: Some(retry_after),
            ..Problem::new(
                "rate-limited",
                "Too many calls",
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "This token made too many calls this minute: try again in {retry_after} seconds"
                ),
            )
        }
    }

    /// The service cannot answer now (its database): try again shortly.
    pub fn unavailable() -> Problem {
        Problem {
            retry_after: Some(30),
            ..Problem::new(
                "unavailable",
                "Try again shortly",
                StatusCode::SERVICE_UNAVAILABLE,
                "The service cannot answer now; nothing was changed",
            )
        }
    }

    pub fn forbidden(detail: &str) -> Problem {
        Problem::new("forbidden", "Not allowed", StatusCode::FORBIDDEN, detail)
    }

    pub fn not_found() -> Problem {
        Problem::new(
            "not-found",
            "Not found",
            StatusCode::NOT_FOUND,
            "There is no such record in this authority",
        )
    }

    pub fn internal() -> Problem {
        Problem::new(
            "internal",
            "Something went wrong",
            StatusCode::INTERNAL_SERVER_ERROR,
            "The call could not be completed; it was logged",
        )
    }

    /// A request with fields that are wrong, each by its pointer.
    pub fn invalid(errors: Vec<FieldProblem>) -> Problem {
        Problem {
            errors,
            ..Problem::new(
                "invalid",
                "The request has mistakes",
                StatusCode::UNPROCESSABLE_ENTITY,
                "See errors for each field that is wrong",
            )
        }
    }

    pub fn field(pointer: &str, detail: impl Into<String>) -> FieldProblem {
        FieldProblem { pointer: pointer.into(), detail: detail.into() }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after;
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            headers.insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<openpep_service::ServiceError> for Problem {
    fn from(e: openpep_service::ServiceError) -> Problem {
        use openpep_service::ServiceError as E;
        match e {
            E::NotFound => Problem::not_found(),
            E::Forbidden => Problem::forbidden("This token's administrator may not do this"),
            E::Unavailable(_) => {
                tracing::warn!(error = %e, "an API call found the database unavailable");
                Problem::unavailable()
            }
            E::Busy | E::Internal(_) => {
                tracing::error!(error = %e, "an API call failed");
                Problem::internal()
            }
        }
    }
}

impl From<openpep_store::StoreError> for Problem {
    fn from(e: openpep_store::StoreError) -> Problem {
        openpep_service::ServiceError::from(e).into()
    }
}

/// Responses the OpenAPI document lists for many operations. These types
/// only describe them: the handlers answer with [`Problem`].
#[allow(dead_code)]
pub mod responses {
    use super::Problem;

    /// The answers any call may get: no valid token, or too many calls.
    #[derive(utoipa::IntoResponses)]
    pub enum Refused {
        #[response(
            status = 401,
            description = "No valid token",
            content_type = "application/problem+json"
        )]
        Unauthenticated(Problem),
        #[response(
            status = 429,
            description = "Too many calls this minute (see Retry-After)",
            content_type = "application/problem+json"
        )]
        RateLimited(Problem),
    }

    /// No such record in the token's authority.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 404,
        description = "No such record in this authority",
        content_type = "application/problem+json"
    )]
    pub struct NotFound(Problem);

    /// A parameter or field is wrong: each named by its pointer.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 422,
        description = "A parameter or field is wrong",
        content_type = "application/problem+json"
    )]
    pub struct Invalid(Problem);

    /// The token may only read.
    #[derive(utoipa::IntoResponses)]
    #[response(
        status = 403,
        description = "The token may only read",
        content_type = "application/problem+json"
    )]
    pub struct ReadOnly(Problem);
}
