//! Earlier years of PEPs, for the national-scale data set: a PEP for every
//! term from `years` academic years back until last term (or until the
//! child left care), while the child was in care, each signed off (most
//! quality assured) with its data pages
//! (attendance, exclusions, attainment, SDQ, the child's views, targets),
//! targets from the bank that the next PEP reviews, and Pupil Premium Plus
//! on some. A national data set holds about a million of these PEPs, so
//! they go in as bulk rows, each PEP drawing from its own streams; the
//! pages' earlier versions are not made up.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use openpep_domain::funding::FundingStatus;
use openpep_domain::quality::{Grade, Scheme};
use openpep_domain::targets::form::{Due, term_ends};
use openpep_domain::targets::{AreaOfNeed, Outcome, TargetStatus};
use openpep_domain::template::{ChildFacts, PageKind};
use openpep_domain::{AcademicYear, NcYear, PepStatus, Phase, Term};
use openpep_store::children::Child;
use openpep_store::peps;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use uuid::Uuid;

use super::targets::{
    SPEND_IMPACT, TARGET_AREAS, bank_example, from_example, purchase_for, review_words,
};
use super::{Author, DemoPep, Generator, Ids, deadline, pages};

/// The pages an earlier PEP keeps.
const KEPT: &[PageKind] = &[
    PageKind::Attendance,
    PageKind::Exclusions,
    PageKind::Attainment,
    PageKind::Sdq,
    PageKind::ChildViews,
    PageKind::Targets,
];

/// A target written in an earlier PEP, for the next one to review.
struct Earlier {
    id: Uuid,
    funded: bool,
}

impl Generator {
    /// Writes the child's PEPs from `self.years` academic years back until
    /// (not including) `until`, or until they left care; how many.
    pub(super) fn history(
        &mut self,
        child: &Child,
        entered_care_on: NaiveDate,
        author: &Author,
        until: (AcademicYear, Term),
    ) -> u64 {
        let left_on = child.left_care_on;
        let first = AcademicYear(self.year.0 - self.years as i32);
        let mut previous: Vec<Earlier> = Vec::new();
        let mut made = 0;
        for (year, term) in terms_between(first, until) {
            let due = deadline(&self.settings, year, term);
            let too_young = child.date_of_birth + TimeDelta::days(365 * 2) > due;
            if left_on.is_some_and(|left| due > left) {
                break;
            }
            if entered_care_on >= due - TimeDelta::days(40) || too_young {
                continue;
            }
            previous = self.earlier_pep(child, author, year, term, due, &previous);
            made += 1;
        }
        made
    }

    fn earlier_pep(
        &mut self,
        child: &Child,
        author: &Author,
        year: AcademicYear,
        term: Term,
        due_on: NaiveDate,
        previous: &[Earlier],
    ) -> Vec<Earlier> {
        let seed =
            child.id.as_u128() as u64 ^ (u64::from(year.0.unsigned_abs()) << 4) ^ term_no(term);
        let mut rng = StdRng::seed_from_u64(seed);
        let mut ids =
            Ids { rng: StdRng::seed_from_u64(seed ^ 0x6869_7374), millis: self.ids.millis };
        let status =
            if rng.random_bool(0.85) { PepStatus::QualityAssured } else { PepStatus::SignedOff };
        let signed_on = due_on - TimeDelta::days(rng.random_range(1..20));
        let signed_at = at(signed_on, 16);
        let meeting_at = at(signed_on - TimeDelta::days(3), 10);
        let graded_at = signed_at + TimeDelta::days(7);
        let pep_id = ids.next();
        let writer = author.teacher.unwrap_or(author.social_worker);
        let Some((template_id, template)) = self.template.clone() else {
            return Vec::new();
        };
        let grade = (status == PepStatus::QualityAssured).then(|| {
            if rng.random_bool(0.85) {
                (Grade::Good, "")
            } else {
                (Grade::RequiresImprovement, "The targets need a clearer measure of success.")
            }
        });
        self.bulk.add(
            "peps",
            vec![
                ("id", pep_id.into()),
                ("la_id", child.la_id.into()),
                ("child_id", child.id.into()),
                ("academic_year", year.0.into()),
                ("term", term.code().into()),
                ("reason", "termly".into()),
                ("status", status.code().into()),
                ("due_on", due_on.into()),
                ("meeting_at", Some(meeting_at).into()),
                ("signed_off_at", Some(signed_at).into()),
                ("version", 1i64.into()),
                ("created_at", (meeting_at - TimeDelta::days(28)).into()),
                ("updated_at", signed_at.into()),
                ("trigger_key", peps::termly_trigger(year.0, term.code()).into()),
                ("template_id", Some(template_id).into()),
                ("school_id", author.school_id.into()),
                ("next_meeting_at", Some(meeting_at + TimeDelta::days(91)).into()),
                ("signed_off_by", author.teacher.into()),
                ("grade", grade.map(|(g, _)| g.code()).into()),
            ],
        );

        // The pages, as the detailed generator writes them.
        let nc = NcYear::for_child(child.date_of_birth, year);
        let facts = ChildFacts {
            special_school: author.special,
            sen: matches!(child.sen_provision.as_deref(), Some("K" | "E")),
            ..ChildFacts::in_year(nc)
        };
        let dates = self.settings.term_dates(year, term).ok().copied();
        let term_start = dates.map_or(year.start(), |d| d.starts_on);
        let sample = pages::Sample {
            nc,
            special: author.special,
            sen: child.sen_provision.as_deref(),
            initial: false,
            term_start,
            figures_to: dates.map_or(due_on, |d| d.ends_on).min(due_on).max(term_start),
            school: author.school_name.as_deref(),
            carer: author.carer.as_deref(),
            held: true,
            people: Vec::new(),
        };
        let demo_pep = DemoPep {
            year,
            term,
            reason: "termly",
            trigger: String::new(),
            status,
            due_on,
            signed_on: Some(signed_on),
            current: false,
        };
        let mut rag = None;
        for (_, _, page) in template.pages() {
            if !KEPT.contains(&page.kind) || !page.applies_to(&facts) {
                continue;
            }
            let (answers, fields) = self.page_answers(&mut rng, page, &sample, &demo_pep);
            if let (PageKind::Attainment, Some(fields)) = (page.kind, &fields) {
                rag = openpep_domain::pages::attainment::overall(fields);
            }
            self.bulk.add(
                "pep_pages",
                vec![
                    ("id", ids.next().into()),
                    ("la_id", child.la_id.into()),
                    ("pep_id", pep_id.into()),
                    ("page_key", page.key.as_str().into()),
                    ("status", "completed".into()),
                    ("answers", answers.into()),
                    ("carried_forward", false.into()),
                    ("version", 1i64.into()),
                    ("updated_by", Some(author.of(page)).into()),
                    ("updated_at", (meeting_at - TimeDelta::days(1)).into()),
                ],
            );
        }

        for (part, by) in [("social_worker", author.social_worker), ("school", writer)] {
            self.bulk.add(
                "pep_part_marks",
                vec![
                    ("id", ids.next().into()),
                    ("la_id", child.la_id.into()),
                    ("pep_id", pep_id.into()),
                    ("part", part.into()),
                    ("marked_by", by.into()),
                    ("marked_at", (meeting_at + TimeDelta::days(1)).into()),
                ],
            );
        }
        if let Some((grade, comments)) = grade {
            self.bulk.add(
                "pep_grades",
                vec![
                    ("id", ids.next().into()),
                    ("la_id", child.la_id.into()),
                    ("pep_id", pep_id.into()),
                    ("scheme", Scheme::Ofsted.code().into()),
                    ("grade", grade.code().into()),
                    ("comments", comments.into()),
                    ("progress_rag", rag.map(|r| r.code()).into()),
                    ("graded_by", author.officer.into()),
                    ("graded_at", graded_at.into()),
                ],
            );
        }

        for old in previous {
            let outcome = match rng.random_range(0..20) {
                0..=10 => Outcome::Achieved,
                11..=16 => Outcome::PartlyAchieved,
                _ => Outcome::NotAchieved,
            };
            let (impact, evidence) = review_words(&mut rng, outcome);
            let spend =
                if old.funded { SPEND_IMPACT[rng.random_range(0..SPEND_IMPACT.len())] } else { "" };
            self.bulk.add(
                "target_reviews",
                vec![
                    ("id", ids.next().into()),
                    ("la_id", child.la_id.into()),
                    ("pep_id", pep_id.into()),
                    ("target_id", old.id.into()),
                    ("outcome", outcome.code().into()),
                    ("impact", impact.into()),
                    ("evidence", evidence.into()),
                    ("spend_impact", spend.into()),
                    ("version", 1i64.into()),
                    ("reviewed_by", writer.into()),
                    ("reviewed_at", meeting_at.into()),
                ],
            );
        }

        let settings = &self.settings;
        let ends = term_ends(year, term, |y, t| settings.term_dates(y, t).ok().map(|d| d.ends_on));
        let due = ends.into_iter().next().map_or(Due::On(due_on), Due::EndOfTerm);
        let name = child.preferred_or_forename();
        let phase = nc.phase();
        let mut written: Vec<(Earlier, AreaOfNeed)> = Vec::new();
        let mut used: Vec<&str> = Vec::new();
        for _ in 0..4 {
            if written.len() == 2 {
                break;
            }
            let area = TARGET_AREAS[rng.random_range(0..TARGET_AREAS.len())];
            let Some(example) = bank_example(&mut rng, phase, area, &used, |_| true) else {
                continue;
            };
            used.push(example.key);
            let target = from_example(&mut rng, example, &name, due.clone(), TargetStatus::Agreed);
            let fields = crate::targets::target_fields(&target);
            let id = ids.next();
            self.bulk.add(
                "targets",
                vec![
                    ("id", id.into()),
                    ("la_id", child.la_id.into()),
                    ("child_id", child.id.into()),
                    ("pep_id", pep_id.into()),
                    ("position", (written.len() as i64 + 1).into()),
                    ("area", fields.area.into()),
                    ("description", fields.description.into()),
                    ("starting_point", fields.starting_point.into()),
                    ("success_measure", fields.success_measure.into()),
                    ("due_on", fields.due_on.into()),
                    ("due_term", fields.due_term.into()),
                    ("due_label", due.label().into()),
                    ("actions", json!(fields.actions).into()),
                    ("status", fields.status.into()),
                    ("version", 1i64.into()),
                    ("created_by", writer.into()),
                    ("created_at", meeting_at.into()),
                    ("updated_by", writer.into()),
                    ("updated_at", meeting_at.into()),
                ],
            );
            written.push((Earlier { id, funded: false }, target.area));
        }

        if let Some((target, area)) = written.first_mut()
            && rng.random_bool(0.6)
        {
            let (category, purchase, low, high) = purchase_for(*area);
            let amount = i64::from(rng.random_range(low..=high)) * 1000;
            let (status, approved, note) = match rng.random_range(0..10) {
                0..=6 => (FundingStatus::Paid, Some(amount), ""),
                7 => (FundingStatus::Approved, Some(amount), ""),
                _ => (
                    FundingStatus::Declined,
                    None,
                    "The school's own Pupil Premium already funds this support this term.",
                ),
            };
            target.funded = approved.is_some();
            let source = match phase {
                Phase::EarlyYears => "eypp",
                Phase::Post16 => "post_16",
                _ => "pp_plus",
            };
            let paid = status == FundingStatus::Paid;
            self.bulk.add(
                "funding_requests",
                vec![
                    ("id", ids.next().into()),
                    ("la_id", child.la_id.into()),
                    ("child_id", child.id.into()),
                    ("pep_id", pep_id.into()),
                    ("target_id", target.id.into()),
                    ("school_id", author.school_id.into()),
                    ("academic_year", year.0.into()),
                    ("term", term.code().into()),
                    ("source", source.into()),
                    ("purchase", purchase.into()),
                    ("category", category.into()),
                    ("amount_pence", amount.into()),
                    (
                        "comments",
                        "Agreed at the PEP meeting; the school will report on its impact at the next review."
                            .into(),
                    ),
                    ("discretionary", (category == "laptop").into()),
                    ("status", status.code().into()),
                    ("approved_pence", approved.into()),
                    ("decision_note", Some(note).into()),
                    ("version", 1i64.into()),
                    ("created_by", writer.into()),
                    ("created_at", meeting_at.into()),
                    ("updated_at", (meeting_at + TimeDelta::days(14)).into()),
                    ("submitted_by", Some(writer).into()),
                    ("submitted_at", Some(meeting_at + TimeDelta::days(1)).into()),
                    ("decided_by", Some(author.officer).into()),
                    ("decided_at", Some(meeting_at + TimeDelta::days(5)).into()),
                    ("paid_by", paid.then_some(author.admin).into()),
                    ("paid_at", paid.then_some(meeting_at + TimeDelta::days(14)).into()),
                ],
            );
        }
        written.into_iter().map(|(earlier, _)| earlier).collect()
    }
}

/// The terms from the autumn of `first` up to, not including, `until`.
fn terms_between(first: AcademicYear, until: (AcademicYear, Term)) -> Vec<(AcademicYear, Term)> {
    let mut terms = Vec::new();
    for year in first.0..=until.0.0 {
        for term in [Term::Autumn, Term::Spring, Term::Summer] {
            if (year, term_no(term)) >= (until.0.0, term_no(until.1)) {
                return terms;
            }
            terms.push((AcademicYear(year), term));
        }
    }
    terms
}

fn term_no(term: Term) -> u64 {
    match term {
        Term::Autumn => 0,
        Term::Spring => 1,
        Term::Summer => 2,
    }
}

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN)).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_run_from_the_first_autumn_to_the_term_before_until() {
        let terms = terms_between(AcademicYear(2023), (AcademicYear(2025), Term::Summer));
        assert_eq!(terms.len(), 8);
        assert_eq!(terms.first(), Some(&(AcademicYear(2023), Term::Autumn)));
        assert_eq!(terms.last(), Some(&(AcademicYear(2025), Term::Spring)));
        assert!(terms_between(AcademicYear(2026), (AcademicYear(2026), Term::Autumn)).is_empty());
    }
}
