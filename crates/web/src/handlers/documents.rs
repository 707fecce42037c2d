//! A PEP's documents: the list, the upload form, and downloads. The file's
//! type is told from its bytes by the service; here the form is read,
//! keeping at most one byte past the limit of a file that is too large.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use openpep_domain::pages::DocumentKind;
use openpep_domain::upload::MAX_UPLOAD_BYTES;
use openpep_service::FieldErrors;
use openpep_service::documents::NewDocument;
use openpep_service::invitations::FormError;
use openpep_service::pep_editing::PepRef;
use openpep_service::profile::uk_time;
use openpep_store::documents::DocumentRow;
use uuid::Uuid;

use super::peps::{pep_ref, pep_title};
use crate::components::{Cell, Choice, Table};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/documents.html")]
pub struct DocumentsPage {
    layout: Layout,
    errors: FieldErrors,
    caption: String,
    back: String,
    action: String,
    table: Option<Table>,
    may_upload: bool,
    kinds: Vec<Choice>,
    kind: String,
    title: String,
    uploaded: bool,
}

/// The documents as a table, each title a download link.
pub fn documents_table(child_id: Uuid, documents: &[DocumentRow], caption: &str) -> Option<Table> {
    (!documents.is_empty()).then(|| Table {
        caption: caption.to_owned(),
        caption_size: "m",
        head: vec!["Document".into(), "What it is".into(), "File".into(), "Uploaded".into()],
        rows: documents
            .iter()
            .map(|d| {
                vec![
                    Cell {
                        href: Some(format!("/children/{child_id}/documents/{}", d.id)),
                        ..Cell::text(d.title.clone())
                    },
                    Cell::text(DocumentKind::from_code(&d.kind).map_or("Document", |k| k.label())),
                    Cell::text(format!(
                        "{}, {}",
                        type_label(&d.content_type),
                        size_text(d.size_bytes)
                    )),
                    Cell::text(format!("{} by {}", uk_time(d.uploaded_at), d.uploaded_by_name)),
                ]
            })
            .collect(),
        csrf: String::new(),
    })
}

fn type_label(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "PDF",
        "image/jpeg" => "JPG",
        "image/png" => "PNG",
        _ => "Word",
    }
}

fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes / 1024).max(1))
    }
}

fn kinds() -> Vec<Choice> {
    DocumentKind::ALL.iter().map(|k| Choice::new(k.code(), k.label())).collect()
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    at: PepRef,
    errors: FieldErrors,
    typed: (String, String),
    uploaded: bool,
) -> Result<DocumentsPage, AppError> {
    let view = state.services.open_pep_page_of_kind(&user.actor, at, "documents").await?;
    let child_name = format!("{} {}", view.child.forename, view.child.surname);
    let base = format!("/children/{}/peps/{}", view.child.id, view.pep.id);
    Ok(DocumentsPage {
        layout: Layout::for_user(user, &format!("Documents: {child_name}"), "/learners")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        caption: format!("{child_name}: {}", pep_title(&view)),
        action: format!("{base}/documents"),
        back: base,
        table: documents_table(view.child.id, &view.documents, "Documents for this PEP"),
        may_upload: view.may_upload(),
        kinds: kinds(),
        kind: typed.0,
        title: typed.1,
        uploaded,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    query: axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<DocumentsPage, AppError> {
    let at = pep_ref(&id, &pep)?;
    let uploaded = query.contains_key("uploaded");
    page(&state, &user, at, FieldErrors::default(), Default::default(), uploaded).await
}

/// Reads the upload form: the file's bytes up to one past the limit (the
/// rest is read and dropped, so the browser sees the answer).
async fn read_form(mut multipart: Multipart) -> NewDocument {
    let mut sent = NewDocument::default();
    while let Ok(Some(mut field)) = multipart.next_field().await {
        match field.name() {
            Some("kind") => sent.kind = field.text().await.unwrap_or_default(),
            Some("title") => sent.title = field.text().await.unwrap_or_default(),
            Some("file") => {
                sent.file_name = field.file_name().unwrap_or_default().to_owned();
                while let Ok(Some(chunk)) = field.chunk().await {
                    if sent.bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                        sent.too_large = true;
                        sent.bytes.clear();
                    }
                    if !sent.too_large {
                        sent.bytes.extend_from_slice(&chunk);
                    }
                }
            }
            _ => {}
        }
    }
    sent
}

pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let sent = read_form(multipart).await;
    let typed = (sent.kind.clone(), sent.title.clone());
    match state.services.upload_document(&user.actor, at, sent).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}/peps/{pep}/documents?uploaded=1"))
            .into_response()),
        Err(FormError::Invalid(errors)) => {
            let p = page(&state, &user, at, errors, typed, false).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, document)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let child_id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let document_id = Uuid::parse_str(&document).map_err(|_| AppError::NotFound)?;
    let file = state.services.download_document(&user.actor, child_id, document_id).await?;
    // The name is made safe when the file is stored: no quotes or paths.
    let disposition = format!("attachment; filename=\"{}\"", file.file_name);
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        file.bytes,
    )
        .into_response())
}
