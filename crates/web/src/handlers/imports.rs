//! Imports for the Virtual School's administrator: upload a file, read
//! what the dry run found (choosing an LA CSV's columns), then import it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use std::collections::HashMap;

use openpep_domain::la_csv::LA_FIELDS;
use openpep_service::FieldErrors;
use openpep_service::imports::{ImportKind, ImportUpload, ImportView, MAX_IMPORT_BYTES, Mapping};
use openpep_service::invitations::FormError;
use openpep_service::profile::uk_time;

use crate::components::{Cell, Choice, SummaryRow, Table};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/imports.html")]
pub struct ImportsPage {
    layout: Layout,
    errors: FieldErrors,
    kinds: Vec<Choice>,
    kind: String,
    recent: Table,
    max_mb: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/import.html")]
pub struct ImportPage {
    layout: Layout,
    view: ImportView,
    summary: Vec<SummaryRow>,
    problems: Table,
    changes: Table,
    /// For an LA CSV: each field with the file's columns to choose from.
    fields: Vec<(String, String, Vec<Choice>, String)>,
}

fn kind_choices() -> Vec<Choice> {
    ImportKind::ALL.iter().map(|k| Choice::new(k.code(), k.label()).with_hint(k.hint())).collect()
}

fn status_text(status: &str) -> &'static str {
    match status {
        "imported" => "Imported",
        "refused" => "Not imported: rows refused",
        _ => "Checked (dry run)",
    }
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    errors: FieldErrors,
    kind: String,
) -> Result<ImportsPage, AppError> {
    let recent = state.services.recent_imports(&user.actor).await?;
    let rows = recent
        .iter()
        .map(|r| {
            let kind = ImportKind::from_code(&r.kind).map_or("", |k| k.label());
            vec![
                Cell::link(r.file_name.clone(), format!("/imports/{}", r.id)),
                Cell::text(kind),
                Cell::text(uk_time(r.created_at)),
                Cell::text(status_text(&r.status)),
                Cell::text(r.rows_created.to_string()).numeric_cell(),
                Cell::text(r.rows_updated.to_string()).numeric_cell(),
                Cell::text(r.rows_refused.to_string()).numeric_cell(),
            ]
        })
        .collect();
    Ok(ImportsPage {
        layout: Layout::for_user(user, "Import data", "/settings")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        kinds: kind_choices(),
        kind,
        recent: Table {
            caption: "Recent imports".into(),
            caption_size: "m",
            head: ["File", "What it holds", "Checked", "Status", "Created", "Updated", "Refused"]
                .map(String::from)
                .to_vec(),
            rows,
            csrf: String::new(),
        },
        max_mb: MAX_IMPORT_BYTES / (1024 * 1024),
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<ImportsPage, AppError> {
    list_page(&state, &user, FieldErrors::default(), String::new()).await
}

/// Reads the form as it streams in, keeping at most the limit of the
/// file's bytes.
async fn read_upload(mut multipart: Multipart) -> Option<ImportUpload> {
    let mut sent = ImportUpload::default();
    while let Some(mut field) = multipart.next_field().await.ok()? {
        match field.name() {
            Some("kind") => sent.kind = field.text().await.ok()?,
            Some("file") => {
                sent.file_name = field.file_name().unwrap_or_default().to_owned();
                (sent.bytes, sent.too_large) =
                    super::documents::read_capped(&mut field, MAX_IMPORT_BYTES).await?;
            }
            _ => {}
        }
    }
    Some(sent)
}

pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Result<Response, AppError> {
    state.services.authorise(&user.actor, openpep_domain::AuthorityAction::ImportData)?;
    let Some(sent) = read_upload(multipart).await else {
        return Ok(crate::error::too_large("/imports"));
    };
    let kind = sent.kind.clone();
    match state.services.check_import(&user.actor, sent).await {
        Ok(id) => Ok(Redirect::to(&format!("/imports/{id}")).into_response()),
        Err(FormError::Invalid(errors)) => {
            let p = list_page(&state, &user, errors, kind).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

pub async fn report(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<ImportPage, AppError> {
    let id = super::id_or_404(&id)?;
    let view = state.services.import_view(&user.actor, id).await?;
    let r = &view.report;
    let summary = vec![
        SummaryRow::new("File", view.record.file_name.clone()),
        SummaryRow::new("What it holds", view.kind.label()),
        SummaryRow::new("Status", status_text(&view.record.status)),
        SummaryRow::new("Rows read", r.rows.to_string()),
        SummaryRow::new("New records", r.created.to_string()),
        SummaryRow::new("Records changed", r.updated.to_string()),
        SummaryRow::new("Unchanged", r.unchanged.to_string()),
        SummaryRow::new("Left as they are", r.skipped.to_string()),
        SummaryRow::new("Refused", r.refused.to_string()),
    ];
    let problems = Table {
        caption: "Rows refused".into(),
        caption_size: "m",
        head: ["Line", "Row", "Column", "Why"].map(String::from).to_vec(),
        rows: r
            .problems
            .iter()
            .map(|p| {
                vec![
                    Cell::text(p.line.to_string()).heading(),
                    Cell::text(p.key.clone()),
                    Cell::text(if p.column.is_empty() { "Whole row" } else { p.column.as_str() }),
                    Cell::text(p.reason.clone()),
                ]
            })
            .collect(),
        csrf: String::new(),
    };
    let changes = Table {
        caption: "Rows that create or change records".into(),
        caption_size: "m",
        head: ["Line", "Row", "Outcome", "What changes"].map(String::from).to_vec(),
        rows: r
            .changes
            .iter()
            .map(|c| {
                let outcome = match c.outcome.as_str() {
                    "created" => "New",
                    "updated" => "Changed",
                    _ => "Left as it is",
                };
                vec![
                    Cell::text(c.line.to_string()).heading(),
                    Cell::text(c.key.clone()),
                    Cell::text(outcome),
                    Cell::text(c.fields.join(", ")),
                ]
            })
            .collect(),
        csrf: String::new(),
    };
    let mut columns = vec![Choice::new("", "Not in the file")];
    columns.extend(view.report.header.iter().map(|h| Choice::new(h.clone(), h.clone())));
    let fields = if view.kind == ImportKind::LaChildren && view.record.status == "checked" {
        LA_FIELDS
            .iter()
            .map(|f| {
                let chosen = view.report.columns.get(f.key).cloned().unwrap_or_default();
                let label =
                    if f.required { f.label.to_owned() } else { format!("{} (optional)", f.label) };
                (format!("map-{}", f.key), label, columns.clone(), chosen)
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ImportPage {
        layout: Layout::for_user(&user, "Import", "/settings").dev(state.config.dev_mode),
        view,
        summary,
        problems,
        changes,
        fields,
    })
}

pub async fn remap(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let id = super::id_or_404(&id)?;
    let mapping: Mapping = form
        .into_iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("map-")?.to_owned(), v)))
        .filter(|(k, _)| LA_FIELDS.iter().any(|f| f.key == k))
        .collect();
    state.services.remap_import(&user.actor, id, mapping).await?;
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

pub async fn run(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = super::id_or_404(&id)?;
    state.services.run_checked_import(&user.actor, id).await?;
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}
