//! Promise pages: the ledger, one promise with its history, and trust per department pair.

use crate::auth::SignedIn;
use crate::error::{AppError, PageError};
use crate::html::{Choice, FormErrors, Layout, render, render_status};
use crate::pages::done;
use crate::pages::form_errors;
use crate::service::promises::{self as svc, PromiseFields, TrustPair, TrustPairView};
use crate::state::AppState;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use duet_core::auth::{Action, can};
use duet_core::org::{DepartmentId, Level};
use duet_store::promises::{Promise, PromiseEvent, PromiseFilter};
use duet_store::{Page, PageRequest, org};
use std::sync::Arc;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/promises", get(list_promises).post(create_promise))
        .route("/promises/{id}", get(show_promise))
        .route("/promises/{id}/close", post(close_promise))
        .route("/promises/{id}/renegotiate", post(renegotiate))
        .route("/trust", get(show_trust))
        .route("/trust/{from}/{to}", get(show_pair))
}

#[derive(Debug, Default, serde::Deserialize)]
struct LedgerQuery {
    #[serde(default)]
    view: String,
    #[serde(default)]
    offset: i64,
}

/// Promises per page of the ledger.
const LEDGER_PAGE: i64 = 50;

/// A form that records a promise as a browser sends it (the ledger's, and a review's decision
/// form, whose text is the decision and which is a promise only when a promisor is typed): the
/// promisor is typed (with suggestions) rather than picked from a list of everyone.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct PromiseForm {
    /// Who promised.
    #[serde(flatten)]
    pub who: PromisorTyped,
    /// The department promised to.
    #[serde(default, deserialize_with = "crate::service::de::opt_id")]
    pub promisee_department_id: Option<i64>,
    /// executive, manager or individual.
    #[serde(default)]
    pub level: String,
    /// What was promised (or decided).
    #[serde(default)]
    pub text: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub due_on: String,
}

/// What a promisor picker ([`PromisorPicker`]) sends; flatten it into the form that has one.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct PromisorTyped {
    /// "Name · Department · e-mail" from the suggestions, an e-mail, or a name.
    #[serde(default)]
    pub promisor: String,
    /// Set by the form when the actor can only record their own promises.
    #[serde(default, deserialize_with = "crate::service::de::opt_id")]
    pub promisor_id: Option<i64>,
}

impl PromiseForm {
    fn fields(&self, promisor: Option<i64>) -> PromiseFields {
        PromiseFields {
            promisor_id: promisor,
            promisee_department_id: self.promisee_department_id,
            level: self.level.clone(),
            text: self.text.clone(),
            due_on: self.due_on.clone(),
            ..Default::default()
        }
    }
}

#[derive(Template)]
#[template(path = "promises/promises.html")]
struct LedgerPage {
    layout: Layout,
    view: String,
    promises: Arc<Page<Promise>>,
    prev: Option<String>,
    next: Option<String>,
    form: PromiseForm,
    /// "Who promised" (the form is offered only when `picker.offered()`).
    picker: PromisorPicker,
    departments: Vec<Choice>,
    levels: Vec<Choice>,
    errors: FormErrors,
}

/// A picker's suggestions as `<option>`s (escaped by askama).
#[derive(Template)]
#[template(
    source = "{% for s in list %}<option value=\"{{ s }}\"></option>{% endfor %}",
    ext = "html"
)]
struct SuggestionOptions<'a> {
    list: &'a [String],
}

/// The "who promised" input of every form that records a promise (the ledger, a review's
/// decision, a pain point turned into a promise), rendered by `promises/picker.html` (include it
/// where a template has a `picker`). It searches rather than lists: people type part of a name or
/// e-mail and pick from suggestions of only the people they may record for
/// (`can(Action::RecordPromise{..})`); [`typed_promisor`] reads the answer back.
pub(crate) struct PromisorPicker {
    /// The input's id, unique on its page.
    pub id: &'static str,
    /// The label people see.
    pub label: &'static str,
    /// Whether the promise is optional (a review decision may be just a decision).
    pub optional: bool,
    /// What was typed, shown again after a refusal.
    pub typed: String,
    /// Whether the actor may record for other people (then the input and suggestions show).
    pub for_others: bool,
    /// When the actor may only record their own promises: their person id and name.
    pub only_self: Option<(i64, String)>,
    /// Whether the "my promise" box was ticked (an optional picker with `only_self`).
    pub mine: bool,
    /// Suggestions' `<option>`s: "Name · Department · e-mail" of the people the actor may record
    /// for, rendered once per cached list (see `svc::Suggestions`).
    pub suggestions: String,
    /// The refusal for this field, or empty.
    pub error: String,
}

impl PromisorPicker {
    /// Whether the actor may record any promise at all (else the form is not offered).
    pub fn offered(&self) -> bool {
        self.for_others || self.only_self.is_some()
    }
}

/// Builds the picker for `who`: anyone may record their own promises; recording for others is
/// for the department's business leader, IT leaders and admins (the rule the service enforces).
/// `typed` is what a refused form sent; `errors` its refusal.
pub(crate) async fn promisor_picker(
    state: &AppState,
    who: &SignedIn,
    (id, label, optional): (&'static str, &'static str, bool),
    typed: &PromisorTyped,
    errors: &FormErrors,
) -> Result<PromisorPicker, AppError> {
    let actor = who.actor();
    let me = who.user.person_id;
    let for_others = can(
        &actor,
        Action::RecordPromise {
            promisor_department: actor.department.unwrap_or(DepartmentId(0)),
            promisor: None,
        },
    )
    .is_ok();
    let (only_self, suggestions) = if for_others {
        let cache = svc::PromiseCache::of(state);
        let suggestions =
            svc::cached_promisor_suggestions(&cache, &state.db, &actor, me, 2000).await?;
        let html = suggestions
            .html
            .get_or_init(|| {
                SuggestionOptions {
                    list: &suggestions.list,
                }
                .render()
                .unwrap_or_default()
            })
            .clone();
        (None, html)
    } else if let Some(me) = me {
        let p = org::find_person(&state.db, duet_core::org::PersonId(me)).await?;
        (Some((me, p.name)), String::new())
    } else {
        (None, String::new())
    };
    Ok(PromisorPicker {
        id,
        label,
        optional,
        typed: typed.promisor.clone(),
        for_others,
        mine: typed.promisor_id.is_some() && typed.promisor_id == me,
        only_self,
        suggestions,
        error: errors.get("promisor_id").to_string(),
    })
}

/// The promisor a picker sent: the id when the actor may only record their own promises, else
/// the typed text resolved as the suggestions read (`svc::resolve_promisor`). Nothing when an
/// optional picker was left empty.
pub(crate) async fn typed_promisor(
    state: &AppState,
    who: &SignedIn,
    typed: &PromisorTyped,
    optional: bool,
) -> Result<Option<i64>, AppError> {
    if let Some(id) = typed.promisor_id {
        return Ok(Some(id));
    }
    if optional && typed.promisor.trim().is_empty() {
        return Ok(None);
    }
    svc::resolve_promisor(&state.db, &who.actor(), who.user.person_id, &typed.promisor)
        .await
        .map(Some)
}

/// The ledger's picker.
const LEDGER_PICKER: (&str, &str, bool) = ("promisor", "Who promised", false);

async fn ledger_page(
    state: &AppState,
    who: &SignedIn,
    view: String,
    offset: i64,
    form: PromiseForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let today = chrono::Utc::now().date_naive();
    let filter = match view.as_str() {
        "overdue" => PromiseFilter {
            overdue_on: Some(today),
            ..Default::default()
        },
        "all" => PromiseFilter::default(),
        _ => PromiseFilter {
            open_only: true,
            ..Default::default()
        },
    };
    let cache = svc::PromiseCache::of(state);
    let window = PageRequest::new(Some(LEDGER_PAGE), Some(offset));
    let promises = svc::cached_ledger(&cache, &state.db, filter, window).await?;
    let href = |offset: i64| {
        let view = form_urlencoded::byte_serialize(view.as_bytes()).collect::<String>();
        format!("/promises?view={view}&offset={offset}")
    };
    let prev = (window.offset > 0).then(|| href((window.offset - window.limit).max(0)));
    let next =
        (window.offset + window.limit < promises.total).then(|| href(window.offset + window.limit));
    let picker = promisor_picker(state, who, LEDGER_PICKER, &form.who, &errors).await?;
    let departments = crate::service::home::cached_departments(&state.home, &state.db).await?;
    let cur_d = form
        .promisee_department_id
        .map(|d| d.to_string())
        .unwrap_or_default();
    let departments = Choice::list(
        departments
            .iter()
            .map(|d| (d.id.to_string(), d.name.clone())),
        &cur_d,
    );
    // By default a promise is made at the promisor's own level (never above it).
    let levels = Choice::list(
        std::iter::once((String::new(), "The promisor's own level".to_string())).chain(
            Level::ALL
                .iter()
                .map(|l| (l.as_str().to_string(), l.label().to_string())),
        ),
        &form.level,
    );
    Ok(render_status(
        status,
        LedgerPage {
            layout: Layout::new(who, "Promises", "promises"),
            view,
            promises,
            prev,
            next,
            form,
            picker,
            departments,
            levels,
            errors,
        },
    ))
}

async fn list_promises(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<LedgerQuery>,
) -> Result<Response, PageError> {
    ledger_page(
        &state,
        &who,
        q.view,
        q.offset,
        PromiseForm::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn create_promise(
    State(state): State<AppState>,
    who: SignedIn,
    Form(form): Form<PromiseForm>,
) -> Result<Response, PageError> {
    let actor = who.actor();
    let promisor = typed_promisor(&state, &who, &form.who, false).await;
    let result = match promisor {
        Ok(id) => svc::record(&state.db, &state.promises, &actor, &form.fields(id)).await,
        // Report the other fields too, with the promisor's own message.
        Err(AppError::Invalid(who_errs)) => {
            match svc::record(&state.db, &state.promises, &actor, &form.fields(None)).await {
                Err(AppError::Invalid(mut errs)) => {
                    errs.retain(|e| e.field != "promisor_id");
                    errs.splice(0..0, who_errs);
                    Err(AppError::Invalid(errs))
                }
                _ => Err(AppError::Invalid(who_errs)),
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(p) => {
            done(
                &state,
                &who,
                &format!("/promises/{}", p.id),
                "Promise recorded.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            ledger_page(&state, &who, String::new(), 0, form, errors, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "promises/promise.html")]
struct PromisePage {
    layout: Layout,
    p: Promise,
    history: Vec<PromiseEvent>,
    can_answer: bool,
    overdue: bool,
    errors: FormErrors,
}

async fn promise_page(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let svc::PromiseView {
        promise: p,
        history,
    } = svc::view(&state.db, id).await?;
    let can_answer = can(
        &who.actor(),
        Action::AnswerPromise {
            promisee: DepartmentId(p.promisee_department_id),
        },
    )
    .is_ok();
    let overdue = p.status == duet_core::promises::PromiseStatus::Open
        && p.due_on < chrono::Utc::now().date_naive();
    Ok(render_status(
        status,
        PromisePage {
            layout: Layout::new(who, "Promise", "promises"),
            p,
            history,
            can_answer,
            overdue,
            errors,
        },
    ))
}

async fn show_promise(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    promise_page(&state, &who, id, FormErrors::default(), StatusCode::OK).await
}

#[derive(serde::Deserialize)]
struct CloseForm {
    #[serde(default)]
    outcome: String,
}

async fn close_promise(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<CloseForm>,
) -> Result<Response, PageError> {
    match svc::close(&state.db, &who.actor(), id, f.outcome == "kept").await {
        Ok(_) => {
            done(
                &state,
                &who,
                &format!("/promises/{id}"),
                "Recorded. Trust follows what happened.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            promise_page(&state, &who, id, errors, status).await
        }
    }
}

#[derive(serde::Deserialize)]
struct RenegotiateForm {
    #[serde(default)]
    due_on: String,
}

async fn renegotiate(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Form(f): Form<RenegotiateForm>,
) -> Result<Response, PageError> {
    match svc::renegotiate(&state.db, &who.actor(), id, &f.due_on).await {
        Ok(_) => {
            done(
                &state,
                &who,
                &format!("/promises/{id}"),
                "New due date agreed.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            promise_page(&state, &who, id, errors, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "promises/trust.html")]
struct TrustPage {
    layout: Layout,
    pairs: Arc<Vec<TrustPair>>,
}

async fn show_trust(State(state): State<AppState>, who: SignedIn) -> Result<Response, PageError> {
    let pairs = svc::cached_trust_pairs(&svc::PromiseCache::of(&state), &state.db).await?;
    Ok(render(TrustPage {
        layout: Layout::new(&who, "Trust", "promises"),
        pairs,
    }))
}

#[derive(Template)]
#[template(path = "promises/pair.html")]
struct PairPage {
    layout: Layout,
    v: TrustPairView,
}

async fn show_pair(
    State(state): State<AppState>,
    who: SignedIn,
    Path((from, to)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let v = svc::trust_pair(&state.db, from, to).await?;
    Ok(render(PairPage {
        layout: Layout::new(
            &who,
            format!("Trust: {} → {}", v.pair.from_name, v.pair.to_name),
            "promises",
        ),
        v,
    }))
}
