//! Just enough HTML reading for a virtual user: links and form fields.
//! The driver shares the machine with the server, so it scans text rather
//! than building a DOM.

/// The `href`s that start with `prefix`, in page order, without repeats.
pub fn links(body: &str, prefix: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let needle = format!("href=\"{prefix}");
    let mut rest = body;
    while let Some(at) = rest.find(&needle) {
        let start = at + "href=\"".len();
        let Some(len) = rest[start..].find('"') else { break };
        let href = unescape(&rest[start..start + len]);
        if !found.contains(&href) {
            found.push(href);
        }
        rest = &rest[start + len..];
    }
    found
}

/// One form control's name and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub kind: Control,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Hidden,
    Text,
    TextArea,
    /// A radio button; `true` when checked.
    Radio(bool),
    Checkbox(bool),
}

/// The fields of the first form whose `action` starts with `action`, or
/// of the whole page when none does.
pub fn form_fields(body: &str, action: &str) -> Vec<Field> {
    let form = body
        .find(&format!("action=\"{action}"))
        .and_then(|at| {
            let start = body[..at].rfind("<form")?;
            let end = body[at..].find("</form>").map_or(body.len(), |e| at + e);
            Some(&body[start..end])
        })
        .unwrap_or(body);
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..=end];
        if tag.starts_with("<input") {
            if let Some(name) = attribute(tag, "name") {
                let value = attribute(tag, "value").unwrap_or_default();
                let checked = tag.contains(" checked");
                let kind = match attribute(tag, "type").as_deref() {
                    Some("hidden") => Some(Control::Hidden),
                    Some("radio") => Some(Control::Radio(checked)),
                    Some("checkbox") => Some(Control::Checkbox(checked)),
                    Some("text" | "email" | "password" | "number" | "search") | None => {
                        Some(Control::Text)
                    }
                    _ => None,
                };
                if let Some(kind) = kind {
                    fields.push(Field { name, value, kind });
                }
            }
        } else if tag.starts_with("<textarea") {
            let close = rest.find("</textarea>").unwrap_or(end + 1);
            if let Some(name) = attribute(tag, "name") {
                let value = unescape(rest[end + 1..close.max(end + 1)].trim_start_matches('\n'));
                fields.push(Field { name, value, kind: Control::TextArea });
            }
            rest = &rest[close.max(end + 1)..];
            continue;
        }
        rest = &rest[end + 1..];
    }
    fields
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let len = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + len]))
}

fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value<'a>(fields: &'a [Field], name: &str) -> Option<&'a str> {
        fields.iter().find(|f| f.name == name).map(|f| f.value.as_str())
    }

    #[test]
    fn reads_links_and_a_forms_fields() {
        let page = r#"<a href="/children/1">A</a> <a href="/children/1">again</a>
            <a href="/children/2?x=1&amp;y=2">B</a>
            <form method="post" action="/other"><input type="hidden" name="_csrf" value="no"></form>
            <form method="post" action="/children/1/peps/2/pages/x">
            <input type="hidden" name="_csrf" value="tok">
            <input type="hidden" name="version" value="3">
            <textarea class="govuk-textarea" name="q_going_well" rows="5">
Fine &amp; well</textarea>
            <input class="govuk-radios__input" type="radio" name="completed" value="yes">
            <input class="govuk-radios__input" type="radio" name="completed" value="no" checked>
            <input type="checkbox" name="agree" value="a">
            </form>"#;
        assert_eq!(links(page, "/children/"), ["/children/1", "/children/2?x=1&y=2"]);
        let fields = form_fields(page, "/children/1/peps/2/pages/");
        assert_eq!(value(&fields, "_csrf"), Some("tok"));
        assert_eq!(value(&fields, "version"), Some("3"));
        assert_eq!(value(&fields, "q_going_well"), Some("Fine & well"));
        assert!(fields.contains(&Field {
            name: "completed".into(),
            value: "no".into(),
            kind: Control::Radio(true)
        }));
        assert!(fields.iter().any(|f| f.kind == Control::Checkbox(false)));
    }
}
