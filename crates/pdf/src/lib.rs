//! The PEP's archival PDF.
//!
//! A [`PepDocument`] is serialised to JSON and handed to a typst template
//! (`pep.typ`) as a virtual file, so every piece of user text reaches typst
//! as data and is never parsed as markup. The fonts are embedded in the
//! binary: rendering never looks at the system's fonts or files.

use std::sync::LazyLock;

use serde::Serialize;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

/// A whole PEP, ready to print: every field is already formatted for a reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PepDocument {
    /// The child's name as it should appear on every page.
    pub child_name: String,
    /// The responsible local authority, e.g. "Northmere Council".
    pub authority: String,
    /// The school or setting, or "No school place".
    pub school: String,
    /// The PEP's term, e.g. "Autumn term 2026/27".
    pub term: String,
    /// The PEP meeting, e.g. "Thursday 3 December 2026 at 2:30pm".
    pub meeting: String,
    /// The PEP's status, e.g. "Signed off".
    pub status: String,
    /// When this PDF was produced, e.g. "23 November 2026 at 4:05pm".
    pub generated: String,
    /// The archive version: a new one is made when, for example, QA is added.
    pub version: u32,
    /// The PEP's sections in order.
    pub sections: Vec<Section>,
    /// The sign-offs given; empty when the PEP is not signed off.
    pub sign_offs: Vec<SignOffEntry>,
    /// The quality assurance outcome, when there is one.
    pub quality: Option<Quality>,
}

/// A section of the PEP: a heading over its pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// The section's title.
    pub title: String,
    /// The section's pages in order.
    pub pages: Vec<Page>,
}

/// One page of the PEP form, printed as a sub-heading and its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page {
    /// The page's title.
    pub title: String,
    /// The page's status, e.g. "Completed", printed small beside the title.
    pub status: String,
    /// The page's content in order.
    pub blocks: Vec<Block>,
}

/// A piece of a page's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A question and its answer; the answer may hold newlines.
    Answer {
        /// The question.
        label: String,
        /// The answer; blank lines separate paragraphs.
        text: String,
    },
    /// A table whose header row repeats across page breaks.
    Table {
        /// A caption printed above the table.
        caption: String,
        /// The column headings.
        head: Vec<String>,
        /// The rows; a short row is padded with empty cells.
        rows: Vec<Vec<String>>,
        /// Which columns are numeric (right-aligned), by position.
        numeric: Vec<bool>,
    },
    /// A sub-heading within a page.
    Heading {
        /// The sub-heading's text.
        text: String,
    },
    /// A paragraph of text.
    Note {
        /// The paragraph's text.
        text: String,
    },
}

/// One sign-off of the PEP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignOffEntry {
    /// What was signed off, e.g. "Designated teacher".
    pub part: String,
    /// Who signed it off.
    pub name: String,
    /// What they did (marked their part completed, signed the PEP off).
    pub role: String,
    /// When, formatted for a reader.
    pub at: String,
}

/// The outcome of the virtual school's quality assurance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quality {
    /// The grade given, e.g. "Good".
    pub grade: String,
    /// Who graded it.
    pub by: String,
    /// When, formatted for a reader.
    pub at: String,
    /// The reviewer's comments.
    pub comments: String,
}

/// Rendering failed; holds typst's error messages, joined.
#[derive(Debug, thiserror::Error)]
#[error("the PEP could not be rendered as a PDF: {0}")]
pub struct PdfError(String);

/// Renders a PEP as the bytes of a tagged PDF.
///
/// The same document always gives the same bytes: the PDF carries no date of its own.
/// Rendering is CPU-bound (tens of milliseconds in release), so async callers
/// should run it on a blocking thread.
pub fn render(doc: &PepDocument) -> Result<Vec<u8>, PdfError> {
    let data = serde_json::to_vec(doc).map_err(|err| PdfError(err.to_string()))?;
    let world = PepWorld::new(data)?;
    let compiled = typst::compile::<PagedDocument>(&world).output;
    // Typst's memoised layouts would otherwise stay for the server's life:
    // each PEP differs, so little is reused from one to the next.
    typst::comemo::evict(0);
    let document = compiled.map_err(|errors| PdfError(messages(&errors)))?;
    typst_pdf::pdf(&document, &PdfOptions::default()).map_err(|errors| PdfError(messages(&errors)))
}

fn messages(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics.iter().map(|diagnostic| diagnostic.message.as_str()).collect::<Vec<_>>().join("; ")
}

const TEMPLATE: &str = include_str!("pep.typ");
const TEMPLATE_PATH: &str = "pep.typ";
const DATA_PATH: &str = "data.json";

static FONTS: LazyLock<Vec<Font>> = LazyLock::new(|| {
    [
        include_bytes!("../fonts/DejaVuSans.ttf").as_slice(),
        include_bytes!("../fonts/DejaVuSans-Bold.ttf").as_slice(),
    ]
    .into_iter()
    .flat_map(|data| Font::iter(Bytes::new(data)))
    .collect()
});

static BOOK: LazyLock<LazyHash<FontBook>> =
    LazyLock::new(|| LazyHash::new(FontBook::from_fonts(FONTS.iter())));

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

fn file_id(path: &str) -> Result<FileId, PdfError> {
    let vpath = VirtualPath::new(path).map_err(|err| PdfError(format!("{path}: {err:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// The whole world typst sees: the template, one JSON file and our fonts.
struct PepWorld {
    main: Source,
    data_id: FileId,
    data: Bytes,
}

impl PepWorld {
    fn new(data: Vec<u8>) -> Result<Self, PdfError> {
        Ok(Self {
            main: Source::new(file_id(TEMPLATE_PATH)?, TEMPLATE.to_owned()),
            data_id: file_id(DATA_PATH)?,
            data: Bytes::new(data),
        })
    }

    fn not_found(id: FileId) -> FileError {
        FileError::NotFound(id.get().vpath().get_without_slash().into())
    }
}

impl World for PepWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &BOOK
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(Self::not_found(id)) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(Self::not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The template never asks: the caller formats every date.
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::time::Instant;

    const AWKWARD: &str =
        r"Costs #1: *not bold* $5 + $6 [see notes] _not_italic_ <b>tag</b> @someone C:\temp\new";

    const INJECTION: &str = r#"#panic("boom") #set page(fill: red) = Not a heading"#;

    fn answer(label: &str, text: &str) -> Block {
        Block::Answer { label: label.to_owned(), text: text.to_owned() }
    }

    fn long_answer(topic: &str, paragraphs: usize) -> String {
        let para = format!(
            "We talked about {topic}: what is going well, what gets in the way, and who will help. \
             The carer reads with her most evenings and the school has a quiet space at lunchtime. \
             She says the new timetable is easier, though mornings are still a rush. "
        )
        .repeat(3);
        vec![para; paragraphs].join("\n\n")
    }

    fn attendance_table() -> Block {
        let rows = (1..=40)
            .map(|week| {
                vec![
                    format!("Week {week}"),
                    format!("{}", 10 - week % 3),
                    format!("{}", week % 3),
                    format!("{:.1}%", 100.0 - f64::from(week % 3) * 10.0),
                ]
            })
            .collect();
        Block::Table {
            caption: "Attendance by week".to_owned(),
            head: ["Week", "Sessions attended", "Sessions missed", "Attendance"]
                .map(str::to_owned)
                .to_vec(),
            rows,
            numeric: vec![false, true, true, true],
        }
    }

    fn page(title: &str, status: &str, blocks: Vec<Block>) -> Page {
        Page { title: title.to_owned(), status: status.to_owned(), blocks }
    }

    fn section(title: &str, pages: Vec<Page>) -> Section {
        Section { title: title.to_owned(), pages }
    }

    fn sample() -> PepDocument {
        PepDocument {
            child_name: "Zoë O’Hara-Lindqvist".to_owned(),
            authority: "Northmere Council".to_owned(),
            school: "Poppyfields Academy".to_owned(),
            term: "Autumn term 2026/27".to_owned(),
            meeting: "Thursday 3 December 2026 at 2:30pm".to_owned(),
            status: "Signed off".to_owned(),
            generated: "23 November 2026 at 4:05pm".to_owned(),
            version: 2,
            sections: vec![
                section(
                    "About me",
                    vec![page(
                        "My views",
                        "Completed",
                        vec![
                            answer("What I enjoy at school", &long_answer("enjoyment", 9)),
                            answer("Anything else", AWKWARD),
                            answer("Markup that must stay text", INJECTION),
                            answer(
                                "What I find hard",
                                "Maths homework\nGetting up on time\n\nSpelling — café, naïve, £20 trips",
                            ),
                        ],
                    )],
                ),
                section(
                    "Attendance and attainment",
                    vec![
                        page(
                            "Attendance",
                            "Completed",
                            vec![
                                Block::Note {
                                    text: format!(
                                        "Figures supplied by the school’s attendance officer: \
                                         https://example.org/attendance/reports/autumn-2026/northmere/poppyfields-academy/summary-by-week\n\n{}",
                                        long_answer("attendance", 3)
                                    ),
                                },
                                attendance_table(),
                            ],
                        ),
                        page(
                            "Attainment",
                            "In progress",
                            vec![
                                Block::Heading { text: "English".to_owned() },
                                answer("Progress since the last PEP", &long_answer("English", 2)),
                            ],
                        ),
                    ],
                ),
                section(
                    "Targets",
                    vec![page(
                        "SMART targets",
                        "Completed",
                        vec![Block::Table {
                            caption: "Targets for this term".to_owned(),
                            head: ["Target", "Who helps", "Funding (£)"]
                                .map(str::to_owned)
                                .to_vec(),
                            rows: vec![
                                ["Read for 20 minutes a day", "Carer", "0"]
                                    .map(str::to_owned)
                                    .to_vec(),
                                ["Weekly maths tutoring", "Tutor", "450.00"]
                                    .map(str::to_owned)
                                    .to_vec(),
                            ],
                            numeric: vec![false, false, true],
                        }],
                    )],
                ),
                section(
                    "Next steps",
                    vec![page("Actions", "Not started", vec![answer("Actions agreed", "")])],
                ),
            ],
            sign_offs: vec![SignOffEntry {
                part: "Designated teacher".to_owned(),
                name: "Priya Sandhu".to_owned(),
                role: "Designated teacher".to_owned(),
                at: "20 November 2026 at 11:15am".to_owned(),
            }],
            quality: Some(Quality {
                grade: "Good".to_owned(),
                by: "Tom Ashdown".to_owned(),
                at: "23 November 2026 at 3:50pm".to_owned(),
                comments: "Clear targets; the child’s voice comes through.".to_owned(),
            }),
        }
    }

    fn has_tool(name: &str) -> bool {
        Command::new(name).arg("-v").output().is_ok()
    }

    fn scratch_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("openpep-pdf-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn pdf_text(pdf: &Path) -> String {
        let out = Command::new("pdftotext").arg(pdf).arg("-").output().unwrap();
        assert!(out.status.success(), "pdftotext failed");
        String::from_utf8(out.stdout).unwrap()
    }

    fn render_timed(doc: &PepDocument) -> Vec<u8> {
        let start = Instant::now();
        let bytes = render(doc).unwrap();
        eprintln!("rendered {} bytes in {:?}", bytes.len(), start.elapsed());
        bytes
    }

    #[test]
    fn renders_sample_with_literal_text_and_page_numbers() {
        let dir = scratch_dir("sample");
        let bytes = render_timed(&sample());
        assert!(bytes.starts_with(b"%PDF-"));
        let pdf = dir.join("pep.pdf");
        std::fs::write(&pdf, &bytes).unwrap();

        if has_tool("pdftotext") {
            let text = pdf_text(&pdf);
            for expected in [
                "Zoë O’Hara-Lindqvist",
                "OFFICIAL-SENSITIVE",
                "Page 1 of ",
                "Personal Education Plan — Autumn term 2026/27",
                AWKWARD,
                INJECTION,
                "café, naïve, £20 trips",
                "Priya Sandhu",
                "Quality assurance",
                "450.00",
            ] {
                assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
            }
            let pages = text.matches("OFFICIAL-SENSITIVE").count();
            assert!(pages >= 5, "expected several pages, found {pages} markings");
        } else {
            eprintln!("pdftotext not installed: skipped the text checks");
        }

        if has_tool("pdftoppm") {
            let status = Command::new("pdftoppm")
                .args(["-png", "-r", "60"])
                .arg(&pdf)
                .arg(dir.join("page"))
                .status()
                .unwrap();
            assert!(status.success());
            let pngs: Vec<PathBuf> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "png"))
                .collect();
            assert!(pngs.len() >= 2, "expected at least 2 pages, got {}", pngs.len());
            for png in &pngs {
                assert!(std::fs::metadata(png).unwrap().len() > 0);
            }
            if let Ok(preview) = std::env::var("OPENPEP_PDF_PREVIEW_DIR") {
                std::fs::create_dir_all(&preview).unwrap();
                for file in pngs.iter().chain([&pdf]) {
                    std::fs::copy(file, Path::new(&preview).join(file.file_name().unwrap()))
                        .unwrap();
                }
                eprintln!("preview written to {preview}");
            }
        } else {
            eprintln!("pdftoppm not installed: skipped the PNG checks");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn renders_a_bare_plan_the_same_each_time_and_sets_the_title() {
        let mut doc = sample();
        doc.sections = vec![section(
            "Odd tables",
            vec![page(
                "Edge cases",
                "",
                vec![
                    Block::Table {
                        caption: String::new(),
                        head: vec![],
                        rows: vec![vec!["ignored".to_owned()]],
                        numeric: vec![],
                    },
                    Block::Table {
                        caption: "Ragged".to_owned(),
                        head: ["A", "B"].map(str::to_owned).to_vec(),
                        rows: vec![
                            vec![],
                            vec!["1".to_owned(), "Xylophone".repeat(15), "3".to_owned()],
                        ],
                        numeric: vec![true, true, true, true],
                    },
                    Block::Note { text: "Windows line ends\r\nare fine".to_owned() },
                    answer("A very long word", &"Supercalifragilistic".repeat(12)),
                ],
            )],
        )];
        doc.sign_offs.clear();
        doc.quality = None;
        let dir = scratch_dir("bare");
        let pdf = dir.join("bare.pdf");
        let bytes = render_timed(&doc);
        assert_eq!(render(&doc).unwrap(), bytes, "the same document must give the same bytes");
        std::fs::write(&pdf, bytes).unwrap();
        if let Ok(preview) = std::env::var("OPENPEP_PDF_PREVIEW_DIR") {
            std::fs::create_dir_all(&preview).unwrap();
            std::fs::copy(&pdf, Path::new(&preview).join("bare.pdf")).unwrap();
        }

        if has_tool("pdftotext") && has_tool("pdfinfo") {
            let text = pdf_text(&pdf);
            assert!(text.contains("Not signed off"), "{text}");
            assert!(!text.contains("Quality assurance"), "{text}");
            let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
            let info = String::from_utf8(info.stdout).unwrap();
            assert!(
                info.contains(
                    "Personal Education Plan: Zoë O’Hara-Lindqvist (Autumn term 2026/27)"
                ),
                "{info}"
            );
        } else {
            eprintln!("pdftotext or pdfinfo not installed: skipped the text checks");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
