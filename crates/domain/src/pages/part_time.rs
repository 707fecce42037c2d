//! Part-time timetable and alternative provision. Usually the child is in
//! full-time education at school and nothing more is asked. Otherwise the
//! arrangement needs its hours, purpose, provider, start and end dates and
//! a plan to return to full time, agreed with the Virtual School, which
//! expects a part-time timetable to last no more than 6 weeks.

use chrono::NaiveDate;

use super::input::{Reader, parse_date};
use super::{Block, Control, FieldSpec, Fields, Opt, PageContext, Problems, Tone, uk_date};

/// Fewer hours than this a week is a part-time timetable.
const FULL_TIME_HOURS: f64 = 25.0;

/// The most hours a week the form accepts.
const MAX_HOURS: f64 = 40.0;

/// The longest a part-time timetable is expected to run: 6 weeks.
const SIX_WEEKS_DAYS: i64 = 42;

/// The answers asked for only when the child is not in full-time
/// education at school.
const DETAILS: [&str; 10] = [
    "hours",
    "purpose",
    "provider",
    "start",
    "end",
    "return_plan",
    "return_by",
    "agreed_with_vs",
    "agreed_by",
    "agreed_on",
];

const FULL_TIME: &str = "full_time";
const PART_TIME: &str = "part_time";
const ALTERNATIVE: &str = "alternative";

fn arrangements() -> Vec<Opt> {
    vec![
        Opt::new(FULL_TIME, "No: a full-time timetable at school"),
        Opt::new(PART_TIME, "Yes: a part-time timetable (fewer than 25 hours a week)"),
        Opt::new(ALTERNATIVE, "Yes: alternative provision, full or part time"),
    ]
}

/// A part-time timetable or alternative provision that has a start date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PartTime {
    /// Alternative provision rather than a part-time timetable at school.
    pub alternative: bool,
    pub hours: Option<f64>,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

impl PartTime {
    /// The saved page's arrangement; `None` when the child is full time or
    /// no start date is recorded yet.
    pub fn read(fields: &Fields) -> Option<PartTime> {
        let get = |k: &str| fields.get(k).map_or("", |v| v.trim());
        let date = |k: &str| parse_date(get(k)).ok().flatten();
        let alternative = match get("arrangement") {
            PART_TIME => false,
            ALTERNATIVE => true,
            _ => return None,
        };
        Some(PartTime {
            alternative,
            hours: get("hours").parse::<f64>().ok().filter(|h| h.is_finite()),
            start: date("start")?,
            end: date("end"),
        })
    }

    /// Days from the start to the end or today, whichever is first; 0
    /// before it starts.
    fn days_run(&self, today: NaiveDate) -> i64 {
        let until = self.end.map_or(today, |end| end.min(today));
        (until - self.start).num_days().max(0)
    }

    /// Days from the start to the planned end.
    fn days_planned(&self) -> Option<i64> {
        self.end.map(|end| (end - self.start).num_days())
    }

    /// Whole weeks it has run by `today`.
    pub fn weeks_running(&self, today: NaiveDate) -> i64 {
        self.days_run(today) / 7
    }

    /// It has run, or is planned to run, more than 6 weeks.
    pub fn longer_than_six_weeks(&self, today: NaiveDate) -> bool {
        self.days_run(today) > SIX_WEEKS_DAYS
            || self.days_planned().is_some_and(|d| d > SIX_WEEKS_DAYS)
    }

    /// Today is after the planned end: it has ended, or needs a new end.
    pub fn past_end(&self, today: NaiveDate) -> bool {
        self.end.is_some_and(|end| today > end)
    }

    /// `The part-time timetable`, `The alternative provision`.
    fn what(&self) -> &'static str {
        if self.alternative { "The alternative provision" } else { "The part-time timetable" }
    }
}

/// `9 weeks`, or `more than 9 weeks` when there are days over.
fn weeks_text(days: i64) -> String {
    let weeks = days / 7;
    if days % 7 == 0 { format!("{weeks} weeks") } else { format!("more than {weeks} weeks") }
}

/// The warnings an arrangement raises by `today`.
pub fn alerts(p: &PartTime, today: NaiveDate) -> Vec<Block> {
    let mut out = Vec::new();
    let past_end = p.past_end(today);
    if let Some(end) = p.end.filter(|_| past_end) {
        out.push(Block::Alert {
            text: format!(
                "{} ended on {}: record the return to full time or a new end date agreed with \
                 the Virtual School",
                p.what(),
                uk_date(end)
            ),
            tone: Tone::Bad,
        });
    }
    if p.longer_than_six_weeks(today) {
        let expects = if p.alternative {
            "the Virtual School expects alternative provision to last no more than 6 weeks"
        } else {
            "the Virtual School expects part-time timetables to last no more than 6 weeks"
        };
        let days_run = p.days_run(today);
        let how_long = match (p.end, p.days_planned()) {
            _ if days_run > SIX_WEEKS_DAYS => {
                let verb = if past_end { "ran" } else { "has run" };
                format!("{verb} for {}", weeks_text(days_run))
            }
            (Some(end), Some(planned)) => {
                format!("is planned to run for {}, until {}", weeks_text(planned), uk_date(end))
            }
            _ => format!("has run for {}", weeks_text(days_run)),
        };
        out.push(Block::Alert {
            text: format!("{} {how_long}: {expects}", p.what()),
            tone: Tone::Warning,
        });
    }
    out
}

pub(super) fn check(
    fields: &Fields,
    ctx: &PageContext,
    completing: bool,
) -> Result<Fields, Problems> {
    let mut r = Reader::new(fields);
    let arrangement = r.choice(
        "arrangement",
        "whether the child has a part-time timetable or alternative provision",
        &arrangements(),
    );
    r.require(
        completing,
        "arrangement",
        "Select whether the child has a part-time timetable or alternative provision",
    );
    if arrangement.as_deref() == Some(FULL_TIME) {
        // Full time: the details of an arrangement are not kept.
        for name in DETAILS {
            r.out.insert(name.to_owned(), String::new());
        }
        return r.finish();
    }

    let hours = r.decimal("hours", "hours a week", 0.0, MAX_HOURS);
    r.long_text("purpose", "why it is needed");
    r.text("provider", "who provides the education");
    let start = r.date("start", "the start date");
    let end = r.date("end", "the end date");
    r.long_text("return_plan", "the plan to return to full-time education");
    let return_by = r.date("return_by", "the date to return to full time by");
    let agreed = r.yes_no("agreed_with_vs", "whether it has been agreed with the Virtual School");
    if agreed == Some(false) {
        r.out.insert("agreed_by".to_owned(), String::new());
        r.out.insert("agreed_on".to_owned(), String::new());
    } else {
        r.text("agreed_by", "the name of the Virtual School officer");
        let agreed_on = r.date("agreed_on", "the date it was agreed");
        if agreed_on.is_some_and(|d| d > ctx.today) {
            r.problem("agreed_on", "The date it was agreed must be today or in the past");
        }
    }

    if arrangement.as_deref() == Some(PART_TIME) && hours.is_some_and(|h| h >= FULL_TIME_HOURS) {
        r.problem(
            "hours",
            "A part-time timetable is fewer than 25 hours a week: for 25 hours or more choose \
             full time or alternative provision",
        );
    }
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        r.problem("end", "The end date must be the same as or after the start date");
    }
    if let (Some(start), Some(by)) = (start, return_by)
        && by < start
    {
        r.problem(
            "return_by",
            "The date to return to full time by must be the same as or after the start date",
        );
    }

    if arrangement.is_some() {
        for (name, message) in [
            ("hours", "Enter the hours of education a week"),
            ("purpose", "Enter why the part-time timetable or alternative provision is needed"),
            ("provider", "Enter who provides the education, or the school's name"),
            ("start", "Enter the start date"),
            (
                "end",
                "Enter the end date: a part-time timetable or alternative provision must have \
                 one, even if it may be reviewed",
            ),
            ("return_plan", "Enter the plan to return to full-time education"),
            ("agreed_with_vs", "Select yes if it has been agreed with the Virtual School"),
        ] {
            r.require(completing, name, message);
        }
        if agreed == Some(true) {
            r.require(
                completing,
                "agreed_by",
                "Enter the name of the Virtual School officer who agreed it",
            );
            r.require(completing, "agreed_on", "Enter the date it was agreed");
        }
    }
    r.finish()
}

pub(super) fn layout(fields: &Fields, ctx: &PageContext) -> Vec<Block> {
    let arrangement = Control::Radios(arrangements());
    let previous = |name: &str, control: &Control| {
        ctx.previous
            .as_ref()
            .and_then(|p| p.get(name))
            .filter(|v| !v.trim().is_empty())
            .map(|v| control.display(v))
    };
    let previous_arrangement = previous("arrangement", &arrangement);
    let previous_hours = previous("hours", &Control::Decimal);
    let mut blocks = vec![
        Block::Field(
            FieldSpec::new(
                "arrangement",
                "Does the child have a part-time timetable or alternative provision?",
                arrangement,
            )
            .previous(previous_arrangement),
        ),
        Block::Heading {
            text: "The part-time timetable or alternative provision".to_owned(),
            hint: Some(
                "Leave these blank when the child has a full-time timetable at school".to_owned(),
            ),
        },
        Block::Field(
            FieldSpec::new("hours", "Hours of education a week", Control::Decimal)
                .hint("At school and elsewhere. For example, 15 or 12.5")
                .previous(previous_hours),
        ),
        Block::Field(
            FieldSpec::new("purpose", "Why is it needed?", Control::LongText)
                .hint("What the arrangement is for and how it helps the child"),
        ),
        Block::Field(
            FieldSpec::new("provider", "Who provides the education?", Control::Text)
                .hint("The alternative provider or tutor, or the school itself"),
        ),
        Block::Field(
            FieldSpec::new("start", "Start date", Control::Date).hint("For example, 5 10 2026"),
        ),
        Block::Field(FieldSpec::new("end", "End date", Control::Date).hint(
            "When it is planned to end. It must have an end date, even if it may be reviewed",
        )),
        Block::Field(
            FieldSpec::new(
                "return_plan",
                "Plan to return to full-time education",
                Control::LongText,
            )
            .hint("The steps, who will take them, and when the child's hours will go up"),
        ),
        Block::Field(FieldSpec::new(
            "return_by",
            "Date the child should be back in full-time education",
            Control::Date,
        )),
        Block::Field(FieldSpec::new(
            "agreed_with_vs",
            "Has this been agreed with the Virtual School?",
            Control::YesNo,
        )),
        Block::Field(FieldSpec::new(
            "agreed_by",
            "Name of the Virtual School officer who agreed it",
            Control::Text,
        )),
        Block::Field(FieldSpec::new("agreed_on", "Date it was agreed", Control::Date)),
    ];
    if let Some(p) = PartTime::read(fields) {
        blocks.extend(alerts(&p, ctx.today));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::{context, fields};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn good() -> Fields {
        fields(&[
            ("arrangement", "part_time"),
            ("hours", "15"),
            ("purpose", "A gradual return after a long absence"),
            ("provider", "Oakfield Academy"),
            ("start", "2/11/2026"),
            ("end", "11/12/2026"),
            ("return_plan", "Two more afternoons a week from December"),
            ("return_by", "4/1/2027"),
            ("agreed_with_vs", "yes"),
            ("agreed_by", "Sam Patel"),
            ("agreed_on", "30/10/2026"),
        ])
    }

    fn alert_texts(blocks: &[Block]) -> Vec<(String, Tone)> {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Alert { text, tone } => Some((text.clone(), *tone)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_complete_arrangement_is_saved_normalised() {
        let out = check(&good(), &context(), true).unwrap();
        assert_eq!(out["start"], "2026-11-02");
        assert_eq!(out["end"], "2026-12-11");
        assert_eq!(out["return_by"], "2027-01-04");
        assert_eq!(out["agreed_on"], "2026-10-30");
        assert_eq!(out["hours"], "15");
        let p = PartTime::read(&out).unwrap();
        assert_eq!(
            p,
            PartTime {
                alternative: false,
                hours: Some(15.0),
                start: date(2026, 11, 2),
                end: Some(date(2026, 12, 11))
            }
        );
    }

    #[test]
    fn full_time_drops_the_details_whatever_was_sent() {
        let mut f = good();
        f.insert("arrangement".into(), "full_time".into());
        f.insert("hours".into(), "lots".into());
        f.insert("end".into(), "1/1/2020".into());
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(out["arrangement"], "full_time");
        for name in DETAILS {
            assert_eq!(out[name], "", "{name}");
        }
        assert_eq!(out.len(), DETAILS.len() + 1);
        assert_eq!(PartTime::read(&out), None);
        assert!(alert_texts(&layout(&out, &context())).is_empty());
    }

    #[test]
    fn a_part_time_timetable_is_fewer_than_25_hours() {
        let mut f = good();
        f.insert("hours".into(), "25".into());
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("hours"),
            Some(
                "A part-time timetable is fewer than 25 hours a week: for 25 hours or more choose full time or alternative provision"
            )
        );
        f.insert("hours".into(), "24.5".into());
        assert!(check(&f, &context(), false).is_ok());
        f.insert("arrangement".into(), "alternative".into());
        f.insert("hours".into(), "30".into());
        assert!(check(&f, &context(), false).is_ok(), "alternative provision may be full time");
        f.insert("hours".into(), "41".into());
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(p.message("hours"), Some("Hours a week must be 40 or fewer"));
    }

    #[test]
    fn dates_must_be_in_order_and_agreement_not_in_the_future() {
        let mut f = good();
        f.insert("end".into(), "1/11/2026".into());
        f.insert("return_by".into(), "30/10/2026".into());
        f.insert("agreed_on".into(), "24/11/2026".into());
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("end"),
            Some("The end date must be the same as or after the start date")
        );
        assert_eq!(
            p.message("return_by"),
            Some("The date to return to full time by must be the same as or after the start date")
        );
        assert_eq!(
            p.message("agreed_on"),
            Some("The date it was agreed must be today or in the past")
        );
        let mut f = good();
        f.insert("end".into(), "2/11/2026".into());
        f.insert("return_by".into(), "2/11/2026".into());
        f.insert("agreed_on".into(), "23/11/2026".into());
        assert!(check(&f, &context(), true).is_ok(), "the same day is allowed");
    }

    #[test]
    fn a_choice_not_on_the_list_is_refused_and_kept() {
        let f = fields(&[("arrangement", "sometimes")]);
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("arrangement"),
            Some(
                "Select whether the child has a part-time timetable or alternative provision from the list"
            )
        );
    }

    #[test]
    fn completing_needs_the_details_and_the_end_date() {
        assert!(check(&fields(&[]), &context(), false).is_ok());
        let p = check(&fields(&[]), &context(), true).unwrap_err();
        assert_eq!(
            p.0,
            vec![(
                "arrangement".to_owned(),
                "Select whether the child has a part-time timetable or alternative provision"
                    .to_owned()
            )]
        );
        let f = fields(&[("arrangement", "alternative"), ("agreed_with_vs", "yes")]);
        assert!(check(&f, &context(), false).is_ok());
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(p.message("hours"), Some("Enter the hours of education a week"));
        assert_eq!(
            p.message("purpose"),
            Some("Enter why the part-time timetable or alternative provision is needed")
        );
        assert_eq!(
            p.message("provider"),
            Some("Enter who provides the education, or the school's name")
        );
        assert_eq!(p.message("start"), Some("Enter the start date"));
        assert_eq!(
            p.message("end"),
            Some(
                "Enter the end date: a part-time timetable or alternative provision must have one, even if it may be reviewed"
            )
        );
        assert_eq!(
            p.message("return_plan"),
            Some("Enter the plan to return to full-time education")
        );
        assert_eq!(
            p.message("agreed_by"),
            Some("Enter the name of the Virtual School officer who agreed it")
        );
        assert_eq!(p.message("agreed_on"), Some("Enter the date it was agreed"));
        assert!(!p.has("return_by"), "the return date is not required");
        assert!(!p.has("agreed_with_vs"));
    }

    #[test]
    fn not_agreed_needs_no_officer_and_keeps_none() {
        let mut f = good();
        f.insert("agreed_with_vs".into(), "no".into());
        let out = check(&f, &context(), true).unwrap();
        assert_eq!(out["agreed_with_vs"], "no");
        assert_eq!(out["agreed_by"], "");
        assert_eq!(out["agreed_on"], "");
        f.remove("agreed_with_vs");
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(
            p.message("agreed_with_vs"),
            Some("Select yes if it has been agreed with the Virtual School")
        );
    }

    #[test]
    fn read_needs_an_arrangement_and_a_start() {
        assert_eq!(PartTime::read(&fields(&[("arrangement", "part_time")])), None);
        assert_eq!(PartTime::read(&fields(&[("start", "2026-11-02")])), None);
        let p = PartTime::read(&fields(&[("arrangement", "alternative"), ("start", "2/11/2026")]))
            .unwrap();
        assert!(p.alternative);
        assert_eq!(p.end, None);
        assert_eq!(p.hours, None);
    }

    #[test]
    fn six_weeks_run_or_planned() {
        let p = |start, end| PartTime { alternative: false, hours: None, start, end };
        let today = date(2026, 11, 23);
        // Exactly 6 weeks so far and no end: not yet longer.
        let a = p(date(2026, 10, 12), None);
        assert_eq!(a.weeks_running(today), 6);
        assert!(!a.longer_than_six_weeks(today));
        assert!(a.longer_than_six_weeks(date(2026, 11, 24)));
        // Planned for 6 weeks and a day, though only begun.
        let b = p(date(2026, 11, 16), Some(date(2026, 12, 29)));
        assert_eq!(b.weeks_running(today), 1);
        assert!(b.longer_than_six_weeks(today));
        // Planned for exactly 6 weeks.
        let c = p(date(2026, 11, 16), Some(date(2026, 12, 28)));
        assert!(!c.longer_than_six_weeks(today));
        // Not started yet.
        let d = p(date(2026, 12, 1), None);
        assert_eq!(d.weeks_running(today), 0);
        // Running stops at the end date.
        let e = p(date(2026, 9, 7), Some(date(2026, 10, 5)));
        assert_eq!(e.weeks_running(today), 4);
        assert!(e.past_end(today));
        assert!(!e.past_end(date(2026, 10, 5)));
        assert!(!e.longer_than_six_weeks(today));
    }

    #[test]
    fn alerts_for_running_long_and_past_its_end() {
        let today = date(2026, 11, 23);
        let long =
            PartTime { alternative: false, hours: Some(10.0), start: date(2026, 9, 21), end: None };
        assert_eq!(
            alert_texts(&alerts(&long, today)),
            vec![(
                "The part-time timetable has run for 9 weeks: the Virtual School expects part-time timetables to last no more than 6 weeks".to_owned(),
                Tone::Warning
            )]
        );
        let ended = PartTime {
            alternative: false,
            hours: Some(10.0),
            start: date(2026, 9, 14),
            end: Some(date(2026, 10, 3)),
        };
        assert_eq!(
            alert_texts(&alerts(&ended, today)),
            vec![(
                "The part-time timetable ended on 3 October 2026: record the return to full time or a new end date agreed with the Virtual School".to_owned(),
                Tone::Bad
            )]
        );
        let both = PartTime {
            alternative: true,
            hours: None,
            start: date(2026, 9, 2),
            end: Some(date(2026, 10, 16)),
        };
        assert_eq!(
            alert_texts(&alerts(&both, today)),
            vec![
                (
                    "The alternative provision ended on 16 October 2026: record the return to full time or a new end date agreed with the Virtual School".to_owned(),
                    Tone::Bad
                ),
                (
                    "The alternative provision ran for more than 6 weeks: the Virtual School expects alternative provision to last no more than 6 weeks".to_owned(),
                    Tone::Warning
                ),
            ]
        );
        let planned = PartTime {
            alternative: false,
            hours: None,
            start: date(2026, 11, 16),
            end: Some(date(2027, 1, 25)),
        };
        assert_eq!(
            alert_texts(&alerts(&planned, today)),
            vec![(
                "The part-time timetable is planned to run for 10 weeks, until 25 January 2027: the Virtual School expects part-time timetables to last no more than 6 weeks".to_owned(),
                Tone::Warning
            )]
        );
        let fine = PartTime {
            alternative: false,
            hours: None,
            start: date(2026, 11, 2),
            end: Some(date(2026, 12, 11)),
        };
        assert!(alerts(&fine, today).is_empty());
    }

    #[test]
    fn the_form_shows_the_alerts_after_the_fields_and_the_last_pep() {
        let mut ctx = context();
        ctx.previous = Some(fields(&[("arrangement", "part_time"), ("hours", "12.5")]));
        let mut f = good();
        f.insert("start".into(), "21/9/2026".into());
        f.insert("end".into(), "9/10/2026".into());
        let blocks = layout(&f, &ctx);
        let Some(Block::Field(first)) = blocks.first() else { panic!("the question comes first") };
        assert_eq!(first.name, "arrangement");
        assert_eq!(
            first.previous.as_deref(),
            Some("Yes: a part-time timetable (fewer than 25 hours a week)")
        );
        let names: Vec<_> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Field(f) => Some(f.name.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(names[1..], DETAILS);
        assert!(matches!(blocks.last(), Some(Block::Alert { tone: Tone::Bad, text })
            if text == "The part-time timetable ended on 9 October 2026: record the return to full time or a new end date agreed with the Virtual School"));
        let hours = blocks.iter().find_map(|b| match b {
            Block::Field(f) if f.name == "hours" => f.previous.clone(),
            _ => None,
        });
        assert_eq!(hours.as_deref(), Some("12.5"));
    }
}
