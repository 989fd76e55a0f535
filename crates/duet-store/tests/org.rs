//! The organisation's store rules on both backends: departments, people, search and paging,
//! head counts, archiving and the people import.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duet_core::org::import::parse_people_csv;
use duet_core::org::{DepartmentId, DepartmentInput, PersonId, PersonInput};
use duet_store::org::{self, PeopleFilter};
use duet_store::{Db, PageRequest, StoreError, both_backends};

mod common;
use common::{dept, person};

both_backends! {
    async fn departments_are_unique_case_insensitively(db: &Db) {
        dept(db, "Sales", "business").await;
        let err = org::insert_department(db, &DepartmentInput::parse("SALES", "business", None, None).unwrap()).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(ref f) if f.field == "name"), "{err:?}");
        assert_eq!(org::list_departments(db, false).await.unwrap().len(), 1);
    }

    async fn people_search_filters_and_pages(db: &Db) {
        let it = dept(db, "IT", "it").await;
        let sales = dept(db, "Sales", "business").await;
        for i in 0..30 {
            person(db, &format!("Person {i:02}"), &format!("p{i}@example.com"), if i % 3 == 0 { it } else { sales }, "individual").await;
        }
        person(db, "Grace 100%_Hopper", "grace@example.com", it, "executive").await;
        let page = org::list_people(db, &PeopleFilter::default(), PageRequest::new(Some(10), Some(0))).await.unwrap();
        assert_eq!((page.items.len(), page.total), (10, 31));
        assert_eq!(page.items[0].name, "Grace 100%_Hopper");
        let f = PeopleFilter { department: Some(DepartmentId(it)), ..Default::default() };
        assert_eq!(org::list_people(db, &f, PageRequest::default()).await.unwrap().total, 11);
        let f = PeopleFilter { q: Some("100%_h".into()), ..Default::default() };
        assert_eq!(org::list_people(db, &f, PageRequest::default()).await.unwrap().total, 1);
        let f = PeopleFilter { q: Some("%".into()), ..Default::default() };
        assert_eq!(org::list_people(db, &f, PageRequest::default()).await.unwrap().total, 1, "% is matched literally");
        let f = PeopleFilter { level: Some(duet_core::org::Level::Executive), ..Default::default() };
        assert_eq!(org::list_people(db, &f, PageRequest::default()).await.unwrap().items[0].email, "grace@example.com");
        let last = org::list_people(db, &PeopleFilter::default(), PageRequest::new(Some(10), Some(30))).await.unwrap();
        assert_eq!((last.items.len(), last.total), (1, 31));
    }

    async fn duplicate_email_is_a_conflict_on_the_email_field(db: &Db) {
        let it = dept(db, "IT", "it").await;
        person(db, "Ada", "ada@example.com", it, "manager").await;
        let err = org::insert_person(db, &PersonInput::parse("Ada 2", "ADA@example.com", Some(it), "", "manager").unwrap()).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(ref f) if f.field == "email"), "{err:?}");
    }

    async fn unknown_department_is_invalid_and_writes_nothing(db: &Db) {
        let err = org::insert_person(db, &PersonInput::parse("Ada", "ada@example.com", Some(999), "", "manager").unwrap()).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(ref f) if f.field == "department_id"), "{err:?}");
        assert_eq!(org::list_people(db, &PeopleFilter::default(), PageRequest::default()).await.unwrap().total, 0);
    }

    async fn leader_must_belong_to_the_department_and_partner_to_it(db: &Db) {
        let it = dept(db, "IT", "it").await;
        let sales = dept(db, "Sales", "business").await;
        let dev = person(db, "Dev", "dev@example.com", it, "manager").await;
        let boss = person(db, "Boss", "boss@example.com", sales, "executive").await;
        let wrong = DepartmentInput::parse("Sales", "business", Some(dev), None).unwrap();
        let err = org::update_department(db, DepartmentId(sales), &wrong).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(ref f) if f.field == "leader_id"), "{err:?}");
        let wrong = DepartmentInput::parse("Sales", "business", Some(boss), Some(boss)).unwrap();
        let err = org::update_department(db, DepartmentId(sales), &wrong).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(ref f) if f.field == "it_partner_id"), "{err:?}");
        let ok = DepartmentInput::parse("Sales", "business", Some(boss), Some(dev)).unwrap();
        let d = org::update_department(db, DepartmentId(sales), &ok).await.unwrap();
        assert_eq!((d.leader_name.as_deref(), d.it_partner_name.as_deref(), d.people_count), (Some("Boss"), Some("Dev"), 1));
        // The leader cannot be archived or moved away while leading.
        assert!(matches!(org::set_person_archived(db, PersonId(boss), true).await, Err(StoreError::Conflict(_))));
        let moved = PersonInput::parse("Boss", "boss@example.com", Some(it), "", "executive").unwrap();
        assert!(matches!(org::update_person(db, PersonId(boss), &moved).await, Err(StoreError::Conflict(_))));
    }

    async fn head_counts_follow_every_change_and_the_department_page_reads_what_it_shows(db: &Db) {
        // The head count is kept by triggers (issue 11): every kind of write must keep it exact.
        let it = dept(db, "IT", "it").await;
        let platform = dept(db, "Platform", "it").await;
        let sales = dept(db, "Sales", "business").await;
        person(db, "Dev", "dev@example.com", it, "manager").await;
        person(db, "Ops", "ops@example.com", platform, "individual").await;
        let a = person(db, "Ann", "ann@example.com", sales, "executive").await;
        let b = person(db, "Ben", "ben@example.com", sales, "individual").await;
        let c = person(db, "Cy", "cy@example.com", sales, "individual").await;
        async fn counts(db: &Db) -> Vec<(String, i64)> {
            org::list_departments(db, true).await.unwrap().into_iter().map(|d| (d.name, d.people_count)).collect()
        }
        let n = |v: &[(String, i64)]| v.iter().map(|(_, n)| *n).collect::<Vec<_>>();
        assert_eq!(n(&counts(db).await), [1, 1, 3]);
        org::set_person_archived(db, PersonId(c), true).await.unwrap();
        assert_eq!(n(&counts(db).await), [1, 1, 2]);
        let moved = PersonInput::parse("Ben", "ben@example.com", Some(it), "", "individual").unwrap();
        org::update_person(db, PersonId(b), &moved).await.unwrap();
        assert_eq!(n(&counts(db).await), [2, 1, 1]);
        org::set_person_archived(db, PersonId(c), false).await.unwrap();
        assert_eq!(org::find_department(db, DepartmentId(sales)).await.unwrap().people_count, 2);
        // The import's upsert: one moved (and restored) person, one new one.
        org::set_person_archived(db, PersonId(c), true).await.unwrap();
        let rows = parse_people_csv(b"name,email,department,title,level\nCy,cy@example.com,Platform,,individual\nDi,di@example.com,Sales,,individual\n").unwrap();
        org::import_people(db, &rows, |_| {}).await.unwrap();
        assert_eq!(n(&counts(db).await), [2, 2, 2]);
        // The page's first members, and its pickers only in one light read.
        let first = org::department_members(db, DepartmentId(sales), 1).await.unwrap();
        assert_eq!(first.iter().map(|p| p.id).collect::<Vec<_>>(), [a]);
        let (leaders, partners) = org::department_pickers(db, DepartmentId(sales)).await.unwrap();
        assert_eq!(leaders.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Ann", "Di"]);
        assert_eq!(partners.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Ben", "Dev", "Cy", "Ops"]);
        let (none, _) = org::department_pickers(db, DepartmentId(999)).await.unwrap();
        assert!(none.is_empty());
    }

    async fn archiving_hides_and_restoring_shows(db: &Db) {
        let it = dept(db, "IT", "it").await;
        let p = person(db, "Ada", "ada@example.com", it, "manager").await;
        assert!(matches!(org::set_department_archived(db, DepartmentId(it), true).await, Err(StoreError::Conflict(_))));
        org::set_person_archived(db, PersonId(p), true).await.unwrap();
        assert_eq!(org::list_people(db, &PeopleFilter::default(), PageRequest::default()).await.unwrap().total, 0);
        let all = PeopleFilter { include_archived: true, ..Default::default() };
        assert_eq!(org::list_people(db, &all, PageRequest::default()).await.unwrap().total, 1);
        org::set_department_archived(db, DepartmentId(it), true).await.unwrap();
        assert!(org::list_departments(db, false).await.unwrap().is_empty());
        org::set_department_archived(db, DepartmentId(it), false).await.unwrap();
        org::set_person_archived(db, PersonId(p), false).await.unwrap();
        assert_eq!(org::list_people(db, &PeopleFilter::default(), PageRequest::default()).await.unwrap().total, 1);
    }

    async fn import_creates_updates_and_is_all_or_nothing(db: &Db) {
        let it = dept(db, "IT", "it").await;
        dept(db, "Sales", "business").await;
        person(db, "Ada", "ada@example.com", it, "individual").await;
        let good = parse_people_csv(b"name,email,department,title,level\nAda Lovelace,ada@example.com,IT,CTO,executive\nBob,bob@example.com,sales,,individual\n").unwrap();
        let mut ticks = 0;
        let s = org::import_people(db, &good, |_| ticks += 1).await.unwrap();
        assert_eq!((s.created, s.updated, ticks), (1, 1, 2));
        let ada = org::find_person_by_email(db, "ada@example.com").await.unwrap().unwrap();
        assert_eq!((ada.name.as_str(), ada.title.as_str()), ("Ada Lovelace", "CTO"));
        let bad = parse_people_csv(b"name,email,department,title,level\nCy,cy@example.com,IT,,individual\nDi,di@example.com,Legal,,individual\n").unwrap();
        match org::import_people(db, &bad, |_| {}).await {
            Err(StoreError::Csv(errs)) => assert_eq!((errs[0].line, errs[0].column.as_deref()), (3, Some("department"))),
            other => panic!("expected a CSV error, got {other:?}"),
        }
        assert!(org::find_person_by_email(db, "cy@example.com").await.unwrap().is_none(), "nothing imported");
        assert_eq!(org::all_people(db).await.unwrap().len(), 2);
    }
}
