//! The `openpep` binary: `demo`, `serve`, `worker`, `migrate`, `import`,
//! `backup`, `db-copy`.

mod api_token;
mod config;
mod demo;
mod import;
mod moving;
mod server;

use clap::{Parser, Subcommand};

use crate::config::Settings;

/// glibc's allocator kept every 19 MiB password-hashing block and every
/// large dashboard it had freed (1.3 GB resident under load): see
/// docs/adr/0003-mimalloc.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "openpep", version, about = "Personal Education Plans for Virtual Schools")]
struct Cli {
    /// A configuration file (default: ./openpep.toml if it exists).
    #[arg(long, global = true)]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make (once) a synthetic local authority in an embedded database and serve it.
    Demo(demo::DemoArgs),
    /// Serve the web application (and, unless told not to, the job worker).
    Serve {
        /// Leave the job worker to `openpep worker` processes.
        #[arg(long)]
        no_worker: bool,
    },
    /// Run the job worker alone (e-mail delivery, clean-up).
    Worker,
    /// Apply database migrations, then exit.
    Migrate,
    /// Import a file (SSDA903, the council's CSV, GIAS, attendance) into an authority.
    Import(import::ImportArgs),
    /// Back up a running SQLite installation (database snapshot and documents).
    Backup(moving::BackupArgs),
    /// Copy a whole installation to a new database (SQLite or PostgreSQL) and check it.
    DbCopy(moving::CopyArgs),
    /// Make an API token as an authority's administrator (printed once).
    ApiToken(api_token::TokenArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut settings = Settings::load(cli.config.as_deref())?;
    config::init_tracing(&settings);
    match cli.command {
        Command::Demo(args) => {
            settings.dev_mode = true;
            demo::run(settings, args).await
        }
        Command::Serve { no_worker } => {
            let db = server::open_database(&settings).await?;
            server::serve(&settings, db, !no_worker).await
        }
        Command::Worker => {
            let db = server::open_database(&settings).await?;
            server::work(&settings, db).await
        }
        Command::Import(args) => {
            if !import::run(settings, args).await? {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Backup(args) => moving::backup(settings, args).await,
        Command::ApiToken(args) => api_token::run(settings, args).await,
        Command::DbCopy(args) => {
            if !moving::db_copy(args).await? {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Migrate => {
            let db = server::open_database(&settings).await?;
            db.close().await;
            tracing::info!("migrations applied");
            Ok(())
        }
    }
}
