//! Issue 10, attack class 5 — nobody can manufacture a survey's crowd, on both backends: a
//! campaign's population is fixed when it opens, every change to people, accounts and tokens is
//! in the audit log (in the same transaction as the change), and the population changes of a
//! campaign are counted from that log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveDate, Utc};
use duet_core::auth::Role;
use duet_core::listen::campaigns::CampaignInput;
use duet_core::listen::instruments::Answers;
use duet_core::org::import::parse_people_csv;
use duet_core::org::{DepartmentInput, Email, PersonId, PersonInput, UserId};
use duet_store::accounts::{self, NewUser};
use duet_store::audit::{self, Entry};
use duet_store::listen::{self as ls, PopulationChange, SubmitMode};
use duet_store::{Db, StoreError, both_backends, org};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn dept(db: &Db, name: &str) -> i64 {
    org::insert_department(
        db,
        &DepartmentInput::parse(name, "business", None, None).unwrap(),
    )
    .await
    .unwrap()
    .id
}

fn person_input(name: &str, email: &str, dept: i64) -> PersonInput {
    PersonInput::parse(name, email, Some(dept), "", "individual").unwrap()
}

async fn person(db: &Db, by: Option<i64>, name: &str, email: &str, dept: i64) -> i64 {
    org::insert_person_by(db, by, &person_input(name, email, dept))
        .await
        .unwrap()
        .id
}

async fn account(db: &Db, by: Option<i64>, email: &str, role: Role) -> accounts::User {
    accounts::insert_user_by(
        db,
        by,
        &NewUser {
            email: Email::parse(email).unwrap(),
            name: email.split('@').next().unwrap().to_string(),
            role,
            password_hash: "x".into(),
        },
    )
    .await
    .unwrap()
}

async fn everything(db: &Db) -> Vec<Entry> {
    audit::list(db, None, 200, true).await.unwrap().items
}

fn answers(n: usize) -> Answers {
    Answers {
        about: None,
        ratings: (0..n).map(|_| Some(4)).collect(),
        texts: Default::default(),
    }
}

/// Sales (three sellers: an admin, a member, one without an account) and HR (Hana, with an
/// account), and a pulse inviting both that opens on 2027-03-01.
struct World {
    sales: i64,
    hr: i64,
    sellers: Vec<i64>,
    admin: i64,
    member: i64,
    hana: i64,
    hana_user: i64,
    campaign: i64,
    items: usize,
}

async fn world(db: &Db) -> World {
    ls::ensure_listen_defaults(db).await.unwrap();
    let sales = dept(db, "Sales").await;
    let hr = dept(db, "HR").await;
    let mut sellers = Vec::new();
    for i in 0..3 {
        sellers.push(
            person(
                db,
                None,
                &format!("Seller {i}"),
                &format!("s{i}@example.com"),
                sales,
            )
            .await,
        );
    }
    let hana = person(db, None, "Hana", "hana@example.com", hr).await;
    let admin = account(db, None, "s0@example.com", Role::Admin).await.id;
    let member = account(db, None, "s1@example.com", Role::Member).await.id;
    let hana_user = account(db, None, "hana@example.com", Role::Member).await.id;
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
        departments: vec![sales, hr],
        min_group: 5,
    };
    let campaign = ls::insert_campaign(db, admin, &input).await.unwrap().id;
    World {
        sales,
        hr,
        sellers,
        admin,
        member,
        hana,
        hana_user,
        campaign,
        items: pulse.definition.items.len(),
    }
}

both_backends! {
    async fn nobody_can_manufacture_the_crowd_of_an_open_campaign(db: &Db) {
        let w = world(db).await;
        let c = w.campaign;
        let secret = ls::anonymity_secret(db).await.unwrap();
        let day = d("2027-03-02");
        let a = answers(w.items);
        // Opening fixes the population and invites exactly its accounts.
        assert_eq!(ls::dispatch_notices(db, d("2027-03-01")).await.unwrap(), 3, "Seller 0, Seller 1, Hana");
        assert!(!ls::fix_population(db, c).await.unwrap(), "fixed once");
        // The attack: four invented people in Sales, Hana moved into Sales, and an account made
        // for Seller 2, who had none.
        let mut fakes = Vec::new();
        for i in 0..4 {
            fakes.push(person(db, Some(w.admin), &format!("Invented {i}"), &format!("fake{i}@example.com"), w.sales).await);
        }
        org::update_person_by(db, Some(w.admin), PersonId(w.hana), &person_input("Hana", "hana@example.com", w.sales)).await.unwrap();
        let new_account = account(db, Some(w.admin), "s2@example.com", Role::Member).await;
        assert_eq!(new_account.person_id, Some(w.sellers[2]), "linked to the real Seller 2");
        // None of them can answer.
        for (i, f) in fakes.iter().enumerate() {
            let user = account(db, Some(w.admin), &format!("fake{i}@example.com"), Role::Member).await.id;
            let refused = ls::prepare_submission(db, c, *f, Some(user), &secret, &a, SubmitMode::New, day).await;
            assert!(matches!(refused, Err(StoreError::Conflict(ref e)) if e.field == "campaign" && e.message.contains("you joined this department after the survey opened")), "{refused:?}");
            assert!(!ls::is_invited(db, c, *f, user).await.unwrap());
            let seeded = ls::submit_response(db, c, *f, &secret, &a, SubmitMode::New, day).await;
            assert!(matches!(seeded, Err(StoreError::Conflict(_))), "not even without an account: {seeded:?}");
        }
        let moved = ls::prepare_submission(db, c, w.hana, Some(w.hana_user), &secret, &a, SubmitMode::New, day).await;
        assert!(matches!(moved, Err(StoreError::Conflict(ref e)) if e.message.contains("changed department after the survey opened")), "{moved:?}");
        assert!(!ls::is_invited(db, c, w.hana, w.hana_user).await.unwrap());
        let impostor = ls::prepare_submission(db, c, w.sellers[2], Some(new_account.id), &secret, &a, SubmitMode::New, day).await;
        assert!(matches!(impostor, Err(StoreError::Conflict(ref e)) if e.message.contains("account was created or linked")), "{impostor:?}");
        assert!(!ls::is_invited(db, c, w.sellers[2], new_account.id).await.unwrap());
        assert!(!ls::in_population(db, c, w.sellers[2], new_account.id).await.unwrap(), "the new account cannot read Seller 2's answers");
        // The real members of the population still answer, through their own accounts.
        assert!(ls::is_invited(db, c, w.sellers[1], w.member).await.unwrap());
        assert!(ls::in_population(db, c, w.sellers[1], w.member).await.unwrap());
        let p = ls::prepare_submission(db, c, w.sellers[1], Some(w.member), &secret, &a, SubmitMode::New, day).await.unwrap();
        ls::write_submission(db, &p).await.unwrap();
        let wrong = ls::prepare_submission(db, c, w.sellers[1], Some(w.admin), &secret, &a, SubmitMode::Edit, day).await;
        assert!(matches!(wrong, Err(StoreError::Conflict(_))), "someone else's account: {wrong:?}");
        // Every step of the attack is in the log, with who did it.
        let log = everything(db).await;
        let by_admin = |action: &str| log.iter().filter(|e| e.action == action && e.actor_user_id == Some(w.admin)).count();
        assert_eq!(by_admin("person.create"), 4);
        assert_eq!(by_admin("person.move"), 1);
        assert_eq!(by_admin("user.link"), 5, "Seller 2 and the four invented people");
        assert!(log.iter().any(|e| e.summary == "Moved Hana from HR to Sales" && e.actor_name.as_deref() == Some("s0")), "{log:?}");
        assert!(log.iter().any(|e| e.summary == "Linked account s2@example.com to Seller 2 (Sales)"), "{log:?}");
        // And the results will say the population changed.
        let changes = ls::population_changes(db, c).await.unwrap();
        assert_eq!(changes, vec![
            // The world itself was made just now, in the 30 days before opening: that is flagged too.
            PopulationChange { department_id: w.hr, department_name: "HR".into(), joined: 0, left: 1, added_before: 1, left_before: 0, accounts_before: 1 },
            PopulationChange { department_id: w.sales, department_name: "Sales".into(), joined: 5, left: 0, added_before: 3, left_before: 0, accounts_before: 2 },
        ]);
        // Archiving an invented person again: Sales counts one fewer newcomer.
        org::set_person_archived_by(db, Some(w.admin), PersonId(fakes[0]), true).await.unwrap();
        let sales = ls::population_changes(db, c).await.unwrap().into_iter().find(|p| p.department_id == w.sales).unwrap();
        assert_eq!((sales.joined, sales.left), (4, 0));
        // The one reminder goes only to those of the population who can still answer and have
        // not: Seller 0 (Seller 1 answered, Hana moved, the rest were never in it).
        assert_eq!(ls::dispatch_notices(db, d("2027-03-17")).await.unwrap(), 1);
    }

    async fn the_first_answer_fixes_the_population_when_it_comes_before_the_invitations(db: &Db) {
        let w = world(db).await;
        let c = w.campaign;
        let secret = ls::anonymity_secret(db).await.unwrap();
        let a = answers(w.items);
        // Upcoming: nothing is fixed, the department decides.
        assert!(ls::is_invited(db, c, w.sellers[1], w.member).await.unwrap());
        assert!(ls::population_changes(db, c).await.unwrap().is_empty());
        let p = ls::prepare_submission(db, c, w.sellers[1], Some(w.member), &secret, &a, SubmitMode::New, d("2027-03-01")).await.unwrap();
        ls::write_submission(db, &p).await.unwrap();
        let fake = person(db, Some(w.admin), "Invented", "fake@example.com", w.sales).await;
        let refused = ls::submit_response(db, c, fake, &secret, &a, SubmitMode::New, d("2027-03-01")).await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
        // The invitations then go to the population fixed by that answer.
        assert_eq!(ls::dispatch_notices(db, d("2027-03-01")).await.unwrap(), 3);
    }

    async fn changes_after_closing_are_not_counted(db: &Db) {
        let w = world(db).await;
        let pulse = ls::campaign_instrument(db, w.campaign).await.unwrap();
        let input = CampaignInput {
            instrument: pulse,
            title: "Last winter".into(),
            opens_on: d("2025-01-05"),
            closes_on: d("2025-01-20"),
            remind_on: d("2025-01-17"),
            departments: vec![w.sales],
            min_group: 5,
        };
        let old = ls::insert_campaign(db, w.admin, &input).await.unwrap().id;
        assert!(!ls::fix_population(db, old).await.unwrap(), "fixed as it was created (it opened long ago)");
        person(db, Some(w.admin), "Later hire", "later@example.com", w.sales).await;
        org::set_person_archived_by(db, Some(w.admin), PersonId(w.sellers[2]), true).await.unwrap();
        assert!(ls::population_changes(db, old).await.unwrap().is_empty(), "long after its closing day");
        assert!(matches!(ls::population_changes(db, 999_999).await, Err(StoreError::NotFound(_))));
    }

    async fn every_change_to_people_accounts_and_tokens_is_audited_in_its_transaction(db: &Db) {
        let sales = dept(db, "Sales").await;
        let finance = dept(db, "Finance").await;
        let admin = account(db, None, "root@example.com", Role::Admin).await;
        let by = Some(admin.id);
        let ann = person(db, by, "Ann Lee", "ann@example.com", sales).await;
        org::update_person_by(db, by, PersonId(ann), &PersonInput::parse("Ann Lee", "ann@example.com", Some(sales), "Buyer", "individual").unwrap()).await.unwrap();
        org::update_person_by(db, by, PersonId(ann), &PersonInput::parse("Ann Lee", "ann@example.com", Some(finance), "Buyer", "individual").unwrap()).await.unwrap();
        org::set_person_archived_by(db, by, PersonId(ann), true).await.unwrap();
        org::set_person_archived_by(db, by, PersonId(ann), true).await.unwrap();
        org::set_person_archived_by(db, by, PersonId(ann), false).await.unwrap();
        let csv = parse_people_csv(b"name,email,department,title,level\nBo Chen,bo@example.com,Sales,,individual\nAnn Lee,ann@example.com,Sales,,individual\n").unwrap();
        let s = org::import_people_by(db, by, &csv, |_| {}).await.unwrap();
        assert_eq!((s.created, s.updated), (1, 1));
        let bo = account(db, by, "bo@example.com", Role::Member).await;
        accounts::update_user_by(db, by, UserId(bo.id), Role::Executive, false).await.unwrap();
        accounts::set_password_by(db, by, UserId(bo.id), "y").await.unwrap();
        accounts::set_password_by(db, Some(bo.id), UserId(bo.id), "z").await.unwrap();
        let (token, _) = accounts::insert_token_by(db, Some(bo.id), UserId(bo.id), "script").await.unwrap();
        accounts::revoke_token_by(db, by, token.id).await.unwrap();
        accounts::revoke_token_by(db, by, token.id).await.unwrap();
        accounts::update_user_by(db, by, UserId(bo.id), Role::Executive, true).await.unwrap();
        // The command line is recorded without an account.
        accounts::insert_user(db, &NewUser { email: Email::parse("cli@example.com").unwrap(), name: "Cli".into(), role: Role::Member, password_hash: "x".into() }).await.unwrap();
        let log = everything(db).await;
        let summaries: Vec<(&str, &str)> = log.iter().rev().filter(|e| e.actor_user_id.is_some()).map(|e| (e.action.as_str(), e.summary.as_str())).collect();
        assert_eq!(summaries, vec![
            ("person.create", "Added Ann Lee <ann@example.com> to Sales"),
            ("person.update", "Changed Ann Lee: title"),
            ("person.move", "Moved Ann Lee from Sales to Finance"),
            ("person.archive", "Archived Ann Lee (Finance)"),
            ("person.restore", "Restored Ann Lee to Finance"),
            ("person.create", "Imported Bo Chen <bo@example.com> into Sales"),
            ("person.move", "Moved Ann Lee from Finance to Sales (import)"),
            ("person.update", "Changed Ann Lee: title from \u{201c}Buyer\u{201d} to \u{201c}\u{201d} (import)"),
            ("people.import", "Imported people from CSV: 1 created, 1 updated"),
            ("user.create", "Created member account bo@example.com (bo)"),
            ("user.link", "Linked account bo@example.com to Bo Chen (Sales)"),
            ("user.role", "Changed the role of bo@example.com from member to executive"),
            ("user.password", "Set a new password for bo@example.com"),
            ("user.password", "bo@example.com changed their own password"),
            ("token.create", "Created API token \u{201c}script\u{201d} for bo@example.com"),
            ("token.revoke", "Revoked API token \u{201c}script\u{201d} of bo@example.com"),
            ("user.disable", "Disabled bo@example.com (its sessions ended, its API tokens revoked)"),
        ]);
        let newest = &log[0];
        assert_eq!((newest.action.as_str(), newest.actor_user_id, newest.actor_name.as_deref()), ("user.create", None, None));
        assert!(log.iter().filter(|e| e.action == "person.move").all(|e| e.subject_kind == "person" && e.subject_id == ann));
        // A refused change leaves no entry: the entry shares the change's transaction.
        let before = log.len();
        let refused = org::update_person_by(db, by, PersonId(ann), &person_input("Ann Lee", "bo@example.com", sales)).await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
        assert_eq!(everything(db).await.len(), before);
        // Paging, newest first.
        let first = audit::list(db, None, 5, true).await.unwrap();
        assert_eq!(first.items.len(), 5);
        let second = audit::list(db, first.next_before, 5, true).await.unwrap();
        assert!(second.items[0].id < first.items[4].id);
        let mut all = Vec::new();
        let mut before = None;
        loop {
            let page = audit::list(db, before, 7, true).await.unwrap();
            all.extend(page.items.iter().map(|e| e.id));
            match page.next_before { Some(b) => before = Some(b), None => break }
        }
        assert_eq!(all, log.iter().map(|e| e.id).collect::<Vec<_>>(), "every entry once, in order");
    }
}

/// Runs one statement binding `at` as `$1` on either backend (the tests' clock: backdating what
/// happened, or moving a campaign's opening day).
async fn exec_at(db: &Db, sql: &'static str, at: DateTime<Utc>) {
    match db {
        Db::Sqlite(pool) => {
            sqlx::query(sql).bind(at).execute(pool).await.unwrap();
        }
        Db::Postgres(pool) => {
            sqlx::query(sql).bind(at).execute(pool).await.unwrap();
        }
    }
}

/// As if everything so far had happened at `at`.
async fn backdate(db: &Db, at: DateTime<Utc>) {
    for sql in [
        "update audit_log set at = $1",
        "update people set created_at = $1, updated_at = $1",
        "update users set created_at = $1, password_set_by_other_at = $1",
        "update api_tokens set created_at = $1",
        "update api_tokens set set_by_other_at = $1 where set_by_other_at is not null",
    ] {
        exec_at(db, sql, at).await;
    }
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A pulse of Sales and HR that opens today (so its population is fixed as it is created).
async fn campaign_today(db: &Db, w: &World, title: &str) -> i64 {
    let pulse = ls::campaign_instrument(db, w.campaign).await.unwrap();
    let input = CampaignInput {
        instrument: pulse,
        title: title.into(),
        opens_on: today(),
        closes_on: today() + chrono::Days::new(14),
        remind_on: today() + chrono::Days::new(10),
        departments: vec![w.sales, w.hr],
        min_group: 5,
    };
    ls::insert_campaign(db, w.admin, &input).await.unwrap().id
}

fn is_borrowed<T: std::fmt::Debug>(r: &Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Conflict(e)) if e.field == "campaign" && e.message == ls::BORROWED_CREDENTIALS)
}

both_backends! {
    async fn the_log_is_append_only_in_the_database_itself(db: &Db) {
        let sales = dept(db, "Sales").await;
        person(db, None, "Ann Lee", "ann@example.com", sales).await;
        let (id,): (i64,) = match db {
            Db::Sqlite(p) => sqlx::query_as("select max(id) from audit_log").fetch_one(p).await.unwrap(),
            Db::Postgres(p) => sqlx::query_as("select max(id) from audit_log").fetch_one(p).await.unwrap(),
        };
        for sql in ["update audit_log set summary = 'nothing happened' where id = $1", "update audit_log set actor_user_id = null where id = $1", "delete from audit_log where id = $1"] {
            let refused = match db {
                Db::Sqlite(p) => sqlx::query(sql).bind(id).execute(p).await.err(),
                Db::Postgres(p) => sqlx::query(sql).bind(id).execute(p).await.err(),
            };
            let e = refused.unwrap_or_else(|| panic!("{sql} was allowed"));
            assert!(e.to_string().contains("append-only"), "{sql}: {e}");
        }
    }

    async fn a_password_or_token_someone_else_set_after_opening_can_neither_answer_nor_read(db: &Db) {
        let w = world(db).await;
        backdate(db, Utc::now() - chrono::Duration::days(90)).await;
        let c = campaign_today(db, &w, "Takeover").await;
        let secret = ls::anonymity_secret(db).await.unwrap();
        let a = answers(w.items);
        // Seller 1 answers through their own account.
        let p = ls::prepare_submission(db, c, w.sellers[1], Some(w.member), &secret, &a, SubmitMode::New, today()).await.unwrap();
        ls::write_submission(db, &p).await.unwrap();
        assert!(ls::in_population(db, c, w.sellers[1], w.member).await.unwrap());
        // The attack: the administrator sets Seller 1's password, then answers and reads as them.
        accounts::set_password_by(db, Some(w.admin), UserId(w.member), "known to the admin").await.unwrap();
        assert!(ls::credentials_borrowed(db, c, w.member).await.unwrap());
        let edit = ls::prepare_submission(db, c, w.sellers[1], Some(w.member), &secret, &a, SubmitMode::Edit, today()).await;
        assert!(is_borrowed(&edit), "{edit:?}");
        assert!(!ls::in_population(db, c, w.sellers[1], w.member).await.unwrap(), "the answers cannot be read");
        assert!(!ls::answered_as(db, c, w.sellers[1], w.member).await.unwrap(), "nor whether they answered");
        assert!(!ls::is_invited(db, c, w.sellers[1], w.member).await.unwrap());
        // Signed in with that password, "the owner" sets a password of their own: whoever set the
        // first could do exactly that, so it does not unlock this campaign.
        accounts::set_password_by(db, Some(w.member), UserId(w.member), "mine").await.unwrap();
        assert!(is_borrowed(&ls::prepare_submission(db, c, w.sellers[1], Some(w.member), &secret, &a, SubmitMode::Edit, today()).await));
        // The command line is someone else too.
        accounts::set_password(db, UserId(w.admin), "cli").await.unwrap();
        assert!(ls::credentials_borrowed(db, c, w.admin).await.unwrap());
        // Tokens: one the administrator makes for Hana holds her account back while it lives; a
        // token Hana makes meanwhile (perhaps through that one) inherits it.
        assert!(!ls::credentials_borrowed(db, c, w.hana_user).await.unwrap());
        let (foreign, _) = accounts::insert_token_by(db, Some(w.admin), UserId(w.hana_user), "for Hana").await.unwrap();
        let refused = ls::prepare_submission(db, c, w.hana, Some(w.hana_user), &secret, &a, SubmitMode::New, today()).await;
        assert!(is_borrowed(&refused), "{refused:?}");
        assert!(!ls::in_population(db, c, w.hana, w.hana_user).await.unwrap());
        let (inherited, _) = accounts::insert_token_by(db, Some(w.hana_user), UserId(w.hana_user), "mine").await.unwrap();
        accounts::revoke_token_by(db, Some(w.hana_user), foreign.id).await.unwrap();
        assert!(ls::credentials_borrowed(db, c, w.hana_user).await.unwrap(), "the token made meanwhile inherits");
        accounts::revoke_token_by(db, Some(w.hana_user), inherited.id).await.unwrap();
        let (own, _) = accounts::insert_token_by(db, Some(w.hana_user), UserId(w.hana_user), "really mine").await.unwrap();
        assert!(!ls::credentials_borrowed(db, c, w.hana_user).await.unwrap());
        let p = ls::prepare_submission(db, c, w.hana, Some(w.hana_user), &secret, &a, SubmitMode::New, today()).await.unwrap();
        ls::write_submission(db, &p).await.unwrap();
        accounts::revoke_token_by(db, Some(w.hana_user), own.id).await.unwrap();
        // A campaign whose population is fixed after the reset takes Seller 1's answers again.
        let next = campaign_today(db, &w, "Next").await;
        assert!(!ls::credentials_borrowed(db, next, w.member).await.unwrap());
        ls::prepare_submission(db, next, w.sellers[1], Some(w.member), &secret, &a, SubmitMode::New, today()).await.unwrap();
        // Before any population is fixed nothing is held back.
        assert!(!ls::credentials_borrowed(db, w.campaign, w.member).await.unwrap());
    }

    async fn a_campaign_opening_today_is_fixed_as_it_is_created(db: &Db) {
        let w = world(db).await;
        let c = campaign_today(db, &w, "Today").await;
        assert!(!ls::fix_population(db, c).await.unwrap(), "already fixed by its creation");
        let fake = person(db, Some(w.admin), "Invented", "fake@example.com", w.sales).await;
        let user = account(db, Some(w.admin), "fake@example.com", Role::Member).await.id;
        let secret = ls::anonymity_secret(db).await.unwrap();
        let refused = ls::prepare_submission(db, c, fake, Some(user), &secret, &answers(w.items), SubmitMode::New, today()).await;
        assert!(matches!(refused, Err(StoreError::Conflict(ref e)) if e.message.contains("you joined this department after the survey opened")), "{refused:?}");
    }

    async fn a_later_campaign_is_fixed_as_the_directory_stood_at_the_start_of_its_opening_day(db: &Db) {
        let w = world(db).await;
        backdate(db, Utc::now() - chrono::Duration::days(3)).await;
        // Created earlier for a later day; that day has now begun (its start was yesterday).
        let opening = today() - chrono::Days::new(1);
        match db {
            Db::Sqlite(pool) => { sqlx::query("update campaigns set opens_on = $1 where id = $2").bind(opening).bind(w.campaign).execute(pool).await.unwrap(); }
            Db::Postgres(pool) => { sqlx::query("update campaigns set opens_on = $1 where id = $2").bind(opening).bind(w.campaign).execute(pool).await.unwrap(); }
        }
        // After midnight, before the first housekeeping or answer: four invented people with
        // accounts in Sales, Hana moved into Sales, an account for Seller 2, Seller 1 renamed.
        let mut fakes = Vec::new();
        for i in 0..4 {
            let f = person(db, Some(w.admin), &format!("Invented {i}"), &format!("fake{i}@example.com"), w.sales).await;
            fakes.push((f, account(db, Some(w.admin), &format!("fake{i}@example.com"), Role::Member).await.id));
        }
        org::update_person_by(db, Some(w.admin), PersonId(w.hana), &person_input("Hana", "hana@example.com", w.sales)).await.unwrap();
        let seller2 = account(db, Some(w.admin), "s2@example.com", Role::Member).await.id;
        org::update_person_by(db, Some(w.admin), PersonId(w.sellers[1]), &PersonInput::parse("Seller One", "s1@example.com", Some(w.sales), "Rep", "individual").unwrap()).await.unwrap();
        // The first answer fixes the population: as of midnight.
        let secret = ls::anonymity_secret(db).await.unwrap();
        let a = answers(w.items);
        let p = ls::prepare_submission(db, w.campaign, w.sellers[1], Some(w.member), &secret, &a, SubmitMode::New, today()).await.unwrap();
        ls::write_submission(db, &p).await.unwrap();
        let campaign = ls::find_campaign(db, w.campaign).await.unwrap();
        assert_eq!(campaign.invited, 8, "the directory now: 3 sellers, 4 invented, Hana");
        for (f, user) in &fakes {
            let refused = ls::prepare_submission(db, w.campaign, *f, Some(*user), &secret, &a, SubmitMode::New, today()).await;
            assert!(matches!(refused, Err(StoreError::Conflict(ref e)) if e.message.contains("you joined this department after the survey opened")), "{refused:?}");
        }
        let moved = ls::prepare_submission(db, w.campaign, w.hana, Some(w.hana_user), &secret, &a, SubmitMode::New, today()).await;
        assert!(matches!(moved, Err(StoreError::Conflict(ref e)) if e.message.contains("changed department")), "{moved:?}");
        let impostor = ls::prepare_submission(db, w.campaign, w.sellers[2], Some(seller2), &secret, &a, SubmitMode::New, today()).await;
        assert!(matches!(impostor, Err(StoreError::Conflict(ref e)) if e.message.contains("account was created or linked")), "{impostor:?}");
        // What happened after midnight shows on the results: 5 came into Sales, 1 left HR.
        let changes = ls::population_changes(db, w.campaign).await.unwrap();
        assert_eq!(changes.iter().map(|c| (c.department_name.as_str(), c.joined, c.left)).collect::<Vec<_>>(), vec![("HR", 0, 1), ("Sales", 5, 0)]);
        // Invitations (sent later the same day) go to the population as of midnight.
        assert_eq!(ls::dispatch_notices(db, today()).await.unwrap(), 3, "Seller 0, Seller 1, Hana");
    }

    async fn the_results_flag_people_added_in_the_30_days_before_opening(db: &Db) {
        let w = world(db).await;
        backdate(db, Utc::now() - chrono::Duration::days(60)).await;
        // The attack: four invented people with accounts in Sales, then a campaign that opens
        // today; Seller 0 moved to HR on the way.
        for i in 0..4 {
            person(db, Some(w.admin), &format!("Invented {i}"), &format!("fake{i}@example.com"), w.sales).await;
            account(db, Some(w.admin), &format!("fake{i}@example.com"), Role::Member).await;
        }
        org::update_person_by(db, Some(w.admin), PersonId(w.sellers[0]), &person_input("Seller 0", "s0@example.com", w.hr)).await.unwrap();
        let c = campaign_today(db, &w, "Manufactured").await;
        // During it, Seller 2 leaves.
        org::set_person_archived_by(db, Some(w.admin), PersonId(w.sellers[2]), true).await.unwrap();
        let changes = ls::population_changes(db, c).await.unwrap();
        assert_eq!(changes, vec![
            PopulationChange { department_id: w.hr, department_name: "HR".into(), joined: 0, left: 0, added_before: 1, left_before: 0, accounts_before: 0 },
            PopulationChange { department_id: w.sales, department_name: "Sales".into(), joined: 0, left: 1, added_before: 4, left_before: 1, accounts_before: 4 },
        ]);
        // Long-settled departments say nothing.
        let quiet = dept(db, "Quiet").await;
        person(db, None, "Q", "q@example.com", quiet).await;
        backdate(db, Utc::now() - chrono::Duration::days(60)).await;
        let pulse = ls::campaign_instrument(db, w.campaign).await.unwrap();
        let input = CampaignInput { instrument: pulse, title: "Quiet".into(), opens_on: today(), closes_on: today() + chrono::Days::new(7), remind_on: today() + chrono::Days::new(5), departments: vec![quiet], min_group: 5 };
        let q = ls::insert_campaign(db, w.admin, &input).await.unwrap().id;
        assert!(ls::population_changes(db, q).await.unwrap().is_empty());
    }

    async fn an_import_that_renames_or_retitles_a_person_is_audited(db: &Db) {
        let sales = dept(db, "Sales").await;
        person(db, None, "Ann Lee", "ann@example.com", sales).await;
        person(db, None, "Bo Chen", "bo@example.com", sales).await;
        let csv = parse_people_csv(b"name,email,department,title,level\nAnn Smith,ann@example.com,Sales,Buyer,manager\nBo Chen,bo@example.com,Sales,,individual\n").unwrap();
        org::import_people_by(db, None, &csv, |_| {}).await.unwrap();
        let log = everything(db).await;
        let updates: Vec<&str> = log.iter().filter(|e| e.action == "person.update").map(|e| e.summary.as_str()).collect();
        assert_eq!(updates, vec!["Changed Ann Smith: name from Ann Lee to Ann Smith, title from \u{201c}\u{201d} to \u{201c}Buyer\u{201d}, level from individual to manager (import)"], "Bo, unchanged, gets none");
    }
}
