//! Waiting for the server's worker: the PEP PDFs queued when the data set
//! was made (or by a run) are made before anything is timed, as on a
//! service that has been running.

use std::time::{Duration, Instant};

use anyhow::ensure;
use openpep_store::Db;
use uuid::Uuid;

/// A count, on either database (`on_db!` expands the query per backend).
macro_rules! count {
    ($db:expr, $sql:expr, $($bind:expr),*) => {
        openpep_store::on_db!($db, pool => {
            sqlx::query_scalar::<_, i64>($sql)$(.bind($bind))*.fetch_one(pool).await?
        })
    };
}
pub(crate) use count;

/// PDFs waiting to be made, of one authority or of all.
pub async fn pdfs_waiting(db: &Db, la_id: Option<Uuid>) -> anyhow::Result<i64> {
    Ok(count!(
        db,
        "SELECT COUNT(*) FROM pep_archives WHERE status = 'pending' \
         AND ($1 IS NULL OR la_id = $1)",
        la_id
    ))
}

/// Waits until the worker has made every PDF waiting (of the authority,
/// or of all), saying how many are left now and then.
pub async fn pdfs_made(db: &Db, la_id: Option<Uuid>, timeout: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    let mut said = Instant::now();
    loop {
        let waiting = pdfs_waiting(db, la_id).await?;
        if waiting == 0 {
            return Ok(());
        }
        ensure!(Instant::now() < deadline, "{waiting} PEP PDFs were still waiting to be made");
        if said.elapsed() >= Duration::from_secs(15) {
            eprintln!("waiting for the worker: {waiting} PEP PDFs to make");
            said = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
