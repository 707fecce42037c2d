use super::*;
use crate::school_year::NcYear;

const TOML: &str = r#"name = "Test"

[[sections]]
key = "a"
title = "About"

[[sections.pages]]
key = "notes"
title = "Notes"
kind = "free_text"
owners = ["social_worker"]

[[sections.pages.questions]]
key = "q1"
label = "Anything else?"

[[sections.pages]]
key = "sign_off"
title = "Sign-off"
kind = "sign_off"
owners = ["designated_teacher"]
"#;

const JSON: &str = r#"{
  "name": "Test",
  "sections": [
    {
      "key": "a",
      "title": "About",
      "pages": [
        {
          "key": "notes",
          "title": "Notes",
          "kind": "free_text",
          "owners": ["social_worker"],
          "questions": [
            { "key": "q1", "label": "Anything else?" }
          ]
        },
        {
          "key": "sign_off",
          "title": "Sign-off",
          "kind": "sign_off",
          "owners": ["designated_teacher"]
        }
      ]
    }
  ]
}"#;

fn edit(src: &str, from: &str, to: &str) -> String {
    assert_eq!(src.matches(from).count(), 1, "{from:?} is not in the source once");
    src.replace(from, to)
}

/// The 1-based line of the last place `needle` is in `src`.
fn line(src: &str, needle: &str) -> usize {
    let at = src.rfind(needle).unwrap();
    src[..at].matches('\n').count() + 1
}

fn only_error(src: &str, format: TemplateFormat) -> TemplateError {
    let errors = parse(src, format).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.into_iter().next().unwrap()
}

#[track_caller]
fn assert_error(error: &TemplateError, line: usize, key: &str, reason: &str) {
    assert_eq!(error.line, Some(line), "{error}");
    assert_eq!(error.key, key, "{error}");
    assert!(error.reason.contains(reason), "{:?} does not contain {reason:?}", error.reason);
}

#[test]
fn the_small_templates_are_valid_and_alike() {
    let from_toml = parse_toml(TOML).unwrap();
    let from_json = parse_json(JSON).unwrap();
    assert_eq!(from_toml, from_json);
    let windows = format!("\u{feff}{}", JSON.replace('\n', "\r\n"));
    assert_eq!(parse_json(&windows).unwrap(), from_json);
    let question = &from_toml.sections[0].pages[0].questions[0];
    assert_eq!(question.kind, QuestionKind::Text);
    assert!(!question.mandatory);
    assert_eq!(TemplateFormat::from_file_name("Our PEP.TOML"), Some(TemplateFormat::Toml));
    assert_eq!(TemplateFormat::from_file_name("pep.json"), Some(TemplateFormat::Json));
    assert_eq!(TemplateFormat::from_file_name("pep.docx"), None);
}

#[test]
fn unknown_page_kind() {
    let toml = edit(TOML, r#"kind = "free_text""#, r#"kind = "atendance""#);
    let error = only_error(&toml, TemplateFormat::Toml);
    assert_error(
        &error,
        10,
        "sections.a.pages.notes.kind",
        r#"unknown page kind "atendance"; expected one of "free_text", "personal_details""#,
    );
    assert!(error.to_string().starts_with(
        r#"line 10, sections.a.pages.notes.kind: unknown page kind "atendance"; expected one of "free_text","#
    ));
    assert!(error.reason.ends_with(r#""sign_off" or "documents""#), "{}", error.reason);

    let json = edit(JSON, r#""kind": "free_text""#, r#""kind": "atendance""#);
    let error = only_error(&json, TemplateFormat::Json);
    assert_error(
        &error,
        line(&json, "atendance"),
        "sections.a.pages.notes.kind",
        r#"unknown page kind "atendance""#,
    );
}

#[test]
fn duplicated_page_key() {
    let toml = edit(TOML, r#"key = "sign_off""#, r#"key = "notes""#);
    let error = only_error(&toml, TemplateFormat::Toml);
    assert_error(
        &error,
        18,
        "sections.a.pages.notes.key",
        r#"page key "notes" is already used on line 8"#,
    );

    let json = edit(JSON, r#""key": "sign_off""#, r#""key": "notes""#);
    let error = only_error(&json, TemplateFormat::Json);
    let first = line(JSON, r#""key": "notes""#);
    assert_error(
        &error,
        line(&json, r#""key": "notes""#),
        "sections.a.pages.notes.key",
        &format!("already used on line {first}"),
    );
}

#[test]
fn duplicated_page_key_across_sections() {
    let toml = format!(
        "{TOML}\n[[sections]]\nkey = \"b\"\ntitle = \"B\"\n\n[[sections.pages]]\nkey = \"notes\"\ntitle = \"More\"\nkind = \"documents\"\nowners = [\"vs_admin\"]\n"
    );
    let error = only_error(&toml, TemplateFormat::Toml);
    assert_error(&error, 28, "sections.b.pages.notes.key", "already used on line 8");
}

#[test]
fn question_without_label() {
    let toml = edit(TOML, "label = \"Anything else?\"\n", "");
    let error = only_error(&toml, TemplateFormat::Toml);
    assert_error(&error, 13, "sections.a.pages.notes.questions.q1.label", "label is missing");
    assert_eq!(
        error.to_string(),
        "line 13, sections.a.pages.notes.questions.q1.label: label is missing"
    );

    let json = edit(JSON, r#", "label": "Anything else?""#, "");
    let error = only_error(&json, TemplateFormat::Json);
    assert_error(
        &error,
        line(&json, r#"{ "key": "q1""#),
        "sections.a.pages.notes.questions.q1.label",
        "label is missing",
    );

    let blank = edit(TOML, r#"label = "Anything else?""#, r#"label = "  ""#);
    assert_error(
        &only_error(&blank, TemplateFormat::Toml),
        15,
        "sections.a.pages.notes.questions.q1.label",
        "must not be empty",
    );
}

#[test]
fn syntax_errors() {
    let toml = edit(TOML, r#"title = "Notes""#, r#"title = Notes"#);
    let errors = parse_toml(&toml).unwrap_err();
    assert_eq!(errors[0].line, Some(9), "{errors:?}");
    assert_eq!(errors[0].key, "");
    assert!(errors[0].to_string().starts_with("line 9: TOML syntax: "), "{}", errors[0]);

    let toml = edit(TOML, r#"kind = "sign_off""#, "kind = \"sign_off\"\nkind = \"documents\"");
    let errors = parse_toml(&toml).unwrap_err();
    assert_eq!(errors[0].line, Some(21), "{errors:?}");
    assert!(errors[0].reason.contains("duplicate key"), "{errors:?}");

    let json = edit(JSON, r#""title": "Notes","#, r#""title": "Notes""#);
    let error = only_error(&json, TemplateFormat::Json);
    assert_eq!(error.line, Some(line(&json, r#""kind": "free_text""#)));
    assert!(error.reason.starts_with("JSON syntax: expected `,` or `}` (column 11)"), "{error}");

    let errors = parse_toml("a = \nb = [1,\nc = \"x\n").unwrap_err();
    let lines: Vec<Option<usize>> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [Some(1), Some(3)], "{errors:#?}");
    assert!(errors[0].reason.contains("(column 5)"), "{errors:#?}");

    let error = only_error("{\n  \"name\": \"Test\",\n", TemplateFormat::Json);
    assert_eq!(error.line, Some(3), "{error}");
}

#[test]
fn unknown_role_phase_and_field() {
    let toml = edit(
        TOML,
        r#"owners = ["social_worker"]"#,
        "owners = [\"social_worker\",\n  \"socal_worker\"]\nphases = [\"seconday\"]\ncolour = \"red\"",
    );
    let errors = parse_toml(&toml).unwrap_err();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    let path = "sections.a.pages.notes";
    assert_error(
        &errors[0],
        12,
        &format!("{path}.owners"),
        r#"unknown role "socal_worker"; expected one of "vs_head""#,
    );
    assert_error(
        &errors[1],
        13,
        &format!("{path}.phases"),
        r#"unknown phase "seconday"; expected one of "early_years", "primary", "secondary", "special" or "post_16""#,
    );
    assert_error(
        &errors[2],
        14,
        &format!("{path}.colour"),
        r#"unknown field "colour"; expected one of "key", "title""#,
    );

    let json = edit(
        JSON,
        r#""owners": ["social_worker"],"#,
        r#""owners": ["socal_worker"], "colour": "red","#,
    );
    let errors = parse_json(&json).unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    let at = line(&json, "socal_worker");
    assert_error(&errors[0], at, &format!("{path}.owners"), "unknown role");
    assert_error(&errors[1], at, &format!("{path}.colour"), "unknown field");
}

#[test]
fn json_fields_given_twice() {
    let json = edit(
        JSON,
        r#""title": "Notes","#,
        "\"title\": \"Notes\",\n          \"title\": \"Again\",",
    );
    let error = only_error(&json, TemplateFormat::Json);
    let first = line(&json, r#""title": "Notes""#);
    assert_error(
        &error,
        first + 1,
        "sections.a.pages.notes.title",
        &format!("given twice; first on line {first}"),
    );
}

#[test]
fn empty_sections_and_pages() {
    let error = only_error("name = \"Test\"\nsections = []\n", TemplateFormat::Toml);
    assert_error(&error, 2, "sections", "a template needs at least one section");

    let errors = parse_toml("name = \"Test\"\n").unwrap_err();
    assert_eq!(
        errors[0],
        TemplateError {
            line: None,
            key: "sections".into(),
            reason: "sections is missing: a template needs at least one section".into(),
        }
    );
    assert_eq!(
        errors[0].to_string(),
        "sections: sections is missing: a template needs at least one section"
    );

    let toml = format!("{TOML}\n[[sections]]\nkey = \"b\"\ntitle = \"B\"\n");
    let error = only_error(&toml, TemplateFormat::Toml);
    assert_error(
        &error,
        23,
        "sections.b.pages",
        "pages is missing: a section needs at least one page",
    );

    let json = edit(JSON, r#""key": "a","#, r#""key": "a", "pages": [], "#);
    let errors = parse_json(&json).unwrap_err();
    assert!(errors.iter().any(|e| e.reason == "given twice; first on line 5"), "{errors:#?}");
}

#[test]
fn choice_questions_need_options_and_only_they_have_them() {
    let toml = edit(TOML, r#"label = "Anything else?""#, "label = \"Pick\"\ntype = \"choice\"");
    let error = only_error(&toml, TemplateFormat::Toml);
    assert_error(
        &error,
        16,
        "sections.a.pages.notes.questions.q1.options",
        "a choice question needs options",
    );

    let toml = edit(
        TOML,
        r#"label = "Anything else?""#,
        "label = \"Pick\"\ntype = \"choice\"\noptions = []",
    );
    assert_error(
        &only_error(&toml, TemplateFormat::Toml),
        17,
        "sections.a.pages.notes.questions.q1.options",
        "is empty",
    );

    let toml = edit(
        TOML,
        r#"label = "Anything else?""#,
        "label = \"Pick\"\ntype = \"choice\"\noptions = [\"A\", \"a\"]",
    );
    assert_error(
        &only_error(&toml, TemplateFormat::Toml),
        17,
        "sections.a.pages.notes.questions.q1.options",
        r#""a" is listed twice"#,
    );

    let toml = edit(
        TOML,
        r#"label = "Anything else?""#,
        "label = \"When\"\ntype = \"date\"\noptions = [\"A\"]",
    );
    assert_error(
        &only_error(&toml, TemplateFormat::Toml),
        17,
        "sections.a.pages.notes.questions.q1.options",
        "only choice questions have options",
    );

    let toml = edit(TOML, r#"label = "Anything else?""#, "label = \"When\"\ntype = \"datetime\"");
    assert_error(
        &only_error(&toml, TemplateFormat::Toml),
        16,
        "sections.a.pages.notes.questions.q1.type",
        r#"unknown question type "datetime"; expected one of "text", "long_text""#,
    );

    let json = edit(JSON, r#""label": "Anything else?""#, r#""label": "Pick", "type": "choice""#);
    let error = only_error(&json, TemplateFormat::Json);
    assert_error(
        &error,
        line(&json, "Pick"),
        "sections.a.pages.notes.questions.q1.options",
        "needs options",
    );
}

#[test]
fn question_keys_are_unique_on_a_page() {
    let toml = format!(
        "{}\n[[sections.pages.questions]]\nkey = \"q1\"\nlabel = \"Again\"\n",
        TOML.split("\n[[sections.pages]]\nkey = \"sign_off\"").next().unwrap()
    );
    let toml = format!(
        "{toml}\n[[sections.pages]]\nkey = \"sign_off\"\ntitle = \"S\"\nkind = \"sign_off\"\nowners = [\"carer\"]\n"
    );
    let error = only_error(&toml, TemplateFormat::Toml);
    assert_error(
        &error,
        18,
        "sections.a.pages.notes.questions.q1.key",
        r#"question key "q1" is already used on this page, on line 14"#,
    );

    let json = edit(
        JSON,
        r#"{ "key": "q1", "label": "Anything else?" }"#,
        "{ \"key\": \"q1\", \"label\": \"A\" },\n            { \"key\": \"q1\", \"label\": \"B\" }",
    );
    let error = only_error(&json, TemplateFormat::Json);
    assert_error(
        &error,
        line(&json, "\"B\""),
        "sections.a.pages.notes.questions.q1.key",
        "already used on this page",
    );
}

#[test]
fn free_text_pages_have_questions_and_typed_pages_do_not() {
    let toml = TOML
        .replace("\n[[sections.pages.questions]]\nkey = \"q1\"\nlabel = \"Anything else?\"\n", "");
    let error = only_error(&toml, TemplateFormat::Toml);
    assert_error(
        &error,
        7,
        "sections.a.pages.notes.questions",
        "a free_text page needs at least one question",
    );

    let json = edit(JSON, r#""kind": "free_text""#, r#""kind": "attendance""#);
    let error = only_error(&json, TemplateFormat::Json);
    assert_error(
        &error,
        line(&json, r#""questions""#),
        "sections.a.pages.notes.questions",
        r#"only free_text and child_views pages have questions: the product builds the "attendance" page"#,
    );
}

#[test]
fn sign_off_is_required_once_and_on_every_pep() {
    let toml = edit(TOML, r#"kind = "sign_off""#, r#"kind = "documents""#);
    let error = only_error(&toml, TemplateFormat::Toml);
    assert_eq!(error.line, None);
    assert_eq!(
        error.to_string(),
        r#"sections: there is no page of kind "sign_off": every PEP ends with one"#
    );

    let toml = format!(
        "{TOML}\n[[sections.pages]]\nkey = \"sign_off_2\"\ntitle = \"Again\"\nkind = \"sign_off\"\nowners = [\"carer\"]\n"
    );
    assert_error(
        &only_error(&toml, TemplateFormat::Toml),
        26,
        "sections.a.pages.sign_off_2.kind",
        r#"a template has one "sign_off" page, and there is one on line 20 already"#,
    );

    let toml = edit(
        TOML,
        r#"owners = ["designated_teacher"]"#,
        "owners = [\"designated_teacher\"]\nphases = [\"primary\"]",
    );
    assert_error(
        &only_error(&toml, TemplateFormat::Toml),
        22,
        "sections.a.pages.sign_off.phases",
        "on every PEP",
    );

    // A misspelt kind is reported, not also a missing sign-off page.
    let toml = edit(TOML, r#"kind = "sign_off""#, r#"kind = "signoff""#);
    assert_error(
        &only_error(&toml, TemplateFormat::Toml),
        20,
        "sections.a.pages.sign_off.kind",
        "unknown page kind",
    );
}

#[test]
fn conditions() {
    let with = |condition: &str| {
        edit(
            TOML,
            r#"owners = ["social_worker"]"#,
            &format!("owners = [\"social_worker\"]\ncondition = {condition}"),
        )
    };
    let path = "sections.a.pages.notes.condition";
    assert_error(
        &only_error(&with(r#"{ when = "neat" }"#), TemplateFormat::Toml),
        12,
        &format!("{path}.when"),
        r#"unknown circumstance "neat"; expected one of "neet", "sen" or "out_of_authority""#,
    );
    assert_error(
        &only_error(&with("{ from_nc_year = 10, up_to_nc_year = 9 }"), TemplateFormat::Toml),
        12,
        path,
        "no child would see this page",
    );
    assert_error(
        &only_error(&with("{ from_nc_year = 20 }"), TemplateFormat::Toml),
        12,
        &format!("{path}.from_nc_year"),
        "must be a national curriculum year from -2 to 14",
    );
    assert_error(
        &only_error(&with(r#"{ from_nc_year = "9" }"#), TemplateFormat::Toml),
        12,
        &format!("{path}.from_nc_year"),
        "must be a whole number, not text",
    );
    assert_error(&only_error(&with("{}"), TemplateFormat::Toml), 12, path, "is empty");
    assert_error(
        &only_error(&with("{ age = 9 }"), TemplateFormat::Toml),
        12,
        &format!("{path}.age"),
        "unknown field",
    );
    let page = parse_toml(&with(r#"{ up_to_nc_year = 6, when = "sen" }"#))
        .unwrap()
        .page("notes")
        .unwrap()
        .clone();
    assert_eq!(
        page.condition,
        Some(Condition {
            from_nc_year: None,
            up_to_nc_year: Some(NcYear::from_value(6)),
            when: Some(Circumstance::Sen)
        })
    );
}

#[test]
fn keys_and_types_are_checked() {
    let toml = edit(TOML, r#"key = "notes""#, r#"key = "My Notes""#);
    assert_error(
        &only_error(&toml, TemplateFormat::Toml),
        8,
        "sections.a.pages#1.key",
        r#""My Notes" is not a key"#,
    );

    let toml = edit(
        TOML,
        r#"owners = ["social_worker"]"#,
        "owners = \"social_worker\"\ncarry_forward = \"yes\"",
    );
    let errors = parse_toml(&toml).unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_error(&errors[0], 11, "sections.a.pages.notes.owners", "must be a list, not text");
    assert_error(
        &errors[1],
        12,
        "sections.a.pages.notes.carry_forward",
        "must be true or false, not text",
    );

    let json = edit(JSON, r#""title": "About","#, r#""title": "About", "extra": null,"#);
    assert_error(&only_error(&json, TemplateFormat::Json), 6, "sections.a.extra", "unknown field");

    let error = only_error("[1, 2]", TemplateFormat::Json);
    assert_eq!((error.line, error.reason.as_str()), (Some(1), "must be an object, not a list"));
}

#[test]
fn every_error_is_reported_in_line_order() {
    let toml = edit(TOML, r#"kind = "free_text""#, r#"kind = "free-text""#);
    let toml = edit(&toml, r#"label = "Anything else?""#, r#"lable = "Anything else?""#);
    let toml = edit(&toml, r#"owners = ["designated_teacher"]"#, r#"owners = ["teacher"]"#);
    let toml = edit(&toml, r#"title = "About""#, "");
    let errors = parse_toml(&toml).unwrap_err();
    let found: Vec<(Option<usize>, &str)> =
        errors.iter().map(|e| (e.line, e.key.as_str())).collect();
    assert_eq!(
        found,
        [
            (Some(3), "sections.a.title"),
            (Some(10), "sections.a.pages.notes.kind"),
            (Some(13), "sections.a.pages.notes.questions.q1.label"),
            (Some(15), "sections.a.pages.notes.questions.q1.lable"),
            (Some(21), "sections.a.pages.sign_off.owners"),
        ],
        "{errors:#?}"
    );
}

#[test]
fn the_default_template_is_valid_and_covers_every_kind() {
    let template = parse_toml(DEFAULT_TEMPLATE).unwrap();
    assert_eq!(template, default_template());
    let titles: Vec<&str> = template.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "About me and my care",
            "My education: attendance, progress and needs",
            "My views and my carers' views",
            "Targets, meeting and sign-off",
        ]
    );
    for kind in PageKind::ALL {
        assert!(template.pages().any(|(_, _, page)| page.kind == *kind), "no {kind:?} page");
    }
    assert!(template.pages().filter(|(_, _, p)| p.kind == PageKind::FreeText).count() >= 6);
    let carried: Vec<&str> = template
        .pages()
        .filter(|(_, _, p)| p.carry_forward)
        .map(|(_, _, p)| p.key.as_str())
        .collect();
    assert_eq!(
        carried,
        [
            "personal_details",
            "care_information",
            "school_information",
            "part_time_timetable",
            "previous_schools",
            "sen",
            "careers"
        ]
    );
    assert!(template.pages().flat_map(|(_, _, p)| &p.questions).any(|q| q.mandatory));
    let (index, section, page) = template.pages().find(|(_, _, p)| p.key == "attendance").unwrap();
    assert_eq!((index, section.key.as_str(), page.kind), (1, "education", PageKind::Attendance));
    assert_eq!(
        template.page("neet_plan").unwrap().condition.unwrap().when,
        Some(Circumstance::Neet)
    );
    assert!(template.page("missing").is_none());
}

#[test]
fn templates_round_trip_through_toml_and_json() {
    let template = default_template();
    let toml = template.to_toml();
    assert_eq!(parse_toml(&toml).unwrap(), template);
    assert_eq!(parse_toml(&toml).unwrap().to_toml(), toml);
    let json = serde_json::to_string_pretty(&template).unwrap();
    assert_eq!(parse_json(&json).unwrap(), template);

    let mut odd = parse_toml(TOML).unwrap();
    odd.name = "Quotes \" and \\ backslashes, tabs\tand é".into();
    odd.sections[0].pages[0].description = Some("Two\nlines with \"\"\" in them\n".trim().into());
    odd.sections[0].pages[0].questions[0].kind =
        QuestionKind::Choice(vec!["Yes, \"fully\"".into(), "No".into()]);
    odd.sections[0].pages[0].condition = Some(Condition {
        from_nc_year: Some(NcYear::NURSERY),
        up_to_nc_year: Some(NcYear::from_value(11)),
        when: Some(Circumstance::OutOfAuthority),
    });
    assert_eq!(parse_toml(&odd.to_toml()).unwrap(), odd);
    assert_eq!(parse_json(&serde_json::to_string(&odd).unwrap()).unwrap(), odd);
}

fn child(year: i8) -> ChildFacts {
    ChildFacts::in_year(NcYear::from_value(year))
}

fn keys_for(template: &PepTemplate, facts: &ChildFacts) -> Vec<String> {
    template.pages_for(facts).map(|(_, _, page)| page.key.clone()).collect()
}

#[test]
fn the_14_to_19_plan_starts_in_year_9() {
    let template = default_template();
    let year_8 = keys_for(&template, &child(8));
    let year_9 = keys_for(&template, &child(9));
    assert!(!year_8.contains(&"careers".to_owned()));
    assert!(year_9.contains(&"careers".to_owned()));
    assert!(keys_for(&template, &child(12)).contains(&"careers".to_owned()));
}

#[test]
fn circumstances_add_their_pages() {
    let template = default_template();
    let plain = child(12);
    let neet = ChildFacts { neet: true, ..plain };
    assert!(!keys_for(&template, &plain).contains(&"neet_plan".to_owned()));
    assert!(keys_for(&template, &neet).contains(&"neet_plan".to_owned()));
    let page = template.page("sen").unwrap();
    assert!(!page.applies_to(&child(4)));
    assert!(page.applies_to(&ChildFacts { sen: true, ..child(4) }));
    let page = template.page("host_authority").unwrap();
    assert!(page.applies_to(&ChildFacts { out_of_authority: true, ..child(4) }));
    assert!(!page.applies_to(&child(4)));
}

#[test]
fn phases_pick_the_pages() {
    let template = default_template();
    let early = keys_for(&template, &child(0));
    assert!(early.contains(&"my_views_early_years".to_owned()));
    assert!(early.contains(&"early_years_learning".to_owned()));
    assert!(!early.contains(&"my_views".to_owned()) && !early.contains(&"exclusions".to_owned()));
    assert!(
        early.contains(&"sdq".to_owned())
            && !keys_for(&template, &child(-1)).contains(&"sdq".to_owned())
    );
    let primary = keys_for(&template, &child(3));
    assert!(primary.contains(&"my_views".to_owned()) && primary.contains(&"exclusions".to_owned()));
    assert!(!primary.contains(&"post_16_status".to_owned()));
    assert!(keys_for(&template, &child(12)).contains(&"post_16_status".to_owned()));
    for year in -2..=14 {
        assert!(keys_for(&template, &child(year)).contains(&"sign_off".to_owned()), "{year}");
    }
}

#[test]
fn special_school_pages_show_beside_the_age_phase() {
    let toml = format!(
        "{TOML}\n[[sections.pages]]\nkey = \"pecs\"\ntitle = \"Symbols\"\nkind = \"child_views\"\nowners = [\"young_person\"]\nphases = [\"special\"]\n\n[[sections.pages]]\nkey = \"gcse\"\ntitle = \"Options\"\nkind = \"careers\"\nowners = [\"careers_adviser\"]\nphases = [\"secondary\"]\n"
    );
    let template = parse_toml(&toml).unwrap();
    let mainstream = child(10);
    let special = ChildFacts { special_school: true, ..mainstream };
    assert_eq!(special.phases(), [PagePhase::Secondary, PagePhase::Special]);
    assert_eq!(keys_for(&template, &mainstream), ["notes", "sign_off", "gcse"]);
    assert_eq!(keys_for(&template, &special), ["notes", "sign_off", "pecs", "gcse"]);
    assert_eq!(
        keys_for(&template, &ChildFacts { special_school: true, ..child(3) }),
        ["notes", "sign_off", "pecs"]
    );
}

#[test]
fn owners() {
    let template = default_template();
    let care_update = template.page("care_update").unwrap();
    assert!(care_update.owned_by(Role::SocialWorker));
    assert!(!care_update.owned_by(Role::DesignatedTeacher));
    let plan = template.page("careers").unwrap();
    assert!(plan.owned_by(Role::CareersAdviser));
    assert!(template.page("my_views").unwrap().owned_by(Role::YoungPerson));
    // Each phase has its own question set for the child's views.
    for key in ["my_views_early_years", "my_views", "my_views_secondary", "my_views_post_16"] {
        let page = template.page(key).unwrap();
        assert_eq!(page.kind, PageKind::ChildViews);
        assert_eq!(page.questions[0].kind, crate::template::QuestionKind::Scale, "{key}");
    }
}
