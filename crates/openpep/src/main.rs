//! The `openpep` binary: `demo`, `serve`, `migrate`.

mod config;
mod demo;
mod server;

use clap::{Parser, Subcommand};

use crate::config::Settings;

#[derive(Parser)]
#[command(
    name = "openpep",
    version,
    about = "Personal Education Plans for Virtual Schools"
)]
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
    /// Serve the web application.
    Serve,
    /// Apply database migrations, then exit.
    Migrate,
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
        Command::Serve => {
            let db = server::open_database(&settings).await?;
            server::serve(&settings, db).await
        }
        Command::Migrate => {
            let db = server::open_database(&settings).await?;
            db.close().await;
            tracing::info!("migrations applied");
            Ok(())
        }
    }
}
