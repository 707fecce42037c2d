//! `openpep-bench load`: virtual users on their deadline-week journeys
//! (with think times), then each page alone at full pace beside the floor
//! route, with the server's resident memory sampled throughout.

use std::sync::Arc;
use std::time::{Duration, Instant};

use openpep_store::Db;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::accounts::{self, Account, SignInLocks};
use crate::journeys::{self, Kind, Think};
use crate::memory::{self, Memory};
use crate::run::Run;
use crate::settle;
use crate::stats::{Recorder, RouteStats};
use crate::vu::Vu;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    run: Run,
    #[arg(long, default_value_t = 200)]
    vus: usize,
    /// Seconds of journeys measured (after a warm-up of a tenth as long).
    #[arg(long, default_value_t = 60)]
    journey_secs: u64,
    /// Seconds each page is driven at full pace (0: skip that phase).
    #[arg(long, default_value_t = 10)]
    saturate_secs: u64,
    /// Drive only these pages at full pace, beside the floors (e.g.
    /// "GET /peps", to profile one page); every page when none is given.
    #[arg(long = "saturate-only")]
    saturate_only: Vec<String>,
    #[arg(long, default_value_t = 500)]
    think_min_ms: u64,
    #[arg(long, default_value_t = 3000)]
    think_max_ms: u64,
    /// The server's process, whose resident memory is sampled.
    #[arg(long)]
    server_pid: Option<u32>,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

/// What a load run found.
#[derive(Debug, Serialize, Deserialize)]
pub struct LoadReport {
    pub label: String,
    pub machine: String,
    pub vus: usize,
    pub authorities: usize,
    pub think_ms: (u64, u64),
    pub sign_in: Vec<RouteStats>,
    pub journey_secs: f64,
    /// Each route of the journeys, the floor among them.
    pub journeys: Vec<RouteStats>,
    pub saturate_secs: f64,
    /// Each page alone at full pace with every virtual user, floor first.
    pub saturated: Vec<RouteStats>,
    pub memory: Memory,
}

/// The pages driven at full pace, as a Virtual School officer sees them.
const SATURATED: &[&str] = &[
    FLOOR,
    SIGNED_IN_FLOOR,
    "GET /learners",
    "GET /learners?q=",
    "GET /children/{id}",
    "GET /children/{id}/peps/{pep}",
    "GET /children/{id}/peps/{pep}/pages/{page}",
    "GET /dashboard",
    "GET /quality",
    "GET /peps",
];
/// The trivial route: no session, no database.
pub const FLOOR: &str = "GET /healthz (floor)";
/// The trivial signed-in route: the session read, nothing else.
pub const SIGNED_IN_FLOOR: &str = "GET /session/keep-alive (signed-in floor)";

pub async fn run(args: Args) -> anyhow::Result<()> {
    let db = args.run.database().await?;
    // The data set's queued PDFs, made before anything is timed.
    settle::pdfs_made(&db, None, Duration::from_secs(3600)).await?;
    let all = accounts::all(&db).await?;
    let authorities = {
        let mut codes: Vec<_> = all.iter().map(|a| a.la_code.as_str()).collect();
        codes.dedup();
        codes.len()
    };
    let locks = SignInLocks::default();
    let sign_ins = Arc::new(Recorder::default());
    let think = Think { min_ms: args.think_min_ms, max_ms: args.think_max_ms };
    let memory = memory::sample(args.server_pid);

    // Half designated teachers, a quarter social workers, a quarter officers.
    let mix = |i: usize| match i % 4 {
        0 | 1 => Kind::Teacher,
        2 => Kind::SocialWorker,
        _ => Kind::Officer,
    };
    let kinds: Vec<Kind> = (0..args.vus).map(mix).collect();
    eprintln!("signing in {} journey users", args.vus);
    let journeys = Arc::new(Recorder::default());
    let users = sign_in_all(&args, &db, &locks, &all, &kinds, &sign_ins, &journeys).await?;

    eprintln!("journeys: {} s (after a warm-up)", args.journey_secs);
    let warm_up = Duration::from_secs((args.journey_secs / 10).max(2));
    let measured = Duration::from_secs(args.journey_secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, (mut vu, kind)) in users.into_iter().enumerate() {
        let end = started + warm_up + measured;
        let mut rng = StdRng::seed_from_u64(args.seed ^ i as u64);
        tasks.push(tokio::spawn(async move {
            // Users arrive over the first second rather than all at once.
            tokio::time::sleep(Duration::from_millis((i as u64 * 997) % 1000)).await;
            while Instant::now() < end {
                if journeys::pass(&mut vu, kind, &mut rng, think).await.is_err() {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }));
    }
    tokio::time::sleep(warm_up).await;
    journeys.clear();
    let window = Instant::now();
    for task in tasks {
        task.await?;
    }
    let journey_secs = window.elapsed().as_secs_f64();

    let mut saturated = Vec::new();
    if args.saturate_secs > 0 {
        let officers = vec![Kind::Officer; args.vus];
        eprintln!("signing in {} officers for the full-pace phase", args.vus);
        let scratch = Arc::new(Recorder::default());
        let users = sign_in_all(&args, &db, &locks, &all, &officers, &sign_ins, &scratch).await?;
        saturated = saturate(users, &scratch, args.saturate_secs, &args.saturate_only).await?;
    }
    let report = LoadReport {
        label: args.run.label.clone(),
        machine: memory::machine(),
        vus: args.vus,
        authorities,
        think_ms: (args.think_min_ms, args.think_max_ms),
        sign_in: sign_ins.summary(1.0),
        journey_secs,
        journeys: journeys.summary(journey_secs),
        saturate_secs: args.saturate_secs as f64,
        saturated,
        memory: memory.finish().await,
    };
    args.run.write(&format!("load-{}.json", args.run.label), &report)?;
    db.close().await;
    Ok(())
}

/// Signs in a user of each kind, spread over the accounts of that kind
/// (and so over the authorities), a few at a time.
async fn sign_in_all(
    args: &Args,
    db: &Db,
    locks: &SignInLocks,
    all: &[Account],
    kinds: &[Kind],
    sign_ins: &Arc<Recorder>,
    recorder: &Arc<Recorder>,
) -> anyhow::Result<Vec<(Vu, Kind)>> {
    let of = |kind: Kind| -> Vec<&Account> {
        all.iter().filter(|a| Kind::of_role(&a.role) == Some(kind)).collect()
    };
    let pools = [of(Kind::Teacher), of(Kind::SocialWorker), of(Kind::Officer)];
    let gate = Arc::new(Semaphore::new(8));
    let mut tasks = Vec::new();
    for (i, kind) in kinds.iter().copied().enumerate() {
        let pool = &pools[kind as usize];
        anyhow::ensure!(!pool.is_empty(), "no {kind:?} accounts in the database");
        let account = pool[(i / 4) % pool.len()].clone();
        let mut vu = Vu::new(&args.run.url, sign_ins.clone(), account)?;
        let (db, locks, gate, recorder) =
            (db.clone(), locks.clone(), gate.clone(), recorder.clone());
        tasks.push(tokio::spawn(async move {
            let _turn = gate.acquire().await?;
            vu.sign_in(&db, &locks).await?;
            vu.record_into(recorder);
            Ok::<_, anyhow::Error>((vu, kind))
        }));
    }
    let mut users = Vec::new();
    for task in tasks {
        users.push(task.await??);
    }
    Ok(users)
}

/// Each page alone at full pace: every user requests it again as soon as
/// the answer comes, for `secs`, after a short warm-up.
async fn saturate(
    users: Vec<(Vu, Kind)>,
    scratch: &Arc<Recorder>,
    secs: u64,
    only: &[String],
) -> anyhow::Result<Vec<RouteStats>> {
    // Each user finds a child, a PEP and a page of their own to open.
    let mut prepared = Vec::new();
    for (i, (mut vu, _)) in users.into_iter().enumerate() {
        let mut rng = StdRng::seed_from_u64(i as u64);
        let children = journeys::search(&mut vu, &mut rng).await.unwrap_or_default();
        let child = children.get(i % children.len().max(1)).cloned().unwrap_or_default();
        let overview = vu.get("prepare", &child).await?;
        let pep =
            journeys::pep_links(&overview.body, &child).into_iter().next().unwrap_or_default();
        prepared.push((vu, child, pep));
    }
    let mut results = Vec::new();
    let chosen = |route: &&str| {
        only.is_empty()
            || [FLOOR, SIGNED_IN_FLOOR].contains(route)
            || only.iter().any(|o| o == route)
    };
    for route in SATURATED.iter().copied().filter(chosen) {
        let recorder = Arc::new(Recorder::default());
        let mut users = std::mem::take(&mut prepared);
        let warm_up = Duration::from_secs(2);
        let end = Instant::now() + warm_up + Duration::from_secs(secs);
        let mut tasks = Vec::new();
        for (mut vu, child, pep) in users.drain(..) {
            vu.record_into(recorder.clone());
            let path = match route {
                FLOOR => "/healthz".to_owned(),
                SIGNED_IN_FLOOR => "/session/keep-alive".to_owned(),
                "GET /learners" => "/learners".to_owned(),
                "GET /learners?q=" => "/learners?q=a".to_owned(),
                "GET /children/{id}" => child.clone(),
                "GET /children/{id}/peps/{pep}" => pep.clone(),
                "GET /children/{id}/peps/{pep}/pages/{page}" => format!("{pep}/pages/attendance"),
                other => other.trim_start_matches("GET ").to_owned(),
            };
            tasks.push(tokio::spawn(async move {
                while Instant::now() < end {
                    let _ = vu.get(route, &path).await;
                }
                (vu, child, pep)
            }));
        }
        tokio::time::sleep(warm_up).await;
        recorder.clear();
        let window = Instant::now();
        let mut back = Vec::new();
        for task in tasks {
            back.push(task.await?);
        }
        let seconds = window.elapsed().as_secs_f64();
        results.extend(recorder.summary(seconds).into_iter().filter(|s| s.route == route));
        eprintln!("  {route}: {:.0}/s", results.last().map_or(0.0, |s| s.per_second));
        prepared = back;
    }
    scratch.clear();
    Ok(results)
}
