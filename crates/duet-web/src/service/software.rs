//! Unity: the software register. Anyone declares a tool their team uses (a first declaration
//! opens a request stating the need it meets: shadow IT is a signal of an unmet need); IT
//! reviews it "yes, safely" (approved, with conditions tracked until met, or not approved with a
//! safe alternative); advisories imported offline (`files`) are matched to the register with a
//! confidence, and a person confirms or dismisses each finding; overlaps and renewals are shown
//! and reminded. Every permission goes through `can`.

pub mod files;

use crate::error::AppError;
use crate::service::de;
use chrono::{NaiveDate, Utc};
use duet_core::auth::{Action, Actor, can};
use duet_core::org::DepartmentId;
use duet_core::requests::RequestInput;
use duet_core::software::advisories::Source;
use duet_core::software::identifiers::{Cpe, Purl, alias_key};
use duet_core::software::matching::{Entry, Index, matches};
use duet_core::software::register::{
    Found, Interval, ReviewInput, SoftwareInput, SoftwareRaw, alias_keys, reminders_due,
};
use duet_store::Db;
use duet_store::software::advisories::{self as adv, Finding, ImportSummary};
use duet_store::software::{self as store, Condition, Review, Software};

/// A register entry as a form or the API sends it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct SoftwareFields {
    /// What people call it.
    #[serde(default)]
    pub name: String,
    /// Who makes it.
    #[serde(default)]
    pub vendor: String,
    /// What it is for: the need it meets.
    #[serde(default)]
    pub purpose: String,
    /// Its kind ("video calls"), so equivalent tools are shown together.
    #[serde(default)]
    pub category: String,
    /// The department that uses it.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub department_id: Option<i64>,
    /// The business owner (a person).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub owner_person_id: Option<i64>,
    /// `public`, `internal`, `personal` or `sensitive`.
    #[serde(default)]
    #[schema(schema_with = crate::api::words::<duet_core::software::register::DataClass>)]
    pub data_class: String,
    /// How many people use it.
    #[serde(default, deserialize_with = "de::amount")]
    pub users: String,
    /// What each renewal costs ("4,800.00").
    #[serde(default, deserialize_with = "de::amount")]
    pub cost: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub renewal_on: String,
    /// `none`, `monthly`, `quarterly` or `yearly`.
    #[serde(default)]
    #[schema(schema_with = crate::api::words::<duet_core::software::register::Interval>)]
    pub renewal_interval: String,
    /// A CPE 2.3 name, if known.
    #[serde(default)]
    pub cpe: String,
    /// A package URL, if known.
    #[serde(default)]
    pub purl: String,
    /// The version in use.
    #[serde(default)]
    pub version: String,
    /// Other names, one `vendor/product` per line.
    #[serde(default)]
    pub aliases: String,
}

impl SoftwareFields {
    fn input(&self) -> Result<SoftwareInput, AppError> {
        Ok(SoftwareInput::parse(&SoftwareRaw {
            name: &self.name,
            vendor: &self.vendor,
            purpose: &self.purpose,
            category: &self.category,
            department: self.department_id,
            owner: self.owner_person_id,
            data_class: &self.data_class,
            users: &self.users,
            cost: &self.cost,
            renewal_on: &self.renewal_on,
            interval: &self.renewal_interval,
            cpe: &self.cpe,
            purl: &self.purl,
            version: &self.version,
            aliases: &self.aliases,
        })?)
    }

    /// The fields of an existing entry, for its edit form.
    pub fn of(s: &Software) -> Self {
        Self {
            name: s.name.clone(),
            vendor: s.vendor.clone(),
            purpose: s.purpose.clone(),
            category: s.category.clone(),
            department_id: Some(s.department_id),
            owner_person_id: s.owner_person_id,
            data_class: s.data_class.clone(),
            users: s.users.to_string(),
            cost: s
                .cost_minor
                .map(|c| format!("{}.{:02}", c / 100, (c % 100).abs()))
                .unwrap_or_default(),
            renewal_on: s.renewal_on.map(|d| d.to_string()).unwrap_or_default(),
            renewal_interval: s.renewal_interval.clone(),
            cpe: s.cpe.clone().unwrap_or_default(),
            purl: s.purl.clone().unwrap_or_default(),
            version: s.version.clone().unwrap_or_default(),
            aliases: s.aliases.clone(),
        }
    }
}

async fn known_department(db: &Db, id: i64) -> Result<duet_store::org::Department, AppError> {
    duet_store::org::find_department(db, DepartmentId(id))
        .await
        .map_err(|_| AppError::invalid("department_id", "choose a department of the organisation"))
}

/// Adds a tool to the register (`can(DeclareSoftware)`). Declared by its own department's
/// people, it opens a request stating the need it meets, raised by them, in the same
/// transaction; added by IT for another department, it is "first seen". Then it is matched.
pub async fn declare(db: &Db, actor: &Actor, f: &SoftwareFields) -> Result<i64, AppError> {
    let input = f.input()?;
    can(
        actor,
        Action::DeclareSoftware {
            department: DepartmentId(input.department),
        },
    )?;
    let dept = known_department(db, input.department).await?;
    if let Some(owner) = input.owner {
        let p = duet_store::org::find_person(db, duet_core::org::PersonId(owner))
            .await
            .map_err(|_| {
                AppError::invalid("owner_person_id", "choose a person of the organisation")
            })?;
        if p.department_id != input.department {
            return Err(AppError::invalid(
                "owner_person_id",
                format!("the business owner is someone of {}", dept.name),
            ));
        }
    }
    let own = actor.department == Some(DepartmentId(input.department));
    let (found, need) = if own {
        let need = RequestInput::parse(
            &format!("{}: the need it meets", input.name),
            &input.purpose,
            &format!("{} people in {}", input.users, dept.name),
            &format!(
                "Meet this need safely; {} uses {} for it today",
                dept.name, input.name
            ),
            Some(input.department),
            "normal",
            "",
        )?;
        (Found::Declared, Some(need))
    } else {
        (Found::FirstSeen, None)
    };
    let id = store::insert_software(
        db,
        &input,
        found,
        Some(actor.user.0),
        need.as_ref(),
        Utc::now(),
    )
    .await?;
    match_register(db, Some(id)).await?;
    Ok(id)
}

/// Rewrites an entry (`can(EditSoftware)` for its department, and for the new one if moved).
pub async fn edit(db: &Db, actor: &Actor, id: i64, f: &SoftwareFields) -> Result<(), AppError> {
    let s = store::find_software(db, id).await?;
    can(
        actor,
        Action::EditSoftware {
            department: DepartmentId(s.department_id),
        },
    )?;
    let input = f.input()?;
    can(
        actor,
        Action::EditSoftware {
            department: DepartmentId(input.department),
        },
    )?;
    known_department(db, input.department).await?;
    store::update_software(db, id, &input, Utc::now()).await?;
    match_register(db, Some(id)).await?;
    Ok(())
}

/// A security review as a form or the API sends it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReviewFields {
    /// `approved`, `conditional` or `not_approved`.
    #[serde(default)]
    #[schema(schema_with = crate::api::words::<duet_core::software::register::Decision>)]
    pub decision: String,
    /// Why.
    #[serde(default)]
    pub note: String,
    /// With `conditional`: one condition per line.
    #[serde(default)]
    pub conditions: String,
    /// With `not_approved`: the safe way to meet the same need.
    #[serde(default)]
    pub alternative: String,
    /// `YYYY-MM-DD`, after today.
    #[serde(default)]
    pub review_again_on: String,
}

/// Records a review (`can(ReviewSoftware)`), every bad field named.
pub async fn review(db: &Db, actor: &Actor, id: i64, f: &ReviewFields) -> Result<i64, AppError> {
    can(actor, Action::ReviewSoftware)?;
    store::find_software(db, id).await?;
    let input = ReviewInput::parse(
        &f.decision,
        &f.note,
        &f.conditions,
        &f.alternative,
        &f.review_again_on,
        Utc::now().date_naive(),
    )?;
    Ok(store::insert_review(db, id, actor.user.0, &input, Utc::now()).await?)
}

/// Marks a condition met: IT, who set it, checks it (`can(ReviewSoftware)`).
pub async fn meet_condition(
    db: &Db,
    actor: &Actor,
    id: i64,
    condition: i64,
) -> Result<(), AppError> {
    can(actor, Action::ReviewSoftware)?;
    store::find_software(db, id).await?;
    Ok(store::meet_condition(db, id, condition, actor.user.0, Utc::now()).await?)
}

/// A person's decision on a finding.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct FindingFields {
    /// `confirmed` (it affects us), `dismissed` (it does not) or `resolved` (fixed).
    #[serde(default)]
    pub status: String,
    /// Why.
    #[serde(default)]
    pub note: String,
}

/// Confirms, dismisses or resolves a finding (`can(ReviewSoftware)`), with a note.
pub async fn decide_finding(
    db: &Db,
    actor: &Actor,
    id: i64,
    finding: i64,
    f: &FindingFields,
) -> Result<(), AppError> {
    can(actor, Action::ReviewSoftware)?;
    let status = match f.status.as_str() {
        s @ ("confirmed" | "dismissed" | "resolved") => s,
        _ => {
            return Err(AppError::invalid(
                "status",
                "confirm it affects this tool, dismiss it, or mark it resolved",
            ));
        }
    };
    let note = duet_core::error::bounded_text("note", &f.note, 3, 1000)?;
    Ok(adv::decide_finding(db, id, finding, status, &note, actor.user.0, Utc::now()).await?)
}

/// Matches register entries (all, or one) against the advisories held and records new
/// findings; returns how many were new.
pub async fn match_register(db: &Db, only: Option<i64>) -> Result<u64, AppError> {
    let mut all = store::list_software(db, None).await?;
    if let Some(id) = only {
        all.retain(|s| s.id == id);
    }
    let entries: Vec<Entry> = all
        .iter()
        .map(|s| Entry {
            purl: s.purl.as_deref().and_then(|p| Purl::parse("purl", p).ok()),
            cpe: s.cpe.as_deref().and_then(|c| Cpe::parse("cpe", c).ok()),
            version: s.version.clone(),
            aliases: alias_keys(&s.vendor, &s.name, &s.aliases),
        })
        .collect();
    let mut purls: Vec<String> = entries
        .iter()
        .filter_map(|e| e.purl.as_ref().map(Purl::key))
        .collect();
    let mut cpes: Vec<(String, String)> = entries
        .iter()
        .filter_map(|e| {
            e.cpe
                .as_ref()
                .map(|c| (c.vendor.clone(), c.product.clone()))
        })
        .collect();
    let mut aliases: Vec<(String, String)> = entries
        .iter()
        .flat_map(|e| e.aliases.iter().cloned())
        .collect();
    purls.sort_unstable();
    purls.dedup();
    for v in [&mut cpes, &mut aliases] {
        v.sort_unstable();
        v.dedup();
    }
    let found = adv::candidates(db, &purls, &cpes, &aliases).await?;
    let advisories: Vec<_> = found.iter().map(|(_, a, _)| a.clone()).collect();
    let ix = Index::new(&advisories);
    let new: Vec<adv::NewFinding> = matches(&entries, &advisories, &ix)
        .into_iter()
        .map(|(e, a, c)| (all[e].id, found[a].0, c.as_str(), found[a].1.due_on))
        .collect();
    Ok(adv::record_findings(db, &new, Utc::now()).await?)
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Imported {
    /// Advisories added and replaced.
    pub summary: ImportSummary,
    /// Findings new to the register.
    pub new_findings: u64,
}

/// Imports an advisory file of `source` (`can(ImportAdvisories)`): all or nothing, every problem
/// placed (422 with the list); then the register is matched.
pub async fn import(
    db: &Db,
    actor: &Actor,
    source: &str,
    bytes: &[u8],
) -> Result<Imported, AppError> {
    can(actor, Action::ImportAdvisories)?;
    let source: Source = source
        .parse()
        .map_err(|_| AppError::invalid("source", "choose KEV (CISA's catalogue) or OSV"))?;
    let advisories = files::read_bytes(source, bytes).map_err(|errs| {
        AppError::Invalid(
            errs.into_iter()
                .map(|e| duet_core::FieldError::new("file", e.to_string()))
                .collect(),
        )
    })?;
    if advisories.is_empty() {
        return Err(AppError::invalid("file", "the file holds no advisory"));
    }
    let summary = adv::import(db, &advisories, Utc::now(), |_| {}).await?;
    let new_findings = match_register(db, None).await?;
    Ok(Imported {
        summary,
        new_findings,
    })
}

/// A register entry an expense export suggests.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ExpenseItem {
    /// The vendor (the entry's name and vendor until someone names the product).
    pub vendor: String,
    /// The department that paid.
    pub department_id: i64,
    /// Its name.
    #[serde(default)]
    pub department_name: String,
    /// How many charges (shown; ignored when adding).
    #[serde(default)]
    pub charges: usize,
    /// What each renewal costs, in minor units (the latest charge).
    pub cost_minor: i64,
    /// What the last year's charges add up to, in minor units (shown).
    #[serde(default)]
    pub last_year_minor: i64,
    /// `monthly`, `quarterly` or `yearly`.
    #[schema(schema_with = crate::api::words::<duet_core::software::register::Interval>)]
    pub renewal_interval: String,
    /// The next renewal, `YYYY-MM-DD`.
    pub renewal_on: NaiveDate,
    /// The register entry this vendor already has in that department (not proposed again).
    #[serde(default)]
    pub already: Option<i64>,
}

/// Reads an expense export (`vendor`, `amount`, `date`, `department` by header name) into
/// proposed register entries, without writing anything (`can(DeclareSoftware)` for each
/// department). A department the organisation does not have is named with its line.
pub async fn propose_from_expenses(
    db: &Db,
    actor: &Actor,
    bytes: &[u8],
) -> Result<Vec<ExpenseItem>, AppError> {
    use duet_core::software::expenses;
    let charges = expenses::parse(bytes).map_err(AppError::Csv)?;
    let departments = duet_store::org::list_departments(db, false).await?;
    let mut errors = Vec::new();
    for c in &charges {
        match departments
            .iter()
            .find(|d| alias_key(&d.name) == alias_key(&c.department))
        {
            None => errors.push(duet_core::csv_input::CsvError {
                line: c.line,
                column: Some("department".into()),
                message: format!(
                    "\u{201c}{}\u{201d} is not a department of the organisation",
                    c.department
                ),
            }),
            Some(d)
                if can(
                    actor,
                    Action::DeclareSoftware {
                        department: DepartmentId(d.id),
                    },
                )
                .is_err() =>
            {
                errors.push(duet_core::csv_input::CsvError {
                    line: c.line,
                    column: Some("department".into()),
                    message: format!("you may not add tools for {}", d.name),
                })
            }
            Some(_) => {}
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Csv(errors));
    }
    let all = store::list_software(db, None).await?;
    Ok(expenses::propose(&charges, Utc::now().date_naive())
        .into_iter()
        .filter_map(|p| {
            let d = departments
                .iter()
                .find(|d| alias_key(&d.name) == alias_key(&p.department))?;
            let already = all
                .iter()
                .find(|s| {
                    s.department_id == d.id
                        && (alias_key(&s.vendor) == alias_key(&p.vendor)
                            || alias_key(&s.name) == alias_key(&p.vendor))
                })
                .map(|s| s.id);
            Some(ExpenseItem {
                vendor: p.vendor,
                department_id: d.id,
                department_name: d.name.clone(),
                charges: p.charges,
                cost_minor: p.cost.0,
                last_year_minor: p.last_year.0,
                renewal_interval: p.interval.as_str().into(),
                renewal_on: p.renewal_on,
                already,
            })
        })
        .collect())
}

/// The proposals someone chose to add.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ExpenseAdd {
    /// The proposals to add (as [`propose_from_expenses`] gave them).
    #[serde(default)]
    pub items: Vec<ExpenseItem>,
}

/// Adds the chosen proposals as register entries found in the expense export, in one
/// transaction (all or none), then matches them; returns their ids.
pub async fn add_from_expenses(
    db: &Db,
    actor: &Actor,
    f: &ExpenseAdd,
) -> Result<Vec<i64>, AppError> {
    if f.items.is_empty() {
        return Err(AppError::invalid(
            "items",
            "choose at least one tool to add",
        ));
    }
    let mut inputs = Vec::with_capacity(f.items.len());
    for (i, item) in f.items.iter().enumerate() {
        can(
            actor,
            Action::DeclareSoftware {
                department: DepartmentId(item.department_id),
            },
        )?;
        known_department(db, item.department_id).await?;
        let cost = format!(
            "{}.{:02}",
            item.cost_minor / 100,
            (item.cost_minor % 100).abs()
        );
        let renewal = item.renewal_on.to_string();
        let input = SoftwareInput::parse(&SoftwareRaw {
            name: &item.vendor,
            vendor: &item.vendor,
            purpose: "Found in the expense export: what it is for is still to be told",
            department: Some(item.department_id),
            data_class: "internal",
            cost: &cost,
            renewal_on: &renewal,
            interval: &item.renewal_interval,
            ..Default::default()
        })
        .map_err(|e| {
            AppError::Invalid(
                e.0.into_iter()
                    .map(|x| {
                        duet_core::FieldError::new(format!("items[{i}].{}", x.field), x.message)
                    })
                    .collect(),
            )
        })?;
        inputs.push(input);
    }
    let ids = store::insert_many(db, &inputs, actor.user.0, Utc::now()).await?;
    match_register(db, None).await?;
    Ok(ids)
}

/// How much an entry costs a year, in minor units (a one-off cost is not yearly: none).
pub fn yearly_cost(s: &Software) -> Option<i64> {
    let per_year = match s.renewal_interval.parse::<Interval>().ok()? {
        Interval::Monthly => 12,
        Interval::Quarterly => 4,
        Interval::Yearly => 1,
        Interval::None => return None,
    };
    s.cost_minor.map(|c| c * per_year)
}

/// Tools that overlap: the same kind of tool (category) or the same product (vendor and name)
/// in two or more departments — a chance to decide holistically.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = SoftwareOverlap)]
pub struct Overlap {
    /// The kind or product they share.
    pub what: String,
    /// The entries.
    pub entries: Vec<OverlapEntry>,
    /// What they cost together a year, in minor units (of the costs known).
    pub yearly_cost: i64,
    /// Whether a renewing tool of it has no cost recorded (the sum is then a floor).
    pub costs_unknown: bool,
}

/// One tool of an overlap.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OverlapEntry {
    /// The entry.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its department.
    pub department: String,
}

/// How many advisories of one source are held.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SourceCount {
    /// `kev` or `osv`.
    pub source: String,
    /// How many.
    pub count: i64,
}

/// Every overlap in `all`.
pub fn overlaps(all: &[Software]) -> Vec<Overlap> {
    use std::collections::BTreeMap;
    let mut by: BTreeMap<String, Vec<&Software>> = BTreeMap::new();
    for s in all {
        let product = format!("{} {}", alias_key(&s.vendor), alias_key(&s.name));
        by.entry(format!("product:{product}")).or_default().push(s);
        let kind = alias_key(&s.category);
        if !kind.is_empty() {
            by.entry(format!("kind:{kind}")).or_default().push(s);
        }
    }
    let mut out: Vec<Overlap> = Vec::new();
    for (key, list) in by {
        let mut depts: Vec<i64> = list.iter().map(|s| s.department_id).collect();
        depts.sort_unstable();
        depts.dedup();
        if depts.len() < 2 {
            continue;
        }
        let what = if let Some(k) = key.strip_prefix("kind:") {
            list.iter()
                .map(|s| s.category.clone())
                .next()
                .unwrap_or_else(|| k.to_string())
        } else {
            format!("{} ({})", list[0].name, list[0].vendor)
        };
        // A product overlap already shown as a kind overlap adds nothing.
        let ids: Vec<i64> = list.iter().map(|s| s.id).collect();
        if out
            .iter()
            .any(|o| ids.iter().all(|i| o.entries.iter().any(|e| e.id == *i)))
        {
            continue;
        }
        out.push(Overlap {
            what,
            yearly_cost: list.iter().filter_map(|s| yearly_cost(s)).sum(),
            costs_unknown: list.iter().any(|s| s.cost_minor.is_none()),
            entries: list
                .iter()
                .map(|s| OverlapEntry {
                    id: s.id,
                    name: s.name.clone(),
                    department: s.department_name.clone(),
                })
                .collect(),
        });
    }
    out
}

/// The register as its page and the API show it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Register {
    /// Entries, by department and name.
    pub entries: Vec<Software>,
    /// Overlaps across departments.
    pub overlaps: Vec<Overlap>,
    /// Entries never reviewed.
    pub unreviewed: usize,
    /// Entries without a CPE or package URL (they cannot be matched by identifier).
    pub unidentified: usize,
    /// Entries with open or confirmed findings.
    pub with_findings: usize,
    /// Advisories held, per source.
    pub advisories: Vec<SourceCount>,
    /// What the reader may do.
    pub may_review: bool,
    /// The reader may import advisories.
    pub may_import: bool,
}

/// The whole register and its overlaps, read once per write.
pub struct RegisterData {
    all: Vec<Software>,
    overlaps: Vec<Overlap>,
    advisories: Vec<SourceCount>,
}

/// One entry's reviews, conditions and findings, read once per write.
pub struct EntryData {
    reviews: Vec<Review>,
    conditions: Vec<Condition>,
    findings: Vec<Finding>,
}

/// The software area's read caches: each exact while this process wrote nothing since, and at
/// most two seconds old (`service::fresh`).
#[derive(Default)]
pub struct SoftwareCaches {
    register: crate::service::fresh::FreshCell<RegisterData>,
    entries: crate::service::fresh::FreshMap<i64, EntryData, 256>,
    /// Each view of the register (department, may review, may import), with its JSON.
    views: crate::service::fresh::FreshMap<
        (Option<i64>, bool, bool),
        crate::service::fresh::Served<Register>,
        64,
    >,
    /// The register table's rows, rendered (by the pages), per department shown.
    pub(crate) rows_html: crate::service::fresh::FreshMap<Option<i64>, String, 64>,
}

impl SoftwareCaches {
    async fn data(&self, db: &Db) -> Result<std::sync::Arc<RegisterData>, AppError> {
        self.register
            .get_or_load(|| async move {
                let all = store::list_software(db, None).await?;
                let overlaps = overlaps(&all);
                let advisories = adv::counts(db)
                    .await?
                    .into_iter()
                    .map(|(source, count)| SourceCount { source, count })
                    .collect();
                Ok::<_, AppError>(RegisterData {
                    all,
                    overlaps,
                    advisories,
                })
            })
            .await
    }
}

/// The register, for everyone (one department's with `department`: its leaders' view), built
/// once per write for each kind of reader.
pub async fn register(
    caches: &SoftwareCaches,
    db: &Db,
    actor: &Actor,
    department: Option<i64>,
) -> Result<std::sync::Arc<crate::service::fresh::Served<Register>>, AppError> {
    let key = (
        department,
        can(actor, Action::ReviewSoftware).is_ok(),
        can(actor, Action::ImportAdvisories).is_ok(),
    );
    caches
        .views
        .get_or_load(key, || async move {
            Ok::<_, AppError>(crate::service::fresh::Served::new(
                build_register(caches, db, key).await?,
            ))
        })
        .await
}

async fn build_register(
    caches: &SoftwareCaches,
    db: &Db,
    (department, may_review, may_import): (Option<i64>, bool, bool),
) -> Result<Register, AppError> {
    if let Some(d) = department {
        known_department(db, d)
            .await
            .map_err(|_| AppError::NotFound("department".into()))?;
    }
    let d = caches.data(db).await?;
    let entries: Vec<Software> = d
        .all
        .iter()
        .filter(|s| department.is_none_or(|x| s.department_id == x))
        .cloned()
        .collect();
    let overlaps = match department {
        None => d.overlaps.clone(),
        Some(x) => d
            .overlaps
            .iter()
            .filter(|o| {
                o.entries
                    .iter()
                    .any(|e| d.all.iter().any(|s| s.id == e.id && s.department_id == x))
            })
            .cloned()
            .collect(),
    };
    Ok(Register {
        unreviewed: entries.iter().filter(|s| s.decision.is_none()).count(),
        unidentified: entries
            .iter()
            .filter(|s| s.cpe.is_none() && s.purl.is_none())
            .count(),
        with_findings: entries.iter().filter(|s| s.open_findings > 0).count(),
        advisories: d.advisories.clone(),
        may_review,
        may_import,
        overlaps,
        entries,
    })
}

/// One entry's page.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EntryPage {
    /// The entry.
    pub software: Software,
    /// Its reviews, newest first.
    pub reviews: Vec<Review>,
    /// The latest review's conditions.
    pub conditions: Vec<Condition>,
    /// Its findings.
    pub findings: Vec<Finding>,
    /// Its cost a year, in minor units.
    pub yearly_cost: Option<i64>,
    /// Other departments' tools it overlaps with.
    pub overlaps: Vec<Overlap>,
    /// The reader may edit it.
    pub may_edit: bool,
    /// The reader may review it.
    pub may_review: bool,
}

/// One entry, for everyone.
pub async fn entry(
    caches: &SoftwareCaches,
    db: &Db,
    actor: &Actor,
    id: i64,
) -> Result<EntryPage, AppError> {
    let d = caches.data(db).await?;
    let software = match d.all.iter().find(|s| s.id == id) {
        Some(s) => s.clone(),
        None => store::find_software(db, id).await?,
    };
    let e = caches
        .entries
        .get_or_load(id, || async move {
            Ok::<_, AppError>(EntryData {
                reviews: store::reviews_of(db, id).await?,
                conditions: store::conditions_of(db, id).await?,
                findings: adv::findings(db, Some(id)).await?,
            })
        })
        .await?;
    Ok(EntryPage {
        reviews: e.reviews.clone(),
        conditions: e.conditions.clone(),
        findings: e.findings.clone(),
        yearly_cost: yearly_cost(&software),
        overlaps: d
            .overlaps
            .iter()
            .filter(|o| o.entries.iter().any(|x| x.id == id))
            .cloned()
            .collect(),
        may_edit: can(
            actor,
            Action::EditSoftware {
                department: DepartmentId(software.department_id),
            },
        )
        .is_ok(),
        may_review: can(actor, Action::ReviewSoftware).is_ok(),
        software,
    })
}

/// Sends the renewal reminders due today (90 and 30 days before, and on the day), each once;
/// returns how many went.
pub async fn send_renewal_reminders(db: &Db, today: NaiveDate) -> Result<u64, AppError> {
    let mut sent = 0;
    for (id, name, renewal_on, _, _) in
        store::renewals_due(db, today + chrono::Duration::days(90)).await?
    {
        let due = reminders_due(renewal_on, today);
        if due.is_empty() {
            continue;
        }
        let when = match (renewal_on - today).num_days() {
            0 => "today".to_string(),
            1 => format!("tomorrow, {renewal_on}"),
            d => format!("in {d} days, on {renewal_on}"),
        };
        let message =
            format!("{name} renews {when}: keep it, change it, or let it go. /software/{id}");
        if store::send_renewal_reminder(db, id, renewal_on, &due, &message, Utc::now()).await? {
            sent += 1;
        }
    }
    Ok(sent)
}
