//! `openpep-bench`: measures a running OpenPEP server. `load` drives
//! virtual users on their journeys and each page at full pace against the
//! server's floor route; `scale` times one authority's pages and takes the
//! dashboard's query plans; `batch` times a term's delegation and PEP
//! PDFs; `report` writes what the runs found.
//! `scripts/bench.sh` makes the data sets, starts the servers and runs all
//! of them on SQLite and PostgreSQL.

use clap::{Parser, Subcommand};
use openpep_bench::{batch, load, report, scale};

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
    /// A term's delegation and as many PEP PDFs, per 100 PEPs.
    Batch(batch::Args),
    /// The report (Markdown, JSON, SVG) from the runs in a folder.
    Report(report::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Load(args) => load::run(args).await,
        Command::Scale(args) => scale::run(args).await,
        Command::Batch(args) => batch::run(args).await,
        Command::Report(args) => report::run(args),
    }
}
