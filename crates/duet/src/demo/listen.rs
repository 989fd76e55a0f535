//! The demo's listening: three quarterly DUET pulse campaigns, an alignment maturity
//! self-assessment of the leaders, the five questions of Today and Tomorrow, one pulse open right
//! now, and a voice inbox of a dozen pain points in every state a pain point can be in.
//!
//! The answers tell a story a demo audience can read at a glance: Sales trusts IT more than
//! anyone, Marketing scores low on Empathy and Finance on Discipline, people rate each other
//! better than departments rate each other, Marketing, Finance and Customer Service improve wave
//! after wave while Business Development slips, IT thinks the alignment is more mature than the
//! business does, and the two smallest departments answer too little in the first waves, so their
//! cells stay hidden below k. Each respondent has a latent attitude per pillar, so the items of a
//! pillar agree with each other and Cronbach's alpha means something. Everything is drawn from
//! fixed seeds; only the random row ids and receipt codes differ between runs.

use crate::demo::rng::Rng;
use anyhow::anyhow;
use chrono::{Datelike, Duration, Months, NaiveDate, Utc};
use duet_core::auth::Role;
use duet_core::listen::campaigns::CampaignInput;
use duet_core::listen::instruments::{Answers, Definition, Horizon, RelationshipLevel};
use duet_core::org::{DepartmentKind, Level};
use duet_store::Db;
use duet_store::accounts::{self, User};
use duet_store::listen::{self, SubmitMode};
use duet_store::org::{self, Department, Person};
use duet_store::voice;
use std::collections::{BTreeMap, HashSet};

/// The demo admin, who runs the campaigns.
const ADMIN_EMAIL: &str = "admin@harborvale.example";

/// The anonymity threshold of every demo campaign.
const MIN_GROUP: u32 = 5;

/// Fixed seeds, one per part, so changing one part leaves the others as they were.
const PULSE_SEED: u64 = 0x4C15_7E40_0000_0001;
const MATURITY_SEED: u64 = 0x4C15_7E40_0000_0002;
const FIVE_SEED: u64 = 0x4C15_7E40_0000_0003;
const OPEN_SEED: u64 = 0x4C15_7E40_0000_0004;

/// The DUET pillars, in the pulse's section order.
const PILLAR_CODES: [&str; 4] = ["discipline", "unity", "empathy", "trust"];

/// How a department sees each pillar in the first wave (Discipline, Unity, Empathy, Trust, on
/// 1..=5) and how much that moves per wave.
fn pulse_profile(department: &str) -> ([f64; 4], [f64; 4]) {
    match department {
        "IT" => ([3.5, 3.0, 2.9, 3.2], [0.05, 0.10, 0.15, 0.10]),
        "Sales" => ([3.0, 3.4, 3.5, 4.0], [0.05, 0.05, 0.0, 0.05]),
        "Marketing" => ([3.0, 2.8, 2.4, 2.6], [0.0, 0.10, 0.30, 0.25]),
        "Finance" => ([2.4, 3.2, 3.1, 3.5], [0.25, 0.05, 0.0, 0.05]),
        "Customer Service" => ([3.1, 2.8, 3.2, 2.9], [0.15, 0.15, 0.15, 0.15]),
        "Operations" => ([3.8, 3.4, 3.1, 3.4], [0.0, 0.0, 0.05, 0.0]),
        "Accounting" => ([3.7, 3.0, 3.0, 3.3], [0.0, 0.05, 0.05, 0.05]),
        "Human Resources" => ([3.0, 3.1, 3.9, 3.3], [0.05, 0.05, 0.0, 0.05]),
        "Business Development" => ([2.9, 2.8, 3.2, 3.1], [0.0, -0.10, 0.0, -0.05]),
        _ => ([3.1, 3.0, 3.1, 3.1], [0.05, 0.05, 0.05, 0.05]),
    }
}

/// The share of a department that answers the first pulse wave (it rises by 8 points a wave).
fn pulse_participation(department: &str) -> f64 {
    match department {
        "IT" => 0.66,
        "Sales" => 0.58,
        "Operations" => 0.62,
        "Finance" => 0.52,
        "Accounting" => 0.60,
        "Customer Service" => 0.48,
        "Marketing" => 0.45,
        "Human Resources" => 0.55,
        "Business Development" => 0.50,
        _ => 0.55,
    }
}

/// The share of a department that took the time to answer the five questions.
fn five_participation(department: &str) -> f64 {
    match department {
        "IT" => 0.40,
        "Sales" => 0.26,
        "Marketing" => 0.30,
        "Finance" => 0.35,
        "Operations" => 0.28,
        "Customer Service" => 0.24,
        _ => 0.32,
    }
}

/// Per maturity criterion: how the business rates it and how IT rates it.
const MATURITY_MEANS: [(&str, f64, f64); 6] = [
    ("communications", 2.4, 3.2),
    ("value_measurement", 2.0, 2.9),
    ("governance", 2.5, 3.3),
    ("partnership", 2.2, 3.1),
    ("scope_architecture", 2.6, 3.4),
    ("skills", 2.5, 2.8),
];

/// Where a business department's leaders see a criterion differently from the rest.
fn maturity_tilt(department: &str, criterion: &str) -> f64 {
    match (department, criterion) {
        ("Sales", "partnership" | "communications") => 0.4,
        ("Marketing", "communications" | "partnership") => -0.3,
        ("Finance", "value_measurement") => -0.3,
        ("Finance", "governance") => 0.3,
        ("Operations", "scope_architecture") => 0.3,
        _ => 0.0,
    }
}

/// Per question: how well today's answer serves the relationship, and how much tomorrow's matters.
const FIVE_MEANS: [(&str, f64, f64); 5] = [
    ("who", 2.3, 4.3),
    ("what", 2.6, 4.0),
    ("where", 2.2, 3.8),
    ("when", 2.4, 4.0),
    ("why", 3.3, 4.6),
];

/// How many pulse comments of each pillar list are critical; the rest are appreciative.
const CRITICAL: usize = 18;

const DISCIPLINE_COMMENTS: &[&str] = &[
    "Every department has its own version of the approval process and nobody writes down which one applies.",
    "We skip the change checklist whenever a deadline is close, and then wonder why releases break.",
    "IT's new access policy landed in our inbox the day it took effect; we had no time to adapt.",
    "Our team still keeps a private spreadsheet because the official system does not match how we work.",
    "Training on the new tools was a single webinar; half of us missed it and nobody followed up.",
    "We are quick to say IT is slow, but we rarely fill in the request form completely.",
    "Procedures change after every incident, and nobody checks whether the old ones still apply.",
    "The month-end freeze is news to someone every single month.",
    "I only learn about a new rule when a request of mine gets rejected for breaking it.",
    "Too many exceptions are granted informally, so the rules mean different things to different people.",
    "Handovers between our team and IT rely on one or two people who remember how it works.",
    "We agree on a process in the workshop and drop it the first busy week.",
    "Nobody owns the documentation, so it is always two versions behind.",
    "Security rules are explained as 'because audit says so' rather than why they matter for us.",
    "Our own team is not very disciplined about confirming fixes or closing tickets.",
    "When our process changes, we forget to tell the other teams who depend on it.",
    "Judgements like 'the business never plans ahead' are still heard in meetings.",
    "Half of the requests arrive by chat or in the corridor, which makes any queue meaningless.",
    "The new release calendar has made it much clearer when changes land.",
    "Since the shared request template, fewer of our tickets bounce back for missing details.",
    "IT explained the reason for the new password policy, which made it easier to accept.",
    "Our team now reviews its own procedures every quarter, and it shows.",
    "The change meeting is short and useful; we know what is coming.",
    "Writing down the onboarding steps together with IT removed most of the surprises.",
    "People are starting to say 'our process' instead of 'their process'.",
    "Having one place for all policies has helped a lot.",
    "The cut-off times for month-end are now agreed and respected on both sides.",
    "We are more honest about where our own discipline slips, which makes conversations easier.",
    "The short how-to videos are far more useful than the old manuals.",
    "Process owners are named now, so I know who to ask.",
];

const UNITY_COMMENTS: &[&str] = &[
    "Our targets and IT's targets pull in different directions, and nobody reconciles them.",
    "Decisions about systems are made project by project, never for the whole company.",
    "It still feels like Us vs. Them whenever budgets are discussed.",
    "One department gets priority on everything and the rest of us find out afterwards.",
    "We bought a tool last year that duplicates one IT already runs; nobody asked.",
    "Each department optimises its own numbers even when it costs another department time.",
    "The annual plan is written department by department and stapled together.",
    "When a goal changes at the top, some teams hear about it months later.",
    "Cross-department projects have no single owner, so they stall at every handover.",
    "We rarely hear how our decisions affect other teams until something breaks.",
    "Priorities shift every quarter and nobody explains the trade-offs.",
    "IT is invited to the table only once the decision has been taken.",
    "Our bonus depends on things that make other departments' lives harder.",
    "The portfolio is a wish list, not a shared set of priorities.",
    "Local workarounds are celebrated even when they create problems elsewhere.",
    "There is no forum where business and IT look at the whole picture together.",
    "We talk about 'one company' in town halls and act like separate companies the rest of the time.",
    "When two goals conflict, the loudest department wins.",
    "The joint planning day with IT was the first time I saw all priorities on one page.",
    "Seeing the portfolio scored openly made the choices feel fairer.",
    "Our IT partner attends our team meetings now, and it helps.",
    "We dropped a project of ours because it conflicted with a company goal, and that was the right call.",
    "The quarterly review makes the trade-offs visible, even when I do not like them.",
    "Shared goals for the service desk and customer service have reduced finger-pointing.",
    "Decisions are increasingly explained in terms of the whole company.",
    "It helps that leaders talk about the same three priorities everywhere.",
    "Working on the CRM migration together brought our teams much closer.",
    "We now ask who else is affected before we change anything.",
    "The steering group actually reconciles conflicting requests instead of stacking them.",
    "Unity is better inside our department than between departments, but it is improving.",
];

const EMPATHY_COMMENTS: &[&str] = &[
    "Raising a problem still feels risky; people prefer to complain in private.",
    "Some managers treat questions as criticism.",
    "Support staff are spoken to rudely when systems fail, as if they caused it.",
    "Titles matter too much in meetings; juniors rarely speak.",
    "IT assumes we are not technical and we assume IT does not understand customers. Both are wrong.",
    "Nobody asks how a change will feel for the people who have to live with it.",
    "Pain points are acknowledged and then forgotten.",
    "We judge other teams by their worst day, not their usual one.",
    "When someone admits a mistake, it comes back at them in their review.",
    "The people on the front line are the last to be consulted.",
    "Requests from our team are treated as nice-to-haves, without asking why they matter to us.",
    "There is a lot of sighing and eye-rolling when a certain department is mentioned.",
    "Remote colleagues are often forgotten in meetings and decisions.",
    "Our own biases about 'IT people' come out in jokes that are not really jokes.",
    "Feedback goes up but never comes back down, so people stopped giving it.",
    "It is hard to say 'this does not work for me' without sounding like a complainer.",
    "New starters get very little patience while they learn our systems.",
    "Stress during peak season turns conversations sharp, and nobody repairs them afterwards.",
    "The anonymous inbox made it possible to raise something I would never have said in a meeting.",
    "Our IT partner sat with us for a day to see how we work, and that changed a lot.",
    "My manager asks what gets in the way and actually acts on it.",
    "People say thank you to the service desk more often than they used to.",
    "Leaders admitted their own blind spots at the last town hall, which set a good tone.",
    "Colleagues from other departments listen before they defend.",
    "I feel respected regardless of my job title.",
    "Job shadowing between the front line and IT built real understanding.",
    "Mistakes are discussed as learning more than as blame these days.",
    "The service desk now explains what they are doing instead of just closing tickets.",
    "We are getting better at noticing when a change hits another team hard.",
    "Small gestures, like asking how the launch went, make a real difference.",
];

const TRUST_COMMENTS: &[&str] = &[
    "Promises made in meetings are not written down, so nobody knows whether they were kept.",
    "We were told the fix would be ready in two weeks; that was three months ago.",
    "Dates slip without anyone telling us in advance.",
    "After the outage, nobody explained what happened or what would change.",
    "We work around IT rather than with IT, because that is faster.",
    "Trust is built by a few individuals, and it disappears when they leave.",
    "Commitments from our side to IT are broken just as often; we should admit that.",
    "We keep our own copies of everything because we do not trust the shared drive.",
    "Status reports are green until the day the project is late.",
    "People hold back bad news, so small problems become big ones.",
    "Escalating to a manager seems to be the only way to get anything done.",
    "I do not know who will give me a straight answer about timelines.",
    "When a promise is broken, nobody acknowledges it; it just quietly disappears.",
    "Shadow IT is a sign of how little trust there is, not of bad behaviour.",
    "We are asked for honest feedback, and then nothing visible happens.",
    "Relationships are fine person to person, but the departments do not trust each other.",
    "Budget conversations feel like negotiations with an opponent.",
    "The same issues come up in every survey; trust will grow when something changes.",
    "Seeing the promise ledger makes it clear who keeps their word, including us.",
    "IT told us early that a date would slip and why; that built more trust than being on time would have.",
    "Our IT partner does what they say they will do.",
    "Trust has grown since we started reviewing the relationship every quarter.",
    "The service desk calls back when they say they will.",
    "Post-mortems are now shared openly, and the actions are followed up.",
    "I trust the people I work with day to day; the organisation is slowly catching up.",
    "Keeping small promises consistently has done more than any big initiative.",
    "We renegotiate deadlines openly now instead of just missing them.",
    "When IT says no, they explain why and offer an alternative.",
    "Our department kept its commitments to IT this quarter, and it was noticed.",
    "Trust feels like something we are building together rather than demanding.",
];

/// The comment pools, in [`PILLAR_CODES`] order.
const PULSE_COMMENTS: [&[&str]; 4] = [
    DISCIPLINE_COMMENTS,
    UNITY_COMMENTS,
    EMPATHY_COMMENTS,
    TRUST_COMMENTS,
];

/// Comments on the alignment maturity criteria, keyed by section code.
const MATURITY_COMMENTS: &[(&str, &[&str])] = &[
    (
        "communications",
        &[
            "Business and IT meet regularly, but the conversations stay at project level rather than strategy.",
            "Our relationship managers are the main channel; when one is away, communication stops.",
            "IT understands our processes better than we understand IT's constraints.",
            "Knowledge sharing is informal and depends on who you know.",
            "We speak different languages: IT talks systems, the business talks customers.",
        ],
    ),
    (
        "value_measurement",
        &[
            "IT reports uptime and ticket counts; nobody measures whether it helped the business.",
            "We never review whether an investment delivered what its business case promised.",
            "Service levels exist on paper but are not discussed with the business.",
            "The new benefits tracking is a start, but it covers only the largest projects.",
            "We measure cost carefully and value hardly at all.",
        ],
    ),
    (
        "governance",
        &[
            "Priorities are set by whoever escalates loudest.",
            "The steering committee approves projects but rarely stops one.",
            "The IT budget is still decided inside IT with little business input.",
            "Portfolio scoring has made decisions more transparent this year.",
            "Governance is strong for large projects and absent for everything else.",
        ],
    ),
    (
        "partnership",
        &[
            "IT is seen as a cost centre and a supplier, not a partner.",
            "IT is involved in strategy only once the strategy is written.",
            "Some business leaders treat their IT partner as part of their team; others barely know them.",
            "Risks are owned by IT even when the business decides.",
            "Executive sponsorship of IT work is patchy.",
        ],
    ),
    (
        "scope_architecture",
        &[
            "Too many systems do the same thing in different departments.",
            "Integration with partners is still done with spreadsheets and e-mail.",
            "Standards exist, but exceptions are granted easily.",
            "The architecture is stable but slow to change when the business needs it.",
            "Cloud tools bought by departments are not connected to anything.",
        ],
    ),
    (
        "skills",
        &[
            "Few people move between business and IT roles; the career paths do not allow it.",
            "Training budgets are the first thing cut.",
            "We hire IT for technical skills and then expect business knowledge.",
            "Innovation happens in pockets, rarely across departments.",
            "The business analysts are our best bridge, and we have too few of them.",
        ],
    ),
];

/// Written answers to the five questions, keyed by item code.
const FIVE_ANSWERS: &[(&str, &[&str])] = &[
    (
        "who.today",
        &[
            "Mostly IT, and especially the relationship managers; the business waits to be served.",
            "Nobody in particular. It depends on whether the individuals get along.",
            "The CIO and a couple of business leaders who care about it.",
            "In practice the service desk, because they take all the frustration.",
            "Each department looks after its own side and nobody owns the space in between.",
            "Project managers, for the length of their project, then nobody.",
        ],
    ),
    (
        "who.tomorrow",
        &[
            "Everyone: business and IT, at every level, not only IT.",
            "Leaders on both sides, jointly accountable, with the relationship in their objectives.",
            "Each business leader together with their IT partner, as a named pair.",
            "The executive team should own it and make it visible.",
            "Every manager; it should be part of how we judge good management.",
            "Both departments in each relationship, reviewed every quarter.",
        ],
    ),
    (
        "what.today",
        &[
            "A ticketing tool, a monthly status e-mail and a lot of corridor conversations.",
            "The request form and the steering committee, both mostly one-way.",
            "E-mail and chat. Nothing that tracks whether promises are kept.",
            "Some departments have regular meetings with IT; most do not.",
            "The intranet has policies but nobody reads them.",
            "The new pain point inbox and the quarterly reviews, which are a good start.",
        ],
    ),
    (
        "what.tomorrow",
        &[
            "A shared view of requests, priorities and promises that both sides trust.",
            "Regular relationship reviews with clear actions and follow-up.",
            "A simple way to raise problems anonymously and see what happened to them.",
            "Joint planning sessions before budgets are fixed, not after.",
            "Short, honest surveys whose results are shared and acted on.",
            "Metrics that describe business outcomes, not just IT activity.",
        ],
    ),
    (
        "where.today",
        &[
            "At handovers between departments, where nobody owns the whole process.",
            "In budgeting, where business and IT compete for the same money.",
            "Between Marketing and IT: requests arrive late and with little detail.",
            "Wherever a department buys its own tools without telling IT.",
            "In the approval chain, which bounces requests between Finance and IT.",
            "In the service desk queue, where everything looks equally urgent.",
        ],
    ),
    (
        "where.tomorrow",
        &[
            "In data ownership, as every department builds its own reports.",
            "In automation and AI projects, if the business is not involved from the start.",
            "In hybrid work, where informal contact disappears.",
            "In vendor contracts signed without IT review.",
            "In mergers of teams or systems, if the cultures are not aligned first.",
            "In security rules that become stricter without explanation.",
        ],
    ),
    (
        "when.today",
        &[
            "When deadlines are tight and people stop talking to each other.",
            "When a promise is broken and nobody acknowledges it.",
            "During outages, when blame comes before fixing.",
            "When priorities change without anyone explaining why.",
            "At budget time, every year.",
            "When key people leave and the relationships leave with them.",
        ],
    ),
    (
        "when.tomorrow",
        &[
            "If we go back to setting goals department by department.",
            "If the surveys and the inbox are ignored and people stop speaking up.",
            "When growth puts pressure on teams and shortcuts become normal.",
            "If IT becomes a pure supplier measured only on cost.",
            "If leaders stop showing up to the relationship reviews.",
            "If trust is assumed instead of earned and checked.",
        ],
    ),
    (
        "why.today",
        &[
            "Because almost every customer promise depends on a system working.",
            "Because bad relationships cost us weeks on every project.",
            "Because our best people leave when they are stuck between departments.",
            "Because we duplicate work and tools when we do not talk.",
            "They matter, but mostly we notice it when things go wrong.",
            "Because the business cannot change faster than its systems can.",
        ],
    ),
    (
        "why.tomorrow",
        &[
            "Because our strategy depends on digital services, which need both sides working as one.",
            "Because competitors who align business and IT will simply move faster.",
            "Because people deserve to work without Us vs. Them.",
            "Because every investment is a joint one and should be judged jointly.",
            "Because customers do not care which department caused a problem.",
            "Because trust, once lost, takes years to rebuild.",
        ],
    ),
];

/// Seeds the demo's campaigns, answers and pain points unless a campaign already exists.
///
/// Installs the built-in instruments first (that is idempotent), then creates three closed DUET
/// pulse waves, an alignment maturity self-assessment, the five questions, a pulse that is open
/// today (which no demo sign-in has answered yet, so each can try it), and, when the inbox is
/// empty, twelve pain points.
pub async fn seed_listen(db: &Db) -> anyhow::Result<()> {
    listen::ensure_listen_defaults(db).await?;
    if !listen::list_campaigns(db).await?.is_empty() {
        tracing::info!("campaigns already exist; demo listening data not seeded again");
        return Ok(());
    }
    let today = Utc::now().date_naive();
    let departments = org::list_departments(db, false).await?;
    let people = org::all_people(db).await?;
    let users = accounts::list_users(db).await?;
    if departments.is_empty() || people.is_empty() {
        tracing::info!("no organisation to listen to; demo listening data not seeded");
        return Ok(());
    }
    let active_users: Vec<&User> = users.iter().filter(|u| u.disabled_at.is_none()).collect();
    let Some(creator) = active_users
        .iter()
        .find(|u| u.email == ADMIN_EMAIL)
        .or_else(|| {
            active_users
                .iter()
                .find(|u| matches!(u.role, Role::Admin | Role::ItLeader))
        })
        .map(|u| u.id)
    else {
        tracing::warn!("no admin or IT leader account; demo listening data not seeded");
        return Ok(());
    };
    let instruments = listen::list_instruments(db).await?;
    let instrument = |key: &str| {
        instruments
            .iter()
            .find(|i| i.key == key)
            .ok_or_else(|| anyhow!("the built-in instrument {key} is missing"))
    };
    let pulse = instrument("duet-pulse")?;
    let maturity = instrument("alignment-maturity")?;
    let five = instrument("five-questions")?;

    let s = Seeder {
        db,
        secret: listen::anonymity_secret(db).await?,
        today,
        departments: &departments,
        people: &people,
    };
    let all: Vec<i64> = departments.iter().map(|d| d.id).collect();

    // The two smallest departments answer too little in the first waves: hidden cells.
    let mut sized: Vec<(usize, &str, i64)> = departments
        .iter()
        .map(|d| (s.members(d.id).len(), d.name.as_str(), d.id))
        .filter(|(n, _, _)| *n > 0)
        .collect();
    sized.sort();
    let small: Vec<i64> = sized.iter().take(2).map(|t| t.2).collect();

    let mut campaigns = 0;
    let mut responses = 0;
    let mut rng = Rng::new(PULSE_SEED);
    let nobody = HashSet::new();
    for (index, months) in [9u32, 6, 3].into_iter().enumerate() {
        let opens = today
            .checked_sub_months(Months::new(months))
            .ok_or_else(|| anyhow!("cannot go {months} months back from {today}"))?;
        let window = (opens, opens + Duration::days(20));
        let title = format!("DUET pulse — Q{} {}", opens.month0() / 3 + 1, opens.year());
        let campaign = s
            .create_campaign(creator, pulse.id, title, window, all.clone())
            .await?;
        campaigns += 1;
        let wave = Wave {
            campaign,
            window,
            index,
            open: false,
        };
        responses +=
            seed_pulse_wave(&s, &pulse.definition, &wave, &small, &nobody, &mut rng).await?;
    }

    // Leaders assess alignment maturity: the departments that have a leader, and IT.
    let mut led: Vec<i64> = departments
        .iter()
        .filter(|d| d.leader_id.is_some() || d.kind == DepartmentKind::It)
        .map(|d| d.id)
        .collect();
    if led.is_empty() {
        led = all.clone();
    }
    let window = (today - Duration::days(80), today - Duration::days(62));
    let campaign = s
        .create_campaign(
            creator,
            maturity.id,
            format!("Alignment maturity — {}", window.0.format("%B %Y")),
            window,
            led.clone(),
        )
        .await?;
    campaigns += 1;
    let mut rng = Rng::new(MATURITY_SEED);
    responses += seed_maturity(&s, &maturity.definition, campaign, window, &led, &mut rng).await?;

    let window = (today - Duration::days(50), today - Duration::days(31));
    let campaign = s
        .create_campaign(
            creator,
            five.id,
            format!("Five questions — {}", window.0.format("%B %Y")),
            window,
            all.clone(),
        )
        .await?;
    campaigns += 1;
    let mut rng = Rng::new(FIVE_SEED);
    responses += seed_five(&s, &five.definition, campaign, window, &mut rng).await?;

    // The pulse open now; the people behind demo sign-ins have not answered it, so they can.
    let window = (today - Duration::days(5), today + Duration::days(10));
    let title = format!("DUET pulse — Q{} {}", today.month0() / 3 + 1, today.year());
    let campaign = s
        .create_campaign(creator, pulse.id, title, window, all.clone())
        .await?;
    campaigns += 1;
    let linked: HashSet<i64> = users.iter().filter_map(|u| u.person_id).collect();
    let wave = Wave {
        campaign,
        window,
        index: 3,
        open: true,
    };
    let mut rng = Rng::new(OPEN_SEED);
    let open_answers =
        seed_pulse_wave(&s, &pulse.definition, &wave, &small, &linked, &mut rng).await?;
    responses += open_answers;

    // Past campaigns are sealed now, with the secret their answers were seeded under, so their
    // results open even when the server later runs with a configured `DUET_ANONYMITY_KEY`.
    listen::seal_closed(db, &s.secret, today).await?;
    // The open pulse's answers were given on earlier days: publish its participation as of today.
    listen::republish_participation(db, today).await?;
    // Receipt codes are secrets even in the demo: none is printed or logged.
    let (pain_points, _receipt) = if voice::list(db, None, None).await?.is_empty() {
        super::voice::seed_voice(db, today, &departments, &people, &active_users).await?
    } else {
        (0, None)
    };
    tracing::info!(
        campaigns,
        responses,
        open_pulse_answers = open_answers,
        pain_points,
        "demo listening seeded"
    );
    Ok(())
}

/// What every part of the seeding shares.
struct Seeder<'a> {
    db: &'a Db,
    secret: Vec<u8>,
    today: NaiveDate,
    departments: &'a [Department],
    people: &'a [Person],
}

impl<'a> Seeder<'a> {
    /// The active people of a department.
    fn members(&self, department: i64) -> Vec<&'a Person> {
        self.people
            .iter()
            .filter(|p| p.department_id == department)
            .collect()
    }

    /// Creates a campaign open from `window.0` to `window.1`, reminding three days before it
    /// closes; returns its id.
    async fn create_campaign(
        &self,
        by: i64,
        instrument: i64,
        title: String,
        window: (NaiveDate, NaiveDate),
        departments: Vec<i64>,
    ) -> anyhow::Result<i64> {
        let (opens_on, closes_on) = window;
        let input = CampaignInput {
            instrument,
            title,
            opens_on,
            closes_on,
            remind_on: (closes_on - Duration::days(3)).max(opens_on),
            departments,
            min_group: MIN_GROUP,
        };
        Ok(listen::insert_campaign(self.db, by, &input).await?.id)
    }

    /// A day inside the window (and not after today) to answer on; early days are likelier, as
    /// most people answer the invitation or not at all.
    fn answer_day(&self, rng: &mut Rng, window: (NaiveDate, NaiveDate)) -> NaiveDate {
        let last = window.1.min(self.today);
        let span = usize::try_from((last - window.0).num_days()).unwrap_or(0);
        let offset = rng.below(span + 1).min(rng.below(span + 1));
        window.0 + Duration::days(i64::try_from(offset).unwrap_or(0))
    }

    /// Stores one person's answers, as given on `day`.
    async fn submit(
        &self,
        campaign: i64,
        person: i64,
        answers: &Answers,
        day: NaiveDate,
    ) -> anyhow::Result<()> {
        listen::submit_response(
            self.db,
            campaign,
            person,
            &self.secret,
            answers,
            SubmitMode::New,
            day,
        )
        .await?;
        Ok(())
    }
}

/// One pulse wave: its campaign, its window and its place in the series (0 = the oldest).
struct Wave {
    campaign: i64,
    window: (NaiveDate, NaiveDate),
    index: usize,
    open: bool,
}

/// `rate` of `n`, rounded.
fn share(n: usize, rate: f64) -> usize {
    let k = (n as f64 * rate).round().clamp(0.0, n as f64);
    k as usize
}

/// A latent score turned into a rating on 1..=5.
fn to_rating(x: f64) -> u8 {
    x.round().clamp(1.0, 5.0) as u8
}

/// Answers one pulse wave: a share of each department (none of `skip`), rising wave after wave;
/// the two `small` departments stay below k in the first waves. Returns the answers stored.
async fn seed_pulse_wave(
    s: &Seeder<'_>,
    def: &Definition,
    wave: &Wave,
    small: &[i64],
    skip: &HashSet<i64>,
    rng: &mut Rng,
) -> anyhow::Result<usize> {
    let mut answered = 0;
    for dept in s.departments {
        let mut members: Vec<&Person> = s
            .members(dept.id)
            .into_iter()
            .filter(|p| !skip.contains(&p.id))
            .collect();
        if members.is_empty() {
            continue;
        }
        rng.shuffle(&mut members);
        let n = members.len();
        let base = pulse_participation(&dept.name);
        let count = if wave.open {
            share(n, (0.35 + (base - 0.55) * 0.5).clamp(0.25, 0.45))
        } else {
            let rate = (base + 0.08 * wave.index as f64).clamp(0.45, 0.85);
            match (wave.index, small.iter().position(|d| *d == dept.id)) {
                (0, Some(0)) => n.min(3),
                (0, Some(_)) | (1, Some(1)) => n.min(4),
                (_, Some(_)) => share(n, rate).max(n.min(5)),
                _ => share(n, rate),
            }
        };
        for p in members.iter().take(count) {
            let answers = pulse_answers(def, &dept.name, p.level, wave.index, rng);
            let day = s.answer_day(rng, wave.window);
            s.submit(wave.campaign, p.id, &answers, day).await?;
            answered += 1;
        }
    }
    Ok(answered)
}

/// One respondent's pulse: a latent attitude per pillar (the department's view in this wave,
/// the respondent's general mood and their own take on the pillar), then each item near it,
/// higher between people than between departments, with "don't know" now and then.
fn pulse_answers(
    def: &Definition,
    department: &str,
    level: Level,
    wave: usize,
    rng: &mut Rng,
) -> Answers {
    let (base, trend) = pulse_profile(department);
    let seniority = match level {
        Level::Executive => 0.2,
        Level::Manager => 0.08,
        Level::Individual => 0.0,
    };
    let general = rng.normal() * 0.45;
    let latent: [f64; 4] = std::array::from_fn(|p| {
        (base[p] + trend[p] * wave as f64 + seniority + general + rng.normal() * 0.35)
            .clamp(1.0, 5.0)
    });
    let ratings = def
        .items
        .iter()
        .map(|item| {
            let attitude = PILLAR_CODES
                .iter()
                .position(|c| *c == item.section)
                .and_then(|p| latent.get(p))
                .copied()
                .unwrap_or(3.0 + general);
            let (shift, dont_know) = match item.level {
                Some(RelationshipLevel::Departments) => (-0.35, 0.07),
                Some(RelationshipLevel::Processes) => (-0.10, 0.06),
                Some(RelationshipLevel::People) => (0.45, 0.02),
                None => (0.0, 0.05),
            };
            // Awareness comes easier than communicating about it.
            let behaviour = match item.code.split('.').nth(1) {
                Some("1") => 0.10,
                Some("3") => -0.15,
                _ => 0.0,
            };
            if item.dont_know && rng.with_probability(dont_know) {
                return None;
            }
            Some(to_rating(attitude + shift + behaviour + rng.normal() * 0.5))
        })
        .collect();
    let mut texts = BTreeMap::new();
    if def.section_comments && rng.with_probability(0.15) {
        let lowest = (0..latent.len())
            .min_by(|a, b| latent[*a].total_cmp(&latent[*b]))
            .unwrap_or(0);
        let pillar = if rng.with_probability(0.6) {
            lowest
        } else {
            rng.below(latent.len())
        };
        add_pulse_comment(def, pillar, latent[pillar], rng, &mut texts);
        if rng.with_probability(0.05) {
            let other = (pillar + 1 + rng.below(3)) % latent.len();
            add_pulse_comment(def, other, latent[other], rng, &mut texts);
        }
    }
    Answers { ratings, texts }
}

/// Adds a comment on `pillar`, mostly critical when the respondent sees it poorly and mostly
/// appreciative when they see it well.
fn add_pulse_comment(
    def: &Definition,
    pillar: usize,
    attitude: f64,
    rng: &mut Rng,
    texts: &mut BTreeMap<String, String>,
) {
    let (Some(code), Some(lines)) = (PILLAR_CODES.get(pillar), PULSE_COMMENTS.get(pillar)) else {
        return;
    };
    if def.section(code).is_none() {
        return;
    }
    let split = CRITICAL.min(lines.len());
    let critical = (attitude < 3.1) != rng.with_probability(0.15);
    let pool = if critical {
        &lines[..split]
    } else {
        &lines[split..]
    };
    if let Some(line) = rng.pick(pool) {
        texts.insert((*code).to_string(), (*line).to_string());
    }
}

/// Answers the maturity self-assessment: three in four managers and executives of the invited
/// departments, IT rating the alignment higher than the business does.
async fn seed_maturity(
    s: &Seeder<'_>,
    def: &Definition,
    campaign: i64,
    window: (NaiveDate, NaiveDate),
    invited: &[i64],
    rng: &mut Rng,
) -> anyhow::Result<usize> {
    let mut answered = 0;
    for dept in s.departments.iter().filter(|d| invited.contains(&d.id)) {
        let it = dept.kind == DepartmentKind::It;
        for p in s
            .members(dept.id)
            .into_iter()
            .filter(|p| p.level != Level::Individual)
        {
            if !rng.with_probability(0.75) {
                continue;
            }
            let bias = rng.normal() * 0.35;
            let ratings = def
                .items
                .iter()
                .map(|item| {
                    let (business, it_view) = MATURITY_MEANS
                        .iter()
                        .find(|m| m.0 == item.code)
                        .map(|m| (m.1, m.2))
                        .unwrap_or((2.5, 3.0));
                    let mean = if it {
                        it_view
                    } else {
                        business + maturity_tilt(&dept.name, &item.code)
                    };
                    Some(to_rating(mean + bias + rng.normal() * 0.5))
                })
                .collect();
            let mut texts = BTreeMap::new();
            if def.section_comments
                && rng.with_probability(0.25)
                && let Some((code, lines)) = rng.pick(MATURITY_COMMENTS)
                && def.section(code).is_some()
                && let Some(line) = rng.pick(lines)
            {
                texts.insert((*code).to_string(), (*line).to_string());
            }
            let day = s.answer_day(rng, window);
            s.submit(campaign, p.id, &Answers { ratings, texts }, day)
                .await?;
            answered += 1;
        }
    }
    Ok(answered)
}

/// Answers the five questions: about a third of each department, today rated well below
/// tomorrow (IT a little kinder to today), with written answers to about half the questions.
async fn seed_five(
    s: &Seeder<'_>,
    def: &Definition,
    campaign: i64,
    window: (NaiveDate, NaiveDate),
    rng: &mut Rng,
) -> anyhow::Result<usize> {
    let mut answered = 0;
    for dept in s.departments {
        let it = dept.kind == DepartmentKind::It;
        let mut members = s.members(dept.id);
        rng.shuffle(&mut members);
        let count = share(members.len(), five_participation(&dept.name));
        for p in members.iter().take(count) {
            let bias = rng.normal() * 0.3;
            let mut texts = BTreeMap::new();
            let ratings = def
                .items
                .iter()
                .map(|item| {
                    let mean = FIVE_MEANS
                        .iter()
                        .find(|m| m.0 == item.section)
                        .map(|m| match item.horizon {
                            Some(Horizon::Tomorrow) => m.2,
                            _ => m.1 + if it { 0.3 } else { 0.0 },
                        })
                        .unwrap_or(3.0);
                    if item.free_text
                        && rng.with_probability(0.55)
                        && let Some(answer) = FIVE_ANSWERS
                            .iter()
                            .find(|a| a.0 == item.code)
                            .and_then(|a| rng.pick(a.1))
                    {
                        texts.insert(item.code.clone(), (*answer).to_string());
                    }
                    Some(to_rating(mean + bias + rng.normal() * 0.6))
                })
                .collect();
            let day = s.answer_day(rng, window);
            s.submit(campaign, p.id, &Answers { ratings, texts }, day)
                .await?;
            answered += 1;
        }
    }
    Ok(answered)
}
