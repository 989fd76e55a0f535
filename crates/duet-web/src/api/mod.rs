//! The JSON API under `/api/v1`, authenticated by personal bearer tokens, and its OpenAPI
//! document generated from the handlers' annotations.

pub mod accounts;
pub mod audit;
pub mod comms;
pub mod home;
pub mod listen;
pub mod mail;
pub mod metrics;
pub mod org;
pub mod portfolio;
pub mod promises;
pub mod relationships;
pub mod requests;
pub mod reviews;
pub mod rotation;
pub mod software;
pub mod sso;
pub mod voice;

use crate::error::AppError;
use crate::state::AppState;
use axum::Router;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use utoipa::OpenApi;

/// The API routes (mounted at `/api/v1`).
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(org::router())
        .merge(accounts::router())
        .merge(sso::router())
        .merge(audit::router())
        .merge(home::router())
        .merge(requests::router())
        .merge(portfolio::router())
        .merge(promises::router())
        .merge(metrics::router())
        .merge(reviews::router())
        .merge(listen::router())
        .merge(voice::router())
        .merge(comms::router())
        .merge(relationships::router())
        .merge(rotation::router())
        .merge(software::router())
        .merge(mail::router())
        .fallback(not_found)
}

async fn not_found() -> AppError {
    AppError::NotFound("API route".into())
}

/// The error body every failing API call returns.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code (`validation_failed`, `conflict`, `forbidden`, …).
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// The input field at fault, when there is one.
    pub field: Option<String>,
}

/// JSON body extractor whose rejections use the API error shape (400, 413, 415).
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(json_rejection(rej)),
        }
    }
}

fn json_rejection(rej: JsonRejection) -> AppError {
    let status = rej.status();
    let code = match status.as_u16() {
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        _ => "bad_request",
    };
    AppError::BadRequest {
        status: if status.as_u16() == 422 {
            axum::http::StatusCode::BAD_REQUEST
        } else {
            status
        },
        code,
        message: rej.body_text(),
    }
}

/// Query-string extractor whose rejections use the API error shape (400).
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rej) => Err(query_rejection(rej)),
        }
    }
}

fn query_rejection(rej: QueryRejection) -> AppError {
    AppError::BadRequest {
        status: axum::http::StatusCode::BAD_REQUEST,
        code: "bad_request",
        message: rej.body_text(),
    }
}

/// Adds the bearer-token security scheme to the document.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Documents the refusals every operation can give, so a client generated from the document
/// handles them: 401 where a token is needed, 400 where the path or query is read, 404 where the
/// path names a record, 413, 415 and 422 where a body is read, 429 on the throttled anonymous
/// posts. Each is the one JSON error shape. Statuses an operation documents itself are kept.
struct CommonResponses;

/// The schema of a text field that takes one of an enum's wire words: the field stays text in
/// Rust, so a wrong word is refused naming the field in people's words, while the document lists
/// the words (one schema, without the field's doc comment wrapped around it in an `allOf`).
pub fn words<T: utoipa::PartialSchema>() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>
{
    T::schema()
}

/// [`words`] for a field that may also be left out or `null`.
pub fn optional_words<T: utoipa::PartialSchema>()
-> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{OneOfBuilder, Schema, Type};
    use utoipa::openapi::{ObjectBuilder, RefOr};
    RefOr::T(Schema::OneOf(
        OneOfBuilder::new()
            .item(T::schema())
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .build(),
    ))
}

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let throttled = matches!(
                path.as_str(),
                "/voice" | "/voice/receipt" | "/voice/receipt/reply"
            ) || path.ends_with("/anonymous");
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                let public = op.security.as_ref().is_some_and(|reqs| {
                    reqs.iter()
                        .any(|r| serde_json::to_value(r).is_ok_and(|v| v == serde_json::json!({})))
                });
                let reads_params =
                    path.contains('{') || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let has_body = op.request_body.is_some();
                let mut wanted: Vec<(&str, &str)> = Vec::new();
                if !public {
                    wanted.push(("401", "No valid token was sent."));
                }
                if reads_params || has_body {
                    wanted.push((
                        "400",
                        "A path or query value, or the body, could not be read (not JSON, or a value of the wrong type).",
                    ));
                }
                if path.contains('{') {
                    wanted.push(("404", "Nothing has this id."));
                }
                if has_body {
                    wanted.push(("413", "The body is larger than Duet accepts."));
                    wanted.push(("415", "The body is not of the documented media type."));
                    wanted.push(("422", "A field is missing or invalid; `field` names it."));
                }
                if throttled {
                    wanted.push(("429", "Too many of these right now; see `Retry-After`."));
                }
                for (status, description) in wanted {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error(description).into());
                }
            }
        }
    }
}

/// The OpenAPI 3 description of `/api/v1`.
#[derive(OpenApi)]
#[openapi(
    info(title = "Duet API", description = "Duet's JSON API. Authenticate with a personal token: `Authorization: Bearer duet_…`. Errors are `{\"error\":{\"code\",\"message\",\"field\"}}`."),
    servers((url = "/api/v1")),
    paths(
        home::get_home,
        org::list_departments, org::create_department, org::get_department, org::update_department,
        org::archive_department, org::restore_department,
        org::list_people, org::create_person, org::get_person, org::update_person,
        org::archive_person, org::restore_person, org::import_people, org::export_people,
        accounts::me, accounts::change_password, accounts::list_users, accounts::create_user, accounts::update_user,
        accounts::list_tokens, accounts::create_token, accounts::revoke_token, sso::summary, sso::preview,
        audit::list, audit::export,
        requests::list_requests, requests::create_request, requests::import_history, requests::get_request, requests::state_need,
        requests::confirm_need, requests::record_attempt, requests::assign_team, requests::decide,
        requests::answer_alternative, requests::champion, requests::escalate, requests::allow_self_champion, requests::save_case,
        requests::sign_off, requests::advance, requests::record_benefit, portfolio::portfolio,
        portfolio::export_portfolio, portfolio::weights_history, portfolio::set_weights, portfolio::set_settings,
        portfolio::list_goals, portfolio::add_goal, portfolio::archive_goal, requests::list_teams,
        requests::team_stats, requests::notifications, requests::mark_read,
        promises::list_promises, promises::create_promise, promises::import_history, promises::get_promise, promises::close_promise,
        promises::renegotiate, promises::trust, promises::trust_pair,
        metrics::list_metrics, metrics::create_metric, metrics::get_metric, metrics::list_values, metrics::record_value,
        metrics::import_values, metrics::set_mapping, metrics::list_outcomes, metrics::add_outcome, metrics::archive_outcome,
        metrics::coverage,
        reviews::list_reviews, reviews::dashboard, reviews::import_history, reviews::schedule, reviews::mark_held, reviews::invitation,
        reviews::set_interval, reviews::calendar, reviews::agenda, reviews::get_record, reviews::save_record,
        reviews::sign, reviews::add_decision, reviews::add_correction, reviews::undo_held, reviews::cancel,
        reviews::move_review, reviews::changes, reviews::list_holidays, reviews::add_holiday, reviews::remove_holiday,
        metrics::value_history,
        listen::list_instruments, listen::get_instrument, listen::add_instrument, listen::list_campaigns,
        listen::create_campaign, listen::get_campaign, listen::my_response, listen::answer, listen::change_answer,
        listen::results, listen::results_csv,
        voice::post_pain_point, voice::published, voice::open_receipt, voice::author_reply, voice::inbox,
        voice::get_pain_point, voice::reply, voice::publish, voice::close, voice::to_request, voice::to_promise,
        comms::list_posts, comms::unpublished, comms::create_post, comms::get_post, comms::update_post, comms::approve,
        comms::send_back, comms::hide, comms::restore, comms::react, comms::comment, comms::remove_comment,
        comms::anonymous_reply, comms::editions::list_editions, comms::editions::draft_edition,
        comms::editions::get_edition, comms::editions::save_edition, comms::editions::redraft_edition,
        comms::editions::schedule_edition, comms::editions::unschedule_edition, relationships::overview, relationships::map,
        relationships::pair, relationships::acknowledge, relationships::plan_action, relationships::thresholds, relationships::set_thresholds, relationships::judge, relationships::services, relationships::edit_services, rotation::list_cycles, rotation::open_cycle, rotation::cycle, rotation::offer, rotation::apply, rotation::release, rotation::proposal, rotation::adjusted_proposal, rotation::confirm, rotation::cycle_outcomes, rotation::placement, rotation::reflect, rotation::goals, rotation::follow_up, software::register, software::declare, software::entry, software::edit, software::review, software::meet, software::decide, software::import, software::expenses, software::expenses_add, mail::preferences, mail::set_preferences, mail::outbox, mail::release,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth, &CommonResponses),
    security(("bearer" = [])),
    tags((name = "home", description = "What needs you today, across every area"), (name = "org", description = "Departments and people"), (name = "accounts", description = "Accounts and API tokens"), (name = "audit", description = "Who changed which person, account or API token, and when (readable by everyone)"), (name = "requests", description = "One intake: requests, their need statements, decisions, business cases and sign-offs"), (name = "portfolio", description = "The ranked portfolio, its funding line, weights, settings and business goals"), (name = "promises", description = "The trust ledger: promises between departments, and trust per pair"), (name = "reviews", description = "Monthly IT-business reviews: schedule, agenda, record, calendar and holidays"), (name = "metrics", description = "Metrics, the outcomes business leaders care about, and coverage"), (name = "listen", description = "Surveys with anonymity by construction"), (name = "voice", description = "The anonymous pain-point inbox"), (name = "relationships", description = "See: each business department's relationship with IT, signal by signal"), (name = "software", description = "Unity: the register of software departments use, security reviews, and known vulnerabilities matched offline"), (name = "rotation", description = "Swap: the job-rotation programme between IT and the business: cycles, offers, applications and releases, matching, placements, reflections and outcomes"), (name = "comms", description = "Tell: posts, success stories approved by their business owner, reactions, comments and anonymous replies; the monthly edition drafted from data; e-mail preferences and the outbox"))
)]
pub struct ApiDoc;

/// Serves the OpenAPI document.
pub async fn openapi_json() -> impl IntoResponse {
    axum::Json(ApiDoc::openapi())
}
