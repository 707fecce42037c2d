//! Writing a template back out, in the form [`parse`](super::parse) reads.

use serde::Serialize;

use super::{Condition, Page, PepTemplate, Question};

impl Serialize for Question {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct AsWritten<'a> {
            key: &'a str,
            label: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            hint: Option<&'a str>,
            #[serde(rename = "type")]
            kind: &'static str,
            #[serde(skip_serializing_if = "<[String]>::is_empty")]
            options: &'a [String],
            #[serde(skip_serializing_if = "std::ops::Not::not")]
            mandatory: bool,
        }
        AsWritten {
            key: &self.key,
            label: &self.label,
            hint: self.hint.as_deref(),
            kind: self.kind.code(),
            options: self.kind.options(),
            mandatory: self.mandatory,
        }
        .serialize(serializer)
    }
}

impl PepTemplate {
    /// The template as a TOML file that [`parse_toml`](super::parse_toml)
    /// reads back to the same template, for download, edit and upload.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# A PEP template. Edit it and upload it again; sections take their\n\
             # letters from the authority's settings, in this order.\n\n",
        );
        field(&mut out, "name", &quote(&self.name));
        for section in &self.sections {
            out.push_str("\n[[sections]]\n");
            field(&mut out, "key", &quote(&section.key));
            field(&mut out, "title", &quote(&section.title));
            for page in &section.pages {
                out.push_str("\n[[sections.pages]]\n");
                write_page(&mut out, page);
                for question in &page.questions {
                    out.push_str("\n[[sections.pages.questions]]\n");
                    write_question(&mut out, question);
                }
            }
        }
        out
    }
}

fn write_page(out: &mut String, page: &Page) {
    field(out, "key", &quote(&page.key));
    field(out, "title", &quote(&page.title));
    if let Some(description) = &page.description {
        field(out, "description", &quote(description));
    }
    field(out, "kind", &quote(page.kind.code()));
    field(out, "owners", &list(page.owners.iter().map(|role| role.code())));
    if !page.phases.is_empty() {
        field(out, "phases", &list(page.phases.iter().map(|phase| phase.code())));
    }
    if let Some(condition) = &page.condition {
        field(out, "condition", &inline_condition(condition));
    }
    if page.carry_forward {
        field(out, "carry_forward", "true");
    }
}

fn write_question(out: &mut String, question: &Question) {
    field(out, "key", &quote(&question.key));
    field(out, "label", &quote(&question.label));
    if let Some(hint) = &question.hint {
        field(out, "hint", &quote(hint));
    }
    field(out, "type", &quote(question.kind.code()));
    if !question.kind.options().is_empty() {
        field(out, "options", &list(question.kind.options().iter().map(String::as_str)));
    }
    if question.mandatory {
        field(out, "mandatory", "true");
    }
}

fn inline_condition(condition: &Condition) -> String {
    let mut parts = Vec::new();
    if let Some(year) = condition.from_nc_year {
        parts.push(format!("from_nc_year = {}", year.value()));
    }
    if let Some(year) = condition.up_to_nc_year {
        parts.push(format!("up_to_nc_year = {}", year.value()));
    }
    if let Some(when) = condition.when {
        parts.push(format!("when = {}", quote(when.code())));
    }
    format!("{{ {} }}", parts.join(", "))
}

fn field(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str(" = ");
    out.push_str(value);
    out.push('\n');
}

fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    format!("[{}]", items.map(quote).collect::<Vec<_>>().join(", "))
}

/// A TOML basic string, multi-line when the text has line breaks so that
/// descriptions stay readable.
fn quote(text: &str) -> String {
    let multi_line = text.contains('\n');
    let mut out = String::from(if multi_line { "\"\"\"\n" } else { "\"" });
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' if multi_line => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push_str(if multi_line { "\"\"\"" } else { "\"" });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn quoted_text_reads_back(text in "\\PC*|[\"\\\\\n\r\t\u{7f}\u{0}a-z ]*") {
            let src = format!("v = {}\n", quote(&text));
            let table = toml::de::DeTable::parse(&src).unwrap();
            let value = table.get_ref().get("v").unwrap();
            let toml::de::DeValue::String(read) = value.get_ref() else { panic!("not a string") };
            prop_assert_eq!(read.as_ref(), text.as_str());
        }
    }

    #[test]
    fn conditions_are_inline_tables() {
        let condition = Condition {
            from_nc_year: Some(crate::NcYear::from_value(9)),
            up_to_nc_year: None,
            when: Some(super::super::Circumstance::Sen),
        };
        assert_eq!(inline_condition(&condition), r#"{ from_nc_year = 9, when = "sen" }"#);
    }
}
