//! Start-up, the worker, and graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{NaiveDate, TimeDelta};
use openpep_service::mail::Mailer;
use openpep_service::sessions::SessionPolicy;
use openpep_service::{Clock, Services, ShiftedClock, SystemClock};
use openpep_store::Db;
use openpep_web::WebConfig;
use tokio::sync::watch;

use crate::config::Settings;

/// Connects to the configured database and applies pending migrations.
pub async fn open_database(settings: &Settings) -> anyhow::Result<Db> {
    let url = settings.database_url()?;
    // The URL may hold a password: log only the backend.
    let backend = url.split(':').next().unwrap_or("unknown").to_owned();
    let db =
        Db::connect(&url).await.with_context(|| format!("connecting to the {backend} database"))?;
    db.migrate().await.context("applying migrations")?;
    tracing::info!(backend = %backend, "database ready");
    Ok(db)
}

pub fn services(db: Db, settings: &Settings) -> anyhow::Result<Services> {
    let clock: Arc<dyn Clock> = match (&settings.today, settings.dev_mode) {
        (None, _) => Arc::new(SystemClock),
        (Some(day), true) => {
            let today = NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .with_context(|| format!("today = {day:?}: write the date as YYYY-MM-DD"))?;
            tracing::warn!(today = %today, "standing on another day (demo and development only)");
            Arc::new(ShiftedClock::on(today))
        }
        (Some(_), false) => {
            anyhow::bail!("`today` is for the demo and development only: remove it to serve")
        }
    };
    let files = openpep_service::files::DiskStore::new(settings.data_dir.join("files"));
    let services = Services::new(db, clock)
        .with_files(Arc::new(files))
        .with_api_limit(settings.api_calls_per_minute)
        .with_dashboard_cache(std::time::Duration::from_secs(settings.dashboard_cache_seconds));
    Ok(match &settings.public_url {
        Some(url) => services.with_public_url(url),
        None => services.with_public_url(&format!("http://{}", settings.listen)),
    })
}

fn session_policy(settings: &Settings) -> SessionPolicy {
    SessionPolicy {
        idle: TimeDelta::minutes(settings.session_idle_minutes.max(1)),
        absolute: TimeDelta::hours(settings.session_absolute_hours.max(1)),
    }
}

fn mailer(settings: &Settings) -> anyhow::Result<Mailer> {
    Mailer::from_url(&settings.smtp_url, &settings.mail_from, settings.data_dir.join("mail"))
        .context("setting up e-mail (smtp_url, mail_from)")
}

/// The worker, running until `stop` turns true.
fn spawn_worker(
    settings: &Settings,
    db: &Db,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let mailer = mailer(settings)?;
    let services = services(db.clone(), settings)?;
    let policy = session_policy(settings);
    Ok(tokio::spawn(async move {
        services.run_worker(mailer, policy, Duration::from_secs(2), stop).await;
    }))
}

pub async fn serve(settings: &Settings, db: Db, with_worker: bool) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))?;
    serve_on(settings, db, listener, with_worker, || {}).await
}

/// Serves until SIGTERM or Ctrl-C, then lets requests in flight finish.
pub async fn serve_on(
    settings: &Settings,
    db: Db,
    listener: tokio::net::TcpListener,
    with_worker: bool,
    on_ready: impl FnOnce(),
) -> anyhow::Result<()> {
    if settings.public_url.is_none() && !settings.dev_mode {
        tracing::warn!(
            "public_url is not set: assuming plain HTTP; set OPENPEP_PUBLIC_URL in production"
        );
    }
    let config = WebConfig {
        tls: settings.tls(),
        public_url: settings.public_url.clone(),
        trust_forwarded_for: settings.trust_forwarded_for,
        dev_mode: settings.dev_mode,
        session: session_policy(settings),
    };
    let (stop, stopped) = watch::channel(false);
    let worker = if with_worker { Some(spawn_worker(settings, &db, stopped)?) } else { None };
    let app = openpep_web::router(services(db.clone(), settings)?, config);
    tracing::info!(address = %listener.local_addr()?, "listening");
    on_ready();
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped accepting requests; in-flight requests finished");
    stop.send_replace(true);
    if let Some(worker) = worker {
        worker.await.ok();
    }
    db.close().await;
    Ok(())
}

/// The worker alone, for deployments that run it apart from the web nodes.
pub async fn work(settings: &Settings, db: Db) -> anyhow::Result<()> {
    let (stop, stopped) = watch::channel(false);
    let worker = spawn_worker(settings, &db, stopped)?;
    shutdown_signal().await;
    stop.send_replace(true);
    worker.await.ok();
    db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested");
}
