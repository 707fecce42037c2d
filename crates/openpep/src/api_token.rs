//! `openpep api-token`: makes an API token on the server, for setting up
//! an integration (or a test client) without the browser. The token is
//! made as the authority's administrator named, audited, and printed once.

use clap::Args;
use openpep_service::invitations::FormError;

use crate::config::Settings;
use crate::server;

#[derive(Args)]
pub struct TokenArgs {
    /// The authority's three-digit LA code.
    #[arg(long)]
    la: String,
    /// The VS administrator the token is made as (its calls act for them).
    #[arg(long = "as")]
    as_email: String,
    /// What the token is for.
    #[arg(long)]
    name: String,
    /// Let the token write (create and update records), not only read.
    #[arg(long)]
    write: bool,
}

pub async fn run(settings: Settings, args: TokenArgs) -> anyhow::Result<()> {
    let db = server::open_database(&settings).await?;
    let services = server::services(db.clone(), &settings)?;
    let actor = services
        .administrator(&args.la, &args.as_email)
        .await
        .map_err(|e| anyhow::anyhow!("{e}: give a VS administrator of {}", args.la))?;
    let scope = if args.write { "read write" } else { "read" };
    let made = match services.create_api_token(&actor, &args.name, scope).await {
        Ok(made) => made,
        Err(FormError::Invalid(errors)) => anyhow::bail!("{}", errors.message("name")),
        Err(FormError::Service(e)) => anyhow::bail!("{e}"),
    };
    db.close().await;
    println!("{}", made.secret);
    Ok(())
}
