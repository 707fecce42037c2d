//! The data behind the typed GOV.UK components. Each has an askama macro in
//! `templates/components.html`; pages build these and never write GOV.UK
//! markup by hand.

use openpep_domain::PepStatus;

/// The tag colours govuk-frontend v6 defines (blue is the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagColour {
    Grey,
    Green,
    Teal,
    Blue,
    LightBlue,
    Purple,
    Magenta,
    Red,
    Orange,
    Yellow,
}

impl TagColour {
    pub fn class(self) -> &'static str {
        match self {
            TagColour::Grey => "govuk-tag--grey",
            TagColour::Green => "govuk-tag--green",
            TagColour::Teal => "govuk-tag--teal",
            TagColour::Blue => "",
            TagColour::LightBlue => "govuk-tag--light-blue",
            TagColour::Purple => "govuk-tag--purple",
            TagColour::Magenta => "govuk-tag--magenta",
            TagColour::Red => "govuk-tag--red",
            TagColour::Orange => "govuk-tag--orange",
            TagColour::Yellow => "govuk-tag--yellow",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Tag {
    pub text: String,
    pub colour: TagColour,
}

impl Tag {
    pub fn new(text: impl Into<String>, colour: TagColour) -> Tag {
        Tag { text: text.into(), colour }
    }
    /// A PEP's status, the same colour wherever it is shown.
    pub fn for_pep(status: Option<PepStatus>, overdue: bool) -> Tag {
        if overdue {
            return Tag::new("Overdue", TagColour::Red);
        }
        let colour = match status {
            Some(PepStatus::Draft) | None => TagColour::Grey,
            Some(PepStatus::InProgress) => TagColour::Blue,
            Some(PepStatus::MeetingHeld) => TagColour::Purple,
            Some(PepStatus::AwaitingSignOff) => TagColour::Yellow,
            Some(PepStatus::SignedOff) => TagColour::Green,
            Some(PepStatus::ReturnedForImprovement) => TagColour::Orange,
            Some(PepStatus::QualityAssured) => TagColour::Teal,
        };
        Tag::new(status.map_or("Unknown", PepStatus::label), colour)
    }
}

/// One cell of a table: text, optionally a link, optionally tags after it.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    /// Said to screen readers after a link's text, e.g. "attachments to
    /// Spring term PEP deadline", when the text alone repeats.
    pub context: String,
    pub tags: Vec<Tag>,
    pub numeric: bool,
    /// The first cell of a row can be its header (`<th scope="row">`).
    pub row_header: bool,
    /// A button that POSTs to a URL (with the table's CSRF token).
    pub button: Option<CellButton>,
}

/// A small POST action in a table cell, like "End" or "Unlock".
#[derive(Debug, Clone, Default)]
pub struct CellButton {
    pub action: String,
    pub label: String,
    /// Said to screen readers after the label, e.g. "Ana Bell's allocation".
    pub context: String,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), ..Cell::default() }
    }
    pub fn with_tag(mut self, tag: Tag) -> Cell {
        self.tags.push(tag);
        self
    }
    /// A cell holding a button that POSTs to `action`.
    pub fn button(
        action: impl Into<String>,
        label: impl Into<String>,
        context: impl Into<String>,
    ) -> Cell {
        let button =
            CellButton { action: action.into(), label: label.into(), context: context.into() };
        Cell { button: Some(button), ..Cell::default() }
    }
    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell { text: text.into(), href: Some(href.into()), ..Cell::default() }
    }
    pub fn tag(tag: Tag) -> Cell {
        Cell { tags: vec![tag], ..Cell::default() }
    }
    /// Words only screen readers hear after the link's text.
    pub fn with_context(mut self, context: impl Into<String>) -> Cell {
        self.context = context.into();
        self
    }
    pub fn heading(mut self) -> Cell {
        self.row_header = true;
        self
    }
    /// Right-aligned, as numbers are.
    pub fn numeric_cell(mut self) -> Cell {
        self.numeric = true;
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub caption: String,
    /// Caption size: "s", "m", "l" or "xl"; "hidden" for screen readers
    /// only, under a heading that says the same.
    pub caption_size: &'static str,
    pub head: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// The CSRF token for cells with buttons.
    pub csrf: String,
}

impl Table {
    /// Whether column `i` holds numbers (its header is then right-aligned
    /// over them).
    pub fn numeric_column(&self, i: &usize) -> bool {
        self.rows.first().and_then(|row| row.get(*i)).is_some_and(|cell| cell.numeric)
    }
}

/// One row of a summary list.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    pub key: String,
    pub value: String,
    /// A second line under the value, in secondary text.
    pub hint: Option<String>,
}

impl SummaryRow {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> SummaryRow {
        SummaryRow { key: key.into(), value: value.into(), hint: None }
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> SummaryRow {
        self.hint = Some(hint.into());
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageLink {
    Number { number: u32, href: String, current: bool },
    Ellipsis,
}

/// GOV.UK pagination: previous, numbered pages (with gaps), next.
#[derive(Debug, Clone, Default)]
pub struct Pagination {
    pub previous: Option<String>,
    pub next: Option<String>,
    pub pages: Vec<PageLink>,
}

impl Pagination {
    /// How many pages `total` rows fill, `per_page` a page (at least one).
    pub fn page_count(total: i64, per_page: u32) -> u32 {
        let per_page = i64::from(per_page.max(1));
        u32::try_from((total + per_page - 1) / per_page).unwrap_or(1).max(1)
    }

    /// Links for `page` of `total_pages`; `href` builds the URL of a page.
    pub fn new(page: u32, total_pages: u32, href: impl Fn(u32) -> String) -> Pagination {
        if total_pages <= 1 {
            return Pagination::default();
        }
        let mut pages = Vec::new();
        let mut last_shown = 0;
        for n in 1..=total_pages {
            let near = n + 1 >= page && n <= page + 1;
            if n == 1 || n == total_pages || near {
                if last_shown + 1 < n {
                    pages.push(PageLink::Ellipsis);
                }
                pages.push(PageLink::Number { number: n, href: href(n), current: n == page });
                last_shown = n;
            }
        }
        Pagination {
            previous: (page > 1).then(|| href(page - 1)),
            next: (page < total_pages).then(|| href(page + 1)),
            pages,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

/// One option of a radios, checkboxes or select component. Select options
/// show no hint.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub text: String,
    /// Shown under the label (radios and checkboxes only).
    pub hint: Option<String>,
}

impl Choice {
    pub fn new(value: impl Into<String>, text: impl Into<String>) -> Choice {
        Choice { value: value.into(), text: text.into(), hint: None }
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Choice {
        self.hint = Some(hint.into());
        self
    }
    /// Whether this is the chosen value. An empty value chooses nothing,
    /// as in GOV.UK Frontend.
    pub fn is(&self, value: &str) -> bool {
        !value.is_empty() && self.value == value
    }
    /// Whether this is one of the chosen values (checkboxes).
    pub fn is_in<S: AsRef<str>>(&self, values: &[S]) -> bool {
        values.iter().any(|v| self.is(v.as_ref()))
    }
}

/// The three text fields of a date input (`<name>-day`, `<name>-month`,
/// `<name>-year`) as the user typed them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateValue {
    pub day: String,
    pub month: String,
    pub year: String,
}

impl DateValue {
    pub fn new(
        day: impl Into<String>,
        month: impl Into<String>,
        year: impl Into<String>,
    ) -> DateValue {
        DateValue { day: day.into(), month: month.into(), year: year.into() }
    }
}

impl From<chrono::NaiveDate> for DateValue {
    fn from(date: chrono::NaiveDate) -> DateValue {
        use chrono::Datelike;
        DateValue::new(date.day().to_string(), date.month().to_string(), date.year().to_string())
    }
}

/// Which parts of a date input are in error, like
/// `DateParts { month: true, ..DateParts::NONE }`. With an error message and
/// no part named, every part is highlighted (as in GOV.UK Frontend).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateParts {
    pub day: bool,
    pub month: bool,
    pub year: bool,
}

impl DateParts {
    pub const NONE: DateParts = DateParts { day: false, month: false, year: false };

    pub fn is_empty(self) -> bool {
        self == DateParts::NONE
    }

    /// The id of the first part in error, for the error summary's link:
    /// `<name>-day`, `<name>-month` or `<name>-year` (the day if none is named).
    pub fn first_id(self, name: &str) -> String {
        let part = [(self.day, "day"), (self.month, "month"), (self.year, "year")]
            .into_iter()
            .find(|(in_error, _)| *in_error)
            .map_or("day", |(_, part)| part);
        format!("{name}-{part}")
    }

    /// Whether to highlight each part, given whether there is an error
    /// message: `[day, month, year]`.
    pub fn highlighted(self, has_error: bool) -> [bool; 3] {
        if !has_error {
            [false; 3]
        } else if self.is_empty() {
            [true; 3]
        } else {
            [self.day, self.month, self.year]
        }
    }
}

/// The `aria-describedby` of a field or fieldset `id`, in GOV.UK's order:
/// a character count's message (`<id>-info`), the hint (`<id>-hint`), the
/// error message (`<id>-error`); "" when there is none.
pub fn described_by(id: &str, info: bool, hint: bool, error: bool) -> String {
    [(info, "info"), (hint, "hint"), (error, "error")]
        .into_iter()
        .filter(|(present, _)| *present)
        .map(|(_, suffix)| format!("{id}-{suffix}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The id of the `index`th (from 1) radio or checkbox of a group: the first
/// has the group's name, so the error summary can link to it; then
/// `<name>-2`, `<name>-3`...
pub fn item_id(name: &str, index: usize) -> String {
    if index <= 1 { name.to_owned() } else { format!("{name}-{index}") }
}

/// The status of a task list item.
#[derive(Debug, Clone)]
pub enum TaskStatus {
    /// Plain text, as GOV.UK shows "Completed".
    Text(String),
    /// A tag, as GOV.UK shows "Incomplete" or "In progress".
    Tag(Tag),
    /// "Cannot start yet", in secondary text; the item should have no link.
    CannotStartYet,
}

/// One item of a task list.
#[derive(Debug, Clone)]
pub struct TaskItem {
    pub title: String,
    pub href: Option<String>,
    pub hint: Option<String>,
    pub status: TaskStatus,
}

impl TaskItem {
    pub fn new(title: impl Into<String>, href: Option<String>, status: TaskStatus) -> TaskItem {
        TaskItem { title: title.into(), href, hint: None, status }
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> TaskItem {
        self.hint = Some(hint.into());
        self
    }
}
