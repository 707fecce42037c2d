//! The archival PDF of a signed-off PEP: made by the worker from what the
//! PEP holds, stored unchanged with its SHA-256, and downloaded (logged)
//! by those who may see the PEP.

use chrono::TimeDelta;
use openpep_domain::meeting::when_label;
use openpep_domain::pages::attainment::Rag;
use openpep_domain::pages::{self, Block, FieldSpec};
use openpep_domain::sign_off::Part;
use openpep_domain::targets::{AreaOfNeed, Who};
use openpep_domain::template::{Page as TemplatePage, PageKind};
use openpep_domain::{AcademicYear, Action, Pence, PepStatus, Term};
use openpep_pdf::{Block as PdfBlock, Page, PepDocument, Quality, Section, SignOffEntry};
use openpep_store::archives::{self, Archive};
use openpep_store::funding::RequestRow;
use openpep_store::sign_off::PartMark;
use openpep_store::{audit, authorities, funding};
use serde_json::json;

use crate::documents::Download;
use crate::pep_editing::{PepRef, PepView};
use crate::sessions::sha256_hex;
use crate::{Actor, ServiceError, Services};

/// How long a worker holds a PDF it is making.
const LEASE: TimeDelta = TimeDelta::minutes(5);

fn answer(spec: &FieldSpec, answers: &pages::Fields) -> PdfBlock {
    let value = answers.get(&spec.name).map_or("", String::as_str);
    PdfBlock::Answer { label: spec.label.clone(), text: spec.control.display(value) }
}

/// A typed page's blocks as the PDF prints them: each answer, list entry,
/// figure and table; the form's own hints and buttons left out.
fn printed(blocks: &[Block], answers: &pages::Fields, out: &mut Vec<PdfBlock>) {
    for block in blocks {
        match block {
            Block::Field(spec) => out.push(answer(spec, answers)),
            Block::Entry { legend, fields, .. } => {
                out.push(PdfBlock::Heading { text: legend.clone() });
                out.extend(fields.iter().map(|f| answer(f, answers)));
            }
            Block::Reveal { field, value, blocks } => {
                if answers.get(field) == Some(value) {
                    printed(blocks, answers, out);
                }
            }
            Block::Heading { text, .. } => out.push(PdfBlock::Heading { text: text.clone() }),
            Block::Figure { label, value, .. } => {
                out.push(PdfBlock::Answer { label: label.clone(), text: value.clone() })
            }
            Block::Alert { text, .. } => out.push(PdfBlock::Note { text: text.clone() }),
            Block::Table { caption, head, rows } => out.push(table(caption, head, rows.clone())),
            Block::Add { .. } | Block::Paragraph(_) => {}
        }
    }
}

fn table(caption: &str, head: &[String], rows: Vec<Vec<String>>) -> PdfBlock {
    let numeric = head
        .iter()
        .enumerate()
        .map(|(i, _)| {
            !rows.is_empty()
                && rows.iter().all(|r| {
                    r.get(i).is_some_and(|c| {
                        let c = c.trim_start_matches('£').replace([',', '%', '.'], "");
                        !c.is_empty() && c.chars().all(|ch| ch.is_ascii_digit())
                    })
                })
        })
        .collect();
    PdfBlock::Table { caption: caption.to_owned(), head: head.to_vec(), rows, numeric }
}

fn targets_blocks(view: &PepView, requests: &[RequestRow]) -> Vec<PdfBlock> {
    let head = ["#", "Area", "Target", "Actions", "By when", "Status"].map(String::from);
    let rows = view
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let actions: Vec<String> = t
                .actions
                .0
                .iter()
                .map(|a| {
                    let who = if a.who_name.is_empty() {
                        Who::from_code(&a.who).map_or(a.who.clone(), |w| w.label().to_owned())
                    } else {
                        a.who_name.clone()
                    };
                    format!("{who}: {}", a.what)
                })
                .collect();
            vec![
                (i + 1).to_string(),
                AreaOfNeed::from_code(&t.area).map_or(t.area.clone(), |a| a.label().to_owned()),
                format!("{}\nMeasure: {}", t.description, t.success_measure),
                actions.join("\n"),
                t.due_label.clone(),
                openpep_domain::targets::TargetStatus::from_code(&t.status)
                    .map_or(t.status.clone(), |s| s.label().to_owned()),
            ]
        })
        .collect();
    let mut out = vec![table("Targets", &head, rows)];
    if !requests.is_empty() {
        let head = ["Target", "For", "Asked", "Approved", "Status"].map(String::from);
        let money = |p: i64| Pence::from_pence(p).to_string();
        let rows = requests
            .iter()
            .map(|r| {
                vec![
                    r.target.clone(),
                    r.purchase.clone(),
                    money(r.amount_pence),
                    r.approved_pence.map_or_else(String::new, money),
                    openpep_domain::funding::FundingStatus::from_code(&r.status)
                        .map_or(r.status.clone(), |s| s.label().to_owned()),
                ]
            })
            .collect();
        out.push(table("Pupil Premium Plus funding", &head, rows));
    }
    out
}

fn page_blocks(view: &PepView, page: &TemplatePage, requests: &[RequestRow]) -> Vec<PdfBlock> {
    let answers = view.answers(&page.key).unwrap_or_default();
    match page.kind {
        PageKind::Targets => return targets_blocks(view, requests),
        PageKind::Documents => {
            if view.documents.is_empty() {
                return vec![PdfBlock::Note { text: "No documents were added.".into() }];
            }
            let rows: Vec<Vec<String>> = view
                .documents
                .iter()
                .map(|d| {
                    let kind = pages::DocumentKind::from_code(&d.kind)
                        .map_or(d.kind.clone(), |k| k.label().to_owned());
                    vec![d.title.clone(), kind]
                })
                .collect();
            let head = ["Document", "Kind"].map(String::from);
            return vec![table("Documents", &head, rows)];
        }
        _ => {}
    }
    let ctx = view.page_context(page, None);
    let mut out = Vec::new();
    match pages::layout(page.kind, &answers, &ctx) {
        Some(blocks) => printed(&blocks, &answers, &mut out),
        None => {
            for q in view.questions(page) {
                let spec = FieldSpec::for_question(&q, q.key.clone());
                out.push(answer(&spec, &answers));
            }
        }
    }
    out
}

/// The PEP as its archival document.
fn document(
    view: &PepView,
    authority: &str,
    (marks, signer): (&[PartMark], Option<&str>),
    requests: &[RequestRow],
    version: i64,
    generated: chrono::DateTime<chrono::Utc>,
) -> PepDocument {
    let sections = view
        .task_list()
        .into_iter()
        .map(|section| Section {
            title: format!("{}. {}", section.letter, section.title),
            pages: section
                .pages
                .iter()
                .filter(|p| p.kind != PageKind::SignOff)
                .filter_map(|p| view.page(&p.key))
                .map(|page| {
                    let state = view.pages.get(&page.key).map_or("Not started", |p| {
                        crate::pep_editing::PageState::from_code(&p.status).label()
                    });
                    Page {
                        title: page.title.clone(),
                        status: state.to_owned(),
                        blocks: page_blocks(view, page, requests),
                    }
                })
                .collect(),
        })
        .filter(|s| !s.pages.is_empty())
        .collect();
    let sign_offs = marks
        .iter()
        .map(|m| SignOffEntry {
            part: Part::from_code(&m.part).map_or(m.part.clone(), |p| p.label().to_owned()),
            name: m.marked_by_name.clone(),
            role: "Marked their part completed".into(),
            at: when_label(m.marked_at),
        })
        .chain(view.pep.signed_off_at.map(|at| SignOffEntry {
            part: "The whole PEP".into(),
            name: signer.unwrap_or_default().to_owned(),
            role: "Signed the PEP off".into(),
            at: when_label(at),
        }))
        .collect();
    let term = Term::from_code(&view.pep.term).map_or("", |t| t.label());
    PepDocument {
        child_name: view.child.full_name(),
        authority: authority.to_owned(),
        school: view
            .school
            .as_ref()
            .map_or_else(|| "No school place".to_owned(), |s| s.school_name.clone()),
        term: format!("{term} term {}", AcademicYear(view.pep.academic_year)),
        meeting: view.pep.meeting_at.map_or_else(|| "No meeting recorded".to_owned(), when_label),
        status: view.status().label().to_owned(),
        generated: when_label(generated),
        version: u32::try_from(version).unwrap_or(1),
        sections,
        sign_offs,
        quality: None,
    }
}

/// A grade as the PDF shows it, with the progress judgement confirmed.
fn quality(g: &openpep_store::quality::GradeRow) -> Quality {
    let grade = g.grade_label();
    let rag = g.progress_rag.as_deref().and_then(Rag::from_code);
    let comments = match rag {
        Some(rag) => format!("Overall progress: {}.\n{}", rag.text(), g.comments),
        None => g.comments.clone(),
    };
    Quality {
        grade: grade.to_owned(),
        by: g.graded_by_name.clone(),
        at: when_label(g.graded_at),
        comments: comments.trim().to_owned(),
    }
}

impl Services {
    /// Makes the PDFs waiting to be made, a batch at a time; how many were
    /// made. Two a core are made at once: one renders (typst, on a blocking
    /// thread) while the other reads its PEP, so a deadline's sign-offs are
    /// not made one by one.
    pub async fn make_archives(&self) -> Result<usize, ServiceError> {
        let now = self.clock.now();
        if !archives::any_due(&self.db, now).await? {
            return Ok(0);
        }
        let cores = crate::cores();
        let at_once = cores * 2;
        let claimed = archives::claim_pending(&self.db, now, LEASE, (at_once * 2) as i64).await?;
        let mut renders = tokio::task::JoinSet::new();
        let mut waiting = claimed.into_iter();
        let mut made = 0;
        loop {
            while renders.len() < at_once {
                let Some(archive) = waiting.next() else { break };
                let services = self.clone();
                renders.spawn(async move {
                    let result = services.make_archive(&archive).await;
                    (archive.id, result)
                });
            }
            let Some(done) = renders.join_next().await else { break };
            let (id, result) =
                done.map_err(|e| ServiceError::Internal(format!("a PDF job stopped: {e}")))?;
            match result {
                Ok(()) => made += 1,
                Err(error) => {
                    // Typst's messages may quote the PEP: kept with the row,
                    // never logged.
                    tracing::warn!(archive_id = %id, "PEP PDF not made");
                    archives::attempt_failed(&self.db, id, &error.to_string()).await?;
                }
            }
        }
        Ok(made)
    }

    async fn make_archive(&self, archive: &Archive) -> Result<(), ServiceError> {
        let (la_id, pep_id) = (archive.la_id, archive.pep_id);
        let view = self.load_pep_for_authority(la_id, pep_id).await?;
        // Reopened before the worker came to it: the signed-off PEP it was
        // for is no more (the next sign-off queues a new version).
        if !view.status().is_complete() {
            archives::cancel(&self.db, archive.id).await?;
            return Ok(());
        }
        let (la, marks, requests, grades) = tokio::try_join!(
            authorities::get(&self.db, la_id),
            openpep_store::sign_off::marks(&self.db, la_id, pep_id),
            funding::for_pep(&self.db, la_id, pep_id),
            openpep_store::quality::grades(&self.db, la_id, pep_id),
        )?;
        let signer = match view.pep.signed_off_by {
            Some(id) => Some(openpep_store::users::get(&self.db, id).await?.display_name),
            None => None,
        };
        let now = self.clock.now();
        let signed = (marks.as_slice(), signer.as_deref());
        let mut doc = document(&view, &la.name, signed, &requests, archive.version, now);
        // Only a quality-assured PEP carries its (latest) grade.
        doc.quality =
            grades.last().filter(|_| view.status() == PepStatus::QualityAssured).map(quality);
        let bytes = tokio::task::spawn_blocking(move || openpep_pdf::render(&doc))
            .await
            .map_err(|e| ServiceError::Internal(format!("the PDF job stopped: {e}")))?
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let sha = sha256_hex(&bytes);
        let key = format!("{la_id}/pep-{pep_id}-v{}", archive.version);
        self.put_file(&key, &bytes, "a PEP PDF").await?;
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        archives::made(&self.db, archive.id, &sha, size, &key, now).await?;
        Ok(())
    }

    /// A version of the PEP's PDF, for those who may see the PEP; checked
    /// against its SHA-256, and every download logged.
    pub async fn download_archive(
        &self,
        actor: &Actor,
        at: PepRef,
        version: i64,
    ) -> Result<Download, ServiceError> {
        // The PDF holds the whole record (every document, the funding):
        // not found unless the actor may see all of it.
        let view = self.load_pep_to_save(actor, at).await?;
        if !openpep_domain::allowed(actor.role, Action::ViewChildRecord, view.relationship) {
            return Err(ServiceError::NotFound);
        }
        let archive = archives::for_pep(&self.db, actor.la_id, view.pep.id)
            .await?
            .into_iter()
            .find(|a| a.version == version && a.status == "ready")
            .ok_or(ServiceError::NotFound)?;
        let (Some(key), Some(sha)) = (&archive.file_key, &archive.sha256) else {
            return Err(ServiceError::NotFound);
        };
        let bytes = self.read_checked_file(key, sha, "a PEP PDF").await?;
        let event = actor.event_about_child(
            "pep.pdf_downloaded",
            ("pep", view.pep.id),
            view.child.id,
            json!({ "version": version, "sha256": sha, "role": actor.role.code() }),
            self.clock.now(),
        );
        audit::record_now(&self.db, &event).await?;
        let term = Term::from_code(&view.pep.term).map_or("term", |t| t.code());
        Ok(Download {
            file_name: format!(
                "PEP-{}-{}-{term}-v{version}.pdf",
                view.pep.academic_year,
                view.child.id.simple()
            ),
            content_type: "application/pdf".into(),
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_money_align_right_words_do_not() {
        let head = ["Subject", "Sessions", "Cost"].map(String::from);
        let rows = vec![vec!["Maths".into(), "176".into(), "£450.00".into()]];
        let PdfBlock::Table { numeric, .. } = table("t", &head, rows) else { panic!("a table") };
        assert_eq!(numeric, [false, true, true]);
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
