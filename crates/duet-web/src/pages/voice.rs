//! Voice pages: the public form and receipt lookup (signed in or not), published answers, and the
//! triage inbox. The author's pages never put the receipt code in a URL or a log; after sending,
//! the code rides once in a short-lived, path-scoped, HttpOnly, SameSite=Strict cookie from the
//! POST's 303 to `/voice/sent`, which shows it and clears the cookie (POST-redirect-GET: a reload
//! shows no second receipt and creates nothing).

use crate::auth::SignedIn;
use crate::error::{AppError, PageError};
use crate::html::{Choice, FormErrors, Layout, render, render_status};
use crate::pages::promises::{PromisorPicker, PromisorTyped, promisor_picker, typed_promisor};
use crate::pages::{done, form_errors};
use crate::service::promises::PromiseFields;
use crate::service::requests::RequestFields;
use crate::service::voice::{self as svc, AuthorView, PostFields, ReplyFields, Triage};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use duet_core::voice::PainStatus;
use duet_store::voice::{Message, PainPoint};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/voice", get(index).post(post_pain_point))
        .route(SENT_PATH, get(sent))
        .route("/voice/receipt", post(open_receipt))
        .route("/voice/receipt/reply", post(author_reply))
        .route("/voice/inbox", get(inbox))
        .route("/voice/inbox/{id}", get(show))
        .route("/voice/inbox/{id}/reply", post(reply))
        .route("/voice/inbox/{id}/publish", post(publish))
        .route("/voice/inbox/{id}/close", post(close))
        .route("/voice/inbox/{id}/request", post(raise_request))
        .route("/voice/inbox/{id}/promise", post(record_promise))
}

fn layout(who: &Option<SignedIn>, title: &str) -> Layout {
    match who {
        Some(w) => Layout::new(w, title, "voice"),
        None => Layout::anonymous(title),
    }
}

#[derive(Template)]
#[template(path = "voice/index.html")]
struct IndexPage {
    layout: Layout,
    departments: Vec<Choice>,
    form: PostFields,
    errors: FormErrors,
    published: Vec<PainPoint>,
    receipt_error: bool,
    /// Whether to offer the triage inbox (only to those `can` lets triage).
    can_triage: bool,
}

async fn index_page(
    state: &AppState,
    who: &Option<SignedIn>,
    form: PostFields,
    errors: FormErrors,
    receipt_error: bool,
    status: StatusCode,
) -> Result<Response, PageError> {
    let cur = form
        .department_id
        .map(|d| d.to_string())
        .unwrap_or_default();
    let departments = Choice::list(
        duet_store::org::list_departments(&state.db, false)
            .await?
            .into_iter()
            .map(|d| (d.id.to_string(), d.name)),
        &cur,
    );
    Ok(render_status(
        status,
        IndexPage {
            layout: layout(who, "Voice"),
            departments,
            form,
            errors,
            published: duet_store::voice::published(&state.db, 20).await?,
            receipt_error,
            can_triage: who.as_ref().is_some_and(|w| svc::may_triage(&w.actor())),
        },
    ))
}

async fn index(
    State(state): State<AppState>,
    who: Option<SignedIn>,
) -> Result<Response, PageError> {
    index_page(
        &state,
        &who,
        PostFields::default(),
        FormErrors::default(),
        false,
        StatusCode::OK,
    )
    .await
}

/// Where the receipt is shown, once.
const SENT_PATH: &str = "/voice/sent";
/// The cookie carrying the receipt code from the POST to [`SENT_PATH`] (and nowhere else).
const RECEIPT_COOKIE: &str = "duet_receipt";

/// The `Set-Cookie` value handing the code to the receipt page (`None` clears it).
fn receipt_cookie(code: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    let (value, age) = match code {
        Some(c) => (c, 120),
        None => ("", 0),
    };
    format!(
        "{RECEIPT_COOKIE}={value}; Path={SENT_PATH}; HttpOnly; SameSite=Strict; Max-Age={age}{secure}"
    )
}

/// Whether a cookie value has the shape of a receipt code (anything else is not shown).
fn receipt_shaped(code: &str) -> bool {
    code.len() == 24
        && code
            .bytes()
            .all(|b| b == b'-' || b.is_ascii_digit() || b.is_ascii_uppercase())
}

#[derive(Template)]
#[template(path = "voice/receipt.html")]
struct ReceiptPage {
    layout: Layout,
    /// The code, or `None` when it was already shown.
    code: Option<String>,
}

/// Shows the receipt code once (from its cookie, which this response clears); a reload says it
/// was already shown and how to follow up. Never cached, never creates anything.
async fn sent(
    State(state): State<AppState>,
    who: Option<SignedIn>,
    headers: axum::http::HeaderMap,
) -> Result<Response, PageError> {
    let code = crate::auth::session::cookie(&headers, RECEIPT_COOKIE)
        .filter(|c| receipt_shaped(c))
        .map(str::to_string);
    let title = if code.is_some() {
        "Your receipt code"
    } else {
        "Receipt already shown"
    };
    let mut resp = render(ReceiptPage {
        layout: layout(&who, title),
        code,
    });
    let h = resp.headers_mut();
    h.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    if let Ok(v) =
        axum::http::HeaderValue::from_str(&receipt_cookie(None, state.config.secure_cookies))
    {
        h.insert(axum::http::header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// Sends a pain point: 303 to the receipt page, the code travelling only in its one-use cookie.
/// Nothing about the poster's session or account is read into, or written by, this request.
/// The 303 to the receipt page carrying a new pain point's code once (see the module docs); also
/// used by an anonymous reply to a post.
pub(crate) fn receipt_redirect(state: &AppState, code: &str) -> Response {
    let cookie = receipt_cookie(Some(code), state.config.secure_cookies);
    (
        StatusCode::SEE_OTHER,
        [
            (axum::http::header::LOCATION, SENT_PATH.to_string()),
            (axum::http::header::SET_COOKIE, cookie),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
    )
        .into_response()
}

async fn post_pain_point(
    State(state): State<AppState>,
    who: Option<SignedIn>,
    Form(f): Form<PostFields>,
) -> Result<Response, PageError> {
    match svc::post(&state.db, &f).await {
        Ok(code) => Ok(receipt_redirect(&state, &code)),
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            index_page(&state, &who, f, errors, false, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "voice/thread.html")]
struct ThreadPage {
    layout: Layout,
    view: AuthorView,
    receipt: String,
    errors: FormErrors,
    /// The reply as typed, kept when it is refused.
    text: String,
}

#[derive(Debug, Default, serde::Deserialize)]
struct ReceiptFields {
    #[serde(default)]
    receipt: String,
    #[serde(default)]
    text: String,
}

async fn open_receipt(
    State(state): State<AppState>,
    who: Option<SignedIn>,
    Form(f): Form<ReceiptFields>,
) -> Result<Response, PageError> {
    match svc::open(&state.db, &f.receipt).await {
        Ok(view) => Ok(render(ThreadPage {
            layout: layout(&who, "Your pain point"),
            view,
            receipt: f.receipt.trim().to_string(),
            errors: FormErrors::default(),
            text: String::new(),
        })),
        Err(AppError::NotFound(_)) => {
            index_page(
                &state,
                &who,
                PostFields::default(),
                FormErrors::default(),
                true,
                StatusCode::NOT_FOUND,
            )
            .await
        }
        Err(e) => Err(PageError(e)),
    }
}

async fn author_reply(
    State(state): State<AppState>,
    who: Option<SignedIn>,
    Form(f): Form<ReceiptFields>,
) -> Result<Response, PageError> {
    match svc::author_reply(&state.db, &f.receipt, &f.text).await {
        // The thread cannot be reached by a GET (the code is never in a URL), so it is shown here;
        // sending this form again (a reload) is sent to the Voice page instead of replying twice.
        Ok(view) => {
            let mut resp = render(ThreadPage {
                layout: layout(&who, "Your pain point"),
                view,
                receipt: f.receipt.trim().to_string(),
                errors: FormErrors::default(),
                text: String::new(),
            });
            resp.extensions_mut()
                .insert(crate::pages::once::Replay("/voice".into()));
            Ok(resp)
        }
        Err(AppError::NotFound(_)) => {
            index_page(
                &state,
                &who,
                PostFields::default(),
                FormErrors::default(),
                true,
                StatusCode::NOT_FOUND,
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            let view = match svc::open(&state.db, &f.receipt).await {
                Ok(v) => v,
                Err(e) => return Err(PageError(e)),
            };
            Ok(render_status(
                status,
                ThreadPage {
                    layout: layout(&who, "Your pain point"),
                    view,
                    receipt: f.receipt.trim().to_string(),
                    errors,
                    text: f.text,
                },
            ))
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct InboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    offset: i64,
}

#[derive(Template)]
#[template(path = "voice/inbox.html")]
struct InboxPage {
    layout: Layout,
    page: std::sync::Arc<duet_store::Page<PainPoint>>,
    statuses: Vec<Choice>,
    prev: Option<String>,
    next: Option<String>,
}

async fn inbox(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<InboxQuery>,
) -> Result<Response, PageError> {
    let status: Option<PainStatus> = q.status.parse().ok();
    let window = duet_store::PageRequest::new(Some(50), Some(q.offset));
    let page = svc::inbox_page(&state.db, &state.inbox, &who.actor(), None, status, window).await?;
    let href = |offset: i64| {
        format!(
            "/voice/inbox?status={}&offset={offset}",
            form_urlencoded::byte_serialize(q.status.as_bytes()).collect::<String>()
        )
    };
    let prev = (window.offset > 0).then(|| href((window.offset - window.limit).max(0)));
    let next =
        (window.offset + window.limit < page.total).then(|| href(window.offset + window.limit));
    let statuses = Choice::list(
        PainStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), s.label().to_string())),
        &q.status,
    );
    Ok(render(InboxPage {
        layout: Layout::new(&who, "Voice inbox", "voice"),
        page,
        statuses,
        prev,
        next,
    }))
}

/// What a triager typed into the form that was refused, so it is shown again as typed.
#[derive(Default)]
struct Typed {
    /// The refused form (`reply`, `publish`, `request`, `promise`, `close`).
    action: String,
    fields: Vec<(String, String)>,
}

impl Typed {
    /// The value typed into `field` of the `action` form, or empty.
    fn get(&self, action: &str, field: &str) -> &str {
        if self.action != action {
            return "";
        }
        self.fields
            .iter()
            .find(|(n, _)| n == field)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Whether `value` was chosen in `field` of the `action` form.
    fn is(&self, action: &str, field: &str, value: &str) -> bool {
        self.action == action && self.get(action, field) == value
    }

    /// Whether the `action` form was the refused one.
    fn was(&self, action: &str) -> bool {
        self.action == action
    }
}

/// The triage page's "turn into a promise" picker.
const PROMISE_PICKER: (&str, &str, bool) = ("pr-who", "Who promises", false);

#[derive(Template)]
#[template(path = "voice/triage.html")]
struct TriagePage {
    layout: Layout,
    p: PainPoint,
    messages: Vec<Message>,
    /// "Who promises", for turning the pain point into a promise.
    picker: PromisorPicker,
    departments: Vec<Choice>,
    errors: FormErrors,
    typed: Typed,
}

async fn triage_page(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    errors: FormErrors,
    typed: Typed,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (p, messages) = svc::find(&state.db, &who.actor(), id).await?;
    let picker = promisor_picker(
        state,
        who,
        PROMISE_PICKER,
        &PromisorTyped {
            promisor: typed.get("promise", "promisor").to_string(),
            promisor_id: typed.get("promise", "promisor_id").parse().ok(),
        },
        &errors,
    )
    .await?;
    let departments = Choice::list(
        duet_store::org::list_departments(&state.db, false)
            .await?
            .into_iter()
            .map(|d| (d.id.to_string(), d.name)),
        &p.department_id.to_string(),
    );
    Ok(render_status(
        status,
        TriagePage {
            layout: Layout::new(who, "Pain point", "voice"),
            p,
            messages,
            picker,
            departments,
            errors,
            typed,
        },
    ))
}

async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    triage_page(
        &state,
        &who,
        id,
        FormErrors::default(),
        Typed::default(),
        StatusCode::OK,
    )
    .await
}

/// What a triager does with a pain point: one route each, so an unknown action is the router's
/// 404 and each handler names what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InboxAction {
    Reply,
    Publish,
    Close,
    Request,
    Promise,
}

impl InboxAction {
    /// The last segment of its route, which the triage page also keeps to show the refused form.
    fn segment(self) -> &'static str {
        match self {
            Self::Reply => "reply",
            Self::Publish => "publish",
            Self::Close => "close",
            Self::Request => "request",
            Self::Promise => "promise",
        }
    }
}

/// The fields of a triage form as sent, kept in order so a refused form comes back as typed.
type Sent = Form<Vec<(String, String)>>;

async fn reply(
    s: State<AppState>,
    who: SignedIn,
    id: Path<i64>,
    f: Sent,
) -> Result<Response, PageError> {
    act(s, who, id, InboxAction::Reply, f).await
}

async fn publish(
    s: State<AppState>,
    who: SignedIn,
    id: Path<i64>,
    f: Sent,
) -> Result<Response, PageError> {
    act(s, who, id, InboxAction::Publish, f).await
}

async fn close(
    s: State<AppState>,
    who: SignedIn,
    id: Path<i64>,
    f: Sent,
) -> Result<Response, PageError> {
    act(s, who, id, InboxAction::Close, f).await
}

async fn raise_request(
    s: State<AppState>,
    who: SignedIn,
    id: Path<i64>,
    f: Sent,
) -> Result<Response, PageError> {
    act(s, who, id, InboxAction::Request, f).await
}

async fn record_promise(
    s: State<AppState>,
    who: SignedIn,
    id: Path<i64>,
    f: Sent,
) -> Result<Response, PageError> {
    act(s, who, id, InboxAction::Promise, f).await
}

async fn act(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    what: InboxAction,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let action = what.segment().to_string();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let actor = who.actor();
    let result: Result<&str, AppError> = match what {
        InboxAction::Reply | InboxAction::Publish | InboxAction::Close => {
            let what = match what {
                InboxAction::Reply => Triage::Reply,
                InboxAction::Publish => Triage::Publish,
                _ => Triage::Close,
            };
            svc::triage(
                &state.db,
                &actor,
                id,
                what,
                &ReplyFields { text: get("text") },
            )
            .await
            .map(|_| match what {
                Triage::Reply => "Reply sent to the author.",
                Triage::Publish => "Answer published.",
                Triage::Close => "Pain point closed.",
            })
        }
        InboxAction::Request => {
            let f = RequestFields {
                title: get("title"),
                problem: get("problem"),
                affected: get("affected"),
                desired_outcome: get("desired_outcome"),
                department_id: get("department_id").parse().ok(),
                urgency: get("urgency"),
                date_needed: get("date_needed"),
            };
            svc::to_request(&state.db, &actor, id, &f)
                .await
                .map(|_| "Request raised; the author can follow it.")
        }
        InboxAction::Promise => {
            let typed = PromisorTyped {
                promisor: get("promisor"),
                promisor_id: get("promisor_id").parse().ok(),
            };
            let promisor_id = match typed_promisor(&state, &who, &typed, false).await {
                Ok(who_promises) => who_promises,
                Err(e) => return refused(&state, &who, id, e, action, pairs).await,
            };
            let f = PromiseFields {
                promisor_id,
                promisee_department_id: get("promisee_department_id").parse().ok(),
                level: get("level"),
                text: get("text"),
                due_on: get("due_on"),
                source: String::new(),
                source_id: None,
            };
            svc::to_promise(&state.db, &actor, id, &f)
                .await
                .map(|_| "Promise recorded; the author can follow it.")
        }
    };
    match result {
        Ok(msg) => done(&state, &who, &format!("/voice/inbox/{id}"), msg).await,
        Err(e) => refused(&state, &who, id, e, action, pairs).await,
    }
}

/// The triage page again with a refusal and the refused form as typed.
async fn refused(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    e: AppError,
    action: String,
    fields: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let (status, errors) = form_errors(e)?;
    triage_page(state, who, id, errors, Typed { action, fields }, status).await
}
