//! Moving and backing up an installation: the demo copied from each
//! backend to the other and back arrives whole (rows and checksums per
//! table) and reads as it did; a SQLite snapshot taken while someone
//! writes is consistent, and one taken at rest is identical.

use openpep_domain::Role;
use openpep_store::copy::{self, CopiedTable};
use openpep_store::{Db, audit, imports as rows};
use openpep_testkit::TestDb;
use uuid::Uuid;

use crate::support::{dev_config, now, on_each_backend};

/// A fresh database of the other backend than `db`'s, if one can be had.
async fn other_backend(db: &Db) -> Option<TestDb> {
    match db {
        Db::Sqlite(_) => openpep_testkit::postgres().await,
        Db::Postgres(_) => Some(openpep_testkit::sqlite().await),
    }
}

async fn fresh_like(db: &Db) -> TestDb {
    match db {
        Db::Sqlite(_) => openpep_testkit::sqlite().await,
        Db::Postgres(_) => openpep_testkit::postgres().await.unwrap(),
    }
}

fn assert_whole(copied: &[CopiedTable], what: &str) {
    assert!(copied.len() >= 40, "{what}: {} tables", copied.len());
    for table in copied {
        assert!(table.matches(), "{what}: {} {:?} vs {:?}", table.name, table.source, table.target);
    }
    for busy in ["children", "peps", "pep_pages", "targets", "documents", "audit_events"] {
        let table = copied.iter().find(|t| t.name == busy).unwrap();
        assert!(table.source.rows > 0, "{what}: {busy} is empty");
    }
}

#[tokio::test]
async fn the_demo_moves_to_the_other_database_and_back_whole() {
    on_each_backend(dev_config(), |app| async move {
        let source = &app.services.db;
        let Some(middle) = other_backend(source).await else {
            eprintln!("no PostgreSQL: the copy across backends is not tested");
            return;
        };
        let there = copy::copy_database(source, &middle.db).await.unwrap();
        assert_whole(&there, app.backend);
        let back = fresh_like(source).await;
        let returned = copy::copy_database(&middle.db, &back.db).await.unwrap();
        assert_whole(&returned, app.backend);

        // The round trip has every row the source has, value for value.
        let tables = copy::plan(source, &middle.db).await.unwrap();
        let before = copy::checksums(source, &tables).await.unwrap();
        let after = copy::checksums(&back.db, &tables).await.unwrap();
        assert_eq!(before, after, "{}", app.backend);
        let sent: Vec<_> = there.iter().map(|t| t.source).collect();
        assert_eq!(before, sent);

        // And the application reads it as before.
        let (_, scope) = app.user_scope(Role::VsAdmin).await;
        for db in [&middle.db, &back.db] {
            assert_eq!(
                rows::all_children(db, scope.la_id()).await.unwrap(),
                rows::all_children(source, scope.la_id()).await.unwrap()
            );
            assert_eq!(
                rows::all_episodes(db, scope.la_id()).await.unwrap(),
                rows::all_episodes(source, scope.la_id()).await.unwrap()
            );
        }

        // A copy goes only into an empty database.
        let refused = copy::copy_database(source, &back.db).await.unwrap_err();
        assert!(refused.to_string().contains("not empty"), "{refused}");
    })
    .await;
}

#[tokio::test]
async fn a_sqlite_snapshot_is_consistent_while_written_and_identical_at_rest() {
    on_each_backend(dev_config(), |app| async move {
        let db = app.services.db.clone();
        let folder = tempfile::tempdir().unwrap();
        let path = |name: &str| folder.path().join(name).to_str().unwrap().to_owned();
        if let Db::Postgres(_) = db {
            let refused = copy::sqlite_snapshot(&db, &path("x.db")).await.unwrap_err();
            assert!(refused.to_string().contains("pg_dump"));
            return;
        }
        let tables = copy::tables(&db).await.unwrap();

        // At rest: the backup restores to an identical database.
        copy::sqlite_snapshot(&db, &path("rest.db")).await.unwrap();
        let restored = Db::connect(&format!("sqlite://{}", path("rest.db"))).await.unwrap();
        assert_eq!(copy::tables(&restored).await.unwrap(), tables);
        assert_eq!(
            copy::checksums(&restored, &tables).await.unwrap(),
            copy::checksums(&db, &tables).await.unwrap()
        );
        restored.close().await;

        // While audit rows are written one by one.
        let audit_table = tables.iter().position(|t| t.name == "audit_events").unwrap();
        let count = |db: Db| {
            let tables = tables.clone();
            async move { copy::checksums(&db, &tables).await.unwrap()[audit_table].rows }
        };
        let start = count(db.clone()).await;
        let writer = {
            let db = db.clone();
            tokio::spawn(async move {
                for i in 0..200 {
                    let mut tx = db.begin().await.unwrap();
                    let event = audit::AuditEvent {
                        id: Uuid::now_v7(),
                        la_id: None,
                        actor_user_id: None,
                        action: "backup.test".into(),
                        entity_type: "test".into(),
                        entity_id: None,
                        child_id: None,
                        details: openpep_store::Json(serde_json::json!({ "i": i })),
                        request_id: None,
                        occurred_at: now(),
                    };
                    audit::record(&mut tx, &event).await.unwrap();
                    tx.commit().await.unwrap();
                }
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        copy::sqlite_snapshot(&db, &path("live.db")).await.unwrap();
        writer.await.unwrap();
        let live = Db::connect(&format!("sqlite://{}", path("live.db"))).await.unwrap();
        let check: String = match &live {
            Db::Sqlite(pool) => {
                sqlx::query_scalar("PRAGMA integrity_check").fetch_one(pool).await.unwrap()
            }
            Db::Postgres(_) => unreachable!(),
        };
        assert_eq!(check, "ok");
        let snapped = count(live.clone()).await;
        assert!((start..=start + 200).contains(&snapped), "{start} ≤ {snapped} ≤ {start}+200");
        assert_eq!(count(db.clone()).await, start + 200);
        // The app owns the database's folder: keep it to the end.
        drop(app);
    })
    .await;
}
