//! Data out: a term's signed-off PEPs as one zip named for the council's
//! case-management system, the cohort as CSV and XLSX, everything held
//! about one young person, and the records past retention listed for
//! review (nothing deleted).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use openpep_domain::{ChildScope, Role};
use openpep_service::sessions::sha256_hex;
use openpep_store::{archives, audit, children, documents, peps};
use uuid::Uuid;

use crate::support::{TestApp, dev_config, location, now, on_each_backend, texts};

fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        files.insert(file.name().unwrap().to_string(), content);
    }
    files
}

async fn child_of(db: &openpep_store::Db, la_id: Uuid, id: Uuid) -> children::Child {
    children::get(db, &ChildScope::Authority { la_id }, now().date_naive(), id).await.unwrap()
}

async fn make_all_pdfs(app: &TestApp) {
    while app.services.make_archives().await.unwrap() > 0 {}
}

async fn audited(app: &TestApp, action: &str) -> bool {
    let db = &app.services.db;
    let (user, _) = app.user_scope(Role::VsAdmin).await;
    let (officer, _) = app.user_scope(Role::VsOfficer).await;
    for who in [user, officer] {
        if audit::by_actor(db, who, 50).await.unwrap().iter().any(|e| e.action == action) {
            return true;
        }
    }
    false
}

#[tokio::test]
async fn a_terms_signed_off_peps_download_as_one_zip_named_for_the_councils_system() {
    on_each_backend(dev_config(), |app| async move {
        make_all_pdfs(&app).await;
        let db = &app.services.db;
        let (_, scope) = app.user_scope(Role::VsOfficer).await;
        let la = scope.la_id();
        // Worked out again from each child's PEPs: the newest ready PDF of
        // each PEP, grouped by term.
        let mut by_term: BTreeMap<(i32, String), BTreeMap<String, String>> = BTreeMap::new();
        for child_id in app.child_ids(&ChildScope::Authority { la_id: la }).await {
            let child = child_of(db, la, child_id).await;
            for pep in peps::for_child(db, la, child_id).await.unwrap() {
                // Only PEPs still signed off (not reopened or sent back).
                if !["signed_off", "quality_assured"].contains(&pep.status.as_str()) {
                    continue;
                }
                let ready = archives::for_pep(db, la, pep.id).await.unwrap();
                let Some(newest) =
                    ready.iter().filter(|a| a.status == "ready").max_by_key(|a| a.version)
                else {
                    continue;
                };
                let term = openpep_domain::Term::from_code(&pep.term).unwrap();
                let name = format!(
                    "{} {} {} {} {}.pdf",
                    child.la_child_id.clone().unwrap(),
                    child.surname,
                    child.forename,
                    term.label(),
                    pep.academic_year
                );
                by_term
                    .entry((pep.academic_year, pep.term.clone()))
                    .or_default()
                    .insert(name, newest.sha256.clone().unwrap());
            }
        }
        let ((year, term), expected) = by_term.iter().max_by_key(|(_, files)| files.len()).unwrap();
        assert!(!expected.is_empty());

        let officer = app.new_browser();
        officer.sign_in_role(Role::VsOfficer).await;
        let (status, html) = officer.get_html("/exports").await;
        assert_eq!(status, 200);
        assert!(!texts(&html, "select#term option").is_empty());
        // A term not offered is refused on the page, as typed.
        let refused = officer.get("/exports/peps?term=1999-autumn").await;
        assert_eq!(refused.status().as_u16(), 422);
        assert!(refused.text().await.unwrap().contains("Choose a term from the list"));

        let response = officer.get(&format!("/exports/peps?term={year}-{term}")).await;
        assert_eq!(response.status().as_u16(), 200, "{}", app.backend);
        assert_eq!(response.headers()["content-type"], "application/zip");
        let files = unzip(&response.bytes().await.unwrap());
        let names: BTreeSet<&String> = files.keys().collect();
        assert_eq!(names, expected.keys().collect::<BTreeSet<_>>(), "{}", app.backend);
        for (name, bytes) in &files {
            assert!(bytes.starts_with(b"%PDF-"), "{name}");
            assert_eq!(&sha256_hex(bytes), &expected[name], "{name} is the newest version");
        }
        assert!(audited(&app, "export.pep_pdfs").await);
        // Through the compression layer too (browsers ask for gzip): the
        // stream ends cleanly, it is not cut off.
        let gzipped = officer
            .client
            .get(officer.url(&format!("/exports/peps?term={year}-{term}")))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(gzipped.status().as_u16(), 200);
        assert!(!gzipped.bytes().await.unwrap().is_empty());

        // A designated teacher cannot download the authority's PEPs.
        let teacher = app.new_browser();
        teacher.sign_in_role(Role::DesignatedTeacher).await;
        assert_eq!(
            teacher.get(&format!("/exports/peps?term={year}-{term}")).await.status().as_u16(),
            403
        );
    })
    .await;
}

#[tokio::test]
async fn the_cohort_downloads_a_row_a_child_as_csv_and_xlsx() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::VsAdmin).await;
        let everyone = app.child_ids(&ChildScope::Authority { la_id: scope.la_id() }).await;
        let admin = app.new_browser();
        admin.sign_in_role(Role::VsAdmin).await;
        let response = admin.get("/exports/cohort.csv").await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
        let text = response.text().await.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // As a browser asks for it, through the compression layer: whole.
        let gzipped = admin
            .client
            .get(admin.url("/exports/cohort.csv"))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(gzipped.status().as_u16(), 200);
        assert!(!gzipped.bytes().await.unwrap().is_empty());
        assert!(lines[0].starts_with("Child ID,First name,Last name,Date of birth"));
        assert_eq!(lines.len(), everyone.len() + 1, "{}", app.backend);
        let child = child_of(&app.services.db, scope.la_id(), everyone[0]).await;
        let head: Vec<&str> = lines[0].split(',').collect();
        let left_at = head.iter().position(|h| *h == "Left care").unwrap();
        assert_eq!(head[left_at - 1], "Entered care");
        let line = lines
            .iter()
            .find(|l| l.starts_with(&format!("{},", child.la_child_id.clone().unwrap())))
            .unwrap();
        assert!(
            line.contains(&format!(
                ",{},{},{},",
                child.forename, child.surname, child.date_of_birth
            )),
            "{line}"
        );
        assert_eq!(line.split(',').nth(left_at), Some(""), "in care: no date");

        // A child who left care is listed, with the day they left.
        let left_on = chrono::NaiveDate::from_ymd_opt(2026, 10, 30).unwrap();
        let set_left = "UPDATE children SET left_care_on = $1 WHERE id = $2";
        match &app.services.db {
            openpep_store::Db::Sqlite(pool) => {
                sqlx::query(set_left).bind(left_on).bind(child.id).execute(pool).await.unwrap();
            }
            openpep_store::Db::Postgres(pool) => {
                sqlx::query(set_left).bind(left_on).bind(child.id).execute(pool).await.unwrap();
            }
        }
        let text = admin.get("/exports/cohort.csv").await.text().await.unwrap();
        assert_eq!(text.lines().count(), everyone.len() + 1);
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{},", child.la_child_id.clone().unwrap())))
            .unwrap();
        assert_eq!(line.split(',').nth(left_at), Some("2026-10-30"), "{line}");

        let response = admin.get("/exports/cohort.xlsx").await;
        assert_eq!(response.status().as_u16(), 200);
        let files = unzip(&response.bytes().await.unwrap());
        let sheet = String::from_utf8(files["xl/worksheets/sheet1.xml"].clone()).unwrap();
        assert_eq!(sheet.matches("<row ").count(), everyone.len() + 1);
        // The day they left is a date in the tenth column (J), 30/10/2026.
        let left_cell = numeric_cell(&sheet, "J", "46325");
        assert!(left_cell, "no date cell for the day they left care");
        assert!(audited(&app, "export.cohort").await);
        let teacher = app.new_browser();
        teacher.sign_in_role(Role::DesignatedTeacher).await;
        assert_eq!(teacher.get("/exports/cohort.csv").await.status().as_u16(), 403);
    })
    .await;
}

#[tokio::test]
async fn everything_held_about_a_young_person_comes_in_one_zip_and_is_logged() {
    on_each_backend(dev_config(), |app| async move {
        make_all_pdfs(&app).await;
        let db = &app.services.db;
        let (admin_id, scope) = app.user_scope(Role::VsAdmin).await;
        let la = scope.la_id();
        // The child with the most signed-off PDFs.
        let mut best = (0, Uuid::nil());
        for child_id in app.child_ids(&ChildScope::Authority { la_id: la }).await {
            let mut ready = 0;
            for pep in peps::for_child(db, la, child_id).await.unwrap() {
                ready += archives::for_pep(db, la, pep.id)
                    .await
                    .unwrap()
                    .iter()
                    .filter(|a| a.status == "ready")
                    .count();
            }
            best = best.max((ready, child_id));
        }
        let (pdfs, child_id) = best;
        assert!(pdfs > 0);
        // A document of their own, stored with its checksum.
        let bytes = b"%PDF-1.4\n% a report\n".to_vec();
        let document = Uuid::now_v7();
        let key = format!("{la}/{document}");
        app.services.files.put(&key, &bytes).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        documents::insert(
            &mut tx,
            &documents::Document {
                id: document,
                la_id: la,
                child_id,
                pep_id: None,
                kind: "school_report".into(),
                title: "End of year report".into(),
                file_name: "report.pdf".into(),
                content_type: "application/pdf".into(),
                size_bytes: bytes.len() as i64,
                sha256: sha256_hex(&bytes),
                storage_key: key,
                uploaded_by: admin_id,
                uploaded_at: now(),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let held_documents = documents::for_child(db, la, child_id).await.unwrap().len();

        let child = child_of(db, la, child_id).await;
        let page = format!("/children/{child_id}/records");
        let admin = app.new_browser();
        admin.sign_in_role(Role::VsAdmin).await;
        let (status, html) = admin.get_html(&format!("/children/{child_id}")).await;
        assert_eq!(status, 200);
        assert!(texts(&html, "a").iter().any(|t| t.starts_with("Download everything held about")));
        let (status, html) = admin.get_html(&page).await;
        assert_eq!(status, 200);
        assert!(texts(&html, "h1")[0].contains(&child.surname));
        let response = admin.post_page(&page, &page, &[]).await;
        assert_eq!(response.status().as_u16(), 200, "{}", app.backend);
        assert_eq!(response.headers()["content-type"], "application/zip");
        let files = unzip(&response.bytes().await.unwrap());
        assert!(files.contains_key("README.txt"));
        let record: serde_json::Value = serde_json::from_slice(&files["record.json"]).unwrap();
        assert_eq!(record["child_id"], child_id.to_string());
        assert_eq!(record["made_by"], admin_id.to_string());
        let held = &record["held"];
        assert_eq!(held["children"][0]["surname"], child.surname.as_str());
        assert_eq!(held["children"].as_array().unwrap().len(), 1);
        let own_peps = peps::for_child(db, la, child_id).await.unwrap();
        assert_eq!(held["peps"].as_array().unwrap().len(), own_peps.len());
        // Rows that hang from their PEPs (pages) come too, and only theirs.
        let pep_ids: BTreeSet<String> = own_peps.iter().map(|p| p.id.to_string()).collect();
        let pages = held["pep_pages"].as_array().unwrap();
        assert!(!pages.is_empty());
        assert!(pages.iter().all(|p| pep_ids.contains(p["pep_id"].as_str().unwrap())));
        assert!(held["care_episodes"].as_array().is_some_and(|e| !e.is_empty()));
        let pdf_names: Vec<_> = files.keys().filter(|n| n.starts_with("peps/")).collect();
        assert_eq!(pdf_names.len(), pdfs, "{}", app.backend);
        let document_names: Vec<_> = files.keys().filter(|n| n.starts_with("documents/")).collect();
        assert_eq!(document_names.len(), held_documents);
        assert!(files.iter().any(|(n, b)| n.ends_with("report.pdf") && *b == bytes));
        // Who made it and when, against the child.
        let logged = audit::for_child(db, la, child_id, 50).await.unwrap();
        assert!(
            logged
                .iter()
                .any(|e| e.action == "child.records_exported" && e.actor_user_id == Some(admin_id))
        );

        // Nobody else may: an officer is told there is no such page.
        let officer = app.new_browser();
        officer.sign_in_role(Role::VsOfficer).await;
        assert_eq!(officer.get(&page).await.status().as_u16(), 404);
    })
    .await;
}

#[tokio::test]
async fn records_past_the_75th_birthday_are_listed_for_review_and_kept_with_a_reason() {
    on_each_backend(dev_config(), |app| async move {
        let db = &app.services.db;
        let (_, scope) = app.user_scope(Role::VsAdmin).await;
        let la = scope.la_id();
        let child_id = app.child_ids(&ChildScope::Authority { la_id: la }).await[0];
        let born = chrono::NaiveDate::from_ymd_opt(1951, 2, 28).unwrap();
        openpep_store::exec_db!(
            db,
            sqlx::query("UPDATE children SET date_of_birth = $1 WHERE id = $2")
                .bind(born)
                .bind(child_id)
        )
        .unwrap();

        assert_eq!(app.services.list_past_retention().await.unwrap(), 1, "{}", app.backend);
        assert_eq!(app.services.list_past_retention().await.unwrap(), 0, "listed once");
        let child = child_of(db, la, child_id).await;

        let admin = app.new_browser();
        admin.sign_in_role(Role::VsAdmin).await;
        let (status, html) = admin.get_html("/retention").await;
        assert_eq!(status, 200);
        let review = openpep_store::retention::for_authority(db, la).await.unwrap().remove(0);
        assert_eq!(review.retain_until, chrono::NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        assert!(texts(&html, "table a").iter().any(|t| t.contains(&child.surname)));
        let form = format!("/retention/{}", review.id);
        let response = admin.post_page(&form, &form, &[]).await;
        assert_eq!(response.status().as_u16(), 422);
        let body = response.text().await.unwrap();
        assert!(body.contains("Choose how long to keep the records for"));
        assert!(body.contains("Enter why the records are kept"));
        let token = admin.csrf(&form).await;
        let response = admin
            .post_page(&form, &form, &[("years", "2"), ("reason", "An inquiry has asked for them")])
            .await;
        assert_eq!(location(&response), "/retention?saved=1");
        let kept = openpep_store::retention::for_authority(db, la).await.unwrap().remove(0);
        assert_eq!(kept.keep_until, Some(chrono::NaiveDate::from_ymd_opt(2028, 11, 23).unwrap()));
        assert_eq!(kept.reason.as_deref(), Some("An inquiry has asked for them"));
        // Reviewed once; nothing was deleted; the review is in the child's log.
        let again =
            admin.post_form(&form, &[("_csrf", &token), ("years", "1"), ("reason", "Again")]).await;
        assert_eq!(again.status().as_u16(), 404);
        assert!(
            children::get(db, &ChildScope::Authority { la_id: la }, now().date_naive(), child_id)
                .await
                .is_ok()
        );
        assert!(
            audit::for_child(db, la, child_id, 50)
                .await
                .unwrap()
                .iter()
                .any(|e| e.action == "child.retention_reviewed")
        );
        assert_eq!(app.services.list_past_retention().await.unwrap(), 0, "kept to 2028");
        // When the kept date passes, the records are listed again.
        let later = chrono::NaiveDate::from_ymd_opt(2028, 11, 24).unwrap();
        let listed = openpep_store::retention::list_due(
            db,
            chrono::NaiveDate::from_ymd_opt(1953, 11, 24).unwrap(),
            later,
            now(),
        )
        .await
        .unwrap();
        assert_eq!(listed, 1);
        let officer = app.new_browser();
        officer.sign_in_role(Role::VsOfficer).await;
        assert_eq!(officer.get("/retention").await.status().as_u16(), 403);
    })
    .await;
}

/// Whether a numeric cell in `column` of the sheet's XML holds `value`.
fn numeric_cell(sheet: &str, column: &str, value: &str) -> bool {
    sheet.split("<c ").any(|cell| {
        cell.starts_with(&format!("r=\"{column}"))
            && cell.contains(&format!("<v>{value}</v>"))
            && !cell.contains("t=\"")
    })
}
