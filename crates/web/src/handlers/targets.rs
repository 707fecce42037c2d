//! The targets page of a PEP: the prompts other pages raise, the review of
//! the last PEP's targets, this PEP's targets with the SMART coach's advice
//! and their funding; and the forms to write a target (from scratch or the
//! bank of examples) and to review one.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::Pence;
use openpep_domain::pages::{Block, Fields, Prompt};
use openpep_domain::targets::{AreaOfNeed, Outcome, TargetStatus, Who, bank, form, review};
use openpep_service::FieldErrors;
use openpep_service::funding::{may_request, status_of};
use openpep_service::invitations::FormError;
use openpep_service::pep_editing::{PepRef, PepView};
use openpep_service::targets::{self as target_service, TargetSubmission, TargetsPage};
use openpep_store::targets::TargetRow;
use serde::Deserialize;
use uuid::Uuid;

use super::pep_page::{BlockView, editable, read_only, submission};
use super::peps::{pep_ref, pep_title};
use crate::components::{Cell, SummaryRow, Table, Tag, TagColour};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};

/// A form built from blocks: a target, a review, a funding request.
#[derive(Template, WebTemplate)]
#[template(path = "pages/block_form.html")]
pub struct BlockForm {
    pub layout: Layout,
    pub errors: FieldErrors,
    pub caption: String,
    pub heading: String,
    pub intro: Vec<String>,
    pub context: Vec<SummaryRow>,
    pub back: String,
    pub back_text: String,
    pub action: String,
    pub version: i64,
    pub hidden: Vec<(String, String)>,
    pub blocks: Vec<BlockView>,
    pub button: String,
    pub may_edit: bool,
}

/// A form's blocks filled from what was sent: editable, or read-only for
/// those who may not change it.
pub struct Filled {
    pub blocks: Vec<BlockView>,
    pub errors: FieldErrors,
    pub version: i64,
    pub may_edit: bool,
}

pub fn fill(blocks: &[Block], sent: &Sent, errors: FieldErrors, may_edit: bool) -> Filled {
    let (blocks, errors) = if may_edit {
        editable(blocks, &sent.fields, errors)
    } else {
        (read_only(blocks, &sent.fields), errors)
    };
    Filled { blocks, errors, version: sent.version, may_edit }
}

impl BlockForm {
    /// A form in the service: its title and heading, caption and way back.
    pub fn new(
        state: &AppState,
        user: &CurrentUser,
        (heading, title): (&str, &str),
        (caption, back, back_text): (String, String, &str),
        filled: Filled,
    ) -> BlockForm {
        let nav = ["/settings", "/notices"]
            .into_iter()
            .find(|area| back.starts_with(area))
            .unwrap_or("/learners");
        BlockForm {
            layout: Layout::for_user(user, title, nav)
                .dev(state.config.dev_mode)
                .with_errors(!filled.errors.is_empty()),
            errors: filled.errors,
            caption,
            heading: heading.into(),
            intro: Vec::new(),
            context: Vec::new(),
            back,
            back_text: back_text.into(),
            action: String::new(),
            version: filled.version,
            hidden: Vec::new(),
            blocks: filled.blocks,
            button: "Save".into(),
            may_edit: filled.may_edit,
        }
    }

    /// A form of a record on a PEP's targets page (a target, its review, a
    /// funding request), under the child's name, back to the targets.
    pub fn on_targets(
        state: &AppState,
        user: &CurrentUser,
        view: &PepView,
        heading: &str,
        filled: Filled,
    ) -> BlockForm {
        let child_name = view.child.full_name();
        let caption = format!("{child_name}: {}", pep_title(view));
        let back = format!("{}/targets", view.path());
        let title = format!("{heading}: {child_name}");
        BlockForm::new(
            state,
            user,
            (heading, &title),
            (caption, back, "Back to the targets"),
            filled,
        )
    }

    /// The form's response: 422 when it shows errors.
    pub fn respond(self) -> Response {
        if self.errors.is_empty() {
            self.into_response()
        } else {
            (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
        }
    }
}

/// What a form sends, by field name without its `q_` prefix, with the
/// version it was opened at and the list "add another" was pressed for.
pub struct Sent {
    pub fields: Fields,
    pub version: i64,
    pub add: Option<String>,
}

pub fn sent(fields: Vec<(String, String)>) -> Sent {
    let (s, add) = submission(fields);
    Sent { fields: s.answers, version: s.base_version, add }
}

pub struct PromptView {
    pub title: String,
    /// The title inside "Write the …".
    pub in_sentence: String,
    pub reason: String,
    pub href: String,
}

pub struct TickView {
    pub letter: char,
    pub word: &'static str,
    pub met: bool,
}

pub struct RequestItem {
    pub text: String,
    pub tag: Tag,
    pub note: String,
    pub href: String,
    pub submit: Option<String>,
}

pub struct TargetCard {
    pub id: String,
    pub number: usize,
    pub area: String,
    pub status: Tag,
    pub description: String,
    pub rows: Vec<SummaryRow>,
    pub actions: Table,
    pub ticks: Vec<TickView>,
    pub hints: Vec<&'static str>,
    pub edit_href: String,
    /// A draft can be removed, over the version shown.
    pub removable: bool,
    pub version: i64,
    pub fund_href: Option<String>,
    pub requests: Vec<RequestItem>,
}

pub struct ReviewItem {
    pub area: String,
    pub description: String,
    pub due: String,
    pub outcome: Option<Tag>,
    pub rows: Vec<SummaryRow>,
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/targets.html")]
pub struct TargetsTemplate {
    layout: Layout,
    errors: FieldErrors,
    caption: String,
    heading: String,
    back: String,
    base: String,
    may_edit: bool,
    locked: bool,
    prompts: Vec<PromptView>,
    previous: Option<String>,
    reviews: Vec<ReviewItem>,
    targets: Vec<TargetCard>,
    drafts: usize,
    unfinished: Vec<String>,
    page_action: String,
    page_version: i64,
    completed: String,
    saved: String,
}

fn area_label(code: &str) -> String {
    AreaOfNeed::from_code(code).map_or_else(|| code.to_owned(), |a| a.label().to_owned())
}

fn outcome_tag(outcome: Outcome) -> Tag {
    let colour = match outcome {
        Outcome::Achieved => TagColour::Green,
        Outcome::PartlyAchieved => TagColour::Yellow,
        Outcome::NotAchieved => TagColour::Red,
        Outcome::CarriedForward => TagColour::Blue,
    };
    Tag::new(outcome.label(), colour)
}

pub fn funding_tag(status: openpep_domain::funding::FundingStatus) -> Tag {
    use openpep_domain::funding::FundingStatus as S;
    let colour = match status {
        S::Draft => TagColour::Grey,
        S::Submitted => TagColour::Blue,
        S::Approved | S::Paid => TagColour::Green,
        S::PartApproved => TagColour::Teal,
        S::Declined => TagColour::Red,
        S::MoreInformation => TagColour::Orange,
    };
    Tag::new(status.label(), colour)
}

fn actions_table(row: &TargetRow) -> Table {
    let rows = row
        .actions
        .0
        .iter()
        .map(|a| {
            let who = match (a.who(), a.who_name.is_empty()) {
                (Some(Who::OtherPerson), _) => a.who_name.clone(),
                (Some(w), true) => w.label().to_owned(),
                (Some(w), false) => format!("{} ({})", w.label(), a.who_name),
                (None, _) => "Not chosen".to_owned(),
            };
            vec![
                Cell::text(who).heading(),
                Cell::text(a.what.clone()),
                Cell::text(if a.how_often.is_empty() { "—".into() } else { a.how_often.clone() }),
                Cell::text(a.by_when.map_or_else(|| "—".into(), openpep_domain::pages::uk_date)),
            ]
        })
        .collect();
    Table {
        caption: "Actions".into(),
        caption_size: "s",
        head: vec!["Who".into(), "What".into(), "How often".into(), "By when".into()],
        rows,
        csrf: String::new(),
    }
}

fn card(
    page: &TargetsPage,
    prompts: &[Prompt],
    base: &str,
    n: usize,
    row: &TargetRow,
) -> TargetCard {
    let coaching = target_service::coaching(row);
    let status = TargetStatus::from_code(&row.status).unwrap_or(TargetStatus::Draft);
    let mut rows = vec![
        SummaryRow::new("Starting point", or_not_yet(&row.starting_point)),
        SummaryRow::new("How success will be measured", or_not_yet(&row.success_measure)),
        SummaryRow::new("By when", row.due_label.clone()),
    ];
    if let Some(prompt) = target_service::prompt_of(prompts, row) {
        rows.push(SummaryRow::new("Written for", prompt.title.clone()));
    }
    if row.carried_from.is_some() {
        rows.push(SummaryRow::new("Carried forward", "From the last PEP's targets"));
    }
    let may_fund = may_request(page) && !page.view.locked();
    let requests = page
        .requests_on(row.id)
        .map(|r| {
            let status = status_of(r);
            RequestItem {
                text: format!("{} for {}", Pence::from_pence(r.amount_pence), r.purchase),
                tag: funding_tag(status),
                note: match (r.approved_pence, &r.decision_note) {
                    (Some(p), Some(note)) if !note.is_empty() => {
                        format!("{} approved. {note}", Pence::from_pence(p))
                    }
                    (Some(p), _) => format!("{} approved", Pence::from_pence(p)),
                    (None, Some(note)) => note.clone(),
                    (None, None) => String::new(),
                },
                href: format!("{base}/funding/{}", r.id),
                submit: (may_fund && status.may_submit())
                    .then(|| format!("{base}/funding/{}/submit", r.id)),
            }
        })
        .collect();
    TargetCard {
        id: row.id.to_string(),
        number: n,
        area: area_label(&row.area),
        status: Tag::new(
            status.label(),
            if status == TargetStatus::Agreed { TagColour::Green } else { TagColour::Grey },
        ),
        description: row.description.clone(),
        rows,
        actions: actions_table(row),
        ticks: coaching
            .ticks
            .iter()
            .map(|t| TickView { letter: t.letter.letter(), word: t.letter.word(), met: t.met })
            .collect(),
        hints: coaching.flags.iter().map(|f| f.message()).collect(),
        edit_href: format!("{base}/targets/{}", row.id),
        removable: status == TargetStatus::Draft,
        version: row.version,
        fund_href: may_fund.then(|| format!("{base}/targets/{}/funding", row.id)),
        requests,
    }
}

fn or_not_yet(text: &str) -> String {
    if text.trim().is_empty() { "Not written yet".into() } else { text.to_owned() }
}

fn review_item(page: &TargetsPage, base: &str, row: &TargetRow) -> ReviewItem {
    let review = page.review_of(row.id);
    let mut rows = Vec::new();
    if let Some(r) = review {
        rows.push(SummaryRow::new("Impact", r.impact.clone()));
        rows.push(SummaryRow::new("Evidence", r.evidence.clone()));
        if !r.spend_impact.is_empty() {
            rows.push(SummaryRow::new("Impact of the funding", r.spend_impact.clone()));
        }
    }
    let funded: Vec<String> = page
        .requests_on(row.id)
        .filter(|r| status_of(r).counts_as_approved())
        .map(|r| format!("{} ({})", Pence::from_pence(r.approved_pence.unwrap_or(0)), r.purchase))
        .collect();
    if !funded.is_empty() {
        rows.push(SummaryRow::new("Funded", funded.join("; ")));
    }
    ReviewItem {
        area: area_label(&row.area),
        description: row.description.clone(),
        due: row.due_label.clone(),
        outcome: review.and_then(|r| Outcome::from_code(&r.outcome)).map(outcome_tag),
        rows,
        href: format!("{base}/targets/{}/review", row.id),
    }
}

pub(crate) fn targets_page(
    state: &AppState,
    user: &CurrentUser,
    page: &TargetsPage,
    errors: FieldErrors,
    completed: Option<bool>,
) -> Result<TargetsTemplate, AppError> {
    let view = &page.view;
    let template_page = page.page().ok_or(AppError::NotFound)?;
    let base = view.path();
    let may_edit = page.may_edit();
    let child_name = view.child.full_name();
    let saved = view.pages.get(&template_page.key);
    let all_prompts = view.prompts();
    let prompts = view
        .unanswered_prompts()
        .into_iter()
        .map(|p| PromptView {
            href: format!("{base}/targets/new?prompt={}", p.key),
            in_sentence: p.in_sentence(),
            title: p.title,
            reason: p.reason,
        })
        .collect();
    let targets = view
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| card(page, &all_prompts, &base, i + 1, t))
        .collect();
    let reviews = page.previous_targets.iter().map(|t| review_item(page, &base, t)).collect();
    Ok(TargetsTemplate {
        layout: Layout::for_user(
            user,
            &format!("{}: {child_name}", template_page.title),
            "/learners",
        )
        .dev(state.config.dev_mode)
        .with_errors(!errors.is_empty()),
        errors,
        caption: format!("{child_name}: {}", pep_title(view)),
        heading: template_page.title.clone(),
        back: base.clone(),
        page_action: format!("{base}/pages/{}", template_page.key),
        base,
        may_edit,
        locked: view.locked(),
        prompts,
        previous: page.previous.as_ref().map(|p| {
            format!(
                "{} term {} PEP",
                openpep_domain::Term::from_code(&p.term).map_or("", |t| t.label()),
                openpep_domain::AcademicYear(p.academic_year)
            )
        }),
        reviews,
        targets,
        drafts: view.targets.iter().filter(|t| t.status == TargetStatus::Draft.code()).count(),
        unfinished: page.unfinished(),
        page_version: saved.map_or(0, |p| p.version),
        completed: match completed.or_else(|| saved.map(|p| p.status == "completed")) {
            Some(true) => "yes".into(),
            _ => "no".into(),
        },
        saved: saved
            .map(|p| {
                format!(
                    "Last saved by {} on {}",
                    p.updated_by_name.clone().unwrap_or_else(|| "someone".into()),
                    openpep_service::profile::uk_time(p.updated_at)
                )
            })
            .unwrap_or_default(),
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let page = state.services.open_targets(&user.actor, at).await?;
    Ok(targets_page(&state, &user, &page, FieldErrors::default(), None)?.into_response())
}

/// The targets page again with why a change to it was refused (marking
/// it completed, agreeing, removing, submitting a request); `completed`
/// is what was chosen for "Have you completed this page?", if it was sent.
pub(crate) async fn page_with_errors(
    state: &AppState,
    user: &CurrentUser,
    at: PepRef,
    errors: FieldErrors,
    completed: Option<bool>,
) -> Result<Response, AppError> {
    let page = state.services.open_targets(&user.actor, at).await?;
    let form = targets_page(state, user, &page, errors, completed)?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, form).into_response())
}

#[derive(Deserialize, Default)]
pub struct NewTargetQuery {
    #[serde(default)]
    prompt: String,
    #[serde(default)]
    example: String,
}

/// A target's form: blank, from a prompt or an example, or the target.
fn target_form(
    state: &AppState,
    user: &CurrentUser,
    page: &TargetsPage,
    target: Option<Uuid>,
    sent: &Sent,
    prompt: Option<String>,
    errors: FieldErrors,
) -> Result<BlockForm, AppError> {
    let view = &page.view;
    let base = view.path();
    let ctx = state.services.target_context(page, sent.add.clone());
    let blocks = form::layout(&sent.fields, &ctx);
    let heading = if target.is_some() { "Change a target" } else { "Add a target" };
    let mut intro = Vec::new();
    if let Some(p) = prompt.as_deref().and_then(|k| view.prompts().into_iter().find(|p| p.key == k))
    {
        intro.push(p.reason);
    }
    intro.push(
        "A SMART target is specific, measurable, achievable, relevant and time-bound. It says \
         how the adults will help the child, not what the child must do on their own."
            .into(),
    );
    let mut hidden = Vec::new();
    if let Some(p) = prompt {
        hidden.push(("prompt".to_owned(), p));
    }
    let filled = fill(&blocks, sent, errors, page.may_edit());
    Ok(BlockForm {
        intro,
        action: match target {
            Some(t) => format!("{base}/targets/{t}"),
            None => format!("{base}/targets/new"),
        },
        hidden,
        button: "Save target".into(),
        ..BlockForm::on_targets(state, user, view, heading, filled)
    })
}

pub async fn show_new(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    Query(q): Query<NewTargetQuery>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let page = state.services.open_targets(&user.actor, at).await?;
    let mut fields = Fields::new();
    let prompt = page.view.prompts().into_iter().find(|p| p.key == q.prompt);
    if let Some(p) = &prompt {
        fields.insert("area".into(), p.area.code().into());
    }
    if let Some(example) = bank::find(&q.example) {
        let name = page.view.child.preferred_or_forename();
        fields.insert("area".into(), example.area.code().into());
        fields.insert("description".into(), example.fill(&name));
        fields.insert("success_measure".into(), example.measure_for(&name));
        for (i, (who, what, how_often)) in example.actions.iter().enumerate() {
            let name = |f: &str| openpep_domain::pages::entry_name(form::ACTIONS, i, f);
            fields.insert(name("who"), who.code().into());
            fields.insert(name("what"), (*what).into());
            fields.insert(name("how_often"), (*how_often).into());
        }
    }
    let sent = Sent { fields, version: 0, add: None };
    let form = target_form(
        &state,
        &user,
        &page,
        None,
        &sent,
        prompt.map(|p| p.key),
        FieldErrors::default(),
    )?;
    Ok(form.respond())
}

pub async fn show_edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, target)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let target = Uuid::parse_str(&target).map_err(|_| AppError::NotFound)?;
    let page = state.services.open_targets(&user.actor, at).await?;
    let row = page.view.targets.iter().find(|t| t.id == target).ok_or(AppError::NotFound)?;
    let sent = Sent {
        fields: form::fields_of(&target_service::checked(row)),
        version: row.version,
        add: None,
    };
    Ok(target_form(&state, &user, &page, Some(target), &sent, None, FieldErrors::default())?
        .respond())
}

async fn save(
    state: AppState,
    user: CurrentUser,
    at: PepRef,
    target: Option<Uuid>,
    fields: Vec<(String, String)>,
) -> Result<Response, AppError> {
    let prompt = fields.iter().find(|(k, _)| k == "prompt").map(|(_, v)| v.clone());
    let sent = sent(fields);
    if sent.add.is_some() {
        let page = state.services.open_targets(&user.actor, at).await?;
        return Ok(target_form(
            &state,
            &user,
            &page,
            target,
            &sent,
            prompt,
            FieldErrors::default(),
        )?
        .into_response());
    }
    let submission = TargetSubmission {
        base_version: sent.version,
        fields: sent.fields.clone(),
        prompt: prompt.clone(),
    };
    match state.services.save_target(&user.actor, at, target, &submission).await {
        Ok(_) => Ok(Redirect::to(&format!("{}/targets", at.path())).into_response()),
        Err(FormError::Invalid(errors)) => {
            let page = state.services.open_targets(&user.actor, at).await?;
            Ok(target_form(&state, &user, &page, target, &sent, prompt, errors)?.respond())
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    save(state, user, at, None, fields).await
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, target)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let target = Uuid::parse_str(&target).map_err(|_| AppError::NotFound)?;
    if fields.iter().any(|(k, v)| k == "delete" && v == "yes") {
        let version = fields.iter().find(|(k, _)| k == "version").and_then(|(_, v)| v.parse().ok());
        return match state
            .services
            .delete_target(&user.actor, at, target, version.unwrap_or(-1))
            .await
        {
            Ok(()) => {
                Ok(Redirect::to(&format!("/children/{id}/peps/{pep}/targets")).into_response())
            }
            Err(FormError::Invalid(errors)) => {
                page_with_errors(&state, &user, at, errors, None).await
            }
            Err(FormError::Service(e)) => Err(e.into()),
        };
    }
    save(state, user, at, Some(target), fields).await
}

pub async fn agree(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    match state.services.agree_targets(&user.actor, at).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}/peps/{pep}/targets")).into_response()),
        Err(FormError::Invalid(errors)) => page_with_errors(&state, &user, at, errors, None).await,
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/target_bank.html")]
pub struct BankPage {
    layout: Layout,
    caption: String,
    back: String,
    action: String,
    q: String,
    area: String,
    areas: Vec<crate::components::Choice>,
    examples: Vec<BankItem>,
    name: String,
}

pub struct BankItem {
    pub title: String,
    pub area: String,
    pub target: String,
    pub measure: String,
    pub href: String,
}

#[derive(Deserialize, Default)]
pub struct BankQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    area: String,
}

pub async fn show_bank(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep)): Path<(String, String)>,
    Query(q): Query<BankQuery>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let page = state.services.open_targets(&user.actor, at).await?;
    let view = &page.view;
    let base = format!("/children/{id}/peps/{pep}");
    let name = view.child.preferred_or_forename();
    let area = AreaOfNeed::from_code(&q.area);
    let examples = bank::search(&q.q, area)
        .into_iter()
        .filter(|e| e.suits(view.facts.nc_year.phase()))
        .map(|e| BankItem {
            title: e.title.into(),
            area: e.area.label().into(),
            target: e.fill(&name),
            measure: e.measure_for(&name),
            href: format!("{base}/targets/new?example={}", e.key),
        })
        .collect();
    let mut areas = vec![crate::components::Choice::new("", "All areas")];
    areas.extend(
        AreaOfNeed::ALL.iter().map(|a| crate::components::Choice::new(a.code(), a.label())),
    );
    let child_name = view.child.full_name();
    Ok(BankPage {
        layout: Layout::for_user(&user, &format!("Example targets: {child_name}"), "/learners")
            .dev(state.config.dev_mode),
        caption: format!("{child_name}: {}", pep_title(view)),
        back: format!("{base}/targets"),
        action: format!("{base}/targets/bank"),
        q: q.q,
        area: q.area,
        areas,
        examples,
        name,
    }
    .into_response())
}

fn review_form(
    state: &AppState,
    user: &CurrentUser,
    page: &TargetsPage,
    target: Uuid,
    sent: &Sent,
    errors: FieldErrors,
) -> Result<BlockForm, AppError> {
    let view = &page.view;
    let row = page.previous_targets.iter().find(|t| t.id == target).ok_or(AppError::NotFound)?;
    let funded = target_service::funded(page.requests_on(target));
    let filled = fill(&review::layout(funded), sent, errors, page.may_edit());
    let base = view.path();
    let mut context = vec![
        SummaryRow::new("Area of need", area_label(&row.area)),
        SummaryRow::new("Target", row.description.clone()),
        SummaryRow::new("How success was to be measured", or_not_yet(&row.success_measure)),
        SummaryRow::new("By when", row.due_label.clone()),
    ];
    let spent: Vec<String> = page
        .requests_on(target)
        .filter(|r| status_of(r).counts_as_approved())
        .map(|r| format!("{} for {}", Pence::from_pence(r.approved_pence.unwrap_or(0)), r.purchase))
        .collect();
    if !spent.is_empty() {
        context.push(SummaryRow::new("Funding approved", spent.join("; ")));
    }
    let heading = "Review a target from the last PEP";
    Ok(BlockForm {
        context,
        action: format!("{base}/targets/{target}/review"),
        button: "Save review".into(),
        ..BlockForm::on_targets(state, user, view, heading, filled)
    })
}

pub async fn show_review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, target)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let target = Uuid::parse_str(&target).map_err(|_| AppError::NotFound)?;
    let page = state.services.open_targets(&user.actor, at).await?;
    let sent = match page.review_of(target) {
        Some(r) => Sent { fields: target_service::review_fields(r), version: r.version, add: None },
        None => Sent { fields: Fields::new(), version: 0, add: None },
    };
    Ok(review_form(&state, &user, &page, target, &sent, FieldErrors::default())?.respond())
}

pub async fn save_review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, target)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    let target = Uuid::parse_str(&target).map_err(|_| AppError::NotFound)?;
    let sent = sent(fields);
    match state.services.review_target(&user.actor, at, target, sent.version, &sent.fields).await {
        Ok(()) => Ok(Redirect::to(&format!("/children/{id}/peps/{pep}/targets")).into_response()),
        Err(FormError::Invalid(errors)) => {
            let page = state.services.open_targets(&user.actor, at).await?;
            Ok(review_form(&state, &user, &page, target, &sent, errors)?.respond())
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}
