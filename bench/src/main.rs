//! `openpep-bench`: measures a running OpenPEP server. `load` drives
//! virtual users on their journeys and each page at full pace against the
//! server's floor route; `scale` times one authority's pages and takes the
//! dashboard's query plans; `report` writes what the runs found.
//! `scripts/bench.sh` makes the data sets, starts the servers and runs all
//! three on SQLite and PostgreSQL.

use clap::{Parser, Subcommand};
use openpep_bench::{load, report, scale};

#[derive(Parser)]
#[command(name = "openpep-bench", about = "Measures a running OpenPEP server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Deadline-week journeys, then each page at full pace beside the floor.
    Load(load::Args),
    /// One authority's dashboard and learner list, and the dashboard's plans.
    Scale(scale::Args),
    /// The report (Markdown, JSON, SVG) from the runs in a folder.
    Report(report::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Load(args) => load::run(args).await,
        Command::Scale(args) => scale::run(args).await,
        Command::Report(args) => report::run(args),
    }
}
