use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

static ADMIN_URL: OnceLock<Option<String>> = OnceLock::new();

/// The URL of a PostgreSQL server to create test databases on.
pub fn postgres_admin_url() -> Option<String> {
    ADMIN_URL.get_or_init(find_or_start).clone()
}

fn required() -> bool {
    std::env::var("OPENPEP_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

fn find_or_start() -> Option<String> {
    if let Ok(url) = std::env::var("OPENPEP_TEST_DATABASE_URL")
        && !url.is_empty()
    {
        return Some(url);
    }
    match start_cluster() {
        Ok(url) => Some(url),
        Err(why) if required() => {
            panic!("OPENPEP_REQUIRE_POSTGRES=1 but no PostgreSQL could be started: {why}")
        }
        Err(why) => {
            eprintln!(
                "\n=====================================================================\n\
                 SKIPPING POSTGRESQL TESTS: {why}\n\
                 Install the server (apt-get install postgresql) or set\n\
                 OPENPEP_TEST_DATABASE_URL. Only SQLite was tested.\n\
                 =====================================================================\n"
            );
            None
        }
    }
}

fn bin_dir() -> Result<PathBuf, String> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "no /usr/lib/postgresql".to_string())?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
        .collect();
    dirs.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop().ok_or_else(|| "no initdb/pg_ctl under /usr/lib/postgresql/*/bin".to_string())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a PostgreSQL tool, as the `postgres` user when we are root
/// (initdb refuses to run as root).
fn pg_command(bin: &Path, tool: &str, as_postgres: bool) -> Command {
    if as_postgres {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(bin.join(tool));
        cmd
    } else {
        Command::new(bin.join(tool))
    }
}

fn run(mut cmd: Command, what: &str) -> Result<(), String> {
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn start_cluster() -> Result<String, String> {
    let cluster = Cluster::init()?;
    cluster.start()?;
    spawn_watchdog(&cluster.bin, &cluster.data, &cluster.dir, cluster.as_postgres)?;
    eprintln!(
        "test PostgreSQL cluster started on 127.0.0.1:{} ({})",
        cluster.port,
        cluster.dir.display()
    );
    let url = cluster.url("postgres");
    // The shared cluster lives as long as the process; the watchdog removes it.
    std::mem::forget(cluster);
    Ok(url)
}

/// A PostgreSQL cluster of a test's own, which it may stop and start again
/// (a database going away under a running server). Removed when dropped,
/// or by a watchdog if the process dies first.
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    data: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// A new, running cluster, or `None` when PostgreSQL cannot be had
    /// (a failure when `OPENPEP_REQUIRE_POSTGRES=1`).
    pub fn private() -> Option<Cluster> {
        let started = Cluster::init().and_then(|c| {
            c.start()?;
            spawn_watchdog(&c.bin, &c.data, &c.dir, c.as_postgres)?;
            Ok(c)
        });
        match started {
            Ok(cluster) => Some(cluster),
            Err(why) if required() => panic!("OPENPEP_REQUIRE_POSTGRES=1 but: {why}"),
            Err(why) => {
                eprintln!("SKIPPING a PostgreSQL test: {why}");
                None
            }
        }
    }

    fn init() -> Result<Cluster, String> {
        let bin = bin_dir()?;
        let as_postgres = is_root();
        // As root the cluster runs as `postgres`, who may not reach a
        // private $TMPDIR: use /tmp then.
        let base = if as_postgres { PathBuf::from("/tmp") } else { std::env::temp_dir() };
        let dir = base.join(format!("openpep-pg-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        if as_postgres {
            let mut chown = Command::new("chown");
            chown.args(["postgres:postgres"]).arg(&dir);
            run(chown, "chown")?;
        }
        let data = dir.join("data");
        let mut initdb = pg_command(&bin, "initdb", as_postgres);
        initdb.arg("-D").arg(&data).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ]);
        run(initdb, "initdb")?;
        let port = free_port()?;
        Ok(Cluster { bin, dir, data, port, as_postgres })
    }

    /// Starts the cluster (again) on its port.
    pub fn start(&self) -> Result<(), String> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200",
            self.port,
            self.dir.display()
        );
        let mut start = pg_command(&self.bin, "pg_ctl", self.as_postgres);
        start
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(self.dir.join("server.log"))
            .args(["-w", "-o", &options, "start"]);
        run(start, "pg_ctl start")
    }

    /// Stops the cluster, ending every connection to it.
    pub fn stop(&self) -> Result<(), String> {
        let mut stop = pg_command(&self.bin, "pg_ctl", self.as_postgres);
        stop.arg("-D").arg(&self.data).args(["-w", "-m", "fast", "stop"]);
        run(stop, "pg_ctl stop")
    }

    /// The URL of database `name` on the cluster.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let mut stop = pg_command(&self.bin, "pg_ctl", self.as_postgres);
        stop.arg("-D").arg(&self.data).args(["-m", "immediate", "stop"]);
        let _ = run(stop, "pg_ctl stop");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Stops the cluster and removes its files once this process has gone,
/// however it ends.
fn spawn_watchdog(bin: &Path, data: &Path, dir: &Path, as_postgres: bool) -> Result<(), String> {
    let pg_ctl = bin.join("pg_ctl");
    let stop = if as_postgres {
        format!(
            "runuser -u postgres -- {} -D {} -m immediate stop",
            pg_ctl.display(),
            data.display()
        )
    } else {
        format!("{} -D {} -m immediate stop", pg_ctl.display(), data.display())
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        dir = dir.display()
    );
    Command::new("setsid")
        .args(["bash", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| format!("watchdog: {e}"))
}
