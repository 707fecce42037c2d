//! `openpep-bench scale`: one authority's dashboard and learner list, timed
//! one request at a time as its Virtual School head opens them, with the
//! database's plans for the dashboard's queries. Run against a database
//! holding that authority alone and one holding 150, the report compares
//! the two.

use std::sync::Arc;

use anyhow::Context;
use openpep_domain::{AcademicYear, ChildScope, Term};
use openpep_store::{Db, authorities};
use serde::{Deserialize, Serialize};

use crate::accounts::{self, SignInLocks};
use crate::run::Run;
use crate::settle;
use crate::stats::{Recorder, RouteStats};
use crate::vu::Vu;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    run: Run,
    /// The authority timed (the demo's first).
    #[arg(long, default_value = "990")]
    la_code: String,
    /// Requests of each page timed (after ten to warm up): enough for a
    /// p50 that differences of a millisecond do not move.
    #[arg(long, default_value_t = 200)]
    requests: usize,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ScaleReport {
    pub label: String,
    pub authorities: i64,
    pub children: i64,
    pub peps: i64,
    pub routes: Vec<RouteStats>,
    /// (query, plan) for each dashboard query of the authority.
    pub plans: Vec<(String, String)>,
}

const PAGES: [(&str, &str); 2] = [("GET /dashboard", "/dashboard"), ("GET /learners", "/learners")];

pub async fn run(args: Args) -> anyhow::Result<()> {
    let db = args.run.database().await?;
    // Nothing timed while the worker makes the data set's queued PDFs.
    settle::pdfs_made(&db, None, std::time::Duration::from_secs(3600)).await?;
    let head = accounts::vs_head(&db, &args.la_code).await?;
    let recorder = Arc::new(Recorder::default());
    let mut vu = Vu::new(&args.run.url, recorder.clone(), head)?;
    vu.sign_in(&db, &SignInLocks::default()).await?;
    for (route, path) in PAGES {
        for _ in 0..10 {
            vu.get(route, path).await?;
        }
    }
    recorder.clear();
    let started = std::time::Instant::now();
    for _ in 0..args.requests {
        for (route, path) in PAGES {
            let reply = vu.get(route, path).await?;
            anyhow::ensure!(reply.status.is_success(), "{route}: {}", reply.status);
        }
    }
    let routes = recorder.summary(started.elapsed().as_secs_f64());

    let la = authorities::by_code(&db, &args.la_code).await?.context("the authority")?;
    let today = chrono::Utc::now().date_naive();
    let term = (AcademicYear::containing(today).0, Term::containing(today).code());
    let keys: Vec<String> =
        ["attendance", "attainment", "exclusions", "sdq"].iter().map(|k| (*k).to_owned()).collect();
    let scope = ChildScope::Authority { la_id: la.id };
    let plans = openpep_store::dashboard::plans(&db, &scope, today, term, &keys).await?;
    let count = |table: &str| {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let db = db.clone();
        async move {
            Ok::<i64, sqlx::Error>(match &db {
                Db::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await?,
                Db::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await?,
            })
        }
    };
    let report = ScaleReport {
        label: args.run.label.clone(),
        authorities: count("local_authorities").await?,
        children: count("children").await?,
        peps: count("peps").await?,
        routes,
        plans,
    };
    args.run.write(&format!("scale-{}-{}.json", args.run.label, report.authorities), &report)?;
    db.close().await;
    Ok(())
}
