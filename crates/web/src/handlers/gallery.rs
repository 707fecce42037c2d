//! The component gallery: every typed GOV.UK component with sample data.
//! Only in demo and development mode.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use openpep_domain::PepStatus;
use openpep_service::FieldErrors;

use crate::components::{
    Cell, Choice, DateParts, DateValue, Pagination, SummaryRow, Table, Tag, TagColour, TaskItem,
    TaskStatus,
};
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
    legal_statuses: Vec<Choice>,
    terms: Vec<Choice>,
    yes_no: Vec<Choice>,
    attendees: Vec<Choice>,
    attended: Vec<String>,
    needs: Vec<Choice>,
    needs_checked: Vec<String>,
    schools: Vec<Choice>,
    key_stages: Vec<Choice>,
    meeting_date: DateValue,
    review_date: DateValue,
    review_date_parts: DateParts,
    target_card: Vec<SummaryRow>,
    meeting_card: Vec<SummaryRow>,
    tasks: Vec<TaskItem>,
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
    errors.add("gallery-upn", "Enter a UPN in the correct format, like A123456789012");
    errors.add("gallery-barriers", "Enter the barriers to learning, or say there are none");
    errors.add("gallery-term", "Select the term this PEP is for");
    errors.add(
        "gallery-needs",
        "Select the child’s special educational needs, or ‘No identified needs’",
    );
    errors.add("gallery-key-stage", "Select the child’s key stage");
    let review_date_parts = DateParts { month: true, ..DateParts::NONE };
    errors.add(
        &review_date_parts.first_id("gallery-review-date"),
        "The review date must be a real date",
    );
    Ok(GalleryPage {
        layout: layout.dev(true),
        errors,
        summary: vec![
            SummaryRow::new("Name", "Jayden Marsh"),
            SummaryRow::new("Year group", "Year 4").with_hint("Primary, Key stage 2"),
        ],
        table: Table {
            csrf: String::new(),
            caption: "Sample table".into(),
            caption_size: "m",
            head: ["Name", "Status"].map(String::from).to_vec(),
            rows: vec![
                vec![
                    Cell::link("Jayden Marsh", "#").heading(),
                    Cell::tag(Tag::new("In progress", TagColour::Blue)),
                ],
                vec![
                    Cell::text("Amara Osei").heading(),
                    Cell::tag(Tag::new("Overdue", TagColour::Red)),
                ],
            ],
        },
        tags: PepStatus::ALL
            .into_iter()
            .map(|status| Tag::for_pep(Some(status), false))
            .chain([
                Tag::for_pep(Some(PepStatus::InProgress), true),
                Tag::new("Red priority", TagColour::Red),
                Tag::new("Care leaver", TagColour::Magenta),
            ])
            .collect(),
        pagination: Pagination::new(5, 12, |n| format!("/components?page={n}")),
        legal_statuses: vec![
            Choice::new("C1", "Interim care order")
                .with_hint("Section 38 of the Children Act 1989"),
            Choice::new("C2", "Full care order").with_hint("Section 31 of the Children Act 1989"),
            Choice::new("V2", "Single period of accommodation under section 20")
                .with_hint("Accommodated with the agreement of those with parental responsibility"),
            Choice::new("E1", "Placement order granted"),
        ],
        terms: [("autumn", "Autumn"), ("spring", "Spring"), ("summer", "Summer")]
            .into_iter()
            .map(|(v, t)| Choice::new(v, t))
            .collect(),
        yes_no: vec![Choice::new("yes", "Yes"), Choice::new("no", "No")],
        attendees: vec![
            Choice::new("child", "The child"),
            Choice::new("designated-teacher", "Designated teacher"),
            Choice::new("social-worker", "Social worker"),
            Choice::new("carer", "Foster carer or residential key worker"),
            Choice::new("virtual-school", "Virtual School adviser"),
            Choice::new("iro", "Independent reviewing officer (IRO)")
                .with_hint("Usually attends the review, not the PEP meeting"),
        ],
        attended: ["child", "designated-teacher", "carer"].map(String::from).to_vec(),
        needs: vec![
            Choice::new("sen-support", "SEN support"),
            Choice::new("ehcp", "Education, health and care plan (EHCP)"),
            Choice::new("ehcp-assessment", "EHC needs assessment requested"),
            Choice::new("none", "No identified needs"),
        ],
        needs_checked: Vec::new(),
        schools: vec![
            Choice::new("", "Choose a school"),
            Choice::new("100001", "Harbour View Primary School"),
            Choice::new("100002", "St Aldric’s Church of England Academy"),
            Choice::new("100003", "Millbrook High School"),
            Choice::new("100004", "Fernlea Special School"),
        ],
        key_stages: vec![
            Choice::new("", "Choose a key stage"),
            Choice::new("eyfs", "Early years foundation stage"),
            Choice::new("ks1", "Key stage 1"),
            Choice::new("ks2", "Key stage 2"),
            Choice::new("ks3", "Key stage 3"),
            Choice::new("ks4", "Key stage 4"),
            Choice::new("post-16", "Post-16"),
        ],
        meeting_date: DateValue::new("14", "10", "2025"),
        review_date: DateValue::new("17", "13", "2026"),
        review_date_parts,
        target_card: vec![
            SummaryRow::new(
                "Target",
                "Read a short chapter book independently and talk about the characters",
            ),
            SummaryRow::new("Success criteria", "Reading age within 6 months of actual age"),
            SummaryRow::new("Support", "Daily 15-minute reading with a teaching assistant")
                .with_hint("Funded from pupil premium plus"),
            SummaryRow::new("Who is responsible", "Ms Okafor, class teacher"),
            SummaryRow::new("Review by", "13 February 2026"),
        ],
        meeting_card: vec![
            SummaryRow::new("Date", "14 October 2025"),
            SummaryRow::new("Attended", "Jayden Marsh, Ms Okafor, Priya Halden (foster carer)"),
        ],
        tasks: vec![
            TaskItem::new(
                "Child’s views",
                Some("#gallery-child-views".into()),
                TaskStatus::Text("Completed".into()),
            ),
            TaskItem::new(
                "Attendance and exclusions",
                Some("#gallery-tasks".into()),
                TaskStatus::Tag(Tag::new("In progress", TagColour::Blue)),
            ),
            TaskItem::new(
                "Targets",
                Some("#gallery-tasks".into()),
                TaskStatus::Tag(Tag::new("Incomplete", TagColour::Blue)),
            )
            .with_hint("At least one target for each area of need"),
            TaskItem::new(
                "Pupil premium plus spending",
                Some("#gallery-tasks".into()),
                TaskStatus::Tag(Tag::new("Incomplete", TagColour::Blue)),
            ),
            TaskItem::new("Sign-off", None, TaskStatus::CannotStartYet)
                .with_hint("Complete every section first"),
        ],
    })
}
