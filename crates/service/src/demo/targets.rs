//! The demo's targets: for each PEP with a targets page, targets from the
//! bank and one for each prompt its pages raised; the meeting's review of
//! the previous PEP's targets; and funding requests on them in each status
//! the Virtual School's queue shows. Each PEP draws from its own streams.

use chrono::{DateTime, TimeDelta, Utc};
use openpep_domain::funding::FundingStatus;
use openpep_domain::pages::Prompt;
use openpep_domain::targets::form::{CheckedTarget, Due, TermEnd};
use openpep_domain::targets::{ActionStep, AreaOfNeed, Outcome, TargetStatus, Who, bank};
use openpep_domain::{PepStatus, Phase};
use openpep_store::Tx;
use openpep_store::children::Child;
use openpep_store::funding::{self, Move, NewRequest, RequestFields};
use openpep_store::peps::Pep;
use openpep_store::targets::{self as target_rows, NewTarget, ReviewWrite, TargetFields};
use rand::Rng;
use rand::rngs::StdRng;
use uuid::Uuid;

use super::Ids;
use crate::ServiceError;
use crate::targets::target_fields;

/// A target the demo wrote, for the next PEP to review.
#[derive(Debug, Clone)]
pub(super) struct Written {
    pub id: Uuid,
    pub target: CheckedTarget,
    /// Money was approved for it.
    pub funded: bool,
}

/// Who writes, decides and pays.
#[derive(Debug, Clone, Copy)]
pub(super) struct Hands {
    /// The designated teacher, or the social worker where there is none.
    pub writer: Uuid,
    pub officer: Uuid,
    pub admin: Uuid,
}

/// The PEP whose targets the demo writes.
pub(super) struct Plan<'a> {
    pub child: &'a Child,
    pub pep: &'a Pep,
    pub status: PepStatus,
    pub phase: Phase,
    pub prompts: Vec<Prompt>,
    /// The ends of this term and the next two.
    pub term_ends: Vec<TermEnd>,
    /// The previous PEP's targets.
    pub previous: &'a [Written],
    /// This term's PEP (not last term's).
    pub current: bool,
    pub hands: Hands,
    pub now: DateTime<Utc>,
}

struct Writer<'a, 'b> {
    tx: &'a mut Tx,
    rng: StdRng,
    ids: Ids,
    plan: &'a Plan<'b>,
    written: Vec<Written>,
}

/// Writes the PEP's targets, reviews and requests; the targets written.
pub(super) async fn write(
    tx: &mut Tx,
    plan: &Plan<'_>,
    millis: u64,
) -> Result<Vec<Written>, ServiceError> {
    let seed = plan.pep.id.as_u128() as u64;
    let mut w = Writer {
        tx,
        rng: rand::SeedableRng::seed_from_u64(seed ^ 0x7461_7267_6574),
        ids: Ids { rng: rand::SeedableRng::seed_from_u64(seed ^ 0x6964_7321), millis },
        plan,
        written: Vec::new(),
    };
    let finished = !matches!(plan.status, PepStatus::Draft | PepStatus::InProgress);
    match plan.status {
        PepStatus::Draft => return Ok(Vec::new()),
        // Under way: some of last term's targets reviewed, some drafts.
        PepStatus::InProgress => {
            w.review_previous(0.5).await?;
            if w.rng.random_bool(0.7) {
                w.new_targets(TargetStatus::Draft).await?;
            }
        }
        _ => {
            w.review_previous(1.0).await?;
            w.new_targets(TargetStatus::Agreed).await?;
        }
    }
    w.request_funding(finished).await?;
    Ok(w.written)
}

impl Writer<'_, '_> {
    fn name(&self) -> String {
        self.plan.child.preferred_or_forename()
    }

    fn end_of_term(&self) -> Due {
        match self.plan.term_ends.first() {
            Some(end) => Due::EndOfTerm(end.clone()),
            None => Due::On(self.plan.pep.due_on),
        }
    }

    /// The meeting's review of each of the previous PEP's targets (each
    /// with chance `share`); a target carried forward is copied in.
    async fn review_previous(&mut self, share: f64) -> Result<(), ServiceError> {
        let plan = self.plan;
        for old in plan.previous {
            if !self.rng.random_bool(share) {
                continue;
            }
            let outcome = match self.rng.random_range(0..20) {
                0..=8 => Outcome::Achieved,
                9..=13 => Outcome::PartlyAchieved,
                14..=15 => Outcome::NotAchieved,
                _ => Outcome::CarriedForward,
            };
            let (impact, evidence) = review_words(&mut self.rng, outcome);
            let spend_impact = if old.funded { pick(&mut self.rng, SPEND_IMPACT) } else { "" };
            let write = ReviewWrite {
                la_id: plan.child.la_id,
                pep_id: plan.pep.id,
                target_id: old.id,
                expected_version: 0,
                outcome: outcome.code(),
                impact,
                evidence,
                spend_impact,
                by: plan.hands.writer,
                now: plan.now,
            };
            target_rows::save_review(self.tx, &write, self.ids.next()).await?;
            if outcome == Outcome::CarriedForward {
                let mut copy = old.target.clone();
                copy.status = match plan.status {
                    PepStatus::InProgress => TargetStatus::Draft,
                    _ => TargetStatus::Agreed,
                };
                copy.due = self.end_of_term();
                self.insert(copy, None, Some(old.id)).await?;
            }
        }
        Ok(())
    }

    /// A target for each prompt the pages raised, and enough from the
    /// bank for two or more, one of them showing the carer's role.
    async fn new_targets(&mut self, status: TargetStatus) -> Result<(), ServiceError> {
        let plan = self.plan;
        let name = self.name();
        let mut used: Vec<&str> = Vec::new();
        for prompt in &plan.prompts {
            let target = match prompt.area {
                AreaOfNeed::CognitionLearning => self.subject_target(&prompt.title, status),
                area => match self.example(area, &used, |_| true) {
                    Some(example) => {
                        used.push(example.key);
                        self.target_from(example, &name, status)
                    }
                    None => continue,
                },
            };
            self.insert(target, Some(&prompt.key), None).await?;
        }
        let has_carer = |written: &[Written]| {
            written.iter().any(|w| {
                w.target.area == AreaOfNeed::CarerRole
                    || w.target.actions.iter().any(|a| a.who() == Some(Who::Carer))
            })
        };
        if !has_carer(&self.written) {
            let example = self
                .example(AreaOfNeed::CarerRole, &used, |_| true)
                .or_else(|| self.example_with_carer(&used));
            if let Some(example) = example {
                used.push(example.key);
                let target = self.target_from(example, &name, status);
                self.insert(target, None, None).await?;
            }
        }
        let areas = TARGET_AREAS;
        let wanted = self.rng.random_range(2..=3);
        let mut tries = 0;
        while self.written.len() < wanted && tries < 10 {
            tries += 1;
            let area = areas[self.rng.random_range(0..areas.len())];
            if let Some(example) = self.example(area, &used, |_| true) {
                used.push(example.key);
                let target = self.target_from(example, &name, status);
                self.insert(target, None, None).await?;
            }
        }
        Ok(())
    }

    /// A bank example of the area that suits the child and is not used.
    fn example(
        &mut self,
        area: AreaOfNeed,
        used: &[&str],
        also: impl Fn(&bank::Example) -> bool,
    ) -> Option<&'static bank::Example> {
        bank_example(&mut self.rng, self.plan.phase, area, used, also)
    }

    /// An example in which the carer has an action (where no carer's-role
    /// example suits the child's phase).
    fn example_with_carer(&mut self, used: &[&str]) -> Option<&'static bank::Example> {
        let has_carer = |e: &bank::Example| e.actions.iter().any(|(who, _, _)| *who == Who::Carer);
        for area in [AreaOfNeed::Independence, AreaOfNeed::Careers, AreaOfNeed::CognitionLearning] {
            if let Some(example) = self.example(area, used, has_carer) {
                return Some(example);
            }
        }
        None
    }

    fn target_from(
        &mut self,
        example: &bank::Example,
        name: &str,
        status: TargetStatus,
    ) -> CheckedTarget {
        let due = self.end_of_term();
        from_example(&mut self.rng, example, name, due, status)
    }

    /// A target for a subject whose progress is less than good.
    fn subject_target(&mut self, title: &str, status: TargetStatus) -> CheckedTarget {
        let name = self.name();
        let subject = title.trim_end_matches(" target");
        let sessions = self.rng.random_range(8..=12);
        CheckedTarget {
            area: AreaOfNeed::CognitionLearning,
            description: format!(
                "{name} will have {sessions} one-hour tutoring sessions in {subject}, so that their teacher assesses their progress as good by the end of term."
            ),
            starting_point: format!(
                "{subject} progress is below what is expected, and {name} says it is the subject they find hardest."
            ),
            success_measure: format!(
                "{name}'s {subject} teacher assesses progress as good at the next data drop, and {name} attends at least {} of the {sessions} sessions.",
                sessions - 2
            ),
            due: self.end_of_term(),
            actions: vec![
                ActionStep::by(
                    Who::Tutor,
                    &format!("One-hour {subject} sessions in school"),
                    "Weekly",
                ),
                ActionStep::by(
                    Who::ClassTeacher,
                    "Tell the tutor which topics to cover and check progress",
                    "Every two weeks",
                ),
                ActionStep::by(Who::Carer, "Ask about the session and praise the effort", "Weekly"),
            ],
            status,
        }
    }

    async fn insert(
        &mut self,
        target: CheckedTarget,
        prompt: Option<&str>,
        carried_from: Option<Uuid>,
    ) -> Result<(), ServiceError> {
        let plan = self.plan;
        let id = self.ids.next();
        let label = target.due.label();
        let new = NewTarget {
            id,
            la_id: plan.child.la_id,
            child_id: plan.child.id,
            pep_id: plan.pep.id,
            fields: TargetFields { due_label: &label, ..target_fields(&target) },
            prompt,
            carried_from,
            by: plan.hands.writer,
            now: plan.now,
        };
        target_rows::insert(self.tx, &new).await?;
        self.written.push(Written { id, target, funded: false });
        Ok(())
    }

    /// A request on the first target that suits one: on a finished PEP
    /// decided (and mostly paid); on one under way, a draft or submitted.
    async fn request_funding(&mut self, finished: bool) -> Result<(), ServiceError> {
        let plan = self.plan;
        let Some(index) = self.written.iter().position(|w| w.target.area != AreaOfNeed::CarerRole)
        else {
            return Ok(());
        };
        if !self.rng.random_bool(0.6) {
            return Ok(());
        }
        let area = self.written[index].target.area;
        let (category, purchase, low, high) = match plan.phase {
            // The Early Years Pupil Premium is a few hundred pounds a year.
            Phase::EarlyYears => (
                "learning_interventions",
                "Weekly small-group speech and language play sessions for a term",
                5,
                18,
            ),
            _ => purchase_for(area),
        };
        let amount_pence = i64::from(self.rng.random_range(low..=high)) * 1000;
        let source = match plan.phase {
            Phase::EarlyYears => "eypp",
            Phase::Post16 => "post_16",
            _ => "pp_plus",
        };
        let status = match (finished, plan.current, self.rng.random_range(0..10)) {
            (false, _, 0..=4) => FundingStatus::Draft,
            (false, _, _) => FundingStatus::Submitted,
            (true, true, 0..=4) => FundingStatus::Submitted,
            (true, true, 5..=6) => FundingStatus::MoreInformation,
            (true, true, _) => FundingStatus::Approved,
            (true, false, 0..=5) => FundingStatus::Paid,
            (true, false, 6) => FundingStatus::Approved,
            (true, false, 7..=8) => FundingStatus::PartApproved,
            (true, false, _) => FundingStatus::Declined,
        };
        let id = self.ids.next();
        let new = NewRequest {
            id,
            la_id: plan.child.la_id,
            child_id: plan.child.id,
            pep_id: plan.pep.id,
            target_id: self.written[index].id,
            school_id: plan.pep.school_id,
            academic_year: plan.pep.academic_year,
            term: &plan.pep.term,
            fields: RequestFields {
                source,
                purchase,
                category,
                amount_pence,
                comments: "Agreed at the PEP meeting; the school will report on its impact at the next review.",
                discretionary: category == "laptop",
            },
            by: plan.hands.writer,
            now: plan.now - TimeDelta::days(12),
        };
        funding::insert(self.tx, &new).await?;
        if status == FundingStatus::Draft {
            return Ok(());
        }
        let step = |from: &'static [&'static str], to: FundingStatus, by, days| Move {
            la_id: plan.child.la_id,
            id,
            from,
            to: to.code(),
            by,
            now: plan.now - TimeDelta::days(days),
        };
        funding::submit(
            self.tx,
            &step(&["draft"], FundingStatus::Submitted, plan.hands.writer, 10),
        )
        .await?;
        let (decided, approved, note) = match status {
            FundingStatus::Submitted => return Ok(()),
            FundingStatus::Approved | FundingStatus::Paid => {
                (FundingStatus::Approved, Some(amount_pence), "")
            }
            FundingStatus::PartApproved => (
                FundingStatus::PartApproved,
                Some(amount_pence * 6 / 10),
                "Approved for six weeks; ask again with the tutor's report if more is needed.",
            ),
            FundingStatus::MoreInformation => (
                FundingStatus::MoreInformation,
                None,
                "Say how many sessions this buys and how progress will be checked.",
            ),
            _ => (
                FundingStatus::Declined,
                None,
                "The school's own Pupil Premium already funds this support this term.",
            ),
        };
        funding::decide(
            self.tx,
            &step(&["submitted"], decided, plan.hands.officer, 6),
            approved,
            note,
        )
        .await?;
        self.written[index].funded = approved.is_some();
        if status == FundingStatus::Paid {
            funding::pay(self.tx, &step(&["approved"], FundingStatus::Paid, plan.hands.admin, 2))
                .await?;
        }
        Ok(())
    }
}

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from[rng.random_range(0..from.len())]
}

/// The areas the demo draws its further targets from.
pub(super) const TARGET_AREAS: [AreaOfNeed; 5] = [
    AreaOfNeed::CognitionLearning,
    AreaOfNeed::Semh,
    AreaOfNeed::Communication,
    AreaOfNeed::Independence,
    AreaOfNeed::Careers,
];

/// A bank example of `area` that suits `phase`, is not in `used` and
/// passes `also`, drawn at random.
pub(super) fn bank_example(
    rng: &mut StdRng,
    phase: Phase,
    area: AreaOfNeed,
    used: &[&str],
    also: impl Fn(&bank::Example) -> bool,
) -> Option<&'static bank::Example> {
    let fitting: Vec<_> = bank::search("", Some(area))
        .into_iter()
        .filter(|e| e.suits(phase) && !used.contains(&e.key) && also(e))
        .collect();
    (!fitting.is_empty()).then(|| fitting[rng.random_range(0..fitting.len())])
}

/// A target written from a bank example for the child called `name`.
pub(super) fn from_example(
    rng: &mut StdRng,
    example: &bank::Example,
    name: &str,
    due: Due,
    status: TargetStatus,
) -> CheckedTarget {
    CheckedTarget {
        area: example.area,
        description: example.fill(name),
        starting_point: pick(rng, STARTING_POINTS).replace("{name}", name),
        success_measure: example.measure_for(name),
        due,
        actions: example.action_steps(),
        status,
    }
}

/// What a request for a target of this area buys: the policy category,
/// the purchase, and the range of its cost in tens of pounds.
pub(super) fn purchase_for(area: AreaOfNeed) -> (&'static str, &'static str, u32, u32) {
    match area {
        AreaOfNeed::CognitionLearning => {
            ("core_tuition", "Ten one-hour sessions with a qualified tutor", 30, 60)
        }
        AreaOfNeed::Semh => (
            "learning_interventions",
            "A twelve-week nurture group programme with a trained practitioner",
            40,
            75,
        ),
        AreaOfNeed::Communication => {
            ("learning_interventions", "A term of small-group language sessions", 25, 50)
        }
        AreaOfNeed::Careers | AreaOfNeed::Independence => {
            ("laptop", "A laptop with safe-browsing software for coursework", 35, 55)
        }
        _ => ("enrichment", "A term of weekly sports coaching after school", 15, 30),
    }
}

const STARTING_POINTS: &[&str] = &[
    "The class teacher's assessment this half term, shared at the meeting.",
    "What {name}, the carer and the school described at the meeting.",
    "The school's records for the first half of this term.",
];

pub(super) const SPEND_IMPACT: &[&str] = &[
    "The sessions were all delivered and the tutor's report shows clear gains.",
    "Most sessions went ahead; the school will fund the last few itself.",
    "Worth it: the school has seen more confidence in class since.",
];

pub(super) fn review_words(rng: &mut StdRng, outcome: Outcome) -> (&'static str, &'static str) {
    let (impacts, evidence): (&[&str], &[&str]) = match outcome {
        Outcome::Achieved => (
            &[
                "Met in full, and the new habit has stuck.",
                "Met a few weeks early; the child is proud of it.",
            ],
            &["The teacher's assessment and the carer's record.", "The school's tracking data."],
        ),
        Outcome::PartlyAchieved => (
            &[
                "Good progress, but not yet all the way.",
                "Met on most weeks; harder after contact.",
            ],
            &["Weekly records from school.", "The tutor's notes and the class teacher's view."],
        ),
        Outcome::NotAchieved => (
            &["Not met: a change of placement mid-term interrupted the plan."],
            &["The attendance and tracking records."],
        ),
        Outcome::CarriedForward => (
            &["Still the right target: progress began late in the term."],
            &["Discussed with the child and the carer at the meeting."],
        ),
    };
    (pick(rng, impacts), pick(rng, evidence))
}
