//! The database-files attack on survey answers (Duet issue 10, class 6): someone holding the
//! database files (SQLite's main file and write-ahead log; PostgreSQL's tables) but not the key
//! must not be able to link any answer to its author, open or sealed. Open answers are encrypted
//! boxes; sealing writes them out unlinkable, zeroes and checkpoints (SQLite) or vacuums
//! (PostgreSQL) what came before.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use duet_core::auth::Role;
use duet_core::listen::campaigns::CampaignInput;
use duet_core::listen::instruments::Answers;
use duet_core::org::{DepartmentInput, Email, PersonInput};
use duet_store::accounts::{self, NewUser};
use duet_store::listen::{self as ls, SubmitMode};
use duet_store::testing::TestDb;
use duet_store::{Backend, Db, both_backends, org};
use std::collections::BTreeMap;

mod common;
use common::d;

/// Five Sales people invited to an open pulse (1–20 March 2027).
struct World {
    people: Vec<i64>,
    sales: i64,
    campaign: i64,
    items: usize,
    secret: Vec<u8>,
}

async fn world(db: &Db) -> World {
    ls::ensure_listen_defaults(db).await.unwrap();
    let sales = org::insert_department(
        db,
        &DepartmentInput::parse("Sales", "business", None, None).unwrap(),
    )
    .await
    .unwrap()
    .id;
    let mut people = Vec::new();
    for i in 0..5 {
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
    let pulse = ls::list_instruments(db)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.key == "duet-pulse")
        .unwrap();
    let input = CampaignInput {
        instrument: pulse.id,
        title: "Spring pulse".into(),
        opens_on: d("2027-03-01"),
        closes_on: d("2027-03-20"),
        remind_on: d("2027-03-17"),
        departments: vec![sales],
        min_group: 3,
    };
    let campaign = ls::insert_campaign(db, admin, &input).await.unwrap().id;
    World {
        people,
        sales,
        campaign,
        items: pulse.definition.items.len(),
        secret: ls::anonymity_secret(db).await.unwrap(),
    }
}

/// The distinctive comment of person `i` (found in the files only where plaintext is).
fn marker(i: usize) -> String {
    format!("Zanzibar-marker-{i}-quokka")
}

/// Distinctive ratings for person `i`: a pattern of 1–5 no other person shares.
fn answers_of(items: usize, i: usize) -> Answers {
    let mut texts = BTreeMap::new();
    texts.insert("trust".to_string(), marker(i));
    Answers {
        about: None,
        ratings: (0..items)
            .map(|n| Some(((n * (i + 2) + i) % 5) as u8 + 1))
            .collect(),
        texts,
    }
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn count(hay: &[u8], needle: &str) -> usize {
    hay.windows(needle.len())
        .filter(|w| *w == needle.as_bytes())
        .count()
}

/// The SQLite file and its write-ahead log, as an attacker would copy them.
fn files(path: &str) -> (Vec<u8>, Vec<u8>) {
    let main = std::fs::read(path).unwrap();
    let wal = std::fs::read(format!("{path}-wal")).unwrap_or_default();
    (main, wal)
}

async fn submit_all(db: &Db, w: &World) {
    for (i, p) in w.people.iter().enumerate() {
        ls::submit_response(
            db,
            w.campaign,
            *p,
            &w.secret,
            &answers_of(w.items, 100 + i),
            SubmitMode::New,
            d("2027-03-02"),
        )
        .await
        .unwrap();
    }
    // Everyone changes their answers once: the first boxes are replaced.
    for (i, p) in w.people.iter().enumerate() {
        ls::submit_response(
            db,
            w.campaign,
            *p,
            &w.secret,
            &answers_of(w.items, i),
            SubmitMode::Edit,
            d("2027-03-03"),
        )
        .await
        .unwrap();
    }
}

async fn owner_keys(db: &Db, table: &'static str) -> Vec<String> {
    let sql = format!("select owner_key from {table}");
    let rows: Vec<(String,)> = match db {
        Db::Sqlite(pool) => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(pool)
            .await
            .unwrap(),
    };
    rows.into_iter().map(|r| r.0).collect()
}

/// (a) The SQLite files (main and WAL) hold no open answer in plaintext; after sealing, each
/// answer is there once (in survey_responses) and no pre-seal owner key or box survives.
#[tokio::test]
async fn sqlite_files_hold_no_open_answer_and_no_pre_seal_copy() {
    let t = TestDb::new(Backend::Sqlite).await;
    let db = &t.db;
    let w = world(db).await;
    submit_all(db, &w).await;
    let packed: Vec<String> = (0..w.people.len())
        .map(|i| answers_of(w.items, i).pack())
        .chain((0..w.people.len()).map(|i| answers_of(w.items, 100 + i).pack()))
        .collect();
    let (main, wal) = files(&t.url);
    assert!(!wal.is_empty(), "the test reads a live write-ahead log");
    for i in (0..w.people.len()).chain(100..100 + w.people.len()) {
        assert!(
            !contains(&main, &marker(i)) && !contains(&wal, &marker(i)),
            "comment {i} is readable in the files of an open campaign"
        );
    }
    for p in &packed {
        assert!(
            !contains(&main, p) && !contains(&wal, p),
            "ratings readable while open"
        );
    }
    // The author still finds (and the server decrypts) their own answers.
    let def = ls::find_instrument(db, ls::campaign_instrument(db, w.campaign).await.unwrap())
        .await
        .unwrap()
        .definition;
    assert_eq!(
        ls::own_response(db, w.campaign, w.people[2], &w.secret, &def)
            .await
            .unwrap(),
        Some(answers_of(w.items, 2))
    );
    let keys = owner_keys(db, "open_answers").await;
    assert_eq!(keys.len(), w.people.len());
    let boxes: Vec<(Vec<u8>,)> = match db {
        Db::Sqlite(pool) => sqlx::query_as("select answer_box from open_answers")
            .fetch_all(pool)
            .await
            .unwrap(),
        Db::Postgres(_) => unreachable!(),
    };

    assert!(
        ls::seal(db, w.campaign, &w.secret, d("2027-03-21"))
            .await
            .unwrap()
    );
    let (main, wal) = files(&t.url);
    assert!(wal.is_empty(), "the log was checkpointed and truncated");
    for i in 0..w.people.len() {
        assert_eq!(
            count(&main, &marker(i)),
            1,
            "sealed comment {i} is in survey_responses, once"
        );
        assert!(
            !contains(&main, &marker(100 + i)),
            "a replaced answer left no trace"
        );
    }
    for k in &keys {
        assert!(
            !contains(&main, k),
            "a pre-seal owner key survives in the file"
        );
    }
    for (b,) in &boxes {
        assert!(
            !main.windows(b.len()).any(|x| x == b.as_slice()),
            "a pre-seal box survives in the file"
        );
    }
    assert!(owner_keys(db, "open_answers").await.is_empty());
    t.cleanup().await;
}

/// (d) Participation is a WITHOUT ROWID table on SQLite: its file order is (campaign, person),
/// never the order of answering; the boxes are ordered by their random id.
#[tokio::test]
async fn sqlite_participation_and_boxes_have_no_rowid() {
    let t = TestDb::new(Backend::Sqlite).await;
    let Db::Sqlite(pool) = &t.db else {
        unreachable!()
    };
    // form_tokens: the anonymous voice form and survey answering reserve a token there too.
    for table in ["campaign_participation", "open_answers", "form_tokens"] {
        let (sql,): (String,) =
            sqlx::query_as("select sql from sqlite_master where type = 'table' and name = $1")
                .bind(table)
                .fetch_one(pool)
                .await
                .unwrap();
        assert!(
            sql.to_lowercase().contains("without rowid"),
            "{table}: {sql}"
        );
        let rowid = sqlx::query(sqlx::AssertSqlSafe(format!("select rowid from {table}")))
            .fetch_all(pool)
            .await;
        assert!(rowid.is_err(), "{table} has a rowid");
    }
    t.cleanup().await;
}

/// (b) PostgreSQL: while open no table holds a plaintext answer; after the seal every sealed row
/// has the seal's one xmin, their physical order is the random-id order, and no box remains.
#[tokio::test]
async fn postgres_sealed_rows_share_one_xmin_and_random_order() {
    let t = TestDb::new(Backend::Postgres).await;
    let db = &t.db;
    let w = world(db).await;
    submit_all(db, &w).await;
    let Db::Postgres(pool) = db else {
        unreachable!()
    };
    for i in (0..w.people.len()).chain(100..100 + w.people.len()) {
        let m = marker(i);
        let (plain,): (i64,) = sqlx::query_as(
            "select (select count(*) from survey_responses where texts like '%' || $1 || '%')
                  + (select count(*) from open_answers where position(convert_to($1, 'UTF8') in answer_box) > 0)",
        )
        .bind(&m)
        .fetch_one(pool)
        .await
        .unwrap();
        assert_eq!(plain, 0, "comment {i} is readable while open");
    }
    let (rows,): (i64,) = sqlx::query_as("select count(*) from survey_responses")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(rows, 0, "no plaintext answer before the seal");

    assert!(
        ls::seal(db, w.campaign, &w.secret, d("2027-03-21"))
            .await
            .unwrap()
    );
    let xmins: Vec<(String,)> =
        sqlx::query_as("select distinct xmin::text from survey_responses where campaign_id = $1")
            .bind(w.campaign)
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(xmins.len(), 1, "one transaction wrote every sealed answer");
    let ids: Vec<(i64,)> =
        sqlx::query_as("select id from survey_responses where campaign_id = $1 order by ctid")
            .bind(w.campaign)
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(ids.len(), w.people.len());
    assert!(
        ids.windows(2).all(|p| p[0].0 < p[1].0),
        "physical order is random-id order"
    );
    let (boxes,): (i64,) = sqlx::query_as("select count(*) from open_answers")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(boxes, 0, "no box remains after the seal");
    t.cleanup().await;
}

both_backends! {
    // Plaintext answers of open campaigns left by an older version are moved into boxes under
    // their owner keys (their authors still find them) and sealed like the rest.
    async fn legacy_plaintext_answers_of_open_campaigns_are_encrypted(db: &Db) {
        let w = world(db).await;
        let key = duet_core::listen::campaigns::owner_key(&w.secret, w.campaign, w.people[0]);
        let a = answers_of(w.items, 0);
        let texts = serde_json::to_string(&a.texts).unwrap();
        let insert = "insert into survey_responses (id, campaign_id, owner_key, department_id, ratings, texts) values ($1, $2, $3, $4, $5, $6)";
        let join = "insert into campaign_participation (campaign_id, person_id, department_id) values ($1, $2, $3)";
        match db {
            Db::Sqlite(pool) => {
                sqlx::query(insert).bind(424_242_i64).bind(w.campaign).bind(&key).bind(w.sales).bind(a.pack()).bind(&texts).execute(pool).await.unwrap();
                sqlx::query(join).bind(w.campaign).bind(w.people[0]).bind(w.sales).execute(pool).await.unwrap();
            }
            Db::Postgres(pool) => {
                sqlx::query(insert).bind(424_242_i64).bind(w.campaign).bind(&key).bind(w.sales).bind(a.pack()).bind(&texts).execute(pool).await.unwrap();
                sqlx::query(join).bind(w.campaign).bind(w.people[0]).bind(w.sales).execute(pool).await.unwrap();
            }
        }
        assert_eq!(ls::encrypt_legacy_open_answers(db, &w.secret).await.unwrap(), 1);
        assert_eq!(ls::encrypt_legacy_open_answers(db, &w.secret).await.unwrap(), 0, "once");
        assert!(owner_keys(db, "survey_responses").await.is_empty());
        assert_eq!(owner_keys(db, "open_answers").await, vec![key]);
        let def = ls::find_instrument(db, ls::campaign_instrument(db, w.campaign).await.unwrap()).await.unwrap().definition;
        assert_eq!(ls::own_response(db, w.campaign, w.people[0], &w.secret, &def).await.unwrap(), Some(a.clone()));
        ls::submit_response(db, w.campaign, w.people[0], &w.secret, &answers_of(w.items, 1), SubmitMode::Edit, d("2027-03-04")).await.unwrap();
        // A seal with another secret refuses and loses nothing; the right one seals.
        assert!(ls::seal(db, w.campaign, b"another secret", d("2027-03-21")).await.is_err());
        assert!(ls::find_campaign(db, w.campaign).await.unwrap().sealed_at.is_none());
        assert!(ls::seal(db, w.campaign, &w.secret, d("2027-03-21")).await.unwrap());
        let sealed = ls::responses(db, w.campaign, &def).await.unwrap();
        assert_eq!(sealed.len(), 1);
        assert_eq!(sealed[0].texts.get("trust"), Some(&marker(1)));
        assert_eq!(sealed[0].department, w.sales);
    }
}

/// What a seal before this version left in free space (deleted without secure_delete) is gone
/// after the one-time rewrite at start, which runs once per database.
#[tokio::test]
async fn sqlite_remnants_of_older_seals_are_rewritten_away_once() {
    let t = TestDb::new(Backend::Sqlite).await;
    let Db::Sqlite(pool) = &t.db else {
        unreachable!()
    };
    let w = world(&t.db).await;
    let old_key = duet_core::listen::campaigns::owner_key(&w.secret, w.campaign, w.people[0]);
    {
        // As an older version did: plaintext rows, deleted by a seal with secure_delete off.
        let mut conn = pool.acquire().await.unwrap();
        sqlx::query("pragma secure_delete = off")
            .execute(&mut *conn)
            .await
            .unwrap();
        for i in 0..40_i64 {
            sqlx::query("insert into survey_responses (id, campaign_id, owner_key, department_id, ratings, texts) values ($1, $2, $3, $4, '1', $5)")
                .bind(1_000 + i).bind(w.campaign).bind(format!("{old_key}{i}")).bind(w.sales).bind(format!("{{\"trust\":\"{}\"}}", marker(500)))
                .execute(&mut *conn).await.unwrap();
        }
        sqlx::query("delete from survey_responses")
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::query("pragma secure_delete = on")
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::query("pragma wal_checkpoint(truncate)")
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    let (main, _) = files(&t.url);
    assert!(
        contains(&main, &old_key),
        "the test left an old owner key in free space"
    );
    assert!(
        !ls::scrub_answer_files_once(&t.db).await.unwrap(),
        "a database created with no answers is marked done by its migration"
    );
    // As a database upgraded with answers in it is.
    sqlx::query("delete from maintenance_done")
        .execute(pool)
        .await
        .unwrap();
    assert!(ls::scrub_answer_files_once(&t.db).await.unwrap());
    assert!(
        !ls::scrub_answer_files_once(&t.db).await.unwrap(),
        "once per database"
    );
    let (main, wal) = files(&t.url);
    assert!(!contains(&main, &old_key) && !contains(&wal, &old_key));
    assert!(!contains(&main, &marker(500)) && !contains(&wal, &marker(500)));
    t.cleanup().await;
}

/// The one-time rewrite also runs (once) on PostgreSQL, keeping every open answer.
#[tokio::test]
async fn postgres_answer_tables_are_rewritten_once() {
    let t = TestDb::new(Backend::Postgres).await;
    let w = world(&t.db).await;
    submit_all(&t.db, &w).await;
    let Db::Postgres(pool) = &t.db else {
        unreachable!()
    };
    sqlx::query("delete from maintenance_done")
        .execute(pool)
        .await
        .unwrap();
    assert!(ls::scrub_answer_files_once(&t.db).await.unwrap());
    assert!(!ls::scrub_answer_files_once(&t.db).await.unwrap());
    assert_eq!(
        owner_keys(&t.db, "open_answers").await.len(),
        w.people.len()
    );
    t.cleanup().await;
}
