//! What the store's test files share: a department, an account and a date from one line each,
//! and the small organisation Listen's and Voice's tests use (three departments, three people
//! in Sales, an admin account and the built-in instruments).
// Each test file uses part of it.
#![allow(dead_code)]

use chrono::NaiveDate;
use duet_core::auth::Role;
use duet_core::org::{DepartmentInput, Email, PersonInput};
use duet_store::accounts::{self, NewUser};
use duet_store::listen as ls;
use duet_store::{Db, org};

/// A date from `YYYY-MM-DD`.
pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A department of `kind` (`it` or `business`); its id.
pub async fn dept(db: &Db, name: &str, kind: &str) -> i64 {
    org::insert_department(db, &DepartmentInput::parse(name, kind, None, None).unwrap())
        .await
        .unwrap()
        .id
}

/// A person in `dept` at `level` ("individual", "manager", "executive"); their id.
pub async fn person(db: &Db, name: &str, email: &str, dept: i64, level: &str) -> i64 {
    org::insert_person(
        db,
        &PersonInput::parse(name, email, Some(dept), "Analyst", level).unwrap(),
    )
    .await
    .unwrap()
    .id
}

/// An account with `role`, named after its e-mail; its id.
pub async fn user(db: &Db, email: &str, role: Role) -> i64 {
    accounts::insert_user(
        db,
        &NewUser {
            email: Email::parse(email).unwrap(),
            name: email.into(),
            role,
            password_hash: "x".into(),
        },
    )
    .await
    .unwrap()
    .id
}

/// What [`world`] made.
pub struct World {
    pub it: i64,
    pub sales: i64,
    pub hr: i64,
    pub people: Vec<i64>,
    pub admin: i64,
    pub pulse: i64,
    pub pulse_items: usize,
}

/// Builds the shared organisation on a fresh database.
pub async fn world(db: &Db) -> World {
    ls::ensure_listen_defaults(db).await.unwrap();
    let dept = |name: &'static str, kind: &'static str| async move {
        org::insert_department(db, &DepartmentInput::parse(name, kind, None, None).unwrap())
            .await
            .unwrap()
            .id
    };
    let it = dept("IT", "it").await;
    let sales = dept("Sales", "business").await;
    let hr = dept("HR", "business").await;
    let mut people = Vec::new();
    for i in 0..3 {
        let p = org::insert_person(
            db,
            &PersonInput::parse(
                &format!("Seller {i}"),
                &format!("s{i}@example.com"),
                Some(sales),
                "",
                "individual",
            )
            .unwrap(),
        )
        .await
        .unwrap();
        people.push(p.id);
    }
    let admin = accounts::insert_user(
        db,
        &NewUser {
            email: Email::parse("s0@example.com").unwrap(),
            name: "Seller 0".into(),
            role: Role::Admin,
            password_hash: "x".into(),
        },
    )
    .await
    .unwrap()
    .id;
    let inst = ls::list_instruments(db).await.unwrap();
    let pulse = inst.iter().find(|i| i.key == "duet-pulse").unwrap();
    World {
        it,
        sales,
        hr,
        people,
        admin,
        pulse: pulse.id,
        pulse_items: pulse.definition.items.len(),
    }
}
