//! `duet demo --scale large`: the demo organisation grown to the size issue 11 measures at —
//! 3,000 people in 50 departments, 50,000 requests, 100,000 promises, five years of monthly
//! reviews and metric values, and 40 survey campaigns — in well under a minute. The normal demo
//! is seeded first (same sign-ins, same password), then everything is added with the bulk
//! writes of `duet_store::bulk` (multi-row inserts, one transaction per area), generated from
//! one fixed seed so every run tells the same story. Skips itself when the directory is already
//! that large.

use crate::demo::rng::Rng;
use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use duet_core::auth::Role;
use duet_core::listen::instruments::Answers;
use duet_core::org::{DepartmentId, DepartmentInput, DepartmentKind, Level, PersonId};
use duet_core::promises::PromiseSource;
use duet_core::requests::{AlternativeKind, DeclineReason, Lane, Risk, Status, Urgency};
use duet_store::bulk::{self, NewAccount, NewPerson, NewPromise, NewPromiseEvent, NewRequest};
use duet_store::bulk::{NewClosedCampaign, NewRequestEvent, NewReview, NewReviewRecord};
use duet_store::promises::PromiseFilter;
use duet_store::requests::RequestFilter;
use duet_store::{Db, PageRequest, accounts, listen, metrics, org, promises, requests, reviews};
use std::collections::HashMap;
use std::time::Instant;

/// People in the large organisation.
const PEOPLE: i64 = 3_000;
/// Requests, all told.
const REQUESTS: i64 = 50_000;
/// Promises, all told.
const PROMISES: i64 = 100_000;
/// Survey campaigns, all told.
const CAMPAIGNS: usize = 40;
/// Months of history (reviews, metric values, requests, promises).
const MONTHS: i64 = 60;
/// Accounts made for ordinary members of each added department (they raise the requests).
const MEMBERS_PER_DEPARTMENT: usize = 12;

/// Counts of what was added, printed at the end.
#[derive(Debug, Default)]
struct Added {
    departments: usize,
    people: usize,
    accounts: usize,
    requests: u64,
    request_events: usize,
    promises: u64,
    promise_events: usize,
    reviews: u64,
    metric_values: u64,
    campaigns: usize,
    answers: u64,
}

/// Noon UTC of `d`.
fn noon(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
}

/// The latest weekday on or before `d`.
fn weekday_on_or_before(mut d: NaiveDate) -> NaiveDate {
    while d.weekday().number_from_monday() > 5 {
        d -= Duration::days(1);
    }
    d
}

/// The first day of the month `back` months before `today`'s.
fn month_start(today: NaiveDate, back: i64) -> NaiveDate {
    let m = today.year() as i64 * 12 + today.month0() as i64 - back;
    NaiveDate::from_ymd_opt((m / 12) as i32, (m % 12) as u32 + 1, 1).unwrap_or(today)
}

/// Grows the seeded demo to the large organisation; prints what it added and how long it took.
pub async fn grow(db: &Db) -> anyhow::Result<()> {
    let started = Instant::now();
    let people_now = org::list_people(
        db,
        &org::PeopleFilter::default(),
        PageRequest::new(Some(1), None),
    )
    .await?
    .total;
    if people_now >= PEOPLE {
        println!("The large organisation is already seeded ({people_now} people).");
        return Ok(());
    }
    let today = Utc::now().date_naive();
    let long_ago = Utc::now() - Duration::days(MONTHS * 31 + 400);
    let mut rng = Rng::new(0x1a2b_3c4d_2026_0011);
    let mut added = Added::default();

    // Departments: the 41 added business departments.
    let existing = org::list_departments(db, false).await?;
    for name in DEPARTMENTS {
        if !existing.iter().any(|d| d.name.eq_ignore_ascii_case(name)) {
            org::insert_department(
                db,
                &DepartmentInput {
                    name: name.to_string(),
                    kind: DepartmentKind::Business,
                    leader: None,
                    it_partner: None,
                },
            )
            .await?;
            added.departments += 1;
        }
    }
    let departments = org::list_departments(db, false).await?;
    let it = departments
        .iter()
        .find(|d| d.kind == DepartmentKind::It)
        .context("the IT department")?
        .id;
    let business: Vec<i64> = departments
        .iter()
        .filter(|d| d.kind == DepartmentKind::Business)
        .map(|d| d.id)
        .collect();
    let fresh: Vec<i64> = departments
        .iter()
        .filter(|d| DEPARTMENTS.iter().any(|n| n.eq_ignore_ascii_case(&d.name)))
        .filter(|d| d.people_count == 0)
        .map(|d| d.id)
        .collect();
    anyhow::ensure!(!fresh.is_empty(), "no empty added department to fill");

    // People: the added departments share what the demo's 293 leave of 3,000.
    let to_add = (PEOPLE - people_now) as usize;
    let mut new_people = Vec::with_capacity(to_add);
    for i in 0..to_add {
        let dept = fresh[i % fresh.len()];
        let nth = i / fresh.len();
        let (level, title) = match nth {
            0 => (Level::Executive, "Head of department"),
            1..=8 => (Level::Manager, "Team manager"),
            _ => (Level::Individual, "Specialist"),
        };
        let first = FIRST[rng.below(FIRST.len())];
        let last = LAST[rng.below(LAST.len())];
        new_people.push(NewPerson {
            name: format!("{first} {last}"),
            email: format!(
                "{}.{}.{i}@harborvale.example",
                first.to_lowercase(),
                last.to_lowercase()
            ),
            department_id: dept,
            title: title.to_string(),
            level,
        });
    }
    let t = Instant::now();
    let ids = bulk::insert_people(db, &new_people, long_ago).await?;
    added.people = ids.len();
    println!(
        "  {:>7} people in {:.1} s",
        ids.len(),
        t.elapsed().as_secs_f64()
    );

    // Leaders (the first person of each added department) and IT partners (the demo's IT people
    // who partner a department already, in turn).
    let it_partners: Vec<i64> = departments.iter().filter_map(|d| d.it_partner_id).collect();
    let mut leaders: HashMap<i64, i64> = HashMap::new();
    for (n, (id, p)) in ids.iter().zip(&new_people).enumerate() {
        if p.level == Level::Executive {
            leaders.insert(p.department_id, *id);
            let partner = it_partners.get(n % it_partners.len().max(1)).copied();
            let name = departments
                .iter()
                .find(|d| d.id == p.department_id)
                .map(|d| d.name.clone())
                .unwrap_or_default();
            org::update_department(
                db,
                DepartmentId(p.department_id),
                &DepartmentInput {
                    name,
                    kind: DepartmentKind::Business,
                    leader: Some(PersonId(*id)),
                    it_partner: partner.map(PersonId),
                },
            )
            .await?;
        }
    }

    // Accounts: each added department's leader, and a dozen of its people, with the demo password.
    let logins = crate::demo::seed(db).await?;
    let admin_email = logins
        .iter()
        .find(|l| l.role == Role::Admin)
        .map(|l| l.email.clone())
        .context("the demo's admin sign-in")?;
    let (admin, hash) = accounts::find_login(db, &admin_email)
        .await?
        .context("the demo's admin account")?;
    let mut per_dept: HashMap<i64, usize> = HashMap::new();
    let mut new_accounts = Vec::new();
    for (id, p) in ids.iter().zip(&new_people) {
        let n = per_dept.entry(p.department_id).or_default();
        let role = match p.level {
            Level::Executive => Role::BusinessLeader,
            _ if *n <= MEMBERS_PER_DEPARTMENT => Role::Member,
            _ => continue,
        };
        *n += 1;
        new_accounts.push(NewAccount {
            person_id: *id,
            email: p.email.clone(),
            name: p.name.clone(),
            role,
            password_hash: hash.clone(),
        });
    }
    let account_ids = bulk::insert_accounts(db, &new_accounts, long_ago).await?;
    added.accounts = account_ids.len();

    // Who is who, as the database now has it.
    let users = accounts::list_users(db).await?;
    let it_leaders: Vec<i64> = users
        .iter()
        .filter(|u| u.role == Role::ItLeader)
        .map(|u| u.id)
        .collect();
    anyhow::ensure!(!it_leaders.is_empty(), "the demo has no IT leader account");
    let mut members: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut user_of_person: HashMap<i64, i64> = HashMap::new();
    for u in &users {
        if let (Some(p), Some(d)) = (u.person_id, u.department_id) {
            user_of_person.insert(p, u.id);
            if u.role != Role::Admin && u.disabled_at.is_none() && d != it {
                members.entry(d).or_default().push(u.id);
            }
        }
    }
    let people = org::all_people(db).await?;
    let mut staff: HashMap<i64, Vec<(i64, Level)>> = HashMap::new();
    for p in &people {
        staff
            .entry(p.department_id)
            .or_default()
            .push((p.id, p.level));
    }
    let departments = org::list_departments(db, false).await?;
    let leader_user: HashMap<i64, i64> = departments
        .iter()
        .filter_map(|d| Some((d.id, *user_of_person.get(&d.leader_id?)?)))
        .collect();
    let teams = requests::teams(db).await?;
    anyhow::ensure!(!teams.is_empty(), "the demo has no IT teams");

    // Requests, spread over five years; most old ones answered and delivered.
    let t = Instant::now();
    let have = requests::list_requests(
        db,
        &RequestFilter::default(),
        PageRequest::new(Some(1), None),
    )
    .await?
    .total;
    let mut rows = Vec::with_capacity((REQUESTS - have).max(0) as usize);
    for _ in 0..(REQUESTS - have).max(0) {
        let dept = business[rng.below(business.len())];
        let Some(requester) = members.get(&dept).and_then(|m| rng.pick(m)).copied() else {
            continue;
        };
        let age = rng.range(1, MONTHS * 30);
        let created = Utc::now() - Duration::days(age) - Duration::minutes(rng.range(0, 600));
        let urgency = [
            Urgency::Low,
            Urgency::Normal,
            Urgency::Normal,
            Urgency::High,
            Urgency::Critical,
        ][rng.below(5)];
        let title = format!(
            "{} {}",
            ASKS[rng.below(ASKS.len())],
            SYSTEMS[rng.below(SYSTEMS.len())]
        );
        let it_by = it_leaders[rng.below(it_leaders.len())];
        let mut events = vec![NewRequestEvent {
            at: created,
            actor_id: Some(requester),
            kind: "submitted",
            detail: format!("submitted ({} urgency)", urgency.label().to_lowercase()),
        }];
        let step = |d: i64| created + Duration::hours(d);
        let status = match age {
            0..=3 => Status::Submitted,
            4..=10 => [
                Status::Submitted,
                Status::Understanding,
                Status::NeedConfirmed,
            ][rng.below(3)],
            11..=45 => [
                Status::Understanding,
                Status::NeedConfirmed,
                Status::Accepted,
                Status::InDelivery,
                Status::Declined,
                Status::Deferred,
            ][rng.below(6)],
            _ => [
                Status::Delivered,
                Status::Delivered,
                Status::Closed,
                Status::Closed,
                Status::Declined,
                Status::Deferred,
                Status::Delivered,
            ][rng.below(7)],
        };
        let stated = status != Status::Submitted;
        let confirmed = stated && status != Status::Understanding;
        let decided = matches!(
            status,
            Status::Accepted
                | Status::InDelivery
                | Status::Delivered
                | Status::Closed
                | Status::Declined
                | Status::Deferred
        );
        let team = stated.then(|| &teams[rng.below(teams.len())]);
        let statement = format!(
            "{} needs {} to work for them without extra steps",
            "The department",
            SYSTEMS[rng.below(SYSTEMS.len())]
        );
        if let Some(tm) = team {
            events.push(NewRequestEvent {
                at: step(2),
                actor_id: Some(it_by),
                kind: "team_assigned",
                detail: format!("assigned to {}", tm.name),
            });
        }
        if stated {
            events.push(NewRequestEvent {
                at: step(20),
                actor_id: Some(it_by),
                kind: "need_stated",
                detail: format!("IT stated the need: “{statement}” — please confirm or correct it"),
            });
        }
        if confirmed {
            events.push(NewRequestEvent {
                at: step(44),
                actor_id: Some(requester),
                kind: "need_confirmed",
                detail: "the requester confirmed IT's statement of the need".to_string(),
            });
        }
        let decided_at = decided.then(|| step(96));
        let (decline_reason, deferred_until, note, alternatives) = match status {
            Status::Declined => {
                let r = [
                    DeclineReason::Cost,
                    DeclineReason::Capacity,
                    DeclineReason::Duplicate,
                    DeclineReason::OutOfScope,
                ][rng.below(4)];
                let alt = (
                    AlternativeKind::Workaround,
                    format!(
                        "Use the existing report in {}",
                        SYSTEMS[rng.below(SYSTEMS.len())]
                    ),
                    if age > 60 { Some(rng.chance(60)) } else { None },
                );
                (
                    Some(r),
                    None,
                    Some("Not this year; see the alternative offered.".to_string()),
                    vec![alt],
                )
            }
            Status::Deferred => (
                None,
                Some((created + Duration::days(120)).date_naive()),
                Some("After the ERP upgrade.".to_string()),
                vec![],
            ),
            _ => (None, None, None, vec![]),
        };
        if let Some(at) = decided_at {
            let detail = match status {
                Status::Declined => format!(
                    "IT declined ({}) and offered: {}: {}",
                    decline_reason
                        .map(|r| r.label().to_lowercase())
                        .unwrap_or_default(),
                    AlternativeKind::Workaround.label(),
                    alternatives
                        .first()
                        .map(|a| a.1.as_str())
                        .unwrap_or_default()
                ),
                Status::Deferred => format!(
                    "IT deferred the request until {}",
                    deferred_until.unwrap_or(today)
                ),
                _ => "IT accepted the request".to_string(),
            };
            events.push(NewRequestEvent {
                at,
                actor_id: Some(it_by),
                kind: "decided",
                detail,
            });
        }
        if matches!(
            status,
            Status::InDelivery | Status::Delivered | Status::Closed
        ) {
            events.push(NewRequestEvent {
                at: step(24 * 10),
                actor_id: Some(it_by),
                kind: "status_changed",
                detail: "Accepted → In delivery".to_string(),
            });
        }
        if matches!(status, Status::Delivered | Status::Closed) {
            events.push(NewRequestEvent {
                at: step(24 * 30),
                actor_id: Some(it_by),
                kind: "status_changed",
                detail: "In delivery → Delivered".to_string(),
            });
        }
        if status == Status::Closed {
            events.push(NewRequestEvent {
                at: step(24 * 40),
                actor_id: Some(it_by),
                kind: "status_changed",
                detail: "Delivered → Closed".to_string(),
            });
        }
        let updated = events.last().map(|e| e.at).unwrap_or(created);
        added.request_events += events.len();
        rows.push(NewRequest {
            title,
            problem: "Today this takes manual work every week and mistakes slip through."
                .to_string(),
            affected: "The whole department".to_string(),
            desired_outcome: "The work is done in one place, without re-typing.".to_string(),
            department_id: dept,
            requester_id: requester,
            urgency,
            lane: Lane::Service,
            status,
            it_team_id: team.map(|t| t.id),
            need_statement: stated.then(|| statement.clone()),
            need_by: stated.then_some(it_by),
            need_confirmed_at: confirmed.then(|| step(44)),
            first_response_at: stated.then(|| step(2)),
            decided_at,
            decision_note: note,
            decline_reason,
            deferred_until,
            risk: [Risk::Low, Risk::Medium, Risk::High][rng.below(3)],
            created_at: created,
            updated_at: updated,
            events,
            alternatives,
        });
    }
    // Oldest first, so ids follow time as they do when people submit them one by one.
    rows.sort_by_key(|r| r.created_at);
    added.requests = bulk::insert_requests(db, &rows).await?;
    drop(rows);
    println!(
        "  {:>7} requests in {:.1} s",
        added.requests,
        t.elapsed().as_secs_f64()
    );

    // Promises between IT and each business department, both ways, over five years; one in five
    // between two business departments, so the interaction map has every kind of pair.
    let t = Instant::now();
    let have = promises::list_promises(
        db,
        &PromiseFilter::default(),
        PageRequest::new(Some(1), None),
    )
    .await?
    .total;
    let recorders: Vec<i64> = it_leaders.clone();
    let mut rows = Vec::with_capacity((PROMISES - have).max(0) as usize);
    for _ in 0..(PROMISES - have).max(0) {
        let other = business[rng.below(business.len())];
        let (from, to) = if rng.chance(20) {
            let peer = business[rng.below(business.len())];
            if peer == other {
                continue;
            }
            (other, peer)
        } else if rng.chance(55) {
            (it, other)
        } else {
            (other, it)
        };
        let Some(&(promisor, level)) = staff.get(&from).and_then(|s| rng.pick(s)) else {
            continue;
        };
        let age = rng.range(0, MONTHS * 30);
        let made_on = today - Duration::days(age);
        let due = made_on + Duration::days(rng.range(7, 60));
        let by = recorders[rng.below(recorders.len())];
        let made_at = noon(made_on);
        let mut events = vec![NewPromiseEvent {
            on_date: made_on,
            at: made_at,
            actor_id: Some(by),
            kind: "made",
            detail: format!("promised, due {due}"),
        }];
        let (status, closed_on) =
            if due >= today || (due + Duration::days(5) >= today && rng.chance(50)) {
                ("open", None)
            } else {
                let roll = rng.below(100);
                let (kind, on, detail) = if roll < 72 {
                    let on = due - Duration::days(rng.range(0, 5)).min(due - made_on);
                    ("kept_on_time", on, "kept on time".to_string())
                } else if roll < 86 {
                    let late = rng.range(1, 20);
                    (
                        "kept_late",
                        due + Duration::days(late),
                        format!("kept, {late} day(s) late"),
                    )
                } else {
                    (
                        "broken",
                        due + Duration::days(rng.range(1, 10)),
                        "broken".to_string(),
                    )
                };
                let on = on.min(today);
                events.push(NewPromiseEvent {
                    on_date: on,
                    at: noon(on),
                    actor_id: Some(by),
                    kind,
                    detail,
                });
                (if kind == "broken" { "broken" } else { "kept" }, Some(on))
            };
        let updated = events.last().map(|e| e.at).unwrap_or(made_at);
        added.promise_events += events.len();
        rows.push(NewPromise {
            promisor_person_id: promisor,
            promisor_department_id: from,
            promisee_department_id: to,
            level,
            text: format!(
                "{} {}",
                PROMISE_TEXTS[rng.below(PROMISE_TEXTS.len())],
                SYSTEMS[rng.below(SYSTEMS.len())]
            ),
            due_on: due,
            source: PromiseSource::Manual,
            status,
            renegotiations: 0,
            closed_on,
            recorded_by: by,
            created_at: made_at,
            updated_at: updated,
            events,
        });
    }
    rows.sort_by_key(|p| p.created_at);
    added.promises = bulk::insert_promises(db, &rows).await?;
    drop(rows);
    println!(
        "  {:>7} promises in {:.1} s",
        added.promises,
        t.elapsed().as_secs_f64()
    );

    // Reviews: monthly with every business department for five years (before the demo's own
    // year for its departments), held and signed; the added departments' next one planned.
    let t = Instant::now();
    let mut rows = Vec::new();
    for &dept in &business {
        let earliest = reviews::list(db, Some(dept), 500)
            .await?
            .iter()
            .map(|r| r.scheduled_at.date_naive())
            .min();
        let organizer = it_leaders[rng.below(it_leaders.len())];
        let leader = leader_user.get(&dept).copied();
        for back in (1..=MONTHS).rev() {
            let day =
                weekday_on_or_before(month_start(today, back) + Duration::days(rng.range(5, 20)));
            if earliest.is_some_and(|e| day >= e - Duration::days(20)) {
                continue;
            }
            let at = day.and_hms_opt(14, 0, 0).unwrap_or_default().and_utc();
            let signed = at + Duration::days(2);
            rows.push(NewReview {
                department_id: dept,
                scheduled_at: at,
                minutes: 60,
                organizer_id: organizer,
                status: "held",
                held_on: Some(day),
                created_at: at - Duration::days(28),
                record: leader.map(|l| NewReviewRecord {
                    agenda: "The good, the bad and the ugly since the last review; the metrics pack; open requests and promises.".to_string(),
                    attendees: "The department's leader, its IT partner, two team managers".to_string(),
                    notes: format!("Reviewed {} open requests and the month's figures.", rng.range(3, 30)),
                    metric_feedback: "The pack matched what the department watches.".to_string(),
                    it_signed_by: organizer,
                    business_signed_by: l,
                    signed_at: signed,
                }),
            });
        }
        if earliest.is_none() {
            let day = weekday_on_or_before(today + Duration::days(rng.range(7, 28)));
            let at = day.and_hms_opt(14, 0, 0).unwrap_or_default().and_utc();
            rows.push(NewReview {
                department_id: dept,
                scheduled_at: at,
                minutes: 60,
                organizer_id: organizer,
                status: "planned",
                held_on: None,
                created_at: Utc::now(),
                record: None,
            });
        }
    }
    added.reviews = bulk::insert_reviews(db, &rows).await?;
    println!(
        "  {:>7} reviews in {:.1} s",
        added.reviews,
        t.elapsed().as_secs_f64()
    );

    // Metric values: five years of months for every metric a department already tracks, and
    // four metrics for each added department.
    let t = Instant::now();
    let catalogue = metrics::list_metrics(db).await?;
    let mut values = Vec::new();
    if !catalogue.is_empty() {
        let mut pairs: Vec<(usize, i64)> = Vec::new();
        for &dept in &business {
            let tracked = if fresh.contains(&dept) { 4 } else { 5 };
            let start = rng.below(catalogue.len());
            for k in 0..tracked {
                pairs.push(((start + k) % catalogue.len(), dept));
            }
        }
        for (m, dept) in pairs {
            let metric = &catalogue[m];
            let base = metric.target.unwrap_or(100.0).abs().max(1.0);
            let mut level = base * (0.85 + rng.unit() * 0.2);
            for back in 0..MONTHS {
                let d = month_start(today, MONTHS - back);
                level = (level * (1.0 + (rng.unit() - 0.45) * 0.04)).max(0.0);
                let period = format!("{:04}-{:02}", d.year(), d.month());
                values.push((metric.id, dept, period, (level * 10.0).round() / 10.0));
            }
        }
    }
    added.metric_values = bulk::insert_metric_values(db, &values).await?;
    println!(
        "  {:>7} metric values in {:.1} s",
        added.metric_values,
        t.elapsed().as_secs_f64()
    );

    // Survey campaigns: closed and sealed, every seven weeks or so before the demo's own.
    let t = Instant::now();
    listen::ensure_listen_defaults(db).await?;
    let campaigns = listen::list_campaigns(db).await?;
    let first_open = campaigns.iter().map(|c| c.opens_on).min().unwrap_or(today);
    let instruments = listen::list_instruments(db).await?;
    let pick = |key: &str| instruments.iter().find(|i| i.key == key && i.builtin);
    let kinds: Vec<_> = [
        "duet-pulse",
        "duet-pulse",
        "five-questions",
        "duet-pulse",
        "alignment-maturity",
    ]
    .iter()
    .filter_map(|k| pick(k))
    .collect();
    anyhow::ensure!(!kinds.is_empty(), "no built-in instruments");
    let everyone: Vec<(i64, i64)> = people.iter().map(|p| (p.id, p.department_id)).collect();
    let all_departments: Vec<i64> = departments.iter().map(|d| d.id).collect();
    let mut rows = Vec::new();
    for n in 0..CAMPAIGNS.saturating_sub(campaigns.len()) {
        let instrument = kinds[n % kinds.len()];
        let items = instrument.definition.items.len();
        let opens = first_open - Duration::days(49 * (n as i64 + 1));
        let mut chosen = everyone.clone();
        rng.shuffle(&mut chosen);
        chosen.truncate(300 + rng.below(150));
        let mood = rng.normal() * 0.4;
        let answers = chosen
            .iter()
            .map(|(_, dept)| {
                let a = Answers {
                    about: None,
                    ratings: (0..items)
                        .map(|_| {
                            if rng.chance(6) {
                                None
                            } else {
                                Some((3.2 + mood + rng.normal()).round().clamp(1.0, 5.0) as u8)
                            }
                        })
                        .collect(),
                    texts: Default::default(),
                };
                (*dept, a.pack(), "{}".to_string())
            })
            .collect();
        rows.push(NewClosedCampaign {
            instrument_id: instrument.id,
            title: format!(
                "{} — {}",
                instrument.definition.title,
                opens.format("%B %Y")
            ),
            opens_on: opens,
            closes_on: opens + Duration::days(20),
            remind_on: opens + Duration::days(17),
            min_group: 5,
            created_by: admin.id,
            departments: all_departments.clone(),
            respondents: chosen,
            answers,
        });
    }
    added.campaigns = rows.len();
    added.answers = bulk::insert_closed_campaigns(db, &rows).await?;
    println!(
        "  {:>7} campaigns ({} sealed answers) in {:.1} s",
        added.campaigns,
        added.answers,
        t.elapsed().as_secs_f64()
    );

    // The directory has existed since before the first of those campaigns.
    duet_store::audit::backdate_all(db, long_ago).await?;

    println!(
        "Large organisation seeded in {:.1} s: added {} departments, {} people, {} accounts, {} requests ({} timeline events), {} promises ({} history events), {} reviews, {} metric values, {} campaigns ({} answers).",
        started.elapsed().as_secs_f64(),
        added.departments,
        added.people,
        added.accounts,
        added.requests,
        added.request_events,
        added.promises,
        added.promise_events,
        added.reviews,
        added.metric_values,
        added.campaigns,
        added.answers
    );
    Ok(())
}

mod words;
use words::*;
