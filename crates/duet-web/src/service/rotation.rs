//! Swap: the rotation programme. A programme owner (IT leaders, admins) opens a cycle; host
//! departments offer placements; people apply and their manager (their department's leader)
//! releases them or declines with a reason; the owner matches (`matching`: exact, each pair's
//! terms shown, adjustable) and confirms placements; guests reflect and turn what they learnt
//! into requests or promises (`reflections`); `outcomes` compares before and after. Every
//! permission goes through `can`.

pub mod matching;
pub mod outcomes;
pub mod reflections;

use crate::error::AppError;
use crate::service::de;
use chrono::NaiveDate;
use duet_core::auth::{Action, Actor, can};
use duet_core::org::{DepartmentId, DepartmentKind, UserId};
use duet_core::rotation::cycles::CycleInput;
use duet_core::rotation::entries::{self, ApplicationInput, OfferInput};
use duet_store::Db;
use duet_store::org::Department;
use duet_store::rotation::{self as store, Application, Cycle, Offer};
use std::collections::HashMap;

/// Who is acting: their account's actor and the person behind it (applying and reflecting need
/// one).
#[derive(Debug, Clone, Copy)]
pub struct Me {
    /// The permission actor.
    pub actor: Actor,
    /// Their person, if the account is linked to one.
    pub person: Option<i64>,
}

impl Me {
    /// From a signed-in account.
    pub fn of(user: &duet_store::accounts::User) -> Self {
        Self {
            actor: user.actor(),
            person: user.person_id,
        }
    }
}

/// Where a cycle stands, from its dates and confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Taking applications and offers.
    Open,
    /// The call has closed; the owner matches.
    Matching,
    /// Placements confirmed, not started yet.
    Confirmed,
    /// Placements under way.
    UnderWay,
    /// Over: outcomes can be measured.
    Finished,
}

impl Phase {
    /// Of `c` on `today`.
    pub fn of(c: &Cycle, today: NaiveDate) -> Self {
        match c.confirmed_at {
            None if today <= c.call_closes_on => Phase::Open,
            None => Phase::Matching,
            Some(_) if today < c.starts_on => Phase::Confirmed,
            Some(_) if today <= c.ends_on => Phase::UnderWay,
            Some(_) => Phase::Finished,
        }
    }

    /// In words.
    pub fn label(&self) -> &'static str {
        match self {
            Phase::Open => "Open for applications",
            Phase::Matching => "Call closed: matching",
            Phase::Confirmed => "Placements confirmed",
            Phase::UnderWay => "Under way",
            Phase::Finished => "Finished",
        }
    }

    /// Whether applications and offers are still taken.
    pub fn takes_entries(&self) -> bool {
        matches!(self, Phase::Open | Phase::Matching)
    }
}

/// A cycle as the owner opens it (a form and the API's body).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CycleFields {
    /// What people see ("Spring 2027 rotation").
    #[serde(default)]
    pub title: String,
    /// `YYYY-MM-DD`: the last day to apply or offer.
    #[serde(default)]
    pub call_closes_on: String,
    /// `YYYY-MM-DD`: the placements' first day, after the call closes.
    #[serde(default)]
    pub starts_on: String,
    /// 2 to 12.
    #[serde(default, deserialize_with = "de::amount")]
    pub weeks: String,
    /// `full_time` or `part_time`.
    #[serde(default)]
    #[schema(schema_with = crate::api::words::<duet_core::rotation::cycles::Commitment>)]
    pub commitment: String,
    /// The departments taking part: IT and at least one business department.
    #[serde(default)]
    pub departments: Vec<i64>,
    /// The share of a department that may be away at once, 5 to 50 percent (default 20).
    #[serde(default, deserialize_with = "de::amount")]
    pub away_percent: String,
}

/// Opens a cycle (the programme owner: `can(RunRotation)`); every bad field is named.
pub async fn open_cycle(
    db: &Db,
    actor: &Actor,
    f: &CycleFields,
    today: NaiveDate,
) -> Result<i64, AppError> {
    can(actor, Action::RunRotation)?;
    let all = duet_store::org::list_departments(db, false).await?;
    let chosen: Vec<(i64, DepartmentKind)> = all
        .iter()
        .filter(|d| f.departments.contains(&d.id))
        .map(|d| (d.id, d.kind))
        .collect();
    let mut errs = duet_core::ValidationErrors::default();
    let input = match CycleInput::parse(
        &f.title,
        &f.call_closes_on,
        &f.starts_on,
        &f.weeks,
        &f.commitment,
        &chosen,
        today,
    ) {
        Ok(i) => Some(i),
        Err(e) => {
            errs.0.extend(e.0);
            None
        }
    };
    let away = if f.away_percent.trim().is_empty() {
        Some(20)
    } else {
        errs.check(entries::parse_away_percent(&f.away_percent))
    };
    match (input, away) {
        (Some(input), Some(away)) if errs.0.is_empty() => {
            Ok(store::insert_cycle(db, &input, away, actor.user.0, chrono::Utc::now()).await?)
        }
        _ => Err(errs.into()),
    }
}

/// A placement offer (a form and the API's body).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct OfferFields {
    /// The host department (one taking part in the cycle).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub department_id: Option<i64>,
    /// The role the guest takes.
    #[serde(default)]
    pub role: String,
    /// What the guest will do.
    #[serde(default)]
    pub work: String,
    /// How many guests, 1 to 20.
    #[serde(default, deserialize_with = "de::amount")]
    pub capacity: String,
    /// Skills it teaches, comma-separated.
    #[serde(default)]
    pub teaches: String,
    /// Skills the host needs, comma-separated.
    #[serde(default)]
    pub needs: String,
    /// The host buddy: a person of the host department.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub buddy_id: Option<i64>,
}

/// Adds a host department's offer to a cycle still taking entries
/// (`can(OfferPlacement{department})`).
pub async fn offer(db: &Db, actor: &Actor, cycle: i64, f: &OfferFields) -> Result<i64, AppError> {
    let c = store::find_cycle(db, cycle).await?;
    let taking = store::cycle_departments(db, cycle).await?;
    let Some(department) = f.department_id.filter(|d| taking.contains(d)) else {
        return Err(AppError::invalid(
            "department_id",
            "choose a host department taking part in this cycle",
        ));
    };
    can(
        actor,
        Action::OfferPlacement {
            department: DepartmentId(department),
        },
    )?;
    if !Phase::of(&c, today()).takes_entries() {
        return Err(closed());
    }
    let mut errs = duet_core::ValidationErrors::default();
    let input = match OfferInput::parse(&f.role, &f.work, &f.capacity, &f.teaches, &f.needs) {
        Ok(i) => Some(i),
        Err(e) => {
            errs.0.extend(e.0);
            None
        }
    };
    let buddy = match f.buddy_id {
        Some(b) => match duet_store::org::find_person(db, duet_core::org::PersonId(b)).await {
            Ok(p) if p.department_id == department && p.archived_at.is_none() => Some(b),
            _ => {
                errs.0.push(duet_core::FieldError::new(
                    "buddy_id",
                    "the buddy is someone of the host department",
                ));
                None
            }
        },
        None => {
            errs.0.push(duet_core::FieldError::new(
                "buddy_id",
                "name a host buddy: the guest's first person to ask",
            ));
            None
        }
    };
    match (input, buddy) {
        (Some(input), Some(buddy)) if errs.0.is_empty() => Ok(store::insert_offer(
            db,
            cycle,
            department,
            &input,
            buddy,
            actor.user.0,
            chrono::Utc::now(),
        )
        .await?),
        _ => Err(errs.into()),
    }
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn closed() -> AppError {
    AppError::Conflict(duet_core::FieldError::new(
        "cycle",
        "this cycle no longer takes applications or offers: its placements are confirmed",
    ))
}

/// An application (a form and the API's body).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ApplicationFields {
    /// Why you apply, what you hope to see.
    #[serde(default)]
    pub interests: String,
    /// Skills you bring, comma-separated.
    #[serde(default)]
    pub brings: String,
    /// Skills you want to learn, comma-separated.
    #[serde(default)]
    pub wants: String,
    /// When you can and cannot be away.
    #[serde(default)]
    pub availability: String,
    /// Your first choice of host department.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub choice_1: Option<i64>,
    /// Your second choice.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub choice_2: Option<i64>,
    /// Your third choice.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub choice_3: Option<i64>,
}

/// The host departments a person of `home` may choose in a cycle: the other side (IT people go
/// to the business, the business to IT), among the departments taking part.
pub fn hosts_for(home: &Department, taking: &[i64], all: &[Department]) -> Vec<Named> {
    all.iter()
        .filter(|d| taking.contains(&d.id) && d.kind != home.kind)
        .map(|d| Named {
            id: d.id,
            name: d.name.clone(),
        })
        .collect()
}

/// Applies to a cycle as oneself (`can(ApplyToRotation)`; the account must be a person of a
/// department taking part). Every bad field is named; one application per cycle, one cycle at a
/// time (409).
pub async fn apply(db: &Db, me: &Me, cycle: i64, f: &ApplicationFields) -> Result<i64, AppError> {
    can(&me.actor, Action::ApplyToRotation)?;
    let c = store::find_cycle(db, cycle).await?;
    if !Phase::of(&c, today()).takes_entries() {
        return Err(closed());
    }
    let Some(person) = me.person else {
        return Err(AppError::invalid(
            "cycle",
            "your account is not linked to a person of the organisation: ask an admin to link it",
        ));
    };
    let p = duet_store::org::find_person(db, duet_core::org::PersonId(person)).await?;
    let taking = store::cycle_departments(db, cycle).await?;
    if !taking.contains(&p.department_id) {
        return Err(AppError::invalid(
            "cycle",
            format!("{} does not take part in this cycle", p.department_name),
        ));
    }
    let all = duet_store::org::list_departments(db, false).await?;
    let home = all
        .iter()
        .find(|d| d.id == p.department_id)
        .ok_or_else(|| AppError::NotFound("department".into()))?;
    if home.leader_id == Some(person) {
        return Err(AppError::invalid(
            "cycle",
            format!(
                "you lead {}: you release your people for a rotation rather than apply, since nobody would release you",
                home.name
            ),
        ));
    }
    let hosts = hosts_for(home, &taking, &all);
    let input = ApplicationInput::parse(
        &f.interests,
        &f.brings,
        &f.wants,
        &f.availability,
        &[f.choice_1, f.choice_2, f.choice_3],
    )?;
    for (i, d) in input.choices.iter().enumerate() {
        if !hosts.iter().any(|h| h.id == *d) {
            return Err(AppError::invalid(
                &format!("choice_{}", i + 1),
                "choose a department on the other side of IT and the business, taking part in this cycle",
            ));
        }
    }
    Ok(
        store::insert_application(db, &c, person, p.department_id, &input, chrono::Utc::now())
            .await?,
    )
}

/// The account of the manager who answers for an applicant: their department's leader.
pub async fn manager_of(db: &Db, department: i64) -> Result<Option<UserId>, AppError> {
    let d = duet_store::org::find_department(db, DepartmentId(department)).await?;
    Ok(match d.leader_id {
        Some(p) => duet_store::promises::account_of_person(db, p)
            .await?
            .map(UserId),
        None => None,
    })
}

/// The manager's answer (a form and the API's body).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReleaseFields {
    /// `released` or `declined`.
    #[serde(default)]
    pub decision: String,
    /// Why (required to decline; the applicant reads it).
    #[serde(default)]
    pub reason: String,
}

/// Releases an applicant or declines with a reason: only their manager
/// (`can(ReleaseForRotation)`), until the cycle's placements are confirmed.
pub async fn release(
    db: &Db,
    actor: &Actor,
    application: i64,
    f: &ReleaseFields,
) -> Result<Application, AppError> {
    let a = store::find_application(db, application).await?;
    let manager = manager_of(db, a.department_id).await?;
    can(actor, Action::ReleaseForRotation { manager })?;
    let (decision, reason) = entries::parse_release(&f.decision, &f.reason)?;
    store::release(db, &a, decision, &reason, actor.user.0, chrono::Utc::now()).await?;
    Ok(store::find_application(db, application).await?)
}

/// One application as its readers see it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    /// The application.
    #[serde(flatten)]
    pub application: Application,
    /// The applicant's name.
    pub person_name: String,
    /// Their department's name.
    pub department_name: String,
    /// The host departments they ranked, by name, first choice first.
    pub choice_names: Vec<String>,
    /// Whether the reader may release them (they are the manager).
    pub may_release: bool,
}

/// An offer as pages and the API show it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OfferView {
    /// The offer.
    #[serde(flatten)]
    pub offer: Offer,
    /// The host department's name.
    pub department_name: String,
    /// The buddy's name.
    pub buddy_name: String,
}

/// A placement as pages and the API show it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PlacementView {
    /// The placement.
    #[serde(flatten)]
    pub placement: duet_store::rotation::placements::Placement,
    /// The guest's name.
    pub person_name: String,
    /// The guest's home department.
    pub home_name: String,
    /// The host department.
    pub host_name: String,
    /// The role taken.
    pub role: String,
    /// The buddy's name.
    pub buddy_name: String,
}

/// A department by id and name.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Named {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// A cycle with what the reader may see of it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CycleView {
    /// The cycle.
    pub cycle: Cycle,
    /// Where it stands today.
    pub phase: Phase,
    /// The departments taking part.
    pub departments: Vec<Named>,
    /// Host offers (everyone sees the call).
    pub offers: Vec<OfferView>,
    /// How many applied.
    pub applied: usize,
    /// The applications the reader may see (`can(ViewApplication)`): all for the owner, their
    /// department's for a manager, their own for an applicant.
    pub applications: Vec<ApplicationView>,
    /// Confirmed placements (everyone sees who goes where).
    pub placements: Vec<PlacementView>,
    /// The reader may run the programme (match and confirm).
    pub may_run: bool,
    /// Departments the reader may offer placements for.
    pub may_offer_for: Vec<Named>,
    /// Host departments the reader may choose when applying (empty: they may not apply).
    pub may_apply_to: Vec<Named>,
    /// The reader's own application.
    pub mine: Option<i64>,
    /// The reader may read the cycle's outcomes.
    pub may_see_outcomes: bool,
    /// The reader leads a department taking part (a leader releases their people rather than
    /// applying).
    pub leads: bool,
}

/// Names of people, by id.
pub(crate) async fn names(db: &Db, ids: &[i64]) -> Result<HashMap<i64, (String, i64)>, AppError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok(store::people(db, &ids)
        .await?
        .into_iter()
        .map(|(id, n, d)| (id, (n, d)))
        .collect())
}

/// What every reader's view of a cycle is drawn from: read once per write (see
/// [`RotationCaches`]), then narrowed to each reader in memory.
pub struct CycleData {
    cycle: Cycle,
    departments: Vec<Department>,
    taking: Vec<i64>,
    offers: Vec<Offer>,
    apps: Vec<Application>,
    placements: Vec<duet_store::rotation::placements::Placement>,
    names: HashMap<i64, (String, i64)>,
    managers: HashMap<i64, Option<UserId>>,
}

impl CycleData {
    fn dname(&self, d: i64) -> String {
        self.departments
            .iter()
            .find(|x| x.id == d)
            .map(|x| x.name.clone())
            .unwrap_or_else(|| format!("department {d}"))
    }
    fn pname(&self, p: i64) -> String {
        self.names.get(&p).map(|x| x.0.clone()).unwrap_or_default()
    }
}

/// Reads everything a cycle's views are drawn from.
pub async fn load_cycle(db: &Db, id: i64) -> Result<CycleData, AppError> {
    let cycle = store::find_cycle(db, id).await?;
    let departments = duet_store::org::list_departments(db, true).await?;
    let taking = store::cycle_departments(db, id).await?;
    let offers = store::offers(db, id).await?;
    let apps = store::applications(db, id).await?;
    let placements = store::placements::placements(db, id).await?;
    let mut people: Vec<i64> = offers.iter().map(|o| o.buddy_id).collect();
    people.extend(apps.iter().map(|a| a.person_id));
    people.extend(placements.iter().map(|p| p.buddy_id));
    let names = names(db, &people).await?;
    let mut managers: HashMap<i64, Option<UserId>> = HashMap::new();
    for d in &taking {
        managers.insert(*d, manager_of(db, *d).await?);
    }
    Ok(CycleData {
        cycle,
        departments,
        taking,
        offers,
        apps,
        placements,
        names,
        managers,
    })
}

/// The rotation area's read caches: each exact while this process wrote nothing since, and at
/// most two seconds old (`service::fresh`), so a page costs a read of memory, not of the tables.
#[derive(Default)]
pub struct RotationCaches {
    /// The cycles.
    cycles: crate::service::fresh::FreshCell<Vec<Cycle>>,
    /// Each cycle's data.
    data: crate::service::fresh::FreshMap<i64, CycleData, 64>,
    /// Proposals by cycle and adjustments.
    pub(crate) proposals: crate::service::fresh::FreshMap<(i64, String), matching::Proposal, 64>,
    /// Outcomes by cycle.
    pub(crate) outcomes: crate::service::fresh::FreshMap<i64, outcomes::Outcomes, 64>,
    /// Placement pages' data by placement.
    pub(crate) placements: crate::service::fresh::FreshMap<i64, reflections::PlacementData, 256>,
    /// People of a department, as buddy choices.
    buddies: crate::service::fresh::FreshMap<i64, Vec<(i64, String)>, 64>,
}

impl RotationCaches {
    /// A department's people (id, name), for choosing a host buddy.
    pub async fn buddies(
        &self,
        db: &Db,
        department: i64,
    ) -> Result<std::sync::Arc<Vec<(i64, String)>>, AppError> {
        self.buddies
            .get_or_load(department, || async move {
                Ok::<_, AppError>(
                    duet_store::org::list_people(
                        db,
                        &duet_store::org::PeopleFilter {
                            department: Some(DepartmentId(department)),
                            ..Default::default()
                        },
                        duet_store::PageRequest {
                            limit: 500,
                            offset: 0,
                        },
                    )
                    .await?
                    .items
                    .into_iter()
                    .map(|p| (p.id, p.name))
                    .collect(),
                )
            })
            .await
    }

    /// Every cycle with its phase today, newest first.
    pub async fn cycles(&self, db: &Db) -> Result<Vec<(Cycle, Phase)>, AppError> {
        let all = self
            .cycles
            .get_or_load(|| async move { Ok::<_, AppError>(store::list_cycles(db).await?) })
            .await?;
        let t = today();
        Ok(all.iter().map(|c| (c.clone(), Phase::of(c, t))).collect())
    }
}

/// One cycle as `me` sees it.
pub async fn cycle_view(
    caches: &RotationCaches,
    db: &Db,
    me: &Me,
    id: i64,
) -> Result<CycleView, AppError> {
    let d = caches.data.get_or_load(id, || load_cycle(db, id)).await?;
    let phase = Phase::of(&d.cycle, today());
    let departments: Vec<Named> = d
        .taking
        .iter()
        .map(|t| Named {
            id: *t,
            name: d.dname(*t),
        })
        .collect();
    let me_user = me.actor.user;
    let mut applications = Vec::new();
    let mut mine = None;
    for a in &d.apps {
        let applicant = if Some(a.person_id) == me.person {
            mine = Some(a.id);
            Some(me_user)
        } else {
            None
        };
        let manager = d.managers.get(&a.department_id).copied().flatten();
        if can(&me.actor, Action::ViewApplication { applicant, manager }).is_err() {
            continue;
        }
        applications.push(ApplicationView {
            person_name: d.pname(a.person_id),
            department_name: d.dname(a.department_id),
            choice_names: a.choices.iter().map(|c| d.dname(*c)).collect(),
            may_release: phase.takes_entries()
                && can(&me.actor, Action::ReleaseForRotation { manager }).is_ok(),
            application: a.clone(),
        });
    }
    let offer_of = |o: i64| d.offers.iter().find(|x| x.id == o);
    let placements = d
        .placements
        .iter()
        .map(|p| {
            let o = offer_of(p.offer_id);
            let home = d.names.get(&p.person_id).map(|x| x.1).unwrap_or_default();
            PlacementView {
                person_name: d.pname(p.person_id),
                home_name: d.dname(home),
                host_name: o.map(|o| d.dname(o.department_id)).unwrap_or_default(),
                role: o.map(|o| o.role.clone()).unwrap_or_default(),
                buddy_name: d.pname(p.buddy_id),
                placement: p.clone(),
            }
        })
        .collect();
    let may_offer_for = if phase.takes_entries() {
        departments
            .iter()
            .filter(|t| {
                can(
                    &me.actor,
                    Action::OfferPlacement {
                        department: DepartmentId(t.id),
                    },
                )
                .is_ok()
            })
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let leads = match me.person {
        Some(p) => d
            .departments
            .iter()
            .any(|x| x.leader_id == Some(p) && d.taking.contains(&x.id)),
        None => false,
    };
    let may_apply_to = match (phase.takes_entries(), me.person, mine, me.actor.department) {
        (true, Some(_), None, Some(home))
            if !leads && can(&me.actor, Action::ApplyToRotation).is_ok() =>
        {
            match d.departments.iter().find(|x| x.id == home.0) {
                Some(home) if d.taking.contains(&home.id) => {
                    hosts_for(home, &d.taking, &d.departments)
                }
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    };
    Ok(CycleView {
        phase,
        departments,
        offers: d
            .offers
            .iter()
            .map(|o| OfferView {
                department_name: d.dname(o.department_id),
                buddy_name: d.pname(o.buddy_id),
                offer: o.clone(),
            })
            .collect(),
        applied: d.apps.len(),
        applications,
        placements,
        may_run: can(&me.actor, Action::RunRotation).is_ok(),
        may_see_outcomes: outcomes::may_see(&me.actor),
        leads,
        may_offer_for,
        may_apply_to,
        mine,
        cycle: d.cycle.clone(),
    })
}
