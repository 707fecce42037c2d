//! Reading a template file into a [`PepTemplate`], collecting every error
//! with the line it is on.

use std::collections::HashMap;
use std::fmt;

use super::codes::{Circumstance, PageKind, PagePhase, one_of};
use super::node::{self, Entry, Node, Value};
use super::{Condition, Page, PepTemplate, Question, QuestionKind, Section};
use crate::role::Role;
use crate::school_year::NcYear;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateFormat {
    Toml,
    Json,
}

impl TemplateFormat {
    /// The format an uploaded file is in, by its extension.
    pub fn from_file_name(name: &str) -> Option<TemplateFormat> {
        let (_, extension) = name.rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "toml" => Some(TemplateFormat::Toml),
            "json" => Some(TemplateFormat::Json),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TemplateFormat::Toml => "TOML",
            TemplateFormat::Json => "JSON",
        }
    }
}

/// One thing wrong with a template file. `key` is the path to the value,
/// by the keys the file gives (`sections.education.pages.attendance.kind`),
/// or by position where it has none (`sections.education.pages#3`, the
/// third page); it is empty for syntax errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// 1-based; `None` for what is missing from the file as a whole.
    pub line: Option<usize>,
    pub key: String,
    pub reason: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.key.is_empty()) {
            (Some(line), true) => write!(f, "line {line}: {}", self.reason),
            (Some(line), false) => write!(f, "line {line}, {}: {}", self.key, self.reason),
            (None, true) => f.write_str(&self.reason),
            (None, false) => write!(f, "{}: {}", self.key, self.reason),
        }
    }
}

impl std::error::Error for TemplateError {}

pub fn parse_toml(src: &str) -> Result<PepTemplate, Vec<TemplateError>> {
    parse(src, TemplateFormat::Toml)
}

pub fn parse_json(src: &str) -> Result<PepTemplate, Vec<TemplateError>> {
    parse(src, TemplateFormat::Json)
}

pub fn parse(src: &str, format: TemplateFormat) -> Result<PepTemplate, Vec<TemplateError>> {
    // Editors on Windows may start the file with a byte order mark.
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let root = match format {
        TemplateFormat::Toml => node::from_toml(src),
        TemplateFormat::Json => node::from_json(src),
    };
    let root = root.map_err(|errors| syntax_errors(src, format, errors))?;
    let mut reader = Reader {
        src,
        format,
        errors: Vec::new(),
        page_keys: HashMap::new(),
        kinds: HashMap::new(),
        unread_kind: false,
    };
    let template = reader.template(&root);
    let mut errors = reader.errors;
    errors.sort_by_key(|(at, _)| at.map_or(0, |at| at + 1));
    let errors: Vec<TemplateError> = errors.into_iter().map(|(_, error)| error).collect();
    match template {
        Some(template) if errors.is_empty() => Ok(template),
        _ if errors.is_empty() => Err(vec![TemplateError {
            line: None,
            key: String::new(),
            reason: "the template could not be read".to_owned(),
        }]),
        _ => Err(errors),
    }
}

/// In order, one a line: after the first error on a line, a parser that
/// recovers mostly reports what follows from it.
fn syntax_errors(
    src: &str,
    format: TemplateFormat,
    mut errors: Vec<node::SyntaxError>,
) -> Vec<TemplateError> {
    errors.sort_by_key(|e| e.at.map_or(0, |at| at + 1));
    let mut out: Vec<TemplateError> = Vec::new();
    for e in errors {
        let line = e.at.map(|at| node::line_of(src, at));
        if line.is_some() && out.last().is_some_and(|last| last.line == line) {
            continue;
        }
        let reason = match e.at {
            Some(at) => format!(
                "{} syntax: {} (column {})",
                format.label(),
                e.message,
                node::column_of(src, at)
            ),
            None => format!("{} syntax: {}", format.label(), e.message),
        };
        out.push(TemplateError { line, key: String::new(), reason });
    }
    out
}

const TEMPLATE_FIELDS: &[&str] = &["name", "sections"];
const SECTION_FIELDS: &[&str] = &["key", "title", "pages"];
const PAGE_FIELDS: &[&str] = &[
    "key",
    "title",
    "description",
    "kind",
    "owners",
    "phases",
    "condition",
    "carry_forward",
    "questions",
];
const QUESTION_FIELDS: &[&str] = &["key", "label", "hint", "type", "options", "mandatory"];
const CONDITION_FIELDS: &[&str] = &["from_nc_year", "up_to_nc_year", "when"];
const QUESTION_TYPES: &[&str] =
    &["text", "long_text", "yes_no", "date", "number", "choice", "scale"];
const NC_YEARS: std::ops::RangeInclusive<i64> = -2..=14;

/// The entries of one table, and the path and place to report them by.
struct Fields<'n> {
    path: String,
    at: Option<usize>,
    entries: &'n [Entry],
}

impl<'n> Fields<'n> {
    fn get(&self, name: &str) -> Option<&'n Node> {
        self.entries.iter().find(|entry| entry.key == name).map(|entry| &entry.node)
    }

    fn path(&self, name: &str) -> String {
        if self.path.is_empty() { name.to_owned() } else { format!("{}.{name}", self.path) }
    }

    fn renamed(&self, path: String) -> Fields<'n> {
        Fields { path, at: self.at, entries: self.entries }
    }
}

struct Reader<'s> {
    src: &'s str,
    format: TemplateFormat,
    /// With the byte offset each is at, to sort them by.
    errors: Vec<(Option<usize>, TemplateError)>,
    /// Every page key so far, with the line it is on.
    page_keys: HashMap<String, usize>,
    /// The line of the first page of each kind.
    kinds: HashMap<PageKind, usize>,
    /// Whether some page's kind could not be read, so a missing kind may
    /// just be misspelt.
    unread_kind: bool,
}

impl Reader<'_> {
    fn line(&self, at: Option<usize>) -> Option<usize> {
        at.map(|at| node::line_of(self.src, at))
    }

    fn error(&mut self, at: Option<usize>, key: String, reason: String) {
        self.errors.push((at, TemplateError { line: self.line(at), key, reason }));
    }

    fn error_at(&mut self, node: &Node, key: String, reason: String) {
        self.error(Some(node.span.start), key, reason);
    }

    fn describe(&self, value: &Value) -> &'static str {
        match (value, self.format) {
            (Value::Table(_), TemplateFormat::Toml) => "a table",
            (Value::Table(_), TemplateFormat::Json) => "an object",
            (Value::Array(_), _) => "a list",
            (Value::String(_), _) => "text",
            (Value::Integer(_), _) => "a whole number",
            (Value::Bool(_), _) => "true or false",
            (Value::Other(what), _) => what,
        }
    }

    fn wrong_type(&mut self, node: &Node, path: String, expected: &str) {
        let found = self.describe(&node.value);
        self.error_at(node, path, format!("must be {expected}, not {found}"));
    }

    fn fields<'n>(&mut self, node: &'n Node, path: String) -> Option<Fields<'n>> {
        let Value::Table(entries) = &node.value else {
            let expected =
                if self.format == TemplateFormat::Json { "an object" } else { "a table" };
            self.wrong_type(node, path, expected);
            return None;
        };
        // The TOML document as a whole has no span: what it lacks has no line.
        let at = (node.span != (0..0)).then_some(node.span.start);
        Some(Fields { path, at, entries })
    }

    /// Reports fields the table does not take and (JSON only) fields given
    /// twice.
    fn check_names(&mut self, fields: &Fields<'_>, allowed: &[&str]) {
        let entries = fields.entries;
        for (i, entry) in entries.iter().enumerate() {
            let key = fields.path(&entry.key);
            if !allowed.contains(&entry.key.as_str()) {
                let reason = format!(
                    "unknown field {:?}; expected one of {}",
                    entry.key,
                    one_of(allowed.iter().copied())
                );
                self.error(Some(entry.key_span.start), key, reason);
            } else if let Some(first) = entries[..i].iter().find(|e| e.key == entry.key) {
                let first = node::line_of(self.src, first.key_span.start);
                self.error(
                    Some(entry.key_span.start),
                    key,
                    format!("given twice; first on line {first}"),
                );
            }
        }
    }

    fn missing(&mut self, fields: &Fields<'_>, name: &str, why: &str) {
        self.error(fields.at, fields.path(name), format!("{name} is missing{why}"));
    }

    /// Trimmed text; `None` (with an error when `required`) if missing,
    /// blank or not text.
    fn text(&mut self, fields: &Fields<'_>, name: &str, required: bool) -> Option<String> {
        let Some(node) = fields.get(name) else {
            if required {
                self.missing(fields, name, "");
            }
            return None;
        };
        let Value::String(text) = &node.value else {
            self.wrong_type(node, fields.path(name), "text");
            return None;
        };
        let text = text.trim();
        if text.is_empty() {
            if required {
                self.error_at(node, fields.path(name), "must not be empty".to_owned());
            }
            return None;
        }
        Some(text.to_owned())
    }

    fn flag(&mut self, fields: &Fields<'_>, name: &str) -> bool {
        match fields.get(name).map(|node| (node, &node.value)) {
            None => false,
            Some((_, Value::Bool(flag))) => *flag,
            Some((node, _)) => {
                self.wrong_type(node, fields.path(name), "true or false");
                false
            }
        }
    }

    fn list<'n>(&mut self, fields: &Fields<'n>, name: &str) -> Option<(&'n Node, &'n [Node])> {
        let node = fields.get(name)?;
        match &node.value {
            Value::Array(items) => Some((node, items)),
            _ => {
                self.wrong_type(node, fields.path(name), "a list");
                None
            }
        }
    }

    /// An identifier (lowercase letters, digits, `_` and `-`, from a
    /// letter) and where it is.
    fn key(&mut self, fields: &Fields<'_>) -> Option<(String, usize)> {
        let key = self.text(fields, "key", true)?;
        let at = fields.get("key").map_or(0, |node| node.span.start);
        let mut chars = key.chars();
        let well_formed = chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !well_formed {
            let reason = format!(
                "{key:?} is not a key: use lowercase letters, digits, \"_\" or \"-\", starting with a letter"
            );
            self.error(Some(at), fields.path("key"), reason);
            return None;
        }
        Some((key, at))
    }

    fn code<T: Copy>(
        &mut self,
        node: &Node,
        path: String,
        what: &str,
        all: &[T],
        code: fn(T) -> &'static str,
    ) -> Option<T> {
        let Value::String(text) = &node.value else {
            self.wrong_type(node, path, "text");
            return None;
        };
        let found = all.iter().copied().find(|&value| code(value) == text.as_str());
        if found.is_none() {
            let expected = one_of(all.iter().map(|&value| code(value)));
            self.error_at(
                node,
                path,
                format!("unknown {what} {text:?}; expected one of {expected}"),
            );
        }
        found
    }

    /// A list of codes, each known and listed once.
    fn codes<T: Copy + PartialEq>(
        &mut self,
        fields: &Fields<'_>,
        name: &str,
        what: &str,
        all: &[T],
        code: fn(T) -> &'static str,
    ) -> Vec<T> {
        let Some((_, items)) = self.list(fields, name) else { return Vec::new() };
        let mut values = Vec::new();
        for item in items {
            if let Some(value) = self.code(item, fields.path(name), what, all, code) {
                if values.contains(&value) {
                    let reason = format!("{:?} is listed twice", code(value));
                    self.error_at(item, fields.path(name), reason);
                } else {
                    values.push(value);
                }
            }
        }
        values
    }

    fn template(&mut self, root: &Node) -> Option<PepTemplate> {
        let fields = self.fields(root, String::new())?;
        self.check_names(&fields, TEMPLATE_FIELDS);
        let name = self.text(&fields, "name", true);
        let mut sections = Vec::new();
        let mut section_keys = HashMap::new();
        match self.list(&fields, "sections") {
            None if fields.get("sections").is_none() => {
                self.missing(&fields, "sections", ": a template needs at least one section")
            }
            Some((node, [])) => self.error_at(
                node,
                "sections".to_owned(),
                "is empty: a template needs at least one section".to_owned(),
            ),
            Some((_, items)) => {
                for (i, item) in items.iter().enumerate() {
                    sections.push(self.section(i, item, &mut section_keys));
                }
            }
            None => {}
        }
        let any_pages = !self.kinds.is_empty() || self.unread_kind;
        if any_pages && !self.unread_kind && !self.kinds.contains_key(&PageKind::SignOff) {
            let reason = "there is no page of kind \"sign_off\": every PEP ends with one";
            self.error(None, "sections".to_owned(), reason.to_owned());
        }
        let sections: Option<Vec<Section>> = sections.into_iter().collect();
        Some(PepTemplate { name: name?, sections: sections? })
    }

    fn section(
        &mut self,
        index: usize,
        node: &Node,
        keys: &mut HashMap<String, usize>,
    ) -> Option<Section> {
        let fields = self.fields(node, format!("sections#{}", index + 1))?;
        let key = self.key(&fields);
        let fields = match &key {
            Some((key, _)) => fields.renamed(format!("sections.{key}")),
            None => fields,
        };
        self.check_names(&fields, SECTION_FIELDS);
        if let Some((key, at)) = &key {
            if let Some(first) = keys.get(key).copied() {
                let reason = format!("section key {key:?} is already used on line {first}");
                self.error(Some(*at), fields.path("key"), reason);
            } else {
                keys.insert(key.clone(), node::line_of(self.src, *at));
            }
        }
        let title = self.text(&fields, "title", true);
        let mut pages = Vec::new();
        match self.list(&fields, "pages") {
            None if fields.get("pages").is_none() => {
                self.missing(&fields, "pages", ": a section needs at least one page")
            }
            Some((node, [])) => self.error_at(
                node,
                fields.path("pages"),
                "is empty: a section needs at least one page".to_owned(),
            ),
            Some((_, items)) => {
                for (i, item) in items.iter().enumerate() {
                    pages.push(self.page(&fields.path, i, item));
                }
            }
            None => {}
        }
        let pages: Option<Vec<Page>> = pages.into_iter().collect();
        Some(Section { key: key?.0, title: title?, pages: pages? })
    }

    fn page(&mut self, section: &str, index: usize, node: &Node) -> Option<Page> {
        let fields = self.fields(node, format!("{section}.pages#{}", index + 1))?;
        let key = self.key(&fields);
        let fields = match &key {
            Some((key, _)) => fields.renamed(format!("{section}.pages.{key}")),
            None => fields,
        };
        self.check_names(&fields, PAGE_FIELDS);
        if let Some((key, at)) = &key {
            if let Some(first) = self.page_keys.get(key).copied() {
                let reason = format!("page key {key:?} is already used on line {first}");
                self.error(Some(*at), fields.path("key"), reason);
            } else {
                self.page_keys.insert(key.clone(), node::line_of(self.src, *at));
            }
        }
        let title = self.text(&fields, "title", true);
        let description = self.text(&fields, "description", false);
        let kind = self.page_kind(&fields);
        let owners = self.codes(&fields, "owners", "role", &Role::ALL, Role::code);
        match fields.get("owners") {
            None => self.missing(&fields, "owners", ": name the roles who complete this page"),
            Some(node) if matches!(&node.value, Value::Array(items) if items.is_empty()) => {
                let reason = "is empty: name the roles who complete this page".to_owned();
                self.error_at(node, fields.path("owners"), reason);
            }
            Some(_) => {}
        }
        let phases = self.codes(&fields, "phases", "phase", PagePhase::ALL, PagePhase::code);
        let condition =
            fields.get("condition").and_then(|node| self.condition(node, fields.path("condition")));
        let carry_forward = self.flag(&fields, "carry_forward");
        let questions = self.questions(&fields, kind);
        if kind == Some(PageKind::SignOff) {
            for name in ["phases", "condition"] {
                if let Some(node) = fields.get(name) {
                    let reason = "the sign_off page is on every PEP: remove this".to_owned();
                    self.error_at(node, fields.path(name), reason);
                }
            }
        }
        Some(Page {
            key: key?.0,
            title: title?,
            description,
            kind: kind?,
            owners,
            phases,
            condition,
            carry_forward,
            questions: questions?,
        })
    }

    /// The page's kind, after checking a kind the PEP has one of is not
    /// given twice.
    fn page_kind(&mut self, fields: &Fields<'_>) -> Option<PageKind> {
        let Some(node) = fields.get("kind") else {
            let expected = one_of(PageKind::ALL.iter().map(|kind| kind.code()));
            self.missing(fields, "kind", &format!(": expected one of {expected}"));
            self.unread_kind = true;
            return None;
        };
        let kind = self.code(node, fields.path("kind"), "page kind", PageKind::ALL, PageKind::code);
        let Some(kind) = kind else {
            self.unread_kind = true;
            return None;
        };
        let line = node::line_of(self.src, node.span.start);
        match self.kinds.get(&kind) {
            Some(first) if kind.is_single() => {
                let reason = format!(
                    "a template has one {:?} page, and there is one on line {first} already",
                    kind.code()
                );
                self.error_at(node, fields.path("kind"), reason);
            }
            Some(_) => {}
            None => {
                self.kinds.insert(kind, line);
            }
        }
        Some(kind)
    }

    fn questions(&mut self, page: &Fields<'_>, kind: Option<PageKind>) -> Option<Vec<Question>> {
        let list = self.list(page, "questions");
        match (kind, list) {
            (Some(PageKind::FreeText), Some((node, []))) => {
                let reason = "is empty: a free_text page needs at least one question".to_owned();
                self.error_at(node, page.path("questions"), reason);
                None
            }
            (Some(PageKind::FreeText), None) => {
                if page.get("questions").is_none() {
                    self.missing(
                        page,
                        "questions",
                        ": a free_text page needs at least one question",
                    );
                }
                None
            }
            (Some(kind), Some((node, _))) if !kind.takes_questions() => {
                let reason = format!(
                    "only free_text and child_views pages have questions: the product builds the {:?} page",
                    kind.code()
                );
                self.error_at(node, page.path("questions"), reason);
                None
            }
            (_, Some((_, items))) => {
                let mut keys = HashMap::new();
                let questions: Vec<Option<Question>> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.question(&page.path, i, item, &mut keys))
                    .collect();
                questions.into_iter().collect()
            }
            (_, None) => Some(Vec::new()),
        }
    }

    fn question(
        &mut self,
        page: &str,
        index: usize,
        node: &Node,
        keys: &mut HashMap<String, usize>,
    ) -> Option<Question> {
        let fields = self.fields(node, format!("{page}.questions#{}", index + 1))?;
        let key = self.key(&fields);
        let fields = match &key {
            Some((key, _)) => fields.renamed(format!("{page}.questions.{key}")),
            None => fields,
        };
        self.check_names(&fields, QUESTION_FIELDS);
        if let Some((key, at)) = &key {
            if let Some(first) = keys.get(key).copied() {
                let reason =
                    format!("question key {key:?} is already used on this page, on line {first}");
                self.error(Some(*at), fields.path("key"), reason);
            } else {
                keys.insert(key.clone(), node::line_of(self.src, *at));
            }
        }
        let label = self.text(&fields, "label", true);
        let hint = self.text(&fields, "hint", false);
        let kind_code = match fields.get("type") {
            None => Some("text"),
            Some(node) => {
                self.code(node, fields.path("type"), "question type", QUESTION_TYPES, |t| t)
            }
        };
        let options = self.options(&fields, kind_code);
        let kind = match kind_code? {
            "long_text" => QuestionKind::LongText,
            "yes_no" => QuestionKind::YesNo,
            "date" => QuestionKind::Date,
            "number" => QuestionKind::Number,
            "choice" => QuestionKind::Choice(options?),
            "scale" => QuestionKind::Scale,
            _ => QuestionKind::Text,
        };
        let mandatory = self.flag(&fields, "mandatory");
        Some(Question { key: key?.0, label: label?, hint, kind, mandatory })
    }

    /// A choice question's options: at least one, each given once.
    fn options(&mut self, fields: &Fields<'_>, kind: Option<&str>) -> Option<Vec<String>> {
        let list = self.list(fields, "options");
        let path = fields.path("options");
        match (kind, list) {
            (Some("choice"), None) => {
                if fields.get("options").is_none() {
                    let at = fields.get("type").map(|node| node.span.start).or(fields.at);
                    let reason = "a choice question needs options to choose from".to_owned();
                    self.error(at, path, reason);
                }
                None
            }
            (Some("choice"), Some((node, []))) => {
                self.error_at(node, path, "is empty: a choice question needs options".to_owned());
                None
            }
            (Some("choice"), Some((_, items))) => {
                let mut options: Vec<String> = Vec::new();
                let mut ok = true;
                for item in items {
                    match &item.value {
                        Value::String(option) if !option.trim().is_empty() => {
                            let option = option.trim();
                            if options.iter().any(|o| o.eq_ignore_ascii_case(option)) {
                                self.error_at(
                                    item,
                                    path.clone(),
                                    format!("{option:?} is listed twice"),
                                );
                                ok = false;
                            }
                            options.push(option.to_owned());
                        }
                        Value::String(_) => {
                            self.error_at(
                                item,
                                path.clone(),
                                "an option must not be empty".to_owned(),
                            );
                            ok = false;
                        }
                        _ => {
                            self.wrong_type(item, path.clone(), "text");
                            ok = false;
                        }
                    }
                }
                ok.then_some(options)
            }
            (Some(_), Some((node, _))) => {
                self.error_at(node, path, "only choice questions have options".to_owned());
                None
            }
            (Some(_), None) | (None, _) => None,
        }
    }

    fn condition(&mut self, node: &Node, path: String) -> Option<Condition> {
        let fields = self.fields(node, path)?;
        self.check_names(&fields, CONDITION_FIELDS);
        let from_nc_year = self.nc_year(&fields, "from_nc_year");
        let up_to_nc_year = self.nc_year(&fields, "up_to_nc_year");
        let when = fields.get("when").and_then(|when| {
            self.code(
                when,
                fields.path("when"),
                "circumstance",
                Circumstance::ALL,
                Circumstance::code,
            )
        });
        if fields.entries.is_empty() {
            let reason = format!(
                "is empty; give one or more of {}",
                one_of(CONDITION_FIELDS.iter().copied())
            );
            self.error_at(node, fields.path.clone(), reason);
            return None;
        }
        if let (Some(from), Some(up_to)) = (from_nc_year, up_to_nc_year)
            && from > up_to
        {
            let reason = format!(
                "from_nc_year {} is after up_to_nc_year {}: no child would see this page",
                from.value(),
                up_to.value()
            );
            self.error_at(node, fields.path.clone(), reason);
        }
        Some(Condition { from_nc_year, up_to_nc_year, when })
    }

    fn nc_year(&mut self, fields: &Fields<'_>, name: &str) -> Option<NcYear> {
        let node = fields.get(name)?;
        match node.value {
            Value::Integer(year) if NC_YEARS.contains(&year) => {
                i8::try_from(year).ok().map(NcYear::from_value)
            }
            Value::Integer(_) => {
                let reason = format!(
                    "must be a national curriculum year from {} to {} (reception is 0, nursery -1)",
                    NC_YEARS.start(),
                    NC_YEARS.end()
                );
                self.error_at(node, fields.path(name), reason);
                None
            }
            _ => {
                self.wrong_type(node, fields.path(name), "a whole number");
                None
            }
        }
    }
}
