//! The authority's PEP template: see the current version, download any
//! version, upload a changed one (TOML or JSON), which is checked line by
//! line and becomes the next version. PEPs keep the version they began with.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use openpep_service::FieldErrors;
use openpep_service::pep_templates::{UploadError, Uploaded};
use openpep_service::profile::uk_time;
use serde::Deserialize;

use crate::components::{Cell, SummaryRow, Table};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/template.html")]
pub struct TemplatePage {
    layout: Layout,
    errors: FieldErrors,
    /// Each problem with the uploaded file, by line and key.
    problems: Vec<String>,
    file_name: String,
    banner: Option<String>,
    summary: Vec<SummaryRow>,
    sections: Vec<(String, Vec<String>)>,
    versions: Table,
    current_version: i64,
}

#[derive(Deserialize, Default)]
pub struct TemplateQuery {
    #[serde(default)]
    uploaded: Option<i64>,
    #[serde(default)]
    unchanged: Option<i64>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    errors: FieldErrors,
    problems: Vec<String>,
    file_name: String,
    banner: Option<String>,
) -> Result<TemplatePage, AppError> {
    let (template, version, _) = state.services.current_template(user.actor.la_id).await?;
    let (settings, _) = state.services.authority_settings(user.actor.la_id).await?;
    let versions = state.services.template_versions(&user.actor).await?;
    let pages = template.sections.iter().map(|s| s.pages.len()).sum::<usize>();
    let sections = template
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let letter =
                settings.section_letters.get(i).cloned().unwrap_or_else(|| (i + 1).to_string());
            (format!("{letter}. {}", s.title), s.pages.iter().map(|p| p.title.clone()).collect())
        })
        .collect();
    let rows = versions
        .iter()
        .map(|v| {
            vec![
                Cell::text(format!("Version {}", v.version)).heading(),
                Cell::text(v.name.clone()),
                Cell::text(
                    v.uploaded_by_name.clone().unwrap_or_else(|| "OpenPEP (the default)".into()),
                ),
                Cell::text(uk_time(v.created_at)),
                Cell::text(v.pep_count.to_string()),
                Cell::link(
                    format!("Download version {}", v.version),
                    format!("/settings/template/{}", v.version),
                ),
            ]
        })
        .collect();
    Ok(TemplatePage {
        layout: Layout::for_user(user, "PEP template", "/settings")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        problems,
        file_name,
        banner,
        summary: vec![
            SummaryRow::new("Name", template.name.clone()),
            SummaryRow::new(
                "Version",
                if version == 0 {
                    "The default (not yet changed)".to_owned()
                } else {
                    version.to_string()
                },
            ),
            SummaryRow::new(
                "Sections and pages",
                format!("{} sections, {pages} pages", template.sections.len()),
            ),
        ],
        sections,
        versions: Table {
            caption: "Versions".into(),
            caption_size: "m",
            head: ["Version", "Name", "Uploaded by", "Uploaded", "PEPs using it", "File"]
                .map(String::from)
                .to_vec(),
            rows,
            csrf: String::new(),
        },
        current_version: version,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TemplateQuery>,
) -> Result<TemplatePage, AppError> {
    let banner = match (q.uploaded, q.unchanged) {
        (Some(v), _) => {
            Some(format!("Version {v} of the template was saved. New PEPs will use it."))
        }
        (None, Some(v)) => {
            Some(format!("The file is the same as version {v}: nothing was changed."))
        }
        _ => None,
    };
    page(&state, &user, FieldErrors::default(), Vec::new(), String::new(), banner).await
}

pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let mut file_name = String::new();
    let mut source = String::new();
    let mut not_text = false;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("template") {
            file_name = field.file_name().unwrap_or_default().to_owned();
            match field.bytes().await {
                Ok(bytes) => match String::from_utf8(bytes.to_vec()) {
                    Ok(text) => source = text,
                    Err(_) => not_text = !bytes.is_empty(),
                },
                Err(_) => not_text = true,
            }
        }
    }
    let result = if not_text {
        Err(UploadError::NoFile("The selected file must be a text file in TOML or JSON".into()))
    } else if file_name.is_empty() {
        Err(UploadError::NoFile("Select a template file".into()))
    } else {
        state.services.upload_template(&user.actor, &file_name, &source).await
    };
    match result {
        Ok(Uploaded::NewVersion(v)) => {
            Ok(Redirect::to(&format!("/settings/template?uploaded={v}")).into_response())
        }
        Ok(Uploaded::Unchanged(v)) => {
            Ok(Redirect::to(&format!("/settings/template?unchanged={v}")).into_response())
        }
        Err(UploadError::NoFile(message)) => {
            let mut errors = FieldErrors::default();
            errors.add("template", message);
            let p = page(&state, &user, errors, Vec::new(), file_name, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(UploadError::Invalid(problems)) => {
            let mut errors = FieldErrors::default();
            let count = problems.len();
            errors.add(
                "template",
                format!(
                    "{file_name} has {count} problem{}: fix {} and upload it again",
                    if count == 1 { "" } else { "s" },
                    if count == 1 { "it" } else { "them" }
                ),
            );
            let problems = problems.iter().map(ToString::to_string).collect();
            let p = page(&state, &user, errors, problems, file_name, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(UploadError::Service(e)) => Err(e.into()),
    }
}

pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(version): Path<String>,
) -> Result<Response, AppError> {
    let version: i64 = version.parse().map_err(|_| AppError::NotFound)?;
    let (source, format) = if version == 0 {
        state.services.authorise(&user.actor, openpep_domain::AuthorityAction::ManageTemplates)?;
        let (_, _, source) = state.services.current_template(user.actor.la_id).await?;
        (source, "toml".to_owned())
    } else {
        let stored = state.services.template_source(&user.actor, version).await?;
        (stored.source, stored.format)
    };
    let content_type = if format == "json" {
        "application/json; charset=utf-8"
    } else {
        "application/toml; charset=utf-8"
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"pep-template-v{version}.{format}\""),
            ),
        ],
        source,
    )
        .into_response())
}
