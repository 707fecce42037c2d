//! What every measuring run is given: the server, its database, the
//! run's name in the report, and where its JSON goes.

use std::path::PathBuf;

use anyhow::Context;
use openpep_store::Db;
use serde::Serialize;

#[derive(clap::Args)]
pub struct Run {
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    pub url: String,
    /// Its database (for the accounts and the e-mailed sign-in codes).
    #[arg(long, env = "OPENPEP_DATABASE_URL")]
    pub database_url: String,
    /// What the report calls this run (e.g. the backend).
    #[arg(long)]
    pub label: String,
    /// The folder the run's JSON goes to.
    #[arg(long)]
    pub out: PathBuf,
}

impl Run {
    pub async fn database(&self) -> anyhow::Result<Db> {
        Db::connect(&self.database_url).await.context("the server's database")
    }

    /// Writes `value` as `name` in the output folder.
    pub fn write(&self, name: &str, value: &impl Serialize) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.out)?;
        let path = self.out.join(name);
        std::fs::write(&path, serde_json::to_string_pretty(value)?)?;
        eprintln!("wrote {}", path.display());
        Ok(())
    }
}
