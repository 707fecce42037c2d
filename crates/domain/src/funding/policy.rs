//! The authority's funding policy: the sources of funding a request can draw
//! on (PP+, EYPP, post-16) with their rates each year, and the purposes a
//! request may be for, each with how the Virtual School treats it.
//!
//! The policy is the authority's data, edited by the Virtual School admin
//! and stored as JSON; [`FundingPolicy::standard`] is the demo's and a new
//! authority's starting point.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Pounds;
use crate::Pence;
use crate::code::code_enum;
use crate::pages::input::Reader;
use crate::pages::{Fields, Opt, Problems};
use crate::pep::Term;
use crate::school_year::{AcademicYear, NcYear};

code_enum! {
    /// How the Virtual School treats requests for a purpose.
    Consideration, "consideration" {
        WillBeConsidered => "will_be_considered", "Will be considered";
        Discretionary => "discretionary", "May be approved at Virtual School management discretion";
        WillNot => "will_not", "Will not be considered";
    }
}

code_enum! {
    /// Whether the authority funds young people over 16 (NC year 12 and up).
    Post16Funding, "post-16 funding" {
        Discretionary => "discretionary", "Discretionary";
        Off => "off", "Not funded";
    }
}

/// The lowest and highest NC years a source of funding may cover:
/// pre-nursery (-2) to year 14.
const NC_YEAR_RANGE: std::ops::RangeInclusive<i8> = -2..=14;

/// The first NC year of post-16 education.
const POST_16_FROM: i8 = 12;

const MAX_CODE: usize = 40;
const MAX_NAME: usize = 150;
const MAX_GUIDANCE: usize = 1000;

/// One academic year's rate of a source, per child: the yearly amount and
/// how much of it each term allocates.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct YearRate {
    /// The calendar year the academic year starts in: 2025 is 2025/26.
    pub academic_year: i32,
    pub yearly: Pence,
    pub autumn: Pence,
    pub spring: Pence,
    pub summer: Pence,
}

impl YearRate {
    /// The yearly amount split in three, the odd pennies to autumn.
    pub fn split(academic_year: i32, yearly: Pence) -> YearRate {
        let third = Pence::from_pence(yearly.pence() / 3);
        let autumn = Pence::from_pence(yearly.pence() - 2 * third.pence());
        YearRate { academic_year, yearly, autumn, spring: third, summer: third }
    }

    /// The term's allocation.
    pub fn for_term(&self, term: Term) -> Pence {
        match term {
            Term::Autumn => self.autumn,
            Term::Spring => self.spring,
            Term::Summer => self.summer,
        }
    }

    /// The three terms' allocations added up, or `None` on overflow.
    pub fn termly_total(&self) -> Option<Pence> {
        Pence::checked_sum([self.autumn, self.spring, self.summer])
    }
}

/// A source of funding a request draws on, for children in some NC years.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FundingSource {
    pub code: String,
    pub name: String,
    pub from_nc_year: i8,
    pub to_nc_year: i8,
    /// The rate each academic year; empty when there is no fixed rate
    /// (post-16 funding is decided request by request).
    #[serde(default)]
    pub rates: Vec<YearRate>,
}

impl FundingSource {
    /// The rate for `year`, if the policy sets one.
    pub fn rate(&self, year: AcademicYear) -> Option<&YearRate> {
        self.rates.iter().find(|rate| rate.academic_year == year.0)
    }

    /// What one child is allocated in `term` of `year`, if there is a rate.
    pub fn allowance(&self, year: AcademicYear, term: Term) -> Option<Pence> {
        self.rate(year).map(|rate| rate.for_term(term))
    }

    /// Whether the source is for children in `nc` year.
    pub fn covers(&self, nc: NcYear) -> bool {
        (self.from_nc_year..=self.to_nc_year).contains(&nc.value())
    }

    /// The year groups the source covers, in words: "reception to year 11".
    pub fn years_in_words(&self) -> String {
        let (from, to) = (self.from_nc_year, self.to_nc_year);
        match (from, to) {
            (_, ..=-1) => "nursery".to_owned(),
            (1.., _) if from == to => format!("year {from}"),
            (1.., _) => format!("years {from} to {to}"),
            _ if from == to => year_in_words(NcYear::from_value(from)),
            _ => format!(
                "{} to {}",
                year_in_words(NcYear::from_value(from)),
                year_in_words(NcYear::from_value(to))
            ),
        }
    }
}

/// An NC year as it reads inside a sentence: "nursery", "year 7".
pub(super) fn year_in_words(nc: NcYear) -> String {
    match nc.value() {
        ..=-1 => "nursery".to_owned(),
        0 => "reception".to_owned(),
        n => format!("year {n}"),
    }
}

/// A purpose a request may be for, and how the Virtual School treats it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FundingCategory {
    pub code: String,
    pub name: String,
    pub consideration: Consideration,
    /// The most a child's requests for this purpose may add up to in a term.
    #[serde(default)]
    pub cap_per_term: Option<Pence>,
    /// What schools should know; for purposes that will not be considered,
    /// why not.
    #[serde(default)]
    pub guidance: String,
}

/// An authority's funding policy.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FundingPolicy {
    pub sources: Vec<FundingSource>,
    pub categories: Vec<FundingCategory>,
    pub post_16: Post16Funding,
}

impl Default for FundingPolicy {
    fn default() -> Self {
        FundingPolicy::standard()
    }
}

impl FundingPolicy {
    /// The demo's and a new authority's policy: PP+ and EYPP at the
    /// national rates of recent years, post-16 funding at the Virtual
    /// School's discretion, and a typical panel's list of purposes.
    pub fn standard() -> FundingPolicy {
        FundingPolicy {
            sources: standard_sources(),
            categories: standard_categories(),
            post_16: Post16Funding::Discretionary,
        }
    }

    pub fn source(&self, code: &str) -> Option<&FundingSource> {
        self.sources.iter().find(|source| source.code == code)
    }

    pub fn category(&self, code: &str) -> Option<&FundingCategory> {
        self.categories.iter().find(|category| category.code == code)
    }

    /// Whether the authority funds a child in `nc` year at all: not young
    /// people over 16 when post-16 funding is off.
    pub fn funds(&self, nc: NcYear) -> bool {
        !(is_post_16(nc) && self.post_16 == Post16Funding::Off)
    }

    /// Whether requests for a child in `nc` year are at the Virtual
    /// School's discretion because the child is over 16.
    pub fn post_16_discretionary(&self, nc: NcYear) -> bool {
        is_post_16(nc) && self.post_16 == Post16Funding::Discretionary
    }

    /// The sources a request for a child in `nc` year may draw on.
    pub fn sources_for(&self, nc_year: NcYear) -> Vec<&FundingSource> {
        if !self.funds(nc_year) {
            return Vec::new();
        }
        self.sources.iter().filter(|source| source.covers(nc_year)).collect()
    }

    /// The choices of source for a child in `nc` year.
    pub fn source_options(&self, nc_year: NcYear) -> Vec<Opt> {
        self.sources_for(nc_year).into_iter().map(|s| Opt::new(&s.code, &s.name)).collect()
    }

    /// The choices of purpose, in the policy's order.
    pub fn category_options(&self) -> Vec<Opt> {
        self.categories.iter().map(|c| Opt::new(&c.code, &c.name)).collect()
    }

    /// Whether the policy holds together. Problems are named
    /// `sources_<i>_<field>`, `sources_<i>_rates_<j>` and
    /// `categories_<i>_<field>`, counting from 0.
    pub fn check(&self) -> Result<(), Problems> {
        let mut problems = Problems::default();
        let mut codes = BTreeSet::new();
        for (i, source) in self.sources.iter().enumerate() {
            let at = format!("sources_{i}");
            check_entry(&mut problems, &at, &source.code, &source.name, &mut codes, "source");
            check_source_years(&mut problems, &at, source);
            check_source_rates(&mut problems, &at, source);
        }
        let mut codes = BTreeSet::new();
        for (i, category) in self.categories.iter().enumerate() {
            let at = format!("categories_{i}");
            check_entry(&mut problems, &at, &category.code, &category.name, &mut codes, "purpose");
            for (field, message) in category_rule_problems(category) {
                problems.add(format!("{at}_{field}"), message);
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

fn is_post_16(nc: NcYear) -> bool {
    nc.value() >= POST_16_FROM
}

fn check_entry<'a>(
    problems: &mut Problems,
    at: &str,
    code: &'a str,
    name: &str,
    codes: &mut BTreeSet<&'a str>,
    what: &str,
) {
    if let Err(message) = code_problem(code) {
        problems.add(format!("{at}_code"), message);
    } else if !codes.insert(code) {
        problems.add(format!("{at}_code"), format!("Another {what} has the code {code}"));
    }
    if name.trim().is_empty() {
        problems.add(format!("{at}_name"), "Enter a name");
    }
}

fn check_source_years(problems: &mut Problems, at: &str, source: &FundingSource) {
    for (field, value) in [("from_nc_year", source.from_nc_year), ("to_nc_year", source.to_nc_year)]
    {
        if !NC_YEAR_RANGE.contains(&value) {
            problems.add(format!("{at}_{field}"), "Year group must be from -2 to 14");
        }
    }
    if source.from_nc_year > source.to_nc_year {
        problems.add(
            format!("{at}_to_nc_year"),
            "Last year group must be the same as or after the first",
        );
    }
}

fn check_source_rates(problems: &mut Problems, at: &str, source: &FundingSource) {
    let mut years = BTreeSet::new();
    for (j, rate) in source.rates.iter().enumerate() {
        let field = format!("{at}_rates_{j}");
        if !years.insert(rate.academic_year) {
            problems
                .add(field, format!("{} has more than one rate", AcademicYear(rate.academic_year)));
        } else if let Err(message) = rate_problem(rate) {
            problems.add(field, message);
        }
    }
}

/// What is wrong with a rate's amounts, if anything.
fn rate_problem(rate: &YearRate) -> Result<(), String> {
    let parts = [rate.yearly, rate.autumn, rate.spring, rate.summer];
    if parts.iter().any(|amount| *amount < Pence::ZERO) {
        return Err("Rates must be £0 or more".to_owned());
    }
    match rate.termly_total() {
        Some(total) if total <= rate.yearly => Ok(()),
        Some(total) => Err(parts_over_yearly(total, rate.yearly)),
        None => Err(parts_over_yearly(Pence::from_pence(i64::MAX), rate.yearly)),
    }
}

fn parts_over_yearly(total: Pence, yearly: Pence) -> String {
    format!(
        "The termly allocations add up to {total}, which is more than the yearly rate of {yearly}"
    )
}

/// What is wrong with a purpose's cap and guidance, by field: `cap`,
/// `guidance`.
fn category_rule_problems(category: &FundingCategory) -> Vec<(&'static str, &'static str)> {
    let mut problems = Vec::new();
    if category.cap_per_term.is_some_and(|cap| cap <= Pence::ZERO) {
        problems.push(("cap", "Cap must be more than £0"));
    }
    if category.consideration == Consideration::WillNot && category.guidance.trim().is_empty() {
        problems.push(("guidance", "Say why requests for this will not be considered"));
    }
    problems
}

/// A code is lower-case letters, numbers and underscores.
fn code_problem(code: &str) -> Result<(), String> {
    if code.is_empty() {
        return Err("Enter a code".to_owned());
    }
    if code.chars().count() > MAX_CODE {
        return Err(format!("Code must be {MAX_CODE} characters or fewer"));
    }
    if !code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        return Err("Code must only include lower-case letters, numbers and underscores".to_owned());
    }
    Ok(())
}

/// A snake_case code made from a name: "1:1 tuition (maths)" gives
/// "1_1_tuition_maths". Empty when the name has no letters or numbers.
fn code_from_name(name: &str) -> String {
    let mut code = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            code.push(c);
        } else if !code.is_empty() && !code.ends_with('_') {
            code.push('_');
        }
    }
    let code: String = code.chars().take(MAX_CODE).collect();
    code.trim_end_matches('_').to_owned()
}

// --- admin forms -----------------------------------------------------------

/// A purpose from the admin's form. Fields: `code` (made from the name when
/// left empty), `name`, `consideration`, `cap` (pounds a term, optional)
/// and `guidance` (required when requests will not be considered).
pub fn check_category(fields: &Fields) -> Result<FundingCategory, Problems> {
    let mut r = Reader::new(fields);
    let name = read_name(&mut r);
    let code = read_code(&mut r, &name);
    let consideration = Consideration::from_code(r.raw("consideration"));
    if consideration.is_none() {
        r.problem("consideration", "Select whether requests for this will be considered");
    }
    let cap = Pounds { field: "cap", what: "Cap", missing: None, positive: true };
    let cap_per_term = cap.read_field(&mut r);
    let guidance = r.raw("guidance").to_owned();
    if guidance.chars().count() > MAX_GUIDANCE {
        r.problem("guidance", "Guidance must be 1,000 characters or fewer");
    }
    let Some(consideration) = consideration else { return Err(r.problems) };
    let category = FundingCategory { code, name, consideration, cap_per_term, guidance };
    for (field, message) in category_rule_problems(&category) {
        r.problem(field, message);
    }
    r.finish().map(|_| category)
}

fn read_name(r: &mut Reader) -> String {
    let name = r.raw("name");
    if name.is_empty() {
        r.problem("name", "Enter a name");
    } else if name.chars().count() > MAX_NAME {
        r.problem("name", format!("Name must be {MAX_NAME} characters or fewer"));
    }
    name.to_owned()
}

/// The code typed, or one made from the name when left empty.
fn read_code(r: &mut Reader, name: &str) -> String {
    let typed = r.raw("code");
    let code = if typed.is_empty() { code_from_name(name) } else { typed.to_owned() };
    // An empty name is reported on its own field; a code made from it has
    // nothing to add.
    let from_nothing = typed.is_empty() && name.is_empty();
    if let Err(message) = code_problem(&code)
        && !from_nothing
    {
        r.problem("code", message);
    }
    code
}

/// A year's rate from the admin's form. Fields: `academic_year` ("2026",
/// "2026/27" or "2026-27"), `yearly`, and the termly `autumn`, `spring`
/// and `summer` allocations in pounds. All three termly allocations left
/// empty split the yearly rate in thirds.
pub fn check_rate(fields: &Fields) -> Result<YearRate, Problems> {
    let mut r = Reader::new(fields);
    let year = parse_academic_year(r.raw("academic_year"))
        .map_err(|message| r.problem("academic_year", message))
        .ok();
    let yearly = Pounds {
        field: "yearly",
        what: "Yearly rate",
        missing: Some("Enter the yearly rate"),
        positive: true,
    };
    let yearly = yearly.read_field(&mut r);
    let parts = read_termly_parts(&mut r);
    let (Some(academic_year), Some(yearly)) = (year, yearly) else { return Err(r.problems) };
    if !r.problems.is_empty() {
        return Err(r.problems);
    }
    let rate = match parts {
        Some([autumn, spring, summer]) => {
            YearRate { academic_year, yearly, autumn, spring, summer }
        }
        None => YearRate::split(academic_year, yearly),
    };
    if let Err(message) = rate_problem(&rate) {
        r.problem("autumn", message);
    }
    r.finish().map(|_| rate)
}

/// The termly allocations typed, or `None` when all three were left empty.
fn read_termly_parts(r: &mut Reader) -> Option<[Pence; 3]> {
    const TERMS: [(&str, &str); 3] =
        [("autumn", "Autumn"), ("spring", "Spring"), ("summer", "Summer")];
    if TERMS.iter().all(|(field, _)| r.raw(field).is_empty()) {
        return None;
    }
    Some(TERMS.map(|(field, label)| {
        let what = format!("{label} allocation");
        let missing = format!(
            "Enter the {} allocation, or leave all three terms empty to split the yearly rate in thirds",
            label.to_lowercase()
        );
        let part = Pounds { field, what: &what, missing: Some(&missing), positive: false };
        part.read_field(r).unwrap_or(Pence::ZERO)
    }))
}

/// The first calendar year of an academic year typed as "2026", "2026/27",
/// "2026-27" or "2026/2027".
fn parse_academic_year(text: &str) -> Result<i32, String> {
    const FORMAT: &str = "Enter the academic year like 2026/27";
    if text.is_empty() {
        return Err("Enter the academic year".to_owned());
    }
    let (first, second) = match text.split_once(['/', '-']) {
        Some((first, second)) => (first.trim(), Some(second.trim())),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if first.len() != 4 || !digits(first) {
        return Err(FORMAT.to_owned());
    }
    let year: i32 = first.parse().map_err(|_| FORMAT.to_owned())?;
    if let Some(second) = second {
        let next = year + 1;
        let follows = match second.len() {
            2 => second == format!("{:02}", next % 100),
            4 => second == next.to_string(),
            _ => false,
        };
        if !digits(second) || !follows {
            return Err(
                "The academic year must run from one year to the next, like 2026/27".to_owned()
            );
        }
    }
    if !(2000..=2100).contains(&year) {
        return Err("Academic year must be between 2000/01 and 2100/01".to_owned());
    }
    Ok(year)
}

// --- the standard policy -----------------------------------------------------

fn pounds(pounds: i64) -> Pence {
    Pence::from_pence(pounds * 100)
}

fn standard_sources() -> Vec<FundingSource> {
    vec![
        FundingSource {
            code: "pp_plus".into(),
            name: "Pupil Premium Plus".into(),
            from_nc_year: 0,
            to_nc_year: 11,
            rates: vec![
                YearRate::split(2024, pounds(2_570)),
                YearRate::split(2025, pounds(2_630)),
                YearRate::split(2026, pounds(2_630)),
            ],
        },
        FundingSource {
            code: "eypp".into(),
            name: "Early Years Pupil Premium".into(),
            from_nc_year: -2,
            to_nc_year: -1,
            rates: vec![
                YearRate::split(2024, Pence::from_pence(38_760)),
                YearRate::split(2025, pounds(570)),
                YearRate::split(2026, pounds(570)),
            ],
        },
        FundingSource {
            code: "post_16".into(),
            name: "Post-16 Pupil Premium Plus".into(),
            from_nc_year: 12,
            to_nc_year: 13,
            rates: Vec::new(),
        },
    ]
}

fn category(
    code: &str,
    name: &str,
    consideration: Consideration,
    guidance: &str,
) -> FundingCategory {
    FundingCategory {
        code: code.into(),
        name: name.into(),
        consideration,
        cap_per_term: None,
        guidance: guidance.into(),
    }
}

fn standard_categories() -> Vec<FundingCategory> {
    use Consideration::{Discretionary, WillBeConsidered as Yes};
    let mut categories = vec![
        category(
            "core_tuition",
            "1:1 tuition in English, maths or science",
            Yes,
            "One-to-one sessions with a tutor the school has checked, tied to a target.",
        ),
        FundingCategory {
            cap_per_term: Some(pounds(5_000)),
            ..category(
                "one_to_one_ta",
                "1:1 teaching assistant support",
                Yes,
                "Time a teaching assistant spends working with this child alone, up to £5,000 a term.",
            )
        },
        category(
            "staff_training",
            "Specialist training for staff",
            Yes,
            "Training that helps the adults around the child support children in care, such as attachment or trauma awareness.",
        ),
        category(
            "alternative_provision",
            "Alternative provision to reduce the risk of exclusion",
            Yes,
            "The school normally shares the cost: say how it is split.",
        ),
        category(
            "learning_interventions",
            "Specialist interventions for learning and engagement",
            Yes,
            "Programmes beyond what the school offers every pupil. Therapies are not funded this way.",
        ),
        category(
            "enrichment",
            "Extra-curricular activities beyond the carer's allowance",
            Yes,
            "Such as specialist music or sports coaching that the carer's allowance does not stretch to.",
        ),
        category(
            "laptop",
            "Laptop and software",
            Discretionary,
            "Include software to keep the child safe online, and say who keeps the laptop if the child moves school.",
        ),
        category(
            "residential_trip",
            "Residential trip (the cost left after the carer's contribution)",
            Discretionary,
            "Agree what the carer pays first; the request is for the rest.",
        ),
        category(
            "educational_psychology",
            "Educational psychology assessment or intervention",
            Discretionary,
            "Say why the assessment is needed now and how its advice will be used.",
        ),
        category(
            "other_tuition",
            "1:1 tuition in other subjects",
            Discretionary,
            "Say why this subject matters for the child's next steps.",
        ),
        category(
            "books",
            "Books and revision guides",
            Discretionary,
            "Books that build reading for pleasure or follow on from classwork.",
        ),
        category(
            "allowance_clubs",
            "Clubs and activities the carer's allowance usually pays for",
            Discretionary,
            "Such as youth groups, sports teams or drama clubs: explain why the allowance cannot cover it.",
        ),
    ];
    categories.extend(standard_refusals());
    categories
}

fn standard_refusals() -> Vec<FundingCategory> {
    use Consideration::WillNot;
    vec![
        category(
            "transport",
            "Transport",
            WillNot,
            "PP+ pays for learning, not travel; talk to the child's social worker about getting to school.",
        ),
        category(
            "uniform",
            "School uniform",
            WillNot,
            "Uniform is paid for from the carer's allowance.",
        ),
        category(
            "equipment",
            "School equipment",
            WillNot,
            "Everyday equipment is provided by the school or the carer, as for any pupil.",
        ),
        category(
            "whole_class_ta",
            "Teaching assistant support for the whole class",
            WillNot,
            "PP+ pays for support for this child, not for staff the whole class shares.",
        ),
        category(
            "allowance_trips",
            "School trips the carer's allowance covers",
            WillNot,
            "The carer's allowance already pays for these trips.",
        ),
        category(
            "therapy",
            "Therapies such as art, play or psychotherapy",
            WillNot,
            "Therapy is arranged through children's services or the EHC plan, so that the right practitioner is chosen and the care plan or EHCP keeps track of it.",
        ),
        category(
            "universal_interventions",
            "Interventions every pupil can already use",
            WillNot,
            "Homework clubs, revision sessions and the like are open to every pupil; PP+ pays for what is extra.",
        ),
        category(
            "ehcp_provision",
            "Provision the EHC plan should fund",
            WillNot,
            "What an education, health and care plan sets out is funded through the plan.",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::fields as form;

    fn p(pence: i64) -> Pence {
        Pence::from_pence(pence)
    }

    #[test]
    fn the_standard_policy_holds_together() {
        let policy = FundingPolicy::standard();
        assert_eq!(policy.check(), Ok(()));
        assert_eq!(FundingPolicy::default(), policy);
        assert!(policy.categories.len() >= 20);
        assert_eq!(policy.post_16, Post16Funding::Discretionary);
        let refusals: Vec<_> = policy
            .categories
            .iter()
            .filter(|c| c.consideration == Consideration::WillNot)
            .collect();
        assert_eq!(refusals.len(), 8);
        assert!(refusals.iter().all(|c| !c.guidance.is_empty()));
        let ta = policy.category("one_to_one_ta").unwrap();
        assert_eq!(ta.cap_per_term, Some(p(500_000)));
        assert!(policy.category("therapy").unwrap().guidance.contains("EHC"));
    }

    #[test]
    fn the_standard_rates() {
        let policy = FundingPolicy::standard();
        let pp = policy.source("pp_plus").unwrap();
        assert_eq!(pp.rate(AcademicYear(2024)).unwrap().yearly, p(257_000));
        assert_eq!(pp.rate(AcademicYear(2025)).unwrap().yearly, p(263_000));
        assert_eq!(pp.rate(AcademicYear(2026)).unwrap().yearly, p(263_000));
        assert_eq!(pp.rate(AcademicYear(2023)), None);
        let eypp = policy.source("eypp").unwrap();
        assert_eq!(eypp.rate(AcademicYear(2024)).unwrap().yearly, p(38_760));
        assert_eq!(eypp.rate(AcademicYear(2025)).unwrap().yearly, p(57_000));
        let post_16 = policy.source("post_16").unwrap();
        assert!(post_16.rates.is_empty());
        assert_eq!(post_16.allowance(AcademicYear(2025), Term::Autumn), None);
        assert_eq!(policy.source("nope"), None);
    }

    #[test]
    fn allowances_split_in_thirds_with_the_pennies_in_autumn() {
        let policy = FundingPolicy::standard();
        let pp = policy.source("pp_plus").unwrap();
        let year = AcademicYear(2025);
        assert_eq!(pp.allowance(year, Term::Autumn), Some(p(87_668)));
        assert_eq!(pp.allowance(year, Term::Spring), Some(p(87_666)));
        assert_eq!(pp.allowance(year, Term::Summer), Some(p(87_666)));
        assert_eq!(pp.allowance(AcademicYear(2024), Term::Autumn), Some(p(85_668)));
        let eypp = policy.source("eypp").unwrap();
        assert_eq!(eypp.allowance(AcademicYear(2024), Term::Summer), Some(p(12_920)));
        assert_eq!(eypp.allowance(year, Term::Spring), Some(p(19_000)));
        for yearly in [0, 1, 2, 3, 100, 263_000, 38_761] {
            let rate = YearRate::split(2025, p(yearly));
            assert_eq!(rate.termly_total(), Some(p(yearly)));
            assert!(rate.autumn >= rate.spring && rate.spring == rate.summer);
        }
    }

    #[test]
    fn sources_by_nc_year() {
        let mut policy = FundingPolicy::standard();
        let codes = |policy: &FundingPolicy, nc: i8| -> Vec<String> {
            policy.sources_for(NcYear::from_value(nc)).iter().map(|s| s.code.clone()).collect()
        };
        assert_eq!(codes(&policy, -2), ["eypp"]);
        assert_eq!(codes(&policy, -1), ["eypp"]);
        assert_eq!(codes(&policy, 0), ["pp_plus"]);
        assert_eq!(codes(&policy, 11), ["pp_plus"]);
        assert_eq!(codes(&policy, 12), ["post_16"]);
        assert_eq!(codes(&policy, 13), ["post_16"]);
        assert!(codes(&policy, 14).is_empty());
        assert!(codes(&policy, -3).is_empty());
        assert!(policy.post_16_discretionary(NcYear::from_value(12)));
        assert!(!policy.post_16_discretionary(NcYear::from_value(11)));
        assert_eq!(policy.source_options(NcYear::from_value(5))[0].label, "Pupil Premium Plus");
        assert_eq!(policy.category_options().len(), policy.categories.len());

        policy.post_16 = Post16Funding::Off;
        assert!(codes(&policy, 12).is_empty());
        assert!(codes(&policy, 13).is_empty());
        assert_eq!(codes(&policy, 11), ["pp_plus"]);
        assert!(!policy.funds(NcYear::from_value(12)));
        assert!(!policy.post_16_discretionary(NcYear::from_value(12)));
    }

    #[test]
    fn years_in_words() {
        let policy = FundingPolicy::standard();
        let words = |code: &str| policy.source(code).unwrap().years_in_words();
        assert_eq!(words("pp_plus"), "reception to year 11");
        assert_eq!(words("eypp"), "nursery");
        assert_eq!(words("post_16"), "years 12 to 13");
        let source = |from, to| FundingSource {
            code: "x".into(),
            name: "X".into(),
            from_nc_year: from,
            to_nc_year: to,
            rates: vec![],
        };
        assert_eq!(source(-1, 6).years_in_words(), "nursery to year 6");
        assert_eq!(source(0, 0).years_in_words(), "reception");
        assert_eq!(source(7, 7).years_in_words(), "year 7");
        assert!(source(-2, 0).covers(NcYear::RECEPTION));
        assert!(!source(1, 6).covers(NcYear::RECEPTION));
    }

    #[test]
    fn a_broken_policy_says_where() {
        let mut policy = FundingPolicy::standard();
        policy.sources[1].code = "pp_plus".into();
        policy.sources[2].name = " ".into();
        policy.sources[2].from_nc_year = 13;
        policy.sources[2].to_nc_year = 12;
        policy.sources[0].rates[1].autumn = p(100_000_000);
        policy.sources[0].rates.push(YearRate::split(2024, p(1)));
        policy.sources[1].rates[0].spring = p(-1);
        policy.categories[0].code = "Not A Code".into();
        policy.categories[2].code = String::new();
        policy.categories[1].cap_per_term = Some(Pence::ZERO);
        let last = policy.categories.len() - 1;
        policy.categories[last].guidance = String::new();
        let problems = policy.check().unwrap_err();
        for field in [
            "sources_1_code",
            "sources_2_name",
            "sources_2_to_nc_year",
            "sources_0_rates_1",
            "sources_0_rates_3",
            "sources_1_rates_0",
            "categories_0_code",
            "categories_1_cap",
            "categories_2_code",
            &format!("categories_{last}_guidance"),
        ] {
            assert!(problems.has(field), "{field}: {problems:?}");
        }
        assert_eq!(problems.message("sources_1_code"), Some("Another source has the code pp_plus"));
        assert_eq!(problems.message("sources_0_rates_3"), Some("2024/25 has more than one rate"));
        assert_eq!(problems.message("categories_2_code"), Some("Enter a code"));
        assert_eq!(problems.0.len(), 10);
    }

    #[test]
    fn the_policy_round_trips_through_json() {
        let policy = FundingPolicy::standard();
        let json = serde_json::to_string(&policy).unwrap();
        assert!(json.contains("\"consideration\":\"will_not\""));
        assert!(json.contains("\"post_16\":\"discretionary\""));
        assert_eq!(serde_json::from_str::<FundingPolicy>(&json).unwrap(), policy);
        let minimal = r#"{"sources":[{"code":"a","name":"A","from_nc_year":0,"to_nc_year":1}],
            "categories":[{"code":"b","name":"B","consideration":"discretionary"}],"post_16":"off"}"#;
        let policy: FundingPolicy = serde_json::from_str(minimal).unwrap();
        assert_eq!(policy.check(), Ok(()));
        assert!(policy.sources[0].rates.is_empty());
    }

    #[test]
    fn codes_from_names() {
        assert_eq!(
            code_from_name("1:1 teaching assistant support"),
            "1_1_teaching_assistant_support"
        );
        assert_eq!(code_from_name("  School Uniform!  "), "school_uniform");
        assert_eq!(code_from_name("Books & revision guides"), "books_revision_guides");
        assert_eq!(code_from_name("!!!"), "");
        let long = code_from_name(&"word ".repeat(20));
        assert!(long.len() <= MAX_CODE && !long.ends_with('_'));
    }

    #[test]
    fn a_good_category() {
        let category = check_category(&form(&[
            ("name", " Music lessons "),
            ("consideration", "will_be_considered"),
            ("cap", "£1,200"),
            ("guidance", ""),
        ]))
        .unwrap();
        assert_eq!(category.code, "music_lessons");
        assert_eq!(category.name, "Music lessons");
        assert_eq!(category.consideration, Consideration::WillBeConsidered);
        assert_eq!(category.cap_per_term, Some(p(120_000)));

        let refusal = check_category(&form(&[
            ("code", "pets"),
            ("name", "Pets"),
            ("consideration", "will_not"),
            ("guidance", "Pets are not education."),
        ]))
        .unwrap();
        assert_eq!(refusal.code, "pets");
        assert_eq!(refusal.cap_per_term, None);
        assert_eq!(refusal.guidance, "Pets are not education.");
    }

    #[test]
    fn a_bad_category() {
        let problems =
            check_category(&form(&[("consideration", "maybe"), ("cap", "0")])).unwrap_err();
        assert_eq!(problems.message("name"), Some("Enter a name"));
        assert!(!problems.has("code"));
        assert_eq!(
            problems.message("consideration"),
            Some("Select whether requests for this will be considered")
        );
        assert_eq!(problems.message("cap"), Some("Cap must be more than £0"));

        let problems = check_category(&form(&[
            ("code", "Bad Code"),
            ("name", "Uniform"),
            ("consideration", "will_not"),
            ("cap", "12.345"),
        ]))
        .unwrap_err();
        assert_eq!(
            problems.message("code"),
            Some("Code must only include lower-case letters, numbers and underscores")
        );
        assert_eq!(
            problems.message("guidance"),
            Some("Say why requests for this will not be considered")
        );
        assert_eq!(
            problems.message("cap"),
            Some("Cap must have no more than 2 numbers after the decimal point")
        );

        let problems = check_category(&form(&[
            ("name", "???"),
            ("consideration", "discretionary"),
            ("cap", "-5"),
            ("guidance", &"x".repeat(1001)),
        ]))
        .unwrap_err();
        assert_eq!(problems.message("code"), Some("Enter a code"));
        assert_eq!(problems.message("cap"), Some("Cap must be more than £0"));
        assert_eq!(
            problems.message("guidance"),
            Some("Guidance must be 1,000 characters or fewer")
        );
        let problems = check_category(&form(&[
            ("name", &"n".repeat(151)),
            ("consideration", "discretionary"),
            ("cap", "lots"),
        ]))
        .unwrap_err();
        assert_eq!(problems.message("name"), Some("Name must be 150 characters or fewer"));
        assert_eq!(problems.message("cap"), Some("Cap must be a number, like 1250 or 1250.50"));
    }

    #[test]
    fn a_good_rate() {
        let split = check_rate(&form(&[("academic_year", "2026"), ("yearly", "2,630")])).unwrap();
        assert_eq!(split, YearRate::split(2026, p(263_000)));
        for year in ["2026/27", "2026-27", " 2026 / 2027 "] {
            let rate = check_rate(&form(&[("academic_year", year), ("yearly", "100")])).unwrap();
            assert_eq!(rate.academic_year, 2026, "{year}");
        }
        let parts = check_rate(&form(&[
            ("academic_year", "2025/26"),
            ("yearly", "2630"),
            ("autumn", "1000"),
            ("spring", "1000"),
            ("summer", "0"),
        ]))
        .unwrap();
        assert_eq!(
            parts,
            YearRate {
                academic_year: 2025,
                yearly: p(263_000),
                autumn: p(100_000),
                spring: p(100_000),
                summer: Pence::ZERO
            }
        );
    }

    #[test]
    fn a_bad_rate() {
        let problems = check_rate(&form(&[])).unwrap_err();
        assert_eq!(problems.message("academic_year"), Some("Enter the academic year"));
        assert_eq!(problems.message("yearly"), Some("Enter the yearly rate"));
        for (year, message) in [
            ("26/27", "Enter the academic year like 2026/27"),
            ("twenty", "Enter the academic year like 2026/27"),
            ("2026/28", "The academic year must run from one year to the next, like 2026/27"),
            ("2026/", "The academic year must run from one year to the next, like 2026/27"),
            ("1999", "Academic year must be between 2000/01 and 2100/01"),
        ] {
            let problems =
                check_rate(&form(&[("academic_year", year), ("yearly", "1")])).unwrap_err();
            assert_eq!(problems.message("academic_year"), Some(message), "{year}");
        }
        let problems = check_rate(&form(&[
            ("academic_year", "2026"),
            ("yearly", "0"),
            ("autumn", "x"),
            ("spring", "10"),
        ]))
        .unwrap_err();
        assert_eq!(problems.message("yearly"), Some("Yearly rate must be more than £0"));
        assert_eq!(
            problems.message("autumn"),
            Some("Autumn allocation must be a number, like 1250 or 1250.50")
        );
        assert_eq!(
            problems.message("summer"),
            Some(
                "Enter the summer allocation, or leave all three terms empty to split the yearly rate in thirds"
            )
        );
        let problems = check_rate(&form(&[
            ("academic_year", "2026"),
            ("yearly", "100"),
            ("autumn", "50"),
            ("spring", "50"),
            ("summer", "0.01"),
        ]))
        .unwrap_err();
        assert_eq!(
            problems.message("autumn"),
            Some(
                "The termly allocations add up to £100.01, which is more than the yearly rate of £100.00"
            )
        );
        let problems = check_rate(&form(&[
            ("academic_year", "2026"),
            ("yearly", "-100"),
            ("autumn", "-1"),
            ("spring", "1"),
            ("summer", "1"),
        ]))
        .unwrap_err();
        assert_eq!(problems.message("yearly"), Some("Yearly rate must be more than £0"));
        assert_eq!(problems.message("autumn"), Some("Autumn allocation must be £0 or more"));
    }

    #[test]
    fn codes_round_trip() {
        for c in Consideration::ALL {
            assert_eq!(Consideration::from_code(c.code()), Some(*c));
        }
        assert_eq!(Post16Funding::from_code("off"), Some(Post16Funding::Off));
        assert_eq!(Consideration::WillNot.label(), "Will not be considered");
        assert_eq!(Consideration::options().len(), 3);
    }
}
