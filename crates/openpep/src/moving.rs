//! `openpep backup DIR` and `openpep db-copy --from URL --to URL`: a
//! consistent copy of a running SQLite installation, and a whole
//! installation moved between SQLite and PostgreSQL, checked table by
//! table (rows and checksums).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use openpep_store::Db;
use openpep_store::copy::{self, CopiedTable};

use crate::config::Settings;
use crate::server;

#[derive(Args)]
pub struct BackupArgs {
    /// A new folder for the backup: `openpep.db` and the documents (`files/`).
    to: PathBuf,
}

#[derive(Args)]
pub struct CopyArgs {
    /// The database to copy from (`sqlite://…` or `postgres://…`).
    #[arg(long)]
    from: String,
    /// A new, empty database to copy into (migrated first).
    #[arg(long)]
    to: String,
}

fn backend_of(url: &str) -> &str {
    // A URL may hold a password: only its scheme is ever printed.
    url.split(':').next().unwrap_or("unknown")
}

async fn connect(url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(url)
        .await
        .with_context(|| format!("connecting to the {} database", backend_of(url)))?;
    db.migrate().await.context("applying migrations")?;
    Ok(db)
}

/// Writes a snapshot of the SQLite database (taken while the server runs:
/// SQLite's `VACUUM INTO` reads one consistent state) and then copies the
/// documents, so every document the snapshot names is in the backup.
pub async fn backup(settings: Settings, args: BackupArgs) -> anyhow::Result<()> {
    let db = server::open_database(&settings).await?;
    if matches!(db, Db::Postgres(_)) {
        anyhow::bail!(
            "openpep backup snapshots the embedded SQLite database; back PostgreSQL up \
             with pg_dump (see the README) and the file store with your storage's own tools"
        );
    }
    if args.to.exists() && args.to.read_dir()?.next().is_some() {
        anyhow::bail!("{} is not empty: back up into a new folder", args.to.display());
    }
    std::fs::create_dir_all(&args.to)?;
    let database = args.to.join("openpep.db");
    let target = database.to_str().context("the backup folder's path is not UTF-8")?;
    copy::sqlite_snapshot(&db, target).await?;
    let documents = copy_tree(&settings.data_dir.join("files"), &args.to.join("files"))?;
    let snapshot = connect(&format!("sqlite://{target}")).await?;
    let tables = copy::tables(&snapshot).await?;
    let sums = copy::checksums(&snapshot, &tables).await?;
    let rows: u64 = sums.iter().map(|s| s.rows).sum();
    snapshot.close().await;
    println!(
        "Backed up {} tables ({rows} rows) and {documents} documents to {}.",
        tables.len(),
        args.to.display()
    );
    println!(
        "To restore: stop OpenPEP, put openpep.db and files/ in the data folder \
         (OPENPEP_DATA_DIR), start it again."
    );
    Ok(())
}

/// Copies a folder's files (recursively); returns how many.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<u64> {
    if !from.exists() {
        return Ok(0);
    }
    std::fs::create_dir_all(to)?;
    let mut copied = 0;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copied += copy_tree(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest).with_context(|| format!("copying {}", path.display()))?;
            copied += 1;
        }
    }
    Ok(copied)
}

/// Moves every row to a new database and checks each table arrived whole.
/// Returns whether every table matched.
pub async fn db_copy(args: CopyArgs) -> anyhow::Result<bool> {
    let from = connect(&args.from).await?;
    let to = connect(&args.to).await?;
    let copied = copy::copy_database(&from, &to).await?;
    from.close().await;
    to.close().await;
    print_copy(&copied, backend_of(&args.from), backend_of(&args.to));
    let all = copied.iter().all(CopiedTable::matches);
    if all {
        println!(
            "Every table matches. Uploaded documents are not in the database: \
             copy the data folder's files/ too if the new installation has another."
        );
    } else {
        println!("Some tables do not match: do not use the new database.");
    }
    Ok(all)
}

fn print_copy(copied: &[CopiedTable], from: &str, to: &str) {
    println!("{:<28} {:>9} {:>9}  {:<32}  check", "table", from, to, "checksum");
    for table in copied {
        println!(
            "{:<28} {:>9} {:>9}  {:<32}  {}",
            table.name,
            table.source.rows,
            table.target.rows,
            table.source.checksum_hex(),
            if table.matches() { "ok" } else { "DIFFERS" }
        );
    }
}
