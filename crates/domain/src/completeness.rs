//! The automatic completeness check of a signed-off PEP, per phase, as the
//! guides' appendices list a good PEP's mandatory items. Each item passes,
//! fails or does not apply, and names the page to fix it on; the grade
//! itself stays the Virtual School's judgement.

use crate::pep::Term;
use crate::school_year::{NcYear, Phase};
use crate::template::PageKind;

/// What the service found on the PEP, as plain facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PepFacts {
    pub phase: Option<Phase>,
    pub nc_year: Option<NcYear>,
    /// Age at the PEP's meeting (or its due date).
    pub age: u32,
    pub term: Option<Term>,
    /// The child's first PEP: progress is not judged yet.
    pub initial: bool,
    /// SEN support or an EHC plan.
    pub has_sen: bool,
    /// Joined a new school or setting since the last PEP.
    pub new_setting: bool,
    pub attendance_recorded: bool,
    /// Full time, or a part-time timetable with its end date.
    pub timetable_confirmed: bool,
    pub sen_page_done: bool,
    pub health_done: bool,
    /// An SDQ score, or why there is none.
    pub sdq_done: bool,
    /// Written, uploaded, or a clear statement they do not wish to share.
    pub child_views: bool,
    pub carer_views: bool,
    pub careers_done: bool,
    /// Attainment and progress for the core subjects (all subjects post-16).
    pub progress_recorded: bool,
    pub smart_targets: usize,
    pub carer_target: bool,
    pub attendance_target_needed: bool,
    pub attendance_target: bool,
    /// Every target asking for funding has its cost.
    pub funded_targets_costed: bool,
    /// `None`: there were no previous targets to review.
    pub previous_targets_reviewed: Option<bool>,
    pub meeting_recorded: bool,
    pub transition_planned: bool,
    pub post_16_plans: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    NotApplicable,
}

/// One item of the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub key: &'static str,
    pub label: &'static str,
    /// The page to fix it on.
    pub page: PageKind,
    pub outcome: Outcome,
}

fn item(key: &'static str, label: &'static str, page: PageKind, applies: bool, ok: bool) -> Item {
    let outcome = match (applies, ok) {
        (false, _) => Outcome::NotApplicable,
        (true, true) => Outcome::Pass,
        (true, false) => Outcome::Fail,
    };
    Item { key, label, page, outcome }
}

/// The check's items for the PEP, in the order the guides list them.
pub fn check(f: &PepFacts) -> Vec<Item> {
    let early = f.phase == Some(Phase::EarlyYears);
    let post_16 = f.phase == Some(Phase::Post16);
    let school_age = !early && !post_16;
    let year = |n: i8| f.nc_year == Some(NcYear::from_value(n));
    let transition_year = year(0) || year(7) || year(12) || f.new_setting;
    let year_11_later_term = year(11) && matches!(f.term, Some(Term::Spring | Term::Summer));
    let targets_needed = if early { 1 } else { 2 };
    use PageKind as P;
    vec![
        item("attendance", "Attendance recorded", P::Attendance, !post_16, f.attendance_recorded),
        item(
            "timetable",
            "Full-time or part-time timetable confirmed (with its end date)",
            P::PartTimeTimetable,
            school_age,
            f.timetable_confirmed,
        ),
        item(
            "sen",
            "Special educational needs page",
            P::Sen,
            school_age && f.has_sen,
            f.sen_page_done,
        ),
        item("health", "Health and emotional wellbeing", P::Health, !early, f.health_done),
        item("sdq", "SDQ score, or why there is none", P::Sdq, school_age, f.sdq_done),
        item("child_views", "The child's views recorded", P::ChildViews, true, f.child_views),
        item("carer_views", "Parent and carer views", P::CarerViews, true, f.carer_views),
        item(
            "careers",
            "Careers guidance (14-19) page",
            P::Careers,
            school_age && f.age >= 14,
            f.careers_done,
        ),
        item(
            "progress",
            "Attainment and progress recorded",
            P::Attainment,
            !f.initial,
            f.progress_recorded,
        ),
        item(
            "smart_targets",
            if early { "SMART targets set" } else { "At least 2 SMART targets" },
            P::Targets,
            true,
            f.smart_targets >= targets_needed,
        ),
        item("carer_target", "A target for the carer's role", P::Targets, true, f.carer_target),
        item(
            "attendance_target",
            "An attendance target, as attendance needs one",
            P::Targets,
            f.attendance_target_needed,
            f.attendance_target,
        ),
        item("costs", "Costs on funded targets", P::Targets, true, f.funded_targets_costed),
        item(
            "previous_targets",
            "Review of the previous targets and what difference they made",
            P::Targets,
            f.previous_targets_reviewed.is_some(),
            f.previous_targets_reviewed == Some(true),
        ),
        item("meeting", "The PEP meeting recorded in full", P::Meeting, true, f.meeting_recorded),
        item(
            "transition",
            "Transition planning",
            P::FreeText,
            transition_year || post_16,
            f.transition_planned,
        ),
        item("post_16", "Post-16 plans", P::Careers, year_11_later_term, f.post_16_plans),
    ]
}

/// Whether every item that applies passes.
pub fn all_pass(items: &[Item]) -> bool {
    items.iter().all(|i| i.outcome != Outcome::Fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(phase: Phase, year: i8, age: u32) -> PepFacts {
        PepFacts {
            phase: Some(phase),
            nc_year: Some(NcYear::from_value(year)),
            age,
            term: Some(Term::Autumn),
            attendance_recorded: true,
            timetable_confirmed: true,
            sen_page_done: true,
            health_done: true,
            sdq_done: true,
            child_views: true,
            carer_views: true,
            careers_done: true,
            progress_recorded: true,
            smart_targets: 2,
            carer_target: true,
            funded_targets_costed: true,
            previous_targets_reviewed: Some(true),
            meeting_recorded: true,
            transition_planned: true,
            post_16_plans: true,
            ..PepFacts::default()
        }
    }

    fn applying(items: &[Item]) -> Vec<&'static str> {
        items.iter().filter(|i| i.outcome != Outcome::NotApplicable).map(|i| i.key).collect()
    }

    fn failing(items: &[Item]) -> Vec<&'static str> {
        items.iter().filter(|i| i.outcome == Outcome::Fail).map(|i| i.key).collect()
    }

    #[test]
    fn early_years_asks_for_its_appendix() {
        let items = check(&complete(Phase::EarlyYears, 0, 4));
        assert_eq!(
            applying(&items),
            [
                "attendance",
                "child_views",
                "carer_views",
                "progress",
                "smart_targets",
                "carer_target",
                "costs",
                "previous_targets",
                "meeting",
                "transition"
            ]
        );
        assert!(all_pass(&items));
        let mut one_target = complete(Phase::EarlyYears, -1, 3);
        one_target.smart_targets = 1;
        let items = check(&one_target);
        assert!(all_pass(&items), "one SMART target is enough in the early years");
        assert!(!applying(&items).contains(&"transition"), "nursery, no move: no transition");
    }

    #[test]
    fn school_age_asks_for_every_mandatory_field() {
        let mut facts = complete(Phase::Secondary, 10, 14);
        facts.has_sen = true;
        facts.attendance_target_needed = true;
        let items = check(&facts);
        assert_eq!(failing(&items), ["attendance_target"]);
        assert!(applying(&items).contains(&"careers"), "14 and over");
        assert!(applying(&items).contains(&"sen"));
        assert!(!applying(&items).contains(&"transition"), "Year 10 in the same school");
        facts.smart_targets = 1;
        facts.child_views = false;
        facts.attendance_target = true;
        assert_eq!(failing(&check(&facts)), ["child_views", "smart_targets"]);
    }

    #[test]
    fn primary_transition_years_and_new_settings_need_planning() {
        for (year, new_setting) in [(0, false), (7, false), (4, true)] {
            let mut facts = complete(Phase::Primary, year, 8);
            facts.transition_planned = false;
            facts.new_setting = new_setting;
            assert_eq!(failing(&check(&facts)), ["transition"], "Year {year}");
        }
        let facts = complete(Phase::Primary, 4, 8);
        assert!(!applying(&check(&facts)).contains(&"careers"), "under 14");
    }

    #[test]
    fn year_11_needs_post_16_plans_in_spring_and_summer() {
        let mut facts = complete(Phase::Secondary, 11, 15);
        facts.post_16_plans = false;
        assert!(all_pass(&check(&facts)), "autumn: not yet");
        facts.term = Some(Term::Spring);
        assert_eq!(failing(&check(&facts)), ["post_16"]);
    }

    #[test]
    fn post_16_asks_for_its_appendix_and_first_peps_skip_progress() {
        let mut facts = complete(Phase::Post16, 12, 16);
        facts.previous_targets_reviewed = None;
        facts.initial = true;
        let items = check(&facts);
        assert_eq!(
            applying(&items),
            [
                "health",
                "child_views",
                "carer_views",
                "smart_targets",
                "carer_target",
                "costs",
                "meeting",
                "transition"
            ]
        );
        facts.carer_target = false;
        facts.meeting_recorded = false;
        assert_eq!(failing(&check(&facts)), ["carer_target", "meeting"]);
    }
}
