//! A template file read into one tree for both formats, each value with
//! the bytes it came from, so that errors can name their line.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub(super) struct Node {
    pub span: Range<usize>,
    pub value: Value,
}

pub(super) enum Value {
    Table(Vec<Entry>),
    Array(Vec<Node>),
    String(String),
    Integer(i64),
    Bool(bool),
    /// A value no template field takes (a float, a date, JSON's null).
    Other(&'static str),
}

pub(super) struct Entry {
    pub key: String,
    pub key_span: Range<usize>,
    pub node: Node,
}

/// An error in the file's syntax, at a byte offset when the parser said.
#[derive(Debug)]
pub(super) struct SyntaxError {
    pub at: Option<usize>,
    pub message: String,
}

pub(super) fn from_toml(src: &str) -> Result<Node, Vec<SyntaxError>> {
    let (document, errors) = DeTable::parse_recoverable(src);
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|e| SyntaxError {
                at: e.span().map(|span| span.start),
                message: e.message().to_owned(),
            })
            .collect());
    }
    Ok(Node { span: 0..0, value: toml_table(document.get_ref()) })
}

fn toml_table(table: &DeTable<'_>) -> Value {
    Value::Table(
        table
            .iter()
            .map(|(key, value)| Entry {
                key: key.get_ref().to_string(),
                key_span: key.span(),
                node: toml_node(value),
            })
            .collect(),
    )
}

fn toml_node(node: &Spanned<DeValue<'_>>) -> Node {
    let value = match node.get_ref() {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Integer(n),
            Err(_) => Value::Other("a number too large"),
        },
        DeValue::Float(_) => Value::Other("a decimal number"),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(_) => Value::Other("a date"),
        DeValue::Array(items) => Value::Array(items.iter().map(toml_node).collect()),
        DeValue::Table(table) => toml_table(table),
    };
    Node { span: node.span(), value }
}

/// serde_json checks the syntax and decodes strings; a small scanner over
/// the checked text then records where each value is, which serde_json
/// does not.
pub(super) fn from_json(src: &str) -> Result<Node, Vec<SyntaxError>> {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(src) {
        let message = e.to_string();
        let message = match message.rsplit_once(" at line ") {
            Some((message, _)) => message.to_owned(),
            None => message,
        };
        return Err(vec![SyntaxError { at: offset_of(src, e.line(), e.column()), message }]);
    }
    let mut scanner = Scanner { src, at: 0 };
    scanner.value().ok_or_else(|| {
        vec![SyntaxError { at: Some(scanner.at), message: "could not read this JSON".to_owned() }]
    })
}

/// The byte offset of a 1-based line and column, as serde_json gives them.
fn offset_of(src: &str, line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let line_start: usize =
        src.split_inclusive('\n').take(line - 1).map(str::len).sum::<usize>().min(src.len());
    let rest = &src[line_start..];
    let in_line = rest.char_indices().nth(column.saturating_sub(1)).map_or(rest.len(), |(i, _)| i);
    Some(line_start + in_line)
}

struct Scanner<'s> {
    src: &'s str,
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn value(&mut self) -> Option<Node> {
        self.skip_space();
        let start = self.at;
        let value = match self.peek()? {
            b'{' => self.object()?,
            b'[' => self.array()?,
            b'"' => Value::String(self.string()?),
            _ => {
                let len = self.src[start..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)))
                    .unwrap_or(self.src.len() - start);
                self.at += len;
                match &self.src[start..self.at] {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Other("null"),
                    number => {
                        number.parse().map_or(Value::Other("a decimal number"), Value::Integer)
                    }
                }
            }
        };
        Some(Node { span: start..self.at, value })
    }

    fn object(&mut self) -> Option<Value> {
        self.at += 1;
        let mut entries = Vec::new();
        if self.eat(b'}') {
            return Some(Value::Table(entries));
        }
        loop {
            self.skip_space();
            let key_start = self.at;
            let key = self.string()?;
            let key_span = key_start..self.at;
            if !self.eat(b':') {
                return None;
            }
            entries.push(Entry { key, key_span, node: self.value()? });
            if self.eat(b'}') {
                return Some(Value::Table(entries));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn array(&mut self) -> Option<Value> {
        self.at += 1;
        let mut items = Vec::new();
        if self.eat(b']') {
            return Some(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            if self.eat(b']') {
                return Some(Value::Array(items));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn string(&mut self) -> Option<String> {
        let start = self.at;
        let bytes = self.src.as_bytes();
        if bytes.get(start) != Some(&b'"') {
            return None;
        }
        let mut i = start + 1;
        loop {
            match bytes.get(i)? {
                b'\\' => i += 2,
                b'"' => break,
                _ => i += 1,
            }
        }
        self.at = i + 1;
        serde_json::from_str(self.src.get(start..self.at)?).ok()
    }
}

/// The 1-based line of a byte offset.
pub(super) fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The 1-based column, in characters, of a byte offset.
pub(super) fn column_of(src: &str, offset: usize) -> usize {
    let before = src.get(..offset.min(src.len())).unwrap_or(src);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    before[line_start..].chars().count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(src: &str, node: &Node, out: &mut Vec<(String, usize)>, path: &str) {
        match &node.value {
            Value::Table(entries) => {
                for entry in entries {
                    lines(src, &entry.node, out, &format!("{path}.{}", entry.key));
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    lines(src, item, out, &format!("{path}[{i}]"));
                }
            }
            _ => out.push((path.to_owned(), line_of(src, node.span.start))),
        }
    }

    #[test]
    fn json_values_know_their_lines() {
        let src = "{\n  \"a\": \"x\\\"y\",\n  \"b\": [1,\n    true, null, 2.5],\n  \"c\": {\"d\": \"\\u00e9\"}\n}";
        let node = from_json(src).unwrap();
        let mut out = Vec::new();
        lines(src, &node, &mut out, "");
        let expected =
            [(".a", 2), (".b[0]", 3), (".b[1]", 4), (".b[2]", 4), (".b[3]", 4), (".c.d", 5)];
        assert_eq!(out, expected.map(|(p, l)| (p.to_owned(), l)));
        let Value::Table(entries) = &node.value else { panic!("not a table") };
        assert!(matches!(&entries[0].node.value, Value::String(s) if s == "x\"y"));
        let Value::Table(inner) = &entries[2].node.value else { panic!("not a table") };
        assert!(matches!(&inner[0].node.value, Value::String(s) if s == "é"));
    }

    #[test]
    fn json_syntax_errors_give_their_place() {
        let src = "{\n  \"a\": 1\n  \"b\": 2\n}";
        let errors = from_json(src).err().unwrap();
        let at = errors[0].at.unwrap();
        assert_eq!((line_of(src, at), column_of(src, at)), (3, 3));
        assert_eq!(errors[0].message, "expected `,` or `}`");
    }

    #[test]
    fn toml_values_know_their_lines() {
        let src = "name = \"x\"\n\n[[s]]\nk = 1\n\n[[s]]\nk = [\"a\",\n \"b\"]\n";
        let node = from_toml(src).unwrap();
        let mut out = Vec::new();
        lines(src, &node, &mut out, "");
        let expected = [(".name", 1), (".s[0].k", 4), (".s[1].k[0]", 7), (".s[1].k[1]", 8)];
        assert_eq!(out, expected.map(|(p, l)| (p.to_owned(), l)));
    }

    #[test]
    fn lines_and_columns_count_from_one() {
        let src = "ab\ncdé\nf";
        assert_eq!((line_of(src, 0), column_of(src, 0)), (1, 1));
        assert_eq!((line_of(src, 3), column_of(src, 3)), (2, 1));
        assert_eq!((line_of(src, 7), column_of(src, 7)), (2, 4));
        assert_eq!(line_of(src, 99), 3);
    }
}
