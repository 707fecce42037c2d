//! What each kind of user does in deadline week, one pass at a time:
//! designated teachers open a PEP and write their page with autosave;
//! social workers write theirs and mark it complete; Virtual School
//! officers work the quality queue, the dashboard and the PEP list; all of
//! them search their learners. Every pass also times the floor route.

use std::time::Duration;

use rand::Rng;
use rand::rngs::StdRng;
use reqwest::StatusCode;

use crate::html::{self, Control, Field};
use crate::vu::Vu;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Teacher,
    SocialWorker,
    Officer,
}

impl Kind {
    pub fn of_role(role: &str) -> Option<Kind> {
        match role {
            "designated_teacher" | "designated_professional" => Some(Kind::Teacher),
            "social_worker" => Some(Kind::SocialWorker),
            "vs_officer" | "vs_head" => Some(Kind::Officer),
            _ => None,
        }
    }
}

/// The pause between a user's steps: reading, thinking, typing.
#[derive(Debug, Clone, Copy)]
pub struct Think {
    pub min_ms: u64,
    pub max_ms: u64,
}

impl Think {
    pub async fn pause(&self, rng: &mut StdRng) {
        if self.max_ms > 0 {
            let ms = rng.random_range(self.min_ms..=self.max_ms.max(self.min_ms));
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }
}

/// Letters that start many children's names: what people type to search.
const SEARCHES: &[&str] = &["a", "e", "ja", "ma", "o", "li", "sa", "th", "el", "no"];

const WRITING: &[&str] = &[
    "Settled well after half term; reading with the key adult every morning.",
    "Maths tutoring has started and the first two sessions went well.",
    "Attendance is back above 95% since the new travel arrangements.",
    "Finds the noisy lunch hall hard; the quiet club on Wednesdays helps.",
];

/// One pass of a user's journey.
pub async fn pass(vu: &mut Vu, kind: Kind, rng: &mut StdRng, think: Think) -> anyhow::Result<()> {
    vu.get(crate::load::FLOOR, "/healthz").await?;
    vu.get(crate::load::SIGNED_IN_FLOOR, "/session/keep-alive").await?;
    match kind {
        Kind::Teacher => write_page(vu, rng, think, "school_update", false).await,
        Kind::SocialWorker => write_page(vu, rng, think, "care_update", true).await,
        Kind::Officer => officer(vu, rng, think).await,
    }
}

/// Searches the user's learners; the children found.
pub async fn search(vu: &mut Vu, rng: &mut StdRng) -> anyhow::Result<Vec<String>> {
    let q = SEARCHES[rng.random_range(0..SEARCHES.len())];
    let found = vu.get("GET /learners?q=", &format!("/learners?q={q}")).await?;
    let mut children = child_links(&found.body);
    if children.is_empty() {
        let all = vu.get("GET /learners", "/learners").await?;
        children = child_links(&all.body);
    }
    Ok(children)
}

/// `/children/{id}` links (not their sub-pages).
pub fn child_links(body: &str) -> Vec<String> {
    html::links(body, "/children/")
        .into_iter()
        .filter(|l| l.len() == "/children/".len() + 36)
        .collect()
}

/// The child's PEP links (`/children/{id}/peps/{pep}`), newest first as shown.
pub fn pep_links(body: &str, child: &str) -> Vec<String> {
    let prefix = format!("{child}/peps/");
    html::links(body, &prefix).into_iter().filter(|l| l.len() == prefix.len() + 36).collect()
}

/// A PEP page open for writing: where it is, its form as the user filled
/// it in, and the text box they type in.
pub struct OpenPage {
    pub path: String,
    pub fields: Vec<(String, String)>,
    pub text: String,
}

impl OpenPage {
    pub fn autosave_path(&self) -> String {
        format!("{}/autosave", self.path)
    }

    /// Puts `words` in the text box.
    pub fn write(&mut self, words: &str) {
        set(&mut self.fields, &self.text.clone(), words);
    }

    /// Takes the version the server gave the last save.
    pub fn saved(&mut self, reply_body: &str) -> Option<i64> {
        let body: serde_json::Value = serde_json::from_str(reply_body).ok()?;
        let version = body.get("version").and_then(serde_json::Value::as_i64)?;
        set(&mut self.fields, "version", &version.to_string());
        Some(version)
    }
}

/// Finds a learner's current PEP and opens the page `page_key` of it, as
/// its writer does: `None` when the page is not theirs to write (signed
/// off, or not in this child's PEP).
pub async fn open_page(
    vu: &mut Vu,
    rng: &mut StdRng,
    think: Think,
    page_key: &str,
) -> anyhow::Result<Option<OpenPage>> {
    let children = search(vu, rng).await?;
    think.pause(rng).await;
    let Some(child) = pick(rng, &children) else { return Ok(None) };
    let overview = vu.get("GET /children/{id}", &child).await?;
    let Some(pep) = pep_links(&overview.body, &child).into_iter().next() else {
        return Ok(None);
    };
    let view = vu.get("GET /children/{id}/peps/{pep}", &pep).await?;
    think.pause(rng).await;
    // The page is in this child's PEP only for some ages and settings.
    let path = format!("{pep}/pages/{page_key}");
    if !html::links(&view.body, &path).contains(&path) {
        return Ok(None);
    }
    let form = vu.get("GET /children/{id}/peps/{pep}/pages/{page}", &path).await?;
    if form.status != StatusCode::OK {
        return Ok(None);
    }
    let parsed = html::form_fields(&form.body, &path);
    let Some(text) = parsed.iter().find(|f| f.kind == Control::TextArea).map(|f| f.name.clone())
    else {
        return Ok(None);
    };
    Ok(Some(OpenPage { path, fields: filled(parsed, rng), text }))
}

async fn write_page(
    vu: &mut Vu,
    rng: &mut StdRng,
    think: Think,
    page_key: &str,
    complete: bool,
) -> anyhow::Result<()> {
    let Some(mut page) = open_page(vu, rng, think, page_key).await? else { return Ok(()) };
    for _ in 0..2 {
        think.pause(rng).await;
        type_more(&mut page.fields, &page.text, rng);
        let saved = vu
            .post(
                "POST /children/{id}/peps/{pep}/pages/{page}/autosave",
                &page.autosave_path(),
                &page.fields,
            )
            .await?;
        if saved.status != StatusCode::OK || page.saved(&saved.body).is_none() {
            return Ok(()); // someone else saved first: the user reloads
        }
    }
    think.pause(rng).await;
    set(&mut page.fields, "completed", if complete { "yes" } else { "no" });
    vu.post("POST /children/{id}/peps/{pep}/pages/{page}", &page.path, &page.fields).await?;
    Ok(())
}

async fn officer(vu: &mut Vu, rng: &mut StdRng, think: Think) -> anyhow::Result<()> {
    vu.get("GET /dashboard", "/dashboard").await?;
    think.pause(rng).await;
    let queue = vu.get("GET /quality", "/quality").await?;
    let waiting: Vec<_> = html::links(&queue.body, "/children/")
        .into_iter()
        .filter(|l| l.ends_with("/quality"))
        .collect();
    if let Some(pep) = pick(rng, &waiting) {
        think.pause(rng).await;
        vu.get("GET /children/{id}/peps/{pep}/quality", &pep).await?;
    }
    think.pause(rng).await;
    vu.get("GET /peps", "/peps").await?;
    think.pause(rng).await;
    let children = search(vu, rng).await?;
    if let Some(child) = pick(rng, &children) {
        think.pause(rng).await;
        vu.get("GET /children/{id}", &child).await?;
    }
    think.pause(rng).await;
    Ok(())
}

fn pick(rng: &mut StdRng, from: &[String]) -> Option<String> {
    (!from.is_empty()).then(|| from[rng.random_range(0..from.len())].clone())
}

/// The form as a person fills it in: each question answered (radios keep
/// their choice or take the first), the hidden fields as they came.
fn filled(fields: Vec<Field>, rng: &mut StdRng) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for field in fields {
        let chosen = match field.kind {
            Control::Hidden => Some(field.value),
            Control::Text if field.value.is_empty() && field.name.starts_with("q_") => {
                Some("Agreed at the meeting".to_owned())
            }
            Control::Text => Some(field.value),
            Control::TextArea => Some(WRITING[rng.random_range(0..WRITING.len())].to_owned()),
            Control::Radio(checked) => {
                let taken = out.iter().any(|(n, _)| *n == field.name);
                (checked || !taken).then_some(field.value)
            }
            Control::Checkbox(checked) => checked.then_some(field.value),
        };
        if let Some(value) = chosen {
            if let Control::Radio(true) = field.kind {
                out.retain(|(n, _)| *n != field.name);
            }
            out.push((field.name, value));
        }
    }
    out
}

/// A few more words in the text box `name`.
fn type_more(fields: &mut [(String, String)], name: &str, rng: &mut StdRng) {
    let more = WRITING[rng.random_range(0..WRITING.len())];
    if let Some((_, value)) = fields.iter_mut().find(|(n, _)| n == name) {
        if value.len() > 2_000 {
            value.clear();
        }
        value.push(' ');
        value.push_str(more);
    }
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    fields.retain(|(n, _)| n != name);
    fields.push((name.to_owned(), value.to_owned()));
}
