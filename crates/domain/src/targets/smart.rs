//! The SMART coach: advice, never a block, on whether a target is specific,
//! measurable, achievable, relevant and time-bound.
//!
//! The checks are heuristics over the words written so far. They can be
//! fooled either way, so they only ever prompt the author; saving a target
//! never depends on them.

use super::{ActionStep, TargetText, Who};
use crate::date_of_birth::MONTH_NAMES;

/// A letter of SMART.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Letter {
    S,
    M,
    A,
    R,
    T,
}

impl Letter {
    /// The letter itself, for the coach's row of ticks.
    pub fn letter(self) -> char {
        match self {
            Letter::S => 'S',
            Letter::M => 'M',
            Letter::A => 'A',
            Letter::R => 'R',
            Letter::T => 'T',
        }
    }

    /// The word the letter stands for.
    pub fn word(self) -> &'static str {
        match self {
            Letter::S => "Specific",
            Letter::M => "Measurable",
            Letter::A => "Achievable",
            Letter::R => "Relevant",
            Letter::T => "Time-bound",
        }
    }
}

/// Something the coach would like the author to look at again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    NoMeasure,
    NoTimeBound,
    NoAdultAction,
    OnlyChildsJob,
    Vague,
}

impl Flag {
    /// A short, kind hint to the author.
    pub fn message(self) -> &'static str {
        match self {
            Flag::NoMeasure => {
                "Say how you will know it has worked: a number, a score or a frequency."
            }
            Flag::NoTimeBound => "Say when it should be achieved: a date or the end of a term.",
            Flag::NoAdultAction => "Add at least one step an adult will take to help, and who.",
            Flag::OnlyChildsJob => {
                "Write it as what the adults will do to help, not as a job for the child alone."
            }
            Flag::Vague => "Say exactly what will change for the child, and where it will show.",
        }
    }
}

/// Whether one letter of SMART is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    pub letter: Letter,
    pub met: bool,
}

/// The coach's advice on one target: a tick per letter, and the flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coaching {
    pub ticks: [Tick; 5],
    pub flags: Vec<Flag>,
}

/// Reads a target as written so far and says what it may be missing.
pub fn coach(target: &TargetText) -> Coaching {
    let description = Words::new(&target.description);
    let measure = Words::new(&target.success_measure);

    let no_measure = !description.is_measurable() && !measure.is_measurable();
    let no_time_bound = !target.has_due
        && !target.actions.iter().any(|step| step.by_when.is_some())
        && !description.has_time_phrase()
        && !measure.has_time_phrase();
    let no_adult_action = !target.actions.iter().any(is_adult_step);
    let only_childs_job = only_childs_actions(&target.actions)
        || (no_adult_action && description.reads_as_instruction());
    let vague = description.is_vague();

    let flags = [
        (no_measure, Flag::NoMeasure),
        (no_time_bound, Flag::NoTimeBound),
        (no_adult_action, Flag::NoAdultAction),
        (only_childs_job, Flag::OnlyChildsJob),
        (vague, Flag::Vague),
    ]
    .into_iter()
    .filter_map(|(raised, flag)| raised.then_some(flag))
    .collect();

    let has_area = target.area.is_some();
    let tick = |letter, met| Tick { letter, met };
    Coaching {
        ticks: [
            tick(Letter::S, !vague && has_area),
            tick(Letter::M, !no_measure),
            tick(Letter::A, !target.starting_point.trim().is_empty()),
            tick(Letter::R, has_area && !target.description.trim().is_empty()),
            tick(Letter::T, !no_time_bound),
        ],
        flags,
    }
}

fn has_text(step: &ActionStep) -> bool {
    !step.what.trim().is_empty()
}

fn is_adult_step(step: &ActionStep) -> bool {
    has_text(step) && step.who().is_some_and(Who::is_adult)
}

/// Every action written so far (at least one) is the child's.
fn only_childs_actions(actions: &[ActionStep]) -> bool {
    let mut written = actions.iter().filter(|step| has_text(step)).peekable();
    written.peek().is_some() && written.all(|step| step.who() == Some(Who::Child))
}

const NUMBER_WORDS: &[&str] = &[
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "twice",
];

const MEASURE_WORDS: &[&str] =
    &["score", "scores", "level", "levels", "grade", "grades", "step", "steps", "band", "bands"];

const FREQUENCY_WORDS: &[&str] =
    &["daily", "weekly", "fortnightly", "monthly", "termly", "nightly", "hourly"];

const MEASURE_PHRASES: &[&str] = &[
    "per cent",
    "percent",
    "reading age",
    "spelling age",
    "times a",
    "times per",
    "times each",
    "once a",
    "a day",
    "a week",
    "a fortnight",
    "a month",
    "a term",
    "a lesson",
    "per day",
    "per week",
    "per month",
    "per term",
    "per lesson",
    "in a row",
    "out of",
];

/// Words that place a point on a scale, for "from emerging to expected".
const SCALE_WORDS: &[&str] = &[
    "emerging",
    "developing",
    "expected",
    "secure",
    "exceeding",
    "mastery",
    "greater",
    "depth",
    "working",
    "below",
    "above",
    "beginning",
    "rarely",
    "sometimes",
    "often",
    "usually",
    "always",
    "never",
    "none",
    "some",
    "most",
    "all",
    "red",
    "amber",
    "green",
];

/// Short forms of the months' names, beside [`MONTH_NAMES`].
const MONTH_ABBREVIATIONS: &[&str] =
    &["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"];

const TIME_PHRASES: &[&str] = &[
    "by the end of",
    "by end of",
    "before the end of",
    "end of term",
    "end of the term",
    "end of the year",
    "end of the academic year",
    "end of the school year",
    "end of year",
    "end of autumn",
    "end of spring",
    "end of summer",
    "end of the autumn",
    "end of the spring",
    "end of the summer",
    "end of key stage",
    "half term",
    "halfterm",
    "this term",
    "next term",
    "this year",
    "this academic year",
    "this school year",
    "autumn term",
    "spring term",
    "summer term",
    "by christmas",
    "by easter",
    "by the summer",
    "before christmas",
    "before easter",
];

/// Words after which a month names a deadline ("by March", "before the
/// end of June").
const BEFORE_MONTH: &[&str] = &["by", "before", "in", "until", "at", "end", "early", "mid", "late"];

const TIME_UNITS: &[&str] =
    &["day", "days", "week", "weeks", "month", "months", "term", "terms", "year", "years"];

const INSTRUCTION_OPENINGS: &[&str] = &[
    "stop",
    "reach",
    "try harder",
    "try to",
    "behave",
    "listen",
    "don't",
    "dont",
    "do not",
    "be",
    "improve your",
    "get your",
    "work harder",
    "pay attention",
    "make sure",
    "remember",
    "always",
    "never",
    "concentrate",
    "focus",
];

const TO_THE_CHILD: &[&str] = &["you", "your", "you're", "yourself", "you'll"];

const GENERIC_AIMS: &[&str] = &[
    "improve behaviour",
    "improve behavior",
    "improve his behaviour",
    "improve her behaviour",
    "improve their behaviour",
    "better behaviour",
    "behave better",
    "do better",
    "make progress",
    "make more progress",
    "make good progress",
    "work harder",
    "try harder",
    "try their best",
    "do their best",
    "get better",
    "improve attitude",
    "improve their attitude",
    "improve learning",
    "improve work",
    "improve grades",
    "improve attendance",
];

/// Words that add nothing specific to a generic aim.
const FILLER: &[&str] = &[
    "a",
    "an",
    "the",
    "to",
    "and",
    "or",
    "in",
    "at",
    "on",
    "of",
    "for",
    "with",
    "by",
    "will",
    "would",
    "should",
    "must",
    "can",
    "need",
    "needs",
    "be",
    "is",
    "are",
    "more",
    "better",
    "much",
    "generally",
    "overall",
    "general",
    "school",
    "class",
    "lesson",
    "lessons",
    "home",
    "this",
    "that",
    "so",
    "his",
    "her",
    "their",
    "they",
    "he",
    "she",
    "him",
    "them",
    "able",
    "all",
    "also",
    "term",
    "year",
    "really",
    "very",
    "try",
    "trying",
    "harder",
    "best",
    "continue",
    "continues",
    "get",
    "start",
    "begin",
    "well",
    "good",
    "area",
    "areas",
    "work",
    "learning",
    "behaviour",
    "behavior",
    "behave",
    "progress",
    "improve",
    "improved",
    "improving",
    "make",
    "making",
    "do",
    "doing",
    "attitude",
    "grades",
    "attendance",
    "name",
    "child",
    "pupil",
    "young",
    "person",
];

/// A text cut into lower-case words, with the phrase checks the coach uses.
struct Words {
    raw: String,
    words: Vec<String>,
    /// The words joined by single spaces, with a space at each end, so a
    /// phrase is found by `contains(" phrase ")`.
    spaced: String,
}

impl Words {
    fn new(text: &str) -> Self {
        let raw = text.to_lowercase().replace(['\u{2018}', '\u{2019}'], "'");
        let words: Vec<String> = raw
            .split(|c: char| !(c.is_alphanumeric() || c == '\''))
            .map(|word| word.trim_matches('\''))
            .filter(|word| !word.is_empty())
            .map(str::to_owned)
            .collect();
        let spaced = format!(" {} ", words.join(" "));
        Words { raw, words, spaced }
    }

    fn has(&self, phrase: &str) -> bool {
        self.spaced.contains(&format!(" {phrase} "))
    }

    fn has_any(&self, phrases: &[&str]) -> bool {
        phrases.iter().any(|phrase| self.has(phrase))
    }

    fn has_word(&self, list: &[&str]) -> bool {
        self.words.iter().any(|word| list.contains(&word.as_str()))
    }

    /// The word at `i`, or "" where there is none.
    fn word(&self, i: usize) -> &str {
        self.words.get(i).map_or("", String::as_str)
    }

    /// The places of the words that pass `test`.
    fn positions(&self, test: impl Fn(&str) -> bool) -> impl Iterator<Item = usize> {
        self.words.iter().enumerate().filter(move |(_, word)| test(word)).map(|(i, _)| i)
    }

    fn is_measurable(&self) -> bool {
        self.has_number()
            || self.raw.contains('%')
            || self.has_word(MEASURE_WORDS)
            || self.has_word(FREQUENCY_WORDS)
            || self.has_any(MEASURE_PHRASES)
            || self.has_each_or_every()
            || self.has_change()
    }

    /// Digits or a number word; "half" counts unless it is "half term".
    fn has_number(&self) -> bool {
        self.words.iter().any(|word| is_number(word))
            || self.positions(|word| word == "half").any(|i| self.word(i + 1) != "term")
    }

    /// "each week", "every lesson", but not "each other".
    fn has_each_or_every(&self) -> bool {
        self.words.windows(2).any(|pair| {
            matches!(pair[0].as_str(), "each" | "every")
                && !matches!(pair[1].as_str(), "other" | "of")
        })
    }

    /// A change from one point on a scale to another: "from emerging to
    /// expected", "from 3 → 5".
    fn has_change(&self) -> bool {
        if self.raw.contains('\u{2192}') || self.raw.contains("->") {
            return true;
        }
        // "from", "to" one to three words later, and a point on a scale
        // between "from" and three words after "to".
        self.positions(|word| word == "from").any(|from| {
            (from + 2..=from + 4).filter(|&to| self.word(to) == "to").any(|to| {
                let around = &self.words[from + 1..self.words.len().min(to + 4)];
                around.iter().any(|word| SCALE_WORDS.contains(&word.as_str()))
            })
        })
    }

    fn has_time_phrase(&self) -> bool {
        self.has_any(TIME_PHRASES)
            || self.has_month_deadline()
            || self.has_within()
            || self.raw.split_whitespace().any(is_numeric_date)
    }

    /// "by March", "by the end of June", "17 December", "March 2026".
    fn has_month_deadline(&self) -> bool {
        let is_deadline_word = |word: &str| BEFORE_MONTH.contains(&word);
        let has_digit = |word: &str| word.contains(is_digit);
        self.positions(is_month).any(|i| {
            let before = |n: usize| i.checked_sub(n).map_or("", |j| self.word(j));
            is_deadline_word(before(1))
                || (before(1) == "the" && is_deadline_word(before(2)))
                || has_digit(before(1))
                || has_digit(self.word(i + 1))
        })
    }

    /// "within six weeks", "in 3 weeks", "over the next two terms".
    fn has_within(&self) -> bool {
        self.positions(|word| matches!(word, "within" | "in" | "over")).any(|i| {
            let rest = &self.words[i + 1..];
            let rest = match rest {
                [the, next, tail @ ..] if the == "the" && next == "next" => tail,
                _ => rest,
            };
            match rest {
                [count, unit, ..] => {
                    (is_number(count) || count == "a") && TIME_UNITS.contains(&unit.as_str())
                }
                _ => false,
            }
        })
    }

    fn reads_as_instruction(&self) -> bool {
        INSTRUCTION_OPENINGS.iter().any(|opening| self.spaced.starts_with(&format!(" {opening} ")))
            || self.has_word(TO_THE_CHILD)
    }

    /// Too short to be specific, or a generic aim with (almost) nothing
    /// else: at most three words beyond the aim and filler, and no number.
    fn is_vague(&self) -> bool {
        if self.words.len() < 6 {
            return true;
        }
        if !self.has_any(GENERIC_AIMS) || self.has_number() {
            return false;
        }
        let specific = self.words.iter().filter(|word| !FILLER.contains(&word.as_str())).count();
        specific <= 3
    }
}

fn is_month(word: &str) -> bool {
    MONTH_NAMES.contains(&word) || MONTH_ABBREVIATIONS.contains(&word)
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

fn is_number(word: &str) -> bool {
    word.contains(is_digit) || NUMBER_WORDS.contains(&word)
}

/// "14/02/2026", "2026-02-14", "14.2.26".
fn is_numeric_date(token: &str) -> bool {
    let token = token.trim_matches(|c: char| !c.is_ascii_digit());
    let parts: Vec<&str> = token.split(['/', '-', '.']).collect();
    parts.len() == 3 && parts.iter().all(|part| !part.is_empty() && part.chars().all(is_digit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::AreaOfNeed;
    use chrono::NaiveDate;

    fn step(who: Who, what: &str, how_often: &str) -> ActionStep {
        ActionStep::by(who, what, how_often)
    }

    fn target(
        area: AreaOfNeed,
        description: &str,
        starting_point: &str,
        measure: &str,
        actions: Vec<ActionStep>,
    ) -> TargetText {
        TargetText {
            area: Some(area),
            description: description.to_owned(),
            starting_point: starting_point.to_owned(),
            success_measure: measure.to_owned(),
            has_due: true,
            actions,
        }
    }

    /// A target that passes, to vary one thing at a time.
    fn good() -> TargetText {
        target(
            AreaOfNeed::CognitionLearning,
            "Sam will be helped by his teaching assistant to write longer stories with clear paragraphs.",
            "Writes three or four sentences with little structure.",
            "Writes a story of 3 paragraphs, each with a clear opening sentence.",
            vec![
                step(
                    Who::TeachingAssistant,
                    "Plan a story with him using a story map",
                    "Twice a week",
                ),
                step(Who::Carer, "Talk about the story plan at home", "Weekly"),
            ],
        )
    }

    fn flags(target: &TargetText) -> Vec<Flag> {
        coach(target).flags
    }

    fn good_targets() -> Vec<TargetText> {
        vec![
            good(),
            target(
                AreaOfNeed::CarerRole,
                "The carer will read with Sam for ten minutes on five evenings a week.",
                "Reads with an adult once a week at school only.",
                "Reading age rises by six months.",
                vec![step(
                    Who::Carer,
                    "Read together and sign the reading record",
                    "Five evenings a week",
                )],
            ),
            target(
                AreaOfNeed::Semh,
                "Maya will be supported by her TA to use her calm-down plan and return to class within ten minutes.",
                "Leaves class when upset and stays out for up to an hour.",
                "Back in class within 10 minutes on 4 out of 5 occasions.",
                vec![
                    step(
                        Who::TeachingAssistant,
                        "Prompt the first step of the plan",
                        "When needed",
                    ),
                    step(Who::Child, "Use the quiet corner and the breathing card", "When upset"),
                ],
            ),
            target(
                AreaOfNeed::Attendance,
                "Leo will be met at the gate each morning so that his attendance rises from 82% to 95%.",
                "Attendance 82% last term, often late on Mondays.",
                "",
                vec![step(
                    Who::DesignatedTeacher,
                    "Meet him at the gate and phone home by 9am if absent",
                    "Daily",
                )],
            ),
            target(
                AreaOfNeed::Communication,
                "Ava will use picture cards to ask for a drink, a snack and the toilet at home and at school.",
                "Points or cries to show what she needs.",
                "Uses the cards without a prompt at least three times a day.",
                vec![
                    step(Who::Senco, "Make two sets of cards, one for home", "Once"),
                    step(Who::Carer, "Model the cards at mealtimes", "Daily"),
                ],
            ),
            target(
                AreaOfNeed::Careers,
                "Kai will apply for two college courses with help from his tutor after a careers interview.",
                "Unsure what to do after Year 11.",
                "Two applications sent and one offer received.",
                vec![step(
                    Who::Tutor,
                    "Book the careers interview and help with the forms",
                    "Fortnightly",
                )],
            ),
            target(
                AreaOfNeed::CognitionLearning,
                "Zara will move from working towards to expected in reading, with daily phonics catch-up led by her class teacher.",
                "Working towards the expected standard in reading.",
                "Teacher assessment moves from working towards to expected.",
                vec![step(Who::ClassTeacher, "Phonics catch-up in a small group", "Daily")],
            ),
            target(
                AreaOfNeed::Independence,
                "Noah will change for PE on his own with a picture sequence made by his TA, needing no more than one prompt.",
                "Needs an adult to help with every step of changing.",
                "Changes on his own in half of PE lessons, then in every PE lesson.",
                vec![step(
                    Who::TeachingAssistant,
                    "Make the picture sequence and prompt only when needed",
                    "Every PE lesson",
                )],
            ),
        ]
    }

    #[test]
    fn good_targets_pass_with_every_tick() {
        for target in good_targets() {
            let coaching = coach(&target);
            assert_eq!(coaching.flags, vec![], "{}", target.description);
            assert!(coaching.ticks.iter().all(|tick| tick.met), "{}", target.description);
        }
    }

    #[test]
    fn ticks_are_in_smart_order() {
        let letters: String = coach(&good()).ticks.iter().map(|t| t.letter.letter()).collect();
        assert_eq!(letters, "SMART");
        let words: Vec<&str> = coach(&good()).ticks.iter().map(|t| t.letter.word()).collect();
        assert_eq!(words, ["Specific", "Measurable", "Achievable", "Relevant", "Time-bound"]);
    }

    #[test]
    fn stop_arguing_with_only_a_child_action_is_the_childs_job() {
        let target = target(
            AreaOfNeed::Semh,
            "Stop arguing with peers",
            "Three arguments a day at break.",
            "No more than 2 arguments a week.",
            vec![step(Who::Child, "Walk away and tell an adult", "Every break")],
        );
        assert_eq!(flags(&target), [Flag::NoAdultAction, Flag::OnlyChildsJob, Flag::Vague]);
    }

    #[test]
    fn an_instruction_to_the_child_with_no_actions_is_the_childs_job() {
        let mut target = good();
        target.description = "Reach your target grade in reading".to_owned();
        target.actions.clear();
        assert_eq!(flags(&target), [Flag::NoAdultAction, Flag::OnlyChildsJob]);
    }

    #[test]
    fn other_instructions_to_the_child_are_the_childs_job() {
        for description in [
            "Don't shout out in lessons when stuck on a question",
            "Be kind to other children at break and lunch",
            "Listen to the teacher for 10 minutes at a time",
            "Sam, you will hand in 3 pieces of homework a week",
            "TRY HARDER to learn 10 new spellings each week",
        ] {
            let mut target = good();
            target.description = description.to_owned();
            target.actions.clear();
            assert_eq!(flags(&target), [Flag::NoAdultAction, Flag::OnlyChildsJob], "{description}");
        }
    }

    #[test]
    fn adult_wording_without_actions_only_lacks_an_adult_action() {
        let mut target = good();
        target.description =
            "The carer will read with Sam for ten minutes each evening before bed.".to_owned();
        target.actions.clear();
        assert_eq!(flags(&target), [Flag::NoAdultAction]);
    }

    #[test]
    fn actions_only_by_the_child_lack_an_adult() {
        let mut target = good();
        target.actions = vec![
            step(Who::Child, "Plan each story with a story map", "Every writing lesson"),
            step(Who::Child, "Read the story aloud to check it", "Weekly"),
        ];
        assert_eq!(flags(&target), [Flag::NoAdultAction, Flag::OnlyChildsJob]);
    }

    #[test]
    fn an_adult_action_needs_what_they_will_do() {
        let mut target = good();
        target.actions = vec![step(Who::ClassTeacher, "  ", "Weekly"), ActionStep::default()];
        assert_eq!(flags(&target), [Flag::NoAdultAction]);
    }

    #[test]
    fn no_measure_anywhere() {
        let mut target = good();
        target.success_measure = String::new();
        assert_eq!(flags(&target), [Flag::NoMeasure]);
        target.success_measure = "He will be a more confident writer.".to_owned();
        assert_eq!(flags(&target), [Flag::NoMeasure]);
    }

    #[test]
    fn half_term_is_a_time_not_a_measure() {
        let mut target = good();
        target.description = "Ava will join in with the group story by half term".to_owned();
        target.success_measure = String::new();
        target.has_due = false;
        assert_eq!(flags(&target), [Flag::NoMeasure]);
        assert!(coach(&target).ticks[4].met);
    }

    #[test]
    fn measures_in_many_forms() {
        for measure in [
            "Attendance of 95%",
            "Twice a week",
            "Half of all lessons",
            "Ninety per cent of homework in",
            "Up one reading band",
            "Reaches step five on the school's scale",
            "Every lesson",
            "Three times a week",
            "Moves from emerging to expected",
            "Confidence rated red → green",
            "Reading age goes up",
            "DAILY",
        ] {
            let mut target = good();
            target.success_measure = measure.to_owned();
            target.description =
                "Sam will be helped by his teaching assistant to write longer stories.".to_owned();
            assert_eq!(flags(&target), [], "{measure}");
        }
    }

    #[test]
    fn from_place_to_place_is_not_a_measure() {
        let mut target = good();
        target.description =
            "Sam will walk from the car to the classroom with his teaching assistant.".to_owned();
        target.success_measure = String::new();
        assert_eq!(flags(&target), [Flag::NoMeasure]);
    }

    #[test]
    fn no_due_date_and_no_time_phrase() {
        let mut target = good();
        target.has_due = false;
        assert_eq!(flags(&target), [Flag::NoTimeBound]);
        assert!(!coach(&target).ticks[4].met);
    }

    #[test]
    fn an_action_date_or_a_time_phrase_bounds_it() {
        let mut with_date = good();
        with_date.has_due = false;
        with_date.actions[0].by_when = NaiveDate::from_ymd_opt(2026, 3, 27);
        assert_eq!(flags(&with_date), []);

        for phrase in [
            "by the end of the spring term",
            "BY THE END OF TERM",
            "within six weeks",
            "in 3 weeks",
            "this term",
            "by March",
            "by the end of June",
            "by 14 February",
            "before 27/03/2026",
            "by 2026-03-27",
            "by the summer term",
        ] {
            let mut target = good();
            target.has_due = false;
            target.description = format!("{} {phrase}.", target.description.trim_end_matches('.'));
            assert_eq!(flags(&target), [], "{phrase}");
        }
    }

    #[test]
    fn a_time_phrase_in_the_measure_counts() {
        let mut target = good();
        target.has_due = false;
        target.success_measure = "Writes 3 paragraphs by the end of the autumn term.".to_owned();
        assert_eq!(flags(&target), []);
    }

    #[test]
    fn improve_behaviour_is_vague() {
        let target = target(
            AreaOfNeed::Semh,
            "Improve behaviour",
            "Often sent out of class.",
            "Fewer incidents",
            vec![step(Who::DesignatedTeacher, "Keep an eye on things", "Weekly")],
        );
        let coaching = coach(&target);
        assert_eq!(coaching.flags, [Flag::NoMeasure, Flag::Vague]);
        assert!(!coaching.ticks[0].met);
        assert!(!coaching.ticks[1].met);
        assert!(coaching.ticks[3].met);
    }

    #[test]
    fn a_long_generic_aim_is_still_vague() {
        let mut target = good();
        target.description =
            "Maya needs to improve her behaviour and make progress in school this year.".to_owned();
        assert_eq!(flags(&target), [Flag::Vague]);
        target.description = "Leo should try harder and do better in all his lessons.".to_owned();
        assert_eq!(flags(&target), [Flag::Vague]);
    }

    #[test]
    fn a_generic_aim_made_specific_is_not_vague() {
        let mut target = good();
        target.description =
            "Maya will improve her behaviour at lunchtime by using her calm plan with her TA."
                .to_owned();
        assert_eq!(flags(&target), []);
    }

    #[test]
    fn an_empty_target_raises_every_flag_it_can() {
        let coaching = coach(&TargetText::default());
        assert_eq!(
            coaching.flags,
            [Flag::NoMeasure, Flag::NoTimeBound, Flag::NoAdultAction, Flag::Vague]
        );
        assert!(coaching.ticks.iter().all(|tick| !tick.met));
    }

    #[test]
    fn area_and_starting_point_only_change_the_ticks() {
        let mut target = good();
        target.area = None;
        target.starting_point = " ".to_owned();
        let coaching = coach(&target);
        assert!(coaching.flags.is_empty());
        let met: Vec<bool> = coaching.ticks.iter().map(|tick| tick.met).collect();
        assert_eq!(met, [false, true, false, false, true]);
    }

    #[test]
    fn every_flag_has_a_message() {
        for flag in [
            Flag::NoMeasure,
            Flag::NoTimeBound,
            Flag::NoAdultAction,
            Flag::OnlyChildsJob,
            Flag::Vague,
        ] {
            let message = flag.message();
            assert!(message.ends_with('.') && message.len() < 90, "{message}");
        }
    }
}
