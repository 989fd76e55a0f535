//! Operations: liveness and readiness probes, Prometheus metrics (behind a bearer token, off
//! without one), and the request span.
//!
//! Logs and metrics carry the route template (`/people/{id}`), never the raw path, query,
//! cookies or authorization headers, so no secret or personal search reaches them.

use crate::state::AppState;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// Alive: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// Ready: the database answers too.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

static RECORDER: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide metrics recorder once (it is global, so tests that start many apps
/// share it).
pub fn install_metrics_recorder() {
    RECORDER.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ])
            .ok()?
            .build_recorder();
        let handle = recorder.handle();
        metrics::set_global_recorder(recorder).ok()?;
        // Histogram samples pile up raw until upkeep folds them into their buckets: without it
        // every request kept its timings for good, and the server grew by megabytes per
        // benchmark run whether or not anyone scraped `/metrics` (issue 11).
        let upkeep = handle.clone();
        std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(2));
                    upkeep.run_upkeep();
                }
            })
            .ok()?;
        Some(handle)
    });
}

/// The Prometheus text exposition, only for whoever holds the configured metrics token
/// (`Authorization: Bearer <token>`, compared in constant time). Without a configured token the
/// endpoint is off (404): request counts scraped every few seconds date what people do.
async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let Some(expected) = &state.config.metrics_token else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or("");
    if !duet_core::secret::constant_time_eq(given, &expected.0) {
        return (
            StatusCode::UNAUTHORIZED,
            [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
            "the metrics token is missing or wrong",
        )
            .into_response();
    }
    install_metrics_recorder();
    match RECORDER.get().and_then(|h| h.as_ref()) {
        Some(h) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; version=0.0.4",
            )],
            h.render(),
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder unavailable",
        )
            .into_response(),
    }
}

/// Routes whose requests must leave no trace in logs or metrics: the anonymous voice inbox and
/// survey answering. A per-route counter scraped every few seconds would date each pain point
/// and each answer, which is enough to pair them with whoever was seen at work then.
pub fn is_anonymous_route(route: &str) -> bool {
    route.starts_with("/voice")
        || route.starts_with("/api/v1/voice")
        || route == "/listen/campaigns/{id}/respond"
        || route == "/listen/campaigns/{id}/thanks"
        || route == "/api/v1/campaigns/{id}/response"
        || route == "/comms/posts/{id}/anonymous"
        || route == "/api/v1/comms/posts/{id}/anonymous"
}

/// Counts requests and their latency by method, route template and status — except on the
/// anonymous routes, which are not counted at all.
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    if is_anonymous_route(&route) {
        return next.run(req).await;
    }
    let method = req.method().as_str().to_owned();
    let res = next.run(req).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", res.status().as_u16().to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    res
}

/// The tracing span of a request: method, route template and request id only.
pub fn make_span(req: &Request) -> tracing::Span {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str())
        .unwrap_or("unmatched");
    // The voice inbox and survey answering promise that nothing about their requests is kept:
    // no span, so no request id, route or timing of theirs reaches the logs.
    if is_anonymous_route(route) {
        return tracing::Span::none();
    }
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", method = %req.method(), route, request_id = id)
}

/// Logs the start of a request (debug) unless it has no span: tower-http's default would log
/// "started processing request" even for the anonymous routes, a dated line next to each post.
pub fn on_request(_req: &Request, span: &tracing::Span) {
    if !span.is_none() {
        tracing::debug!("started processing request");
    }
}

/// Logs a response (debug) unless its request has no span: the voice inbox's requests leave no
/// line in the logs, not even a status and a time.
pub fn on_response(res: &Response, latency: std::time::Duration, span: &tracing::Span) {
    if !span.is_none() {
        tracing::debug!(
            status = res.status().as_u16(),
            latency_ms = latency.as_millis() as u64,
            "finished"
        );
    }
}

/// Logs a failed request (error) unless its request has no span, like `on_response`.
pub fn on_failure(
    failure: tower_http::classify::ServerErrorsFailureClass,
    latency: std::time::Duration,
    span: &tracing::Span,
) {
    if !span.is_none() {
        tracing::error!(%failure, latency_ms = latency.as_millis() as u64, "request failed");
    }
}
