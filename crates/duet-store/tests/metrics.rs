//! Metrics on both backends: values, bulk import (all or nothing), outcomes and mappings.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duet_core::auth::Role;
use duet_core::metrics::{MetricInput, Period, parse_values_csv};
use duet_core::org::{DepartmentInput, Email};
use duet_store::accounts::{self, NewUser};
use duet_store::metrics as mx;
use duet_store::{Db, StoreError, both_backends, org};

async fn setup(db: &Db) -> (i64, i64, i64) {
    let sales = org::insert_department(
        db,
        &DepartmentInput::parse("Sales", "business", None, None).unwrap(),
    )
    .await
    .unwrap()
    .id;
    let m = mx::insert_metric(
        db,
        &MetricInput::parse("CRM uptime", "%", "higher_better", "99.5", None).unwrap(),
    )
    .await
    .unwrap()
    .id;
    let u = accounts::insert_user(
        db,
        &NewUser {
            email: Email::parse("b@example.com").unwrap(),
            name: "B".into(),
            role: Role::BusinessLeader,
            password_hash: "x".into(),
        },
    )
    .await
    .unwrap()
    .id;
    (sales, m, u)
}

both_backends! {
    async fn values_are_upserted_and_imports_are_all_or_nothing(db: &Db) {
        let (sales, m, u) = setup(db).await;
        mx::upsert_value(db, m, sales, Period::parse("2026-10").unwrap(), 99.1, false, Some(u)).await.unwrap();
        mx::upsert_value(db, m, sales, Period::parse("2026-10").unwrap(), 99.7, true, Some(u)).await.unwrap();
        assert!(matches!(mx::upsert_value(db, m, 999, Period::parse("2026-10").unwrap(), 1.0, false, None).await, Err(StoreError::Invalid(_))));
        let dup = mx::insert_metric(db, &MetricInput::parse("crm UPTIME", "%", "higher_better", "", None).unwrap()).await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))));
        let bad = parse_values_csv(b"metric,period,department,value\nCRM uptime,2026-11,Sales,99.9\nCRM uptime,2026-11,Legal,99\n").unwrap();
        match mx::import_values(db, &bad, false, None, |_| {}).await {
            Err(StoreError::Csv(e)) => assert_eq!((e[0].line, e[0].column.as_deref()), (3, Some("department"))),
            other => panic!("{other:?}"),
        }
        let mut csv = String::from("metric,period,department,value\n");
        for i in 0..1200 {
            csv.push_str(&format!("crm uptime,{}-{:02},Sales,{}\n", 2000 + i / 12, i % 12 + 1, 90.0 + (i % 10) as f64));
        }
        let rows = parse_values_csv(csv.as_bytes()).unwrap();
        let mut last = 0;
        let n = mx::import_values(db, &rows, true, Some(u), |d| last = d).await.unwrap();
        assert_eq!((n, last), (1200, 1200));
        let vals = mx::values(db, Some(m), None).await.unwrap();
        assert_eq!(vals.len(), 1200, "2000-01 to 2099-12; the import replaced 2026-10");
        assert_eq!(vals.iter().find(|v| v.period == "2026-10").map(|v| v.value), Some(90.0 + (26 * 12 + 9) as f64 % 10.0));
    }

    async fn outcomes_map_to_metrics(db: &Db) {
        let (sales, m, u) = setup(db).await;
        let o = mx::insert_outcome(db, sales, "Reps can trust the pipeline", 5, u).await.unwrap();
        mx::set_mapping(db, m, o.id, true).await.unwrap();
        mx::set_mapping(db, m, o.id, true).await.unwrap();
        assert_eq!(mx::mappings(db).await.unwrap(), vec![(m, o.id)]);
        mx::set_mapping(db, m, o.id, false).await.unwrap();
        assert!(mx::mappings(db).await.unwrap().is_empty());
        assert!(matches!(mx::set_mapping(db, m, 999, true).await, Err(StoreError::NotFound(_))));
        mx::upsert_value(db, m, sales, Period::parse("2026-11").unwrap(), 99.0, false, Some(u)).await.unwrap();
        assert_eq!(mx::recently_measured(db, Period::parse("2026-09").unwrap()).await.unwrap(), vec![(m, sales)]);
        mx::archive_outcome(db, o.id).await.unwrap();
        assert!(mx::outcomes(db, Some(sales)).await.unwrap().is_empty());
    }

    async fn a_recorded_month_is_replaced_only_when_asked_and_the_history_says_who_changed_what(db: &Db) {
        let (sales, m, u) = setup(db).await;
        let oct = Period::parse("2026-10").unwrap();
        mx::upsert_value(db, m, sales, oct, 99.1, false, Some(u)).await.unwrap();
        match mx::upsert_value(db, m, sales, oct, 997.0, false, Some(u)).await {
            Err(StoreError::Conflict(e)) => assert_eq!(e.field, "replace"),
            other => panic!("a silent overwrite: {other:?}"),
        }
        mx::upsert_value(db, m, sales, oct, 99.1, false, Some(u)).await.expect("the same value again is no change");
        mx::upsert_value(db, m, sales, oct, 99.7, true, Some(u)).await.unwrap();
        let h = mx::value_history(db, m, 10).await.unwrap();
        assert_eq!(h.len(), 2, "{h:?}");
        assert_eq!((h[0].old_value, h[0].new_value, h[0].changed_by.as_deref(), h[0].source.as_str()), (Some(99.1), 99.7, Some("B"), "entry"));
        assert_eq!((h[1].old_value, h[1].new_value), (None, 99.1));
        // A CSV import refuses a different value for a recorded month, with its line…
        let rows = parse_values_csv(b"metric,period,department,value\nCRM uptime,2026-09,Sales,98\nCRM uptime,2026-10,Sales,99.7\nCRM uptime,2026-10,Sales,97\n").unwrap();
        match mx::import_values(db, &rows, false, None, |_| {}).await {
            Err(StoreError::Csv(e)) => assert_eq!((e[0].line, e[0].column.as_deref()), (4, Some("period")), "{e:?}"),
            other => panic!("{other:?}"),
        }
        let rows = parse_values_csv(b"metric,period,department,value\nCRM uptime,2026-09,Sales,98\nCRM uptime,2026-10,Sales,97\n").unwrap();
        match mx::import_values(db, &rows, false, None, |_| {}).await {
            Err(StoreError::Csv(e)) => assert_eq!((e.len(), e[0].line, e[0].column.as_deref()), (1, 3, Some("value")), "{e:?}"),
            other => panic!("{other:?}"),
        }
        assert!(mx::values(db, Some(m), None).await.unwrap().iter().all(|v| v.period != "2026-09"), "nothing imported");
        // …re-importing the same figures is harmless, and with replace the change is recorded.
        let same = parse_values_csv(b"metric,period,department,value\nCRM uptime,2026-10,Sales,99.7\n").unwrap();
        assert_eq!(mx::import_values(db, &same, false, None, |_| {}).await.unwrap(), 1);
        assert_eq!(mx::import_values(db, &rows, true, Some(u), |_| {}).await.unwrap(), 2);
        let h = mx::value_history(db, m, 10).await.unwrap();
        assert_eq!((h[0].old_value, h[0].new_value, h[0].source.as_str()), (Some(99.7), 97.0, "import"));
        assert_eq!(mx::values(db, Some(m), None).await.unwrap().iter().find(|v| v.period == "2026-10").map(|v| v.value), Some(97.0));
    }
}
