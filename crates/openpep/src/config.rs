//! Settings: defaults, then `openpep.toml`, then `OPENPEP_*` variables.

use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Address and port to listen on.
    pub listen: String,
    /// Where the embedded database and uploaded documents (`files/`) live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; default: a SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// The address people reach the service at (`https://pep.example.gov.uk`):
    /// used in e-mailed links and as the only origin forms are accepted from.
    pub public_url: Option<String>,
    /// Served over TLS (directly or behind a proxy that terminates it);
    /// by default, whether `public_url` is https.
    pub tls: Option<bool>,
    /// Where mail goes: `smtp://…`/`smtps://…` (lettre's URL form), or
    /// `file:` (`.eml` files in `<data_dir>/mail`, the default).
    pub smtp_url: String,
    /// The sender of the service's e-mail.
    pub mail_from: String,
    /// Behind a reverse proxy that sets `X-Forwarded-For` (and strips any
    /// the client sent): take client addresses from it.
    pub trust_forwarded_for: bool,
    /// Shows developer aids such as the component gallery.
    pub dev_mode: bool,
    /// Demo and development only: stand on this day (YYYY-MM-DD) instead
    /// of today, to see the PEP lists as they will be on it.
    pub today: Option<String>,
    /// "text" or "json".
    pub log_format: String,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// Calls each API token may make in a minute.
    pub api_calls_per_minute: i64,
    /// How long each app node keeps a dashboard it worked out (0: never).
    pub dashboard_cache_seconds: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("openpep-data"),
            database_url: None,
            public_url: None,
            tls: None,
            smtp_url: "file:".into(),
            mail_from: "OpenPEP <no-reply@openpep.invalid>".into(),
            trust_forwarded_for: false,
            dev_mode: false,
            today: None,
            log_format: "text".into(),
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            api_calls_per_minute: openpep_service::api_tokens::CALLS_PER_MINUTE,
            dashboard_cache_seconds: 60,
        }
    }
}

impl Settings {
    pub fn load(file: Option<&Path>) -> anyhow::Result<Settings> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match file {
            Some(path) => {
                anyhow::ensure!(path.exists(), "configuration file {} not found", path.display());
                figment = figment.merge(Toml::file(path));
            }
            None => figment = figment.merge(Toml::file("openpep.toml")),
        }
        figment
            .merge(Env::prefixed("OPENPEP_"))
            .extract()
            .context("reading settings (openpep.toml and OPENPEP_* variables)")
    }

    pub fn tls(&self) -> bool {
        self.tls.unwrap_or_else(|| {
            self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
        })
    }

    /// The database URL, defaulting to a SQLite file in the data folder.
    pub fn database_url(&self) -> anyhow::Result<String> {
        if let Some(url) = self.database_url.as_ref().filter(|u| !u.is_empty()) {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating the data folder {}", self.data_dir.display()))?;
        Ok(format!("sqlite://{}", self.data_dir.join("openpep.db").display()))
    }
}

pub fn init_tracing(settings: &Settings) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("OPENPEP_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    if settings.log_format == "json" {
        builder.json().with_current_span(true).init();
    } else {
        builder.init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail decides the closure's type
    fn defaults_then_file_then_environment() {
        Jail::expect_with(|jail| {
            let defaults = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(defaults.listen, "127.0.0.1:8080");
            assert_eq!(
                defaults.database_url().map_err(|e| e.to_string())?,
                "sqlite://openpep-data/openpep.db"
            );

            jail.create_file(
                "openpep.toml",
                "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/pep\"\nsession_idle_minutes = 20",
            )?;
            let from_file = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(from_file.listen, "0.0.0.0:9000");
            assert_eq!(from_file.session_idle_minutes, 20);

            jail.set_env("OPENPEP_LISTEN", "127.0.0.1:7000");
            jail.set_env("OPENPEP_DATA_DIR", "here");
            jail.set_env("OPENPEP_DATABASE_URL", "postgres://pep@db/pep");
            let from_env = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(from_env.listen, "127.0.0.1:7000");
            assert_eq!(from_env.data_dir, PathBuf::from("here"));
            assert_eq!(from_env.session_idle_minutes, 20, "the file still counts");
            assert_eq!(
                from_env.database_url().map_err(|e| e.to_string())?,
                "postgres://pep@db/pep"
            );
            Ok(())
        });
    }

    #[test]
    fn a_named_config_file_must_exist() {
        assert!(Settings::load(Some(Path::new("/no/such/openpep.toml"))).is_err());
    }
}
