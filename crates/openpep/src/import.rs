//! `openpep import <kind> FILE`: a file from the council's systems into an
//! authority, streamed from disk whatever its size, all or nothing.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use openpep_service::imports::{ImportKind, ImportReport, Mapping};

use crate::config::Settings;
use crate::server;

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// SSDA903 Header: one row a child.
    Children,
    /// SSDA903 Episodes: one row a care episode.
    Episodes,
    /// The council's own CSV of children (see --map).
    LaChildren,
    /// GIAS's establishment file.
    Schools,
    /// Sessions by UPN, into each child's current PEP.
    Attendance,
}

#[derive(Args)]
pub struct ImportArgs {
    /// What the file holds.
    kind: KindArg,
    /// The CSV file.
    file: PathBuf,
    /// The authority's three-digit LA code.
    #[arg(long)]
    la: String,
    /// Only check the file and report what importing it would do.
    #[arg(long)]
    dry_run: bool,
    /// The VS administrator the import is made as (needed for attendance).
    #[arg(long = "as")]
    as_email: Option<String>,
    /// For la-children: FIELD=COLUMN, e.g. --map FORENAME="First name"
    /// (fields: CHILD, FORENAME, SURNAME, PREFERRED_NAME, DOB, SEX, ETHNIC,
    /// UPN, SCHOOL_URN, SCHOOL_START). Columns not given are guessed.
    #[arg(long = "map", value_parser = parse_map)]
    map: Vec<(String, String)>,
}

fn parse_map(text: &str) -> Result<(String, String), String> {
    let (field, column) =
        text.split_once('=').ok_or_else(|| format!("{text:?}: write FIELD=COLUMN"))?;
    Ok((field.trim().to_ascii_uppercase(), column.trim().to_owned()))
}

pub async fn run(settings: Settings, args: ImportArgs) -> anyhow::Result<bool> {
    let db = server::open_database(&settings).await?;
    let services = server::services(db.clone(), &settings)?;
    let kind = match args.kind {
        KindArg::Children => ImportKind::Children,
        KindArg::Episodes => ImportKind::Episodes,
        KindArg::LaChildren => ImportKind::LaChildren,
        KindArg::Schools => ImportKind::Schools,
        KindArg::Attendance => ImportKind::Attendance,
    };
    let mapping: Mapping = args.map.into_iter().collect();
    let started = std::time::Instant::now();
    let (id, report) = services
        .import_from_path(
            &args.la,
            args.as_email.as_deref(),
            kind,
            &mapping,
            &args.file,
            !args.dry_run,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    db.close().await;
    print!("{}", describe(&report, !args.dry_run));
    println!("Import {id}, {:.1} s", started.elapsed().as_secs_f64());
    Ok(report.importable())
}

fn describe(report: &ImportReport, commit: bool) -> String {
    let mut out = String::new();
    for problem in &report.file_problems {
        out.push_str(&format!("File: {problem}\n"));
    }
    let verb = match (commit, report.importable()) {
        (false, _) => "would be",
        (true, true) => "were",
        (true, false) => "would have been (nothing was imported)",
    };
    out.push_str(&format!(
        "{} rows: {} created, {} updated, {} unchanged, {} skipped, {} refused — {verb}\n",
        report.rows,
        report.created,
        report.updated,
        report.unchanged,
        report.skipped,
        report.refused
    ));
    for p in report.problems.iter().take(50) {
        let column = if p.column.is_empty() { String::new() } else { format!(" {}", p.column) };
        out.push_str(&format!("  line {} ({}){column}: {}\n", p.line, p.key, p.reason));
    }
    if report.problems.len() > 50 {
        out.push_str(&format!("  … and {} more problems\n", report.problems.len() - 50));
    }
    out
}
