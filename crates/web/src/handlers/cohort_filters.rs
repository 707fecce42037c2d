//! The filters of the Virtual School's lists (term, school, phase, year
//! group, officer) as the address carries them, and their choices.

use openpep_domain::{NcYear, Phase};
use openpep_service::cohort_filter::{FilterForm, FilterOptions};
use serde::Deserialize;

use crate::components::Choice;

/// The filters and the page as the address carries them.
#[derive(Deserialize, Default, Clone)]
pub struct FilterQuery {
    #[serde(default)]
    pub term: String,
    #[serde(default)]
    pub school: String,
    #[serde(default)]
    pub phase: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub officer: String,
    #[serde(default)]
    pub view: String,
    #[serde(default)]
    pub page: Option<String>,
}

impl FilterQuery {
    pub fn form(&self) -> FilterForm {
        FilterForm {
            term: self.term.clone(),
            school: self.school.clone(),
            phase: self.phase.clone(),
            year: self.year.clone(),
            officer: self.officer.clone(),
        }
    }

    /// The page asked for; one that is not a number is page 1.
    pub fn page(&self) -> u32 {
        self.page.as_deref().and_then(|p| p.parse::<u32>().ok()).unwrap_or(1).max(1)
    }

    pub fn filtered(&self) -> bool {
        [&self.term, &self.school, &self.phase, &self.year, &self.officer]
            .iter()
            .any(|v| !v.trim().is_empty())
    }

    /// This query's address at `path`, on another view or page.
    pub fn url(&self, path: &str, view: &str, page: u32) -> String {
        let mut pairs = Vec::new();
        for (key, value) in [
            ("view", view),
            ("term", self.term.as_str()),
            ("school", self.school.as_str()),
            ("phase", self.phase.as_str()),
            ("year", self.year.as_str()),
            ("officer", self.officer.as_str()),
        ] {
            if !value.is_empty() {
                pairs.push((key, value.to_owned()));
            }
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        match serde_urlencoded::to_string(&pairs) {
            Ok(q) if !q.is_empty() => format!("{path}?{q}"),
            _ => path.to_owned(),
        }
    }
}

/// The choices of each filter, "any" first.
pub struct FilterChoices {
    pub terms: Vec<Choice>,
    pub schools: Vec<Choice>,
    pub phases: Vec<Choice>,
    pub years: Vec<Choice>,
    pub officers: Vec<Choice>,
}

pub fn with_any(any: &str, choices: impl IntoIterator<Item = Choice>) -> Vec<Choice> {
    std::iter::once(Choice::new("", any)).chain(choices).collect()
}

impl FilterChoices {
    pub fn new(options: &FilterOptions) -> FilterChoices {
        FilterChoices {
            terms: with_any(
                "Any term",
                options.terms.iter().map(|(code, label)| Choice::new(code.clone(), label.clone())),
            ),
            schools: with_any(
                "Any school or setting",
                options.schools.iter().map(|(id, name)| Choice::new(id.to_string(), name.clone())),
            ),
            phases: with_any(
                "Any phase",
                Phase::ALL.iter().map(|p| Choice::new(p.code(), p.label())),
            ),
            years: with_any(
                "Any year group",
                openpep_service::cohort_filter::YEAR_GROUPS
                    .map(NcYear::from_value)
                    .map(|y| Choice::new(y.value().to_string(), y.label())),
            ),
            officers: with_any(
                "Any officer",
                std::iter::once(Choice::new("none", "Not given to anyone yet")).chain(
                    options
                        .officers
                        .iter()
                        .map(|(id, name)| Choice::new(id.to_string(), name.clone())),
                ),
            ),
        }
    }
}
