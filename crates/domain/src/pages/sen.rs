//! Special educational needs: none, SEN support (with its support plan) or
//! an education, health and care plan (with its annual review and the
//! child's needs by the SEN2 return's list). From year 9, the focus on
//! preparing for adulthood. The plan itself is uploaded on the Documents
//! page; this page cannot be completed without it.

use crate::code::code_enum;
use chrono::NaiveDate;

use super::input::{Reader, parse_date};
use super::{
    Block, Control, DocumentKind, FieldSpec, Fields, Opt, PageContext, Problems, Tone, uk_date,
};

/// The SEN2 types of need: (code, label).
const NEEDS: [(&str, &str); 12] = [
    ("SpLD", "Specific learning difficulty (SpLD)"),
    ("MLD", "Moderate learning difficulty (MLD)"),
    ("SLD", "Severe learning difficulty (SLD)"),
    ("PMLD", "Profound and multiple learning difficulty (PMLD)"),
    ("SEMH", "Social, emotional and mental health (SEMH)"),
    ("SLCN", "Speech, language and communication needs (SLCN)"),
    ("HI", "Hearing impairment (HI)"),
    ("VI", "Vision impairment (VI)"),
    ("MSI", "Multi-sensory impairment (MSI)"),
    ("PD", "Physical disability (PD)"),
    ("ASD", "Autistic spectrum disorder (ASD)"),
    ("OTH", "Other difficulty or disability (OTH)"),
];

code_enum! {
    /// The special educational needs provision the child has.
    Provision, "SEN provision" {
        NoSen => "none", "No special educational needs";
        SenSupport => "sen_support", "SEN support";
        Ehcp => "ehcp", "Education, health and care plan (EHCP)";
    }
}

impl Provision {
    /// The school census's SEN provision code.
    pub fn census_code(self) -> &'static str {
        match self {
            Provision::NoSen => "N",
            Provision::SenSupport => "K",
            Provision::Ehcp => "E",
        }
    }

    /// The saved page's provision, once chosen.
    pub fn read(fields: &Fields) -> Option<Provision> {
        fields.get("provision").and_then(|c| Provision::from_code(c.trim()))
    }
}

/// The census code ("N", "K" or "E") of the saved page's provision: the
/// service keeps the child's profile in step with it.
pub fn provision_code(fields: &Fields) -> Option<&'static str> {
    Provision::read(fields).map(Provision::census_code)
}

fn need_options() -> Vec<Opt> {
    Opt::with_prompt("Select a type of need", Opt::pairs(&NEEDS))
}

/// From year 9, plans look ahead to adult life.
fn asks_about_adulthood(ctx: &PageContext) -> bool {
    ctx.nc_year.value() >= 9
}

fn plan_name(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::EhcPlan => "education, health and care plan",
        _ => "SEN support plan",
    }
}

fn upload_message(kind: DocumentKind) -> String {
    format!(
        "Upload the {} on the Documents page before marking this page completed",
        plan_name(kind)
    )
}

pub(super) fn check(
    fields: &Fields,
    ctx: &PageContext,
    completing: bool,
) -> Result<Fields, Problems> {
    let mut r = Reader::new(fields);
    let provision = r
        .choice("provision", "the provision", &Provision::options())
        .and_then(|c| Provision::from_code(&c));
    r.require(completing, "provision", "Select the child's special educational needs provision");
    let plan = match provision {
        Some(Provision::NoSen) => return r.finish(),
        Some(Provision::SenSupport) => Some(DocumentKind::SupportPlan),
        Some(Provision::Ehcp) => Some(DocumentKind::EhcPlan),
        None => None,
    };
    if completing && let Some(kind) = plan.filter(|k| !ctx.documents.contains(k)) {
        r.problem("provision", upload_message(kind));
    }
    // Until the provision is chosen, the form has both kinds' questions.
    let ehcp = provision != Some(Provision::SenSupport);

    let plan_date = r.date("plan_date", "the date of the plan");
    if plan_date.is_some_and(|d| d > ctx.today) {
        r.problem("plan_date", "The date of the plan must be today or in the past");
    }
    if ehcp {
        let review = r.date("review_date", "the date of the next annual review");
        if let (Some(plan), Some(review)) = (plan_date, review)
            && review <= plan
        {
            r.problem(
                "review_date",
                "The date of the next annual review must be after the date of the plan",
            );
        }
        let primary = r.choice("primary_need", "the primary need", &need_options());
        let secondary = r.choice("secondary_need", "the secondary need", &need_options());
        if primary.is_some() && primary == secondary {
            r.problem(
                "secondary_need",
                "The secondary need must be different from the primary need",
            );
        }
    }
    r.long_text("needs", "the child's needs and support");
    if asks_about_adulthood(ctx) {
        r.long_text("pfa_focus", "the focus for preparing for adulthood");
    }

    if provision == Some(Provision::Ehcp) {
        r.require(completing, "plan_date", "Enter the date of the EHC plan");
        r.require(completing, "review_date", "Enter the date of the next annual review");
        r.require(completing, "primary_need", "Select the primary need");
        if asks_about_adulthood(ctx) {
            r.require(completing, "pfa_focus", "Enter the focus for preparing for adulthood");
        }
    }
    // In the order of the form.
    let order = [
        "provision",
        "plan_date",
        "review_date",
        "primary_need",
        "secondary_need",
        "needs",
        "pfa_focus",
    ];
    r.problems.0.sort_by_key(|(f, _)| order.iter().position(|o| o == f));
    r.finish()
}

pub(super) fn layout(fields: &Fields, ctx: &PageContext) -> Vec<Block> {
    let provision = Provision::read(fields);
    let previous = ctx.previous.as_ref();
    let mut blocks = vec![Block::Field(
        FieldSpec::new(
            "provision",
            "Special educational needs provision",
            Control::Radios(Provision::options()),
        )
        .hint("As the school records it. The child's profile is updated to match when you save")
        .previous(previous.and_then(Provision::read).map(|p| p.code().to_owned())),
    )];
    let plan = match provision {
        Some(Provision::NoSen) => return blocks,
        Some(Provision::SenSupport) => Some(DocumentKind::SupportPlan),
        Some(Provision::Ehcp) => Some(DocumentKind::EhcPlan),
        None => None,
    };
    if let Some(kind) = plan.filter(|k| !ctx.documents.contains(k)) {
        blocks.push(Block::Alert {
            text: format!(
                "The {} has not been uploaded yet: upload it on the Documents page before \
                 marking this page completed.",
                plan_name(kind)
            ),
            tone: Tone::Warning,
        });
    }
    let ehcp = provision != Some(Provision::SenSupport);
    let ehcp_only = |hint: &str| {
        if provision.is_none() { format!("For an EHCP only. {hint}") } else { hint.to_owned() }
    };

    let plan_label = match provision {
        Some(Provision::SenSupport) => "Date of the SEN support plan",
        Some(Provision::Ehcp) => "Date of the EHC plan",
        _ => "Date of the plan",
    };
    blocks.push(Block::Field(
        FieldSpec::new("plan_date", plan_label, Control::Date)
            .hint("The date on the plan, for example 14 3 2026"),
    ));
    if ehcp {
        blocks.push(Block::Field(
            FieldSpec::new("review_date", "Date of the next annual review", Control::Date)
                .hint(ehcp_only("An EHC plan is reviewed at least once a year")),
        ));
        if provision == Some(Provision::Ehcp)
            && let Ok(Some(due)) = parse_date(fields.get("review_date").map_or("", String::as_str))
            && due < ctx.today
        {
            blocks.push(review_alert(due));
        }
        blocks.push(Block::Field(
            FieldSpec::new("primary_need", "Primary need", Control::Select(need_options()))
                .hint(ehcp_only("The child's main type of need, as the plan records it"))
                .previous(previous.and_then(|p| p.get("primary_need").cloned())),
        ));
        blocks.push(Block::Field(
            FieldSpec::new(
                "secondary_need",
                "Secondary need (optional)",
                Control::Select(need_options()),
            )
            .hint(ehcp_only("Another type of need, if the plan records one")),
        ));
    }
    blocks.push(Block::Field(
        FieldSpec::new("needs", "The child's needs and the support in place", Control::LongText)
            .hint("What the child finds hard, and what the school and others do to help"),
    ));
    if asks_about_adulthood(ctx) {
        blocks.push(Block::Field(
            FieldSpec::new(
                "pfa_focus",
                "Preparing for adulthood: what is the focus?",
                Control::LongText,
            )
            .hint(
                "Think about the four areas: paid employment, independent living, friends and \
                 community, and good health",
            )
            .previous(previous.and_then(|p| p.get("pfa_focus").cloned())),
        ));
    }
    blocks
}

fn review_alert(due: NaiveDate) -> Block {
    Block::Alert {
        text: format!(
            "The annual review was due on {}: ask the school and the local authority's SEN team \
             when it will be held, and enter the date of the next review once it has taken place.",
            uk_date(due)
        ),
        tone: Tone::Bad,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::{context, fields};
    use crate::school_year::NcYear;

    fn ehcp() -> Fields {
        fields(&[
            ("provision", "ehcp"),
            ("plan_date", "14/3/2026"),
            ("review_date", "1/3/2027"),
            ("primary_need", "asd"),
            ("secondary_need", "SLCN"),
            ("needs", "Finds changes of routine hard; a visual timetable and a key adult."),
            ("pfa_focus", "Travelling to college on his own."),
        ])
    }

    fn with_documents(kinds: &[DocumentKind]) -> PageContext {
        PageContext { documents: kinds.to_vec(), ..context() }
    }

    #[test]
    fn provision_gives_the_census_code() {
        assert_eq!(provision_code(&fields(&[("provision", "none")])), Some("N"));
        assert_eq!(provision_code(&fields(&[("provision", "sen_support")])), Some("K"));
        assert_eq!(provision_code(&fields(&[("provision", "ehcp")])), Some("E"));
        assert_eq!(provision_code(&fields(&[("provision", "")])), None);
        assert_eq!(provision_code(&Fields::new()), None);
    }

    #[test]
    fn no_sen_drops_the_other_answers() {
        let mut f = ehcp();
        f.insert("provision".into(), "none".into());
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(out, fields(&[("provision", "none")]));
        assert_eq!(layout(&out, &context()).len(), 1);
    }

    #[test]
    fn an_ehcp_is_saved_normalised_once_the_plan_is_uploaded() {
        let p = check(&ehcp(), &context(), true).unwrap_err();
        assert_eq!(
            p.message("provision"),
            Some(
                "Upload the education, health and care plan on the Documents page before marking this page completed"
            )
        );
        assert_eq!(p.0.len(), 1);
        let out = check(&ehcp(), &with_documents(&[DocumentKind::EhcPlan]), true).unwrap();
        assert_eq!(out["plan_date"], "2026-03-14");
        assert_eq!(out["review_date"], "2027-03-01");
        assert_eq!(out["primary_need"], "ASD");
        assert_eq!(out["secondary_need"], "SLCN");
        let support = check(&ehcp(), &with_documents(&[DocumentKind::SupportPlan]), true);
        assert!(support.is_err(), "a support plan is not the EHC plan");
    }

    #[test]
    fn completing_an_ehcp_needs_its_dates_need_and_adulthood_focus_from_year_9() {
        let f = fields(&[("provision", "ehcp")]);
        let ctx = with_documents(&[DocumentKind::EhcPlan]);
        assert!(check(&f, &ctx, false).is_ok());
        let p = check(&f, &ctx, true).unwrap_err();
        assert_eq!(p.message("plan_date"), Some("Enter the date of the EHC plan"));
        assert_eq!(p.message("review_date"), Some("Enter the date of the next annual review"));
        assert_eq!(p.message("primary_need"), Some("Select the primary need"));
        assert_eq!(p.message("pfa_focus"), Some("Enter the focus for preparing for adulthood"));
        assert!(!p.has("secondary_need") && !p.has("needs"));
        let year_8 = PageContext { nc_year: NcYear::from_value(8), ..ctx };
        let p = check(&f, &year_8, true).unwrap_err();
        assert!(!p.has("pfa_focus"));
        let mut full = ehcp();
        full.remove("pfa_focus");
        let out = check(&full, &year_8, true).unwrap();
        assert!(!out.contains_key("pfa_focus"), "not asked before year 9");
    }

    #[test]
    fn ehcp_dates_and_needs_must_make_sense() {
        let mut f = ehcp();
        f.insert("plan_date".into(), "24/11/2026".into());
        f.insert("review_date".into(), "1/11/2026".into());
        f.insert("secondary_need".into(), "ASD".into());
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("plan_date"),
            Some("The date of the plan must be today or in the past")
        );
        assert_eq!(
            p.message("review_date"),
            Some("The date of the next annual review must be after the date of the plan")
        );
        assert_eq!(
            p.message("secondary_need"),
            Some("The secondary need must be different from the primary need")
        );
        f.insert("primary_need".into(), "Dyslexia".into());
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(p.message("primary_need"), Some("Select the primary need from the list"));
        let names: Vec<&str> = p.0.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(names, vec!["plan_date", "review_date", "primary_need"]);
    }

    #[test]
    fn sen_support_needs_its_plan_uploaded_and_asks_no_ehcp_questions() {
        let f = fields(&[
            ("provision", "sen_support"),
            ("plan_date", "2026-10-05"),
            ("review_date", "2027-10-05"),
            ("primary_need", "MLD"),
            ("needs", "Small-group reading three times a week."),
        ]);
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(
            p.message("provision"),
            Some(
                "Upload the SEN support plan on the Documents page before marking this page completed"
            )
        );
        let out = check(&f, &with_documents(&[DocumentKind::SupportPlan]), true).unwrap();
        assert_eq!(out["plan_date"], "2026-10-05");
        assert!(!out.contains_key("review_date") && !out.contains_key("primary_need"));
        assert_eq!(out["pfa_focus"], "");
        let names: Vec<String> = layout(&out, &context())
            .iter()
            .filter_map(|b| match b {
                Block::Field(f) => Some(f.name.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(names, vec!["provision", "plan_date", "needs", "pfa_focus"]);
    }

    #[test]
    fn an_overdue_annual_review_is_flagged() {
        let ctx = with_documents(&[DocumentKind::EhcPlan]);
        let mut f = ehcp();
        f.insert("review_date".into(), "2026-11-22".into());
        let blocks = layout(&f, &ctx);
        let alerts: Vec<&Block> =
            blocks.iter().filter(|b| matches!(b, Block::Alert { .. })).collect();
        assert_eq!(alerts.len(), 1);
        let Block::Alert { text, tone } = alerts[0] else { unreachable!() };
        assert_eq!(*tone, Tone::Bad);
        assert!(text.starts_with("The annual review was due on 22 November 2026"), "{text}");
        f.insert("review_date".into(), "23/11/2026".into());
        assert!(!layout(&f, &ctx).iter().any(|b| matches!(b, Block::Alert { .. })));
    }

    #[test]
    fn the_form_warns_until_the_plan_is_uploaded_and_shows_adulthood_from_year_9() {
        let blocks = layout(&ehcp(), &context());
        assert!(blocks.contains(&Block::Alert {
            text: "The education, health and care plan has not been uploaded yet: upload it on the \
                   Documents page before marking this page completed."
                .to_owned(),
            tone: Tone::Warning,
        }));
        let has_pfa = |ctx: &PageContext| {
            layout(&ehcp(), ctx)
                .iter()
                .any(|b| matches!(b, Block::Field(f) if f.name == "pfa_focus"))
        };
        assert!(has_pfa(&context()));
        assert!(!has_pfa(&PageContext { nc_year: NcYear::from_value(8), ..context() }));
        let blank = layout(&Fields::new(), &context());
        assert!(
            blank.iter().any(|b| matches!(b, Block::Field(f) if f.name == "review_date"
                && f.hint.as_deref().is_some_and(|h| h.starts_with("For an EHCP only")))),
            "until chosen, the form shows both kinds' questions"
        );
    }
}
