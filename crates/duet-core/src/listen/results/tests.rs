//! Tests of `results`.

use super::*;
use crate::listen::instruments::custom;
use proptest::prelude::*;

fn resp(department: i64, ratings: &[Option<u8>]) -> Response {
    Response {
        department,
        about: None,
        ratings: ratings.to_vec(),
        texts: BTreeMap::new(),
    }
}

/// An IT (department 100) respondent who named `about`.
fn it_about(about: Option<i64>, ratings: &[Option<u8>]) -> Response {
    Response {
        about,
        ..resp(100, ratings)
    }
}

#[test]
fn it_answers_about_a_department_show_only_groups_of_k_within_it() {
    // IT: five named Sales (1), two named Finance (2), one named nobody; Sales' own five answer
    // about IT. k = 3.
    let mut rs: Vec<Response> = (0..5)
        .map(|_| it_about(Some(1), &[Some(4), Some(4), Some(4)]))
        .collect();
    rs.extend((0..2).map(|_| it_about(Some(2), &[Some(1), Some(1), Some(1)])));
    rs.push(it_about(None, &[Some(2), Some(2), Some(2)]));
    rs.extend((0..5).map(|_| resp(1, &[Some(2), Some(2), Some(2)])));
    let sales = compute_about(&def(), &rs, 3, 100, 1, None);
    assert_eq!(sales.respondents, Some(5));
    let cell = sales.items[0].cell.expect("five IT people named Sales");
    assert!(
        close(cell.mean, 4.0),
        "Sales' own answers never mix in: {cell:?}"
    );
    // Finance's two are below k; hiding them leaves a residual of three (two plus the unnamed).
    let finance = compute_about(&def(), &rs, 3, 100, 2, None);
    assert_eq!(finance.respondents, None);
    assert!(finance.items.iter().all(|i| i.cell.is_none()));
    // A release that does not show IT on its own shows nothing of IT's named groups.
    let held = Release {
        org: true,
        departments: [1].into(),
    };
    let sales = compute_about(&def(), &rs, 3, 100, 1, Some(&held));
    assert_eq!(sales.respondents, None);
}

#[test]
fn a_named_group_is_hidden_when_the_rest_of_it_would_be_fewer_than_k() {
    // IT: four named Sales, one named nobody. Showing Sales' four beside IT's five would give
    // away the one who named nobody.
    let mut rs: Vec<Response> = (0..4)
        .map(|_| it_about(Some(1), &[Some(4), Some(4), Some(4)]))
        .collect();
    rs.push(it_about(None, &[Some(1), Some(1), Some(1)]));
    let r = compute_about(&def(), &rs, 3, 100, 1, None);
    assert_eq!(r.respondents, None);
    assert!(r.items.iter().all(|i| i.cell.is_none()));
}

proptest! {
    #[test]
    fn no_named_group_figure_rests_on_fewer_than_k_or_leaves_a_residual_below_k(
        named in proptest::collection::vec((proptest::option::of(1i64..5), 1u8..6, proptest::option::of(1u8..6)), 0..40),
        k in 3u32..6,
    ) {
        let rs: Vec<Response> = named
            .iter()
            .map(|(about, a, b)| it_about(*about, &[Some(*a), *b, Some(3)]))
            .collect();
        let d = def();
        for item in 0..3 {
            let raters = |g: Option<i64>| {
                rs.iter()
                    .filter(|r| r.ratings[item].is_some() && g.is_none_or(|g| r.about == Some(g)))
                    .count() as u32
            };
            let mut shown = 0;
            for about in 1..5 {
                let r = compute_about(&d, &rs, k, 100, about, None);
                if let Some(c) = r.items[item].cell {
                    prop_assert!(c.n >= k);
                    prop_assert_eq!(c.n, raters(Some(about)));
                    shown += c.n;
                }
            }
            // IT's own figure for the item is shown only from k raters: below that, nothing of
            // its named groups is; above, the rest of it is none or at least k people.
            let rest = raters(None) - shown;
            if raters(None) < k {
                prop_assert_eq!(shown, 0);
            } else {
                prop_assert!(rest == 0 || rest >= k, "residual {} at k {}", rest, k);
            }
        }
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Section A has two items, B one.
fn def() -> Definition {
    custom("Hand example", "", "A | one\nA | two\nB | three").unwrap()
}

fn hand() -> Vec<Response> {
    vec![
        resp(1, &[Some(1), Some(2), Some(5)]),
        resp(1, &[Some(2), Some(1), Some(4)]),
        resp(1, &[Some(3), Some(3), None]),
        resp(2, &[Some(4), Some(4), Some(2)]),
        resp(2, &[Some(5), Some(5), Some(2)]),
        resp(2, &[None, Some(4), Some(3)]),
    ]
}

#[test]
fn a_figure_never_reveals_a_department_the_respondent_counts_hide() {
    // k = 5. Department 1: five people who rate everything. Department 2: two people who
    // answer "don't know" to the first item. The respondent split [5, 2] hides both
    // departments (complementary suppression), so no item figure may show department 1
    // either: its n = 5 would give away that department 2 has two people, both "don't know".
    let mut rs: Vec<Response> = (0..5)
        .map(|_| resp(1, &[Some(4), Some(4), Some(4)]))
        .collect();
    rs.push(resp(2, &[None, Some(2), Some(2)]));
    rs.push(resp(2, &[None, Some(2), Some(2)]));
    let r = compute(&def(), &rs, 5, Some(1));
    assert_eq!(r.respondents, None);
    assert!(
        r.items
            .iter()
            .all(|i| i.cell.is_none() && i.dont_know.is_none())
    );
    assert!(r.sections.iter().all(|s| s.cell.is_none()));
    let org = compute(&def(), &rs, 5, None);
    assert_eq!(org.respondents, Some(7));
    assert!(
        org.by_department
            .iter()
            .all(|d| d.respondents.is_none() && d.cells.iter().all(Option::is_none))
    );
}

#[test]
fn alpha_matches_hand_computation() {
    // Item variances 1 and 1, totals 3,3,6 have variance 3: alpha = 2 * (1 - 2/3).
    let a = cronbach_alpha(&[vec![1.0, 2.0], vec![2.0, 1.0], vec![3.0, 3.0]]).unwrap();
    assert!(close(a, 2.0 / 3.0), "{a}");
    // Perfectly consistent items.
    let a = cronbach_alpha(&[vec![1.0, 1.0], vec![2.0, 2.0], vec![3.0, 3.0]]).unwrap();
    assert!(close(a, 1.0));
    assert_eq!(cronbach_alpha(&[]), None);
    assert_eq!(cronbach_alpha(&[vec![1.0, 2.0]]), None);
    assert_eq!(cronbach_alpha(&[vec![1.0], vec![2.0]]), None);
    assert_eq!(cronbach_alpha(&[vec![3.0, 3.0], vec![3.0, 3.0]]), None);
    assert_eq!(cronbach_alpha(&[vec![3.0, 3.0], vec![3.0]]), None);
}

#[test]
fn hand_computed_example() {
    let r = compute(&def(), &hand(), 3, None);
    assert_eq!(r.k, 3);
    assert_eq!(r.respondents, Some(6));
    // Section A pools every rating of its items: 1+2+3+4+5 (item one, one "don't know")
    // and 2+1+3+4+5+4 (item two) over eleven ratings, from six people.
    let a = r.sections[0].cell.unwrap();
    assert_eq!(a.n, 6);
    assert!(close(a.mean, 34.0 / 11.0), "{}", a.mean);
    // Alpha would rest on five complete cases while item two rests on six: one person
    // apart, so it is not shown.
    assert_eq!(r.sections[0].alpha, None);
    assert_eq!(r.sections[0].alpha_n, None);
    // Section B: 5, 4 | 2, 2, 3 pooled over five ratings.
    let b = r.sections[1].cell.unwrap();
    assert_eq!(b.n, 5);
    assert!(close(b.mean, 3.2));
    assert_eq!(r.sections[1].alpha, None);
    // Both departments have three respondents, so both are listed, but item one (3 | 2)
    // and item three (2 | 3) are hidden per department (below k, then complementary
    // suppression), so no section figure may be shown for either department.
    assert_eq!(r.by_department.len(), 2);
    assert_eq!(r.by_department[0].respondents, Some(3));
    assert!(
        r.by_department
            .iter()
            .all(|d| d.cells.iter().all(Option::is_none))
    );
    // Item a.1: 1..5 once each, one don't know.
    let i = &r.items[0];
    assert_eq!(i.cell.unwrap().n, 5);
    assert!(close(i.cell.unwrap().mean, 3.0));
    assert_eq!(i.distribution, Some([1, 1, 1, 1, 1]));
    assert_eq!(i.dont_know, Some(1));
    assert!(r.by_level.is_empty() && r.gaps.is_empty());

    // One department: its respondents, but none of its sections (each has a hidden item).
    let f = compute(&def(), &hand(), 3, Some(1));
    assert_eq!(f.respondents, Some(3));
    assert!(f.by_department.is_empty());
    assert_eq!(f.sections[0].cell, None);
    assert_eq!(f.sections[1].cell, None);
    // Item a.1 counts 3 | 2: department 1 is suppressed so department 2 stays unknowable.
    assert_eq!(f.items[0].cell, None);
    assert_eq!(f.items[0].distribution, None);
    assert_eq!(f.items[0].dont_know, None);
    // Item a.2 counts 3 | 3: shown.
    assert_eq!(f.items[1].cell.map(|c| c.n), Some(3));
    assert_eq!(f.sections[0].alpha, None);
    // Unknown department: nothing.
    let g = compute(&def(), &hand(), 3, Some(99));
    assert_eq!(g.respondents, None);
    assert!(g.sections.iter().all(|s| s.cell.is_none()));
}

#[test]
fn departments_below_k_are_hidden() {
    let mut rs = Vec::new();
    for (d, n) in [(10, 6), (20, 2), (30, 3)] {
        for _ in 0..n {
            rs.push(resp(d, &[Some(4), Some(4), Some(4)]));
        }
    }
    let r = compute(&def(), &rs, 5, None);
    assert_eq!(r.respondents, Some(11));
    let shown: Vec<_> = r.by_department.iter().map(|d| d.respondents).collect();
    // The hidden departments have no row at all, not even an empty one.
    assert_eq!(shown, [Some(6)]);
    assert_eq!(r.by_department[0].department, 10);
    let f = compute(&def(), &rs, 5, Some(20));
    assert_eq!(f.respondents, None);
    assert!(
        f.sections
            .iter()
            .all(|s| s.cell.is_none() && s.alpha_n.is_none())
    );
    assert!(f.items.iter().all(|i| i.cell.is_none()));
}

#[test]
fn complementary_suppression_hides_the_department_that_would_reveal_another() {
    let mut rs = Vec::new();
    for _ in 0..7 {
        rs.push(resp(1, &[Some(5), Some(5), Some(5)]));
    }
    for _ in 0..2 {
        rs.push(resp(2, &[Some(1), Some(1), Some(1)]));
    }
    let r = compute(&def(), &rs, 5, None);
    assert_eq!(r.respondents, Some(9));
    assert!(r.sections[0].cell.is_some());
    assert!(r.by_department.iter().all(|d| d.respondents.is_none()));
    assert!(
        r.by_department
            .iter()
            .all(|d| d.cells.iter().all(Option::is_none))
    );
    assert_eq!(compute(&def(), &rs, 5, Some(1)).respondents, None);
}

#[test]
fn comments_only_for_visible_slices_and_sorted() {
    let mut rs = Vec::new();
    for (i, d) in [1, 1, 1, 1, 1, 2, 2].into_iter().enumerate() {
        let mut r = resp(d, &[Some(3), Some(3), Some(3)]);
        r.texts.insert("a".into(), format!("comment {}", 9 - i));
        rs.push(r);
    }
    let r = compute(&def(), &rs, 5, None);
    assert_eq!(r.comments.len(), 7);
    assert_eq!(r.comments[0].text, "comment 3");
    assert_eq!(r.comments[6].text, "comment 9");
    assert!(compute(&def(), &rs, 5, Some(2)).comments.is_empty());
    // Department 1 (5) would reveal department 2 (2), so it is hidden too.
    assert!(compute(&def(), &rs, 5, Some(1)).comments.is_empty());
}

#[test]
fn gaps_and_levels_use_horizons_and_levels() {
    let b = crate::listen::instruments::builtins();
    let five = &b[1].definition;
    let rs: Vec<Response> = (0..5)
        .map(|i| {
            let mut v = vec![Some(2u8); 10];
            v[1] = Some(4 + (i % 2) as u8);
            resp(1, &v)
        })
        .collect();
    let r = compute(five, &rs, 5, None);
    assert_eq!(r.gaps.len(), 5);
    assert!(close(r.gaps[0].gap.unwrap(), 4.4 - 2.0));
    assert!(r.gaps[1].gap.unwrap().abs() < 1e-9);
    let pulse = &b[0].definition;
    let rs: Vec<Response> = (0..5).map(|_| resp(1, &[Some(4); 36])).collect();
    let r = compute(pulse, &rs, 5, None);
    assert_eq!(r.by_level.len(), 3);
    assert!(
        r.by_level
            .iter()
            .all(|l| l.cells.len() == 4 && l.cells.iter().all(|c| c.is_some_and(|c| c.n == 5)))
    );
    assert_eq!(compute(pulse, &rs[..4], 5, None).by_level[0].cells[0], None);
}

#[test]
fn five_questions_never_average_today_and_tomorrow() {
    let b = crate::listen::instruments::builtins();
    let five = &b[1].definition;
    // Today rated 2 everywhere; Tomorrow 4 or 5: a mixed mean would be 3.2 for question one.
    let rs: Vec<Response> = (0..10)
        .map(|i| {
            let mut v = vec![Some(2u8); 10];
            for t in (1..10).step_by(2) {
                v[t] = Some(4 + (i % 2) as u8);
            }
            resp(1 + (i % 2) as i64, &v)
        })
        .collect();
    let r = compute(five, &rs, 5, None);
    assert!(
        r.sections
            .iter()
            .all(|s| s.cell.is_none() && s.alpha.is_none())
    );
    assert_eq!(r.columns.len(), 10);
    assert_eq!(r.columns[0].key(), "who.today");
    assert_eq!(r.columns[1].key(), "who.tomorrow");
    assert!(close(r.by_column[0].unwrap().mean, 2.0));
    assert!(close(r.by_column[1].unwrap().mean, 4.5));
    assert!(close(r.gaps[0].gap.unwrap(), 2.5));
    assert!(r.by_department.iter().all(|d| d.cells.len() == 10));
    assert!(close(r.by_department[0].cells[0].unwrap().mean, 2.0));
    assert!(close(r.by_department[0].cells[1].unwrap().mean, 4.0));
    let csv = to_csv(five, &r, &|_| "Sales".into());
    assert!(!csv.contains("3.25"), "a mixed mean leaked: {csv}");
    let who = &five.sections[0].title;
    assert!(
        csv.contains(&format!("organisation,,{who},,Today,,10,2.00,\n")),
        "{csv}"
    );
    assert!(
        csv.contains(&format!("organisation,,{who},,Tomorrow,,10,4.50,\n")),
        "{csv}"
    );
    assert!(
        csv.contains(&format!("organisation,,{who},,gap,,,,2.50\n")),
        "{csv}"
    );
    // The anonymity rules still apply per column: four people show nothing.
    let few = compute(five, &rs[..4], 5, None);
    assert!(few.by_column.iter().all(Option::is_none));
    assert!(few.gaps.iter().all(|g| g.gap.is_none()));
}

#[test]
fn csv_lists_visible_cells_quoted_and_defused() {
    let d = custom(
        "Hand example",
        "",
        "=SUM(A1) | one\n=SUM(A1) | two\nB, \"quoted\" | three",
    )
    .unwrap();
    let r = compute(&d, &hand(), 3, None);
    let csv = to_csv(&d, &r, &|id| {
        if id == 1 {
            "@ops".into()
        } else {
            "Sales".into()
        }
    });
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "slice,department,section,level,horizon,item,respondents,mean,gap"
    );
    assert_eq!(lines[1], "organisation,,,,,,6,,");
    assert_eq!(lines[2], "organisation,,'=SUM(A1),,,,6,3.09,");
    assert_eq!(lines[3], "organisation,,\"B, \"\"quoted\"\"\",,,,5,3.20,");
    assert!(csv.contains("department,'@ops,,,,,3,,\n"));
    // Hidden cells (every section per department: an item of each is hidden there) have no row.
    assert!(!csv.contains("department,'@ops,'=SUM(A1)"));
    assert!(!csv.contains("department,Sales,\"B"));
    assert!(!csv.contains("department,'@ops,\"B"));
}

/// Everything a results page, the API and the CSV could show for a data set: the
/// organisation and every department's slice.
fn release_of(d: &Definition, rs: &[Response], k: u32) -> String {
    let mut out = serde_json::to_string(&compute(d, rs, k, None)).unwrap();
    let mut depts: Vec<i64> = rs.iter().map(|r| r.department).collect();
    depts.sort_unstable();
    depts.dedup();
    for dep in depts {
        out.push_str(&serde_json::to_string(&compute(d, rs, k, Some(dep))).unwrap());
    }
    out
}

/// Issue 10, class 1 (differencing inside one slice). One person, P, answers "don't know" to
/// item one; with own-mean section figures, section total minus item totals gave P's own
/// mean exactly. The attack: two worlds that differ only in how P and Q split their item-two
/// ratings (P's own mean 2 in one, 5 in the other) must publish exactly the same figures, so
/// nothing published can tell P's mean.
#[test]
fn a_dont_know_answerer_cannot_be_isolated_inside_one_slice() {
    let world = |p: u8, q: u8| {
        let mut rs = vec![
            resp(1, &[None, Some(p), Some(3)]),
            resp(1, &[Some(4), Some(q), Some(3)]),
        ];
        for v in [1u8, 2, 3, 4, 5, 3] {
            rs.push(resp(1, &[Some(v), Some(6 - v), Some(v)]));
        }
        rs
    };
    let (one, two) = (world(2, 5), world(5, 2));
    let r = compute(&def(), &one, 5, None);
    assert!(r.sections[0].cell.is_some(), "the section is still shown");
    assert!(r.items.iter().all(|i| i.cell.is_some()), "every item too");
    assert_eq!(release_of(&def(), &one, 5), release_of(&def(), &two, 5));
}

/// Issue 10, class 2 (differencing across figures of a hidden residual). Departments 20 (two
/// people) and 30 (four) are hidden; the residual of six is shown only through the
/// organisation minus department 10. P in department 20 answers "don't know" to item one.
/// Swapping P's and R's (department 30) item-two ratings must publish the same figures.
#[test]
fn a_person_in_a_hidden_residual_cannot_be_isolated() {
    let world = |p: u8, r: u8| {
        let mut rs = Vec::new();
        for v in [1u8, 2, 3, 4, 5, 4] {
            rs.push(resp(10, &[Some(v), Some(v), Some(6 - v)]));
        }
        rs.push(resp(20, &[None, Some(p), Some(3)]));
        rs.push(resp(20, &[Some(2), Some(2), Some(2)]));
        rs.push(resp(30, &[Some(4), Some(r), Some(1)]));
        rs.push(resp(30, &[Some(5), Some(4), Some(4)]));
        rs.push(resp(30, &[Some(1), Some(3), Some(5)]));
        rs.push(resp(30, &[Some(2), Some(2), Some(4)]));
        rs
    };
    let (one, two) = (world(1, 5), world(5, 1));
    let r = compute(&def(), &one, 5, None);
    assert_eq!(r.by_department.len(), 1, "only department 10 is listed");
    assert!(r.by_department[0].cells.iter().all(Option::is_some));
    assert!(r.sections.iter().all(|s| s.cell.is_some()));
    assert_eq!(release_of(&def(), &one, 5), release_of(&def(), &two, 5));
}

proptest! {
    /// Every shown composite (column, level) is exactly its items' shown figures combined, so
    /// it adds nothing a subtraction could use; a composite over a hidden item is hidden.
    #[test]
    fn composites_are_their_shown_items_combined(
        rows in proptest::collection::vec((1i64..=4, proptest::collection::vec(proptest::option::of(1u8..=5), 3)), 0..40),
        k in 3u32..7,
    ) {
        let d = def();
        let rs: Vec<Response> = rows.iter().map(|(dep, r)| resp(*dep, r)).collect();
        let org = compute(&d, &rs, k, None);
        let mut slices = vec![(org.clone(), org.by_column.clone())];
        for row in &org.by_department {
            slices.push((compute(&d, &rs, k, Some(row.department)), row.cells.clone()));
        }
        for (slice, cells) in &slices {
            prop_assert_eq!(&slice.by_column, cells);
            for (col, cell) in slice.columns.iter().zip(&slice.by_column) {
                let Some(cell) = cell else { continue };
                let items: Vec<&ItemResult> = d.items.iter().zip(&slice.items)
                    .filter(|(it, _)| it.section == col.section)
                    .map(|(_, r)| r)
                    .collect();
                prop_assert!(items.iter().all(|i| i.cell.is_some()));
                let n: f64 = items.iter().map(|i| f64::from(i.cell.unwrap().n)).sum();
                let sum: f64 = items.iter().map(|i| f64::from(i.cell.unwrap().n) * i.cell.unwrap().mean).sum();
                prop_assert!(close(cell.mean, sum / n));
            }
        }
    }
}

fn residual_ok(total: u32, shown: u32, k: u32) -> bool {
    let r = total - shown;
    r == 0 || r >= k
}

proptest! {
    #[test]
    fn no_hidden_department_can_be_derived(
        rows in proptest::collection::vec((1i64..=5, proptest::collection::vec(proptest::option::of(1u8..=5), 3)), 0..40),
        k in 3u32..7,
    ) {
        let d = def();
        let rs: Vec<Response> = rows.iter().map(|(dep, r)| resp(*dep, r)).collect();
        let r = compute(&d, &rs, k, None);
        // Respondents.
        let shown: Vec<u32> = r.by_department.iter().filter_map(|d| d.respondents).collect();
        prop_assert!(shown.iter().all(|&n| n >= k));
        if let Some(t) = r.respondents {
            prop_assert!(residual_ok(t, shown.iter().sum(), k));
        } else {
            prop_assert!(shown.is_empty());
        }
        // Sections.
        for (s, sec) in r.sections.iter().enumerate() {
            let dept: Vec<u32> = r.by_department.iter().filter_map(|d| d.cells[s]).map(|c| c.n).collect();
            prop_assert!(dept.iter().all(|&n| n >= k));
            match sec.cell {
                Some(c) => prop_assert!(residual_ok(c.n, dept.iter().sum(), k)),
                None => prop_assert!(dept.is_empty()),
            }
        }
        // Per department slice, items and alpha too: the shown department values add up to
        // the organisation's minus nothing or at least k.
        let per_dept: Vec<Results> = r.by_department.iter().map(|row| compute(&d, &rs, k, Some(row.department))).collect();
        for (row, f) in r.by_department.iter().zip(&per_dept) {
            prop_assert_eq!(row.respondents, f.respondents);
            for (s, sec) in f.sections.iter().enumerate() {
                prop_assert_eq!(row.cells[s].map(|c| c.n), sec.cell.map(|c| c.n));
            }
            if f.respondents.is_none() {
                prop_assert!(f.comments.is_empty());
            }
        }
        for i in 0..d.items.len() {
            let dept: Vec<u32> = per_dept.iter().filter_map(|f| f.items[i].cell).map(|c| c.n).collect();
            prop_assert!(dept.iter().all(|&n| n >= k));
            match r.items[i].cell {
                Some(c) => {
                    prop_assert!(residual_ok(c.n, dept.iter().sum(), k));
                    prop_assert_eq!(r.items[i].distribution.map(|d| d.iter().sum::<u32>()), Some(c.n));
                }
                None => {
                    prop_assert!(dept.is_empty());
                    prop_assert!(r.items[i].distribution.is_none() && r.items[i].dont_know.is_none());
                }
            }
        }
        for s in 0..d.sections.len() {
            let dept: Vec<u32> = per_dept.iter().filter_map(|f| f.sections[s].alpha_n).collect();
            prop_assert!(dept.iter().all(|&n| n >= k));
            // The organisation's alpha may be withheld on its own (its items rest on people
            // it does not), which leaves nothing to subtract a department's from.
            if let Some(n) = r.sections[s].alpha_n {
                prop_assert!(residual_ok(n, dept.iter().sum(), k));
            }
        }
    }
}
