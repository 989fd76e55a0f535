//! The demo's voice inbox: a dozen pain points in every state a pain point can be in (new,
//! answered, a conversation, published, turned into a request or a promise, closed). Seeded by
//! `demo::listen` after the campaigns.

use anyhow::anyhow;
use chrono::{Duration, NaiveDate};
use duet_core::auth::Role;
use duet_core::org::{DepartmentKind, Level};
use duet_core::promises::{PromiseInput, PromiseSource};
use duet_core::requests::{RequestInput, Urgency};
use duet_core::voice::new_receipt;
use duet_store::Db;
use duet_store::accounts::User;
use duet_store::org::{Department, Person};
use duet_store::promises as pr;
use duet_store::requests as rq;
use duet_store::voice;

/// What became of a demo pain point.
enum Outcome {
    /// Nobody has answered yet.
    New,
    /// A triager answered in the thread.
    Reply(&'static str),
    /// A triager answered, the author wrote back, the triager answered again.
    Conversation {
        reply: &'static str,
        author: &'static str,
        again: &'static str,
    },
    /// An answer was published for everyone.
    Publish(&'static str),
    /// It became a request of the addressed department.
    Request {
        title: &'static str,
        problem: &'static str,
        affected: &'static str,
        desired: &'static str,
        urgency: Urgency,
        needed_in_days: Option<i64>,
    },
    /// It became a promise of a manager of the addressed department.
    Promise {
        text: &'static str,
        due_in_days: i64,
    },
    /// It was closed with a last word.
    Close(&'static str),
}

/// One demo pain point: where it is addressed, how long ago it was posted, what it says.
struct PainSeed {
    department: &'static str,
    days_ago: i64,
    text: &'static str,
    outcome: Outcome,
}

const PAIN_POINTS: &[PainSeed] = &[
    PainSeed {
        department: "IT",
        days_ago: 58,
        text: "The VPN drops almost every afternoon between two and four. When it happens, calls with customers freeze and anything I am saving to the shared drive is lost. I have reported it three times and each ticket was closed as 'could not reproduce'. Half of my team now comes to the office on those days just to be safe, which defeats the point of hybrid work.",
        outcome: Outcome::Request {
            title: "Stabilise the VPN for afternoon remote work",
            problem: "Remote staff lose their VPN connection most afternoons between 14:00 and 16:00; calls freeze and unsaved work on the shared drives is lost. Tickets about it have been closed as not reproducible.",
            affected: "Remote and hybrid staff in every department, roughly a third of the company on any given day.",
            desired: "Remote staff keep a stable connection through the working day; drops are rare, detected by IT before users report them, and explained when they happen.",
            urgency: Urgency::High,
            needed_in_days: Some(30),
        },
    },
    PainSeed {
        department: "Finance",
        days_ago: 52,
        text: "The expense tool rejects almost every receipt I photograph with my phone with 'file type not supported'. I have to e-mail the photo to myself, convert it to PDF on my laptop and upload it again. For a trip with fifteen receipts that is an evening gone. Colleagues say they simply stopped claiming small amounts.",
        outcome: Outcome::Reply(
            "Thank you for raising this. The tool only accepts JPEG and PDF, and newer phones save photos in another format by default. We have asked the vendor to accept it; until then, setting the phone camera to 'Most compatible' avoids the conversion. We will tell you here when the fix is live.",
        ),
    },
    PainSeed {
        department: "IT",
        days_ago: 44,
        text: "Purchase requests for software above 5,000 bounce between IT and Finance. IT approves, Finance sends it back asking for IT's approval as an attachment, IT says the approval is in the workflow, and round it goes. My last request took five weeks for a tool that costs less than a laptop. Nobody seems to own the workflow itself.",
        outcome: Outcome::Publish(
            "You were right: the workflow asked Finance to check an IT approval it could not see. Since this month, IT's approval is shown to Finance in the same request, and software already on the approved list skips the second review below 10,000. If a request stalls for more than five working days, the service desk will chase it for you.",
        ),
    },
    PainSeed {
        department: "IT",
        days_ago: 40,
        text: "Every Monday we receive a 40-page IT service report as a PDF. I asked around: nobody in my department opens it. What we would actually like to know is whether the systems we depend on were up, what is late, and what is coming next week. Three numbers and a sentence would do.",
        outcome: Outcome::Publish(
            "Fair point, and several of you said the same. The 40-page report is discontinued. From next week the Monday update is one page: availability of the ten systems people use most, what is late and why, and the changes planned for the coming week. The full figures stay available to anyone who asks.",
        ),
    },
    PainSeed {
        department: "Sales",
        days_ago: 36,
        text: "Leads that come in through the website form land in a shared CRM queue that nobody in Sales owns. Some sit there for two weeks before anyone calls back, by which time the customer has bought elsewhere. Marketing thinks Sales ignores their leads; we think Marketing sends them to the wrong place. Could the routing be fixed so each lead reaches a named person?",
        outcome: Outcome::Request {
            title: "Route website leads to a named sales owner",
            problem: "Website leads land in a shared CRM queue without an owner and can wait two weeks for a first call.",
            affected: "Sales account managers, Marketing campaign owners and every prospect who fills in the website form.",
            desired: "Every website lead is assigned to a named account manager by region within one working day, and Marketing can see what happened to it.",
            urgency: Urgency::Normal,
            needed_in_days: None,
        },
    },
    PainSeed {
        department: "IT",
        days_ago: 31,
        text: "Service desk tickets are closed as soon as someone has replied, without asking whether the problem is actually fixed. I then have to open a new ticket and explain everything again from the start. It makes the statistics look good and the experience look bad.",
        outcome: Outcome::Reply(
            "Thank you, this is useful and a bit uncomfortable to read. From next week a ticket stays open until you confirm the fix or five working days pass without an answer, and reopening brings back the whole history. We will also stop counting first replies as resolutions in our own figures.",
        ),
    },
    PainSeed {
        department: "Operations",
        days_ago: 27,
        text: "The meeting-room rules changed without any notice. Rooms that show as free in the calendar are taken by standing bookings that Operations keeps outside the system. Twice this month I had to move a customer meeting into the corridor.",
        outcome: Outcome::Close(
            "Operations has moved all standing room bookings into the calendar, so a room shown as free is free, and the ground-floor rooms are now bookable by everyone. Closing this one; please post again if it happens anew.",
        ),
    },
    PainSeed {
        department: "IT",
        days_ago: 22,
        text: "We have to change passwords every 60 days in five different systems, each with its own rules about length and symbols, and they never expire on the same day. People write them on sticky notes because there is no other way to keep track. Surely this is less secure, not more?",
        outcome: Outcome::Conversation {
            reply: "You are right that the current rules push people towards sticky notes. Single sign-on already covers three of the five systems and we are looking at the other two. Which systems trouble you most, so we can start there?",
            author: "The timesheet system and the old warehouse portal. Those are the ones whose passwords expire separately and lock me out after three tries.",
            again: "Thank you, that confirms what others told us. The timesheet system moves to single sign-on next month. The warehouse portal is due to be replaced in the spring; until then its password no longer expires on a schedule, only after a suspected compromise, in line with current guidance.",
        },
    },
    PainSeed {
        department: "Human Resources",
        days_ago: 19,
        text: "New people in our team keep starting without a laptop or any accounts. On their first day they sit next to someone and watch, and on the second day too. IT tells us they received the starter's details only two days before the start date. Whoever is at fault, it is a terrible first impression, and one new hire mentioned it in their exit interview.",
        outcome: Outcome::Promise {
            text: "Send IT every new starter's details, role and equipment needs at least ten working days before the start date",
            due_in_days: 21,
        },
    },
    PainSeed {
        department: "Marketing",
        days_ago: 14,
        text: "The brand assets (logos, templates, product photos) live on a drive that only Marketing can open. Every time we need a logo for a customer proposal we send a request and wait a day or more. A read-only folder for everyone would save us all time, and would stop people using the old logo they found in an e-mail from years ago.",
        outcome: Outcome::New,
    },
    PainSeed {
        department: "Accounting",
        days_ago: 9,
        text: "Supplier invoices we forward to the accounts payable mailbox seem to disappear. Suppliers send us reminders weeks later, and nobody can tell us whether the invoice was received, approved or paid. An acknowledgement with a reference number would already help a lot.",
        outcome: Outcome::New,
    },
    PainSeed {
        department: "Human Resources",
        days_ago: 3,
        text: "The annual review form asks every employee to rate their 'digital fluency' from 1 to 5, but nobody has explained what that means or how it will be used. Several people in my team worry it will count against them in a restructuring. Could someone explain the purpose before the deadline?",
        outcome: Outcome::New,
    },
];

/// Posts the demo pain points and plays out what became of each. Returns how many were posted
/// and the receipt code of the one with a conversation, so the author's view can be tried.
pub(super) async fn seed_voice(
    db: &Db,
    today: NaiveDate,
    departments: &[Department],
    people: &[Person],
    users: &[&User],
) -> anyhow::Result<(usize, Option<String>)> {
    let Some(it_id) = departments
        .iter()
        .find(|d| d.kind == DepartmentKind::It)
        .or(departments.first())
        .map(|d| d.id)
    else {
        return Ok((0, None));
    };
    let by_role = |role: Role| users.iter().find(|u| u.role == role).map(|u| u.id);
    let Some(fallback) = by_role(Role::ItLeader)
        .or_else(|| by_role(Role::Admin))
        .or_else(|| users.first().map(|u| u.id))
    else {
        return Ok((0, None));
    };
    // Who answers for a department: its leader or executive when they have an account, else IT.
    let triager = |dept: i64| {
        users
            .iter()
            .find(|u| {
                matches!(u.role, Role::BusinessLeader | Role::Executive)
                    && u.department_id == Some(dept)
            })
            .map(|u| u.id)
            .unwrap_or(fallback)
    };
    // Who raises a request for a department: its business leader, else the IT leader.
    let requester = |dept: i64| {
        users
            .iter()
            .find(|u| u.role == Role::BusinessLeader && u.department_id == Some(dept))
            .map(|u| u.id)
            .unwrap_or(fallback)
    };
    let mut posted = 0;
    let mut follow_up = None;
    for seed in PAIN_POINTS {
        let dept = departments
            .iter()
            .find(|d| d.name == seed.department)
            .map(|d| d.id)
            .unwrap_or(it_id);
        let on = today - Duration::days(seed.days_ago);
        let later = |days: i64| (on + Duration::days(days)).min(today);
        let (code, hash) = new_receipt()?;
        voice::post(db, dept, seed.text, &hash, on).await?;
        let id = voice::by_receipt(db, &hash)
            .await?
            .ok_or_else(|| anyhow!("the demo pain point just posted was not found"))?
            .id;
        posted += 1;
        let who = triager(dept);
        match &seed.outcome {
            Outcome::New => {}
            Outcome::Reply(text) => voice::triager_reply(db, id, who, text, later(2)).await?,
            Outcome::Conversation {
                reply,
                author,
                again,
            } => {
                voice::triager_reply(db, id, who, reply, later(2)).await?;
                voice::author_reply(db, &hash, author, later(4)).await?;
                voice::triager_reply(db, id, who, again, later(7)).await?;
                follow_up = Some(code);
            }
            Outcome::Publish(answer) => voice::publish(db, id, who, answer, later(6)).await?,
            Outcome::Request {
                title,
                problem,
                affected,
                desired,
                urgency,
                needed_in_days,
            } => {
                let input = RequestInput {
                    title: (*title).to_string(),
                    problem: (*problem).to_string(),
                    affected: (*affected).to_string(),
                    desired_outcome: (*desired).to_string(),
                    department: dept,
                    urgency: *urgency,
                    date_needed: needed_in_days.map(|d| today + Duration::days(d)),
                };
                rq::insert_request_from_pain_point(db, requester(dept), &input, id, later(3))
                    .await?;
            }
            Outcome::Promise { text, due_in_days } => {
                let promisee = if dept == it_id {
                    departments.iter().find(|d| d.id != dept).map(|d| d.id)
                } else {
                    Some(it_id)
                };
                let staff: Vec<&Person> =
                    people.iter().filter(|p| p.department_id == dept).collect();
                let promisor = staff
                    .iter()
                    .find(|p| p.level == Level::Manager)
                    .or(staff.first());
                if let (Some(promisor), Some(promisee)) = (promisor, promisee) {
                    let input = PromiseInput {
                        promisor: promisor.id,
                        promisee_department: promisee,
                        level: Level::Manager,
                        text: (*text).to_string(),
                        due_on: today + Duration::days(*due_in_days),
                        source: PromiseSource::Manual,
                        source_id: None,
                    };
                    pr::insert_promise_from_pain_point(db, who, &input, id, later(3)).await?;
                }
            }
            Outcome::Close(note) => voice::close(db, id, who, note, later(5)).await?,
        }
    }
    Ok((posted, follow_up))
}
