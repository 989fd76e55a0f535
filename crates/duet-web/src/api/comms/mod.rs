//! `/api/v1/comms`: posts (reading, writing, a success story's approval, moderation), reactions,
//! comments, and an anonymous reply that lands in the Voice inbox.

pub mod editions;

use crate::api::voice::Receipt;
use crate::api::{ApiJson, ApiQuery, ErrorBody};
use crate::auth::ApiUser;
use crate::error::AppError;
use crate::service::comms::{self as svc, PostFields, PostView};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use duet_core::comms::PostKind;
use duet_store::comms::{Comment, Post, PostSummary};
use duet_store::{Page, PageRequest};

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/comms/posts", get(list_posts).post(create_post))
        .route("/comms/posts/mine", get(unpublished))
        .route("/comms/posts/{id}", get(get_post).put(update_post))
        .route("/comms/posts/{id}/approve", post(approve))
        .route("/comms/posts/{id}/return", post(send_back))
        .route("/comms/posts/{id}/hide", post(hide))
        .route("/comms/posts/{id}/restore", post(restore))
        .route("/comms/posts/{id}/reactions", post(react))
        .route("/comms/posts/{id}/comments", post(comment))
        .route(
            "/comms/posts/{id}/comments/{comment}",
            delete(remove_comment),
        )
        .route("/comms/posts/{id}/anonymous", post(anonymous_reply))
        .merge(editions::router())
}

/// Which posts, one page at a time.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this kind: `changing`, `coming_up`, `help`, `feedback` or `success_story`.
    #[param(value_type = Option<duet_core::comms::PostKind>, inline)]
    pub kind: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Published posts the caller may read (meant for everyone or their department; IT leaders,
/// executives and admins read all), newest first.
#[utoipa::path(get, path = "/comms/posts", tag = "comms", params(ListParams), responses((status = 200, body = Page<PostSummary>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_posts(
    State(state): State<AppState>,
    who: ApiUser,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<std::sync::Arc<Page<PostSummary>>>, AppError> {
    let kind = match p.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(k.parse::<PostKind>()?),
        None => None,
    };
    let window = PageRequest::new(p.limit, p.offset);
    Ok(Json(
        svc::list(&state.comms, &state.db, &who.actor(), kind, window).await?,
    ))
}

/// The caller's drafts, their stories waiting for an owner, and stories waiting for the caller's
/// approval.
#[utoipa::path(get, path = "/comms/posts/mine", tag = "comms", responses((status = 200, body = Vec<PostSummary>), (status = 401, body = ErrorBody)))]
pub async fn unpublished(
    State(state): State<AppState>,
    who: ApiUser,
) -> Result<Json<std::sync::Arc<Vec<PostSummary>>>, AppError> {
    Ok(Json(
        svc::unpublished(&state.comms, &state.db, &who.actor()).await?,
    ))
}

/// Writes a post. With `publish`, it is published at `publish_at` — a success story not written
/// by its business owner waits for their approval first; without, it stays a draft.
#[utoipa::path(post, path = "/comms/posts", tag = "comms", request_body = PostFields, responses((status = 201, body = Post), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_post(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(f): ApiJson<PostFields>,
) -> Result<(StatusCode, Json<Post>), AppError> {
    let p = svc::create(
        &state.db,
        &who.actor(),
        state.config.time_zone,
        &state.config.public_url,
        &f,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// One post with its audience, reactions, comments and what the caller may do; 404 when the
/// caller may not read it.
#[utoipa::path(get, path = "/comms/posts/{id}", tag = "comms", params(("id" = i64, Path, description = "Post id")), responses((status = 200, body = PostView), (status = 404, body = ErrorBody)))]
pub async fn get_post(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PostView>, AppError> {
    Ok(Json(
        svc::view(&state.comms, &state.db, &who.actor(), id).await?,
    ))
}

/// Replaces a post (a new revision). A success story edited by anyone but its owner waits for
/// their approval again.
#[utoipa::path(put, path = "/comms/posts/{id}", tag = "comms", params(("id" = i64, Path, description = "Post id")), request_body = PostFields, responses((status = 200, body = Post), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_post(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<PostFields>,
) -> Result<Json<Post>, AppError> {
    Ok(Json(
        svc::update(
            &state.db,
            &who.actor(),
            state.config.time_zone,
            &state.config.public_url,
            id,
            &f,
        )
        .await?,
    ))
}

/// The revision an owner approves.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ApproveFields {
    /// The revision read (a later edit is not approved by this).
    pub revision: i64,
}

/// The story's business owner approves the revision they read; it is published.
#[utoipa::path(post, path = "/comms/posts/{id}/approve", tag = "comms", params(("id" = i64, Path, description = "Post id")), request_body = ApproveFields, responses((status = 200, body = Post), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ApproveFields>,
) -> Result<Json<Post>, AppError> {
    Ok(Json(
        svc::approve(
            &state.db,
            &who.actor(),
            &state.config.public_url,
            id,
            f.revision,
        )
        .await?,
    ))
}

/// A note: what the owner asks to change, or why a moderator hides a post.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NoteFields {
    /// The text.
    #[serde(default)]
    pub text: String,
}

/// The story's business owner sends it back to its author with what to change.
#[utoipa::path(post, path = "/comms/posts/{id}/return", tag = "comms", params(("id" = i64, Path, description = "Post id")), request_body = NoteFields, responses((status = 200, body = Post), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn send_back(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<NoteFields>,
) -> Result<Json<Post>, AppError> {
    Ok(Json(
        svc::return_story(&state.db, &who.actor(), id, &f.text).await?,
    ))
}

/// A moderator hides a post, saying why.
#[utoipa::path(post, path = "/comms/posts/{id}/hide", tag = "comms", params(("id" = i64, Path, description = "Post id")), request_body = NoteFields, responses((status = 200, body = Post), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn hide(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<NoteFields>,
) -> Result<Json<Post>, AppError> {
    Ok(Json(
        svc::moderate(&state.db, &who.actor(), id, Some(&f.text)).await?,
    ))
}

/// A moderator restores a hidden post as a draft of its author.
#[utoipa::path(post, path = "/comms/posts/{id}/restore", tag = "comms", params(("id" = i64, Path, description = "Post id")), responses((status = 200, body = Post), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn restore(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Post>, AppError> {
    Ok(Json(
        svc::moderate(&state.db, &who.actor(), id, None).await?,
    ))
}

/// A reaction to leave or take back.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReactionFields {
    /// `thanks`, `useful` or `celebrate`.
    #[serde(default)]
    pub kind: String,
    /// True to leave it, false to take it back.
    #[serde(default)]
    pub on: bool,
}

/// Leaves or takes back the caller's reaction to a published post.
#[utoipa::path(post, path = "/comms/posts/{id}/reactions", tag = "comms", params(("id" = i64, Path, description = "Post id")), request_body = ReactionFields, responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn react(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<ReactionFields>,
) -> Result<StatusCode, AppError> {
    svc::react(&state.comms, &state.db, &who.actor(), id, &f.kind, f.on).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Comments on a published post, signed with the caller's name.
#[utoipa::path(post, path = "/comms/posts/{id}/comments", tag = "comms", params(("id" = i64, Path, description = "Post id")), request_body = NoteFields, responses((status = 201, body = Comment), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn comment(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<NoteFields>,
) -> Result<(StatusCode, Json<Comment>), AppError> {
    let c = svc::comment(&state.comms, &state.db, &who.actor(), id, &f.text).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// Removes a comment: its author, or a moderator.
#[utoipa::path(delete, path = "/comms/posts/{id}/comments/{comment}", tag = "comms", params(("id" = i64, Path, description = "Post id"), ("comment" = i64, Path, description = "Comment id")), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_comment(
    State(state): State<AppState>,
    who: ApiUser,
    Path((id, comment)): Path<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    svc::hide_comment(&state.db, &who.actor(), id, comment).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replies to a published post anonymously: the reply becomes a pain point in the Voice inbox of
/// the post's author's department, under Voice's rules (nothing about the caller is kept; the
/// receipt code is the only way back to it).
#[utoipa::path(post, path = "/comms/posts/{id}/anonymous", tag = "comms", params(("id" = i64, Path, description = "Post id")), request_body = NoteFields, responses((status = 201, body = Receipt), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn anonymous_reply(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<i64>,
    ApiJson(f): ApiJson<NoteFields>,
) -> Result<(StatusCode, Json<Receipt>), AppError> {
    let receipt = svc::anonymous_reply(&state.comms, &state.db, &who.actor(), id, &f.text).await?;
    Ok((StatusCode::CREATED, Json(Receipt { receipt })))
}
