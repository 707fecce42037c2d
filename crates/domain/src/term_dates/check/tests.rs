use super::*;

const YEAR: AcademicYear = AcademicYear(2025);

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn typical() -> AcademicYearDates {
    AcademicYearDates::typical(YEAR).unwrap()
}

/// The typical 2025/26 form with some fields changed.
fn form_with(changes: &[(&str, &str)]) -> YearForm {
    let mut form = YearForm::from_dates(&typical());
    for (name, value) in changes {
        assert!(form.set(name, value), "{name}");
    }
    form
}

/// (field name, message) for each error.
fn errors(changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let errors = parse_year_form(YEAR, &form_with(changes)).unwrap_err();
    errors.iter().map(|e| (e.name(), e.message.clone())).collect()
}

fn one_error(changes: &[(&str, &str)]) -> (String, String) {
    let errors = errors(changes);
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.into_iter().next().unwrap()
}

fn pair(name: &str, message: &str) -> (String, String) {
    (name.to_owned(), message.to_owned())
}

#[test]
fn dates_are_typed_day_month_year_or_iso() {
    for text in ["17/12/2025", " 17/12/2025 ", "17-12-2025", "17.12.2025", "2025-12-17"] {
        assert_eq!(parse_date(text), Ok(date(2025, 12, 17)), "{text}");
    }
    assert_eq!(parse_date("3/9/2025"), Ok(date(2025, 9, 3)));
    assert_eq!(parse_date("03/09/2025"), Ok(date(2025, 9, 3)));
    assert_eq!(parse_date("2025-9-3"), Ok(date(2025, 9, 3)));
    assert_eq!(parse_date(""), Err(DateTextError::Missing));
    assert_eq!(parse_date("   "), Err(DateTextError::Missing));
    for text in ["17/12/25", "17 December 2025", "17/12", "12/17/2025/1", "1/2/3", "+1/12/2025"] {
        assert!(parse_date(text).is_err(), "{text}");
    }
    assert_eq!(parse_date("17/12/25"), Err(DateTextError::Format));
    assert_eq!(parse_date("31/2/2026"), Err(DateTextError::NotReal));
    assert_eq!(parse_date("12/17/2025"), Err(DateTextError::NotReal));
    assert_eq!(parse_date("2025-02-29"), Err(DateTextError::NotReal));
    assert_eq!(parse_date("29/2/2028"), Ok(date(2028, 2, 29)));
}

#[test]
fn field_names_join_term_and_field() {
    assert_eq!(field_name(Term::Spring, TermDateField::EndsOn), "spring_ends_on");
    assert_eq!(field_name(Term::Autumn, TermDateField::DelegationOn), "autumn_delegation_on");
    let mut form = YearForm::default();
    assert!(form.set("summer_pep_deadline", "15/7/2026"));
    assert!(!form.set("summer_deadline", "15/7/2026"));
    assert!(!form.set("year", "2025/26"));
    assert_eq!(form.get(Term::Summer, TermDateField::PepDeadline), "15/7/2026");
    assert_eq!(form.summer.pep_deadline, "15/7/2026");
}

#[test]
fn the_form_shows_dates_as_day_month_year_and_reads_them_back() {
    let form = YearForm::from_dates(&typical());
    assert_eq!(form.autumn.starts_on, "3/9/2025");
    assert_eq!(form.autumn.delegation_on, "26/8/2025");
    assert_eq!(form.spring.pep_deadline, "25/3/2026");
    assert_eq!(parse_year_form(YEAR, &form), Ok(typical()));
}

#[test]
fn a_form_from_submitted_fields() {
    let fields: Vec<(String, String)> = Term::ALL
        .into_iter()
        .flat_map(|term| {
            let dates = *typical().term(term).unwrap();
            let values = [dates.starts_on, dates.ends_on, dates.pep_deadline, dates.delegation_on];
            TermDateField::ALL
                .into_iter()
                .zip(values)
                .map(move |(field, date)| (field_name(term, field), date.to_string()))
        })
        .chain([("csrf_token".to_owned(), "x".to_owned())])
        .collect();
    let form = YearForm::from_fields(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    assert_eq!(form.autumn.starts_on, "2025-09-03");
    assert_eq!(parse_year_form(YEAR, &form), Ok(typical()));
}

#[test]
fn an_empty_form_asks_for_every_date_in_order() {
    let errors = parse_year_form(YEAR, &YearForm::default()).unwrap_err();
    assert_eq!(errors.len(), 12);
    assert_eq!(errors[0].name(), "autumn_starts_on");
    assert_eq!(errors[0].message, "Enter the autumn term start date");
    assert_eq!(errors[2].message, "Enter the autumn term PEP deadline");
    assert_eq!(errors[3].message, "Enter the autumn term delegation date");
    assert_eq!(errors[11].name(), "summer_delegation_on");
}

#[test]
fn dates_that_are_not_dates() {
    assert_eq!(
        one_error(&[("autumn_pep_deadline", "17/12/25")]),
        pair(
            "autumn_pep_deadline",
            "Enter the autumn term PEP deadline as day/month/year, like 1/9/2025"
        )
    );
    assert_eq!(
        one_error(&[("spring_ends_on", "31/2/2026")]),
        pair("spring_ends_on", "Spring term end date must be a real date")
    );
}

#[test]
fn a_term_ends_after_it_starts() {
    for end in ["5/1/2026", "4/1/2026"] {
        let errors = errors(&[("spring_ends_on", end)]);
        assert!(
            errors.contains(&pair(
                "spring_ends_on",
                "Spring term end date must be after its start date"
            )),
            "{errors:?}"
        );
    }
}

#[test]
fn terms_are_in_order_and_do_not_overlap() {
    assert_eq!(
        one_error(&[("spring_starts_on", "19/12/2025"), ("spring_delegation_on", "19/12/2025")]),
        pair("spring_starts_on", "Spring term start date must be after the autumn term end date")
    );
    // Summer before spring.
    let errors = errors(&[
        ("summer_starts_on", "1/10/2025"),
        ("summer_delegation_on", "1/10/2025"),
        ("summer_pep_deadline", "1/11/2025"),
    ]);
    assert_eq!(
        errors[0],
        pair("summer_starts_on", "Summer term start date must be after the spring term end date")
    );
}

#[test]
fn term_dates_are_in_the_academic_year() {
    assert_eq!(
        one_error(&[("autumn_starts_on", "29/8/2025")]),
        pair(
            "autumn_starts_on",
            "Autumn term start date must be between 1 September 2025 and 31 August 2026"
        )
    );
    assert_eq!(
        one_error(&[("summer_ends_on", "1/9/2026")]).1,
        "Summer term end date must be between 1 September 2025 and 31 August 2026"
    );
    // The first and last days are in the year.
    let form = form_with(&[("autumn_starts_on", "1/9/2025"), ("summer_ends_on", "31/8/2026")]);
    assert!(parse_year_form(YEAR, &form).is_ok());
}

#[test]
fn deadlines_are_in_or_just_after_their_term() {
    assert_eq!(
        one_error(&[("autumn_pep_deadline", "2/9/2025"), ("autumn_delegation_on", "26/8/2025")]),
        pair(
            "autumn_pep_deadline",
            "Autumn term PEP deadline must be the same as or after its start date"
        )
    );
    // Spring ends 2 April 2026: a deadline up to 16 April is accepted.
    assert!(parse_year_form(YEAR, &form_with(&[("spring_pep_deadline", "16/4/2026")])).is_ok());
    assert_eq!(
        one_error(&[("spring_pep_deadline", "17/4/2026")]),
        pair(
            "spring_pep_deadline",
            "Spring term PEP deadline must be no more than 2 weeks after its end date"
        )
    );
    // Autumn ends 19 December, spring starts 5 January.
    assert!(parse_year_form(YEAR, &form_with(&[("autumn_pep_deadline", "2/1/2026")])).is_ok());
    assert_eq!(
        one_error(&[("autumn_pep_deadline", "2/1/2026"), ("spring_starts_on", "2/1/2026")]),
        pair(
            "autumn_pep_deadline",
            "Autumn term PEP deadline must be before the spring term start date"
        )
    );
    assert_eq!(
        one_error(&[("summer_pep_deadline", "1/9/2026")]).1,
        "Summer term PEP deadline must be between 1 September 2025 and 31 August 2026"
    );
}

#[test]
fn delegation_is_before_the_deadline_and_not_long_before_term() {
    assert_eq!(
        one_error(&[("spring_delegation_on", "26/3/2026")]),
        pair(
            "spring_delegation_on",
            "Spring term delegation date must be the same as or before its PEP deadline"
        )
    );
    // On the deadline itself is accepted.
    assert!(parse_year_form(YEAR, &form_with(&[("spring_delegation_on", "25/3/2026")])).is_ok());
    // Autumn starts 3 September 2025: 6 August is 28 days before.
    assert!(parse_year_form(YEAR, &form_with(&[("autumn_delegation_on", "6/8/2025")])).is_ok());
    assert_eq!(
        one_error(&[("autumn_delegation_on", "5/8/2025")]),
        pair(
            "autumn_delegation_on",
            "Autumn term delegation date must be no more than 4 weeks before its start date"
        )
    );
}

#[test]
fn one_message_a_field_the_first_rule_broken() {
    // Before the year, before the term starts and before the delegation
    // date: the deadline has one message, the delegation date its own.
    let errors = errors(&[("summer_pep_deadline", "1/8/2025")]);
    assert_eq!(
        errors,
        [
            pair(
                "summer_pep_deadline",
                "Summer term PEP deadline must be between 1 September 2025 and 31 August 2026"
            ),
            pair(
                "summer_delegation_on",
                "Summer term delegation date must be the same as or before its PEP deadline"
            )
        ]
    );
}

#[test]
fn errors_follow_the_order_of_the_form() {
    let errors = errors(&[
        ("summer_ends_on", ""),
        ("spring_delegation_on", "26/3/2026"),
        ("autumn_starts_on", "nonsense"),
    ]);
    let names: Vec<&str> = errors.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["autumn_starts_on", "spring_delegation_on", "summer_ends_on"]);
}

#[test]
fn checking_stored_dates() {
    assert_eq!(typical().check(), Ok(()));
    let mut dates = typical();
    dates.terms[1].term = Term::Autumn;
    let errors = dates.check().unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].name(), "spring_starts_on");
    assert_eq!(errors[0].message, "Enter the spring term dates");

    let mut dates = typical();
    dates.terms[2].ends_on = dates.terms[2].starts_on;
    let errors = dates.check().unwrap_err();
    assert_eq!(errors[0].message, "Summer term end date must be after its start date");

    // Dates checked against another year are out of it.
    let mut dates = typical();
    dates.year = AcademicYear(2026);
    assert_eq!(dates.check().unwrap_err().len(), 9);
}
