//! The voice inbox: anyone posts a pain point to a department and keeps a receipt code; triagers
//! of that department answer, publish, or turn it into a request or a promise.
//!
//! Nothing about the author is read here: no account, no address, no user agent, and only the
//! day. These handlers never log.

use crate::error::AppError;
use crate::service::de;
use chrono::Utc;
use duet_core::auth::{Action, Actor, can};
use duet_core::org::DepartmentId;
use duet_core::promises::PromiseInput;
use duet_core::requests::RequestInput;
use duet_core::voice::{self, PainStatus};
use duet_store::Db;
use duet_store::voice::{self as store, Message, PainPoint};

/// A new pain point (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct PostFields {
    /// The department it is addressed to.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub department_id: Option<i64>,
    /// What hurts (10 to 10,000 characters).
    #[serde(default)]
    pub text: String,
}

/// Posts a pain point and returns the receipt code, which exists nowhere else.
pub async fn post(db: &Db, f: &PostFields) -> Result<String, AppError> {
    let mut errs = duet_core::ValidationErrors::default();
    let text = errs.check(voice::parse_text("text", &f.text));
    let dept = f.department_id.filter(|d| *d > 0);
    if dept.is_none() {
        errs.0.push(duet_core::FieldError::new(
            "department_id",
            "is required: which department should hear this",
        ));
    }
    let (Some(text), Some(dept)) = (text, dept) else {
        return Err(errs.into());
    };
    if !errs.0.is_empty() {
        return Err(errs.into());
    }
    let (code, hash) = voice::new_receipt()?;
    store::post(db, dept, &text, &hash, Utc::now().date_naive()).await?;
    Ok(code)
}

/// What the author sees with their code.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AuthorView {
    /// The pain point and its outcome.
    pub pain_point: PainPoint,
    /// The thread.
    pub messages: Vec<Message>,
}

/// The one answer for a code that opens nothing, whether malformed, wrong or unknown.
fn no_such_receipt() -> AppError {
    AppError::NotFound("pain point for this receipt code".into())
}

/// Opens the pain point of a receipt code. Every code, well-formed or not, is hashed and looked
/// up the same way, so a wrong code and an unknown code cannot be told apart.
pub async fn open(db: &Db, receipt: &str) -> Result<AuthorView, AppError> {
    let hash = voice::hash_receipt(receipt);
    let found = store::by_receipt(db, &hash).await?;
    let Some(mut pain_point) = found else {
        return Err(no_such_receipt());
    };
    let messages = store::messages(db, pain_point.id).await?;
    // The author never needs the internal id.
    pain_point.id = 0;
    Ok(AuthorView {
        pain_point,
        messages,
    })
}

/// The author answers back.
pub async fn author_reply(db: &Db, receipt: &str, text: &str) -> Result<AuthorView, AppError> {
    let text = voice::parse_text("text", text)?;
    let hash = voice::hash_receipt(receipt);
    match store::author_reply(db, &hash, &text, Utc::now().date_naive()).await {
        Err(duet_store::StoreError::NotFound(_)) => return Err(no_such_receipt()),
        r => r?,
    }
    open(db, receipt).await
}

/// The departments whose pain points the actor triages (`None` = all).
pub fn triaged_departments(actor: &Actor) -> Option<Vec<i64>> {
    if can(
        actor,
        Action::TriageVoice {
            department: DepartmentId(i64::MIN),
        },
    )
    .is_ok()
    {
        return None;
    }
    Some(
        actor
            .department
            .filter(|d| can(actor, Action::TriageVoice { department: *d }).is_ok())
            .map(|d| vec![d.0])
            .unwrap_or_default(),
    )
}

/// Whether the actor triages any department's pain points (pages offer the inbox only then).
pub fn may_triage(actor: &Actor) -> bool {
    triaged_departments(actor).is_none_or(|d| !d.is_empty())
}

/// A pain point the actor may triage (403 otherwise): the check every triage action starts with.
async fn triageable(db: &Db, actor: &Actor, id: i64) -> Result<PainPoint, AppError> {
    let p = store::find(db, id).await?;
    can(
        actor,
        Action::TriageVoice {
            department: DepartmentId(p.department_id),
        },
    )?;
    Ok(p)
}

/// One pain point for a triager, after the permission check.
pub async fn find(db: &Db, actor: &Actor, id: i64) -> Result<(PainPoint, Vec<Message>), AppError> {
    let p = triageable(db, actor, id).await?;
    let m = store::messages(db, id).await?;
    Ok((p, m))
}

/// A triager's reply, public answer or closing note.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReplyFields {
    /// The text.
    #[serde(default)]
    pub text: String,
}

/// What a triager does with a pain point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Triage {
    /// Answer the author privately.
    Reply,
    /// Publish an answer for everyone.
    Publish,
    /// Close with a last word.
    Close,
}

/// Replies, publishes or closes.
pub async fn triage(
    db: &Db,
    actor: &Actor,
    id: i64,
    what: Triage,
    f: &ReplyFields,
) -> Result<(), AppError> {
    triageable(db, actor, id).await?;
    let text = voice::parse_multiline("text", &f.text, 2, 5000)?;
    let today = Utc::now().date_naive();
    match what {
        Triage::Reply => store::triager_reply(db, id, actor.user.0, &text, today).await?,
        Triage::Publish => store::publish(db, id, actor.user.0, &text, today).await?,
        Triage::Close => store::close(db, id, actor.user.0, &text, today).await?,
    }
    Ok(())
}

/// Turns a pain point into a request raised by the triager (the author stays anonymous).
pub async fn to_request(
    db: &Db,
    actor: &Actor,
    id: i64,
    f: &crate::service::requests::RequestFields,
) -> Result<duet_store::requests::Request, AppError> {
    let p = triageable(db, actor, id).await?;
    can(actor, Action::SubmitRequest)?;
    let input = RequestInput::parse(
        &f.title,
        &f.problem,
        &f.affected,
        &f.desired_outcome,
        f.department_id.or(Some(p.department_id)),
        &f.urgency,
        &f.date_needed,
    )?;
    Ok(duet_store::requests::insert_request_from_pain_point(
        db,
        actor.user.0,
        &input,
        id,
        Utc::now().date_naive(),
    )
    .await?)
}

/// Turns a pain point into a promise made by someone the triager may speak for.
pub async fn to_promise(
    db: &Db,
    actor: &Actor,
    id: i64,
    f: &crate::service::promises::PromiseFields,
) -> Result<duet_store::promises::Promise, AppError> {
    triageable(db, actor, id).await?;
    let today = Utc::now().date_naive();
    let mut input = PromiseInput::parse(
        f.promisor_id,
        f.promisee_department_id,
        crate::service::promises::level_to_parse(&f.level),
        &f.text,
        &f.due_on,
        "manual",
        None,
        today,
    )?;
    crate::service::promises::may_record_at_level(db, actor, &mut input, &f.level).await?;
    Ok(
        duet_store::promises::insert_promise_from_pain_point(db, actor.user.0, &input, id, today)
            .await?,
    )
}

/// The triage inbox one page at a time: pain points of the departments the actor triages,
/// narrowed to `department` when given (a department the actor does not triage gives an empty
/// page, as a filter that matches nothing).
pub async fn inbox_page(
    db: &Db,
    pages: &InboxPages,
    actor: &Actor,
    department: Option<i64>,
    status: Option<PainStatus>,
    window: duet_store::PageRequest,
) -> Result<std::sync::Arc<duet_store::Page<PainPoint>>, AppError> {
    let scope = match triaged_departments(actor) {
        None => department,
        Some(ds) => match (ds.as_slice(), department) {
            ([], _) => {
                return Err(duet_core::auth::Denied(
                    "triage pain points (department leaders, executives, IT leaders and admins do)",
                )
                .into());
            }
            ([own], None) => Some(*own),
            (_, None) => {
                return Err(duet_core::FieldError::new(
                    "department_id",
                    "is required: choose one of the departments whose pain points you triage",
                )
                .into());
            }
            (_, Some(d)) if ds.contains(&d) => Some(d),
            (_, Some(_)) => {
                return Ok(std::sync::Arc::new(duet_store::Page {
                    items: Vec::new(),
                    total: 0,
                    limit: window.limit,
                    offset: window.offset,
                }));
            }
        },
    };
    Ok(pages
        .0
        .get_or_load((scope, status, window), || {
            store::page(db, scope, status, window)
        })
        .await?)
}

/// Recently read inbox pages by (department or all, status, window), per process: kept for one
/// write epoch and two seconds (`service::fresh`); who may read which scope is checked first,
/// on every view.
#[derive(Default)]
pub struct InboxPages(
    crate::service::fresh::FreshMap<
        (Option<i64>, Option<PainStatus>, duet_store::PageRequest),
        duet_store::Page<PainPoint>,
    >,
);
