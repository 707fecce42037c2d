//! One page of a PEP, to read or edit. Free-text pages show their
//! questions; typed pages (attendance, SDQ…) the blocks their kind lays
//! out. Pages save without JavaScript (lists grow with an "add another"
//! button that shows the form again); with it they autosave (the JSON
//! route). A save over someone else's version shows both to merge.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::pages::{self, Block, Control, FieldSpec, Tone};
use openpep_domain::template::{Page as TemplatePage, PageKind};
use openpep_service::FieldErrors;
use openpep_service::pep_editing::{
    Answers, Conflict, PageSubmission, PepView, SaveError, answers_of, field_name,
};
use openpep_service::profile::uk_time;
use serde_json::json;

use super::peps::{owners_text, pep_ref, pep_title};
use crate::components::{Cell, Choice, DateValue, SummaryRow, Table, Tag, TagColour};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

/// One question as the form shows it.
pub struct FieldView {
    /// "input", "textarea", "radios", "select", "date", "scale" or
    /// "pictures".
    pub control: &'static str,
    pub name: String,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub error: String,
    pub choices: Vec<Choice>,
    /// The faces of a scale, or the pictures to pick from.
    pub pictures: Vec<PictureChoice>,
    pub date: DateValue,
    pub classes: String,
    pub inputmode: String,
    /// On a merge: what the other person saved, if it differs.
    pub theirs: Option<String>,
}

impl FieldView {
    pub fn is(&self, control: &str) -> bool {
        self.control == control
    }
}

/// A big pictured choice, for children's forms.
pub struct PictureChoice {
    pub id: String,
    pub value: String,
    pub picture: String,
    pub words: String,
    pub checked: bool,
}

/// One part of a page's form, by `kind`: "heading", "paragraph", "field",
/// "entry", "add", "figure", "alert", "table" or (read-only) "rows".
pub struct BlockView {
    pub kind: &'static str,
    pub text: String,
    pub hint: String,
    pub fields: Vec<FieldView>,
    /// An entry's "remove" box, and the "add another" button's list.
    pub name: String,
    pub tag: Option<Tag>,
    /// An alert that is a warning, not a note.
    pub warning: bool,
    pub table: Option<Table>,
    pub rows: Vec<SummaryRow>,
    /// An "add another" list's own error (a core subject missing), shown
    /// at its button, whose id (`field`) the error summary links to.
    pub field: String,
    pub error: String,
}

impl BlockView {
    fn new(kind: &'static str) -> BlockView {
        BlockView {
            kind,
            text: String::new(),
            hint: String::new(),
            fields: Vec::new(),
            name: String::new(),
            tag: None,
            warning: false,
            table: None,
            rows: Vec::new(),
            field: String::new(),
            error: String::new(),
        }
    }

    fn text(kind: &'static str, text: impl Into<String>) -> BlockView {
        BlockView { text: text.into(), ..BlockView::new(kind) }
    }

    pub fn is(&self, kind: &str) -> bool {
        self.kind == kind
    }
}

/// The day, month and year of a date as stored (`2026-12-17`) or as typed
/// (`17/12/2026`).
fn date_value(value: &str) -> DateValue {
    let trim = |p: &str| p.trim_start_matches('0').to_owned();
    let parts: Vec<&str> = value.split(['-', '/']).collect();
    match parts[..] {
        [y, m, d] if y.len() == 4 && value.contains('-') => DateValue::new(trim(d), trim(m), y),
        [d, m, y] => DateValue::new(d, m, y),
        _ => DateValue::default(),
    }
}

/// How the form shows one field, filled from `answers`.
struct Filler<'a> {
    answers: &'a Answers,
    errors: &'a FieldErrors,
    theirs: Option<&'a Answers>,
}

impl Filler<'_> {
    fn field(&self, spec: &FieldSpec) -> FieldView {
        let name = field_name(&spec.name);
        let value = self.answers.get(&spec.name).cloned().unwrap_or_default();
        let theirs = self
            .theirs
            .map(|t| t.get(&spec.name).cloned().unwrap_or_default())
            .filter(|t| *t != value)
            .map(|t| spec.control.display(&t));
        let mut hint = spec.hint.clone().unwrap_or_default();
        if let Some(previous) = &spec.previous {
            let shown = spec.control.display(previous);
            hint = if hint.is_empty() {
                format!("At the last PEP: {shown}")
            } else {
                format!("{hint}. At the last PEP: {shown}")
            };
        }
        let (control, classes, inputmode) = match &spec.control {
            Control::Text => ("input", "", ""),
            Control::Short => ("input", "govuk-input--width-10", ""),
            Control::LongText => ("textarea", "", ""),
            Control::WholeNumber => ("input", "govuk-input--width-4", "numeric"),
            Control::Decimal => ("input", "govuk-input--width-5", "decimal"),
            Control::Date => ("date", "", ""),
            Control::YesNo | Control::Radios(_) => ("radios", "", ""),
            Control::Select(_) => ("select", "", ""),
            Control::Scale(_) => ("scale", "", ""),
            // Choices without pictures (people to invite) are plain ticks.
            Control::Pictures(o) if o.iter().all(|o| o.picture.is_none()) => ("checkboxes", "", ""),
            Control::Pictures(_) => ("pictures", "", ""),
        };
        let choices = match &spec.control {
            Control::YesNo => vec![Choice::new("yes", "Yes"), Choice::new("no", "No")],
            Control::Radios(options) | Control::Select(options) => {
                options.iter().map(|o| Choice::new(o.code.clone(), o.label.clone())).collect()
            }
            _ => Vec::new(),
        };
        let chosen: Vec<&str> = value.split(',').collect();
        let pictures = match &spec.control {
            Control::Scale(options) | Control::Pictures(options) => options
                .iter()
                .enumerate()
                .map(|(i, o)| PictureChoice {
                    id: crate::components::item_id(&name, i + 1),
                    value: o.code.clone(),
                    picture: o.picture.unwrap_or_default().to_owned(),
                    words: o.label.clone(),
                    checked: chosen.contains(&o.code.as_str()),
                })
                .collect(),
            _ => Vec::new(),
        };
        FieldView {
            control,
            error: match spec.control {
                Control::Date => self.errors.message(&format!("{name}-day")).to_owned(),
                _ => self.errors.message(&name).to_owned(),
            },
            date: if control == "date" { date_value(&value) } else { DateValue::default() },
            name,
            label: spec.label.clone(),
            hint,
            value,
            choices,
            pictures,
            classes: classes.to_owned(),
            inputmode: inputmode.to_owned(),
            theirs,
        }
    }

    /// The blocks of an editable form.
    fn form(&self, blocks: &[Block]) -> Vec<BlockView> {
        let mut out = Vec::new();
        for block in blocks {
            if let Block::Reveal { field, value, blocks } = block {
                out.push(BlockView {
                    name: field_name(field),
                    ..BlockView::text("reveal_start", value.clone())
                });
                out.extend(self.form(blocks));
                out.push(BlockView::new("reveal_end"));
            } else {
                out.extend(self.form_block(block));
            }
        }
        out
    }

    fn form_block(&self, block: &Block) -> Option<BlockView> {
        Some(match block {
            Block::Field(spec) => {
                BlockView { fields: vec![self.field(spec)], ..BlockView::new("field") }
            }
            Block::Entry { legend, fields, remove } => BlockView {
                text: legend.clone(),
                fields: fields.iter().map(|f| self.field(f)).collect(),
                name: field_name(remove),
                ..BlockView::new("entry")
            },
            Block::Add { group, label } => BlockView {
                name: group.clone(),
                field: field_name(group),
                error: self.errors.message(&field_name(group)).to_owned(),
                ..BlockView::text("add", label.clone())
            },
            Block::Reveal { .. } => return None,
            other => shown(other),
        })
    }

    /// The blocks for someone who reads the page: its answers as lists.
    fn read_only(&self, blocks: &[Block]) -> Vec<BlockView> {
        let row = |spec: &FieldSpec| {
            let value = self.answers.get(&spec.name).map_or("", String::as_str);
            SummaryRow::new(spec.label.clone(), spec.control.display(value))
        };
        let mut out: Vec<BlockView> = Vec::new();
        for block in blocks {
            match block {
                // Only the part for the answer given.
                Block::Reveal { field, value, blocks } => {
                    if self.answers.get(field) == Some(value) {
                        out.extend(self.read_only(blocks));
                    }
                }
                Block::Field(spec) => match out.last_mut() {
                    Some(last) if last.is("rows") => last.rows.push(row(spec)),
                    _ => out.push(BlockView { rows: vec![row(spec)], ..BlockView::new("rows") }),
                },
                Block::Entry { legend, fields, .. } => {
                    out.push(BlockView::text("heading", legend.clone()));
                    out.push(BlockView {
                        rows: fields.iter().map(row).collect(),
                        ..BlockView::new("rows")
                    });
                }
                Block::Add { .. } | Block::Paragraph(_) => {}
                other => out.push(shown(other)),
            }
        }
        out
    }
}

/// A date's error belongs to its day box: the error summary links there
/// (a date input's fields, not its group, can take the focus).
fn link_dates_by_day(mut errors: FieldErrors, blocks: &[Block]) -> FieldErrors {
    let mut dates = Vec::new();
    for block in Block::flatten(blocks) {
        let specs: Vec<&FieldSpec> = match block {
            Block::Field(spec) => vec![spec],
            Block::Entry { fields, .. } => fields.iter().collect(),
            _ => Vec::new(),
        };
        dates.extend(
            specs.into_iter().filter(|s| s.control == Control::Date).map(|s| field_name(&s.name)),
        );
    }
    for error in &mut errors.0 {
        if dates.contains(&error.field) {
            error.field.push_str("-day");
        }
    }
    errors
}

/// An editable form of `blocks` filled from `answers`, with the errors
/// (date errors moved to their day box) it shows.
pub(crate) fn editable(
    blocks: &[Block],
    answers: &Answers,
    errors: FieldErrors,
) -> (Vec<BlockView>, FieldErrors) {
    let errors = link_dates_by_day(errors, blocks);
    let views = Filler { answers, errors: &errors, theirs: None }.form(blocks);
    (views, errors)
}

/// `blocks` read-only, filled from `answers`.
pub(crate) fn read_only(blocks: &[Block], answers: &Answers) -> Vec<BlockView> {
    let errors = FieldErrors::default();
    Filler { answers, errors: &errors, theirs: None }.read_only(blocks)
}

/// The blocks that read the same whether or not the page can be edited.
fn shown(block: &Block) -> BlockView {
    match block {
        Block::Heading { text, hint } => BlockView {
            hint: hint.clone().unwrap_or_default(),
            ..BlockView::text("heading", text.clone())
        },
        Block::Paragraph(text) => BlockView::text("paragraph", text.clone()),
        Block::Figure { label, value, tone } => {
            let colour = match tone {
                Tone::Neutral => TagColour::Grey,
                Tone::Good => TagColour::Green,
                Tone::Warning => TagColour::Orange,
                Tone::Bad => TagColour::Red,
            };
            BlockView {
                tag: Some(Tag::new(value.clone(), colour)),
                ..BlockView::text("figure", label.clone())
            }
        }
        Block::Alert { text, tone } => BlockView {
            warning: matches!(tone, Tone::Warning | Tone::Bad),
            ..BlockView::text("alert", text.clone())
        },
        Block::Table { caption, head, rows } => BlockView {
            table: Some(Table {
                caption: caption.clone(),
                caption_size: "s",
                head: head.clone(),
                rows: rows
                    .iter()
                    .map(|r| r.iter().map(|c| Cell::text(c.clone())).collect())
                    .collect(),
                csrf: String::new(),
            }),
            ..BlockView::new("table")
        },
        Block::Field(_) | Block::Entry { .. } | Block::Add { .. } | Block::Reveal { .. } => {
            BlockView::new("paragraph")
        }
    }
}

/// The page's blocks: a typed page's layout, or a free-text page's
/// questions.
fn blocks_of(
    view: &PepView,
    page: &TemplatePage,
    answers: &Answers,
    add: Option<String>,
) -> Vec<Block> {
    let ctx = view.page_context(page, add);
    pages::layout(page.kind, answers, &ctx).unwrap_or_else(|| {
        view.questions(page)
            .iter()
            .map(|q| Block::Field(FieldSpec::for_question(q, q.key.clone())))
            .collect()
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/pep_page.html")]
pub struct PepPageForm {
    layout: Layout,
    errors: FieldErrors,
    heading: String,
    caption: String,
    description: String,
    back: String,
    action: String,
    version: i64,
    blocks: Vec<BlockView>,
    completed: String,
    may_edit: bool,
    owners: String,
    saved_note: String,
    carried_forward: bool,
    /// Set when showing a merge: who saved the other version, and when.
    conflict: Option<String>,
    locked: bool,
    /// The documents page's link, for pages that ask for an upload.
    documents_href: Option<String>,
}

/// What the form shows besides the saved page.
#[derive(Default)]
struct Shown<'a> {
    submitted: Option<(&'a PageSubmission, FieldErrors)>,
    conflict: Option<&'a Conflict>,
    add: Option<String>,
}

fn page_form(
    state: &AppState,
    user: &CurrentUser,
    view: &PepView,
    key: &str,
    shown_with: Shown<'_>,
) -> Result<PepPageForm, AppError> {
    let page = view.page(key).ok_or(AppError::NotFound)?;
    let saved = view.pages.get(key);
    let stored = saved.map(|p| answers_of(&p.answers.0)).unwrap_or_default();
    let conflict = shown_with.conflict;
    let theirs: Option<Answers> = conflict.map(|c| answers_of(&c.theirs.answers.0));
    let sent_version = shown_with.submitted.as_ref().map(|(s, _)| s.base_version);
    let (answers, mut errors, completed): (Answers, FieldErrors, bool) = match shown_with.submitted
    {
        Some((s, errors)) => (s.answers.clone(), errors, s.completed),
        None => {
            (stored.clone(), FieldErrors::default(), saved.is_some_and(|p| p.status == "completed"))
        }
    };
    let may_edit = view.may_edit(page);
    let blocks = if may_edit {
        let form = blocks_of(view, page, &answers, shown_with.add);
        errors = link_dates_by_day(errors, &form);
        let filler = Filler { answers: &answers, errors: &errors, theirs: theirs.as_ref() };
        filler.form(&form)
    } else {
        let filler = Filler { answers: &stored, errors: &errors, theirs: None };
        filler.read_only(&blocks_of(view, page, &stored, None))
    };
    let version = match conflict {
        Some(c) => c.theirs.version,
        None => sent_version.unwrap_or_else(|| saved.map_or(0, |p| p.version)),
    };
    let saved_note = saved
        .filter(|p| !p.carried_forward)
        .map(|p| {
            format!(
                "Last saved by {} on {}",
                p.updated_by_name.clone().unwrap_or_else(|| "someone".into()),
                uk_time(p.updated_at)
            )
        })
        .unwrap_or_default();
    let conflict_note = conflict.map(|c| {
        format!(
            "{} saved this page on {} while you were editing it. Their answers are shown above yours where they differ. Check each answer, then save again.",
            c.theirs.updated_by_name.clone().unwrap_or_else(|| "Someone else".into()),
            uk_time(c.theirs.updated_at)
        )
    });
    let base = view.path();
    // The pages that ask for an upload link to the PEP's documents.
    let has_documents =
        view.template.pages_for(&view.facts).any(|(_, _, p)| p.kind == PageKind::Documents);
    let documents_href = (has_documents
        && matches!(page.kind, PageKind::Sen | PageKind::ChildViews))
    .then(|| format!("{base}/documents"));
    let child_name = view.child.full_name();
    let has_errors = !errors.is_empty() || conflict.is_some();
    Ok(PepPageForm {
        layout: Layout::for_user(user, &format!("{}: {child_name}", page.title), "/learners")
            .dev(state.config.dev_mode)
            .with_errors(has_errors),
        errors,
        heading: page.title.clone(),
        caption: format!("{child_name}: {}", pep_title(view)),
        description: if pages::is_typed(page.kind) {
            page.description.clone().unwrap_or_default()
        } else {
            String::new()
        },
        action: format!("{base}/pages/{key}"),
        back: base,
        version,
        blocks,
        completed: if completed { "yes".into() } else { "no".into() },
        may_edit,
        owners: owners_text(&page.owners),
        saved_note,
        carried_forward: saved.is_some_and(|p| p.carried_forward),
        conflict: conflict_note,
        locked: view.locked(),
        documents_href,
    })
}

pub async fn show_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, key)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let view = state.services.open_pep_page(&user.actor, at, &key).await?;
    match view.page(&key).map(|p| p.kind) {
        Some(PageKind::Documents) => {
            return Ok(
                Redirect::to(&format!("/children/{id}/peps/{pep}/documents")).into_response()
            );
        }
        Some(PageKind::Targets) => {
            return Ok(Redirect::to(&format!("/children/{id}/peps/{pep}/targets")).into_response());
        }
        Some(PageKind::SignOff) => {
            return Ok(Redirect::to(&format!("/children/{id}/peps/{pep}/sign-off")).into_response());
        }
        _ => {}
    }
    // A page may start from what the record already knows (the meeting
    // record from who accepted the invitation).
    if let Some(start) = state.services.page_start(&view, &key).await? {
        let shown = Shown { submitted: Some((&start, FieldErrors::default())), ..Shown::default() };
        return Ok(page_form(&state, &user, &view, &key, shown)?.into_response());
    }
    Ok(page_form(&state, &user, &view, &key, Shown::default())?.into_response())
}

/// A page's form as sent: its answers (a date's day, month and year put
/// back together; pictures picked joined by commas), and the list to add
/// an entry to if "add another" was pressed.
pub(crate) fn submission(fields: Vec<(String, String)>) -> (PageSubmission, Option<String>) {
    let mut s = PageSubmission::default();
    let mut add = None;
    let mut dates: std::collections::BTreeMap<String, [String; 3]> = Default::default();
    for (name, value) in fields {
        if name == "version" {
            s.base_version = value.parse().unwrap_or(-1);
        } else if name == "completed" {
            s.completed = value == "yes";
        } else if name == "add" {
            add = Some(value);
        } else if let Some(key) = name.strip_prefix("q_") {
            let part = [("-day", 0), ("-month", 1), ("-year", 2)]
                .into_iter()
                .find_map(|(suffix, i)| key.strip_suffix(suffix).map(|k| (k, i)));
            if let Some((key, i)) = part {
                dates.entry(key.to_owned()).or_default()[i] = value.trim().to_owned();
                continue;
            }
            s.answers
                .entry(key.to_owned())
                .and_modify(|v| {
                    v.push(',');
                    v.push_str(&value);
                })
                .or_insert(value);
        }
    }
    for (key, [d, m, y]) in dates {
        let typed = if d.is_empty() && m.is_empty() && y.is_empty() {
            String::new()
        } else {
            format!("{d}/{m}/{y}")
        };
        s.answers.insert(key, typed);
    }
    (s, add)
}

pub async fn save_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, key)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let (sent, add) = submission(fields);
    if let Some(group) = add {
        // "Add another": the form again with one more blank entry, as typed.
        let view = state.services.open_pep_page(&user.actor, at, &key).await?;
        let shown = Shown {
            submitted: Some((&sent, FieldErrors::default())),
            add: Some(group),
            ..Shown::default()
        };
        return Ok(page_form(&state, &user, &view, &key, shown)?.into_response());
    }
    match state.services.save_pep_page(&user.actor, at, &key, sent.clone()).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}/peps/{pep}")).into_response()),
        Err(SaveError::Invalid(view, errors))
            if view.page(&key).is_some_and(|p| p.kind == PageKind::Targets) =>
        {
            super::targets::page_with_errors(&state, &user, at, errors, Some(sent.completed)).await
        }
        Err(SaveError::Invalid(view, errors)) => {
            let shown = Shown { submitted: Some((&sent, errors)), ..Shown::default() };
            let form = page_form(&state, &user, &view, &key, shown)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, form).into_response())
        }
        Err(SaveError::Conflict(conflict)) => {
            let shown = Shown {
                submitted: Some((&conflict.yours, FieldErrors::default())),
                conflict: Some(&conflict),
                add: None,
            };
            let form = page_form(&state, &user, &conflict.view, &key, shown)?;
            Ok((StatusCode::CONFLICT, form).into_response())
        }
        Err(SaveError::Locked) => {
            Ok(Redirect::to(&format!("/children/{id}/peps/{pep}")).into_response())
        }
        Err(SaveError::Service(e)) => Err(e.into()),
    }
}

/// The autosave route: the same save, answered in JSON for the page's script.
pub async fn autosave_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, key)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let (sent, _) = submission(fields);
    Ok(match state.services.save_pep_page(&user.actor, at, &key, sent).await {
        Ok(saved) => {
            let local = saved.saved_at.with_timezone(&chrono_tz::Europe::London);
            Json(json!({ "version": saved.version, "saved_at": local.format("%H:%M").to_string() }))
                .into_response()
        }
        Err(SaveError::Invalid(_, errors)) => {
            let list: Vec<_> =
                errors.0.iter().map(|e| json!({"field": e.field, "message": e.message})).collect();
            (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "errors": list }))).into_response()
        }
        Err(SaveError::Conflict(c)) => (
            StatusCode::CONFLICT,
            Json(json!({ "conflict": true, "by": c.theirs.updated_by_name })),
        )
            .into_response(),
        Err(SaveError::Locked) => {
            (StatusCode::CONFLICT, Json(json!({ "locked": true }))).into_response()
        }
        Err(SaveError::Service(e)) => return Err(e.into()),
    })
}

pub fn completed_choices() -> Vec<Choice> {
    vec![
        Choice::new("yes", "Yes, I've completed this page"),
        Choice::new("no", "No, I'll come back to it later"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_put_dates_and_pictures_back_together() {
        let sent = |pairs: &[(&str, &str)]| {
            submission(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
        };
        let (s, add) = sent(&[
            ("version", "3"),
            ("q_from-day", "2"),
            ("q_from-month", "9"),
            ("q_from-year", "2026"),
            ("q_to-day", ""),
            ("q_to-month", ""),
            ("q_to-year", ""),
            ("q_like", "reading"),
            ("q_like", "music"),
            ("add", "suspension"),
        ]);
        assert_eq!(s.base_version, 3);
        assert_eq!(s.answers["from"], "2/9/2026");
        assert_eq!(s.answers["to"], "");
        assert_eq!(s.answers["like"], "reading,music");
        assert_eq!(add.as_deref(), Some("suspension"));
        assert_eq!(date_value("2026-09-02"), DateValue::new("2", "9", "2026"));
        assert_eq!(date_value("2/9/2026"), DateValue::new("2", "9", "2026"));
        assert_eq!(date_value(""), DateValue::default());
    }
}
