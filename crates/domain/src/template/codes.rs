//! The closed sets of codes a template is written with.

use crate::code::code_enum;
use crate::school_year::Phase;

code_enum! {
    /// What a page is: questions the template writes out (`free_text`), or
    /// a page the product builds for its kind of information.
    PageKind, "page kind" {
        FreeText => "free_text", "Free text";
        PersonalDetails => "personal_details", "Personal details";
        CareInformation => "care_information", "Care information";
        SchoolInformation => "school_information", "School or setting";
        PreviousSchools => "previous_schools", "Previous schools and settings";
        Attendance => "attendance", "Attendance";
        PartTimeTimetable => "part_time_timetable", "Part-time timetable and alternative provision";
        Exclusions => "exclusions", "Suspensions and exclusions";
        Attainment => "attainment", "Attainment and progress";
        Sen => "sen", "Special educational needs";
        Careers => "careers", "Careers guidance and next steps";
        Sdq => "sdq", "Strengths and Difficulties Questionnaire";
        Health => "health", "Health and emotional wellbeing";
        ChildViews => "child_views", "The child's views";
        CarerViews => "carer_views", "Parent and carer views";
        Targets => "targets", "SMART targets and funding";
        Meeting => "meeting", "The PEP meeting";
        SignOff => "sign_off", "Sign-off";
        Documents => "documents", "Documents";
    }
}

impl PageKind {
    /// Free-text pages are their questions; the child's views pages ask
    /// the authority's question set, if it gives one.
    pub fn takes_questions(self) -> bool {
        matches!(self, PageKind::FreeText | PageKind::ChildViews)
    }

    /// Kinds that hold the whole PEP's one record of something, so a
    /// template has at most one page of each.
    pub fn is_single(self) -> bool {
        matches!(
            self,
            PageKind::PersonalDetails
                | PageKind::CareInformation
                | PageKind::Targets
                | PageKind::Meeting
                | PageKind::SignOff
                | PageKind::Documents
        )
    }
}

code_enum! {
    /// The phases a page can be shown for: the age phases of
    /// [`Phase`] and special schools, whose children see `special` pages
    /// as well as those of their age.
    PagePhase, "phase" {
        EarlyYears => "early_years", "Early years";
        Primary => "primary", "Primary";
        Secondary => "secondary", "Secondary";
        Special => "special", "Special school";
        Post16 => "post_16", "Post-16";
    }
}

impl From<Phase> for PagePhase {
    fn from(phase: Phase) -> PagePhase {
        match phase {
            Phase::EarlyYears => PagePhase::EarlyYears,
            Phase::Primary => PagePhase::Primary,
            Phase::Secondary => PagePhase::Secondary,
            Phase::Post16 => PagePhase::Post16,
        }
    }
}

code_enum! {
    /// A fact about the child that a page's `when` condition can ask for.
    Circumstance, "circumstance" {
        Neet => "neet", "Not in education, employment or training";
        Sen => "sen", "Has special educational needs (SEN support or an EHCP)";
        OutOfAuthority => "out_of_authority", "At a school or setting in another local authority";
    }
}

/// `"a", "b" or "c"`, for the "expected one of" part of an error.
pub(super) fn one_of<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = codes.into_iter().map(|code| format!("{code:?}")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_distinct() {
        fn check<T: Copy + PartialEq + std::fmt::Debug>(
            all: &[T],
            code: fn(T) -> &'static str,
            label: fn(T) -> &'static str,
            from_code: fn(&str) -> Option<T>,
        ) {
            let codes: std::collections::HashSet<_> = all.iter().map(|&v| code(v)).collect();
            let labels: std::collections::HashSet<_> = all.iter().map(|&v| label(v)).collect();
            assert_eq!((codes.len(), labels.len()), (all.len(), all.len()));
            for &value in all {
                assert_eq!(from_code(code(value)), Some(value));
            }
        }
        check(PageKind::ALL, PageKind::code, PageKind::label, PageKind::from_code);
        check(PagePhase::ALL, PagePhase::code, PagePhase::label, PagePhase::from_code);
        check(Circumstance::ALL, Circumstance::code, Circumstance::label, Circumstance::from_code);
        assert_eq!(PageKind::from_code("atendance"), None);
        assert_eq!(serde_json::to_string(&PageKind::SignOff).unwrap(), "\"sign_off\"");
    }

    #[test]
    fn every_age_phase_is_a_page_phase() {
        for phase in Phase::ALL {
            assert_eq!(PagePhase::from(phase).code(), phase.code());
        }
    }

    #[test]
    fn lists_read_as_english() {
        assert_eq!(one_of(["a", "b", "c"]), r#""a", "b" or "c""#);
        assert_eq!(one_of(["a"]), r#""a""#);
    }
}
