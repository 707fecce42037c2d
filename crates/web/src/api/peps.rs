//! `/api/v1/peps`: Personal Education Plans, with their status, targets
//! and funding requests.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, NaiveDate, Utc};
use openpep_domain::{Action, PepStatus, Term};
use openpep_store::peps::{self, Pep, PepFilter};
use openpep_store::{funding, targets};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::problem::responses::{Invalid, NotFound, Refused};
use super::problem::{FieldProblem, Problem};
use super::{ApiActor, about, paging};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct PepOut {
    pub id: Uuid,
    pub child_id: Uuid,
    /// The year the academic year starts in (2026 for 2026/27).
    pub academic_year: i32,
    /// autumn, spring or summer.
    pub term: String,
    /// termly, initial or placement_change.
    pub reason: String,
    pub status: String,
    pub due_on: NaiveDate,
    pub meeting_at: Option<DateTime<Utc>>,
    pub signed_off_at: Option<DateTime<Utc>>,
    pub school_id: Option<Uuid>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl From<Pep> for PepOut {
    fn from(p: Pep) -> PepOut {
        PepOut {
            id: p.id,
            child_id: p.child_id,
            academic_year: p.academic_year,
            term: p.term,
            reason: p.reason,
            status: p.status,
            due_on: p.due_on,
            meeting_at: p.meeting_at,
            signed_off_at: p.signed_off_at,
            school_id: p.school_id,
            version: p.version,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PepPage {
    pub items: Vec<PepOut>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

/// Where a PEP stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct PepStatusOut {
    pub id: Uuid,
    pub status: String,
    /// The status in words, as people see it.
    pub status_label: String,
    pub due_on: NaiveDate,
    /// Past its due date and not yet signed off.
    pub overdue: bool,
    pub signed_off_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionOut {
    /// Who does it (a role's code), and their name or exact role.
    pub who: String,
    pub who_name: String,
    pub what: String,
    pub how_often: String,
    pub by_when: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetOut {
    pub id: Uuid,
    pub position: i64,
    /// The area of need's code.
    pub area: String,
    pub description: String,
    pub starting_point: String,
    pub success_measure: String,
    pub due_on: Option<NaiveDate>,
    pub due_label: String,
    pub status: String,
    pub actions: Vec<ActionOut>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FundingOut {
    pub id: Uuid,
    pub target_id: Uuid,
    /// The fund, e.g. pp_plus.
    pub source: String,
    pub purchase: String,
    pub category: String,
    /// Asked for, in pence.
    pub amount_pence: i64,
    pub status: String,
    pub approved_pence: Option<i64>,
    pub decision_note: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
}

fn parsed<T: std::str::FromStr>(
    query: &HashMap<String, String>,
    name: &str,
    errors: &mut Vec<FieldProblem>,
    why: &str,
) -> Option<T> {
    let text = query.get(name)?;
    let value = text.parse().ok();
    if value.is_none() {
        errors.push(Problem::field(&format!("#/query/{name}"), why));
    }
    value
}

/// The authority's PEPs, newest due first, a page at a time.
#[utoipa::path(
    get, path = "/api/v1/peps", tag = "peps", operation_id = "list_peps",
    params(
        ("child_id" = Option<Uuid>, Query, description = "Only this child's (not found if the child is not this authority's)"),
        ("academic_year" = Option<i32>, Query, description = "The year the academic year starts in"),
        ("term" = Option<String>, Query, description = "autumn, spring or summer"),
        ("status" = Option<String>, Query, description = "A status code, e.g. signed_off"),
        ("page" = Option<u32>, Query, description = "From 1", minimum = 1),
        ("per_page" = Option<u32>, Query, description = "1 to 200; 50 if not given", minimum = 1, maximum = 200),
    ),
    responses(
        (status = 200, description = "A page of PEPs", body = PepPage),
        Invalid,
        NotFound,
        Refused,
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Extension(api): Extension<ApiActor>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let mut errors = Vec::new();
    let page = paging(&query).map_err(|p| errors.extend(p.errors)).ok();
    let child_id = parsed::<Uuid>(&query, "child_id", &mut errors, "Give a child's id");
    let academic_year =
        parsed::<i32>(&query, "academic_year", &mut errors, "Give a year, e.g. 2026");
    let term = query.get("term").cloned();
    if term.as_deref().is_some_and(|t| Term::from_code(t).is_none()) {
        errors.push(Problem::field("#/query/term", "Give autumn, spring or summer"));
    }
    let status = query.get("status").cloned();
    if status.as_deref().is_some_and(|s| PepStatus::from_code(s).is_none()) {
        errors.push(Problem::field("#/query/status", "Give a PEP status code, e.g. signed_off"));
    }
    let Some(page) = page.filter(|_| errors.is_empty()) else {
        return Err(Problem::invalid(errors));
    };
    if let Some(child) = child_id {
        state.services.child_for(&api.actor, child, Action::ViewPep).await?;
    }
    let filter = PepFilter { child_id, academic_year, term, status };
    let found =
        peps::page_for_authority(&state.services.db, api.actor.la_id, &filter, page).await?;
    let body = Json(PepPage {
        items: found.rows.into_iter().map(PepOut::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total: found.total,
    });
    // A list of one child's PEPs is in that child's access log.
    Ok(match child_id {
        Some(child) => about(child, body),
        None => body.into_response(),
    })
}

/// The PEP, if the token's administrator may see it.
async fn pep_of(state: &AppState, api: &ApiActor, id: &str) -> Result<Pep, Problem> {
    let id = Uuid::parse_str(id).map_err(|_| Problem::not_found())?;
    let pep = peps::get(&state.services.db, api.actor.la_id, id).await?;
    state.services.child_for(&api.actor, pep.child_id, Action::ViewPep).await?;
    Ok(pep)
}

/// One PEP.
#[utoipa::path(
    get, path = "/api/v1/peps/{id}", tag = "peps", operation_id = "read_pep",
    params(("id" = Uuid, Path, description = "The PEP's id")),
    responses(
        (status = 200, description = "The PEP", body = PepOut),
        NotFound,
        Refused,
    )
)]
pub async fn read(
    State(state): State<AppState>,
    Extension(api): Extension<ApiActor>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let pep = pep_of(&state, &api, &id).await?;
    Ok(about(pep.child_id, Json(PepOut::from(pep))))
}

/// Where a PEP stands: its status, due date and whether it is late.
#[utoipa::path(
    get, path = "/api/v1/peps/{id}/status", tag = "peps", operation_id = "pep_status",
    params(("id" = Uuid, Path, description = "The PEP's id")),
    responses(
        (status = 200, description = "The PEP's status", body = PepStatusOut),
        NotFound,
        Refused,
    )
)]
pub async fn status(
    State(state): State<AppState>,
    Extension(api): Extension<ApiActor>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let pep = pep_of(&state, &api, &id).await?;
    let status = PepStatus::from_code(&pep.status);
    let complete = status.is_some_and(PepStatus::is_complete);
    let out = PepStatusOut {
        id: pep.id,
        status_label: status.map_or_else(|| pep.status.clone(), |s| s.label().to_owned()),
        status: pep.status,
        due_on: pep.due_on,
        overdue: !complete && pep.due_on < state.services.clock.today(),
        signed_off_at: pep.signed_off_at,
    };
    Ok(about(pep.child_id, Json(out)))
}

/// The PEP's SMART targets, in order, with their actions.
#[utoipa::path(
    get, path = "/api/v1/peps/{id}/targets", tag = "peps", operation_id = "pep_targets",
    params(("id" = Uuid, Path, description = "The PEP's id")),
    responses(
        (status = 200, description = "The PEP's targets", body = Vec<TargetOut>),
        NotFound,
        Refused,
    )
)]
pub async fn targets(
    State(state): State<AppState>,
    Extension(api): Extension<ApiActor>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let pep = pep_of(&state, &api, &id).await?;
    let rows = targets::for_pep(&state.services.db, api.actor.la_id, pep.id).await?;
    let out: Vec<TargetOut> = rows
        .into_iter()
        .map(|t| TargetOut {
            id: t.id,
            position: t.position,
            area: t.area,
            description: t.description,
            starting_point: t.starting_point,
            success_measure: t.success_measure,
            due_on: t.due_on,
            due_label: t.due_label,
            status: t.status,
            actions: t
                .actions
                .0
                .into_iter()
                .map(|a| ActionOut {
                    who: a.who,
                    who_name: a.who_name,
                    what: a.what,
                    how_often: a.how_often,
                    by_when: a.by_when,
                })
                .collect(),
            updated_at: t.updated_at,
        })
        .collect();
    Ok(about(pep.child_id, Json(out)))
}

/// The funding requests (Pupil Premium Plus and others) made for the
/// PEP's targets, with the Virtual School's decisions.
#[utoipa::path(
    get, path = "/api/v1/peps/{id}/funding", tag = "peps", operation_id = "pep_funding",
    params(("id" = Uuid, Path, description = "The PEP's id")),
    responses(
        (status = 200, description = "The PEP's funding requests", body = Vec<FundingOut>),
        NotFound,
        Refused,
    )
)]
pub async fn funding(
    State(state): State<AppState>,
    Extension(api): Extension<ApiActor>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let pep = pep_of(&state, &api, &id).await?;
    let rows = funding::for_pep(&state.services.db, api.actor.la_id, pep.id).await?;
    let out: Vec<FundingOut> = rows
        .into_iter()
        .map(|r| FundingOut {
            id: r.id,
            target_id: r.target_id,
            source: r.source,
            purchase: r.purchase,
            category: r.category,
            amount_pence: r.amount_pence,
            status: r.status,
            approved_pence: r.approved_pence,
            decision_note: r.decision_note,
            submitted_at: r.submitted_at,
            decided_at: r.decided_at,
        })
        .collect();
    Ok(about(pep.child_id, Json(out)))
}
