//! Listen: the checked actions on instruments, campaigns, responses and results, shared by pages
//! and the API. Results exist only for closed campaigns (so nobody can watch the numbers move as
//! one colleague answers) and only through `duet_core::listen`, which decides what may be shown.

use crate::error::AppError;
use crate::service::bounded::Bounded;
use crate::service::de;
use crate::service::fresh::{FreshCell, Served};
use crate::service::group_commit::{Batch, GroupCommit};
use chrono::{NaiveDate, Utc};
use duet_core::auth::{Action, Actor, can};
use duet_core::listen::campaigns::{CampaignInput, CampaignPhase};
use duet_core::listen::instruments::{self, Answers, Definition};
use duet_core::listen::releases;
use duet_core::listen::results::{self, Release, Results};
use duet_store::Db;
use duet_store::listen::{self as store, Campaign, Instrument, SubmitMode};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A new custom instrument (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct InstrumentFields {
    /// Title; reusing a title makes a new version.
    #[serde(default)]
    pub title: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// One statement per line: `Section | statement`.
    #[serde(default)]
    pub items: String,
}

/// Adds an instrument (admins).
pub async fn add_instrument(
    db: &Db,
    actor: &Actor,
    f: &InstrumentFields,
) -> Result<Instrument, AppError> {
    can(actor, Action::ManageInstruments)?;
    let def = instruments::custom(&f.title, &f.description, &f.items)?;
    Ok(store::insert_instrument(db, actor.user.0, &def).await?)
}

/// A new campaign (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CampaignFields {
    /// The instrument to ask.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub instrument_id: Option<i64>,
    /// Title people see.
    #[serde(default)]
    pub title: String,
    /// `YYYY-MM-DD`, today or later.
    #[serde(default)]
    pub opens_on: String,
    /// `YYYY-MM-DD`, on or after the opening day.
    #[serde(default)]
    pub closes_on: String,
    /// `YYYY-MM-DD` of the one reminder; default three days before closing.
    #[serde(default)]
    pub remind_on: String,
    /// Invited departments.
    #[serde(default)]
    pub departments: Vec<i64>,
    /// Anonymity threshold k (default 5, never below 3).
    #[serde(default, deserialize_with = "de::amount")]
    pub min_group: String,
}

/// Creates a campaign and sends the invitations at once if it opens today.
pub async fn create_campaign(
    db: &Db,
    actor: &Actor,
    f: &CampaignFields,
) -> Result<Campaign, AppError> {
    can(actor, Action::ManageCampaigns)?;
    let today = Utc::now().date_naive();
    let input = CampaignInput::parse(
        f.instrument_id,
        &f.title,
        &f.opens_on,
        &f.closes_on,
        &f.remind_on,
        &f.departments,
        &f.min_group,
        today,
    )?;
    let c = store::insert_campaign(db, actor.user.0, &input).await?;
    store::dispatch_notices(db, today).await?;
    Ok(store::find_campaign(db, c.id).await?)
}

/// Answers as submitted: item code → "1".."5" or "dk"; text key → text.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AnswerFields {
    /// Ratings by item code.
    #[serde(default)]
    pub ratings: BTreeMap<String, String>,
    /// Section comments and free-text answers by key.
    #[serde(default)]
    pub texts: BTreeMap<String, String>,
    /// For an IT respondent to the DUET pulse (optional) or the mirror survey (required): the id
    /// of the invited business department the answers are about.
    #[serde(default)]
    pub about: Option<i64>,
}

/// The person behind the account, required to take part.
fn person_of(actor_person: Option<i64>) -> Result<i64, AppError> {
    actor_person.ok_or_else(|| {
        AppError::Conflict(duet_core::FieldError::new(
            "campaign",
            "your account is not linked to a person of the organisation, so it cannot take part in surveys",
        ))
    })
}

/// Stores (or changes) the actor's answers to an open campaign, answering through account
/// `user` (which must be the one linked to the person when the campaign opened).
#[allow(clippy::too_many_arguments)]
pub async fn submit(
    db: &Db,
    cache: &ListenState,
    person: Option<i64>,
    user: i64,
    campaign: i64,
    f: &AnswerFields,
    mode: SubmitMode,
) -> Result<(), AppError> {
    let person = person_of(person)?;
    let instrument = cache.campaign_instrument(db, campaign).await?;
    let inst = cache.instrument(db, instrument).await?;
    let def = &inst.definition;
    // Unknown keys are errors, each reported: cap them so one request cannot ask for megabytes.
    if f.ratings.len() > def.items.len() + 10
        || f.texts.len() > def.items.len() + def.sections.len() + 10
    {
        return Err(AppError::invalid(
            "ratings",
            "has far more answers than the instrument has statements",
        ));
    }
    let mut answers = def.parse_answers(&f.ratings, &f.texts)?;
    answers.about = f.about;
    let secret = cache.secret(db).await?;
    let prepared = store::prepare_submission(
        db,
        campaign,
        person,
        Some(user),
        &secret,
        &answers,
        mode,
        Utc::now().date_naive(),
    )
    .await?;
    if prepared.is_new() {
        cache.first_answers.write(db, prepared).await
    } else {
        Ok(store::write_submission(db, &prepared).await?)
    }
}

/// The actor's own answers to a campaign, if any (only they can find them, and only through the
/// account that was theirs when the campaign opened: an account created or linked later in their
/// name finds nothing). An account holding a password or token someone else set after the
/// campaign's population was fixed is refused outright (409), saying why.
pub async fn own_answers(
    db: &Db,
    cache: &ListenState,
    person: Option<i64>,
    user: i64,
    c: &Campaign,
    def: &Definition,
) -> Result<Option<Answers>, AppError> {
    let Some(person) = person else {
        return Ok(None);
    };
    if store::credentials_borrowed(db, c.id, user).await? {
        return Err(AppError::Conflict(duet_core::FieldError::new(
            "campaign",
            store::BORROWED_CREDENTIALS,
        )));
    }
    if !store::in_population(db, c.id, person, user).await? {
        return Ok(None);
    }
    let secret = cache.secret(db).await?;
    Ok(store::own_response(db, c.id, person, &secret, def).await?)
}

/// Listen's per-process state. Caches of what never changes once written — computed results and
/// answers of closed campaigns (a closed campaign takes no more answers), instruments (their
/// wording is fixed; a change is a new version), each campaign's instrument, the anonymity
/// secret — bounded so a crawler cannot grow them without limit; and the first-answers writer.
#[derive(Default)]
pub struct ListenState {
    results: Bounded<SliceKey, Arc<Results>>,
    /// Results of what one department's respondents said about another (campaign, from, about).
    about_results: Bounded<(i64, i64, i64), Arc<Results>>,
    /// The sealed answers of recently read campaigns: every slice of a campaign is computed from
    /// the same rows, read once.
    /// A few campaigns' answers at most (a 20,000-person pulse is about 4 MB); only a trend's
    /// first view reads more, and its results are kept per slice after.
    responses: Bounded<i64, Arc<Vec<duet_core::listen::results::Response>>, 8>,
    instruments: Bounded<i64, Arc<Instrument>>,
    /// Group commit of first answers.
    first_answers: FirstAnswers,
    /// Which instrument each campaign asks (fixed when the campaign is created).
    campaign_instruments: Bounded<i64, i64, 1024>,
    /// What of each closed campaign may be shown across campaigns (fixed once decided: it
    /// depends only on campaigns that closed before it).
    releases: Bounded<i64, Arc<Release>, 1024>,
    /// Per closed campaign, the departments its own rules would show but its release holds back
    /// across campaigns (so the page can say why they are missing).
    held_back: Bounded<i64, Vec<i64>, 1024>,
    /// Per closed campaign, how its departments' populations changed (counted up to the end of
    /// its closing day, so fixed once results exist).
    population_changes: Bounded<i64, Vec<store::PopulationChange>>,
    /// Results views recently built, per slice (see `service::fresh`): one reader builds a
    /// stale view while the others wait or, when it only aged, are served the aged one (the
    /// trend alone reads every earlier campaign).
    views: crate::service::fresh::FreshMap<SliceKey, Shown>,
    /// The campaign list recently read (see `service::fresh`).
    campaigns: FreshCell<Vec<Campaign>>,
    /// Department names recently read (see `service::fresh`).
    names: FreshCell<HashMap<i64, String>>,
    /// Pages of the campaign list by (department, window), recently read.
    campaign_pages: crate::service::fresh::FreshMap<
        (Option<i64>, duet_store::PageRequest),
        crate::service::fresh::Served<duet_store::Page<Campaign>>,
    >,
    /// The two heatmap SVGs of a results slice (drawn from a cached view: drawing them was most
    /// of a results page's CPU), kept as the views are.
    heatmaps: crate::service::fresh::FreshMap<SliceKey, (String, String)>,
    /// What the campaign form offers (instruments, active departments), recently read.
    form_choices: FreshCell<FormChoices>,
    /// The campaigns each reader answered, by (person, account), recently read.
    answered: crate::service::fresh::FreshMap<(i64, i64), std::collections::HashSet<i64>, 1024>,
    secret: tokio::sync::OnceCell<Arc<Vec<u8>>>,
}

/// Group commit for first answers (see `service::group_commit`). When many people answer at
/// once, one writer task takes every checked first answer waiting (up to 64) and writes them in
/// one transaction, so SQLite's single write lock is taken once per batch instead of once per
/// person; each answer still succeeds or fails on its own. Started on first use, with the
/// database it is first given.
#[derive(Default)]
pub struct FirstAnswers(GroupCommit<FirstAnswerBatch>);

/// How a batch of first answers is written.
struct FirstAnswerBatch;

impl Batch for FirstAnswerBatch {
    type Item = store::Prepared;
    type Out = ();
    const WHAT: &'static str = "answers";
    fn write(
        db: &Db,
        items: &[store::Prepared],
    ) -> impl Future<Output = duet_store::Result<Vec<duet_store::Result<()>>>> + Send {
        store::write_first_answers(db, items)
    }
}

impl FirstAnswers {
    /// Queues a checked first answer and waits until it is committed (or refused).
    pub async fn write(&self, db: &Db, p: store::Prepared) -> Result<(), AppError> {
        self.0.submit(db, p).await
    }
}

/// A campaign and the department it is sliced by (none: the whole organisation).
type SliceKey = (i64, Option<i64>);

/// A results view as shown (its JSON kept with it) and the instrument it is read against.
pub type Shown = (Served<ResultsView>, Instrument);

impl ListenState {
    /// The heatmaps of a slice, drawn by `draw` when not kept (or stale).
    pub async fn heatmaps(
        &self,
        campaign: i64,
        department: Option<i64>,
        draw: impl FnOnce() -> (String, String),
    ) -> Arc<(String, String)> {
        let drawn: Result<_, std::convert::Infallible> = self
            .heatmaps
            .get_or_load((campaign, department), || async { Ok(draw()) })
            .await;
        match drawn {
            Ok(v) => v,
        }
    }

    /// A cache whose anonymity secret is `configured` when given (kept out of the database), or
    /// else read from the database on first use.
    pub fn new(configured: Option<Vec<u8>>) -> Self {
        Self {
            secret: tokio::sync::OnceCell::new_with(configured.map(Arc::new)),
            ..Self::default()
        }
    }

    /// An instrument, read from the database once.
    pub async fn instrument(&self, db: &Db, id: i64) -> Result<Arc<Instrument>, AppError> {
        if let Some(i) = self.instruments.get(&id) {
            return Ok(i);
        }
        let i = Arc::new(store::find_instrument(db, id).await?);
        self.instruments.put(id, i.clone());
        Ok(i)
    }

    /// The instrument a campaign asks, read from the database once.
    pub async fn campaign_instrument(&self, db: &Db, campaign: i64) -> Result<i64, AppError> {
        if let Some(i) = self.campaign_instruments.get(&campaign) {
            return Ok(i);
        }
        let i = store::campaign_instrument(db, campaign).await?;
        self.campaign_instruments.put(campaign, i);
        Ok(i)
    }

    /// The anonymity secret, read from the database once.
    pub async fn secret(&self, db: &Db) -> Result<Arc<Vec<u8>>, AppError> {
        let s = self
            .secret
            .get_or_try_init(|| async { store::anonymity_secret(db).await.map(Arc::new) })
            .await?;
        Ok(s.clone())
    }
}

/// Results of a closed campaign for the organisation or one department, cached.
pub async fn results_of(
    db: &Db,
    cache: &ListenState,
    c: &Campaign,
    def: &Definition,
    department: Option<i64>,
    today: NaiveDate,
) -> Result<Arc<Results>, AppError> {
    match c.phase(today) {
        CampaignPhase::Closed => {}
        _ => {
            return Err(AppError::Conflict(duet_core::FieldError::new(
                "campaign",
                format!(
                    "results appear once the campaign closes on {}, so nobody can watch them move as one colleague answers",
                    c.closes_on
                ),
            )));
        }
    }
    if let Some(r) = cache.results.get(&(c.id, department)) {
        return Ok(r);
    }
    let responses = sealed_responses(db, cache, c, def, today).await?;
    let k = u32::try_from(c.min_group).unwrap_or(duet_core::listen::anonymity::DEFAULT_K);
    let release = release_of(db, cache, c, today).await?;
    let r = Arc::new(results::compute_released(
        def,
        &responses,
        k,
        department,
        Some(&release),
    ));
    cache.results.put((c.id, department), r.clone());
    Ok(r)
}

/// A closed campaign's answers, sealed first if no one has yet, read once per process.
async fn sealed_responses(
    db: &Db,
    cache: &ListenState,
    c: &Campaign,
    def: &Definition,
    today: NaiveDate,
) -> Result<Arc<Vec<duet_core::listen::results::Response>>, AppError> {
    if c.sealed_at.is_none() {
        // Another caller (or replica) may be sealing it right now; either way it is sealed after.
        // Sealing opens the campaign's encrypted answers, so it needs the anonymity secret.
        let secret = cache.secret(db).await?;
        store::seal(db, c.id, &secret, today).await?;
    }
    Ok(match cache.responses.get(&c.id) {
        Some(r) => r,
        None => {
            let r = Arc::new(store::responses(db, c.id, def).await?);
            cache.responses.put(c.id, r.clone());
            r
        }
    })
}

/// What respondents of department `from` (IT) said about department `about` in closed campaign
/// `c`, through `results::compute_about` under the campaign's release, cached like `results_of`.
/// The caller has checked the campaign is closed (`results_of` on it first).
pub async fn results_about(
    db: &Db,
    cache: &ListenState,
    c: &Campaign,
    def: &Definition,
    from: i64,
    about: i64,
    today: NaiveDate,
) -> Result<Arc<Results>, AppError> {
    if c.phase(today) != CampaignPhase::Closed {
        return Err(AppError::Conflict(duet_core::FieldError::new(
            "campaign",
            "results appear once the campaign closes",
        )));
    }
    if let Some(r) = cache.about_results.get(&(c.id, from, about)) {
        return Ok(r);
    }
    let responses = sealed_responses(db, cache, c, def, today).await?;
    let k = u32::try_from(c.min_group).unwrap_or(duet_core::listen::anonymity::DEFAULT_K);
    let release = release_of(db, cache, c, today).await?;
    let r = Arc::new(results::compute_about(
        def,
        &responses,
        k,
        from,
        about,
        Some(&release),
    ));
    cache.about_results.put((c.id, from, about), r.clone());
    Ok(r)
}

/// What of closed campaign `c` may be shown, decided against every earlier closed campaign of a
/// comparable instrument in closing order (`duet_core::listen::releases`); each earlier release
/// is decided the same way, once, and never changes after.
pub async fn release_of(
    db: &Db,
    cache: &ListenState,
    c: &Campaign,
    today: NaiveDate,
) -> Result<Arc<Release>, AppError> {
    let cached = |id: i64| cache.releases.get(&id);
    if let Some(r) = cached(c.id) {
        return Ok(r);
    }
    let mut closed: Vec<Campaign> = store::list_campaigns(db)
        .await?
        .into_iter()
        .filter(|x| {
            x.phase(today) == CampaignPhase::Closed && (x.closes_on, x.id) <= (c.closes_on, c.id)
        })
        .collect();
    closed.sort_by_key(|x| (x.closes_on, x.id));
    let mut takers: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    let mut decided: HashMap<i64, Arc<Release>> = HashMap::new();
    for (i, x) in closed.iter().enumerate() {
        if let Some(r) = cached(x.id) {
            decided.insert(x.id, r);
            continue;
        }
        let def_x = cache.instrument(db, x.instrument_id).await?;
        let mut k = x.min_group;
        let mut earlier_ids = Vec::new();
        for y in &closed[..i] {
            let def_y = cache.instrument(db, y.instrument_id).await?;
            if releases::comparable(
                &x.instrument_key,
                &def_x.definition,
                &y.instrument_key,
                &def_y.definition,
            ) {
                k = k.max(y.min_group);
                earlier_ids.push(y.id);
            }
        }
        for id in earlier_ids.iter().chain(std::iter::once(&x.id)) {
            if !takers.contains_key(id) {
                takers.insert(*id, store::takers(db, *id).await?);
            }
        }
        let earlier: Vec<(&[(i64, i64)], &Release)> = earlier_ids
            .iter()
            .filter_map(|id| Some((takers.get(id)?.as_slice(), decided.get(id)?.as_ref())))
            .collect();
        let mine = takers.get(&x.id).map(Vec::as_slice).unwrap_or(&[]);
        let k = u32::try_from(k).unwrap_or(duet_core::listen::anonymity::DEFAULT_K);
        let r = Arc::new(releases::release(mine, &earlier, k));
        let alone = releases::release(mine, &[], k);
        let held: Vec<i64> = alone
            .departments
            .iter()
            .filter(|d| !r.org || !r.departments.contains(d))
            .copied()
            .collect();
        cache.held_back.put(x.id, held);
        cache.releases.put(x.id, r.clone());
        decided.insert(x.id, r);
    }
    decided
        .get(&c.id)
        .cloned()
        .ok_or_else(|| AppError::NotFound("campaign".into()))
}

/// How the populations of a closed campaign's departments changed, read once per process.
async fn population_changes(
    db: &Db,
    cache: &ListenState,
    campaign: i64,
) -> Result<Vec<store::PopulationChange>, AppError> {
    if let Some(p) = cache.population_changes.get(&campaign) {
        return Ok(p);
    }
    let p = store::population_changes(db, campaign).await?;
    cache.population_changes.put(campaign, p.clone());
    Ok(p)
}

/// One campaign of a trend: each section's visible mean.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    /// The campaign.
    pub campaign_id: i64,
    /// Its title.
    pub title: String,
    /// Its closing day.
    pub closes_on: NaiveDate,
    /// Respondents of the slice (hidden below k).
    pub respondents: Option<u32>,
    /// Mean per column key (a section code, or `code.today` / `code.tomorrow` for a question
    /// asked for both, which are never averaged together); null where hidden.
    pub sections: BTreeMap<String, Option<f64>>,
}

/// Everything the results page and endpoint show.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ResultsView {
    /// The campaign.
    pub campaign: Campaign,
    /// The results of the slice.
    #[schema(value_type = Results)]
    pub results: Arc<Results>,
    /// The same instrument's closed campaigns up to this one, oldest first.
    pub trend: Vec<TrendPoint>,
    /// The departments whose results may be shown on their own (the only ones to offer as a
    /// slice: listing any other would say someone there answered).
    pub departments: Vec<i64>,
    /// Departments shown on their own were this campaign alone, but held back because their
    /// respondents differ from an earlier comparable campaign's by fewer than k people.
    pub held_back: Vec<i64>,
    /// Whether this campaign's results are withheld because, set against an earlier campaign of
    /// a comparable instrument, they would single out fewer than k people (issue 10, class 3).
    pub withheld: bool,
    /// Invited departments whose population changed while the campaign ran (people created,
    /// moved or archived after it opened): compare their figures with care.
    pub population_changes: Vec<store::PopulationChange>,
    /// Participation per invited department, as it may be shown (final: the campaign closed).
    pub participation: Vec<ParticipationView>,
}

/// The results of a closed campaign and its trend, after the permission check.
pub async fn results_view(
    db: &Db,
    cache: &ListenState,
    actor: &Actor,
    campaign: i64,
    department: Option<i64>,
) -> Result<Arc<Shown>, AppError> {
    can(actor, Action::ViewSurveyResults)?;
    cache
        .views
        .get_or_load((campaign, department), || {
            build_results_view(db, cache, campaign, department)
        })
        .await
}

/// `results_view` without its cache (the permission is checked by the caller).
async fn build_results_view(
    db: &Db,
    cache: &ListenState,
    campaign: i64,
    department: Option<i64>,
) -> Result<Shown, AppError> {
    let today = Utc::now().date_naive();
    let c = store::find_campaign(db, campaign).await?;
    let inst = store::find_instrument(db, c.instrument_id).await?;
    let results = results_of(db, cache, &c, &inst.definition, department, today).await?;
    let withheld = !release_of(db, cache, &c, today).await?.org && c.respondents.is_some();
    let held_back = cache.held_back.get(&c.id).unwrap_or_default();
    let departments = results_of(db, cache, &c, &inst.definition, None, today)
        .await?
        .by_department
        .iter()
        .map(|d| d.department)
        .collect();
    let mut trend = Vec::new();
    for past in store::closed_campaigns_of(db, &c.instrument_key, today).await? {
        if past.closes_on > c.closes_on {
            continue;
        }
        let def = if past.instrument_id == inst.id {
            inst.definition.clone()
        } else {
            store::find_instrument(db, past.instrument_id)
                .await?
                .definition
        };
        let r = results_of(db, cache, &past, &def, department, today).await?;
        // Per column of this campaign's instrument: Today and Tomorrow apart, never averaged.
        let sections = results::columns(&inst.definition)
            .iter()
            .map(|c| {
                let key = c.key();
                let v = r
                    .columns
                    .iter()
                    .zip(&r.by_column)
                    .find(|(x, _)| x.key() == key)
                    .and_then(|(_, cell)| cell.map(|c| c.mean));
                (key, v)
            })
            .collect();
        trend.push(TrendPoint {
            campaign_id: past.id,
            title: past.title.clone(),
            closes_on: past.closes_on,
            respondents: r.respondents,
            sections,
        });
    }
    let min_group = c.min_group;
    Ok((
        Served::new(ResultsView {
            campaign: c,
            results,
            trend,
            departments,
            held_back,
            withheld,
            population_changes: population_changes(db, cache, campaign).await?,
            participation: visible_participation(
                store::participation(db, campaign).await?,
                min_group,
            )
            .0,
        }),
        inst,
    ))
}

/// Participation of one invited department, as it may be shown.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ParticipationView {
    /// Department.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// Its active people now.
    pub invited: i64,
    /// How many answered; null where fewer than k did, or where the count would let someone
    /// work out a smaller department's from the total.
    pub responded: Option<i64>,
    /// The day the count was published, while the campaign is open (counts move once a day, so
    /// no answer can be dated by watching them); null once it has closed.
    pub as_of: Option<chrono::NaiveDate>,
}

/// Participation per department and in all, under the same rules as results: a count below k is
/// not given, and no two counts may differ by fewer than k (complementary suppression).
pub fn visible_participation(
    parts: Vec<duet_store::listen::Participation>,
    k: i64,
) -> (Vec<ParticipationView>, Option<i64>) {
    let counts: Vec<u32> = parts
        .iter()
        .map(|p| u32::try_from(p.responded).unwrap_or(u32::MAX))
        .collect();
    let k = u32::try_from(k).unwrap_or(duet_core::listen::anonymity::DEFAULT_K);
    let v = duet_core::listen::anonymity::visible_cells(&counts, k);
    let total: i64 = parts.iter().map(|p| p.responded).sum();
    let views = parts
        .into_iter()
        .zip(v.groups)
        .map(|(p, shown)| ParticipationView {
            department_id: p.department_id,
            department_name: p.department_name,
            invited: p.invited,
            responded: shown.then_some(p.responded),
            as_of: p.as_of,
        })
        .collect();
    (views, v.total.then_some(total))
}

/// The visible aggregates of a closed campaign as CSV (the page and the API serve the same file).
pub async fn results_csv(
    db: &Db,
    cache: &ListenState,
    actor: &Actor,
    campaign: i64,
    department: Option<i64>,
) -> Result<String, AppError> {
    let shown = results_view(db, cache, actor, campaign, department).await?;
    let (view, inst) = &*shown;
    let names = cached_department_names(db, cache).await?;
    Ok(results::to_csv(&inst.definition, &view.results, &|d| {
        names.get(&d).cloned().unwrap_or_default()
    }))
}

/// What the campaign form offers: instruments as (id, title, version), and the active
/// departments as (id, name).
pub type FormChoices = (Vec<(i64, String, i64)>, Vec<(i64, String)>);

/// The campaign form's choices, read at most once per write epoch and two seconds.
pub async fn form_choices(db: &Db, cache: &ListenState) -> Result<Arc<FormChoices>, AppError> {
    cache
        .form_choices
        .get_or_load(|| async {
            let instruments = store::instrument_choices(db).await?;
            let departments = duet_store::org::list_departments(db, false)
                .await?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect();
            Ok::<_, AppError>((instruments, departments))
        })
        .await
}

/// The campaigns a reader (person, account) answered, read at most once per write epoch and two
/// seconds: answering is a write, so the reader's own answer shows on the next view.
pub async fn answered(
    db: &Db,
    cache: &ListenState,
    person: i64,
    user: i64,
) -> Result<Arc<std::collections::HashSet<i64>>, AppError> {
    cache
        .answered
        .get_or_load((person, user), || async {
            Ok::<_, AppError>(
                store::answered_campaigns(db, person, user)
                    .await?
                    .into_iter()
                    .collect(),
            )
        })
        .await
}

/// One page of campaigns, latest first (of those inviting `department`, or all), read at most
/// once per write epoch and two seconds.
pub async fn campaigns_page(
    db: &Db,
    cache: &ListenState,
    department: Option<i64>,
    window: duet_store::PageRequest,
) -> Result<Arc<crate::service::fresh::Served<duet_store::Page<Campaign>>>, AppError> {
    Ok(cache
        .campaign_pages
        .get_or_load((department, window), || async move {
            store::page_campaigns(db, department, window)
                .await
                .map(crate::service::fresh::Served::new)
        })
        .await?)
}

/// Every campaign, latest first, read at most once per write epoch and two seconds (see
/// `service::fresh`): the list and its participation figures are the same for every reader.
pub async fn cached_campaigns(
    db: &Db,
    cache: &ListenState,
) -> Result<Arc<Vec<Campaign>>, AppError> {
    cache
        .campaigns
        .get_or_load(|| async { Ok(store::list_campaigns(db).await?) })
        .await
}

/// Department names by id, read at most once per write epoch and two seconds (see `service::fresh`).
pub async fn cached_department_names(
    db: &Db,
    cache: &ListenState,
) -> Result<Arc<HashMap<i64, String>>, AppError> {
    cache.names.get_or_load(|| department_names(db)).await
}

/// Department names by id, for labels and CSV.
pub async fn department_names(db: &Db) -> Result<HashMap<i64, String>, AppError> {
    Ok(duet_store::org::list_departments(db, true)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect())
}
