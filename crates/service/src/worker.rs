//! The job worker: delivers the e-mail outbox, with retries and backoff,
//! and makes signed-off PEPs' PDFs.
//! Runs inside `openpep serve` or alone as `openpep worker`; any number of
//! workers may run against one database.

use chrono::TimeDelta;
use openpep_store::outbox::{self, OutboxEmail};
use tokio::sync::watch;

use crate::mail::Mailer;
use crate::sessions::SessionPolicy;
use crate::{ServiceError, Services};

/// How long a claimed message is ours before another worker may retry it.
const LEASE: TimeDelta = TimeDelta::minutes(2);
const BATCH: i64 = 20;
/// How long a pass may spend making PDFs before the mail goes out again.
const ARCHIVE_TURN: std::time::Duration = std::time::Duration::from_secs(20);
/// Attempts before a message is marked failed.
pub const MAX_ATTEMPTS: i32 = 8;

/// The wait before attempt `attempts + 1`: 1, 5, 15, 30, 60, 120, 240 minutes.
pub fn backoff(attempts: i32) -> TimeDelta {
    let minutes = match attempts {
        ..=1 => 1,
        2 => 5,
        3 => 15,
        4 => 30,
        5 => 60,
        6 => 120,
        _ => 240,
    };
    TimeDelta::minutes(minutes)
}

impl Services {
    /// Delivers what is due now; returns how many messages were sent.
    pub async fn deliver_outbox(&self, mailer: &Mailer) -> Result<usize, ServiceError> {
        let now = self.clock.now();
        let due = outbox::claim_due(&self.db, now, LEASE, BATCH).await?;
        let mut sent = 0;
        for email in &due {
            if self.deliver_one(mailer, email).await? {
                sent += 1;
            }
        }
        Ok(sent)
    }

    async fn deliver_one(
        &self,
        mailer: &Mailer,
        email: &OutboxEmail,
    ) -> Result<bool, ServiceError> {
        match mailer.send(email).await {
            Ok(()) => {
                outbox::mark_sent(&self.db, email.id, self.clock.now()).await?;
                tracing::info!(email_id = %email.id, kind = %email.kind, "email sent");
                Ok(true)
            }
            Err(error) => {
                let now = self.clock.now();
                let retry_at =
                    (email.attempts < MAX_ATTEMPTS).then(|| now + backoff(email.attempts));
                // A server's reply may quote the recipient: never log it.
                let error = without_addresses(&error.to_string());
                tracing::warn!(email_id = %email.id, kind = %email.kind, attempts = email.attempts,
                    gives_up = retry_at.is_none(), error = %error, "email not sent");
                outbox::mark_failed(&self.db, email.id, now, &error, retry_at).await?;
                Ok(false)
            }
        }
    }

    /// Runs until `stop` turns true: delivers mail every `every`, raises
    /// the initial PEPs owed once a day, and now and then reminds invitees
    /// of meetings two days away and removes sessions past their timeouts.
    pub async fn run_worker(
        &self,
        mailer: Mailer,
        sessions: SessionPolicy,
        every: std::time::Duration,
        mut stop: watch::Receiver<bool>,
    ) {
        tracing::info!(mailer = ?mailer, "worker started");
        let mut passes: u64 = 0;
        let mut raised_on = None;
        let mut reminded_on = None;
        let mut retained_on = None;
        loop {
            if let Err(error) = self.deliver_outbox(&mailer).await {
                tracing::error!(error = %error, "worker pass failed");
            }
            // Signed-off PEPs' archival PDFs, as soon as they are queued:
            // batch after batch, for a while, then the mail again.
            let making = std::time::Instant::now();
            let mut made = 0;
            while making.elapsed() < ARCHIVE_TURN {
                match self.make_archives().await {
                    Ok(0) => break,
                    Ok(n) => made += n,
                    Err(error) => {
                        tracing::error!(error = %error, "making PEP PDFs failed");
                        break;
                    }
                }
            }
            if made > 0 {
                tracing::info!(made, "PEP PDFs made");
            }
            // Once a day (and at start): children who reached PEP age.
            let today = self.clock.today();
            if raised_on != Some(today) {
                match self.raise_initial_peps().await {
                    Ok(_) => raised_on = Some(today),
                    Err(error) => tracing::error!(error = %error, "raising initial PEPs failed"),
                }
            }
            // Once a day: records past their retention date, for review;
            // and the query planner's statistics brought up to date.
            if retained_on != Some(today) {
                if let Err(error) = self.db.optimize().await {
                    tracing::error!(error = %error, "refreshing the planner's statistics failed");
                }
                match self.list_past_retention().await {
                    Ok(n) => {
                        retained_on = Some(today);
                        if n > 0 {
                            tracing::info!(listed = n, "records past retention listed for review");
                        }
                    }
                    Err(error) => {
                        tracing::error!(error = %error, "listing records past retention failed")
                    }
                }
            }
            // Once a day, at each authority's cadence: digests of late PEPs.
            if reminded_on != Some(today) {
                match self.send_pep_reminders().await {
                    Ok(n) => {
                        reminded_on = Some(today);
                        if n > 0 {
                            tracing::info!(digests = n, "PEP reminders queued");
                        }
                    }
                    Err(error) => tracing::error!(error = %error, "PEP reminders failed"),
                }
            }
            // Now and then: reminders of meetings in the next two days.
            if passes.is_multiple_of(60) {
                match self.send_meeting_reminders().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(meetings = n, "meeting reminders queued"),
                    Err(error) => tracing::error!(error = %error, "meeting reminders failed"),
                }
            }
            if passes.is_multiple_of(300) {
                if let Err(error) = self.remove_old_rate_windows().await {
                    tracing::error!(error = %error, "removing old API rate windows failed");
                }
                match self.remove_stale_sessions(sessions).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "stale sessions removed"),
                    Err(error) => tracing::error!(error = %error, "session clean-up failed"),
                }
            }
            passes += 1;
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                break;
            }
        }
        tracing::info!("worker stopped");
    }
}

/// The text with anything that looks like an e-mail address replaced.
fn without_addresses(text: &str) -> String {
    text.split(' ')
        .map(|word| if word.contains('@') { "<address>" } else { word })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_replies_lose_their_addresses() {
        assert_eq!(
            without_addresses("550 5.1.1 <sam@school.example>: Recipient address rejected"),
            "550 5.1.1 <address> Recipient address rejected"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let waits: Vec<i64> = (1..=9).map(|a| backoff(a).num_minutes()).collect();
        assert_eq!(waits, [1, 5, 15, 30, 60, 120, 240, 240, 240]);
    }
}
