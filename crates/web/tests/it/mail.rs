use std::sync::Arc;

use chrono::TimeDelta;
use openpep_service::mail::Mailer;
use openpep_service::{FixedClock, Services};
use openpep_store::outbox::{self, OutboxEmail};
use openpep_testkit::SmtpSink;

use crate::support::now;

const FROM: &str = "OpenPEP <no-reply@openpep.example>";

async fn queue(services: &Services, to: &str, subject: &str) -> uuid::Uuid {
    let email = OutboxEmail::new(None, to, "test", subject.into(), "Hello.\n".into(), now());
    let mut tx = services.db.begin().await.unwrap();
    outbox::enqueue(&mut tx, &email).await.unwrap();
    tx.commit().await.unwrap();
    email.id
}

#[tokio::test]
async fn the_worker_delivers_the_outbox_over_smtp_and_retries_failures() {
    let sink = SmtpSink::start();
    for t in openpep_testkit::all_backends().await {
        let services = Services::new(t.db.clone(), Arc::new(FixedClock(now())));
        let before = sink.received().len();
        let smtp = Mailer::from_url(&sink.url(), FROM, std::env::temp_dir()).unwrap();

        let a = queue(&services, "dt@school.example", "First").await;
        queue(&services, "sw@council.example", "Second").await;
        // A rolled-back change sends nothing.
        let mut tx = services.db.begin().await.unwrap();
        let ghost =
            OutboxEmail::new(None, "x@y.example", "test", "Ghost".into(), "-".into(), now());
        outbox::enqueue(&mut tx, &ghost).await.unwrap();
        tx.rollback().await.unwrap();

        assert_eq!(services.deliver_outbox(&smtp).await.unwrap(), 2);
        assert_eq!(services.deliver_outbox(&smtp).await.unwrap(), 0, "sent once only");
        let received = sink.wait_for(before + 2);
        let mine = &received[before..];
        assert_eq!(mine.len(), 2);
        assert_eq!(mine[0].to, ["dt@school.example"]);
        assert!(mine[0].data.contains("Subject: First"), "{}", mine[0].data);
        assert!(mine[0].data.contains("From: OpenPEP <no-reply@openpep.example>"));
        assert!(outbox::get(&services.db, a).await.unwrap().sent_at.is_some());

        // No server listening: the attempt fails and is retried later.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let dead_port = closed.local_addr().unwrap().port();
        drop(closed);
        let dead =
            Mailer::from_url(&format!("smtp://127.0.0.1:{dead_port}"), FROM, std::env::temp_dir())
                .unwrap();
        let c = queue(&services, "iro@council.example", "Third").await;
        assert_eq!(services.deliver_outbox(&dead).await.unwrap(), 0);
        let failed = outbox::get(&services.db, c).await.unwrap();
        assert_eq!(failed.attempts, 1);
        assert!(failed.last_error.is_some());
        assert_eq!(failed.next_attempt_at, now() + TimeDelta::minutes(1));
        assert!(failed.sent_at.is_none() && failed.failed_at.is_none());
        assert_eq!(services.deliver_outbox(&smtp).await.unwrap(), 0, "not due yet");

        let later =
            Services::new(t.db.clone(), Arc::new(FixedClock(now() + TimeDelta::minutes(2))));
        assert_eq!(later.deliver_outbox(&smtp).await.unwrap(), 1);
        assert!(sink.wait_for(before + 3).last().unwrap().data.contains("Subject: Third"));
    }
}

#[tokio::test]
async fn the_file_transport_writes_eml_files() {
    let t = openpep_testkit::sqlite().await;
    let services = Services::new(t.db.clone(), Arc::new(FixedClock(now())));
    let dir = tempfile::tempdir().unwrap();
    let files = Mailer::from_url("file:", FROM, dir.path().to_path_buf()).unwrap();
    let id = queue(&services, "carer@home.example", "Your code").await;
    assert_eq!(services.deliver_outbox(&files).await.unwrap(), 1);
    let eml = std::fs::read_to_string(dir.path().join(format!("{id}.eml"))).unwrap();
    assert!(eml.contains("To: carer@home.example") && eml.contains("Subject: Your code"), "{eml}");
}
