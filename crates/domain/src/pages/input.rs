//! Reading a typed page's fields: each answer normalised, or a message
//! that names the field, in GOV.UK's words.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Block, FieldSpec, Fields, Opt, PageContext, Problems};

/// `17 December 2026`.
pub fn uk_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// The field name of an entry's field: `<group>_<index>_<field>`.
pub fn entry_name(group: &str, index: usize, field: &str) -> String {
    format!("{group}_{index}_{field}")
}

/// The entries of a list as sent, by the index they were sent with, each
/// with its fields by short name. Blank entries, and those ticked to be
/// removed, are left out.
pub fn entries(fields: &Fields, group: &str) -> Vec<(usize, Fields)> {
    let prefix = format!("{group}_");
    let mut by_index: BTreeMap<usize, Fields> = BTreeMap::new();
    for (name, value) in fields {
        let Some(rest) = name.strip_prefix(&prefix) else { continue };
        let Some((index, field)) = rest.split_once('_') else { continue };
        let Ok(index) = index.parse::<usize>() else { continue };
        by_index.entry(index).or_default().insert(field.to_owned(), value.clone());
    }
    by_index
        .into_iter()
        .filter(|(_, e)| e.get("remove").is_none_or(|r| r != "yes"))
        .filter(|(_, e)| e.iter().any(|(k, v)| k != "remove" && !v.trim().is_empty()))
        .collect()
}

/// Moves an entry's answers from the index it was sent with to its place
/// in the saved list.
pub(crate) fn renumber(out: &mut Fields, group: &str, sent: usize, saved: usize, names: &[&str]) {
    if sent == saved {
        return;
    }
    for name in names {
        if let Some(value) = out.remove(&entry_name(group, sent, name)) {
            out.insert(entry_name(group, saved, name), value);
        }
    }
}

/// The index one past the highest a list was sent with: a blank entry
/// added there never takes the answers of one ticked to be removed.
pub(crate) fn next_index(fields: &Fields, group: &str) -> usize {
    let prefix = format!("{group}_");
    fields
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix)?.split_once('_')?.0.parse::<usize>().ok())
        .max()
        .map_or(0, |m| m + 1)
}

/// A list's entries (legends "<legend> 1", "<legend> 2"…), one blank
/// entry when it is empty and `one_blank`, another when "add another" was
/// pressed for it, and its button (`add`: the label with no entries, then
/// with some).
pub(crate) fn list(
    fields: &Fields,
    ctx: &PageContext,
    group: &str,
    legend: &str,
    one_blank: bool,
    specs: impl Fn(usize) -> Vec<FieldSpec>,
    add: (&str, &str),
) -> Vec<Block> {
    let mut indices: Vec<usize> = entries(fields, group).into_iter().map(|(i, _)| i).collect();
    let mut next = next_index(fields, group);
    if indices.is_empty() && one_blank {
        indices.push(next);
        next += 1;
    }
    if ctx.add_entry.as_deref() == Some(group) {
        indices.push(next);
    }
    let mut blocks: Vec<Block> = indices
        .iter()
        .enumerate()
        .map(|(n, i)| Block::Entry {
            legend: format!("{legend} {}", n + 1),
            fields: specs(*i),
            remove: entry_name(group, *i, "remove"),
        })
        .collect();
    let label = if indices.is_empty() { add.0 } else { add.1 };
    blocks.push(Block::Add { group: group.to_owned(), label: label.to_owned() });
    blocks
}

/// A date as typed: `17/12/2026`, `17 12 2026` or `2026-12-17`. Blank is
/// `None`.
pub(super) fn parse_date(raw: &str) -> Result<Option<NaiveDate>, DateProblem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let parts: Vec<&str> = raw
        .split(|c: char| c == '/' || c == '-' || c == '.' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    let [a, b, c] = parts[..] else { return Err(DateProblem::Incomplete) };
    let iso = a.len() == 4 && raw.contains('-');
    let (year, month, day) = if iso { (a, b, c) } else { (c, b, a) };
    let digits = [year, month, day].iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !digits || year.len() != 4 || month.len() > 2 || day.len() > 2 {
        return Err(DateProblem::NotADate);
    }
    let (Ok(y), Ok(m), Ok(d)) = (year.parse(), month.parse(), day.parse()) else {
        return Err(DateProblem::NotADate);
    };
    NaiveDate::from_ymd_opt(y, m, d).map(Some).ok_or(DateProblem::NotReal)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateProblem {
    Incomplete,
    NotADate,
    NotReal,
}

/// Capitalises the first letter, for a label used at the start of a message.
pub(crate) fn sentence(what: &str) -> String {
    let mut chars = what.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

const MAX_TEXT: usize = 500;
const MAX_LONG_TEXT: usize = 20_000;

/// Reads a page's fields into normalised answers, collecting problems.
/// `what` names a field in messages ("possible sessions").
pub(crate) struct Reader<'a> {
    fields: &'a Fields,
    pub out: Fields,
    pub problems: Problems,
}

impl<'a> Reader<'a> {
    pub fn new(fields: &'a Fields) -> Reader<'a> {
        Reader { fields, out: Fields::new(), problems: Problems::default() }
    }

    pub fn raw(&self, name: &str) -> &'a str {
        self.fields.get(name).map_or("", |v| v.trim())
    }

    fn keep(&mut self, name: &str, value: String) {
        self.out.insert(name.to_owned(), value);
    }

    /// Stores what was sent, unchecked, so that a refused form keeps it.
    fn keep_raw(&mut self, name: &str) {
        let raw = self.raw(name).to_owned();
        self.keep(name, raw);
    }

    pub fn text(&mut self, name: &str, what: &str) -> String {
        let value = self.raw(name).split_whitespace().collect::<Vec<_>>().join(" ");
        if value.chars().count() > MAX_TEXT {
            self.problems
                .add(name, format!("{} must be {MAX_TEXT} characters or fewer", sentence(what)));
        }
        self.keep(name, value.clone());
        value
    }

    pub fn long_text(&mut self, name: &str, what: &str) -> String {
        let value = self.raw(name).replace("\r\n", "\n");
        if value.chars().count() > MAX_LONG_TEXT {
            self.problems.add(
                name,
                format!("{} must be {MAX_LONG_TEXT} characters or fewer", sentence(what)),
            );
        }
        self.keep(name, value.clone());
        value
    }

    /// A whole number from 0 to `max`.
    pub fn whole(&mut self, name: &str, what: &str, max: u32) -> Option<u32> {
        let raw = self.raw(name).replace(',', "");
        if raw.is_empty() {
            self.keep(name, String::new());
            return None;
        }
        let parsed = match raw.parse::<i64>() {
            Ok(n) if n < 0 => Err(format!("{} must be 0 or more", sentence(what))),
            Ok(n) if n > i64::from(max) => {
                Err(format!("{} must be {max} or fewer", sentence(what)))
            }
            Ok(n) => Ok(u32::try_from(n).unwrap_or(max)),
            Err(_) => Err(format!("{} must be a whole number, like 12", sentence(what))),
        };
        match parsed {
            Ok(n) => {
                self.keep(name, n.to_string());
                Some(n)
            }
            Err(message) => {
                self.keep_raw(name);
                self.problems.add(name, message);
                None
            }
        }
    }

    /// A number from 0 to `max` with at most two decimal places (hours,
    /// points of progress may be negative: `min`).
    pub fn decimal(&mut self, name: &str, what: &str, min: f64, max: f64) -> Option<f64> {
        let raw = self.raw(name).to_owned();
        if raw.is_empty() {
            self.keep(name, String::new());
            return None;
        }
        let plain = raw.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
            && raw.bytes().filter(|b| *b == b'.').count() <= 1
            && raw.rfind('-').is_none_or(|i| i == 0);
        let decimals = raw.split_once('.').map_or(0, |(_, f)| f.len());
        let parsed = raw.parse::<f64>().ok().filter(|n| plain && n.is_finite());
        let message = match parsed {
            None => Some(format!("{} must be a number, like 12.5", sentence(what))),
            Some(_) if decimals > 2 => {
                Some(format!("{} must have no more than 2 decimal places", sentence(what)))
            }
            Some(n) if n < min => {
                Some(format!("{} must be {} or more", sentence(what), number_text(min)))
            }
            Some(n) if n > max => {
                Some(format!("{} must be {} or fewer", sentence(what), number_text(max)))
            }
            Some(_) => None,
        };
        if let Some(message) = message {
            self.keep_raw(name);
            self.problems.add(name, message);
            return None;
        }
        let n = parsed?;
        self.keep(name, number_text(n));
        Some(n)
    }

    pub fn date(&mut self, name: &str, what: &str) -> Option<NaiveDate> {
        match parse_date(self.raw(name)) {
            Ok(Some(date)) => {
                self.keep(name, date.format("%Y-%m-%d").to_string());
                Some(date)
            }
            Ok(None) => {
                self.keep(name, String::new());
                None
            }
            Err(problem) => {
                self.keep_raw(name);
                let message = match problem {
                    DateProblem::Incomplete => {
                        format!("{} must include a day, month and year", sentence(what))
                    }
                    DateProblem::NotADate => {
                        format!("{} must be a date, like 17 12 2026", sentence(what))
                    }
                    DateProblem::NotReal => format!("{} must be a real date", sentence(what)),
                };
                self.problems.add(name, message);
                None
            }
        }
    }

    pub fn yes_no(&mut self, name: &str, what: &str) -> Option<bool> {
        let value = match self.raw(name).to_ascii_lowercase().as_str() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                self.keep_raw(name);
                self.problems.add(name, format!("Select yes or no for {what}"));
                return None;
            }
        };
        self.keep(name, value.map_or("", |v| if v { "yes" } else { "no" }).to_owned());
        value
    }

    /// One of `options`, by code.
    pub fn choice(&mut self, name: &str, what: &str, options: &[Opt]) -> Option<String> {
        let raw = self.raw(name);
        if raw.is_empty() {
            self.keep(name, String::new());
            return None;
        }
        match options.iter().find(|o| o.code.eq_ignore_ascii_case(raw)) {
            Some(o) => {
                self.keep(name, o.code.clone());
                Some(o.code.clone())
            }
            None => {
                self.keep_raw(name);
                self.problems.add(name, format!("Select {what} from the list"));
                None
            }
        }
    }

    /// Any of `options`, sent as several values joined by commas.
    pub fn choices(&mut self, name: &str, what: &str, options: &[Opt]) -> Vec<String> {
        let mut chosen = Vec::new();
        for code in self.raw(name).split(',').map(str::trim).filter(|c| !c.is_empty()) {
            match options.iter().find(|o| o.code == code) {
                Some(o) if !chosen.contains(&o.code) => chosen.push(o.code.clone()),
                Some(_) => {}
                None => self.problems.add(name, format!("Select {what} from the pictures shown")),
            }
        }
        // Kept in the order of the options, so that the same choice stores
        // the same answer.
        chosen.sort_by_key(|c| options.iter().position(|o| &o.code == c));
        self.keep(name, chosen.join(","));
        chosen
    }

    /// When completing, a blank answer is a problem.
    pub fn require(&mut self, completing: bool, name: &str, message: impl Into<String>) {
        if completing && self.out.get(name).is_none_or(|v| v.trim().is_empty()) {
            self.problems.add(name, message);
        }
    }

    pub fn problem(&mut self, name: &str, message: impl Into<String>) {
        self.problems.add(name, message);
    }

    pub fn finish(self) -> Result<Fields, Problems> {
        if self.problems.is_empty() { Ok(self.out) } else { Err(self.problems) }
    }
}

/// A number without trailing zeros: `12`, `12.5`.
pub(super) fn number_text(n: f64) -> String {
    let s = format!("{n:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_owned() } else { s.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::test_context::fields;

    #[test]
    fn entries_are_read_by_index_without_blank_or_removed_ones() {
        let f = fields(&[
            ("s_2_start", "2026-10-01"),
            ("s_2_reason", "x"),
            ("s_0_start", "2026-09-10"),
            ("s_1_start", " "),
            ("s_3_start", "2026-11-01"),
            ("s_3_remove", "yes"),
            ("s_x_start", "nonsense"),
            ("other", "1"),
        ]);
        let got = entries(&f, "s");
        assert_eq!(got.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(got[1].1.get("reason").map(String::as_str), Some("x"));
        assert_eq!(entry_name("s", 4, "start"), "s_4_start");
    }

    #[test]
    fn numbers_and_dates_are_normalised_or_named_in_the_message() {
        let f = fields(&[
            ("a", " 1,250 "),
            ("b", "-1"),
            ("c", "ten"),
            ("d", "7/1/2027"),
            ("e", "31/02/2026"),
            ("f", "2.50"),
            ("g", "1.234"),
            ("h", "12/2026"),
        ]);
        let mut r = Reader::new(&f);
        assert_eq!(r.whole("a", "possible sessions", 10_000), Some(1250));
        assert_eq!(r.whole("b", "possible sessions", 10_000), None);
        assert_eq!(r.whole("c", "sessions attended", 10_000), None);
        assert_eq!(r.date("d", "the start date"), NaiveDate::from_ymd_opt(2027, 1, 7));
        assert_eq!(r.date("e", "the end date"), None);
        assert_eq!(r.decimal("f", "hours a week", 0.0, 40.0), Some(2.5));
        assert_eq!(r.decimal("g", "hours a week", 0.0, 40.0), None);
        assert_eq!(r.date("h", "the date"), None);
        let problems = r.problems.clone();
        assert_eq!(problems.message("b"), Some("Possible sessions must be 0 or more"));
        assert_eq!(
            problems.message("c"),
            Some("Sessions attended must be a whole number, like 12")
        );
        assert_eq!(problems.message("e"), Some("The end date must be a real date"));
        assert_eq!(
            problems.message("g"),
            Some("Hours a week must have no more than 2 decimal places")
        );
        assert_eq!(problems.message("h"), Some("The date must include a day, month and year"));
        assert_eq!(r.out["a"], "1250");
        assert_eq!(r.out["d"], "2027-01-07");
        assert_eq!(r.out["f"], "2.5");
        // What was typed is kept when it is refused.
        assert_eq!(r.out["c"], "ten");
    }

    #[test]
    fn choices_keep_the_options_order() {
        let options = Opt::plain(&["a", "b", "c"]);
        let f = fields(&[("p", "c,a,c"), ("q", "a,z")]);
        let mut r = Reader::new(&f);
        assert_eq!(r.choices("p", "what helps", &options), vec!["a", "c"]);
        r.choices("q", "what helps", &options);
        assert_eq!(r.out["p"], "a,c");
        assert!(r.problems.has("q"));
    }
}
