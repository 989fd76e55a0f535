//! Tests of `instruments`.

use super::*;

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn fields(e: &ValidationErrors) -> Vec<&str> {
    e.0.iter().map(|f| f.field.as_str()).collect()
}

#[test]
fn builtins_are_valid_and_shaped_as_documented() {
    let b = builtins();
    let keys: Vec<_> = b.iter().map(|b| (b.key, b.version)).collect();
    assert_eq!(
        keys,
        vec![
            ("duet-pulse", 1),
            ("five-questions", 1),
            ("alignment-maturity", 1),
            ("it-service-gap", 1),
            ("relationship-mirror", 1)
        ]
    );
    let mirror = &b[4].definition;
    assert_eq!(
        (
            mirror.items.len(),
            mirror.items[0].code.as_str(),
            mirror.items[1].code.as_str()
        ),
        (10, "overall.own", "overall.other"),
        "each statement rated and guessed"
    );
    assert_eq!(
        about_rule("relationship-mirror", InstrumentKind::Custom),
        AboutRule::Required
    );
    assert_eq!(
        about_rule("duet-pulse", InstrumentKind::Pulse),
        AboutRule::Optional
    );
    assert_eq!(
        about_rule("it-service-gap", InstrumentKind::Custom),
        AboutRule::Never
    );
    let gap = &b[3].definition;
    assert_eq!(
        gap.items.len(),
        16,
        "importance and satisfaction for eight services"
    );
    assert_eq!(
        (gap.items[0].code.as_str(), gap.items[1].code.as_str()),
        ("service_desk.importance", "service_desk.satisfaction")
    );
    for x in &b {
        x.definition.validate().unwrap();
    }
    let pulse = &b[0].definition;
    assert_eq!(pulse.kind, InstrumentKind::Pulse);
    assert_eq!(pulse.items.len(), 36);
    assert!(pulse.section_comments);
    let codes: Vec<_> = pulse.sections.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, ["discipline", "unity", "empathy", "trust"]);
    assert_eq!(pulse.items[0].code, "discipline.1.departments");
    assert!(
        pulse.items[0]
            .prompt
            .starts_with("Between our departments, ")
    );
    assert_eq!(pulse.items[1].code, "discipline.1.processes");
    assert_eq!(pulse.items[35].code, "trust.3.people");
    assert!(pulse.items.iter().all(|i| i.dont_know && !i.free_text));
    assert_eq!(pulse.items[0].scale[4], "Strongly agree");
    assert_eq!(pulse.levels(), RelationshipLevel::ALL.to_vec());

    let five = &b[1].definition;
    assert_eq!(five.items.len(), 10);
    assert_eq!(five.items[0].code, "who.today");
    assert_eq!(five.items[1].code, "who.tomorrow");
    assert_eq!(five.items[1].horizon, Some(Horizon::Tomorrow));
    assert!(five.items.iter().all(|i| i.free_text && !i.dont_know));
    assert!(!five.section_comments);
    assert!(five.levels().is_empty());

    let m = &b[2].definition;
    assert_eq!(m.sections.len(), 6);
    assert_eq!(m.items.len(), 6);
    assert!(m.items.iter().all(|i| i.code == i.section));
    assert_eq!(m.items[0].scale[0], "1 Initial/ad hoc");
    assert_eq!(m.items[0].scale[4], "5 Optimised");
    assert!(m.section("skills").is_some());
    assert!(m.section("nope").is_none());
}

#[test]
fn validate_catches_structural_mistakes() {
    let mut d = builtins().remove(2).definition;
    d.items[1].code = d.items[0].code.clone();
    d.items[2].section = "ghost".into();
    d.items[3].scale.pop();
    d.items[4].code = "Bad Code".into();
    let e = d.validate().unwrap_err();
    assert_eq!(e.0.len(), 4, "{e:?}");
    d.items.clear();
    assert!(d.validate().is_err());
}

#[test]
fn custom_builds_sections_in_order_and_numbers_items() {
    let d = custom(
        "Service desk check",
        "",
        "Service desk | Tickets are answered within a day\n\n  Projects | We are told when plans change \nService desk | Fixes stick\n",
    )
    .unwrap();
    assert_eq!(d.kind, InstrumentKind::Custom);
    let s: Vec<_> = d
        .sections
        .iter()
        .map(|s| (s.code.as_str(), s.title.as_str()))
        .collect();
    assert_eq!(
        s,
        [("service-desk", "Service desk"), ("projects", "Projects")]
    );
    let i: Vec<_> = d.items.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(i, ["service-desk.1", "projects.1", "service-desk.2"]);
    assert_eq!(d.items[1].prompt, "We are told when plans change");
    assert!(d.items.iter().all(|i| i.dont_know && i.scale.len() == 5));
    assert!(d.section_comments);
}

#[test]
fn custom_errors_name_the_line() {
    let e = custom(
        "Hi",
        "",
        "A | fine statement\nno bar here\n | missing section\n!!! | odd",
    )
    .unwrap_err();
    assert!(e.0.iter().any(|f| f.field == "title"));
    let msgs: Vec<_> =
        e.0.iter()
            .filter(|f| f.field == "items")
            .map(|f| f.message.as_str())
            .collect();
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    assert!(msgs[0].starts_with("line 2: "));
    assert!(msgs[1].starts_with("line 3: "));
    assert!(msgs[2].starts_with("line 4: "));
    let e = custom("Valid title", "", "  \n").unwrap_err();
    assert_eq!(fields(&e), ["items"]);
    let many: String = (0..201).map(|n| format!("S | statement {n}\n")).collect();
    assert!(custom("Valid title", "", &many).is_err());
}

#[test]
fn parse_answers_requires_every_item_and_collects_errors() {
    let d = custom("Tiny survey", "", "A | one\nA | two\nB | three").unwrap();
    let ok = d
        .parse_answers(
            &map(&[("a.1", "5"), ("a.2", "dk"), ("b.1", " 2 ")]),
            &map(&[("a", "  Good  "), ("b", "   ")]),
        )
        .unwrap();
    assert_eq!(ok.ratings, vec![Some(5), None, Some(2)]);
    assert_eq!(ok.texts, map(&[("a", "Good")]));
    assert_eq!(ok.pack(), "502");
    assert_eq!(unpack(&d, "502").unwrap(), ok.ratings);

    let e = d
        .parse_answers(
            &map(&[("a.1", "6"), ("zzz", "3"), ("b.1", "")]),
            &map(&[
                ("a.1", "not here"),
                ("b", "bell\u{7}"),
                ("a", &"x".repeat(2001)),
            ]),
        )
        .unwrap_err();
    let mut f = fields(&e);
    f.sort();
    assert_eq!(
        f,
        [
            "item.a.1", "item.a.2", "item.b.1", "item.zzz", "text.a", "text.a.1", "text.b"
        ]
    );
}

#[test]
fn dont_know_and_texts_follow_the_item() {
    let five = builtins().remove(1).definition;
    let mut r: BTreeMap<String, String> = five
        .items
        .iter()
        .map(|i| (i.code.clone(), "3".into()))
        .collect();
    let t = map(&[
        ("who.today", "Everyone,\nreally"),
        ("who", "section comment"),
    ]);
    let e = five.parse_answers(&r, &t).unwrap_err();
    assert_eq!(fields(&e), ["text.who"]);
    r.insert("why.today".into(), "dk".into());
    let e = five
        .parse_answers(&r, &map(&[("who.today", "Everyone,\nreally")]))
        .unwrap_err();
    assert_eq!(fields(&e), ["item.why.today"]);
    r.insert("why.today".into(), "4".into());
    let a = five
        .parse_answers(&r, &map(&[("who.today", "Everyone,\r\n\treally")]))
        .unwrap();
    assert_eq!(a.texts["who.today"], "Everyone,\r\n\treally");
}

#[test]
fn unpack_checks_length_and_characters() {
    let d = builtins().remove(2).definition;
    assert!(unpack(&d, "12345").is_err());
    assert!(unpack(&d, "1234567").is_err());
    assert_eq!(unpack(&d, "123450").unwrap()[5], None);
    let e = unpack(&d, "12345x").unwrap_err();
    assert_eq!(e.field, "answers");
}

#[test]
fn an_edited_service_catalogue_keeps_codes_by_name_and_names_bad_lines() {
    let current = services_of(&service_gap());
    assert_eq!(
        current[0],
        ("service_desk".into(), "The service desk".into())
    );
    let got = parse_catalogue(
        "the SERVICE desk\n\n  CRM   and sales tools \nData and reporting",
        &current,
    )
    .unwrap();
    assert_eq!(
        got,
        vec![
            ("service_desk".to_string(), "The SERVICE desk".to_string()),
            (
                "crm_and_sales_tools".to_string(),
                "CRM and sales tools".to_string()
            ),
            (
                "data_reporting".to_string(),
                "Data and reporting".to_string()
            ),
        ],
        "a name matching a service keeps its code, whatever its case; a new one gets a new code"
    );
    let def = service_gap_of(&got);
    def.validate().unwrap();
    assert_eq!(
        def.items[2].prompt,
        "How important is CRM and sales tools to your work?"
    );
    assert_eq!(
        def.items[0].prompt,
        "How important is the SERVICE desk to your work?"
    );
    let e = parse_catalogue("Network\nx\nnetwork\nPrinters\u{7}", &current).unwrap_err();
    let msgs: Vec<_> =
        e.0.iter()
            .map(|f| (f.field.as_str(), f.message.as_str()))
            .collect();
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    assert!(
        msgs[0].1.starts_with("line 2: a service's name is 2 to 80"),
        "{msgs:?}"
    );
    assert!(
        msgs[1]
            .1
            .starts_with("line 3: \u{201c}network\u{201d} is already on line 1"),
        "{msgs:?}"
    );
    assert!(
        msgs[2].1.starts_with("line 4: must not contain control"),
        "{msgs:?}"
    );
    assert!(msgs.iter().all(|m| m.0 == "services"));
    assert!(
        parse_catalogue("  \n", &current).unwrap_err().0[0]
            .message
            .contains("at least one")
    );
    let many: String = (0..21).map(|i| format!("Service {i}\n")).collect();
    assert!(
        parse_catalogue(&many, &current).unwrap_err().0[0]
            .message
            .contains("at most 20")
    );
}
