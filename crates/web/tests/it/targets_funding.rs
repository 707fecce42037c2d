//! Targets and funding over HTTP: a target needs an action, the SMART coach
//! advises, bad amounts and a "will not be considered" purpose are refused
//! before submission, and two decisions on one request cannot both win.

use openpep_domain::{ChildScope, PepStatus, Role};
use openpep_store::{funding, outbox, peps, targets};
use scraper::Html;
use uuid::Uuid;

use crate::support::{TestApp, attr, dev_config, on_each_backend, texts};

/// A child of the scope's whose newest PEP can still be edited and has no
/// targets yet, with it.
async fn open_pep(app: &TestApp, scope: &ChildScope) -> (Uuid, String) {
    let db = &app.services.db;
    for child in app.child_ids(scope).await {
        let pep = peps::for_child(db, scope.la_id(), child).await.unwrap().remove(0);
        let open = !PepStatus::from_code(&pep.status).unwrap().is_complete();
        if open && targets::for_pep(db, scope.la_id(), pep.id).await.unwrap().is_empty() {
            return (child, format!("/children/{child}/peps/{}", pep.id));
        }
    }
    panic!("no open PEP in the scope");
}

fn summary(html: &Html) -> Vec<String> {
    texts(html, ".govuk-error-summary__list a")
}

#[tokio::test]
async fn a_target_is_written_funded_submitted_and_decided_once() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::DesignatedTeacher).await;
        let (child, pep) = open_pep(&app, &scope).await;
        app.sign_in_role(Role::DesignatedTeacher).await;
        let targets = format!("{pep}/targets");
        let new = format!("{targets}/new");
        let (status, html) = app.get_html(&new).await;
        assert_eq!(status, 200);
        let term = attr(&html, "input[name=q_due_term]", "value").unwrap();

        // No action: refused, with what was typed kept.
        let mut fields = vec![
            ("version", "0".to_owned()),
            ("q_area", "cognition_learning".to_owned()),
            ("q_description", "Improve reading".to_owned()),
            ("q_due_kind", "term".to_owned()),
            ("q_due_term", term.clone()),
        ];
        let send = |fields: Vec<(&'static str, String)>, action: String| {
            let app = app.clone();
            let page = new.clone();
            async move {
                let form: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let response = app.post_page(&page, &action, &form).await;
                let status = response.status().as_u16();
                (status, (), Html::parse_document(&response.text().await.unwrap()))
            }
        };
        let (status, _, html) = send(fields.clone(), new.clone()).await;
        assert_eq!(status, 422);
        assert_eq!(
            summary(&html),
            ["Add at least one action: who will do what to help the child meet the target"]
        );
        assert_eq!(texts(&html, "textarea[name=q_description]"), ["Improve reading"]);

        // A vague draft with an adult's action: saved, and coached.
        fields.push(("q_action_0_who", "class_teacher".to_owned()));
        fields.push(("q_action_0_what", "Hear the child read".to_owned()));
        let (status, _, _) = send(fields, new.clone()).await;
        assert_eq!(status, 303, "draft target on {}", app.backend);
        let (_, html) = app.get_html(&targets).await;
        assert_eq!(texts(&html, ".app-target-card[id] h3 .govuk-tag"), ["Draft"]);
        let hints = texts(&html, ".app-target-card[id] .govuk-details__text li");
        assert!(!hints.is_empty(), "the coach flags a vague target");
        assert!(texts(&html, ".app-smart__tick--met abbr").len() < 5);

        // Funding on the target.
        let fund = attr(&html, "a[href$='/funding']", "href").unwrap();
        let request = |category: &str, amount: &str| {
            vec![
                ("version", "0".to_owned()),
                ("q_source", "pp_plus".to_owned()),
                ("q_purchase", "Ten sessions of 1:1 reading tuition".to_owned()),
                ("q_category", category.to_owned()),
                ("q_amount", amount.to_owned()),
            ]
        };
        for (category, amount, message) in [
            ("core_tuition", "0", "Amount must be more than £0"),
            ("core_tuition", "-5", "Amount must be more than £0"),
            ("core_tuition", "lots", "Amount must be a number, like 1250 or 1250.50"),
        ] {
            let (status, _, html) = send(request(category, amount), fund.clone()).await;
            assert_eq!(status, 422, "{amount}");
            assert_eq!(summary(&html), [message]);
            assert_eq!(attr(&html, "input[name=q_amount]", "value").as_deref(), Some(amount));
        }
        let (status, _, html) = send(request("one_to_one_ta", "5000.01"), fund.clone()).await;
        assert_eq!(status, 422);
        assert!(summary(&html)[0].contains("capped at £5,000 a term"), "{:?}", summary(&html));
        let (status, _, html) = send(request("uniform", "120"), fund.clone()).await;
        assert_eq!(status, 422);
        assert!(summary(&html)[0].contains("will not be considered"), "{:?}", summary(&html));
        let (status, _, _) = send(request("core_tuition", "450"), fund.clone()).await;
        assert_eq!(status, 303, "funding request on {}", app.backend);

        // Submitted to the Virtual School.
        let (_, html) = app.get_html(&targets).await;
        assert_eq!(texts(&html, ".app-target-card[id] li .govuk-tag"), ["Not yet submitted to VS"]);
        let submit = attr(&html, "form[action$='/submit']", "action").unwrap();
        let response = app.post_page(&targets, &submit, &[]).await;
        assert_eq!(response.status().as_u16(), 303);
        let (_, html) = app.get_html(&targets).await;
        assert_eq!(texts(&html, ".app-target-card[id] li .govuk-tag"), ["Awaiting approval of VS"]);
        // A target whose funding has gone to the Virtual School stays.
        let card_form = ".app-target-card[id] form:not([action$='/submit'])";
        let remove = attr(&html, card_form, "action").unwrap();
        let version = attr(&html, &format!("{card_form} input[name=version]"), "value").unwrap();
        let fields = [("version", version.as_str()), ("delete", "yes")];
        let response = app.post_page(&targets, &remove, &fields).await;
        assert_eq!(response.status().as_u16(), 422);
        let refused = Html::parse_document(&response.text().await.unwrap());
        assert!(summary(&refused)[0].contains("cannot be removed"), "{:?}", summary(&refused));
        let request_id =
            submit.split("/funding/").nth(1).unwrap().trim_end_matches("/submit").to_owned();

        // Those who may not ask for funding are refused its form.
        let social_worker = app.new_browser();
        social_worker.sign_in_role(Role::SocialWorker).await;
        let status = social_worker.get(&fund).await.status().as_u16();
        assert!(matches!(status, 403 | 404), "a social worker asks for funding: {status}");

        // Two officers decide at once: the first wins, the second is told.
        let officer = app.new_browser();
        officer.sign_in_role(Role::VsOfficer).await;
        let (status, html) = officer.get_html("/funding").await;
        assert_eq!(status, 200);
        assert!(texts(&html, "td a").iter().any(|t| !t.is_empty()));
        assert!(attr(&html, &format!("input[value='{request_id}']"), "value").is_some());
        let decide = |kind: &'static str, note: &'static str| {
            let officer = officer.clone();
            let id = request_id.clone();
            async move {
                let form =
                    [("requests", id.as_str()), ("kind", kind), ("note", note), ("status", "")];
                let response = officer.post_page("/funding", "/funding/decide", &form).await;
                let status = response.status().as_u16();
                (status, Html::parse_document(&response.text().await.unwrap()))
            }
        };
        let (status, html) = decide("decline", "").await;
        assert_eq!(status, 422);
        assert_eq!(summary(&html), ["Enter why the request is declined"]);
        let (status, html) = decide("approve", "Approved at panel.").await;
        assert_eq!(status, 200);
        assert!(
            texts(&html, ".govuk-notification-banner__content p")
                .contains(&"1 request decided".to_owned())
        );
        let (_, html) = decide("decline", "Too late.").await;
        let done = texts(&html, ".govuk-notification-banner__content p");
        assert!(done.iter().any(|t| t.contains("was already approved by")), "{done:?}");
        let (_, html) = app.get_html(&targets).await;
        assert_eq!(texts(&html, ".app-target-card[id] li .govuk-tag"), ["Approved"]);
        let mails = outbox::recent(&app.services.db, None, 50).await.unwrap();
        assert!(mails.iter().any(|m| m.kind == "funding_decision"), "the DT is told");
        // The child's overview sums up their funding.
        let (_, html) = app.get_html(&format!("/children/{child}")).await;
        assert!(texts(&html, "caption").contains(&"Funding".to_owned()));
        assert!(texts(&html, "td .govuk-tag").contains(&"Approved".to_owned()));
        assert!(texts(&html, "td").iter().any(|t| t.contains("£450.00 approved")));
    })
    .await;
}

/// Once a PEP is signed off its targets stay as agreed: asking for funding
/// on one, or changing one, is refused with the reason, and nothing is
/// stored.
#[tokio::test]
async fn a_signed_off_peps_targets_take_no_new_funding_or_changes() {
    on_each_backend(dev_config(), |app| async move {
        let (_, scope) = app.user_scope(Role::DesignatedTeacher).await;
        let la = scope.la_id();
        let db = &app.services.db;
        let mut found = None;
        'children: for child in app.child_ids(&scope).await {
            for pep in peps::for_child(db, la, child).await.unwrap() {
                let done = PepStatus::from_code(&pep.status).unwrap().is_complete();
                let rows = targets::for_pep(db, la, pep.id).await.unwrap();
                if let (true, Some(target)) = (done, rows.first()) {
                    found = Some((
                        format!("/children/{child}/peps/{}", pep.id),
                        pep.id,
                        target.clone(),
                    ));
                    break 'children;
                }
            }
        }
        let (pep, pep_id, target) = found.expect("a signed-off PEP with targets in the demo");
        let before = funding::for_pep(db, la, pep_id).await.unwrap().len();
        app.sign_in_role(Role::DesignatedTeacher).await;
        let targets_page = format!("{pep}/targets");
        let (status, html) = app.get_html(&targets_page).await;
        assert_eq!(status, 200);
        assert!(attr(&html, "a[href$='/funding']", "href").is_none(), "no 'ask for funding' link");

        let fields = [
            ("version", "0"),
            ("q_source", "pp_plus"),
            ("q_purchase", "Ten sessions of 1:1 reading tuition"),
            ("q_category", "core_tuition"),
            ("q_amount", "450"),
        ];
        let action = format!("{targets_page}/{}/funding", target.id);
        let response = app.post_page(&targets_page, &action, &fields).await;
        assert_eq!(response.status().as_u16(), 422, "on {}", app.backend);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            summary(&html),
            ["This PEP has been signed off: funding can no longer be asked for on its targets"]
        );
        assert_eq!(funding::for_pep(db, la, pep_id).await.unwrap().len(), before);

        let version = target.version.to_string();
        let change = [
            ("version", version.as_str()),
            ("q_area", "cognition_learning"),
            ("q_description", "A different target after the meeting"),
        ];
        let action = format!("{targets_page}/{}", target.id);
        let response = app.post_page(&targets_page, &action, &change).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(
            summary(&html),
            ["This PEP has been signed off: its targets can no longer change"]
        );
        let after = targets::get(db, la, target.id).await.unwrap().unwrap();
        assert_eq!(after.description, target.description, "unchanged");
    })
    .await;
}

/// The VS admin keeps the funding policy: a purpose moved to "will not be
/// considered" needs its reason and then refuses requests with it; a
/// year's rate is set, its terms checked; post-16 funding turned off; a
/// save over someone else's is refused; each save audited. Others may not.
#[tokio::test]
async fn the_vs_admin_keeps_the_funding_policy_and_schools_feel_it() {
    on_each_backend(dev_config(), |app| async move {
        let admin = app.new_browser();
        admin.sign_in_role(Role::VsAdmin).await;
        let (status, html) = admin.get_html("/settings/funding").await;
        assert_eq!(status, 200);
        let purposes = texts(&html, "th[scope=row]");
        assert!(purposes.contains(&"1:1 teaching assistant support".to_owned()), "{purposes:?}");
        assert!(purposes.iter().any(|p| p.starts_with("Pupil Premium Plus")), "{purposes:?}");
        assert!(texts(&html, "td").iter().any(|t| t.contains("£5,000.00")), "the TA cap");
        let page = "/settings/funding/categories/laptop";
        let version = attr(&admin.get_html(page).await.1, "input[name=version]", "value").unwrap();

        // "Will not" without a reason: refused, what was typed kept.
        let mut form = vec![
            ("version", version.as_str()),
            ("q_name", "Laptop and software"),
            ("q_consideration", "will_not"),
            ("q_cap", ""),
            ("q_guidance", ""),
        ];
        let response = admin.post_page(page, page, &form).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(summary(&html), ["Say why requests for this will not be considered"]);
        assert_eq!(
            attr(&html, "input[name=q_consideration][checked]", "value").as_deref(),
            Some("will_not")
        );
        form[4] = ("q_guidance", "Schools lend laptops from their own stock this year.");
        let response = admin.post_page(page, page, &form).await;
        assert_eq!(response.status().as_u16(), 303, "saved on {}", app.backend);
        // The same form again, over the old version: someone else saved.
        let response = admin.post_page(page, page, &form).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert!(summary(&html)[0].starts_with("Someone else changed the funding policy"));

        // A year's rate: terms that add up to more than the year are refused.
        let rates = "/settings/funding/sources/pp_plus/rates";
        let version = attr(&admin.get_html(rates).await.1, "input[name=version]", "value").unwrap();
        let mut rate = vec![
            ("version", version.as_str()),
            ("q_academic_year", "2027/28"),
            ("q_yearly", "2700"),
            ("q_autumn", "1000"),
            ("q_spring", "1000"),
            ("q_summer", "1000"),
        ];
        let response = admin.post_page(rates, rates, &rate).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert!(
            summary(&html)[0].contains("more than the yearly rate of £2,700.00"),
            "{:?}",
            summary(&html)
        );
        assert_eq!(attr(&html, "input[name=q_summer]", "value").as_deref(), Some("1000"));
        rate.truncate(3);
        let response = admin.post_page(rates, rates, &rate).await;
        assert_eq!(response.status().as_u16(), 303);
        let (_, html) = admin.get_html("/settings/funding").await;
        assert!(
            texts(&html, "td")
                .iter()
                .any(|t| t.contains("2027/28: £2,700.00 a year (autumn £900.00")),
            "{:?}",
            texts(&html, "td")
        );

        // Post-16 funding off.
        let version = attr(&html, "input[name=version]", "value").unwrap();
        let response = admin
            .post_page(
                "/settings/funding",
                "/settings/funding/post-16",
                &[("version", &version), ("post_16", "off")],
            )
            .await;
        assert_eq!(response.status().as_u16(), 303);
        let (_, html) = admin.get_html("/settings/funding").await;
        assert_eq!(attr(&html, "input[name=post_16][checked]", "value").as_deref(), Some("off"));
        let (admin_id, admin_scope) = app.user_scope(Role::VsAdmin).await;
        let la = admin_scope.la_id();
        let saves = openpep_store::audit::by_actor(&app.services.db, admin_id, 100).await.unwrap();
        assert_eq!(saves.iter().filter(|e| e.action == "funding_policy.saved").count(), 3);

        // A school's request for a laptop is now refused with the reason.
        let (_, scope) = app.user_scope(Role::DesignatedTeacher).await;
        let db = &app.services.db;
        let mut open = None;
        for child in app.child_ids(&scope).await {
            let pep = peps::for_child(db, la, child).await.unwrap().remove(0);
            let rows = targets::for_pep(db, la, pep.id).await.unwrap();
            if !PepStatus::from_code(&pep.status).unwrap().is_complete() && !rows.is_empty() {
                open = Some((format!("/children/{child}/peps/{}/targets", pep.id), rows[0].id));
                break;
            }
        }
        let (targets_page, target) = open.expect("an open PEP with targets");
        app.sign_in_role(Role::DesignatedTeacher).await;
        let action = format!("{targets_page}/{target}/funding");
        let request = [
            ("version", "0"),
            ("q_source", "pp_plus"),
            ("q_purchase", "A laptop for coursework"),
            ("q_category", "laptop"),
            ("q_amount", "400"),
        ];
        let response = app.post_page(&action, &action, &request).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = Html::parse_document(&response.text().await.unwrap());
        assert!(
            summary(&html)[0].contains("Schools lend laptops from their own stock this year."),
            "{:?}",
            summary(&html)
        );

        // Nobody else may change the policy.
        assert_eq!(app.get("/settings/funding").await.status().as_u16(), 403);
    })
    .await;
}
