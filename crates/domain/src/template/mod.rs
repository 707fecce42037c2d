//! PEP templates as data: a Virtual School's sections and pages, who
//! completes each, which children each is for, and the questions of
//! free-text pages. An authority uploads its template as TOML or JSON
//! ([`parse`]); [`default_template`] is the product's own.
//!
//! A section's letter (A-D in West Sussex, A-E in Birmingham) is not in the
//! template: it comes from the authority's settings, by the section's index.

mod answer;
mod codes;
mod node;
mod read;
mod write;

use serde::Serialize;

use crate::role::Role;
use crate::school_year::NcYear;

pub use codes::{Circumstance, PageKind, PagePhase};
pub use read::{TemplateError, TemplateFormat, parse, parse_json, parse_toml};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PepTemplate {
    pub name: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub key: String,
    pub title: String,
    pub pages: Vec<Page>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page {
    /// Unique in the template: answers and carried-forward content are
    /// stored by it.
    pub key: String,
    pub title: String,
    /// A hint shown under the title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub kind: PageKind,
    /// The roles who complete the page.
    pub owners: Vec<Role>,
    /// Empty for every phase.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<PagePhase>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// Whether the next PEP starts from this page's content, marked
    /// "carried forward — check".
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub carry_forward: bool,
    /// `free_text` pages have at least one question; `child_views` pages
    /// may have some (the authority's question set); others have none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<Question>,
}

/// Which children a page is for, beyond its phases: every part given must
/// hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Condition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_nc_year: Option<NcYear>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub up_to_nc_year: Option<NcYear>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<Circumstance>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// Unique on its page.
    pub key: String,
    pub label: String,
    pub hint: Option<String>,
    pub kind: QuestionKind,
    /// Quality assurance expects an answer; drafts may leave it blank.
    pub mandatory: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionKind {
    Text,
    LongText,
    YesNo,
    Date,
    Number,
    /// One of these options, never empty.
    Choice(Vec<String>),
    /// How the child feels, from 1 (not good) to 5 (great), shown as faces.
    Scale,
}

impl QuestionKind {
    /// The `type` the template file gives.
    pub fn code(&self) -> &'static str {
        match self {
            QuestionKind::Text => "text",
            QuestionKind::LongText => "long_text",
            QuestionKind::YesNo => "yes_no",
            QuestionKind::Date => "date",
            QuestionKind::Number => "number",
            QuestionKind::Choice(_) => "choice",
            QuestionKind::Scale => "scale",
        }
    }

    pub fn options(&self) -> &[String] {
        match self {
            QuestionKind::Choice(options) => options,
            _ => &[],
        }
    }
}

/// What decides which pages a child's PEP shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildFacts {
    pub nc_year: NcYear,
    pub special_school: bool,
    pub neet: bool,
    /// SEN support or an EHCP.
    pub sen: bool,
    /// At a school or setting in another local authority.
    pub out_of_authority: bool,
}

impl ChildFacts {
    /// A child in `nc_year` at a mainstream setting, with none of the
    /// circumstances.
    pub fn in_year(nc_year: NcYear) -> ChildFacts {
        ChildFacts {
            nc_year,
            special_school: false,
            neet: false,
            sen: false,
            out_of_authority: false,
        }
    }

    /// The child's age phase, and `special` at a special school.
    pub fn phases(&self) -> Vec<PagePhase> {
        let mut phases = vec![PagePhase::from(self.nc_year.phase())];
        if self.special_school {
            phases.push(PagePhase::Special);
        }
        phases
    }

    pub fn has(&self, circumstance: Circumstance) -> bool {
        match circumstance {
            Circumstance::Neet => self.neet,
            Circumstance::Sen => self.sen,
            Circumstance::OutOfAuthority => self.out_of_authority,
        }
    }
}

impl Condition {
    pub fn holds_for(&self, facts: &ChildFacts) -> bool {
        self.from_nc_year.is_none_or(|from| facts.nc_year >= from)
            && self.up_to_nc_year.is_none_or(|up_to| facts.nc_year <= up_to)
            && self.when.is_none_or(|when| facts.has(when))
    }
}

impl Page {
    pub fn applies_to(&self, facts: &ChildFacts) -> bool {
        let in_phase =
            self.phases.is_empty() || facts.phases().iter().any(|p| self.phases.contains(p));
        in_phase && self.condition.is_none_or(|condition| condition.holds_for(facts))
    }

    pub fn owned_by(&self, role: Role) -> bool {
        self.owners.contains(&role)
    }
}

impl PepTemplate {
    pub fn page(&self, key: &str) -> Option<&Page> {
        self.pages().map(|(_, _, page)| page).find(|page| page.key == key)
    }

    /// Every page in order, with its section and the section's index (which
    /// picks its letter from the authority's settings).
    pub fn pages(&self) -> impl Iterator<Item = (usize, &Section, &Page)> {
        self.sections.iter().enumerate().flat_map(|(index, section)| {
            section.pages.iter().map(move |page| (index, section, page))
        })
    }

    /// The pages a child's PEP shows.
    pub fn pages_for<'a>(
        &'a self,
        facts: &'a ChildFacts,
    ) -> impl Iterator<Item = (usize, &'a Section, &'a Page)> {
        self.pages().filter(move |(_, _, page)| page.applies_to(facts))
    }
}

const DEFAULT_TEMPLATE: &str = include_str!("default.toml");

/// The default template, read once.
static DEFAULT: std::sync::LazyLock<std::sync::Arc<PepTemplate>> = std::sync::LazyLock::new(|| {
    // The tests parse the embedded file, so the fallback is never taken.
    std::sync::Arc::new(
        parse_toml(DEFAULT_TEMPLATE)
            .unwrap_or_else(|_| PepTemplate { name: "PEP".to_owned(), sections: Vec::new() }),
    )
});

/// The product's own template, for authorities that have not uploaded one.
pub fn default_template() -> PepTemplate {
    (**DEFAULT).clone()
}

/// [`default_template`], shared: read once, never copied.
pub fn shared_default_template() -> std::sync::Arc<PepTemplate> {
    std::sync::Arc::clone(&DEFAULT)
}

#[cfg(test)]
mod tests;
