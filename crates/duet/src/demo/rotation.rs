//! Swap in the demo: two past cycles with placements, reflections (shared and private, two of
//! them turned into a request and a promise) and outcomes, and an open call with offers and
//! applications waiting for their manager — one released, one declined with a reason.

use chrono::{Duration, Utc};
use duet_core::org::{DepartmentId, DepartmentInput, DepartmentKind, Level, PersonId};
use duet_core::promises::PromiseInput;
use duet_core::requests::RequestInput;
use duet_core::rotation::cycles::{Commitment, CycleInput};
use duet_core::rotation::entries::{ApplicationInput, OfferInput, ReflectionInput, Release, Stage};
use duet_store::Db;
use duet_store::rotation::{self as store, placements as pl};
use duet_store::{accounts, org};

/// (home department, applicant's skills brought, wanted, why).
const APPLICANTS: &[(&str, &str, &str, &str)] = &[
    (
        "Sales",
        "negotiation, crm",
        "sql, reporting",
        "I want to see why CRM changes take weeks",
    ),
    (
        "Sales",
        "forecasting",
        "data modelling",
        "Our forecasts live in spreadsheets; I want to know what IT could do",
    ),
    (
        "Finance",
        "excel modelling, budgeting",
        "sql",
        "Month-end close depends on IT more than anyone admits",
    ),
    (
        "Customer Service",
        "customer empathy",
        "service desk tooling",
        "Tickets bounce between us and the service desk",
    ),
    (
        "Marketing",
        "campaign analytics",
        "data pipelines",
        "IT measures nothing we care about: I want to learn why",
    ),
    (
        "IT",
        "sql, reporting",
        "negotiation, crm",
        "I build the CRM integrations and have never seen a sales call",
    ),
    (
        "IT",
        "data modelling",
        "forecasting",
        "I want to understand what Finance does with our exports",
    ),
    (
        "IT",
        "service desk tooling",
        "customer empathy",
        "To see the other end of the tickets we close",
    ),
    (
        "IT",
        "data pipelines",
        "campaign analytics",
        "Marketing keeps asking for dashboards we do not understand",
    ),
];

/// (host, role, what the guest does, teaches, needs, capacity).
const OFFERS: &[(&str, &str, &str, &str, &str, u32)] = &[
    (
        "Sales",
        "Sales operations analyst",
        "Joins the weekly pipeline review and shadows two account managers on calls",
        "negotiation, crm",
        "sql, reporting",
        2,
    ),
    (
        "Finance",
        "Close assistant",
        "Works the month-end close checklist with the controller",
        "budgeting, excel modelling",
        "data modelling",
        1,
    ),
    (
        "Customer Service",
        "Front-line agent",
        "Takes customer calls with a senior agent, then alone",
        "customer empathy",
        "service desk tooling",
        1,
    ),
    (
        "Marketing",
        "Campaign analyst",
        "Builds the weekly campaign report and sits in on the planning meeting",
        "campaign analytics",
        "data pipelines",
        1,
    ),
    (
        "IT",
        "Service desk analyst",
        "Works the first-line queue with a buddy and joins the change board",
        "service desk tooling, sql",
        "customer empathy",
        2,
    ),
    (
        "IT",
        "Data team apprentice",
        "Pairs with a data engineer on the reporting backlog",
        "sql, data modelling, reporting, data pipelines",
        "forecasting, excel modelling",
        3,
    ),
];

/// When applicants can be away, varied.
const AVAILABILITY: &[&str] = &[
    "",
    "Not during the quarter-end close",
    "Any time but school holidays",
    "Not the week of the sales kick-off",
    "Mornings only in the first week",
];

/// Reflections: (stage, surprised, pain point, carry back, shared).
const REFLECTIONS: &[(Stage, &str, &str, &str, bool)] = &[
    (
        Stage::Start,
        "How many tools the team switches between in one call",
        "",
        "",
        true,
    ),
    (
        Stage::Middle,
        "",
        "Every CRM field change needs a change-board slot two weeks out",
        "Ask for CRM changes with the business reason, not just the field",
        true,
    ),
    (
        Stage::End,
        "That the service desk sees our complaints before we send them",
        "The backlog is triaged by who shouts loudest",
        "Bring one ticket a week to the review instead of ten complaints",
        true,
    ),
    (
        Stage::Middle,
        "How little of my work the reps ever see",
        "",
        "Put the sync status on the CRM home page",
        false,
    ),
];

/// Demo data is written to pass; a refusal names what was refused.
fn invalid(e: duet_core::ValidationErrors) -> anyhow::Error {
    anyhow::anyhow!("demo rotation data refused: {:?}", e.0)
}

async fn person_ids(db: &Db, department: i64) -> anyhow::Result<Vec<(i64, Level)>> {
    Ok(org::all_people(db)
        .await?
        .into_iter()
        .filter(|p| p.department_id == department && p.archived_at.is_none())
        .map(|p| (p.id, p.level))
        .collect())
}

/// Seeds the rotation programme unless a cycle exists.
pub async fn seed_rotation(db: &Db) -> anyhow::Result<()> {
    if !store::list_cycles(db).await?.is_empty() {
        return Ok(());
    }
    let departments = org::list_departments(db, false).await?;
    let id = |name: &str| departments.iter().find(|d| d.name == name).map(|d| d.id);
    let Some(it) = id("IT") else { return Ok(()) };
    let users = accounts::list_users(db).await?;
    let Some(admin) = users
        .iter()
        .find(|u| u.role.as_str() == "admin")
        .map(|u| u.id)
    else {
        return Ok(());
    };
    // The programme owner and IT's manager for releases is the CIO: the IT leader who is an
    // executive (IT's leader in the directory).
    let mut cio = None;
    for u in users.iter().filter(|u| u.role.as_str() == "it_leader") {
        if let Some(p) = u.person_id
            && org::find_person(db, PersonId(p)).await?.level == Level::Executive
        {
            cio = Some((u.id, p));
            break;
        }
    }
    let owner = cio.map_or(admin, |(u, _)| u);
    if let Some((_, person)) = cio
        && let Some(d) = departments.iter().find(|d| d.id == it)
    {
        let input = DepartmentInput {
            name: d.name.clone(),
            kind: DepartmentKind::It,
            leader: Some(PersonId(person)),
            it_partner: d.it_partner_id.map(PersonId),
        };
        org::update_department(db, DepartmentId(it), &input).await?;
    }
    let taking: Vec<i64> = ["IT", "Sales", "Finance", "Customer Service", "Marketing"]
        .iter()
        .filter_map(|n| id(n))
        .collect();
    let today = Utc::now().date_naive();
    let past = [
        (
            "Spring 2026 rotation",
            today - Duration::days(230),
            6,
            Commitment::FullTime,
            5usize,
        ),
        (
            "Autumn 2026 rotation",
            today - Duration::days(95),
            4,
            Commitment::PartTime,
            9usize,
        ),
    ];
    let mut used: Vec<i64> = Vec::new();
    let mut reflection_n = 0usize;
    for (title, starts_on, weeks, commitment, applicants) in past {
        let input = CycleInput {
            title: title.into(),
            call_closes_on: starts_on - Duration::days(21),
            starts_on,
            weeks,
            commitment,
            departments: taking.clone(),
        };
        let created = Utc::now() - Duration::days((today - input.call_closes_on).num_days() + 30);
        let cycle_id = store::insert_cycle(db, &input, 20, owner, created).await?;
        let cycle = store::find_cycle(db, cycle_id).await?;
        let offers = seed_offers(db, &cycle, &id, owner, created).await?;
        for (i, (home, brings, wants, why)) in APPLICANTS.iter().take(applicants).enumerate() {
            let Some(dept) = id(home) else { continue };
            let Some(person) = person_ids(db, dept)
                .await?
                .into_iter()
                .find(|(p, l)| *l == Level::Individual && !used.contains(p))
                .map(|(p, _)| p)
            else {
                continue;
            };
            used.push(person);
            let mut hosts: Vec<i64> = Vec::new();
            for (_, d, _) in offers.iter().filter(|(_, d, _)| (*d == it) != (dept == it)) {
                if !hosts.contains(d) {
                    hosts.push(*d);
                }
            }
            let ranked: Vec<Option<i64>> = hosts.iter().take(3).map(|d| Some(*d)).collect();
            let app = ApplicationInput::parse(
                why,
                brings,
                wants,
                AVAILABILITY[i % AVAILABILITY.len()],
                &ranked,
            )
            .map_err(invalid)?;
            let app_id = store::insert_application(db, &cycle, person, dept, &app, created).await?;
            let a = store::find_application(db, app_id).await?;
            store::release(db, &a, Release::Released, "", admin, created).await?;
        }
        let placements = matched(db, &cycle).await?;
        pl::confirm(db, &cycle, &placements, owner, created + Duration::days(7)).await?;
        // Reflections from the first guests of each cycle.
        for p in pl::placements(db, cycle_id).await?.iter().take(2) {
            let (stage, surprised, pain, carry, shared) =
                REFLECTIONS[reflection_n % REFLECTIONS.len()];
            reflection_n += 1;
            let r = ReflectionInput::parse(stage.as_str(), surprised, pain, carry, shared)
                .map_err(invalid)?;
            let rid = pl::reflect(db, p.id, &r, Utc::now() - Duration::days(60)).await?;
            if reflection_n == 2 {
                let requester = users
                    .iter()
                    .find(|u| u.person_id == Some(p.person_id))
                    .map_or(owner, |u| u.id);
                let home = org::find_person(db, PersonId(p.person_id))
                    .await?
                    .department_id;
                let input = RequestInput::parse(
                    "Book CRM field changes with their business reason",
                    pain,
                    "Seen during a rotation placement",
                    "CRM changes land within a week when the reason is clear",
                    Some(home),
                    "normal",
                    "",
                )
                .map_err(invalid)?;
                pl::insert_request_from_reflection(db, requester, &input, rid).await?;
            }
            if reflection_n == 3 {
                let offer = store::offers(db, cycle_id)
                    .await?
                    .into_iter()
                    .find(|o| o.id == p.offer_id);
                if let Some(o) = offer {
                    let person = org::find_person(db, PersonId(p.person_id)).await?;
                    let input = PromiseInput::parse(
                        Some(p.person_id),
                        Some(o.department_id),
                        person.level.as_str(),
                        carry,
                        &(today + Duration::days(30)).to_string(),
                        "manual",
                        None,
                        today,
                    )
                    .map_err(invalid)?;
                    pl::insert_promise_from_reflection(db, owner, &input, rid, today).await?;
                }
            }
        }
    }
    // The open call.
    let starts_on = today + Duration::days(45);
    let input = CycleInput {
        title: "Spring 2027 rotation".into(),
        call_closes_on: today + Duration::days(20),
        starts_on,
        weeks: 8,
        commitment: Commitment::FullTime,
        departments: taking.clone(),
    };
    let now = Utc::now() - Duration::days(3);
    let cycle_id = store::insert_cycle(db, &input, 20, owner, now).await?;
    let cycle = store::find_cycle(db, cycle_id).await?;
    seed_offers(db, &cycle, &id, owner, now).await?;
    let open: [(&str, Release, &str); 3] = [
        ("Sales", Release::Released, ""),
        ("IT", Release::Pending, ""),
        (
            "Finance",
            Release::Declined,
            "Year-end close runs to mid-February; apply again for the summer cycle and I will release you",
        ),
    ];
    for (i, (home, decision, reason)) in open.iter().enumerate() {
        let Some(dept) = id(home) else { continue };
        let Some(person) = person_ids(db, dept)
            .await?
            .into_iter()
            .filter(|(p, l)| *l == Level::Individual && !used.contains(p))
            .nth(i % 2)
            .map(|(p, _)| p)
        else {
            continue;
        };
        let (_, brings, wants, why) = APPLICANTS
            .iter()
            .find(|a| a.0 == *home)
            .copied()
            .unwrap_or(("", "", "", "I want to see the other side"));
        let hosts: Vec<Option<i64>> = if dept == it {
            vec![id("Sales"), id("Marketing")]
        } else {
            vec![Some(it)]
        };
        let app = ApplicationInput::parse(
            why,
            brings,
            wants,
            AVAILABILITY[(i + 1) % AVAILABILITY.len()],
            &hosts,
        )
        .map_err(invalid)?;
        let app_id = store::insert_application(db, &cycle, person, dept, &app, now).await?;
        if *decision != Release::Pending {
            let a = store::find_application(db, app_id).await?;
            store::release(db, &a, *decision, reason, admin, now).await?;
        }
    }
    Ok(())
}

/// The owner's matching of a cycle's released applicants, as the programme solves it (exact,
/// every relationship halfway, three people of a team away at most): the placements to confirm.
async fn matched(db: &Db, cycle: &store::Cycle) -> anyhow::Result<Vec<pl::NewPlacement>> {
    use duet_core::rotation::fit::{Pairing, Weights, fit};
    use duet_core::rotation::matching::{Applicant, Choice, Problem, solve};
    let offers = store::offers(db, cycle.id).await?;
    let apps = store::applications(db, cycle.id).await?;
    let list = |raw: &str| -> Vec<String> {
        raw.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let mut teams: Vec<i64> = apps.iter().map(|a| a.department_id).collect();
    teams.sort_unstable();
    teams.dedup();
    let mut fits = Vec::new();
    let applicants = apps
        .iter()
        .map(|a| {
            let (wants, brings) = (list(&a.wants), list(&a.brings));
            let choices: Vec<Choice> = offers
                .iter()
                .enumerate()
                .filter_map(|(xi, o)| {
                    let rank = a.choices.iter().position(|d| *d == o.department_id)?;
                    let (teaches, needs) = (list(&o.teaches), list(&o.needs));
                    let f = fit(
                        &Pairing {
                            rank,
                            ranked: a.choices.len(),
                            wants: &wants,
                            brings: &brings,
                            teaches: &teaches,
                            needs: &needs,
                            weakness: None,
                        },
                        &Weights::default(),
                    )?;
                    Some(Choice {
                        placement: xi,
                        fit: f,
                    })
                })
                .collect();
            fits.push(choices.clone());
            Applicant {
                team: teams.binary_search(&a.department_id).unwrap_or(0),
                choices,
            }
        })
        .collect();
    let problem = Problem {
        applicants,
        capacities: offers.iter().map(|o| o.capacity.max(0) as u32).collect(),
        team_caps: vec![3; teams.len()],
    };
    let m = solve(&problem).map_err(|e| anyhow::anyhow!("demo matching: {}", e.message))?;
    Ok(m.placed
        .iter()
        .enumerate()
        .filter_map(|(ai, x)| {
            let x = (*x)?;
            let (a, o) = (&apps[ai], &offers[x]);
            let fit = fits[ai].iter().find(|c| c.placement == x)?.fit;
            Some(pl::NewPlacement {
                application: a.id,
                person: a.person_id,
                offer: o.id,
                buddy: o.buddy_id,
                learning_goals: format!("Learn: {}", a.wants),
                fit,
                pinned: false,
            })
        })
        .collect())
}

/// The cycle's host offers, each with a buddy of the host department: (offer, host, capacity).
async fn seed_offers(
    db: &Db,
    cycle: &store::Cycle,
    id: &impl Fn(&str) -> Option<i64>,
    by: i64,
    at: chrono::DateTime<Utc>,
) -> anyhow::Result<Vec<(i64, i64, u32)>> {
    let mut out = Vec::new();
    for (host, role, work, teaches, needs, cap) in OFFERS {
        let Some(dept) = id(host) else { continue };
        let Some(buddy) = person_ids(db, dept)
            .await?
            .into_iter()
            .find(|(_, l)| *l == Level::Manager)
            .or(person_ids(db, dept).await?.into_iter().next())
            .map(|(p, _)| p)
        else {
            continue;
        };
        let input =
            OfferInput::parse(role, work, &cap.to_string(), teaches, needs).map_err(invalid)?;
        let oid = store::insert_offer(db, cycle.id, dept, &input, buddy, by, at).await?;
        out.push((oid, dept, *cap));
    }
    Ok(out)
}
