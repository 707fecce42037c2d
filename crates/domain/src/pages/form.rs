//! A typed page's form as data: the web renders these blocks with the
//! GOV.UK components, and read-only readers see the same fields as a list.

/// One choice of a radio group, select, scale or picture set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opt {
    /// What is stored.
    pub code: String,
    pub label: String,
    /// A picture for children's forms: an emoji shown with the label.
    pub picture: Option<&'static str>,
}

impl Opt {
    pub fn new(code: impl Into<String>, label: impl Into<String>) -> Opt {
        Opt { code: code.into(), label: label.into(), picture: None }
    }

    pub fn pictured(
        code: impl Into<String>,
        label: impl Into<String>,
        picture: &'static str,
    ) -> Opt {
        Opt { code: code.into(), label: label.into(), picture: Some(picture) }
    }

    /// The five faces of a feelings scale.
    pub fn faces() -> Vec<Opt> {
        super::FACES
            .into_iter()
            .map(|(code, face, words)| Opt::pictured(code, words, face))
            .collect()
    }

    /// Options from (code, label) pairs.
    pub fn pairs(pairs: &[(&str, &str)]) -> Vec<Opt> {
        pairs.iter().map(|(code, label)| Opt::new(*code, *label)).collect()
    }

    /// `options` after an empty first choice saying what to select, for a
    /// select.
    pub fn with_prompt(prompt: &str, options: Vec<Opt>) -> Vec<Opt> {
        std::iter::once(Opt::new("", prompt)).chain(options).collect()
    }

    /// Options whose code is their label.
    pub fn plain(labels: &[&str]) -> Vec<Opt> {
        labels.iter().map(|l| Opt::new(*l, *l)).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// A line of text.
    Text,
    /// A short code or grade.
    Short,
    LongText,
    /// A whole number (sessions, scores).
    WholeNumber,
    /// A number that may have a fraction (hours).
    Decimal,
    /// A GOV.UK date input: the web sends `<name>-day`, `-month`, `-year`.
    Date,
    YesNo,
    Radios(Vec<Opt>),
    Select(Vec<Opt>),
    /// A row of big pictured choices (faces), for children.
    Scale(Vec<Opt>),
    /// Pictures to pick any number of; stored as codes joined by commas.
    Pictures(Vec<Opt>),
}

impl Control {
    pub fn options(&self) -> &[Opt] {
        match self {
            Control::Radios(o) | Control::Select(o) | Control::Scale(o) | Control::Pictures(o) => o,
            _ => &[],
        }
    }

    /// How a stored value reads: the option's label, "Yes" or "No", a date
    /// as "17 December 2026"; blank as "Not answered".
    pub fn display(&self, value: &str) -> String {
        if value.trim().is_empty() {
            return "Not answered".to_owned();
        }
        let label = |code: &str| {
            self.options()
                .iter()
                .find(|o| o.code == code)
                .map_or_else(|| code.to_owned(), |o| o.label.clone())
        };
        match self {
            Control::YesNo => match value {
                "yes" => "Yes".to_owned(),
                "no" => "No".to_owned(),
                other => other.to_owned(),
            },
            Control::Date => super::input::parse_date(value)
                .ok()
                .flatten()
                .map_or_else(|| value.to_owned(), super::uk_date),
            Control::Pictures(_) => {
                value.split(',').filter(|c| !c.is_empty()).map(label).collect::<Vec<_>>().join(", ")
            }
            Control::Radios(_) | Control::Select(_) | Control::Scale(_) => label(value),
            _ => value.to_owned(),
        }
    }
}

/// A question of a typed page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// The form field's name, and the answer's key.
    pub name: String,
    pub label: String,
    pub hint: Option<String>,
    pub control: Control,
    /// The previous PEP's answer, shown beside this one.
    pub previous: Option<String>,
}

impl FieldSpec {
    pub fn new(name: impl Into<String>, label: impl Into<String>, control: Control) -> FieldSpec {
        FieldSpec { name: name.into(), label: label.into(), hint: None, control, previous: None }
    }

    /// A template question (of a free-text or child's views page) as a
    /// field named `name`.
    pub fn for_question(question: &crate::template::Question, name: String) -> FieldSpec {
        use crate::template::QuestionKind;
        let control = match &question.kind {
            QuestionKind::Text => Control::Text,
            QuestionKind::LongText => Control::LongText,
            QuestionKind::YesNo => Control::YesNo,
            QuestionKind::Date => Control::Date,
            QuestionKind::Number => Control::Decimal,
            QuestionKind::Choice(choices) => {
                Control::Radios(choices.iter().map(|c| Opt::new(c.as_str(), c.as_str())).collect())
            }
            QuestionKind::Scale => Control::Scale(Opt::faces()),
        };
        FieldSpec {
            hint: question.hint.clone(),
            ..FieldSpec::new(name, question.label.as_str(), control)
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> FieldSpec {
        self.hint = Some(hint.into());
        self
    }

    pub fn previous(mut self, previous: Option<String>) -> FieldSpec {
        self.previous = previous.filter(|p| !p.trim().is_empty());
        self
    }
}

/// How a figure or alert reads: GOV.UK has no traffic lights, so tone picks
/// the tag colour or the warning style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Neutral,
    Good,
    Warning,
    Bad,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A sub-heading within the page, with a line under it.
    Heading {
        text: String,
        hint: Option<String>,
    },
    Field(FieldSpec),
    /// One entry of a list: its fields under a legend, and a box to remove it.
    Entry {
        legend: String,
        fields: Vec<FieldSpec>,
        remove: String,
    },
    /// "Add another …": submits the form to show one more blank entry.
    Add {
        group: String,
        label: String,
    },
    /// Something the page works out, like the attendance percentage.
    Figure {
        label: String,
        value: String,
        tone: Tone,
    },
    /// A warning about what the answers show.
    Alert {
        text: String,
        tone: Tone,
    },
    /// Read-only rows the page shows from elsewhere in the record.
    Table {
        caption: String,
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Paragraph(String),
    /// The blocks inside are for one answer of a radio question: with
    /// JavaScript they show only when it is chosen (or nothing is); without
    /// it they always show.
    Reveal {
        field: String,
        value: String,
        blocks: Vec<Block>,
    },
}

impl Block {
    pub fn field(spec: FieldSpec) -> Block {
        Block::Field(spec)
    }

    /// Every block in order, those inside reveals included.
    pub fn flatten(blocks: &[Block]) -> Vec<&Block> {
        let mut out = Vec::new();
        for block in blocks {
            match block {
                Block::Reveal { blocks, .. } => out.extend(Block::flatten(blocks)),
                other => out.push(other),
            }
        }
        out
    }
}
