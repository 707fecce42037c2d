//! The Strengths and Difficulties Questionnaire: the five scale scores
//! only, never the questionnaire's items (they are copyright). The total
//! difficulties score is the four difficulty scales added up (0 to 40);
//! prosocial behaviour is a strength and not part of it. The total is
//! banded by the published four-band cut-offs of the informant's version,
//! and at or above the authority's threshold asks for a wellbeing target.

use super::input::Reader;
use super::{Block, Control, FieldSpec, Fields, PageContext, Problems, Tone};
use crate::code::code_enum;

/// The most a scale can score.
const MAX_SCALE: u32 = 10;

/// The four difficulty scales and prosocial behaviour: (field, label).
const SCALES: [(&str, &str); 5] = [
    ("emotional", "Emotional symptoms"),
    ("conduct", "Conduct problems"),
    ("hyperactivity", "Hyperactivity or inattention"),
    ("peer", "Peer relationship problems"),
    ("prosocial", "Prosocial behaviour"),
];

code_enum! {
    /// Who filled in the questionnaire: each version has its own cut-offs.
    Informant, "SDQ informant" {
        Teacher => "teacher", "Teacher";
        Carer => "carer", "Parent or carer";
        YoungPerson => "young_person", "The young person (self-report, age 11 to 17)";
    }
}

impl Informant {
    /// The highest totals of the first three bands: close to average,
    /// slightly raised, high. Above the last is very high.
    fn cut_offs(self) -> [u32; 3] {
        match self {
            Informant::Teacher => [11, 15, 18],
            Informant::Carer => [13, 16, 19],
            Informant::YoungPerson => [14, 17, 19],
        }
    }
}

/// The four-band categorisation of a total difficulties score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Band {
    CloseToAverage,
    SlightlyRaised,
    High,
    VeryHigh,
}

impl Band {
    /// The band of `total` by the cut-offs of `informant`'s version.
    pub fn of(total: u32, informant: Informant) -> Band {
        let [average, slightly, high] = informant.cut_offs();
        match total {
            t if t <= average => Band::CloseToAverage,
            t if t <= slightly => Band::SlightlyRaised,
            t if t <= high => Band::High,
            _ => Band::VeryHigh,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Band::CloseToAverage => "Close to average",
            Band::SlightlyRaised => "Slightly raised",
            Band::High => "High",
            Band::VeryHigh => "Very high",
        }
    }

    pub fn tone(self) -> Tone {
        match self {
            Band::CloseToAverage => Tone::Good,
            Band::SlightlyRaised => Tone::Warning,
            Band::High | Band::VeryHigh => Tone::Bad,
        }
    }
}

/// A scored SDQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sdq {
    pub informant: Option<Informant>,
    pub emotional: u8,
    pub conduct: u8,
    pub hyperactivity: u8,
    pub peer: u8,
    pub prosocial: Option<u8>,
}

impl Sdq {
    /// The page's scores, when all four difficulty scales are there.
    pub fn read(fields: &Fields) -> Option<Sdq> {
        let score = |k: &str| {
            fields
                .get(k)
                .and_then(|v| v.trim().parse::<u8>().ok())
                .filter(|n| u32::from(*n) <= MAX_SCALE)
        };
        Some(Sdq {
            informant: fields.get("informant").and_then(|v| Informant::from_code(v.trim())),
            emotional: score("emotional")?,
            conduct: score("conduct")?,
            hyperactivity: score("hyperactivity")?,
            peer: score("peer")?,
            prosocial: score("prosocial"),
        })
    }

    /// The total difficulties score, 0 to 40: prosocial is not part of it.
    pub fn total(&self) -> u32 {
        [self.emotional, self.conduct, self.hyperactivity, self.peer]
            .into_iter()
            .map(u32::from)
            .sum()
    }

    /// The band by the informant's version, the teacher's when not known.
    pub fn band(&self) -> Band {
        Band::of(self.total(), self.informant.unwrap_or(Informant::Teacher))
    }
}

/// `14 out of 40`.
fn total_text(total: u32) -> String {
    format!("{total} out of 40")
}

pub(super) fn check(
    fields: &Fields,
    ctx: &PageContext,
    completing: bool,
) -> Result<Fields, Problems> {
    let mut r = Reader::new(fields);
    r.choice("informant", "who filled in the questionnaire", &Informant::options());
    let completed_on = r.date("completed_on", "the date it was filled in");
    if completed_on.is_some_and(|d| d > ctx.today) {
        r.problem("completed_on", "The date it was filled in must be today or in the past");
    }
    for (name, label) in SCALES {
        r.whole(name, &format!("{} score", label.to_lowercase()), MAX_SCALE);
    }
    r.require(completing, "informant", "Select who filled in the questionnaire");
    r.require(completing, "completed_on", "Enter the date the questionnaire was filled in");
    for (name, label) in SCALES {
        r.require(completing, name, format!("Enter the {} score", label.to_lowercase()));
    }
    r.finish()
}

pub(super) fn layout(fields: &Fields, ctx: &PageContext) -> Vec<Block> {
    let previous = |name: &str| ctx.previous.as_ref().and_then(|p| p.get(name).cloned());
    let mut blocks = vec![
        Block::Paragraph(
            "Record the scores only: do not copy the questionnaire's questions here. \
             Enter the five scale scores from the scoring sheet. \
             The total difficulties score and its band are worked out for you."
                .to_owned(),
        ),
        Block::Field(FieldSpec::new(
            "informant",
            "Who filled in the questionnaire?",
            Control::Radios(Informant::options()),
        )),
        Block::Field(
            FieldSpec::new("completed_on", "Date it was filled in", Control::Date)
                .hint("For example, 6 11 2026"),
        ),
    ];
    for (name, label) in SCALES {
        let mut spec = FieldSpec::new(name, label, Control::WholeNumber)
            .hint("A score from 0 to 10")
            .previous(previous(name));
        if name == "prosocial" {
            spec = spec.hint("A score from 0 to 10. This is a strength, so it is not part of the total difficulties score");
        }
        blocks.push(Block::Field(spec));
    }
    if let Some(now) = Sdq::read(fields) {
        let band = now.band();
        blocks.push(Block::Figure {
            label: "Total difficulties score".to_owned(),
            value: total_text(now.total()),
            tone: Tone::Neutral,
        });
        blocks.push(Block::Figure {
            label: "Band".to_owned(),
            value: band.label().to_owned(),
            tone: band.tone(),
        });
        if let Some(last) = ctx.previous.as_ref().and_then(Sdq::read) {
            blocks.push(Block::Figure {
                label: "At the last PEP".to_owned(),
                value: total_text(last.total()),
                tone: Tone::Neutral,
            });
        }
        let threshold = u32::from(ctx.sdq_threshold);
        if now.total() >= threshold {
            blocks.push(Block::Alert {
                text: format!(
                    "A total of {} is at or above the authority's threshold of {threshold}: \
                     the targets page asks for an emotional wellbeing target, \
                     which must be written before the PEP is signed off.",
                    now.total()
                ),
                tone: Tone::Bad,
            });
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::{context, fields};

    fn scores(informant: &str, e: &str, c: &str, h: &str, p: &str) -> Fields {
        fields(&[
            ("informant", informant),
            ("completed_on", "6/11/2026"),
            ("emotional", e),
            ("conduct", c),
            ("hyperactivity", h),
            ("peer", p),
            ("prosocial", "7"),
        ])
    }

    fn sdq(informant: Option<Informant>, total: u8) -> Sdq {
        // Spread over the four scales, none above 10.
        let part = |i: u8| total.saturating_sub(i * 10).min(10);
        Sdq {
            informant,
            emotional: part(0),
            conduct: part(1),
            hyperactivity: part(2),
            peer: part(3),
            prosocial: Some(10),
        }
    }

    #[test]
    fn a_scale_above_10_is_refused() {
        let f = scores("teacher", "11", "2", "3", "4");
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(p.message("emotional"), Some("Emotional symptoms score must be 10 or fewer"));
        assert_eq!(p.0.len(), 1);
        let mut f = scores("teacher", "1", "2", "3", "4");
        f.insert("prosocial".into(), "12".into());
        f.insert("peer".into(), "-1".into());
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(p.message("prosocial"), Some("Prosocial behaviour score must be 10 or fewer"));
        assert_eq!(p.message("peer"), Some("Peer relationship problems score must be 0 or more"));
    }

    #[test]
    fn the_total_leaves_out_prosocial() {
        let out = check(&scores("carer", "3", "4", "5", "2"), &context(), true).unwrap();
        assert_eq!(out["completed_on"], "2026-11-06");
        let s = Sdq::read(&out).unwrap();
        assert_eq!(s.total(), 14);
        assert_eq!(s.prosocial, Some(7));
        assert_eq!(s.informant, Some(Informant::Carer));
        assert_eq!(s.band(), Band::SlightlyRaised);
        assert_eq!(Sdq::read(&fields(&[("emotional", "3")])), None);
    }

    #[test]
    fn bands_at_each_boundary_for_every_informant() {
        use Band::*;
        let cases = [
            (
                Some(Informant::Teacher),
                [
                    (0, CloseToAverage),
                    (11, CloseToAverage),
                    (12, SlightlyRaised),
                    (15, SlightlyRaised),
                    (16, High),
                    (18, High),
                    (19, VeryHigh),
                    (40, VeryHigh),
                ],
            ),
            (
                Some(Informant::Carer),
                [
                    (0, CloseToAverage),
                    (13, CloseToAverage),
                    (14, SlightlyRaised),
                    (16, SlightlyRaised),
                    (17, High),
                    (19, High),
                    (20, VeryHigh),
                    (40, VeryHigh),
                ],
            ),
            (
                Some(Informant::YoungPerson),
                [
                    (0, CloseToAverage),
                    (14, CloseToAverage),
                    (15, SlightlyRaised),
                    (17, SlightlyRaised),
                    (18, High),
                    (19, High),
                    (20, VeryHigh),
                    (40, VeryHigh),
                ],
            ),
            // No informant: the teacher's bands.
            (
                None,
                [
                    (0, CloseToAverage),
                    (11, CloseToAverage),
                    (12, SlightlyRaised),
                    (15, SlightlyRaised),
                    (16, High),
                    (18, High),
                    (19, VeryHigh),
                    (40, VeryHigh),
                ],
            ),
        ];
        for (informant, bands) in cases {
            for (total, band) in bands {
                let s = sdq(informant, total);
                assert_eq!(s.total(), u32::from(total));
                assert_eq!(s.band(), band, "{informant:?} {total}");
            }
        }
        assert_eq!(Band::High.tone(), Tone::Bad);
        assert_eq!(Band::SlightlyRaised.tone(), Tone::Warning);
        assert_eq!(Band::CloseToAverage.tone(), Tone::Good);
    }

    #[test]
    fn the_date_is_not_in_the_future() {
        let mut f = scores("teacher", "1", "1", "1", "1");
        f.insert("completed_on".into(), "24/11/2026".into());
        let p = check(&f, &context(), false).unwrap_err();
        assert_eq!(
            p.message("completed_on"),
            Some("The date it was filled in must be today or in the past")
        );
        f.insert("completed_on".into(), "23/11/2026".into());
        assert!(check(&f, &context(), false).is_ok());
    }

    #[test]
    fn completing_needs_every_field() {
        let f = fields(&[("emotional", "4")]);
        let out = check(&f, &context(), false).unwrap();
        assert_eq!(out["conduct"], "");
        let p = check(&f, &context(), true).unwrap_err();
        assert_eq!(p.message("informant"), Some("Select who filled in the questionnaire"));
        assert_eq!(
            p.message("completed_on"),
            Some("Enter the date the questionnaire was filled in")
        );
        assert_eq!(p.message("conduct"), Some("Enter the conduct problems score"));
        assert_eq!(p.message("prosocial"), Some("Enter the prosocial behaviour score"));
        assert!(!p.has("emotional"));
        let mut f = scores("teacher", "0", "0", "0", "0");
        f.insert("prosocial".into(), "0".into());
        assert!(check(&f, &context(), true).is_ok(), "0 is a score");
    }

    #[test]
    fn the_threshold_raises_an_alert_and_the_wellbeing_prompt() {
        let mut ctx = context();
        ctx.previous = Some(scores("teacher", "2", "3", "4", "3"));
        let out = check(&scores("teacher", "5", "4", "6", "3"), &ctx, true).unwrap();
        let blocks = layout(&out, &ctx);
        let figures: Vec<_> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Figure { label, value, tone } => {
                    Some((label.as_str(), value.as_str(), *tone))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            figures,
            vec![
                ("Total difficulties score", "18 out of 40", Tone::Neutral),
                ("Band", "High", Tone::Bad),
                ("At the last PEP", "12 out of 40", Tone::Neutral),
            ]
        );
        let alerts: Vec<_> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Alert { text, tone } => Some((text.as_str(), *tone)),
                _ => None,
            })
            .collect();
        assert_eq!(
            alerts,
            vec![(
                "A total of 18 is at or above the authority's threshold of 17: the targets page asks for an emotional wellbeing target, which must be written before the PEP is signed off.",
                Tone::Bad
            )]
        );
        let prompts = crate::pages::prompts(crate::pages::PromptSources {
            sdq: Some(&out),
            sdq_threshold: 17,
            ..Default::default()
        });
        assert_eq!(prompts.len(), 1);
        assert_eq!(prompts[0].key, "prompt_wellbeing");
        assert!(prompts[0].reason.contains("is 18, at or above 17"), "{}", prompts[0].reason);
    }

    #[test]
    fn exactly_the_threshold_counts_and_one_below_does_not() {
        let at = check(&scores("teacher", "5", "4", "5", "3"), &context(), true).unwrap();
        assert_eq!(Sdq::read(&at).map(|s| s.total()), Some(17));
        assert_eq!(
            crate::pages::prompts(crate::pages::PromptSources {
                sdq: Some(&at),
                sdq_threshold: 17,
                ..Default::default()
            })
            .len(),
            1
        );
        assert!(
            layout(&at, &context())
                .iter()
                .any(|b| matches!(b, Block::Alert { tone: Tone::Bad, .. }))
        );
        let below = check(&scores("teacher", "5", "4", "4", "3"), &context(), true).unwrap();
        assert!(
            crate::pages::prompts(crate::pages::PromptSources {
                sdq: Some(&below),
                sdq_threshold: 17,
                ..Default::default()
            })
            .is_empty()
        );
        let blocks = layout(&below, &context());
        assert!(!blocks.iter().any(|b| matches!(b, Block::Alert { .. })));
        assert!(
            !blocks
                .iter()
                .any(|b| matches!(b, Block::Figure { label, .. } if label == "At the last PEP"))
        );
    }

    #[test]
    fn no_figures_until_the_four_scales_are_there() {
        let f = fields(&[("emotional", "4"), ("conduct", "3"), ("hyperactivity", "2")]);
        let blocks = layout(&f, &context());
        assert!(!blocks.iter().any(|b| matches!(b, Block::Figure { .. })));
        assert!(
            matches!(&blocks[0], Block::Paragraph(p) if p.starts_with("Record the scores only"))
        );
    }
}
