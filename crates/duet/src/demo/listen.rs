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

use crate::demo::data::DataFile;
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

/// One pillar's pulse comments: critical ones, for respondents who rate it low, and appreciative.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PillarComments {
    critical: Vec<String>,
    appreciative: Vec<String>,
}

/// The pulse comments of the four pillars.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PulseComments {
    discipline: PillarComments,
    unity: PillarComments,
    empathy: PillarComments,
    trust: PillarComments,
}

impl PulseComments {
    /// The comments of pillar `i`, in `PILLAR_CODES` order.
    fn pillar(&self, i: usize) -> Option<&PillarComments> {
        [&self.discipline, &self.unity, &self.empathy, &self.trust]
            .get(i)
            .copied()
    }
}

/// Comments on one alignment maturity section.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionComments {
    section: String,
    comments: Vec<String>,
}

/// Written answers to one of the five questions.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemAnswers {
    item: String,
    answers: Vec<String>,
}

/// Listen's demo content file.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Content {
    pulse_comments: PulseComments,
    maturity_comments: Vec<SectionComments>,
    five_answers: Vec<ItemAnswers>,
}

/// `demo-data/listen.toml`.
static CONTENT: DataFile<Content> =
    DataFile::new("listen.toml", include_str!("../../demo-data/listen.toml"));

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
    let gap = instrument(duet_core::listen::instruments::SERVICE_GAP_KEY)?;
    let mirror = instrument(duet_core::listen::instruments::MIRROR_KEY)?;

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

    // The IT service gap, asked of the business departments five weeks ago.
    let business: Vec<i64> = departments
        .iter()
        .filter(|d| d.kind == DepartmentKind::Business)
        .map(|d| d.id)
        .collect();
    let window = (today - Duration::days(40), today - Duration::days(26));
    let campaign = s
        .create_campaign(
            creator,
            gap.id,
            format!("IT service gap — {}", window.0.format("%B %Y")),
            window,
            business.clone(),
        )
        .await?;
    campaigns += 1;
    let mut rng = Rng::new(FIVE_SEED ^ 0x5e41_ce6a);
    responses +=
        seed_service_gap(&s, &gap.definition, campaign, window, &business, &mut rng).await?;

    // The mirror survey, asked of IT and every business department a month ago: IT believes
    // Sales is far happier than Sales says it is.
    let window = (today - Duration::days(30), today - Duration::days(16));
    let campaign = s
        .create_campaign(
            creator,
            mirror.id,
            format!("Relationship mirror — {}", window.0.format("%B %Y")),
            window,
            all.clone(),
        )
        .await?;
    campaigns += 1;
    let mut rng = Rng::new(FIVE_SEED ^ 0x0317_7e44);
    responses += seed_mirror(&s, &mirror.definition, campaign, window, &mut rng).await?;

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
    /// A business department for an IT respondent to answer about, the larger ones (which IT
    /// works with most) more often; now and then none.
    fn about(&self, rng: &mut Rng) -> Option<i64> {
        let sizes: Vec<(i64, usize)> = self
            .departments
            .iter()
            .filter(|d| d.kind == DepartmentKind::Business)
            .map(|d| (d.id, self.members(d.id).len()))
            .collect();
        let total: usize = sizes.iter().map(|s| s.1).sum();
        if total == 0 || rng.chance(8) {
            return None;
        }
        let mut at = rng.below(total);
        for (id, n) in sizes {
            if at < n {
                return Some(id);
            }
            at -= n;
        }
        None
    }

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
    let comments = &CONTENT.get()?.pulse_comments;
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
            let mut answers = pulse_answers(def, comments, &dept.name, p.level, wave.index, rng);
            if dept.kind == DepartmentKind::It {
                answers.about = s.about(rng);
            }
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
    comments: &PulseComments,
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
        add_pulse_comment(def, comments, pillar, latent[pillar], rng, &mut texts);
        if rng.with_probability(0.05) {
            let other = (pillar + 1 + rng.below(3)) % latent.len();
            add_pulse_comment(def, comments, other, latent[other], rng, &mut texts);
        }
    }
    Answers {
        ratings,
        texts,
        about: None,
    }
}

/// Adds a comment on `pillar`, mostly critical when the respondent sees it poorly and mostly
/// appreciative when they see it well.
fn add_pulse_comment(
    def: &Definition,
    comments: &PulseComments,
    pillar: usize,
    attitude: f64,
    rng: &mut Rng,
    texts: &mut BTreeMap<String, String>,
) {
    let (Some(code), Some(lines)) = (PILLAR_CODES.get(pillar), comments.pillar(pillar)) else {
        return;
    };
    if def.section(code).is_none() {
        return;
    }
    let critical = (attitude < 3.1) != rng.with_probability(0.15);
    let pool = if critical {
        &lines.critical
    } else {
        &lines.appreciative
    };
    if let Some(line) = rng.pick(pool) {
        texts.insert((*code).to_string(), line.clone());
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
    let comments = &CONTENT.get()?.maturity_comments;
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
                && let Some(section) = rng.pick(comments)
                && def.section(&section.section).is_some()
                && let Some(line) = rng.pick(&section.comments)
            {
                texts.insert(section.section.clone(), line.clone());
            }
            let day = s.answer_day(rng, window);
            s.submit(
                campaign,
                p.id,
                &Answers {
                    ratings,
                    texts,
                    about: None,
                },
                day,
            )
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
    let five_answers = &CONTENT.get()?.five_answers;
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
                        && let Some(answer) = five_answers
                            .iter()
                            .find(|a| a.item == item.code)
                            .and_then(|a| rng.pick(&a.answers))
                    {
                        texts.insert(item.code.clone(), answer.clone());
                    }
                    Some(to_rating(mean + bias + rng.normal() * 0.6))
                })
                .collect();
            let day = s.answer_day(rng, window);
            s.submit(
                campaign,
                p.id,
                &Answers {
                    ratings,
                    texts,
                    about: None,
                },
                day,
            )
            .await?;
            answered += 1;
        }
    }
    Ok(answered)
}

/// How a department sees one IT service: (importance, satisfaction), means out of 5. Marketing
/// cannot get the data it needs, Sales fights its CRM, Customer Service its chat tools; the
/// service desk satisfies almost everyone.
fn service_profile(department: &str, service: &str) -> (f64, f64) {
    match (department, service) {
        ("Marketing", "data_reporting") => (4.7, 1.9),
        ("Marketing", "business_apps") => (4.2, 3.0),
        ("Sales", "business_apps") => (4.8, 2.4),
        ("Sales", "devices") => (4.0, 2.9),
        ("Customer Service", "collaboration") => (4.6, 2.7),
        ("Finance", "data_reporting") => (4.6, 3.1),
        ("Finance", "security") => (4.3, 3.9),
        ("Operations", "network") => (4.5, 3.2),
        (_, "service_desk") => (4.2, 4.0),
        (_, "projects") => (3.3, 3.0),
        (_, "security") => (3.8, 3.7),
        (_, "network") => (4.0, 3.7),
        (_, "devices") => (3.9, 3.6),
        (_, "collaboration") => (4.1, 3.8),
        (_, "data_reporting") => (3.7, 3.1),
        _ => (3.8, 3.4),
    }
}

/// Answers to the IT service gap: about half of each business department's people, each rating
/// importance and satisfaction near their department's view, "don't know" now and then.
async fn seed_service_gap(
    s: &Seeder<'_>,
    def: &Definition,
    campaign: i64,
    window: (NaiveDate, NaiveDate),
    departments: &[i64],
    rng: &mut Rng,
) -> anyhow::Result<usize> {
    let mut answered = 0;
    for dept in s.departments.iter().filter(|d| departments.contains(&d.id)) {
        let mut members = s.members(dept.id);
        rng.shuffle(&mut members);
        let count = share(members.len(), 0.55);
        for p in members.iter().take(count) {
            let mood = rng.normal() * 0.3;
            let ratings = def
                .items
                .iter()
                .map(|item| {
                    if rng.chance(4) {
                        return None;
                    }
                    let (importance, satisfaction) = service_profile(&dept.name, &item.section);
                    let base = if item.code.ends_with(".importance") {
                        importance
                    } else {
                        satisfaction + mood
                    };
                    Some((base + rng.normal() * 0.6).round().clamp(1.0, 5.0) as u8)
                })
                .collect();
            let answers = Answers {
                about: None,
                ratings,
                texts: Default::default(),
            };
            let day = s.answer_day(rng, window);
            s.submit(campaign, p.id, &answers, day).await?;
            answered += 1;
        }
    }
    Ok(answered)
}

/// How a business department rates its relationship with IT in the mirror survey, and how IT
/// guesses it rates it: (department's own, IT's guess). Sales is the plant: IT believes Sales is
/// content, Sales is not.
fn mirror_profile(department: &str) -> (f64, f64) {
    match department {
        "Sales" => (2.2, 4.0),
        "Marketing" => (2.9, 3.3),
        "Finance" => (3.4, 3.1),
        _ => (3.7, 3.6),
    }
}

/// Answers to the mirror survey: about 60 % of every business department and 85 % of IT. A business respondent rates
/// the relationship with IT near their department's view and guesses IT's view as a little
/// better than their own; an IT respondent names a business department (larger ones more
/// often), rates it a little above that department's own view and guesses its view near IT's
/// belief (see `mirror_profile`).
async fn seed_mirror(
    s: &Seeder<'_>,
    def: &Definition,
    campaign: i64,
    window: (NaiveDate, NaiveDate),
    rng: &mut Rng,
) -> anyhow::Result<usize> {
    let name_of = |id: i64| {
        s.departments
            .iter()
            .find(|d| d.id == id)
            .map_or("", |d| d.name.as_str())
    };
    let mut answered = 0;
    for dept in s.departments {
        let mut members = s.members(dept.id);
        rng.shuffle(&mut members);
        // IT answers more: it wants to know how each business department sees it.
        let rate = if dept.kind == DepartmentKind::It {
            0.85
        } else {
            0.6
        };
        let count = share(members.len(), rate);
        for p in members.iter().take(count) {
            let (about, own, guess) = if dept.kind == DepartmentKind::It {
                let Some(about) = s.about(rng) else { continue };
                let (theirs, believed) = mirror_profile(name_of(about));
                (Some(about), (theirs + 0.9).min(4.4), believed)
            } else {
                let (own, _) = mirror_profile(&dept.name);
                (None, own, (own + 0.5).min(4.5))
            };
            let mood = rng.normal() * 0.3;
            let ratings = def
                .items
                .iter()
                .map(|item| {
                    if rng.chance(6) {
                        return None;
                    }
                    let base = if item.code.ends_with(".own") {
                        own + mood
                    } else {
                        guess
                    };
                    Some((base + rng.normal() * 0.6).round().clamp(1.0, 5.0) as u8)
                })
                .collect();
            let answers = Answers {
                about,
                ratings,
                texts: Default::default(),
            };
            let day = s.answer_day(rng, window);
            s.submit(campaign, p.id, &answers, day).await?;
            answered += 1;
        }
    }
    Ok(answered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use duet_core::listen::instruments;

    fn builtin(key: &str) -> Definition {
        instruments::builtins()
            .into_iter()
            .find(|b| b.key == key)
            .unwrap()
            .definition
    }

    #[test]
    fn the_content_file_loads_and_names_real_sections_and_items() {
        let c = CONTENT.get().unwrap();
        for i in 0..PILLAR_CODES.len() {
            let p = c.pulse_comments.pillar(i).unwrap();
            assert!(!p.critical.is_empty() && !p.appreciative.is_empty());
        }
        let maturity = builtin("alignment-maturity");
        assert!(
            c.maturity_comments
                .iter()
                .all(|s| maturity.section(&s.section).is_some())
        );
        let five = builtin("five-questions");
        assert!(
            c.five_answers
                .iter()
                .all(|a| five.items.iter().any(|i| i.code == a.item))
        );
    }
}
