//! The API's writes: a child (created or updated by the council's id),
//! attendance into the current PEP, a school by URN. Each goes through
//! the same checks, matching and audit as a one-row import of its kind,
//! so the API and the files never disagree about what is valid.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use openpep_service::imports::{ImportKind, ImportReport};
use openpep_store::children;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::children::ChildOut;
use super::problem::responses::{Invalid, NotFound, ReadOnly, Refused};
use super::problem::{FieldProblem, Problem};
use super::{ApiActor, about};
use crate::AppState;

/// A child as the council's system sends them. Fields left out (or empty)
/// keep what OpenPEP holds; a child new to OpenPEP needs names, date of
/// birth and sex.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildIn {
    /// The council's own id for the child (SSDA903 CHILD): how the child
    /// is matched.
    #[serde(default)]
    pub la_child_id: Option<String>,
    #[serde(default)]
    pub forename: Option<String>,
    #[serde(default)]
    pub surname: Option<String>,
    #[serde(default)]
    pub preferred_name: Option<String>,
    /// YYYY-MM-DD (or DD/MM/YYYY).
    #[serde(default)]
    #[schema(pattern = r"^(|\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4})$")]
    pub date_of_birth: Option<String>,
    /// female, male, 1 (male), 2 (female), M or F.
    #[serde(default)]
    #[schema(pattern = r"^(|female|male|other|girl|boy|unknown|not known|1|2|[MFUmfu])$")]
    pub sex: Option<String>,
    /// A DfE ethnicity code, e.g. WBRI.
    #[serde(default)]
    pub ethnicity: Option<String>,
    /// The unique pupil number (its check letter is checked).
    #[serde(default)]
    #[schema(pattern = r"^(|[A-Za-z][0-9]{11}[0-9A-Za-z])$")]
    pub upn: Option<String>,
    /// The school the child attends, by URN, and from when (YYYY-MM-DD).
    #[serde(default)]
    #[schema(pattern = r"^(|[0-9]{6,7})$")]
    pub school_urn: Option<String>,
    #[serde(default)]
    #[schema(pattern = r"^(|\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4})$")]
    pub school_start: Option<String>,
}

/// Each field, the import column it fills and its JSON pointer.
const CHILD_FIELDS: [(&str, &str); 10] = [
    ("CHILD", "/la_child_id"),
    ("FORENAME", "/forename"),
    ("SURNAME", "/surname"),
    ("PREFERRED_NAME", "/preferred_name"),
    ("DOB", "/date_of_birth"),
    ("SEX", "/sex"),
    ("ETHNIC", "/ethnicity"),
    ("UPN", "/upn"),
    ("SCHOOL_URN", "/school_urn"),
    ("SCHOOL_START", "/school_start"),
];

impl ChildIn {
    /// The import needs every row whole: what a change leaves out (or
    /// empty) is what is held.
    fn filled_from(self, held: &children::Child) -> ChildIn {
        fn given(v: Option<String>) -> Option<String> {
            v.filter(|v| !v.trim().is_empty())
        }
        ChildIn {
            forename: given(self.forename).or(Some(held.forename.clone())),
            surname: given(self.surname).or(Some(held.surname.clone())),
            date_of_birth: given(self.date_of_birth).or(Some(held.date_of_birth.to_string())),
            sex: given(self.sex).or(Some(held.gender.clone())),
            ..self
        }
    }

    fn values(&self) -> [Option<&String>; 10] {
        [
            self.la_child_id.as_ref(),
            self.forename.as_ref(),
            self.surname.as_ref(),
            self.preferred_name.as_ref(),
            self.date_of_birth.as_ref(),
            self.sex.as_ref(),
            self.ethnicity.as_ref(),
            self.upn.as_ref(),
            self.school_urn.as_ref(),
            self.school_start.as_ref(),
        ]
    }
}

/// Attendance sessions for a period, into the child's current PEP.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceIn {
    #[schema(pattern = r"^[A-Za-z][0-9]{11}[0-9A-Za-z]$")]
    pub upn: String,
    /// YYYY-MM-DD (or DD/MM/YYYY).
    #[schema(pattern = r"^(\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4})$")]
    pub from: String,
    /// YYYY-MM-DD (or DD/MM/YYYY), not before `from`.
    #[schema(pattern = r"^(\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4})$")]
    pub to: String,
    #[schema(maximum = 500)]
    pub possible: u32,
    /// With `authorised` and `unauthorised`, no more than `possible`.
    #[schema(maximum = 500)]
    pub attended: u32,
    #[schema(maximum = 500)]
    pub authorised: u32,
    #[schema(maximum = 500)]
    pub unauthorised: u32,
}

/// A school as GIAS describes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchoolIn {
    /// The three-digit code of the LA the school is in.
    #[schema(pattern = r"^[0-9]{3}$")]
    pub la_code: String,
    /// The establishment number (four digits), for the LAESTAB.
    #[serde(default)]
    #[schema(pattern = r"^(|[0-9]{1,4})$")]
    pub establishment_number: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// GIAS TypeOfEstablishment (name).
    pub establishment_type: String,
    /// GIAS PhaseOfEducation (name).
    pub phase: String,
    /// GIAS EstablishmentStatus (name): "Open…" is open, anything else closed.
    pub status: String,
    #[serde(default)]
    pub postcode: Option<String>,
    #[serde(default)]
    pub ofsted_rating: Option<String>,
}

/// What a write did.
#[derive(Debug, Serialize, ToSchema)]
pub struct WriteOutcome {
    /// created, updated, unchanged or skipped.
    pub outcome: String,
    /// The fields an update changed, or why a row was skipped.
    pub fields: Vec<String>,
}

fn body<T: serde::de::DeserializeOwned>(
    json: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<T, Problem> {
    let value = json
        .map(|Json(v)| v)
        .map_err(|rejection| Problem::invalid(vec![Problem::field("", rejection.body_text())]))?;
    if !value.is_object() {
        return Err(Problem::invalid(vec![Problem::field("", "The body must be a JSON object")]));
    }
    serde_json::from_value(value)
        .map_err(|e| Problem::invalid(vec![Problem::field("", e.to_string())]))
}

/// The report's refusal as a problem, each column as its field's pointer.
fn refused(report: &ImportReport, pointers: &[(&str, &str)]) -> Option<Problem> {
    if report.importable() {
        return None;
    }
    let mut errors: Vec<FieldProblem> = report
        .problems
        .iter()
        .map(|p| {
            let pointer = pointers
                .iter()
                .find(|(column, _)| column.eq_ignore_ascii_case(&p.column))
                .map_or("", |(_, pointer)| pointer);
            Problem::field(pointer, p.reason.clone())
        })
        .collect();
    errors.extend(report.file_problems.iter().map(|p| Problem::field("", p.clone())));
    Some(Problem::invalid(errors))
}

fn outcome(report: &ImportReport) -> WriteOutcome {
    let change = report.changes.first();
    let outcome = if report.skipped > 0 {
        "skipped"
    } else if report.created > 0 {
        "created"
    } else if report.updated > 0 {
        "updated"
    } else {
        "unchanged"
    };
    WriteOutcome {
        outcome: outcome.into(),
        fields: change.map(|c| c.fields.clone()).unwrap_or_default(),
    }
}

/// Creates a child, or updates the one the council's id names.
#[utoipa::path(
    post, path = "/api/v1/children", tag = "children", operation_id = "create_child",
    request_body = ChildIn,
    responses(
        (status = 201, description = "The child was created", body = ChildOut),
        (status = 200, description = "The child was updated (or unchanged)", body = ChildOut),
        ReadOnly,
        Invalid,
        Refused,
    )
)]
pub async fn create_child(
    State(state): State<AppState>,
    Extension(api): Extension<ApiActor>,
    json: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Response, Problem> {
    let child: ChildIn = body(json)?;
    let Some(id) = child.la_child_id.clone().filter(|c| !c.trim().is_empty()) else {
        return Err(Problem::invalid(vec![Problem::field(
            "/la_child_id",
            "Give the council's id for the child",
        )]));
    };
    let held = children::by_la_child_id(&state.services.db, api.actor.la_id, id.trim()).await?;
    let child = match &held {
        Some(held) => child.filled_from(held),
        None => child,
    };
    write_child(&state, &api, &child, id.trim()).await
}

/// Changes a child: only the fields given.
#[utoipa::path(
    patch, path = "/api/v1/children/{id}", tag = "children", operation_id = "update_child",
    params(("id" = uuid::Uuid, Path, description = "The child's id")),
    request_body = ChildIn,
    responses(
        (status = 200, description = "The child, as changed", body = ChildOut),
        ReadOnly,
        NotFound,
        Invalid,
        Refused,
    )
)]
pub async fn update_child(
    State(state): State<AppState>,
    Extension(api): Extension<ApiActor>,
    Path(id): Path<String>,
    json: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Response, Problem> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| Problem::not_found())?;
    let held =
        state.services.child_for(&api.actor, id, openpep_domain::Action::EditChildProfile).await?;
    let child: ChildIn = body(json)?;
    let Some(council_id) = held.la_child_id.clone() else {
        return Err(Problem::invalid(vec![Problem::field(
            "/la_child_id",
            "This child has no id from the council's system yet: send them with it to POST /api/v1/children",
        )]));
    };
    if child.la_child_id.as_ref().is_some_and(|c| c.trim() != council_id) {
        return Err(Problem::invalid(vec![Problem::field(
            "/la_child_id",
            "The council's id for a child cannot be changed",
        )]));
    }
    write_child(&state, &api, &child.filled_from(&held), &council_id).await
}

async fn write_child(
    state: &AppState,
    api: &ApiActor,
    child: &ChildIn,
    council_id: &str,
) -> Result<Response, Problem> {
    let mut row: Vec<(&str, String)> = Vec::new();
    for ((column, _), value) in CHILD_FIELDS.iter().zip(child.values()) {
        let value = if *column == "CHILD" { Some(council_id.to_owned()) } else { value.cloned() };
        row.push((column, value.unwrap_or_default()));
    }
    let report = state.services.import_one(&api.actor, ImportKind::LaChildren, &row).await?;
    if let Some(problem) = refused(&report, &CHILD_FIELDS) {
        return Err(problem);
    }
    let saved = children::by_la_child_id(&state.services.db, api.actor.la_id, council_id)
        .await?
        .ok_or_else(Problem::internal)?;
    let status = if report.created > 0 { StatusCode::CREATED } else { StatusCode::OK };
    Ok(about(saved.id, (status, Json(ChildOut::from(saved.clone())))))
}

const ATTENDANCE_FIELDS: [(&str, &str); 7] = [
    ("UPN", "/upn"),
    ("FROM", "/from"),
    ("TO", "/to"),
    ("POSSIBLE", "/possible"),
    ("ATTENDED", "/attended"),
    ("AUTHORISED", "/authorised"),
    ("UNAUTHORISED", "/unauthorised"),
];

/// Writes a period's attendance into the child's current PEP (found by
/// UPN). A PEP already signed off is left as it is ("skipped").
#[utoipa::path(
    put, path = "/api/v1/attendance", tag = "peps", operation_id = "put_attendance",
    request_body = AttendanceIn,
    responses(
        (status = 200, description = "What was done", body = WriteOutcome),
        ReadOnly,
        Invalid,
        Refused,
    )
)]
pub async fn put_attendance(
    State(state): State<AppState>,
    Extension(api): Extension<ApiActor>,
    json: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<WriteOutcome>, Problem> {
    let a: AttendanceIn = body(json)?;
    let row = [
        ("UPN", a.upn),
        ("FROM", a.from),
        ("TO", a.to),
        ("POSSIBLE", a.possible.to_string()),
        ("ATTENDED", a.attended.to_string()),
        ("AUTHORISED", a.authorised.to_string()),
        ("UNAUTHORISED", a.unauthorised.to_string()),
    ];
    let report = state.services.import_one(&api.actor, ImportKind::Attendance, &row).await?;
    if let Some(problem) = refused(&report, &ATTENDANCE_FIELDS) {
        return Err(problem);
    }
    Ok(Json(outcome(&report)))
}

const SCHOOL_FIELDS: [(&str, &str); 9] = [
    ("URN", "#/path/urn"),
    ("LA (code)", "/la_code"),
    ("EstablishmentNumber", "/establishment_number"),
    ("EstablishmentName", "/name"),
    ("TypeOfEstablishment (name)", "/establishment_type"),
    ("PhaseOfEducation (name)", "/phase"),
    ("EstablishmentStatus (name)", "/status"),
    ("Postcode", "/postcode"),
    ("OfstedRating (name)", "/ofsted_rating"),
];

/// Creates or updates a school by its URN.
#[utoipa::path(
    put, path = "/api/v1/schools/{urn}", tag = "schools", operation_id = "put_school",
    description = "Schools are shared by every authority: a token creates and changes only the schools in its own authority's area (LA code).",
    params(("urn" = String, Path, description = "The school's six-digit URN", pattern = r"^[0-9]{6}$")),
    request_body = SchoolIn,
    responses(
        (status = 200, description = "What was done", body = WriteOutcome),
        ReadOnly,
        Invalid,
        Refused,
    )
)]
pub async fn put_school(
    State(state): State<AppState>,
    Extension(api): Extension<ApiActor>,
    Path(urn): Path<String>,
    json: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<WriteOutcome>, Problem> {
    let s: SchoolIn = body(json)?;
    // Schools are shared by every authority: a token changes only the
    // schools in its own authority's area.
    let db = &state.services.db;
    let own = openpep_store::authorities::get(db, api.actor.la_id).await?.code;
    if s.la_code.trim() != own {
        return Err(Problem::invalid(vec![Problem::field(
            "/la_code",
            format!(
                "Give this authority's code, {own}: a token changes only its own area's schools"
            ),
        )]));
    }
    if let Ok(held_urn) = urn.parse::<i32>()
        && let Some(held) = openpep_store::schools::by_urn(db, held_urn).await?
        && held.la_code != own
    {
        return Err(Problem::forbidden(
            "This school is in another authority's area: that authority keeps it",
        ));
    }
    let row = [
        ("URN", urn),
        ("LA (code)", s.la_code),
        ("EstablishmentNumber", s.establishment_number.unwrap_or_default()),
        ("EstablishmentName", s.name),
        ("TypeOfEstablishment (name)", s.establishment_type),
        ("PhaseOfEducation (name)", s.phase),
        ("EstablishmentStatus (name)", s.status),
        ("Postcode", s.postcode.unwrap_or_default()),
        ("OfstedRating (name)", s.ofsted_rating.unwrap_or_default()),
    ];
    let report = state.services.import_one(&api.actor, ImportKind::Schools, &row).await?;
    if let Some(problem) = refused(&report, &SCHOOL_FIELDS) {
        return Err(problem);
    }
    Ok(Json(outcome(&report)))
}
