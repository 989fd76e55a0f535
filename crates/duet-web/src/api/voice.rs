//! `/api/v1/voice`: posting a pain point (no token needed, nothing about the caller kept), the
//! author's receipt-code access, and the triage actions.

use crate::api::{ApiJson, ApiQuery, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::promises::PromiseFields;
use crate::service::requests::RequestFields;
use crate::service::voice::{self as svc, AuthorView, PostFields, ReplyFields, Triage};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use duet_core::voice::PainStatus;
use duet_store::voice::{Message, PainPoint};
use duet_store::{Page, PageRequest};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/voice", post(post_pain_point))
        .route("/voice/published", get(published))
        .route("/voice/receipt", post(open_receipt))
        .route("/voice/receipt/reply", post(author_reply))
        .route("/voice/inbox", get(inbox))
        .route("/voice/inbox/{id}", get(get_pain_point))
        .route("/voice/inbox/{id}/reply", post(reply))
        .route("/voice/inbox/{id}/publish", post(publish))
        .route("/voice/inbox/{id}/close", post(close))
        .route("/voice/inbox/{id}/request", post(to_request))
        .route("/voice/inbox/{id}/promise", post(to_promise))
}

/// The receipt code, shown once.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Receipt {
    /// Keep it: it is the only way back to the pain point, and Duet cannot recover it.
    pub receipt: String,
}

/// Posts a pain point, signed in or not. No token is read and nothing about the caller is kept.
#[utoipa::path(post, path = "/voice", tag = "voice", request_body = PostFields, security(()), responses((status = 201, body = Receipt), (status = 422, body = ErrorBody)))]
pub async fn post_pain_point(
    State(state): State<AppState>,
    ApiJson(f): ApiJson<PostFields>,
) -> Result<(StatusCode, Json<Receipt>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(Receipt {
            receipt: svc::post(&state.db, &f).await?,
        }),
    ))
}

/// Which published answers, one page at a time.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublishedParams {
    /// Only those addressed to this department.
    pub department_id: Option<i64>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Answers published for everyone, newest first, one page at a time (ids are never shown).
#[utoipa::path(get, path = "/voice/published", tag = "voice", params(PublishedParams), security(()), responses((status = 200, body = Page<PainPoint>)))]
pub async fn published(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<PublishedParams>,
) -> Result<Json<Page<PainPoint>>, AppError> {
    let window = PageRequest::new(p.limit, p.offset);
    let mut page = duet_store::voice::page_published(&state.db, p.department_id, window).await?;
    for p in &mut page.items {
        p.id = 0;
    }
    Ok(Json(page))
}

/// A receipt code (and, for a reply, the text).
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReceiptFields {
    /// The code shown when the pain point was posted.
    #[serde(default)]
    pub receipt: String,
    /// The author's reply.
    #[serde(default)]
    pub text: String,
}

/// Opens a pain point with its receipt code (404, the same for any code that opens nothing).
#[utoipa::path(post, path = "/voice/receipt", tag = "voice", request_body = ReceiptFields, security(()), responses((status = 200, body = AuthorView), (status = 404, body = ErrorBody)))]
pub async fn open_receipt(
    State(state): State<AppState>,
    ApiJson(f): ApiJson<ReceiptFields>,
) -> Result<Json<AuthorView>, AppError> {
    Ok(Json(svc::open(&state.db, &f.receipt).await?))
}

/// The author replies.
#[utoipa::path(post, path = "/voice/receipt/reply", tag = "voice", request_body = ReceiptFields, security(()), responses((status = 200, body = AuthorView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn author_reply(
    State(state): State<AppState>,
    ApiJson(f): ApiJson<ReceiptFields>,
) -> Result<Json<AuthorView>, AppError> {
    Ok(Json(
        svc::author_reply(&state.db, &f.receipt, &f.text).await?,
    ))
}

/// Inbox filter and page.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    /// new, answered, request, promise or closed.
    #[param(value_type = Option<duet_core::voice::PainStatus>, inline)]
    pub status: Option<String>,
    /// Only pain points addressed to this department (one the caller triages; another gives an
    /// empty page).
    pub department_id: Option<i64>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Pain points of the departments the caller triages, newest day first, one page at a time.
#[utoipa::path(get, path = "/voice/inbox", tag = "voice", params(InboxParams), responses((status = 200, body = Page<PainPoint>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn inbox(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(p): ApiQuery<InboxParams>,
) -> Result<Json<std::sync::Arc<Page<PainPoint>>>, AppError> {
    let status = match p.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(s.parse::<PainStatus>()?),
        None => None,
    };
    let window = PageRequest::new(p.limit, p.offset);
    Ok(Json(
        svc::inbox_page(
            &state.db,
            &state.inbox,
            &who.actor(),
            p.department_id,
            status,
            window,
        )
        .await?,
    ))
}

/// A pain point and its thread.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TriageView {
    /// The pain point.
    pub pain_point: PainPoint,
    /// The thread.
    pub messages: Vec<Message>,
}

/// One pain point, for its triagers.
#[utoipa::path(get, path = "/voice/inbox/{id}", tag = "voice", params(("id" = i64, Path, description = "Pain point id")), responses((status = 200, body = TriageView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_pain_point(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<TriageView>, AppError> {
    let (pain_point, messages) = svc::find(&state.db, &who.actor(), id).await?;
    Ok(Json(TriageView {
        pain_point,
        messages,
    }))
}

/// Replies privately to the author.
#[utoipa::path(post, path = "/voice/inbox/{id}/reply", tag = "voice", params(("id" = i64, Path, description = "Pain point id")), request_body = ReplyFields, responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reply(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ReplyFields>,
) -> Result<StatusCode, AppError> {
    svc::triage(&state.db, &who.actor(), id, Triage::Reply, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Publishes an answer for everyone.
#[utoipa::path(post, path = "/voice/inbox/{id}/publish", tag = "voice", params(("id" = i64, Path, description = "Pain point id")), request_body = ReplyFields, responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ReplyFields>,
) -> Result<StatusCode, AppError> {
    svc::triage(&state.db, &who.actor(), id, Triage::Publish, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Closes with a last word.
#[utoipa::path(post, path = "/voice/inbox/{id}/close", tag = "voice", params(("id" = i64, Path, description = "Pain point id")), request_body = ReplyFields, responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ReplyFields>,
) -> Result<StatusCode, AppError> {
    svc::triage(&state.db, &who.actor(), id, Triage::Close, &f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Turns the pain point into a request raised by the caller.
#[utoipa::path(post, path = "/voice/inbox/{id}/request", tag = "voice", params(("id" = i64, Path, description = "Pain point id")), request_body = RequestFields, responses((status = 201, body = duet_store::requests::Request), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn to_request(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<RequestFields>,
) -> Result<(StatusCode, Json<duet_store::requests::Request>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(svc::to_request(&state.db, &who.actor(), id, &f).await?),
    ))
}

/// Turns the pain point into a promise.
#[utoipa::path(post, path = "/voice/inbox/{id}/promise", tag = "voice", params(("id" = i64, Path, description = "Pain point id")), request_body = PromiseFields, responses((status = 201, body = duet_store::promises::Promise), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn to_promise(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<PromiseFields>,
) -> Result<(StatusCode, Json<duet_store::promises::Promise>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(svc::to_promise(&state.db, &who.actor(), id, &f).await?),
    ))
}
