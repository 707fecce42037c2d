//! Downloads in bulk for the Virtual School: a term's signed-off PEPs as
//! one zip, every child's data as CSV or XLSX, and (for the administrator)
//! everything held about one young person.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use futures_util::StreamExt;
use openpep_service::FieldErrors;
use openpep_service::exports::{TermChoice, ZipDownload, safe_name};
use openpep_store::exports::CohortRow;
use tokio::sync::mpsc;

use super::dashboard::csv_line;
use crate::components::Choice;
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/exports.html")]
pub struct ExportsPage {
    layout: Layout,
    errors: FieldErrors,
    terms: Vec<Choice>,
    term: String,
}

#[derive(serde::Deserialize, Default)]
pub struct TermQuery {
    #[serde(default)]
    term: String,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    term: String,
    errors: FieldErrors,
) -> Result<ExportsPage, AppError> {
    let terms = state.services.export_terms(&user.actor).await?;
    let term = if term.is_empty() {
        terms.first().map(TermChoice::code).unwrap_or_default()
    } else {
        term
    };
    Ok(ExportsPage {
        layout: Layout::for_user(user, "Download data", "/exports").dev(state.config.dev_mode),
        errors,
        terms: terms.iter().map(|t| Choice::new(t.code(), t.label())).collect(),
        term,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<ExportsPage, AppError> {
    page(&state, &user, String::new(), FieldErrors::default()).await
}

/// A stream of chunks as a download.
fn download(file_name: &str, content_type: &str, body: Body) -> Response {
    let name = safe_name(file_name).replace(' ', "-");
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

fn zip_response(zip: ZipDownload) -> Response {
    // Fused: the compression layer may poll once more after the end.
    let chunks = futures_util::stream::unfold(zip.bytes, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    })
    .fuse();
    download(&zip.file_name, "application/zip", Body::from_stream(chunks))
}

pub async fn term_pdfs(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<TermQuery>,
) -> Result<Response, AppError> {
    if query.term.is_empty() {
        // No term chosen yet (the form's own address): the form.
        return Ok(page(&state, &user, String::new(), FieldErrors::default())
            .await?
            .into_response());
    }
    let offered = state.services.export_terms(&user.actor).await?;
    let Some(choice) = TermChoice::from_code(&query.term).filter(|c| offered.contains(c)) else {
        let mut errors = FieldErrors::default();
        errors.add("term", "Choose a term from the list");
        let mut response = page(&state, &user, query.term, errors).await?.into_response();
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    };
    Ok(zip_response(state.services.term_pdfs_zip(&user.actor, choice).await?))
}

const COHORT_HEAD: [&str; 19] = [
    "Child ID",
    "First name",
    "Last name",
    "Date of birth",
    "Gender",
    "Ethnicity",
    "UPN",
    "Legal status",
    "Entered care",
    "Left care",
    "SEN provision",
    "School URN",
    "School",
    "Social worker",
    "PEP academic year",
    "PEP term",
    "PEP status",
    "PEP due",
    "PEP signed off",
];

fn cohort_cells(r: CohortRow) -> [String; 19] {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let text = |t: Option<String>| t.unwrap_or_default();
    [
        text(r.la_child_id),
        r.forename,
        r.surname,
        r.date_of_birth.to_string(),
        r.gender,
        text(r.ethnicity),
        text(r.upn),
        text(r.legal_status),
        date(r.entered_care_on),
        date(r.left_care_on),
        text(r.sen_provision),
        r.school_urn.map(|u| u.to_string()).unwrap_or_default(),
        text(r.school_name),
        text(r.social_worker),
        r.pep_academic_year.map(|y| y.to_string()).unwrap_or_default(),
        text(r.pep_term),
        text(r.pep_status),
        date(r.pep_due_on),
        date(r.pep_signed_off_at.map(|t| t.date_naive())),
    ]
}

pub async fn cohort(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(format): Path<String>,
) -> Result<Response, AppError> {
    let format = match format.as_str() {
        "cohort.csv" => "csv",
        "cohort.xlsx" => "xlsx",
        _ => return Err(AppError::NotFound),
    };
    let rows = state.services.cohort_rows(&user.actor, format).await?;
    let name = format!("openpep-cohort-{}.{format}", state.services.clock.today());
    if format == "csv" {
        // Each line leaves as the database returns its row.
        let head = csv_line(COHORT_HEAD.into_iter());
        // A failure part-way cuts the connection: never a short file
        // passed off as whole.
        let lines = futures_util::stream::unfold(rows, |mut rows| async move {
            let line = match rows.recv().await? {
                Ok(row) => Ok(csv_line(cohort_cells(row).iter().map(String::as_str))),
                Err(e) => {
                    tracing::error!(error = %e, "the cohort export failed part-way");
                    Err(std::io::Error::other("the cohort export failed"))
                }
            };
            Some((line, rows))
        });
        let body =
            futures_util::stream::once(async { Ok::<_, std::io::Error>(head) }).chain(lines).fuse();
        return Ok(download(&name, "text/csv; charset=utf-8", Body::from_stream(body)));
    }
    let bytes =
        cohort_xlsx(rows).await.map_err(|e| AppError::Internal(format!("spreadsheet: {e}")))?;
    Ok(download(
        &name,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Body::from(bytes),
    ))
}

/// The cohort as a workbook: rows go to a temporary file as they arrive
/// (constant memory), dates as dates, then the file is sent whole.
async fn cohort_xlsx(
    mut rows: mpsc::Receiver<Result<CohortRow, openpep_store::StoreError>>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name("Children")?;
    for (col, head) in COHORT_HEAD.iter().enumerate() {
        sheet.set_column_width(col as u16, 16)?;
        sheet.write_with_format(0, col as u16, *head, &bold)?;
    }
    let at = |head: &str| {
        let column = COHORT_HEAD.iter().position(|h| *h == head).unwrap_or(COHORT_HEAD.len());
        u16::try_from(column).unwrap_or(u16::MAX)
    };
    let [born, entered, left, due, signed] =
        ["Date of birth", "Entered care", "Left care", "PEP due", "PEP signed off"].map(at);
    let (urn_column, year_column) = (at("School URN"), at("PEP academic year"));
    let mut r = 0u32;
    while let Some(row) = rows.recv().await {
        // A failure part-way: no workbook, never a short one.
        let row = row.map_err(|e| rust_xlsxwriter::XlsxError::CustomError(e.to_string()))?;
        r += 1;
        let dates = [
            (born, Some(row.date_of_birth)),
            (entered, row.entered_care_on),
            (left, row.left_care_on),
            (due, row.pep_due_on),
            (signed, row.pep_signed_off_at.map(|t| t.date_naive())),
        ];
        let (urn, year) = (row.school_urn, row.pep_academic_year);
        for (c, cell) in cohort_cells(row).into_iter().enumerate() {
            let c = c as u16;
            if let Some((_, Some(day))) = dates.iter().find(|(col, _)| *col == c) {
                let serial = ExcelDateTime::from_ymd(
                    u16::try_from(chrono::Datelike::year(day)).unwrap_or(1900),
                    u8::try_from(chrono::Datelike::month(day)).unwrap_or(1),
                    u8::try_from(chrono::Datelike::day(day)).unwrap_or(1),
                )?;
                sheet.write_datetime_with_format(r, c, &serial, &date_format)?;
            } else if c == urn_column
                && let Some(urn) = urn
            {
                sheet.write_number(r, c, f64::from(urn))?;
            } else if c == year_column
                && let Some(year) = year
            {
                sheet.write_number(r, c, f64::from(year))?;
            } else if !cell.is_empty() {
                sheet.write_string(r, c, &cell)?;
            }
        }
    }
    workbook.save_to_buffer()
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/child_records.html")]
pub struct ChildRecordsPage {
    layout: Layout,
    name: String,
    child_id: String,
    back: String,
}

pub async fn show_child_records(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<ChildRecordsPage, AppError> {
    let id = super::id_or_404(&id)?;
    let child = state
        .services
        .child_for(&user.actor, id, openpep_domain::Action::ExportChildRecords)
        .await?;
    Ok(ChildRecordsPage {
        // The title stays out of browser history: no name in it.
        layout: Layout::for_user(&user, "Everything held about a child", "/children")
            .dev(state.config.dev_mode),
        name: format!(
            "{} {}",
            child.preferred_name.as_deref().unwrap_or(&child.forename),
            child.surname
        ),
        child_id: child.id.to_string(),
        back: format!("/children/{}", child.id),
    })
}

pub async fn child_records(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = super::id_or_404(&id)?;
    Ok(zip_response(state.services.child_records_zip(&user.actor, id).await?))
}
