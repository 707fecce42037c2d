//! Attendance: sessions for a period of the term (two a day), never
//! percentages typed in. The percentage is worked out; below 90% asks for
//! an attendance target; missing 10% or more is persistent absence, 50% or
//! more severe absence (the DfE's measures).

use chrono::NaiveDate;

use super::input::{Reader, number_text};
use super::{Block, Control, FieldSpec, Fields, PageContext, Problems, Tone, uk_date};

/// The most sessions a period can hold: two a day for a whole school year.
const MAX_SESSIONS: u32 = 500;

/// An attendance record that adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attendance {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub possible: u32,
    pub attended: u32,
}

impl Attendance {
    /// The saved page's figures, when it has enough to work out a
    /// percentage.
    pub fn read(fields: &Fields) -> Option<Attendance> {
        let n = |k: &str| fields.get(k).and_then(|v| v.trim().parse::<u32>().ok());
        let date =
            |k: &str| fields.get(k).and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok());
        let (possible, attended) = (n("possible")?, n("attended")?);
        (possible > 0 && attended <= possible).then_some(Attendance {
            from: date("from"),
            to: date("to"),
            possible,
            attended,
        })
    }

    pub fn missed(&self) -> u32 {
        self.possible.saturating_sub(self.attended)
    }

    /// Attended as a share of possible sessions, 0 to 100.
    pub fn percent(&self) -> f64 {
        f64::from(self.attended) * 100.0 / f64::from(self.possible)
    }

    /// `87.5%`, to one decimal place. Below 90% never rounds up to 90%:
    /// 89.97% reads 89.9%, not a "90%" that the prompt calls below 90%.
    pub fn percent_text(&self) -> String {
        let mut rounded = (self.percent() * 10.0).round() / 10.0;
        if self.below_expected() && rounded >= 90.0 {
            rounded = 89.9;
        }
        format!("{}%", number_text(rounded))
    }

    /// Below 90%: the targets page must hold an attendance target.
    pub fn below_expected(&self) -> bool {
        u64::from(self.attended) * 10 < u64::from(self.possible) * 9
    }

    /// 10% or more of possible sessions missed.
    pub fn persistent_absence(&self) -> bool {
        u64::from(self.missed()) * 10 >= u64::from(self.possible)
    }

    /// 50% or more of possible sessions missed.
    pub fn severe_absence(&self) -> bool {
        u64::from(self.missed()) * 2 >= u64::from(self.possible)
    }
}

pub(super) fn check(
    fields: &Fields,
    ctx: &PageContext,
    completing: bool,
) -> Result<Fields, Problems> {
    let mut r = Reader::new(fields);
    let from = r.date("from", "the start of the period");
    let to = r.date("to", "the end of the period");
    let possible = r.whole("possible", "possible sessions", MAX_SESSIONS);
    let attended = r.whole("attended", "sessions attended", MAX_SESSIONS);
    let authorised = r.whole("authorised", "authorised absence", MAX_SESSIONS);
    let unauthorised = r.whole("unauthorised", "unauthorised absence", MAX_SESSIONS);

    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        r.problem("to", "The end of the period must be the same as or after the start");
    }
    if let Some(term) = &ctx.term_dates {
        if let Some(from) = from.filter(|d| *d < term.starts_on) {
            let _ = from;
            r.problem(
                "from",
                format!(
                    "The start of the period must be in the term, on or after {}",
                    uk_date(term.starts_on)
                ),
            );
        }
        if to.is_some_and(|d| d > term.ends_on) {
            r.problem(
                "to",
                format!(
                    "The end of the period must be in the term, on or before {}",
                    uk_date(term.ends_on)
                ),
            );
        }
    }
    if to.is_some_and(|d| d > ctx.today) {
        r.problem("to", "The end of the period must be today or in the past");
    }
    if let (Some(possible), Some(attended)) = (possible, attended)
        && attended > possible
    {
        r.problem(
            "attended",
            format!("Sessions attended must not be more than the {possible} possible sessions"),
        );
    }
    if let (Some(p), Some(a), Some(au), Some(un)) = (possible, attended, authorised, unauthorised)
        && a <= p
        && a + au + un != p
    {
        r.problem(
            "possible",
            format!(
                "Sessions attended ({a}) and absences ({au} authorised, {un} unauthorised) add up to {}, not the {p} possible sessions",
                a + au + un
            ),
        );
    }
    if completing && possible == Some(0) {
        r.problem("possible", "Possible sessions must be 1 or more");
    }
    for (name, what) in [
        ("from", "Enter the start of the period"),
        ("to", "Enter the end of the period"),
        ("possible", "Enter the number of possible sessions"),
        ("attended", "Enter the number of sessions attended"),
        ("authorised", "Enter the sessions of authorised absence, or 0"),
        ("unauthorised", "Enter the sessions of unauthorised absence, or 0"),
    ] {
        r.require(completing, name, what);
    }
    r.finish()
}

pub(super) fn layout(fields: &Fields, ctx: &PageContext) -> Vec<Block> {
    let previous = ctx.previous.as_ref().and_then(Attendance::read);
    let sessions = |name: &str, label: &str| FieldSpec::new(name, label, Control::WholeNumber);
    let mut blocks = vec![
        Block::Field(
            FieldSpec::new("from", "Start of the period", Control::Date)
                .hint("The first day the figures cover, in this term. For example, 2 9 2026"),
        ),
        Block::Field(
            FieldSpec::new("to", "End of the period", Control::Date)
                .hint("The last day the figures cover"),
        ),
        Block::Field(
            sessions("possible", "Possible sessions")
                .hint("A school day has two sessions, morning and afternoon")
                .previous(previous.map(|p| p.possible.to_string())),
        ),
        Block::Field(
            sessions("attended", "Sessions attended")
                .hint("Including approved educational activity off site")
                .previous(previous.map(|p| p.attended.to_string())),
        ),
        Block::Field(sessions("authorised", "Authorised absence (sessions)")),
        Block::Field(sessions("unauthorised", "Unauthorised absence (sessions)")),
    ];
    if let Some(now) = Attendance::read(fields) {
        let tone =
            if now.severe_absence() || now.below_expected() { Tone::Bad } else { Tone::Good };
        blocks.push(Block::Figure {
            label: "Attendance".to_owned(),
            value: now.percent_text(),
            tone,
        });
        if let Some(p) = previous {
            blocks.push(Block::Figure {
                label: "At the last PEP".to_owned(),
                value: p.percent_text(),
                tone: Tone::Neutral,
            });
        }
        blocks.extend(alerts(&now));
    }
    blocks
}

/// The warnings an attendance record raises.
pub fn alerts(a: &Attendance) -> Vec<Block> {
    let mut out = Vec::new();
    if a.below_expected() {
        out.push(Block::Alert {
            text: format!(
                "Attendance is {}, below 90%: the targets page asks for an attendance target, \
                 which must be written before the PEP is signed off.",
                a.percent_text()
            ),
            tone: Tone::Bad,
        });
    }
    if a.severe_absence() {
        out.push(Block::Alert {
            text: "Severe absence: the child has missed half or more of their possible sessions."
                .to_owned(),
            tone: Tone::Bad,
        });
    } else if a.persistent_absence() {
        out.push(Block::Alert {
            text:
                "Persistent absence: the child has missed 10% or more of their possible sessions."
                    .to_owned(),
            tone: Tone::Warning,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::{context, fields};

    fn record(possible: u32, attended: u32) -> Attendance {
        Attendance { from: None, to: None, possible, attended }
    }

    #[test]
    fn percentages_and_flags() {
        let a = record(160, 144);
        assert_eq!(a.percent_text(), "90%");
        assert!(!a.below_expected());
        assert!(a.persistent_absence(), "exactly 10% missed is persistent absence");
        let b = record(160, 143);
        assert_eq!(b.percent_text(), "89.4%");
        assert!(b.below_expected() && b.persistent_absence() && !b.severe_absence());
        let c = record(100, 50);
        assert!(c.severe_absence());
        // Just under 90% does not read as 90%.
        assert_eq!(record(399, 359).percent_text(), "89.9%");
        let d = record(120, 119);
        assert_eq!(d.percent_text(), "99.2%");
        assert!(!d.persistent_absence());
    }

    fn good() -> Fields {
        fields(&[
            ("from", "2/9/2026"),
            ("to", "13 11 2026"),
            ("possible", "200"),
            ("attended", "176"),
            ("authorised", "14"),
            ("unauthorised", "10"),
        ])
    }

    #[test]
    fn a_record_that_adds_up_is_saved_and_raises_its_prompt() {
        let out = check(&good(), &context(), true).unwrap();
        assert_eq!(out["from"], "2026-09-02");
        assert_eq!(out["to"], "2026-11-13");
        let a = Attendance::read(&out).unwrap();
        assert_eq!(a.percent_text(), "88%");
        let prompts = crate::pages::prompts(crate::pages::PromptSources {
            attendance: Some(&out),
            sdq_threshold: 17,
            ..Default::default()
        });
        assert_eq!(prompts.len(), 1);
        assert_eq!(prompts[0].key, "prompt_attendance");
        assert!(prompts[0].reason.contains("88%"), "{}", prompts[0].reason);
        assert_eq!(prompts[0].in_sentence(), "attendance target");
    }

    #[test]
    fn bad_figures_are_refused_with_what_is_wrong() {
        let mut f = good();
        f.insert("attended".into(), "201".into());
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("attended"),
            Some("Sessions attended must not be more than the 200 possible sessions")
        );
        let mut f = good();
        f.insert("unauthorised".into(), "12".into());
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("possible"),
            Some(
                "Sessions attended (176) and absences (14 authorised, 12 unauthorised) add up to 202, not the 200 possible sessions"
            )
        );
        let mut f = good();
        f.insert("authorised".into(), "-2".into());
        f.insert("from".into(), "14/11/2026".into());
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(p.message("authorised"), Some("Authorised absence must be 0 or more"));
        assert_eq!(
            p.message("to"),
            Some("The end of the period must be the same as or after the start")
        );
    }

    #[test]
    fn the_period_is_in_the_term_and_not_in_the_future() {
        let mut f = good();
        f.insert("from".into(), "1/9/2026".into());
        f.insert("to".into(), "24/11/2026".into());
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("from"),
            Some("The start of the period must be in the term, on or after 2 September 2026")
        );
        assert_eq!(p.message("to"), Some("The end of the period must be today or in the past"));
        f.insert("to".into(), "19/12/2026".into());
        let mut ctx = context();
        ctx.today = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
        let p = check(&f, &ctx, false).unwrap_err();
        assert_eq!(
            p.message("to"),
            Some("The end of the period must be in the term, on or before 18 December 2026")
        );
    }

    #[test]
    fn drafts_may_be_part_done_but_completing_needs_every_figure() {
        let f = fields(&[("possible", "120")]);
        assert!(check(&f, &context(), false).is_ok());
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(p.message("attended"), Some("Enter the number of sessions attended"));
        assert_eq!(p.message("from"), Some("Enter the start of the period"));
        assert!(!p.has("possible"));
    }

    #[test]
    fn the_form_shows_the_percentage_and_last_pep() {
        let mut ctx = context();
        ctx.previous = Some(fields(&[("possible", "100"), ("attended", "95")]));
        let out = check(&good(), &ctx, true).unwrap();
        let blocks = layout(&out, &ctx);
        let figures: Vec<_> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Figure { label, value, .. } => Some((label.as_str(), value.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(figures, vec![("Attendance", "88%"), ("At the last PEP", "95%")]);
        assert!(blocks.iter().any(|b| matches!(b, Block::Alert { tone: Tone::Bad, .. })));
    }
}
