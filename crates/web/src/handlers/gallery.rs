//! The component gallery: every typed GOV.UK component with sample data.
//! Only in demo and development mode.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use openpep_service::FieldErrors;

use crate::components::{Cell, Pagination, SummaryRow, Table, Tag, TagColour};
use crate::extract::MaybeUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "pages/gallery.html")]
pub struct GalleryPage {
    layout: Layout,
    errors: FieldErrors,
    summary: Vec<SummaryRow>,
    table: Table,
    tags: Vec<Tag>,
    pagination: Pagination,
}

pub async fn show(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
) -> Result<GalleryPage, AppError> {
    if !state.config.dev_mode {
        return Err(AppError::NotFound);
    }
    let layout = match &user {
        Some(user) => Layout::for_user(user, "Component gallery", "/components"),
        None => Layout::plain("Component gallery"),
    };
    let mut errors = FieldErrors::default();
    errors.add(
        "gallery-upn",
        "Enter a UPN in the correct format, like A123456789012",
    );
    Ok(GalleryPage {
        layout: layout.dev(true),
        errors,
        summary: vec![
            SummaryRow::new("Name", "Sample Child"),
            SummaryRow::new("Year group", "Year 4").with_hint("Primary, Key stage 2"),
        ],
        table: Table {
            caption: "Sample table".into(),
            caption_size: "m",
            head: ["Name", "Status"].map(String::from).to_vec(),
            rows: vec![
                vec![
                    Cell::link("Sample Child", "#").heading(),
                    Cell::tag(Tag::new("In progress", TagColour::LightBlue)),
                ],
                vec![
                    Cell::text("Another Child").heading(),
                    Cell::tag(Tag::new("Overdue", TagColour::Red)),
                ],
            ],
        },
        tags: [
            ("Not started", TagColour::Grey),
            ("In progress", TagColour::LightBlue),
            ("Meeting held", TagColour::Blue),
            ("Awaiting sign-off", TagColour::Yellow),
            ("Signed off", TagColour::Green),
            ("Returned for improvement", TagColour::Orange),
            ("Quality assured", TagColour::Turquoise),
            ("Overdue", TagColour::Red),
            ("Exceptional progress", TagColour::Purple),
            ("Care leaver", TagColour::Pink),
        ]
        .into_iter()
        .map(|(t, c)| Tag::new(t, c))
        .collect(),
        pagination: Pagination::new(5, 12, |n| format!("/components?page={n}")),
    })
}
