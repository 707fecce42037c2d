//! Funding requests: what a school asks the Virtual School to pay for to
//! help a child meet a PEP target, checked against the authority's policy,
//! and the Virtual School's decision on it.

use serde::{Deserialize, Serialize};

use super::Pounds;
use super::policy::{Consideration, FundingCategory, FundingPolicy, FundingSource, year_in_words};
use crate::Pence;
use crate::code::code_enum;
use crate::pages::Problems;
use crate::pep::Term;
use crate::school_year::{AcademicYear, NcYear};

const MAX_PURCHASE: usize = 500;
const MAX_COMMENTS: usize = 2000;
const MAX_NOTE: usize = 2000;

code_enum! {
    /// Where a funding request is: the school drafts and submits it, the
    /// Virtual School decides, and approved money is paid.
    FundingStatus, "funding status" {
        Draft => "draft", "Not yet submitted to VS";
        Submitted => "submitted", "Awaiting approval of VS";
        Approved => "approved", "Approved";
        PartApproved => "part_approved", "Part-approved";
        Declined => "declined", "Declined";
        MoreInformation => "more_information", "More information requested";
        Paid => "paid", "Paid";
    }
}

impl FundingStatus {
    /// The school may change the request.
    pub fn editable(self) -> bool {
        matches!(self, FundingStatus::Draft | FundingStatus::MoreInformation)
    }

    /// The school may send the request (again) to the Virtual School.
    pub fn may_submit(self) -> bool {
        self.editable()
    }

    /// The Virtual School has a decision to make.
    pub fn awaiting_decision(self) -> bool {
        self == FundingStatus::Submitted
    }

    /// The approved amount may be marked as paid.
    pub fn may_pay(self) -> bool {
        matches!(self, FundingStatus::Approved | FundingStatus::PartApproved)
    }

    /// The Virtual School agreed to pay some or all of it.
    pub fn counts_as_approved(self) -> bool {
        matches!(self, FundingStatus::Approved | FundingStatus::PartApproved | FundingStatus::Paid)
    }

    /// Nothing is settled yet.
    pub fn open(self) -> bool {
        matches!(
            self,
            FundingStatus::Draft | FundingStatus::Submitted | FundingStatus::MoreInformation
        )
    }
}

code_enum! {
    /// What the Virtual School decides about a submitted request.
    DecisionKind, "funding decision" {
        Approve => "approve", "Approve";
        PartApprove => "part_approve", "Part-approve";
        Decline => "decline", "Decline";
        MoreInformation => "more_information", "Ask for more information";
    }
}

/// A request as typed into the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestInput {
    /// A [`FundingSource`] code.
    pub source: String,
    /// What the money will buy.
    pub purchase: String,
    /// A [`FundingCategory`] code.
    pub category: String,
    /// Pounds, as typed.
    pub amount: String,
    pub comments: String,
}

/// What a request is checked against.
#[derive(Debug, Clone, Copy)]
pub struct RequestContext<'a> {
    pub policy: &'a FundingPolicy,
    pub nc_year: NcYear,
    pub year: AcademicYear,
    pub term: Term,
    /// The child's other requests this term in the same category that are
    /// not declined (pence), for the cap.
    pub same_category_this_term: Pence,
}

/// A request that the policy allows the school to make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedRequest {
    pub source: String,
    pub purchase: String,
    pub category: String,
    pub amount: Pence,
    pub comments: String,
    /// Approval is at the Virtual School management's discretion: the
    /// purpose is discretionary, or the young person is over 16 and the
    /// authority funds post-16 requests at its discretion.
    pub discretionary: bool,
}

/// The request checked against the policy, or what is wrong with it, by
/// field: `source`, `purchase`, `category`, `amount`, `comments`.
pub fn check_request(
    input: &RequestInput,
    ctx: &RequestContext,
) -> Result<CheckedRequest, Problems> {
    let mut problems = Problems::default();
    let source = check_source(&mut problems, &input.source, ctx);
    let purchase = check_purchase(&mut problems, &input.purchase);
    let category = check_category(&mut problems, &input.category, ctx.policy);
    let amount = Pounds {
        field: "amount",
        what: "Amount",
        missing: Some("Enter the amount"),
        positive: true,
    }
    .read(&mut problems, &input.amount);
    if let (Some(category), Some(amount)) = (category, amount)
        && let Err(message) = check_cap(category, amount, ctx.same_category_this_term)
    {
        problems.add("amount", message);
    }
    let comments = input.comments.trim();
    if comments.chars().count() > MAX_COMMENTS {
        problems.add("comments", "Comments must be 2,000 characters or fewer");
    }
    match (source, category, amount) {
        (Some(source), Some(category), Some(amount)) if problems.is_empty() => Ok(CheckedRequest {
            source: source.code.clone(),
            purchase,
            category: category.code.clone(),
            amount,
            comments: comments.to_owned(),
            discretionary: category.consideration == Consideration::Discretionary
                || ctx.policy.post_16_discretionary(ctx.nc_year),
        }),
        _ => Err(problems),
    }
}

fn check_source<'p>(
    problems: &mut Problems,
    code: &str,
    ctx: &RequestContext<'p>,
) -> Option<&'p FundingSource> {
    let code = code.trim();
    if !ctx.policy.funds(ctx.nc_year) {
        problems
            .add("source", "The Virtual School does not fund requests for young people over 16");
        return None;
    }
    if code.is_empty() {
        problems.add("source", "Select a source of funding");
        return None;
    }
    let Some(source) = ctx.policy.source(code) else {
        problems.add("source", "Select a source of funding from the list");
        return None;
    };
    if !source.covers(ctx.nc_year) {
        problems.add("source", wrong_source(source, ctx));
        return None;
    }
    Some(source)
}

/// "Early Years Pupil Premium is for children in nursery: choose Pupil
/// Premium Plus".
fn wrong_source(source: &FundingSource, ctx: &RequestContext) -> String {
    let others: Vec<&str> =
        ctx.policy.sources_for(ctx.nc_year).iter().map(|s| s.name.as_str()).collect();
    let is_for = format!("{} is for children in {}", source.name, source.years_in_words());
    if others.is_empty() {
        format!("{is_for}, and there is no funding for children in {}", year_in_words(ctx.nc_year))
    } else {
        format!("{is_for}: choose {}", others.join(" or "))
    }
}

fn check_purchase(problems: &mut Problems, text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        problems.add("purchase", "Enter what the funding will buy");
    } else if text.chars().count() > MAX_PURCHASE {
        problems.add(
            "purchase",
            format!("What the funding will buy must be {MAX_PURCHASE} characters or fewer"),
        );
    }
    text.to_owned()
}

fn check_category<'p>(
    problems: &mut Problems,
    code: &str,
    policy: &'p FundingPolicy,
) -> Option<&'p FundingCategory> {
    let code = code.trim();
    if code.is_empty() {
        problems.add("category", "Select what the funding is for");
        return None;
    }
    let Some(category) = policy.category(code) else {
        problems.add("category", "Select what the funding is for from the list");
        return None;
    };
    if category.consideration == Consideration::WillNot {
        let mut message =
            format!("Requests for {} will not be considered", in_sentence(&category.name));
        if !category.guidance.trim().is_empty() {
            message = format!("{message}: {}", category.guidance.trim());
        }
        problems.add("category", message);
        return None;
    }
    Some(category)
}

/// A name as it reads inside a sentence: "School uniform" becomes "school
/// uniform", but "EHCP provision" and "1:1 tuition" stay as they are.
fn in_sentence(name: &str) -> String {
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(name.chars().skip(1)).collect()
        }
        _ => name.to_owned(),
    }
}

/// The category's termly cap is not exceeded by this request on top of
/// the child's others in the category this term.
fn check_cap(category: &FundingCategory, amount: Pence, others: Pence) -> Result<(), String> {
    let Some(cap) = category.cap_per_term else {
        return Ok(());
    };
    match amount.checked_add(others) {
        Some(total) if total <= cap => Ok(()),
        total => Err(format!(
            "{} is capped at {} a term; this request would bring the term's total to {}",
            category.name,
            whole_pounds(cap),
            total.map_or_else(|| "more than that".to_owned(), whole_pounds),
        )),
    }
}

/// "£5,000" for a whole number of pounds, "£5,000.50" otherwise.
fn whole_pounds(amount: Pence) -> String {
    let text = amount.to_string();
    text.strip_suffix(".00").map_or(text.clone(), str::to_owned)
}

/// A decision as typed into the Virtual School's form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionInput {
    /// A [`DecisionKind`] code.
    pub kind: String,
    /// Pounds, for a part-approval.
    pub approved_amount: String,
    /// Why, or what more is needed.
    pub note: String,
}

/// A checked decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub kind: DecisionKind,
    /// What will be paid: all of it on approval, part on part-approval,
    /// `None` otherwise.
    pub approved: Option<Pence>,
    pub note: String,
}

impl Decision {
    /// The request's status after the decision.
    pub fn status(&self) -> FundingStatus {
        match self.kind {
            DecisionKind::Approve => FundingStatus::Approved,
            DecisionKind::PartApprove => FundingStatus::PartApproved,
            DecisionKind::Decline => FundingStatus::Declined,
            DecisionKind::MoreInformation => FundingStatus::MoreInformation,
        }
    }
}

/// The decision on a request for `requested`, or what is wrong with it, by
/// field: `kind`, `approved_amount`, `note`.
pub fn check_decision(input: &DecisionInput, requested: Pence) -> Result<Decision, Problems> {
    let mut problems = Problems::default();
    let kind = DecisionKind::from_code(input.kind.trim());
    if kind.is_none() {
        problems.add("kind", "Select a decision");
    }
    let approved = match kind {
        Some(DecisionKind::Approve) => Some(requested),
        Some(DecisionKind::PartApprove) => {
            check_part(&mut problems, &input.approved_amount, requested)
        }
        _ => None,
    };
    let note = input.note.trim();
    match kind {
        Some(DecisionKind::Decline) if note.is_empty() => {
            problems.add("note", "Enter why the request is declined");
        }
        Some(DecisionKind::MoreInformation) if note.is_empty() => {
            problems.add("note", "Enter what more information is needed");
        }
        _ if note.chars().count() > MAX_NOTE => {
            problems.add("note", "Note must be 2,000 characters or fewer");
        }
        _ => {}
    }
    match kind {
        Some(kind) if problems.is_empty() => Ok(Decision { kind, approved, note: note.to_owned() }),
        _ => Err(problems),
    }
}

/// The amount of a part-approval: more than £0, less than `requested`.
fn check_part(problems: &mut Problems, text: &str, requested: Pence) -> Option<Pence> {
    let part = Pounds {
        field: "approved_amount",
        what: "Amount approved",
        missing: Some("Enter the amount approved"),
        positive: true,
    };
    let amount = part.read(problems, text)?;
    if amount >= requested {
        problems.add(
            part.field,
            format!(
                "Amount approved must be less than the {requested} requested: to approve it all, choose Approve"
            ),
        );
        return None;
    }
    Some(amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funding::policy::Post16Funding;
    use proptest::prelude::*;

    fn p(pence: i64) -> Pence {
        Pence::from_pence(pence)
    }

    fn ctx(policy: &FundingPolicy, nc: i8) -> RequestContext<'_> {
        RequestContext {
            policy,
            nc_year: NcYear::from_value(nc),
            year: AcademicYear(2025),
            term: Term::Spring,
            same_category_this_term: Pence::ZERO,
        }
    }

    fn input(source: &str, category: &str, amount: &str) -> RequestInput {
        RequestInput {
            source: source.into(),
            purchase: "Weekly reading sessions with a tutor".into(),
            category: category.into(),
            amount: amount.into(),
            comments: String::new(),
        }
    }

    fn refusal(input: &RequestInput, ctx: &RequestContext, field: &str) -> String {
        let problems = check_request(input, ctx).unwrap_err();
        problems.message(field).unwrap_or_else(|| panic!("no {field}: {problems:?}")).to_owned()
    }

    #[test]
    fn a_good_request() {
        let policy = FundingPolicy::standard();
        let mut typed = input(" pp_plus ", "core_tuition", "£1,250.50");
        typed.comments = "  Six weeks, then review.  ".into();
        let request = check_request(&typed, &ctx(&policy, 5)).unwrap();
        assert_eq!(
            request,
            CheckedRequest {
                source: "pp_plus".into(),
                purchase: "Weekly reading sessions with a tutor".into(),
                category: "core_tuition".into(),
                amount: p(125_050),
                comments: "Six weeks, then review.".into(),
                discretionary: false,
            }
        );
        let penny = check_request(&input("eypp", "books", "0.01"), &ctx(&policy, -1)).unwrap();
        assert_eq!(penny.amount, p(1));
        assert!(penny.discretionary);
    }

    #[test]
    fn post_16_requests_are_discretionary_or_refused() {
        let mut policy = FundingPolicy::standard();
        let request =
            check_request(&input("post_16", "core_tuition", "300"), &ctx(&policy, 12)).unwrap();
        assert!(request.discretionary);
        policy.post_16 = Post16Funding::Off;
        for source in ["post_16", "", "pp_plus"] {
            assert_eq!(
                refusal(&input(source, "core_tuition", "300"), &ctx(&policy, 13), "source"),
                "The Virtual School does not fund requests for young people over 16"
            );
        }
    }

    #[test]
    fn the_source_must_be_chosen_and_fit_the_child() {
        let policy = FundingPolicy::standard();
        let refuse = |source: &str, nc: i8| {
            refusal(&input(source, "core_tuition", "10"), &ctx(&policy, nc), "source")
        };
        assert_eq!(refuse("", 5), "Select a source of funding");
        assert_eq!(refuse("lottery", 5), "Select a source of funding from the list");
        assert_eq!(
            refuse("eypp", 5),
            "Early Years Pupil Premium is for children in nursery: choose Pupil Premium Plus"
        );
        assert_eq!(
            refuse("pp_plus", -1),
            "Pupil Premium Plus is for children in reception to year 11: choose Early Years Pupil Premium"
        );
        assert_eq!(
            refuse("pp_plus", 14),
            "Pupil Premium Plus is for children in reception to year 11, and there is no funding for children in year 14"
        );
    }

    #[test]
    fn what_it_buys_is_needed() {
        let policy = FundingPolicy::standard();
        let mut typed = input("pp_plus", "core_tuition", "10");
        typed.purchase = "   ".into();
        assert_eq!(
            refusal(&typed, &ctx(&policy, 5), "purchase"),
            "Enter what the funding will buy"
        );
        typed.purchase = "é".repeat(500);
        assert!(check_request(&typed, &ctx(&policy, 5)).is_ok());
        typed.purchase = "é".repeat(501);
        assert_eq!(
            refusal(&typed, &ctx(&policy, 5), "purchase"),
            "What the funding will buy must be 500 characters or fewer"
        );
    }

    #[test]
    fn the_category_must_be_one_that_is_considered() {
        let policy = FundingPolicy::standard();
        let refuse = |category: &str| {
            refusal(&input("pp_plus", category, "10"), &ctx(&policy, 5), "category")
        };
        assert_eq!(refuse(""), "Select what the funding is for");
        assert_eq!(refuse("holidays"), "Select what the funding is for from the list");
        assert_eq!(
            refuse("uniform"),
            "Requests for school uniform will not be considered: Uniform is paid for from the carer's allowance."
        );
        assert!(refuse("therapy").starts_with("Requests for therapies such as art, play or psychotherapy will not be considered: Therapy is arranged through children's services"));
        assert!(
            refuse("ehcp_provision").starts_with("Requests for provision the EHC plan should fund")
        );
        let mut policy = policy.clone();
        policy.categories.push(FundingCategory {
            code: "ehcp_extra".into(),
            name: "EHCP extras".into(),
            consideration: Consideration::WillNot,
            cap_per_term: None,
            guidance: String::new(),
        });
        assert_eq!(
            refusal(&input("pp_plus", "ehcp_extra", "10"), &ctx(&policy, 5), "category"),
            "Requests for EHCP extras will not be considered"
        );
    }

    #[test]
    fn the_amount_must_be_a_positive_sum() {
        let policy = FundingPolicy::standard();
        let refuse = |amount: &str| {
            refusal(&input("pp_plus", "core_tuition", amount), &ctx(&policy, 5), "amount")
        };
        assert_eq!(refuse(""), "Enter the amount");
        assert_eq!(refuse("lots"), "Amount must be a number, like 1250 or 1250.50");
        assert_eq!(refuse("-5"), "Amount must be more than £0");
        assert_eq!(refuse("0"), "Amount must be more than £0");
        assert_eq!(refuse("0.00"), "Amount must be more than £0");
        assert_eq!(
            refuse("10.005"),
            "Amount must have no more than 2 numbers after the decimal point"
        );
        assert_eq!(refuse("99999999999999999999"), "Amount is too large");
    }

    #[test]
    fn the_termly_cap() {
        let policy = FundingPolicy::standard();
        let mut context = ctx(&policy, 8);
        let ta = |amount: &str| input("pp_plus", "one_to_one_ta", amount);
        assert!(check_request(&ta("5000"), &context).is_ok());
        assert_eq!(
            refusal(&ta("5000.01"), &context, "amount"),
            "1:1 teaching assistant support is capped at £5,000 a term; this request would bring the term's total to £5,000.01"
        );
        context.same_category_this_term = p(300_000);
        assert!(check_request(&ta("2000"), &context).is_ok());
        assert_eq!(
            refusal(&ta("2200"), &context, "amount"),
            "1:1 teaching assistant support is capped at £5,000 a term; this request would bring the term's total to £5,200"
        );
        context.same_category_this_term = p(i64::MAX);
        assert!(refusal(&ta("1"), &context, "amount").ends_with("to more than that"));
        // Uncapped categories take any amount.
        context.same_category_this_term = p(900_000_000);
        assert!(check_request(&input("pp_plus", "core_tuition", "50000"), &context).is_ok());
    }

    #[test]
    fn long_comments_are_refused_and_every_problem_is_reported() {
        let policy = FundingPolicy::standard();
        let typed = RequestInput { comments: "c".repeat(2001), ..RequestInput::default() };
        let problems = check_request(&typed, &ctx(&policy, 5)).unwrap_err();
        assert_eq!(
            problems.message("comments"),
            Some("Comments must be 2,000 characters or fewer")
        );
        for field in ["source", "purchase", "category", "amount"] {
            assert!(problems.has(field), "{field}");
        }
        let mut ok = input("pp_plus", "core_tuition", "10");
        ok.comments = "c".repeat(2000);
        assert!(check_request(&ok, &ctx(&policy, 5)).is_ok());
    }

    #[test]
    fn statuses() {
        use FundingStatus::*;
        let with = |rule: fn(FundingStatus) -> bool| -> Vec<FundingStatus> {
            FundingStatus::ALL.iter().copied().filter(|s| rule(*s)).collect()
        };
        assert_eq!(with(FundingStatus::editable), [Draft, MoreInformation]);
        assert_eq!(with(FundingStatus::may_submit), [Draft, MoreInformation]);
        assert_eq!(with(FundingStatus::awaiting_decision), [Submitted]);
        assert_eq!(with(FundingStatus::may_pay), [Approved, PartApproved]);
        assert_eq!(with(FundingStatus::counts_as_approved), [Approved, PartApproved, Paid]);
        assert_eq!(with(FundingStatus::open), [Draft, Submitted, MoreInformation]);
        assert_eq!(Draft.label(), "Not yet submitted to VS");
        assert_eq!(Submitted.label(), "Awaiting approval of VS");
        assert_eq!(FundingStatus::from_code("part_approved"), Some(PartApproved));
        assert_eq!(serde_json::to_string(&Paid).unwrap(), "\"paid\"");
    }

    fn decide(kind: &str, amount: &str, note: &str) -> Result<Decision, Problems> {
        let input =
            DecisionInput { kind: kind.into(), approved_amount: amount.into(), note: note.into() };
        check_decision(&input, p(100_000))
    }

    #[test]
    fn decisions() {
        let approve = decide("approve", "", "").unwrap();
        assert_eq!(approve.approved, Some(p(100_000)));
        assert_eq!(approve.status(), FundingStatus::Approved);
        // An amount typed next to "approve" does not change what is approved.
        assert_eq!(decide("approve", "5", "Fine").unwrap().approved, Some(p(100_000)));
        let part = decide("part_approve", "600", " Half the sessions ").unwrap();
        assert_eq!(
            part,
            Decision {
                kind: DecisionKind::PartApprove,
                approved: Some(p(60_000)),
                note: "Half the sessions".into()
            }
        );
        assert_eq!(part.status(), FundingStatus::PartApproved);
        assert_eq!(decide("part_approve", "999.99", "").unwrap().approved, Some(p(99_999)));
        assert_eq!(decide("part_approve", "0.01", "").unwrap().approved, Some(p(1)));
        let decline = decide("decline", "", "Covered by the EHC plan").unwrap();
        assert_eq!((decline.approved, decline.status()), (None, FundingStatus::Declined));
        let more = decide("more_information", "", "Which tutor?").unwrap();
        assert_eq!((more.approved, more.status()), (None, FundingStatus::MoreInformation));
    }

    #[test]
    fn bad_decisions() {
        let message = |kind: &str, amount: &str, note: &str, field: &str| {
            decide(kind, amount, note).unwrap_err().message(field).map(str::to_owned)
        };
        assert_eq!(message("", "", "", "kind").as_deref(), Some("Select a decision"));
        assert_eq!(message("maybe", "", "", "kind").as_deref(), Some("Select a decision"));
        let part = |amount: &str| message("part_approve", amount, "", "approved_amount");
        assert_eq!(part("").as_deref(), Some("Enter the amount approved"));
        assert_eq!(part("0").as_deref(), Some("Amount approved must be more than £0"));
        assert_eq!(part("-3").as_deref(), Some("Amount approved must be more than £0"));
        assert_eq!(
            part("abc").as_deref(),
            Some("Amount approved must be a number, like 1250 or 1250.50")
        );
        assert_eq!(
            part("1000").as_deref(),
            Some(
                "Amount approved must be less than the £1,000.00 requested: to approve it all, choose Approve"
            )
        );
        assert!(part("1000.01").is_some());
        assert_eq!(
            message("decline", "", " ", "note").as_deref(),
            Some("Enter why the request is declined")
        );
        assert_eq!(
            message("more_information", "", "", "note").as_deref(),
            Some("Enter what more information is needed")
        );
        let long = "n".repeat(2001);
        for kind in ["approve", "decline", "more_information"] {
            assert_eq!(
                message(kind, "", &long, "note").as_deref(),
                Some("Note must be 2,000 characters or fewer"),
                "{kind}"
            );
        }
        assert!(decide("decline", "", &"n".repeat(2000)).is_ok());
    }

    proptest! {
        #[test]
        fn any_amount_up_to_the_cap_passes(pence in 1i64..=500_000) {
            let policy = FundingPolicy::standard();
            let amount = Pence::from_pence(pence).to_string();
            let request = check_request(&input("pp_plus", "one_to_one_ta", &amount), &ctx(&policy, 8));
            prop_assert_eq!(request.map(|r| r.amount), Ok(Pence::from_pence(pence)));
        }

        #[test]
        fn the_cap_counts_the_terms_other_requests(pence in 1i64..=600_000, others in 0i64..=600_000) {
            let policy = FundingPolicy::standard();
            let mut context = ctx(&policy, 8);
            context.same_category_this_term = Pence::from_pence(others);
            let amount = Pence::from_pence(pence).to_string();
            let passed = check_request(&input("pp_plus", "one_to_one_ta", &amount), &context).is_ok();
            prop_assert_eq!(passed, pence + others <= 500_000);
        }

        #[test]
        fn checking_never_panics(
            source in "\\PC{0,12}", category in "\\PC{0,12}", amount in "\\PC{0,12}",
            nc in -5i8..20, others in 0i64..=i64::MAX,
        ) {
            let policy = FundingPolicy::standard();
            let mut context = ctx(&policy, nc);
            context.same_category_this_term = Pence::from_pence(others);
            let _ = check_request(&input(&source, &category, &amount), &context);
            let _ = check_decision(
                &DecisionInput { kind: source, approved_amount: amount, note: category },
                Pence::from_pence(others),
            );
        }
    }
}
