//! `/api/v1/children`: the authority's children in care.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Extension, Json};
use chrono::{DateTime, NaiveDate, Utc};
use openpep_domain::Action;
use openpep_store::children::{self, Child};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::problem::Problem;
use super::problem::responses::{Invalid, NotFound, Refused};
use super::{ApiActor, about, paging};
use crate::AppState;

/// A child in care, as the authority holds them.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildOut {
    pub id: Uuid,
    /// The council's own id (SSDA903 CHILD), when known.
    pub la_child_id: Option<String>,
    pub forename: String,
    pub surname: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: NaiveDate,
    /// female, male or other.
    pub gender: String,
    pub ethnicity: Option<String>,
    /// N (none), K (SEN support) or E (an EHC plan).
    pub sen_provision: Option<String>,
    pub upn: Option<String>,
    pub upn_unknown_reason: Option<String>,
    pub uln: Option<String>,
    pub legal_status: Option<String>,
    pub entered_care_on: Option<NaiveDate>,
    /// Changes each time the record does.
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl From<Child> for ChildOut {
    fn from(c: Child) -> ChildOut {
        ChildOut {
            id: c.id,
            la_child_id: c.la_child_id,
            forename: c.forename,
            surname: c.surname,
            preferred_name: c.preferred_name,
            date_of_birth: c.date_of_birth,
            gender: c.gender,
            ethnicity: c.ethnicity,
            sen_provision: c.sen_provision,
            upn: c.upn,
            upn_unknown_reason: c.upn_unknown_reason,
            uln: c.uln,
            legal_status: c.legal_status,
            entered_care_on: c.entered_care_on,
            version: c.version,
            updated_at: c.updated_at,
        }
    }
}

/// A page of children.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildPage {
    pub items: Vec<ChildOut>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

/// The authority's children, by surname, a page at a time.
#[utoipa::path(
    get, path = "/api/v1/children", tag = "children", operation_id = "list_children",
    params(
        ("page" = Option<u32>, Query, description = "From 1", minimum = 1),
        ("per_page" = Option<u32>, Query, description = "1 to 200; 50 if not given", minimum = 1, maximum = 200),
    ),
    responses(
        (status = 200, description = "A page of children", body = ChildPage),
        Invalid,
        Refused,
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Extension(api): Extension<ApiActor>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<ChildPage>, Problem> {
    let page = paging(&query)?;
    let found = children::page_for_authority(&state.services.db, api.actor.la_id, page).await?;
    Ok(Json(ChildPage {
        items: found.rows.into_iter().map(ChildOut::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total: found.total,
    }))
}

/// One child.
#[utoipa::path(
    get, path = "/api/v1/children/{id}", tag = "children", operation_id = "read_child",
    params(("id" = Uuid, Path, description = "The child's id")),
    responses(
        (status = 200, description = "The child", body = ChildOut),
        NotFound,
        Refused,
    )
)]
pub async fn read(
    State(state): State<AppState>,
    Extension(api): Extension<ApiActor>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = Uuid::parse_str(&id).map_err(|_| Problem::not_found())?;
    let child = state.services.child_for(&api.actor, id, Action::ViewChildRecord).await?;
    Ok(about(id, Json(ChildOut::from(child))))
}
