/// What can go wrong in the store. Constraint violations carry the
/// constraint's name so the service layer can turn them into field errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("unique constraint violated: {constraint}")]
    Duplicate { constraint: String },
    #[error("the record was changed by someone else")]
    StaleVersion,
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// The database cannot be reached (stopped, restarting, the network
    /// gone, every connection busy): worth trying again shortly.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL (use sqlite://… or postgres://…)")]
    UnsupportedUrl,
    #[error("{0}")]
    Copy(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Duplicate { constraint: unique_constraint_name(db.as_ref()) }
            }
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(err),
            // PostgreSQL shutting down, starting up or losing the
            // connection (SQLSTATE classes 57P and 08).
            sqlx::Error::Database(db)
                if db.code().is_some_and(|c| c.starts_with("57P") || c.starts_with("08")) =>
            {
                StoreError::Unavailable(err)
            }
            // SQLite still locked by another writer after the busy timeout
            // (SQLITE_BUSY and its extended codes).
            sqlx::Error::Database(db)
                if db.code().is_some_and(|c| matches!(c.as_ref(), "5" | "261" | "517")) =>
            {
                StoreError::Unavailable(err)
            }
            _ => StoreError::Database(err),
        }
    }
}

/// PostgreSQL names the violated index; SQLite names its columns
/// ("UNIQUE constraint failed: users.email"), which we map back to the
/// index name so callers see one name on both backends.
fn unique_constraint_name(db: &dyn sqlx::error::DatabaseError) -> String {
    if let Some(name) = db.constraint() {
        return name.to_owned();
    }
    let message = db.message();
    let columns = message.rsplit(": ").next().unwrap_or(message);
    let mut parts = columns.split(", ").filter_map(|c| c.split_once('.'));
    match parts.next() {
        Some((table, first)) => {
            let mut name = format!("{table}_{first}");
            for (_, column) in parts {
                name.push('_');
                name.push_str(column);
            }
            name.push_str("_key");
            name
        }
        None => message.to_owned(),
    }
}
