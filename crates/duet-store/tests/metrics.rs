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
        let (sales, m, _) = setup(db).await;
        mx::upsert_value(db, m, sales, Period::parse("2026-10").unwrap(), 99.1).await.unwrap();
        mx::upsert_value(db, m, sales, Period::parse("2026-10").unwrap(), 99.7).await.unwrap();
        assert!(matches!(mx::upsert_value(db, m, 999, Period::parse("2026-10").unwrap(), 1.0).await, Err(StoreError::Invalid(_))));
        let dup = mx::insert_metric(db, &MetricInput::parse("crm UPTIME", "%", "higher_better", "", None).unwrap()).await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))));
        let bad = parse_values_csv(b"metric,period,department,value\nCRM uptime,2026-11,Sales,99.9\nCRM uptime,2026-11,Legal,99\n").unwrap();
        match mx::import_values(db, &bad, |_| {}).await {
            Err(StoreError::Csv(e)) => assert_eq!((e[0].line, e[0].column.as_deref()), (3, Some("department"))),
            other => panic!("{other:?}"),
        }
        let mut csv = String::from("metric,period,department,value\n");
        for i in 0..1200 {
            csv.push_str(&format!("crm uptime,{}-{:02},Sales,{}\n", 2000 + i / 12, i % 12 + 1, 90.0 + (i % 10) as f64));
        }
        let rows = parse_values_csv(csv.as_bytes()).unwrap();
        let mut last = 0;
        let n = mx::import_values(db, &rows, |d| last = d).await.unwrap();
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
        mx::upsert_value(db, m, sales, Period::parse("2026-11").unwrap(), 99.0).await.unwrap();
        assert_eq!(mx::recently_measured(db, Period::parse("2026-09").unwrap()).await.unwrap(), vec![(m, sales)]);
        mx::archive_outcome(db, o.id).await.unwrap();
        assert!(mx::outcomes(db, Some(sales)).await.unwrap().is_empty());
    }
}
