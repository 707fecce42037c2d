//! `openpep demo`: a synthetic authority in an embedded database, served.

use clap::Args;
use openpep_service::demo::{DEMO_PASSWORD, DemoOptions, DemoSummary};

use crate::config::Settings;
use crate::server;

#[derive(Args)]
pub struct DemoArgs {
    /// Children in all, shared among the authorities.
    #[arg(long, default_value_t = 300)]
    children: u32,
    /// How many authorities to make.
    #[arg(long, default_value_t = 1)]
    authorities: u32,
    /// Academic years of earlier PEPs to make before last term's (a
    /// national-scale data set: `--authorities 150 --children 100000
    /// --years 4`).
    #[arg(long, default_value_t = 0)]
    years: u32,
    /// The seed the data is made from (the same seed makes the same data).
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Make the data, print the accounts and exit without serving.
    #[arg(long)]
    no_serve: bool,
}

const ACCOUNTS_FILE: &str = "demo-accounts.txt";

pub async fn run(settings: Settings, args: DemoArgs) -> anyhow::Result<()> {
    let db = server::open_database(&settings).await?;
    let services = server::services(db.clone(), &settings)?;
    let accounts_path = settings.data_dir.join(ACCOUNTS_FILE);
    let accounts = if services.has_data().await? {
        tracing::info!("reusing the existing demo data");
        std::fs::read_to_string(&accounts_path).unwrap_or_else(|_| {
            "The database already holds data; its accounts are as when it was made.\n".into()
        })
    } else {
        let started = std::time::Instant::now();
        let summary = services
            .generate_demo(DemoOptions {
                seed: args.seed,
                authorities: args.authorities.max(1),
                children: args.children,
                years: args.years,
            })
            .await?;
        // A bulk load leaves the planner without statistics.
        db.analyze().await?;
        let seconds = started.elapsed().as_secs_f64();
        let bytes = db.size_bytes().await?;
        tracing::info!(
            authorities = summary.authorities.len(),
            children = summary.children,
            leavers = summary.leavers,
            peps = summary.peps,
            bulk_rows = summary.bulk_rows,
            schools = summary.schools,
            users = summary.users,
            seconds = format!("{seconds:.1}"),
            database_mb = bytes / 1_000_000,
            "demo data made"
        );
        let left = match summary.leavers {
            0 => String::new(),
            n => format!(" (and {n} who have left care)"),
        };
        println!(
            "Made {} authorities, {} children in care{left} and {} PEPs in {seconds:.1} s; the database takes {} MB.",
            summary.authorities.len(),
            summary.children,
            summary.peps,
            bytes / 1_000_000
        );
        let text = describe(&summary);
        std::fs::create_dir_all(&settings.data_dir)?;
        std::fs::write(&accounts_path, &text)?;
        text
    };
    if args.no_serve {
        println!("{accounts}");
        db.close().await;
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(&settings.listen).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let mut settings = settings;
    settings.public_url.get_or_insert_with(|| url.clone());
    server::serve_on(&settings, db, listener, true, || {
        println!("\nOpenPEP demo: open {url}\n\n{accounts}");
    })
    .await
}

fn describe(summary: &DemoSummary) -> String {
    let mut text = format!(
        "{} ({} children, {} schools and settings, {} users). All data is invented.\n\
         Every account's password is: {DEMO_PASSWORD}\n\n",
        summary.authorities.join(", "),
        summary.children,
        summary.schools,
        summary.users
    );
    for account in &summary.accounts {
        let note =
            if account.note.is_empty() { String::new() } else { format!("  ({})", account.note) };
        text.push_str(&format!("  {:<32} {:<48}{}\n", account.role.label(), account.email, note));
    }
    text
}
