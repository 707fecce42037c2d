//! The real binary under stress (short forms of the runs in
//! docs/PERFORMANCE.md): killed with SIGKILL mid-write, two nodes sharing
//! one PostgreSQL, the database stopped and started under load, and memory
//! over a short soak. The servers are `openpep` processes; the users are the
//! benchmark's virtual users, signed in for real.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openpep_bench::accounts::{self, Account, SignInLocks};
use openpep_bench::journeys::{self, Kind, Think};
use openpep_bench::stats::Recorder;
use openpep_bench::vu::Vu;
use openpep_store::Db;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// A data folder and database with a small demo authority in it.
struct Installation {
    dir: tempfile::TempDir,
    url: String,
    /// Keeps a PostgreSQL test database alive.
    _pg: Option<openpep_testkit::TestDb>,
}

impl Installation {
    async fn new(url: Option<(String, Option<openpep_testkit::TestDb>)>, children: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (url, pg) =
            url.unwrap_or_else(|| (format!("sqlite://{}/openpep.db", dir.path().display()), None));
        let made = openpep(dir.path(), &url, &[])
            .args(["demo", "--no-serve", "--children", &children.to_string()])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(made.success(), "making the demo data");
        Installation { dir, url, _pg: pg }
    }

    async fn sqlite(children: u32) -> Self {
        Self::new(None, children).await
    }

    async fn postgres(children: u32) -> Option<Self> {
        let pg = openpep_testkit::postgres().await?;
        Some(Self::new(Some((pg.url.clone(), Some(pg))), children).await)
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn openpep(data: &Path, url: &str, env: &[(&str, String)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_openpep"));
    command
        .env("OPENPEP_DATA_DIR", data)
        .env("OPENPEP_DATABASE_URL", url)
        .env("OPENPEP_LOG", "warn")
        .envs(env.iter().map(|(k, v)| (*k, v.clone())))
        .stdin(Stdio::null());
    command
}

/// A running `openpep` process.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    /// `openpep serve` (with its worker) on a free port, once it is ready.
    async fn start(data: &Path, db_url: &str, env: &[(&str, String)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let url = format!("http://127.0.0.1:{port}");
        let mut env = env.to_vec();
        env.push(("OPENPEP_LISTEN", format!("127.0.0.1:{port}")));
        env.push(("OPENPEP_PUBLIC_URL", url.clone()));
        let log = std::fs::File::create(data.join(format!("server-{port}.log"))).unwrap();
        let child = openpep(data, db_url, &env)
            .arg("serve")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let server = Server { child, url };
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if client
                .get(format!("{}/readyz", server.url))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server did not start: see {}", data.display());
    }

    /// SIGKILL: no shutdown, no flushing.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Signed-in users of `kind`, spread over the demo's accounts of it.
async fn users(
    server: &Server,
    db: &Db,
    kind: Kind,
    n: usize,
    recorder: &Arc<Recorder>,
) -> Vec<Vu> {
    let all: Vec<Account> = accounts::all(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| Kind::of_role(&a.role) == Some(kind))
        .collect();
    let locks = SignInLocks::default();
    let mut users = Vec::new();
    for i in 0..n {
        let mut vu = Vu::new(&server.url, recorder.clone(), all[i % all.len()].clone()).unwrap();
        vu.sign_in(db, &locks).await.unwrap();
        users.push(vu);
    }
    users
}

/// What a writer saw acknowledged: the page, the version saved, the words.
type Acks = Arc<Mutex<Vec<(String, i64, String)>>>;

/// Writers autosave their page over and over, keeping every
/// acknowledgement, until `stop` is set (or the server goes).
fn write_until(
    writers: Vec<Vu>,
    acks: &Acks,
    opened: &Arc<std::sync::atomic::AtomicUsize>,
    stop: &Arc<std::sync::atomic::AtomicBool>,
) -> Vec<tokio::task::JoinHandle<Vu>> {
    use std::sync::atomic::Ordering;
    writers
        .into_iter()
        .enumerate()
        .map(|(i, mut vu)| {
            let (acks, opened, stop) = (acks.clone(), opened.clone(), stop.clone());
            tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(i as u64);
                let page_key = if i % 2 == 0 { "school_update" } else { "care_update" };
                let kind = Think { min_ms: 0, max_ms: 0 };
                let mut page = None;
                for _ in 0..20 {
                    page = journeys::open_page(&mut vu, &mut rng, kind, page_key).await.unwrap();
                    if page.is_some() {
                        break;
                    }
                }
                // Some people have no page to write now (their PEPs are
                // signed off, or their setting has no page of theirs).
                opened.fetch_add(1, Ordering::Relaxed);
                let Some(mut page) = page else { return vu };
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let words = format!("Written before the crash: writer {i}, save {n}.");
                    page.write(&words);
                    let Ok(reply) = vu.post("autosave", &page.autosave_path(), &page.fields).await
                    else {
                        break; // the server is gone
                    };
                    if reply.status == 200
                        && let Some(version) = page.saved(&reply.body)
                    {
                        acks.lock().unwrap().push((page.path.clone(), version, words));
                    }
                }
                vu
            })
        })
        .collect()
}

async fn kill_during_writes(install: Installation) {
    let server = Server::start(install.path(), &install.url, &[]).await;
    let db = Db::connect(&install.url).await.unwrap();
    let recorder = Arc::new(Recorder::default());
    // Teachers and social workers alternate, as their pages do.
    let teachers = users(&server, &db, Kind::Teacher, 8, &recorder).await;
    let workers = users(&server, &db, Kind::SocialWorker, 8, &recorder).await;
    let mut mixed = Vec::new();
    for (t, w) in teachers.into_iter().zip(workers) {
        mixed.push(t);
        mixed.push(w);
    }
    let acks: Acks = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let opened = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writers = mixed.len();
    let mut server = server;
    let tasks = write_until(mixed, &acks, &opened, &stop);
    // Kill the server once every writer is saving, while they still are.
    let started = Instant::now();
    while (opened.load(std::sync::atomic::Ordering::Relaxed) < writers
        || acks.lock().unwrap().len() < 30)
        && started.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut writers = Vec::new();
    for task in tasks {
        writers.push(task.await.unwrap());
    }
    let acks = acks.lock().unwrap().clone();
    assert!(acks.len() >= 30, "saves acknowledged before the kill: {}", acks.len());

    // Every acknowledged save is in the page's history, word for word.
    let restarted = Server::start(install.path(), &install.url, &[]).await;
    for (path, version, words) in &acks {
        let mut parts = path.rsplit('/');
        let page_key = parts.next().unwrap();
        let pep_id: uuid::Uuid = parts.nth(1).unwrap().parse().unwrap();
        let sql = "SELECT answers FROM pep_page_versions WHERE pep_id = $1 AND page_key = $2 AND version = $3";
        let answers: Option<sqlx::types::Json<serde_json::Value>> = match &db {
            Db::Sqlite(pool) => sqlx::query_scalar(sql)
                .bind(pep_id)
                .bind(page_key)
                .bind(version)
                .fetch_optional(pool)
                .await
                .unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar(sql)
                .bind(pep_id)
                .bind(page_key)
                .bind(version)
                .fetch_optional(pool)
                .await
                .unwrap(),
        };
        let answers = answers
            .unwrap_or_else(|| panic!("{path} version {version} was acknowledged but is lost"));
        assert!(answers.0.to_string().contains(words.as_str()), "{path} v{version}: {}", answers.0);
    }
    // And each page shows its last acknowledged words, or words saved after
    // them whose answer the kill cut off.
    for (i, mut vu) in writers.into_iter().enumerate() {
        let Some((path, _, words)) = acks
            .iter()
            .filter(|(_, _, w)| w.contains(&format!("writer {i},")))
            .max_by_key(|(_, v, _)| *v)
            .cloned()
        else {
            continue;
        };
        let vu_url = restarted.url.clone();
        vu = Vu::new(&vu_url, recorder.clone(), vu.account.clone()).unwrap();
        vu.sign_in(&db, &SignInLocks::default()).await.unwrap();
        let page = vu.get("page", &path).await.unwrap();
        let save_number = |text: &str| -> Option<u32> {
            let at = text.find(&format!("writer {i}, save "))? + format!("writer {i}, save ").len();
            text[at..].split('.').next()?.parse().ok()
        };
        let shown = save_number(&page.body).expect("the page shows the writer's words");
        assert!(shown >= save_number(&words).unwrap(), "{path} shows save {shown}, before {words}");
    }
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_keeps_every_save_it_acknowledged() {
    kill_during_writes(Installation::sqlite(40).await).await;
    if let Some(pg) = Installation::postgres(40).await {
        kill_during_writes(pg).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_deliver_each_email_and_make_each_pdf_once() {
    let Some(install) = Installation::postgres(30).await else { return };
    let smtp = openpep_testkit::SmtpSink::start();
    let env = [("OPENPEP_SMTP_URL", smtp.url())];
    let a = Server::start(install.path(), &install.url, &env).await;
    let b = Server::start(install.path(), &install.url, &env).await;
    let db = Db::connect(&install.url).await.unwrap();
    // Sign-ins on both nodes, each e-mailing a code.
    let recorder = Arc::new(Recorder::default());
    let mut signed_in = 0;
    for server in [&a, &b, &a, &b] {
        signed_in += users(server, &db, Kind::Officer, 3, &recorder).await.len();
    }
    assert_eq!(signed_in, 12);
    let Db::Postgres(pool) = &db else { unreachable!() };
    let waiting = "SELECT (SELECT COUNT(*) FROM email_outbox WHERE sent_at IS NULL) \
                   + (SELECT COUNT(*) FROM pep_archives WHERE status = 'pending')";
    let started = Instant::now();
    loop {
        let left: i64 = sqlx::query_scalar(waiting).fetch_one(pool).await.unwrap();
        if left == 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "{left} jobs still waiting");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Each e-mail was sent once, by one node, and arrived once.
    let sent: Vec<(String, i32)> = sqlx::query_as("SELECT to_address, attempts FROM email_outbox")
        .fetch_all(pool)
        .await
        .unwrap();
    assert!(sent.len() >= 12, "e-mails: {}", sent.len());
    assert!(sent.iter().all(|(_, attempts)| *attempts == 1), "each e-mail sent on its first claim");
    let received = smtp.wait_for(sent.len());
    tokio::time::sleep(Duration::from_secs(3)).await; // a duplicate would arrive by now
    let received = smtp.received().len().max(received.len());
    assert_eq!(received, sent.len(), "arrived once each");
    // Each PEP's PDF was made once.
    let archives: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, attempts FROM pep_archives").fetch_all(pool).await.unwrap();
    assert!(!archives.is_empty());
    assert!(archives.iter().all(|(s, n)| s == "ready" && *n == 1), "{archives:?}");
    let files = std::fs::read_dir(install.path().join("files")).map(|d| d.count()).unwrap_or(0);
    assert!(files > 0);
    drop((a, b));
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_database_gives_the_unavailable_page_and_the_server_recovers() {
    let Some(cluster) = openpep_testkit::Cluster::private() else { return };
    {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&cluster.url("postgres")).await.unwrap();
        sqlx::query("CREATE DATABASE openpep").execute(&mut admin).await.unwrap();
    }
    let url = cluster.url("openpep");
    let dir = tempfile::tempdir().unwrap();
    let made = openpep(dir.path(), &url, &[]).args(["migrate"]).status().unwrap();
    assert!(made.success());
    let made = openpep(dir.path(), &url, &[])
        .args(["demo", "--no-serve", "--children", "20"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success());
    let server = Server::start(dir.path(), &url, &[]).await;
    let db = Db::connect(&url).await.unwrap();
    let recorder = Arc::new(Recorder::default());
    let mut readers = users(&server, &db, Kind::Officer, 5, &recorder).await;
    let mut probe = readers.pop().unwrap();
    db.close().await;

    // Readers keep reading through the outage.
    let seen: Arc<Mutex<Vec<u16>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let tasks: Vec<_> = readers
        .into_iter()
        .map(|mut vu| {
            let (seen, stop) = (seen.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if let Ok(reply) = vu.get("GET /learners", "/learners").await {
                        seen.lock().unwrap().push(reply.status.as_u16());
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                vu
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    cluster.stop().unwrap();
    let client = reqwest::Client::new();
    let mut page = None;
    for _ in 0..100 {
        let reply = probe.get("GET /learners", "/learners").await.unwrap();
        if reply.status == 503 {
            page = Some(reply.body);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = page.expect("a 503 while the database is down");
    assert!(page.contains("Sorry, the service is unavailable"), "the GOV.UK page");
    assert!(page.contains("govuk-heading-l") || page.contains("govuk-heading-xl"));
    let ready = client.get(format!("{}/readyz", server.url)).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let alive = client.get(format!("{}/healthz", server.url)).send().await.unwrap();
    assert_eq!(alive.status(), 200);
    tokio::time::sleep(Duration::from_millis(500)).await;

    cluster.start().unwrap();
    let started = Instant::now();
    loop {
        let ready = client.get(format!("{}/readyz", server.url)).send().await.unwrap();
        if ready.status() == 200 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the server did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    let seen = seen.lock().unwrap().clone();
    assert!(seen.iter().all(|s| *s == 200 || *s == 503), "only pages or the 503 page: {seen:?}");
    let outage = seen.iter().position(|s| *s == 503).expect("readers saw the outage");
    assert!(seen[outage..].contains(&200), "readers were served again after it, signed in still");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journeys_run_without_errors_and_memory_stays_level() {
    let install = Installation::sqlite(60).await;
    let server = Server::start(install.path(), &install.url, &[]).await;
    let db = Db::connect(&install.url).await.unwrap();
    let recorder = Arc::new(Recorder::default());
    let mut users_and_kinds = Vec::new();
    for kind in [Kind::Teacher, Kind::SocialWorker, Kind::Officer] {
        for vu in users(&server, &db, kind, 4, &recorder).await {
            users_and_kinds.push((vu, kind));
        }
    }
    let pid = server.pid();
    let sampler = openpep_bench::memory::sample(Some(pid));
    let end = Instant::now() + Duration::from_secs(24);
    let tasks: Vec<_> = users_and_kinds
        .into_iter()
        .enumerate()
        .map(|(i, (mut vu, kind))| {
            tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(i as u64);
                let think = Think { min_ms: 20, max_ms: 120 };
                while Instant::now() < end {
                    journeys::pass(&mut vu, kind, &mut rng, think).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let memory = sampler.finish().await;
    let summary = recorder.summary(24.0);
    let errors: u64 = summary.iter().map(|r| r.errors).sum();
    assert_eq!(errors, 0, "{summary:#?}");
    for route in
        ["GET /dashboard", "POST /children/{id}/peps/{pep}/pages/{page}/autosave", "GET /quality"]
    {
        assert!(summary.iter().any(|r| r.route == route && r.requests > 0), "{route} was used");
    }
    let early = memory.mean_between(4.0, 12.0).unwrap();
    let late = memory.mean_between(16.0, 25.0).unwrap();
    assert!(late <= early * 1.25 + 20_000.0, "resident memory grew from {early} kB to {late} kB");
    db.close().await;
}
