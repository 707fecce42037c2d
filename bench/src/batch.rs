//! `openpep-bench batch`: the term's bulk work for one authority, timed
//! per 100 PEPs. The Virtual School head delegates the next term through
//! the delegation page (a PEP, with what carries forward, for every
//! eligible child, in one transaction); then as many signed-off PEPs'
//! archival PDFs are queued as a deadline's sign-offs queue them, and the
//! server's own worker makes them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use chrono::Utc;
use openpep_domain::{AcademicYear, Term};
use openpep_store::{Db, archives, authorities};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::accounts::{self, SignInLocks};
use crate::run::Run;
use crate::settle::{self, count};
use crate::stats::Recorder;
use crate::vu::Vu;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    run: Run,
    /// The authority (the demo's first).
    #[arg(long, default_value = "990")]
    la_code: String,
    /// Signed-off PEPs whose PDFs are queued for the worker.
    #[arg(long, default_value_t = 2000)]
    pdfs: i64,
    /// How long the worker may take before the run gives up.
    #[arg(long, default_value_t = 1800)]
    timeout_secs: u64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct BatchReport {
    pub label: String,
    /// The authority's children.
    pub children: i64,
    /// "Spring term 2026/27".
    pub term: String,
    pub delegated: i64,
    pub delegation_secs: f64,
    pub pdfs: i64,
    pub pdf_secs: f64,
    /// Queued PDFs the worker could not make.
    pub pdfs_not_made: i64,
}

impl BatchReport {
    /// Seconds per 100 PEPs.
    pub fn per_100(count: i64, secs: f64) -> f64 {
        if count == 0 { 0.0 } else { secs * 100.0 / count as f64 }
    }
}

/// The term after today's.
fn next_term(today: chrono::NaiveDate) -> (AcademicYear, Term) {
    let year = AcademicYear::containing(today);
    match Term::containing(today) {
        Term::Autumn => (year, Term::Spring),
        Term::Spring => (year, Term::Summer),
        Term::Summer => (year.next(), Term::Autumn),
    }
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let db = args.run.database().await?;
    let la = authorities::by_code(&db, &args.la_code).await?.context("the authority")?;
    let head = accounts::vs_head(&db, &args.la_code).await?;
    let children = count!(&db, "SELECT COUNT(*) FROM children WHERE la_id = $1", la.id);

    let (year, term) = next_term(Utc::now().date_naive());
    let mut vu = Vu::new(&args.run.url, Arc::new(Recorder::default()), head)?;
    vu.sign_in(&db, &SignInLocks::default()).await?;
    vu.get("GET /peps/delegate", "/peps/delegate").await?;
    let fields = [("year".to_owned(), year.0.to_string()), ("term".to_owned(), term.code().into())];
    let started = Instant::now();
    let reply = vu.post("POST /peps/delegate/confirm", "/peps/delegate/confirm", &fields).await?;
    let delegation_secs = started.elapsed().as_secs_f64();
    let delegated: i64 = reply
        .location
        .as_deref()
        .and_then(|l| l.split("created=").nth(1))
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("delegating {} {year} gave {}", term.label(), reply.status))?;
    ensure!(delegated > 0, "nothing to delegate: was the data set used before?");
    eprintln!("delegated {delegated} PEPs in {delegation_secs:.1} s");

    let (pdfs, pdf_secs, not_made) = pdfs(&db, la.id, args.pdfs, args.timeout_secs).await?;
    eprintln!("made {pdfs} PDFs in {pdf_secs:.1} s");
    let report = BatchReport {
        label: args.run.label.clone(),
        children,
        term: format!("{} term {year}", term.label()),
        delegated,
        delegation_secs,
        pdfs,
        pdf_secs,
        pdfs_not_made: not_made,
    };
    args.run.write(&format!("batch-{}.json", args.run.label), &report)?;
    db.close().await;
    Ok(())
}

/// Queues `count` signed-off PEPs' PDFs at once, as sign-off does, and
/// waits for the worker: (queued, seconds, not made).
async fn pdfs(db: &Db, la_id: Uuid, count: i64, timeout: u64) -> anyhow::Result<(i64, f64, i64)> {
    let timeout = Duration::from_secs(timeout);
    // The demo's own PDFs first, so that the worker starts from nothing.
    settle::pdfs_made(db, Some(la_id), timeout).await?;
    let sql = "SELECT child_id, id FROM peps WHERE la_id = $1 \
               AND status IN ('signed_off', 'quality_assured') ORDER BY due_on DESC, id LIMIT $2";
    let peps: Vec<(Uuid, Uuid)> = openpep_store::on_db!(db, pool => {
        sqlx::query_as(sql).bind(la_id).bind(count).fetch_all(pool).await?
    });
    let queued_at = Utc::now();
    let mut tx = db.begin().await?;
    for (child_id, pep_id) in &peps {
        archives::queue(&mut tx, (la_id, *child_id, *pep_id), "signed_off", queued_at).await?;
    }
    tx.commit().await?;
    let started = Instant::now();
    settle::pdfs_made(db, Some(la_id), timeout).await?;
    let secs = started.elapsed().as_secs_f64();
    let made = count!(
        db,
        "SELECT COUNT(*) FROM pep_archives WHERE la_id = $1 AND status = 'ready' \
         AND requested_at >= $2",
        la_id,
        queued_at
    );
    let queued = peps.len() as i64;
    Ok((queued, secs, queued - made))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn the_next_term_follows_today_s() {
        let on = |y, m, d| next_term(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(on(2026, 11, 23), (AcademicYear(2026), Term::Spring));
        assert_eq!(on(2027, 2, 1), (AcademicYear(2026), Term::Summer));
        assert_eq!(on(2027, 6, 1), (AcademicYear(2027), Term::Autumn));
    }
}
