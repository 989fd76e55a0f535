//! Both sides of a pair: what IT people said about one business department (the DUET pulse's
//! pillars, from those who named it) beside what the department said about IT, and the mirror
//! survey's perception gaps both ways ("IT thinks Sales would say 4.1; Sales says 2.2"). Every
//! figure goes through Listen's anonymity rules: the department's own answers through
//! `results_of`, IT's answers about it through `results_about`.

use super::Sources;
use crate::error::AppError;
use chrono::{NaiveDate, Utc};
use duet_core::listen::campaigns::CampaignPhase;
use duet_core::listen::instruments::{MIRROR_KEY, MIRROR_STATEMENTS, RelationshipLevel};
use duet_core::listen::results::{Cell, Results};
use duet_store::listen::Campaign;

/// One DUET pillar of the last pulse, seen from each side of the pair.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PulseSide {
    /// The pillar's section code (`discipline`, …).
    pub pillar: String,
    /// Its name.
    pub label: String,
    /// What the business department's people said about IT (null where hidden).
    pub department: Option<Cell>,
    /// What IT people who named the department said about it (null where hidden).
    pub it: Option<Cell>,
}

/// One of the pulse's three levels (between departments, across processes, between people),
/// seen from each side: the pooled mean over the pillars, shown only when every pillar's figure
/// at that level is (so it adds nothing to what Listen shows). The people level is where
/// friendly or adversarial day-to-day contact shows.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct LevelSide {
    /// The level.
    pub level: RelationshipLevel,
    /// Its name.
    pub label: String,
    /// The business department's people about IT (null where hidden).
    pub department: Option<f64>,
    /// IT people who named the department, about it (null where hidden).
    pub it: Option<f64>,
}

/// How many review meetings felt friendly, businesslike or tense to one side's signing leader.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ToneCounts {
    /// Friendly.
    pub friendly: u32,
    /// Businesslike.
    pub businesslike: u32,
    /// Tense.
    pub tense: u32,
}

impl ToneCounts {
    /// Whether any meeting was rated.
    pub fn any(&self) -> bool {
        self.friendly + self.businesslike + self.tense > 0
    }

    /// "2 friendly, 1 tense".
    pub fn summary(&self) -> String {
        [
            (self.friendly, "friendly"),
            (self.businesslike, "businesslike"),
            (self.tense, "tense"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect::<Vec<_>>()
        .join(", ")
    }

    fn add(&mut self, tone: Option<&str>) {
        match tone {
            Some("friendly") => self.friendly += 1,
            Some("businesslike") => self.businesslike += 1,
            Some("tense") => self.tense += 1,
            _ => {}
        }
    }
}

/// The tone of the pair's review meetings over the last 12 months, as each signing leader said
/// when signing the record (named statements, not survey answers).
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewTone {
    /// As IT's leaders said.
    pub it: ToneCounts,
    /// As the department's leaders said.
    pub department: ToneCounts,
}

/// One statement of the mirror survey, both ways.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MirrorItem {
    /// The statement's code (`overall`, …).
    pub statement: String,
    /// The statement.
    pub label: String,
    /// The department's own rating of the relationship.
    pub department_own: Option<Cell>,
    /// IT's guess of the department's rating.
    pub it_guess: Option<Cell>,
    /// IT's own rating.
    pub it_own: Option<Cell>,
    /// The department's guess of IT's rating.
    pub department_guess: Option<Cell>,
    /// IT's guess minus the department's own rating: above zero, IT believes the department is
    /// happier than it says (null where either is hidden).
    pub it_misreads: Option<f64>,
    /// The department's guess minus IT's own rating.
    pub department_misreads: Option<f64>,
}

/// The last closed mirror survey of the pair.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Mirror {
    /// The campaign.
    pub campaign_id: i64,
    /// Its title.
    pub title: String,
    /// Its closing day.
    pub closes_on: NaiveDate,
    /// The department's respondents (null below the group size).
    pub department_respondents: Option<u32>,
    /// IT respondents who named the department (null below the group size).
    pub it_respondents: Option<u32>,
    /// One row per statement.
    pub items: Vec<MirrorItem>,
}

impl Mirror {
    /// The statement one side misreads most (largest absolute gap), for the page's headline.
    pub fn widest(&self) -> Option<(&MirrorItem, f64)> {
        self.items
            .iter()
            .flat_map(|i| [(i, i.it_misreads), (i, i.department_misreads)])
            .filter_map(|(i, g)| Some((i, g?)))
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
    }
}

/// Both sides of a pair (see the module).
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Sides {
    /// The last closed pulse, if any.
    pub pulse_campaign_id: Option<i64>,
    /// Its title.
    pub pulse_title: Option<String>,
    /// Its pillars from both sides (empty before a pulse has closed).
    pub pulse: Vec<PulseSide>,
    /// Its three levels from both sides (empty before a pulse has closed).
    pub levels: Vec<LevelSide>,
    /// The last closed mirror survey (null before one has closed).
    pub mirror: Option<Mirror>,
    /// How the review meetings of the last 12 months felt to each side.
    pub tone: ReviewTone,
}

/// The last closed mirror survey, if any (read once per computation).
pub(super) async fn last_mirror(src: Sources<'_>) -> Result<Option<Campaign>, AppError> {
    let today = Utc::now().date_naive();
    let campaigns = crate::service::listen::cached_campaigns(src.db, src.listen).await?;
    Ok(campaigns
        .iter()
        .filter(|c| c.instrument_key == MIRROR_KEY && c.phase(today) == CampaignPhase::Closed)
        .max_by_key(|c| (c.closes_on, c.id))
        .cloned())
}

/// Both sides of the pair of IT department `it` and business department `d`.
pub(super) async fn of(
    src: Sources<'_>,
    pulse: Option<&super::history::Pulse>,
    mirror: Option<&Campaign>,
    it: i64,
    d: i64,
    tones: &[super::history::Tones],
) -> Result<Sides, AppError> {
    let today = Utc::now().date_naive();
    let mut sides = Sides::default();
    for (it_tone, their_tone) in tones {
        sides.tone.it.add(it_tone.as_deref());
        sides.tone.department.add(their_tone.as_deref());
    }
    if let Some(p) = pulse {
        let inst = src
            .listen
            .instrument(src.db, p.campaign.instrument_id)
            .await?;
        let theirs = crate::service::listen::results_about(
            src.db,
            src.listen,
            &p.campaign,
            &inst.definition,
            it,
            d,
            today,
        )
        .await?;
        let slice = crate::service::listen::results_of(
            src.db,
            src.listen,
            &p.campaign,
            &inst.definition,
            Some(d),
            today,
        )
        .await?;
        sides.levels = RelationshipLevel::ALL
            .iter()
            .map(|l| LevelSide {
                level: *l,
                label: l.label().to_string(),
                department: level_mean(&slice, *l),
                it: level_mean(&theirs, *l),
            })
            .collect();
        let own = p.results.by_department.iter().find(|r| r.department == d);
        sides.pulse_campaign_id = Some(p.campaign.id);
        sides.pulse_title = Some(p.campaign.title.clone());
        sides.pulse = duet_core::relationships::PULSE_SIGNALS
            .iter()
            .map(|(kind, section)| {
                let col = |r: &Results| {
                    r.columns
                        .iter()
                        .position(|c| c.section == *section && c.horizon.is_none())
                };
                PulseSide {
                    pillar: section.to_string(),
                    label: kind.label().trim_start_matches("Pulse: ").to_string(),
                    department: col(&p.results)
                        .and_then(|i| own.and_then(|r| r.cells.get(i).copied().flatten())),
                    it: col(&theirs).and_then(|i| theirs.by_column.get(i).copied().flatten()),
                }
            })
            .collect();
    }
    if let Some(c) = mirror {
        let inst = src.listen.instrument(src.db, c.instrument_id).await?;
        let def = &inst.definition;
        let own =
            crate::service::listen::results_of(src.db, src.listen, c, def, Some(d), today).await?;
        let theirs =
            crate::service::listen::results_about(src.db, src.listen, c, def, it, d, today).await?;
        let cell = |r: &Results, code: String| {
            r.items.iter().find(|i| i.code == code).and_then(|i| i.cell)
        };
        let items = MIRROR_STATEMENTS
            .iter()
            .map(|(s, label)| {
                let department_own = cell(&own, format!("{s}.own"));
                let it_guess = cell(&theirs, format!("{s}.other"));
                let it_own = cell(&theirs, format!("{s}.own"));
                let department_guess = cell(&own, format!("{s}.other"));
                let gap = |a: Option<Cell>, b: Option<Cell>| a.zip(b).map(|(a, b)| a.mean - b.mean);
                MirrorItem {
                    statement: s.to_string(),
                    label: label.trim_end_matches('.').to_string(),
                    it_misreads: gap(it_guess, department_own),
                    department_misreads: gap(department_guess, it_own),
                    department_own,
                    it_guess,
                    it_own,
                    department_guess,
                }
            })
            .collect();
        sides.mirror = Some(Mirror {
            campaign_id: c.id,
            title: c.title.clone(),
            closes_on: c.closes_on,
            department_respondents: own.respondents,
            it_respondents: theirs.respondents,
            items,
        });
    }
    Ok(sides)
}

/// The pooled mean of a level's cells (weighted by the people behind each), only when every
/// cell of the level is shown.
fn level_mean(r: &Results, level: RelationshipLevel) -> Option<f64> {
    let row = r.by_level.iter().find(|x| x.level == level)?;
    let cells: Option<Vec<Cell>> = row.cells.iter().copied().collect();
    let cells = cells.filter(|c| !c.is_empty())?;
    let n: f64 = cells.iter().map(|c| f64::from(c.n)).sum();
    (n > 0.0).then(|| cells.iter().map(|c| c.mean * f64::from(c.n)).sum::<f64>() / n)
}
