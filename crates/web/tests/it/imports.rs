//! Imports: the demo authority's children, care episodes and schools,
//! written out as SSDA903, the council's CSV and GIAS files, rebuild the
//! same records in an empty authority; importing again changes nothing;
//! bad files are reported row by row (line, column, reason) and nothing of
//! them is kept; attendance goes into the current PEP.

use std::collections::HashMap;

use openpep_domain::Role;
use openpep_service::imports::{ImportKind, ImportReport, Importer, Mapping};
use openpep_store::authorities::{self, LocalAuthority};
use openpep_store::imports as rows;
use openpep_store::{audit, pep_pages};
use uuid::Uuid;

use crate::support::{TestApp, dev_config, location, now, on_each_backend, texts};

async fn empty_authority(app: &TestApp) -> LocalAuthority {
    let la = LocalAuthority {
        id: Uuid::now_v7(),
        code: "999".into(),
        name: "Testshire".into(),
        created_at: now(),
    };
    let mut tx = app.services.db.begin().await.unwrap();
    authorities::insert(&mut tx, &la).await.unwrap();
    tx.commit().await.unwrap();
    la
}

fn importer(la: &LocalAuthority, user: Option<Uuid>) -> Importer {
    Importer { la_id: la.id, user_id: user, request_id: None, import_id: Uuid::now_v7() }
}

async fn run(
    app: &TestApp,
    la: &LocalAuthority,
    kind: ImportKind,
    file: &[u8],
    commit: bool,
) -> ImportReport {
    app.services.run_import(&importer(la, None), kind, &Mapping::new(), file, commit).await.unwrap()
}

#[tokio::test]
async fn the_demo_authority_is_rebuilt_from_its_files_and_a_second_import_changes_nothing() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::VsAdmin).await;
        let source = scope.la_id();
        let files = app.services.authority_files(source).await.unwrap();
        let target = empty_authority(&app).await;
        let db = &app.services.db;
        let children = rows::all_children(db, source).await.unwrap();
        assert!(children.len() >= 60, "{}", app.backend);

        // The dry run says what would happen and keeps nothing.
        let dry = run(&app, &target, ImportKind::Children, &files.header, false).await;
        assert_eq!(dry.created, children.len() as u64, "{:?}", dry.problems);
        assert!(dry.importable());
        assert!(rows::all_children(db, target.id).await.unwrap().is_empty());

        // Schools are shared: the GIAS rows of the demo's schools are held.
        let schools = run(&app, &target, ImportKind::Schools, &files.schools, true).await;
        assert!(schools.importable(), "{:?}", schools.problems);
        assert_eq!((schools.created, schools.updated), (0, 0));
        assert!(schools.unchanged > 5);

        let header = run(&app, &target, ImportKind::Children, &files.header, true).await;
        assert_eq!(header, dry, "the import does what the dry run said");
        let episodes = run(&app, &target, ImportKind::Episodes, &files.episodes, true).await;
        assert!(episodes.importable(), "{:?}", episodes.problems);
        let la_csv = run(&app, &target, ImportKind::LaChildren, &files.la_children, true).await;
        assert!(la_csv.importable(), "{:?}", la_csv.problems);
        let placed = rows::all_open_placements(db, source).await.unwrap();
        assert_eq!(la_csv.updated, placed.len() as u64, "each child at school gets it");
        assert!(la_csv.changes.iter().all(|c| c.fields == ["SCHOOL_URN"]));

        // The same records, child by child.
        let rebuilt: HashMap<String, _> = rows::all_children(db, target.id)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.la_child_id.clone().unwrap(), c))
            .collect();
        assert_eq!(rebuilt.len(), children.len());
        let episodes_of = |list: Vec<openpep_store::placements::CareEpisode>| {
            let mut by: HashMap<Uuid, Vec<_>> = HashMap::new();
            for e in list {
                by.entry(e.child_id).or_default().push((
                    e.started_on,
                    e.ended_on,
                    e.legal_status,
                    e.placement_type,
                    e.placement_provider,
                    e.lives_in_la,
                ));
            }
            by
        };
        let before = episodes_of(rows::all_episodes(db, source).await.unwrap());
        let after = episodes_of(rows::all_episodes(db, target.id).await.unwrap());
        let schools_of = |list: Vec<rows::PlacementAt>| -> HashMap<Uuid, (i32, chrono::NaiveDate)> {
            list.into_iter().map(|p| (p.child_id, (p.urn, p.started_on))).collect()
        };
        let school_before = schools_of(placed);
        let school_after = schools_of(rows::all_open_placements(db, target.id).await.unwrap());
        for c in &children {
            let r = &rebuilt[c.la_child_id.as_ref().unwrap()];
            assert_eq!(
                (&r.forename, &r.surname, r.date_of_birth, &r.gender, &r.ethnicity),
                (&c.forename, &c.surname, c.date_of_birth, &c.gender, &c.ethnicity)
            );
            assert_eq!((&r.upn, &r.upn_unknown_reason), (&c.upn, &c.upn_unknown_reason));
            assert_eq!((&r.legal_status, r.entered_care_on), (&c.legal_status, c.entered_care_on));
            assert_eq!(before.get(&c.id), after.get(&r.id), "episodes of {}", r.forename);
            assert_eq!(school_before.get(&c.id), school_after.get(&r.id));
        }

        // Importing the same files again changes nothing.
        for (kind, file) in [
            (ImportKind::Schools, &files.schools),
            (ImportKind::Children, &files.header),
            (ImportKind::Episodes, &files.episodes),
            (ImportKind::LaChildren, &files.la_children),
        ] {
            let again = run(&app, &target, kind, file, true).await;
            assert_eq!((again.created, again.updated, again.refused), (0, 0, 0), "{kind:?}");
            assert_eq!(again.unchanged, again.rows);
        }
        // Each created child is audited with the import.
        let one = rebuilt.values().next().unwrap();
        let events = audit::for_child(db, target.id, one.id, 20).await.unwrap();
        assert!(events.iter().any(|e| e.action == "child.imported"));
        assert!(events.iter().any(|e| e.action == "care_episode.imported"));
    })
    .await;
}

const HEADER: &str = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB,FORENAME,SURNAME";

#[tokio::test]
async fn a_bad_file_is_reported_by_line_and_column_and_nothing_of_it_is_kept() {
    on_each_backend(dev_config(), |app| async move {
        let la = empty_authority(&app).await;
        let db = &app.services.db;
        // A byte order mark, Windows line endings and a quoted comma are
        // read as meant; the rest are mistakes.
        let file = format!(
            "\u{feff}{HEADER}\r\n\
             A1,2,03/07/2014,WBRI,B801200005001,,,\"Ada, Jo\",Quill\r\n\
             A1,1,04/07/2014,WBRI,,,,Ben,Quill\r\n\
             A3,1,2014-07-05,WBRI,,,,Cal,Quill\r\n\
             A4,X,05/07/2014,ZZZZ,A801200005001,,,Dee,Quill\r\n\
             A5,1,05/07/2014,WBRI,,,,Eve\r\n\
             A6,1,05/07/2015,WBRI,UN2,,,,\r\n"
        );
        let report = run(&app, &la, ImportKind::Children, file.as_bytes(), true).await;
        assert!(!report.importable());
        assert_eq!((report.rows, report.created, report.refused), (6, 1, 5));
        let found: Vec<(u64, &str)> =
            report.problems.iter().map(|p| (p.line, p.column.as_str())).collect();
        assert_eq!(
            found,
            [(3, "CHILD"), (4, "DOB"), (5, "SEX"), (5, "ETHNIC"), (5, "UPN"), (6, ""), (7, "FORENAME")]
        );
        assert!(report.problems[0].reason.contains("first on line 2"));
        assert!(report.problems[1].reason.contains("DD/MM/YYYY"));
        assert!(report.problems[4].reason.contains("check letter"));
        assert!(report.problems[5].reason.contains("9 columns"));
        assert!(report.problems[6].reason.contains("no names"));
        // Nothing was kept: not even the good row.
        assert!(rows::all_children(db, la.id).await.unwrap().is_empty());

        // The header is checked before any row.
        let wrong = run(&app, &la, ImportKind::Children, b"CHILD,SEX\nA1,1\n", false).await;
        assert_eq!(wrong.rows, 0);
        assert!(wrong.file_problems[0].contains("DOB, ETHNIC, UPN, MOTHER, MC_DOB"));
        let episodes_as_header =
            run(&app, &la, ImportKind::Episodes, HEADER.as_bytes(), false).await;
        assert!(episodes_as_header.file_problems[0].contains("DECOM"));
        // A file with no line breaks is stopped, not held in memory.
        let blob = vec![b'x'; 200_000];
        let blob = run(&app, &la, ImportKind::Children, &blob, false).await;
        assert!(blob.file_problems[0].contains("longer than 64 KB"), "{:?}", blob.file_problems);

        // The good rows alone import; a changed row updates; an episode of
        // a child not imported is refused.
        let good = format!(
            "{HEADER}\nA1,2,03/07/2014,WBRI,B801200005001,,,\"Ada, Jo\",Quill\nA6,1,05/07/2015,WBRI,UN2,,,Fin,Quill\n"
        );
        let first = run(&app, &la, ImportKind::Children, good.as_bytes(), true).await;
        assert_eq!((first.created, first.refused), (2, 0));
        let changed = good.replace("Fin,Quill", "Finn,Quill");
        let second = run(&app, &la, ImportKind::Children, changed.as_bytes(), true).await;
        assert_eq!((second.created, second.updated, second.unchanged), (0, 1, 1));
        assert_eq!(second.changes[0].fields, ["FORENAME"]);
        let held = rows::all_children(db, la.id).await.unwrap();
        let ada = held.iter().find(|c| c.la_child_id.as_deref() == Some("A1")).unwrap();
        assert_eq!(ada.forename, "Ada, Jo");
        assert_eq!(held.iter().find(|c| c.forename == "Finn").unwrap().upn_unknown_reason.as_deref(), Some("UN2"));
        let episodes = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n\
             A1,01/09/2020,S,C2,N1,U4,PR1,,,,,,XXXXXXX\n\
             ZZ9,01/09/2020,S,C2,N1,U4,PR1,,,,,,XXXXXXX\n";
        let e = run(&app, &la, ImportKind::Episodes, episodes.as_bytes(), true).await;
        assert_eq!((e.created, e.refused), (1, 1));
        assert!(e.problems[0].reason.contains("ZZ9 is not a child in OpenPEP"));
        assert!(rows::all_episodes(db, la.id).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn gias_rows_create_update_and_close_schools() {
    on_each_backend(dev_config(), |app| async move {
        let la = empty_authority(&app).await;
        let db = &app.services.db;
        let head = "URN,LA (code),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (name),PhaseOfEducation (name),EstablishmentStatus (name),Postcode,OfstedRating (name),OfstedLastInsp";
        // Windows-1252, as GIAS publishes it: 0x92 is a right quote.
        let mut file = format!("{head}\r\n999001,999,52,St Brigid").into_bytes();
        file.push(0x92);
        file.extend_from_slice(b"s Primary,Voluntary aided school,Primary,Open,ZZ1 1ZZ,Good,14-03-2023\r\n");
        let made = run(&app, &la, ImportKind::Schools, &file, true).await;
        assert_eq!(made.created, 1, "{:?}", made.problems);
        let mut tx = db.begin().await.unwrap();
        let school = openpep_store::schools::by_urns(&mut tx, &[999_001]).await.unwrap().remove(0);
        tx.rollback().await.unwrap();
        assert_eq!(school.name, "St Brigid\u{2019}s Primary");
        assert_eq!(school.laestab.as_deref(), Some("9990052"));
        assert!(school.is_open);
        let closed = format!("{head}\n999001,999,52,St Brigid's Primary,Voluntary aided school,Primary,Closed,ZZ1 1ZZ,Good,14-03-2023\n");
        let report = run(&app, &la, ImportKind::Schools, closed.as_bytes(), true).await;
        assert_eq!(report.updated, 1);
        assert!(report.changes[0].fields.contains(&"EstablishmentStatus (name)".to_owned()));
        let mut tx = db.begin().await.unwrap();
        let school = openpep_store::schools::by_urns(&mut tx, &[999_001]).await.unwrap().remove(0);
        tx.rollback().await.unwrap();
        assert!(!school.is_open);
    })
    .await;
}

#[tokio::test]
async fn attendance_goes_into_the_current_pep_and_a_signed_off_one_is_left() {
    on_each_backend(dev_config(), |app| async move {
        let (admin, scope) = app.user_scope(Role::VsAdmin).await;
        let la_id = scope.la_id();
        let db = &app.services.db;
        let la = authorities::get(db, la_id).await.unwrap();
        let children = rows::all_children(db, la_id).await.unwrap();
        let ids: Vec<Uuid> = children.iter().map(|c| c.id).collect();
        let mut tx = db.begin().await.unwrap();
        let current = rows::current_peps(&mut tx, la_id, &ids).await.unwrap();
        tx.rollback().await.unwrap();
        let with_upn = |status: &[&str]| {
            current
                .iter()
                .filter(|p| status.contains(&p.status.as_str()) && p.academic_year == 2026)
                .find_map(|p| {
                    let c = children.iter().find(|c| c.id == p.child_id)?;
                    Some((c.upn.clone()?, p.clone()))
                })
                .unwrap()
        };
        let (open_upn, open_pep) = with_upn(&["in_progress", "not_started"]);
        let (done_upn, _) = with_upn(&["signed_off", "quality_assured"]);
        let file = format!(
            "UPN,FROM,TO,POSSIBLE,ATTENDED,AUTHORISED,UNAUTHORISED\n\
             {open_upn},02/11/2026,20/11/2026,30,27,2,1\n\
             {done_upn},02/11/2026,20/11/2026,30,30,0,0\n"
        );
        let me = importer(&la, Some(admin));
        let report = app
            .services
            .run_import(&me, ImportKind::Attendance, &Mapping::new(), file.as_bytes(), true)
            .await
            .unwrap();
        assert!(report.importable(), "{:?}", report.problems);
        assert_eq!(report.skipped, 1);
        assert_eq!(report.created + report.updated, 1);
        let template = app.services.template_of(la_id, open_pep.template_id).await.unwrap();
        let key = template
            .pages()
            .find(|(_, _, p)| p.kind == openpep_domain::template::PageKind::Attendance)
            .unwrap()
            .2
            .key
            .clone();
        let page = pep_pages::get(db, la_id, open_pep.id, &key).await.unwrap().unwrap();
        assert_eq!(page.answers.0["attended"], "27");
        assert_eq!(page.answers.0["from"], "2026-11-02");
        let again = app
            .services
            .run_import(&me, ImportKind::Attendance, &Mapping::new(), file.as_bytes(), true)
            .await
            .unwrap();
        assert_eq!((again.unchanged, again.skipped), (1, 1));
        // A period after today, or sessions that do not add up, refuse the
        // whole file.
        let bad = format!(
            "UPN,FROM,TO,POSSIBLE,ATTENDED,AUTHORISED,UNAUTHORISED\n\
             {open_upn},02/11/2026,20/11/2026,30,20,2,1\n"
        );
        let refused = app
            .services
            .run_import(&me, ImportKind::Attendance, &Mapping::new(), bad.as_bytes(), true)
            .await
            .unwrap();
        assert_eq!(refused.refused, 1);
        assert_eq!(refused.problems[0].column, "POSSIBLE");
        let page = pep_pages::get(db, la_id, open_pep.id, &key).await.unwrap().unwrap();
        assert_eq!(page.answers.0["attended"], "27");
    })
    .await;
}

#[tokio::test]
async fn the_administrator_checks_maps_and_imports_a_file_in_the_browser() {
    on_each_backend(dev_config(), |app| async move {
        // Those who are not the administrator cannot import.
        app.sign_in_role(Role::VsOfficer).await;
        assert_eq!(app.get("/imports").await.status().as_u16(), 403);
        let app = app.new_browser();
        app.sign_in_role(Role::VsAdmin).await;
        let upload = |kind: &'static str, name: &'static str, bytes: Vec<u8>| {
            let app = app.clone();
            async move {
                let token = app.csrf("/imports").await;
                let form = reqwest::multipart::Form::new()
                    .text("_csrf", token)
                    .text("kind", kind)
                    .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
                app.client.post(app.url("/imports")).multipart(form).send().await.unwrap()
            }
        };
        let (status, html) = app.get_html("/imports").await;
        assert_eq!(status, 200);
        assert_eq!(texts(&html, "h1"), ["Import data"]);

        // Nothing chosen: both errors, nothing kept.
        let response = upload("", "empty.csv", Vec::new()).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = scraper::Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            texts(&html, ".govuk-error-summary__list a"),
            ["Select what the file holds", "Select a CSV file"]
        );

        // The council's own CSV, with a column the guess cannot place.
        let file = "Ref,Given,Family,Born,Gender,UPN\nT-1,Ivy,Marsh,2015-04-02,Female,\nT-2,Oli,Marsh,2016-05-03,Male,\n";
        let response = upload("la_children", "children.csv", file.as_bytes().to_vec()).await;
        assert_eq!(response.status().as_u16(), 303);
        let report_path = location(&response);
        let (_, html) = app.get_html(&report_path).await;
        let problems = texts(&html, "#file-problems li");
        assert!(problems.iter().any(|p| p.contains("child's id in the council's system")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("first name")));
        assert!(texts(&html, "button").iter().all(|b| !b.starts_with("Import ")));
        // Choosing the columns checks it again.
        let columns = format!("{report_path}/columns");
        let response = app
            .post_page(
                &report_path,
                &columns,
                &[
                    ("map-CHILD", "Ref"),
                    ("map-FORENAME", "Given"),
                    ("map-SURNAME", "Family"),
                    ("map-DOB", "Born"),
                    ("map-SEX", "Gender"),
                    ("map-UPN", "UPN"),
                ],
            )
            .await;
        assert_eq!(response.status().as_u16(), 303);
        let (_, html) = app.get_html(&report_path).await;
        assert!(texts(&html, "#file-problems li").is_empty());
        assert!(texts(&html, "button").contains(&"Import 2 rows".to_owned()));
        let (_, scope) = app.user_scope(Role::VsAdmin).await;
        let before = rows::all_children(&app.services.db, scope.la_id()).await.unwrap().len();
        let run = format!("{report_path}/run");
        let response = app.post_page(&report_path, &run, &[]).await;
        assert_eq!(response.status().as_u16(), 303);
        let (_, html) = app.get_html(&report_path).await;
        assert!(texts(&html, ".govuk-notification-banner__content").iter().any(|t| t.contains("imported")));
        let after = rows::all_children(&app.services.db, scope.la_id()).await.unwrap();
        assert_eq!(after.len(), before + 2);
        assert!(after.iter().any(|c| c.la_child_id.as_deref() == Some("T-1") && c.forename == "Ivy"));
        // A second press does nothing more.
        app.post_page(&report_path, &run, &[]).await;
        assert_eq!(rows::all_children(&app.services.db, scope.la_id()).await.unwrap().len(), before + 2);

        // A file with a refused row shows where, and offers no import.
        let bad = format!("{HEADER}\nB1,7,01/01/2015,WBRI,,,,Al,Bee\n");
        let response = upload("children", "header.csv", bad.into_bytes()).await;
        let (_, html) = app.get_html(&location(&response)).await;
        let cells = texts(&html, "table:first-of-type tbody td");
        assert!(cells.contains(&"SEX".to_owned()), "{cells:?}");
        assert!(texts(&html, "button").iter().all(|b| !b.starts_with("Import ")));
    })
    .await;
}

#[tokio::test]
async fn a_child_whose_last_episode_ends_leaves_the_lists_and_keeps_their_records() {
    on_each_backend(dev_config(), |app| async move {
        let db = &app.services.db;
        let today = now().date_naive();
        let (_, scope) = app.user_scope(Role::VsOfficer).await;
        let la = authorities::get(db, scope.la_id()).await.unwrap();
        let in_care = |care| openpep_store::children::LearnerFilter { care, ..Default::default() };
        let list = |care| {
            let filter = in_care(care);
            async move {
                let page = openpep_store::PageRequest::new(1, 10_000);
                openpep_store::children::list_learners(db, &scope, today, &filter, page)
                    .await
                    .unwrap()
            }
        };
        use openpep_store::children::CareFilter;
        let before = list(CareFilter::InCare).await;
        let cohort_before = openpep_store::dashboard::cohort(db, &scope, today).await.unwrap();
        assert!(list(CareFilter::Left).await.rows.is_empty(), "{}", app.backend);

        // The return ends the first child's open episode ten days ago.
        let files = app.services.authority_files(la.id).await.unwrap();
        let text = String::from_utf8(files.episodes.clone()).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let columns: Vec<&str> = header.split(',').collect();
        let at = |name: &str| columns.iter().position(|c| *c == name).unwrap();
        let open = lines
            .map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>())
            .find(|cells| cells[at("DEC")].is_empty())
            .unwrap();
        let mut ended = open.clone();
        ended[at("DEC")] = (today - chrono::TimeDelta::days(10)).format("%d/%m/%Y").to_string();
        ended[at("REC")] = "E4A".into();
        let file = format!("{header}\n{}\n", ended.join(","));
        let report = run(&app, &la, ImportKind::Episodes, file.as_bytes(), true).await;
        assert_eq!(report.updated, 1, "{:?}", report.problems);
        let leaver = rows::all_children(db, la.id)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.la_child_id.as_deref() == Some(open[at("CHILD")].as_str()))
            .unwrap();
        assert_eq!(leaver.left_care_on, Some(today - chrono::TimeDelta::days(10)));

        // Gone from the list and the dashboard; found among the leavers.
        let after = list(CareFilter::InCare).await;
        assert_eq!(after.total, before.total - 1);
        assert!(after.rows.iter().all(|r| r.id != leaver.id));
        let cohort = openpep_store::dashboard::cohort(db, &scope, today).await.unwrap();
        assert_eq!(cohort.len(), cohort_before.len() - 1);
        assert!(cohort.iter().all(|c| c.id != leaver.id));
        let left = list(CareFilter::Left).await;
        assert_eq!(left.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [leaver.id]);
        assert_eq!(list(CareFilter::All).await.total, before.total);

        // The officer sees the same in the browser, and the child's record.
        app.sign_in_role(Role::VsOfficer).await;
        let (status, html) = app.get_html("/learners?care=left").await;
        assert_eq!(status, 200);
        let cells = texts(&html, "table tbody td, table tbody th");
        assert!(cells.iter().any(|c| c.contains(&leaver.surname)), "{cells:?}");
        assert!(cells.iter().any(|c| c.contains("Left care")), "{cells:?}");
        let (_, html) = app.get_html("/learners").await;
        let names = texts(&html, "table tbody th");
        let full = format!("{} {}", leaver.forename, leaver.surname);
        assert!(!names.contains(&full), "{names:?}");
        let (status, html) = app.get_html(&format!("/children/{}", leaver.id)).await;
        assert_eq!(status, 200);
        assert!(texts(&html, ".govuk-tag").iter().any(|t| t == "Left care"));
        let rows = texts(&html, ".govuk-summary-list__row");
        assert!(rows.iter().any(|r| r.contains("Date left care")), "{rows:?}");
        let notes = texts(&html, ".govuk-inset-text, .govuk-warning-text");
        assert!(notes.iter().all(|n| !n.contains("should attend")), "{notes:?}");
        assert!(notes.iter().all(|n| !n.contains("no school place")), "{notes:?}");

        // A PEP of theirs left open, due after they left: not late, not on
        // the officer's list, nobody chased for it.
        let open_pep = openpep_store::peps::for_child(db, la.id, leaver.id)
            .await
            .unwrap()
            .into_iter()
            .find(|p| !matches!(p.status.as_str(), "signed_off" | "quality_assured"))
            .expect("an open PEP");
        let due = today - chrono::TimeDelta::days(5);
        let set_due = "UPDATE peps SET due_on = $1 WHERE id = $2";
        match db {
            openpep_store::Db::Sqlite(pool) => {
                sqlx::query(set_due).bind(due).bind(open_pep.id).execute(pool).await.unwrap();
            }
            openpep_store::Db::Postgres(pool) => {
                sqlx::query(set_due).bind(due).bind(open_pep.id).execute(pool).await.unwrap();
            }
        }
        let (_, html) = app.get_html(&format!("/children/{}", leaver.id)).await;
        let notes = texts(&html, ".govuk-warning-text, .govuk-notification-banner");
        assert!(notes.iter().all(|n| !n.contains("past its due date")), "{notes:?}");
        assert!(texts(&html, ".govuk-tag").iter().all(|t| t != "Overdue"));
        for list in ["/peps", "/peps?show=overdue"] {
            let (status, html) = app.get_html(list).await;
            assert_eq!(status, 200);
            let names = texts(&html, "table tbody th, table tbody td");
            assert!(names.iter().all(|n| !n.contains(&leaver.surname)), "{list}: {names:?}");
        }
        let mut tx = db.begin().await.unwrap();
        let week = today + chrono::TimeDelta::days(7);
        let chased =
            openpep_store::reminders::chased(&mut tx, la.id, (today, week), None).await.unwrap();
        tx.rollback().await.unwrap();
        assert!(!chased.is_empty(), "others' PEPs are chased");
        assert!(chased.iter().all(|c| c.child_id != leaver.id));

        // A corrected return that reopens the episode puts them back.
        let back = format!("{header}\n{}\n", open.join(","));
        let report = run(&app, &la, ImportKind::Episodes, back.as_bytes(), true).await;
        assert_eq!(report.updated, 1, "{:?}", report.problems);
        assert_eq!(list(CareFilter::InCare).await.total, before.total);
    })
    .await;
}
