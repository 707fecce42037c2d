//! A PEP's documents: the list, the upload form, and downloads. The file's
//! type is told from its bytes by the service; here the form is read,
//! keeping at most one byte past the limit of a file that is too large.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use openpep_domain::pages::DocumentKind;
use openpep_domain::template::PageKind;
use openpep_domain::upload::{FileType, MAX_UPLOAD_BYTES};
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
    file_hint: String,
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
                        FileType::from_content_type(&d.content_type)
                            .map_or("File", FileType::label),
                        size_text(d.size_bytes)
                    )),
                    Cell::text(format!("{} by {}", uk_time(d.uploaded_at), d.uploaded_by_name)),
                ]
            })
            .collect(),
        csrf: String::new(),
    })
}

pub(crate) fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes / 1024).max(1))
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    at: PepRef,
    errors: FieldErrors,
    typed: (String, String),
    uploaded: bool,
) -> Result<DocumentsPage, AppError> {
    let view = state.services.open_pep_page_of_kind(&user.actor, at, PageKind::Documents).await?;
    let child_name = view.child.full_name();
    let base = view.path();
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
        kinds: view.upload_kinds().iter().map(|k| Choice::new(k.code(), k.label())).collect(),
        kind: typed.0,
        title: typed.1,
        uploaded,
        file_hint: format!(
            "A PDF, Word document (DOCX), JPG or PNG, smaller than {} MB",
            MAX_UPLOAD_BYTES / (1024 * 1024)
        ),
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

/// Reads the upload form as it streams in, keeping at most the limit of
/// the file's bytes (the rest is read and dropped, so that the form can say
/// the file is too large). A body cut short or over the request's limit is
/// `None`.
pub(crate) async fn read_form(mut multipart: Multipart) -> Option<NewDocument> {
    let mut sent = NewDocument::default();
    while let Some(mut field) = multipart.next_field().await.ok()? {
        match field.name() {
            Some("kind") => sent.kind = field.text().await.ok()?,
            Some("title") => sent.title = field.text().await.ok()?,
            Some("file") => {
                sent.file_name = field.file_name().unwrap_or_default().to_owned();
                (sent.bytes, sent.too_large) = read_capped(&mut field, MAX_UPLOAD_BYTES).await?;
            }
            _ => {}
        }
    }
    Some(sent)
}

/// A file field's bytes as they stream in, and whether there were more
/// than `limit` (then none are kept, and the rest is read and dropped so
/// the form can say why). `None` when the body is cut short.
pub(crate) async fn read_capped(
    field: &mut axum::extract::multipart::Field<'_>,
    limit: usize,
) -> Option<(Vec<u8>, bool)> {
    let (mut bytes, mut too_large) = (Vec::new(), false);
    while let Some(chunk) = field.chunk().await.ok()? {
        if bytes.len() + chunk.len() > limit {
            too_large = true;
            bytes = Vec::new();
        }
        if !too_large {
            bytes.extend_from_slice(&chunk);
        }
    }
    Some((bytes, too_large))
}

pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    // Who may upload is known before the file is read.
    state.services.may_upload_document(&user.actor, at).await?;
    let Some(sent) = read_form(multipart).await else {
        return Ok(crate::error::too_large(&format!("/children/{id}/peps/{pep}/documents")));
    };
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

/// `attachment; filename="…"`, with the UTF-8 name as `filename*` when it
/// is not plain ASCII (the name was made safe when stored: no quotes, no
/// paths, no control characters).
fn content_disposition(name: &str) -> String {
    if name.is_ascii() {
        return format!("attachment; filename=\"{name}\"");
    }
    let fallback: String = name.chars().map(|c| if c.is_ascii() { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, document)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let child_id = super::id_or_404(&id)?;
    let document_id = super::id_or_404(&document)?;
    let file = state.services.download_document(&user.actor, child_id, document_id).await?;
    Ok(file_response(file))
}

/// A file to save: its type, its name, and never kept in a shared cache.
pub(crate) fn file_response(file: openpep_service::documents::Download) -> Response {
    let disposition = content_disposition(&file.file_name);
    (
        [
            (header::CONTENT_TYPE, file.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        file.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_beyond_ascii_are_sent_encoded() {
        assert_eq!(content_disposition("plan.pdf"), "attachment; filename=\"plan.pdf\"");
        assert_eq!(
            content_disposition("Zoë plan.pdf"),
            "attachment; filename=\"Zo_ plan.pdf\"; filename*=UTF-8''Zo%C3%AB%20plan.pdf"
        );
    }
}
