//! Funding: a school's request on a target, the Virtual School's approval
//! queue, and the authority's funding policy.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use openpep_domain::funding::{
    Consideration, DecisionInput, DecisionKind, FundingPolicy, FundingStatus, Post16Funding,
    RequestInput, check_category, check_rate,
};
use openpep_domain::pages::{Block, Control, FieldSpec, Fields, Opt};
use openpep_domain::{AcademicYear, Pence, Term};
use openpep_service::funding::{Decided, FundingQueue, QueueQuery, RequestForm, status_of};
use openpep_service::invitations::FormError;
use openpep_service::pep_editing::PepRef;
use openpep_service::{FieldErrors, ServiceError};
use serde::Deserialize;
use uuid::Uuid;

use super::peps::pep_ref;
use super::targets::{BlockForm, Sent, fill, funding_tag, sent};
use crate::components::{Cell, Choice, SummaryRow, Table, Tag, TagColour};
use crate::extract::CurrentUser;
use crate::layout::Layout;
use crate::{AppError, AppState};
use openpep_service::pep_editing::pep_path;

fn consideration_tag(c: Consideration) -> Tag {
    match c {
        Consideration::WillBeConsidered => Tag::new("Will be considered", TagColour::Green),
        Consideration::Discretionary => Tag::new("VS management discretion", TagColour::Yellow),
        Consideration::WillNot => Tag::new("Will not be considered", TagColour::Red),
    }
}

fn request_blocks(form: &RequestForm) -> Vec<Block> {
    let policy = &form.policy;
    vec![
        Block::field(FieldSpec::new(
            "source",
            "Source of funding",
            Control::Radios(policy.source_options(form.nc_year)),
        )),
        Block::field(
            FieldSpec::new("purchase", "What will the funding buy?", Control::LongText)
                .hint("For example, 10 one-hour sessions of 1:1 maths tuition with a qualified teacher"),
        ),
        Block::field(
            FieldSpec::new(
                "category",
                "Which part of the funding policy does it fall under?",
                Control::Select(Opt::with_prompt("Select a purpose", policy.category_options())),
            )
            .hint("Purposes the Virtual School will not consider are refused before the request is submitted."),
        ),
        Block::field(
            FieldSpec::new("amount", "Amount, in pounds", Control::Short)
                .hint("For example, 450 or 1,250.50"),
        ),
        Block::field(FieldSpec::new("comments", "Comments (optional)", Control::LongText)),
    ]
}

fn request_fields(form: &RequestForm) -> Fields {
    let mut f = Fields::new();
    if let Some(r) = &form.request {
        f.insert("source".into(), r.source.clone());
        f.insert("purchase".into(), r.purchase.clone());
        f.insert("category".into(), r.category.clone());
        f.insert("amount".into(), Pence::from_pence(r.amount_pence).to_string().replace('£', ""));
        f.insert("comments".into(), r.comments.clone());
    } else if let [only] = form.policy.sources_for(form.nc_year)[..] {
        f.insert("source".into(), only.code.clone());
    }
    f
}

fn request_page(
    state: &AppState,
    user: &CurrentUser,
    form: &RequestForm,
    sent: &Sent,
    errors: FieldErrors,
) -> BlockForm {
    let view = &form.page.view;
    let base = view.path();
    let filled = fill(&request_blocks(form), sent, errors, form.may_change());
    let term = Term::from_code(&view.pep.term).unwrap_or(Term::Autumn);
    let year = AcademicYear(view.pep.academic_year);
    let mut context = vec![
        SummaryRow::new("Target", form.target.description.clone()),
        SummaryRow::new("Term", term_and_year(&view.pep.term, view.pep.academic_year)),
    ];
    for source in form.policy.sources_for(form.nc_year) {
        if let Some(allowance) = source.allowance(year, term) {
            context.push(SummaryRow::new(
                format!("{} a term", source.name),
                format!("{allowance} a child"),
            ));
        }
    }
    if let Some(r) = &form.request {
        context.push(SummaryRow::new("Status", status_of(r).label()));
        if let Some(p) = r.approved_pence {
            context.push(SummaryRow::new("Approved", Pence::from_pence(p).to_string()));
        }
        if let Some(note) = r.decision_note.as_ref().filter(|n| !n.is_empty()) {
            context.push(SummaryRow::new("Virtual School's comments", note.clone()));
        }
    }
    let heading = if form.request.is_some() { "Funding request" } else { "Ask for funding" };
    BlockForm {
        intro: vec![
            "Funding is given a term at a time, while the child stays on roll, and its impact is \
             recorded when the target is reviewed. Save the request, then submit it to the \
             Virtual School from the targets page."
                .into(),
        ],
        context,
        action: match &form.request {
            Some(r) => format!("{base}/funding/{}", r.id),
            None => format!("{base}/targets/{}/funding", form.target.id),
        },
        button: "Save request".into(),
        ..BlockForm::on_targets(state, user, view, heading, filled)
    }
}

fn input_of(fields: &Fields) -> RequestInput {
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    RequestInput {
        source: get("source"),
        purchase: get("purchase"),
        category: get("category"),
        amount: get("amount"),
        comments: get("comments"),
    }
}

async fn show_request_form(
    state: AppState,
    user: CurrentUser,
    at: PepRef,
    target: Option<Uuid>,
    request: Option<Uuid>,
) -> Result<Response, AppError> {
    let form = state.services.funding_request_form(&user.actor, at, target, request).await?;
    let sent = Sent {
        fields: request_fields(&form),
        version: form.request.as_ref().map_or(0, |r| r.version),
        add: None,
    };
    Ok(request_page(&state, &user, &form, &sent, FieldErrors::default()).respond())
}

async fn save_request_form(
    state: AppState,
    user: CurrentUser,
    at: PepRef,
    target: Option<Uuid>,
    request: Option<Uuid>,
    fields: Vec<(String, String)>,
) -> Result<Response, AppError> {
    let sent = sent(fields);
    let input = input_of(&sent.fields);
    match state
        .services
        .save_funding_request(&user.actor, at, target, request, sent.version, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("{}/targets", at.path())).into_response()),
        Err(FormError::Invalid(errors)) => {
            match state.services.funding_request_form(&user.actor, at, target, request).await {
                Ok(form) => Ok(request_page(&state, &user, &form, &sent, errors).respond()),
                // No form to show again (the PEP was signed off): the
                // targets page says why.
                Err(ServiceError::Forbidden) => {
                    super::targets::page_with_errors(&state, &user, at, errors, None).await
                }
                Err(e) => Err(e.into()),
            }
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

pub async fn show_new_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, target)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    show_request_form(state, user, pep_ref(&id, &pep)?, Some(super::id_or_404(&target)?), None)
        .await
}

pub async fn create_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, target)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    save_request_form(
        state,
        user,
        pep_ref(&id, &pep)?,
        Some(super::id_or_404(&target)?),
        None,
        fields,
    )
    .await
}

pub async fn show_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, request)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    show_request_form(state, user, pep_ref(&id, &pep)?, None, Some(super::id_or_404(&request)?))
        .await
}

pub async fn update_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, request)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    save_request_form(
        state,
        user,
        pep_ref(&id, &pep)?,
        None,
        Some(super::id_or_404(&request)?),
        fields,
    )
    .await
}

pub async fn submit_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, pep, request)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let at = pep_ref(&id, &pep)?;
    match state.services.submit_funding_request(&user.actor, at, super::id_or_404(&request)?).await
    {
        Ok(()) => Ok(Redirect::to(&format!("/children/{id}/peps/{pep}/targets")).into_response()),
        Err(FormError::Invalid(errors)) => {
            super::targets::page_with_errors(&state, &user, at, errors, None).await
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct QueueParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    school: String,
    #[serde(default)]
    term: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    min: String,
    #[serde(default)]
    max: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/funding_queue.html")]
pub struct QueuePage {
    layout: Layout,
    errors: FieldErrors,
    p: QueueParams,
    statuses: Vec<Choice>,
    schools: Vec<Choice>,
    terms: Vec<Choice>,
    categories: Vec<Choice>,
    rows: Vec<QueueRow>,
    may_decide: bool,
    may_pay: bool,
    awaiting: bool,
    approved: bool,
    decisions: Vec<Choice>,
    d: DecisionParams,
    done: Vec<String>,
    totals: Table,
    year: String,
}

pub struct QueueRow {
    pub id: String,
    pub child: String,
    pub href: String,
    pub school: String,
    pub term: String,
    pub category: String,
    pub consideration: Option<Tag>,
    pub purchase: String,
    pub amount: String,
    pub status: Tag,
    pub so_far: String,
    /// What is approved and asked for this term passes the allowance.
    pub over: bool,
    pub checked: bool,
}

/// "Autumn 2026/27".
fn term_and_year(term: &str, year: i32) -> String {
    let term = Term::from_code(term).map_or_else(|| term.to_owned(), |t| t.label().to_owned());
    format!("{term} {}", AcademicYear(year))
}

fn pounds(text: &str) -> Option<Pence> {
    (!text.trim().is_empty()).then(|| Pence::parse_pounds(text).ok()).flatten()
}

fn queue_query(p: &QueueParams, errors: &mut FieldErrors) -> QueueQuery {
    let mut q = QueueQuery {
        status: FundingStatus::from_code(&p.status),
        term: Term::from_code(&p.term),
        category: Some(p.category.clone()).filter(|c| !c.is_empty()),
        ..QueueQuery::default()
    };
    if !p.school.is_empty() {
        match Uuid::parse_str(&p.school) {
            Ok(id) => q.school_id = Some(id),
            Err(_) => errors.add("school", "Select a school from the list"),
        }
    }
    for (name, text, slot) in [("min", &p.min, &mut q.min), ("max", &p.max, &mut q.max)] {
        if !text.trim().is_empty() {
            match pounds(text) {
                Some(v) => *slot = Some(v),
                None => errors.add(name, "Enter an amount in pounds, like 500"),
            }
        }
    }
    q
}

async fn queue_page(
    state: &AppState,
    user: &CurrentUser,
    p: QueueParams,
    d: DecisionParams,
    mut errors: FieldErrors,
    done: Vec<String>,
) -> Result<QueuePage, AppError> {
    let q = queue_query(&p, &mut errors);
    let queue: FundingQueue = state.services.funding_queue(&user.actor, &q).await?;
    let policy = &queue.policy;
    let status = q.status.unwrap_or(FundingStatus::Submitted);
    let chosen: Vec<&str> = d.requests.iter().map(String::as_str).collect();
    let rows = queue
        .requests
        .iter()
        .map(|r| {
            let row = &r.row;
            let category = policy.category(&row.category);
            let so_far = match r.allowance {
                Some(a) => {
                    let left = r.this_term.remaining(a);
                    let left = if r.this_term.over(a) {
                        format!("{} over", Pence::from_pence(-left.pence()))
                    } else {
                        format!("{left} left")
                    };
                    format!(
                        "{} approved, {} asked for this term, of {a} ({left}); {} approved this year",
                        r.this_term.approved, r.this_term.requested, r.this_year.approved
                    )
                }
                None => format!(
                    "{} approved, {} asked for this term; {} this year",
                    r.this_term.approved, r.this_term.requested, r.this_year.approved
                ),
            };
            QueueRow {
                id: row.id.to_string(),
                child: row.child_name.clone(),
                href: format!("{}/targets", pep_path(row.child_id, row.pep_id)),
                school: row.school_name.clone().unwrap_or_else(|| "No school".into()),
                term: term_and_year(&row.term, row.academic_year),
                category: category.map_or_else(|| row.category.clone(), |c| c.name.clone()),
                consideration: category.map(|c| consideration_tag(c.consideration)),
                purchase: row.purchase.clone(),
                amount: Pence::from_pence(row.amount_pence).to_string(),
                status: funding_tag(status_of(row)),
                so_far,
                over: r.allowance.is_some_and(|a| r.this_term.over(a)),
                checked: chosen.contains(&row.id.to_string().as_str()),
            }
        })
        .collect();
    let mut schools = vec![Choice::new("", "All schools")];
    schools.extend(
        state
            .services
            .authority_schools(&user.actor)
            .await?
            .into_iter()
            .map(|s| Choice::new(s.id.to_string(), s.name)),
    );
    let mut terms = vec![Choice::new("", "All terms")];
    terms.extend(Term::ALL.iter().map(|t| Choice::new(t.code(), t.label())));
    let mut categories = vec![Choice::new("", "All purposes")];
    categories
        .extend(policy.categories.iter().map(|c| Choice::new(c.code.clone(), c.name.clone())));
    let statuses = FundingStatus::ALL
        .iter()
        .filter(|s| **s != FundingStatus::Draft)
        .map(|s| Choice::new(s.code(), s.label()))
        .collect();
    let decisions = DecisionKind::ALL.iter().map(|k| Choice::new(k.code(), k.label())).collect();
    let totals = totals_table(&queue);
    let role = user.role();
    Ok(QueuePage {
        layout: Layout::for_user(user, "Funding requests", "/funding")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        p,
        statuses,
        schools,
        terms,
        categories,
        rows,
        may_decide: openpep_domain::may(role, openpep_domain::AuthorityAction::DecideFunding),
        may_pay: openpep_domain::may(role, openpep_domain::AuthorityAction::PayFunding),
        awaiting: status == FundingStatus::Submitted,
        approved: status.may_pay(),
        decisions,
        d,
        done,
        totals,
        year: queue.year.to_string(),
    })
}

/// The year's requests by school and term: asked for, approved, paid.
fn totals_table(queue: &FundingQueue) -> Table {
    use std::collections::BTreeMap;
    let mut by: BTreeMap<(String, String), openpep_domain::funding::Totals> = BTreeMap::new();
    for s in &queue.by_school {
        let key = (s.key_name.clone().unwrap_or_else(|| "No school".into()), s.term.clone());
        let status = FundingStatus::from_code(&s.status).unwrap_or(FundingStatus::Draft);
        by.entry(key).or_default().add(
            status,
            Pence::from_pence(s.amount_pence),
            Some(Pence::from_pence(s.approved_pence)),
        );
    }
    Table {
        caption: format!("Requests by school and term, {}", queue.year),
        caption_size: "m",
        head: vec![
            "School".into(),
            "Term".into(),
            "Awaiting decision".into(),
            "Approved".into(),
            "Paid".into(),
        ],
        rows: by
            .into_iter()
            .map(|((school, term), t)| {
                vec![
                    Cell::text(school).heading(),
                    Cell::text(
                        Term::from_code(&term)
                            .map_or_else(|| term.clone(), |t| t.label().to_owned()),
                    ),
                    Cell { numeric: true, ..Cell::text(t.requested.to_string()) },
                    Cell { numeric: true, ..Cell::text(t.approved.to_string()) },
                    Cell { numeric: true, ..Cell::text(t.paid.to_string()) },
                ]
            })
            .collect(),
        csrf: String::new(),
    }
}

pub async fn show_queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<QueueParams>,
) -> Result<Response, AppError> {
    let page =
        queue_page(&state, &user, p, DecisionParams::default(), FieldErrors::default(), Vec::new())
            .await?;
    Ok(if page.errors.is_empty() {
        page.into_response()
    } else {
        (StatusCode::BAD_REQUEST, page).into_response()
    })
}

#[derive(Deserialize, Default, Clone)]
pub struct DecisionParams {
    #[serde(default)]
    requests: Vec<String>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    approved_amount: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    status: String,
}

fn chosen_ids(d: &DecisionParams) -> Result<Vec<Uuid>, AppError> {
    d.requests.iter().map(|r| super::id_or_404(r)).collect()
}

pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(d): Form<DecisionParams>,
) -> Result<Response, AppError> {
    let ids = chosen_ids(&d)?;
    let input = DecisionInput {
        kind: d.kind.clone(),
        approved_amount: d.approved_amount.clone(),
        note: d.note.clone(),
    };
    let result = state.services.decide_funding(&user.actor, &ids, &input).await;
    after_moving(&state, &user, d, result, "decided").await
}

pub async fn pay(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(d): Form<DecisionParams>,
) -> Result<Response, AppError> {
    let ids = chosen_ids(&d)?;
    let result = state.services.pay_funding(&user.actor, &ids).await;
    after_moving(&state, &user, d, result, "recorded as paid").await
}

/// The queue again after a decision or payment: what was done, and any
/// request someone else got to first; or the form with what was wrong,
/// as it was filled in.
async fn after_moving(
    state: &AppState,
    user: &CurrentUser,
    d: DecisionParams,
    result: Result<Decided, FormError>,
    done_words: &str,
) -> Result<Response, AppError> {
    let p = QueueParams { status: d.status.clone(), ..QueueParams::default() };
    match result {
        Ok(done) => {
            let plural = if done.decided == 1 { "" } else { "s" };
            let mut lines = vec![format!("{} request{plural} {done_words}", done.decided)];
            lines.extend(done.already);
            let blank = DecisionParams::default();
            let page = queue_page(state, user, p, blank, FieldErrors::default(), lines).await?;
            Ok(page.into_response())
        }
        Err(FormError::Invalid(errors)) => {
            let page = queue_page(state, user, p, d, errors, Vec::new()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pages/funding_policy.html")]
pub struct PolicyPage {
    layout: Layout,
    errors: FieldErrors,
    sources: Table,
    categories: Table,
    post_16: String,
    post_16_choices: Vec<Choice>,
    version: i64,
}

/// The policy is the administrator's: the settings' permission.
fn may_manage(user: &CurrentUser) -> Result<(), AppError> {
    if openpep_domain::may(user.role(), openpep_domain::AuthorityAction::ManageSettings) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn policy_page(
    state: &AppState,
    user: &CurrentUser,
    errors: FieldErrors,
) -> Result<PolicyPage, AppError> {
    may_manage(user)?;
    let (version, policy) = state.services.funding_policy(user.actor.la_id).await?;
    Ok(PolicyPage {
        layout: Layout::for_user(user, "Funding policy", "/settings")
            .dev(state.config.dev_mode)
            .with_errors(!errors.is_empty()),
        errors,
        sources: sources_table(&policy),
        categories: categories_table(&policy),
        post_16: policy.post_16.code().into(),
        post_16_choices: Post16Funding::ALL
            .iter()
            .map(|p| Choice::new(p.code(), p.label()))
            .collect(),
        version,
    })
}

fn sources_table(policy: &FundingPolicy) -> Table {
    let mut rows = Vec::new();
    for s in &policy.sources {
        let rates = if s.rates.is_empty() {
            "No set rate".to_owned()
        } else {
            s.rates
                .iter()
                .map(|r| {
                    format!(
                        "{}: {} a year (autumn {}, spring {}, summer {})",
                        AcademicYear(r.academic_year),
                        r.yearly,
                        r.autumn,
                        r.spring,
                        r.summer
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        rows.push(vec![
            Cell::text(s.name.clone()).heading(),
            Cell::text(s.years_in_words()),
            Cell::text(rates),
            Cell::link("Set a year's rate", format!("/settings/funding/sources/{}/rates", s.code)),
        ]);
    }
    Table {
        caption: "Sources, and what each gives a child".into(),
        caption_size: "m",
        head: vec!["Source".into(), "For".into(), "Rates".into(), "".into()],
        rows,
        csrf: String::new(),
    }
}

fn categories_table(policy: &FundingPolicy) -> Table {
    Table {
        caption: "What funding is for".into(),
        caption_size: "m",
        head: vec!["Purpose".into(), "Panel".into(), "Cap a term".into(), "".into()],
        rows: policy
            .categories
            .iter()
            .map(|c| {
                vec![
                    Cell::text(c.name.clone()).heading(),
                    Cell::tag(consideration_tag(c.consideration)),
                    Cell::text(c.cap_per_term.map_or_else(|| "None".into(), |p| p.to_string())),
                    Cell::link("Change", format!("/settings/funding/categories/{}", c.code)),
                ]
            })
            .collect(),
        csrf: String::new(),
    }
}

pub async fn show_policy(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    Ok(policy_page(&state, &user, FieldErrors::default()).await?.into_response())
}

#[derive(Deserialize)]
pub struct Post16Params {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    post_16: String,
}

pub async fn save_post_16(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<Post16Params>,
) -> Result<Response, AppError> {
    may_manage(&user)?;
    let (_, mut policy) = state.services.funding_policy(user.actor.la_id).await?;
    let Some(choice) = Post16Funding::from_code(&f.post_16) else {
        let mut errors = FieldErrors::default();
        errors.add("post_16", "Select whether post-16 funding is given");
        let page = policy_page(&state, &user, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    policy.post_16 = choice;
    save_policy(&state, &user, &policy, "post_16", None, f.version).await
}

/// Saves a new version of the policy. Refused, it shows again the form
/// the change came from, as it was filled in (or, for the post-16 choice,
/// the policy page).
async fn save_policy(
    state: &AppState,
    user: &CurrentUser,
    policy: &FundingPolicy,
    what: &str,
    from: Option<(&SettingsForm, &Sent)>,
    version: i64,
) -> Result<Response, AppError> {
    match state.services.save_funding_policy(&user.actor, version, policy, what).await {
        Ok(_) => Ok(Redirect::to("/settings/funding").into_response()),
        Err(FormError::Invalid(errors)) => match from {
            Some((form, sent)) => Ok(form.page(state, user, sent, errors).respond()),
            None => {
                let page = policy_page(state, user, errors).await?;
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
        },
        Err(FormError::Service(e)) => Err(e.into()),
    }
}

/// A form that changes one part of the policy: a purpose, or a source's
/// rate for a year.
struct SettingsForm {
    heading: String,
    action: String,
    blocks: Vec<Block>,
}

impl SettingsForm {
    fn category(code: &str) -> SettingsForm {
        let heading = if code == "new" { "Add a purpose" } else { "Change a purpose" };
        SettingsForm {
            heading: heading.into(),
            action: format!("/settings/funding/categories/{code}"),
            blocks: vec![
                Block::field(FieldSpec::new("name", "Purpose", Control::Text)),
                Block::field(FieldSpec::new(
                    "consideration",
                    "How the panel treats it",
                    Control::Radios(Consideration::options()),
                )),
                Block::field(
                    FieldSpec::new(
                        "cap",
                        "Most a child can have for it a term, in pounds (optional)",
                        Control::Short,
                    )
                    .hint("Leave blank for no cap"),
                ),
                Block::field(
                    FieldSpec::new("guidance", "Guidance", Control::LongText).hint(
                        "Shown to schools; for a purpose that will not be considered, say why.",
                    ),
                ),
            ],
        }
    }

    fn rate(code: &str, source_name: &str) -> SettingsForm {
        let pounds =
            |name: &str, label: &str| Block::field(FieldSpec::new(name, label, Control::Short));
        SettingsForm {
            heading: format!("Set a year's rate: {source_name}"),
            action: format!("/settings/funding/sources/{code}/rates"),
            blocks: vec![
                Block::field(
                    FieldSpec::new("academic_year", "School year", Control::Short)
                        .hint("For example, 2026/27"),
                ),
                pounds("yearly", "Rate a child for the year, in pounds"),
                Block::Heading {
                    text: "How much is allocated each term".into(),
                    hint: Some("Leave all three blank to split the year's rate in thirds.".into()),
                },
                pounds("autumn", "Autumn term, in pounds"),
                pounds("spring", "Spring term, in pounds"),
                pounds("summer", "Summer term, in pounds"),
            ],
        }
    }

    fn page(
        &self,
        state: &AppState,
        user: &CurrentUser,
        sent: &Sent,
        errors: FieldErrors,
    ) -> BlockForm {
        let filled = fill(&self.blocks, sent, errors, true);
        let back = (
            "Funding policy".to_owned(),
            "/settings/funding".to_owned(),
            "Back to the funding policy",
        );
        BlockForm {
            action: self.action.clone(),
            ..BlockForm::new(state, user, (&self.heading, &self.heading), back, filled)
        }
    }
}

pub async fn show_category(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    may_manage(&user)?;
    let (version, policy) = state.services.funding_policy(user.actor.la_id).await?;
    let mut fields = Fields::new();
    if code != "new" {
        let c = policy.category(&code).ok_or(AppError::NotFound)?;
        fields.insert("code".into(), c.code.clone());
        fields.insert("name".into(), c.name.clone());
        fields.insert("consideration".into(), c.consideration.code().into());
        let cap = c.cap_per_term.map(|p| p.to_string().replace('£', ""));
        fields.insert("cap".into(), cap.unwrap_or_default());
        fields.insert("guidance".into(), c.guidance.clone());
    }
    let sent = Sent { fields, version, add: None };
    Ok(SettingsForm::category(&code).page(&state, &user, &sent, FieldErrors::default()).respond())
}

pub async fn save_category(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    may_manage(&user)?;
    let (_, mut policy) = state.services.funding_policy(user.actor.la_id).await?;
    let mut sent = sent(fields);
    let position = policy.categories.iter().position(|c| c.code == code);
    if code != "new" {
        let Some(i) = position else { return Err(AppError::NotFound) };
        sent.fields.insert("code".into(), policy.categories[i].code.clone());
    }
    let form = SettingsForm::category(&code);
    let category = match check_category(&sent.fields) {
        Ok(c) => c,
        Err(problems) => {
            let errors = openpep_service::pep_editing::problems_as_errors(problems);
            return Ok(form.page(&state, &user, &sent, errors).respond());
        }
    };
    match position {
        Some(i) => policy.categories[i] = category,
        None if policy.category(&category.code).is_some() => {
            let mut errors = FieldErrors::default();
            errors.add("q_name", "There is already a purpose with this name");
            return Ok(form.page(&state, &user, &sent, errors).respond());
        }
        None => policy.categories.push(category),
    }
    save_policy(&state, &user, &policy, "category", Some((&form, &sent)), sent.version).await
}

pub async fn show_rate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    may_manage(&user)?;
    let (version, policy) = state.services.funding_policy(user.actor.la_id).await?;
    let source = policy.source(&code).ok_or(AppError::NotFound)?;
    let sent = Sent { fields: Fields::new(), version, add: None };
    let form = SettingsForm::rate(&code, &source.name);
    Ok(form.page(&state, &user, &sent, FieldErrors::default()).respond())
}

pub async fn save_rate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    may_manage(&user)?;
    let (_, mut policy) = state.services.funding_policy(user.actor.la_id).await?;
    let sent = sent(fields);
    let i = policy.sources.iter().position(|s| s.code == code).ok_or(AppError::NotFound)?;
    let form = SettingsForm::rate(&code, &policy.sources[i].name);
    let rate = match check_rate(&sent.fields) {
        Ok(r) => r,
        Err(problems) => {
            let errors = openpep_service::pep_editing::problems_as_errors(problems);
            return Ok(form.page(&state, &user, &sent, errors).respond());
        }
    };
    let rates = &mut policy.sources[i].rates;
    rates.retain(|r| r.academic_year != rate.academic_year);
    rates.push(rate);
    rates.sort_by_key(|r| r.academic_year);
    save_policy(&state, &user, &policy, "rate", Some((&form, &sent)), sent.version).await
}

/// A child's funding requests for their overview, newest year first, with
/// the year's totals; `None` when there are none.
pub fn child_funding_table(rows: &[openpep_store::funding::RequestRow]) -> Option<Table> {
    if rows.is_empty() {
        return None;
    }
    let mut totals: std::collections::BTreeMap<i32, openpep_domain::funding::Totals> =
        std::collections::BTreeMap::new();
    let mut out: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            totals.entry(r.academic_year).or_default().add(
                status_of(r),
                Pence::from_pence(r.amount_pence),
                r.approved_pence.map(Pence::from_pence),
            );
            vec![
                Cell::text(term_and_year(&r.term, r.academic_year)).heading(),
                Cell::link(
                    r.purchase.clone(),
                    format!("{}/targets", pep_path(r.child_id, r.pep_id)),
                ),
                Cell { numeric: true, ..Cell::text(Pence::from_pence(r.amount_pence).to_string()) },
                Cell::tag(funding_tag(status_of(r))),
            ]
        })
        .collect();
    for (year, t) in totals.into_iter().rev() {
        out.push(vec![
            Cell::text(format!("{} in all", AcademicYear(year))).heading(),
            Cell::text(format!("{} approved ({} paid)", t.approved, t.paid)),
            Cell { numeric: true, ..Cell::text(t.requested.to_string()) },
            Cell::text("awaiting a decision"),
        ]);
    }
    Some(Table {
        caption: "Funding".into(),
        caption_size: "s",
        head: vec!["Term".into(), "For".into(), "Amount".into(), "Status".into()],
        rows: out,
        csrf: String::new(),
    })
}
