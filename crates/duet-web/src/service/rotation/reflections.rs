//! Placements as their guest and host see them, the guest's reflections (start, middle, end;
//! shared with the host department or private), and what came back: a reflection turned into a
//! request in Decide or a promise in the trust ledger, linked both ways.

use super::{Me, PlacementView, names};
use crate::error::AppError;
use crate::service::de;
use duet_core::auth::{Action, can};
use duet_core::org::{DepartmentId, UserId};
use duet_core::promises::PromiseInput;
use duet_core::requests::RequestInput;
use duet_core::rotation::entries::ReflectionInput;
use duet_store::Db;
use duet_store::rotation::placements::{self as store, Placement, Reflection};

/// A placement's page: the placement, the reflections the reader may read, and what they may do.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PlacementPage {
    /// The placement.
    pub placement: PlacementView,
    /// The cycle's title.
    pub cycle_title: String,
    /// The host department.
    pub host_id: i64,
    /// The reflections the reader may read (`can(ReadReflection)`).
    pub reflections: Vec<Reflection>,
    /// Whether the reader is the guest (they write reflections and goals).
    pub is_guest: bool,
    /// How many reflections the reader may not read (private ones, or shared ones of a host
    /// department that is not theirs).
    pub hidden: usize,
}

async fn guest_account(db: &Db, p: &Placement) -> Result<Option<UserId>, AppError> {
    Ok(duet_store::promises::account_of_person(db, p.person_id)
        .await?
        .map(UserId))
}

/// What a placement's page is drawn from, read once per write (see `RotationCaches`).
pub struct PlacementData {
    view: PlacementView,
    cycle_title: String,
    host: i64,
    guest: Option<UserId>,
    reflections: Vec<Reflection>,
}

async fn load_placement(db: &Db, id: i64) -> Result<PlacementData, AppError> {
    let p = store::find_placement(db, id).await?;
    let cycle = duet_store::rotation::find_cycle(db, p.cycle_id).await?;
    let offers = duet_store::rotation::offers(db, p.cycle_id).await?;
    let offer = offers
        .iter()
        .find(|o| o.id == p.offer_id)
        .ok_or_else(|| AppError::NotFound("offer".into()))?;
    let guest = guest_account(db, &p).await?;
    let names = names(db, &[p.person_id, p.buddy_id]).await?;
    let departments = duet_store::org::list_departments(db, true).await?;
    let dname = |d: i64| {
        departments
            .iter()
            .find(|x| x.id == d)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let reflections = store::reflections(db, &[p.id]).await?;
    let home = names.get(&p.person_id).map(|x| x.1).unwrap_or_default();
    Ok(PlacementData {
        cycle_title: cycle.title,
        host: offer.department_id,
        guest,
        reflections,
        view: PlacementView {
            person_name: names
                .get(&p.person_id)
                .map(|x| x.0.clone())
                .unwrap_or_default(),
            home_name: dname(home),
            host_name: dname(offer.department_id),
            role: offer.role.clone(),
            buddy_name: names
                .get(&p.buddy_id)
                .map(|x| x.0.clone())
                .unwrap_or_default(),
            placement: p,
        },
    })
}

/// A placement as `me` sees it: everyone in the organisation sees who is placed where; its
/// reflections only as `can(ReadReflection)` allows.
pub async fn placement_page(
    caches: &super::RotationCaches,
    db: &Db,
    me: &Me,
    id: i64,
) -> Result<PlacementPage, AppError> {
    let d = caches
        .placements
        .get_or_load(id, || load_placement(db, id))
        .await?;
    let reflections: Vec<Reflection> = d
        .reflections
        .iter()
        .filter(|r| {
            can(
                &me.actor,
                Action::ReadReflection {
                    guest: d.guest,
                    shared: r.shared,
                    host: DepartmentId(d.host),
                },
            )
            .is_ok()
        })
        .cloned()
        .collect();
    Ok(PlacementPage {
        is_guest: d.guest.is_some() && d.guest == Some(me.actor.user),
        hidden: d.reflections.len() - reflections.len(),
        cycle_title: d.cycle_title.clone(),
        host_id: d.host,
        reflections,
        placement: d.view.clone(),
    })
}

/// A reflection (a form and the API's body).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReflectionFields {
    /// `start`, `middle` or `end`.
    #[serde(default)]
    pub stage: String,
    /// What surprised you.
    #[serde(default)]
    pub surprised: String,
    /// A pain point of the host you now understand.
    #[serde(default)]
    pub pain_point: String,
    /// One change you will carry back.
    #[serde(default)]
    pub carry_back: String,
    /// Share it with the host department (else it stays private to you).
    #[serde(default, deserialize_with = "de::flag")]
    pub shared: bool,
}

/// Writes (or rewrites) the guest's reflection for a stage: only the placement's guest
/// (`can(ReflectOnPlacement)`), every bad field named.
pub async fn reflect(
    db: &Db,
    me: &Me,
    placement: i64,
    f: &ReflectionFields,
) -> Result<Reflection, AppError> {
    let p = store::find_placement(db, placement).await?;
    can(
        &me.actor,
        Action::ReflectOnPlacement {
            guest: guest_account(db, &p).await?,
        },
    )?;
    let input = ReflectionInput::parse(
        &f.stage,
        &f.surprised,
        &f.pain_point,
        &f.carry_back,
        f.shared,
    )?;
    let id = store::reflect(db, p.id, &input, chrono::Utc::now()).await?;
    Ok(store::find_reflection(db, id).await?)
}

/// The guest's learning goals (a form and the API's body).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct GoalsFields {
    /// What you mean to learn.
    #[serde(default)]
    pub learning_goals: String,
}

/// Rewrites the learning goals: only the guest.
pub async fn set_goals(db: &Db, me: &Me, placement: i64, f: &GoalsFields) -> Result<(), AppError> {
    let p = store::find_placement(db, placement).await?;
    can(
        &me.actor,
        Action::ReflectOnPlacement {
            guest: guest_account(db, &p).await?,
        },
    )?;
    let goals = duet_core::error::bounded_text("learning_goals", &f.learning_goals, 3, 2000)?;
    store::set_goals(db, p.id, &goals).await?;
    Ok(())
}

/// What a reflection becomes (a form and the API's body): a request (title and the outcome
/// wanted; the problem is the reflection's pain point) or a promise (what, and by when).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct FollowUpFields {
    /// `request` or `promise`.
    #[serde(default)]
    pub kind: String,
    /// A request's title.
    #[serde(default)]
    pub title: String,
    /// A request's desired outcome.
    #[serde(default)]
    pub desired_outcome: String,
    /// A promise's text (default: the change the guest carries back).
    #[serde(default)]
    pub text: String,
    /// A promise's due date, `YYYY-MM-DD`.
    #[serde(default)]
    pub due_on: String,
}

/// What a follow-up became.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FollowedUp {
    /// The request raised, if that.
    pub request_id: Option<i64>,
    /// The promise made, if that.
    pub promise_id: Option<i64>,
}

/// Turns the guest's reflection into a request they raise for their own department (the
/// problem is the pain point they now understand) or a promise they make to the host department
/// (the change they carry back), linked back in one transaction. Only the guest; once.
pub async fn follow_up(
    db: &Db,
    me: &Me,
    reflection: i64,
    f: &FollowUpFields,
) -> Result<FollowedUp, AppError> {
    let r = store::find_reflection(db, reflection).await?;
    let p = store::find_placement(db, r.placement_id).await?;
    can(
        &me.actor,
        Action::ReflectOnPlacement {
            guest: guest_account(db, &p).await?,
        },
    )?;
    let person = duet_store::org::find_person(db, duet_core::org::PersonId(p.person_id)).await?;
    let offers = duet_store::rotation::offers(db, p.cycle_id).await?;
    let host = offers
        .iter()
        .find(|o| o.id == p.offer_id)
        .map(|o| o.department_id)
        .ok_or_else(|| AppError::NotFound("offer".into()))?;
    match f.kind.as_str() {
        "request" => {
            can(&me.actor, Action::SubmitRequest)?;
            let problem = if r.pain_point.trim().is_empty() {
                r.carry_back.clone()
            } else {
                r.pain_point.clone()
            };
            let input = RequestInput::parse(
                &f.title,
                &problem,
                "Seen during a rotation placement",
                &f.desired_outcome,
                Some(person.department_id),
                "normal",
                "",
            )?;
            let id = duet_store::rotation::placements::insert_request_from_reflection(
                db,
                me.actor.user.0,
                &input,
                r.id,
            )
            .await?;
            Ok(FollowedUp {
                request_id: Some(id),
                promise_id: None,
            })
        }
        "promise" => {
            let today = chrono::Utc::now().date_naive();
            let text = if f.text.trim().is_empty() {
                r.carry_back.clone()
            } else {
                f.text.clone()
            };
            let input = PromiseInput::parse(
                Some(p.person_id),
                Some(host),
                person.level.as_str(),
                &text,
                &f.due_on,
                "manual",
                None,
                today,
            )?;
            can(
                &me.actor,
                Action::RecordPromise {
                    promisor_department: DepartmentId(person.department_id),
                    promisor: Some(me.actor.user),
                },
            )?;
            let id = duet_store::rotation::placements::insert_promise_from_reflection(
                db,
                me.actor.user.0,
                &input,
                r.id,
                today,
            )
            .await?;
            Ok(FollowedUp {
                request_id: None,
                promise_id: Some(id),
            })
        }
        _ => Err(AppError::invalid(
            "kind",
            "turn it into a request or a promise",
        )),
    }
}
