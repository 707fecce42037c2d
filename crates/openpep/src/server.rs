//! Start-up and graceful shutdown.

use std::sync::Arc;

use anyhow::Context;
use chrono::TimeDelta;
use openpep_service::sessions::SessionPolicy;
use openpep_service::{Services, SystemClock};
use openpep_store::Db;
use openpep_web::WebConfig;

use crate::config::Settings;

/// Connects to the configured database and applies pending migrations.
pub async fn open_database(settings: &Settings) -> anyhow::Result<Db> {
    let url = settings.database_url()?;
    // The URL may hold a password: log only the backend.
    let backend = url.split(':').next().unwrap_or("unknown").to_owned();
    let db = Db::connect(&url)
        .await
        .with_context(|| format!("connecting to the {backend} database"))?;
    db.migrate().await.context("applying migrations")?;
    tracing::info!(backend = %backend, "database ready");
    Ok(db)
}

pub fn services(db: Db) -> Services {
    Services::new(db, Arc::new(SystemClock))
}

pub async fn serve(settings: &Settings, db: Db) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))?;
    serve_on(settings, db, listener, || {}).await
}

/// Serves until SIGTERM or Ctrl-C, then lets requests in flight finish.
pub async fn serve_on(
    settings: &Settings,
    db: Db,
    listener: tokio::net::TcpListener,
    on_ready: impl FnOnce(),
) -> anyhow::Result<()> {
    let config = WebConfig {
        tls: settings.tls,
        dev_mode: settings.dev_mode,
        session: SessionPolicy {
            idle: TimeDelta::minutes(settings.session_idle_minutes.max(1)),
            absolute: TimeDelta::hours(settings.session_absolute_hours.max(1)),
        },
    };
    let app = openpep_web::router(services(db.clone()), config);
    tracing::info!(address = %listener.local_addr()?, "listening");
    on_ready();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped accepting requests; in-flight requests finished");
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
