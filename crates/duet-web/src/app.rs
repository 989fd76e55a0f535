//! Wiring: the router with its middleware stack, and the server loop. The shared state is in
//! `state`.

use crate::state::AppState;
use crate::{api, ops, pages};
use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use std::net::SocketAddr;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// The whole application: pages, API, operations endpoints and static files, with the shared
/// middleware (request ids, security headers, body limit, timeout, compression, metrics, tracing).
pub fn router(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    let limit = state.config.max_body_bytes;
    let timeout = state.config.request_timeout;
    Router::new()
        .merge(pages::router(state.clone()))
        .nest("/api/v1", api::router())
        .route("/api/openapi.json", axum::routing::get(api::openapi_json))
        .merge(ops::router())
        .fallback(page_not_found)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::throttle::throttle_voice))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::error::styled_errors))
        .layer(axum::middleware::from_fn_with_state(state, cache_policy))
        .layer(axum::middleware::from_fn(ops::track_metrics))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
        ))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(ops::make_span)
                .on_request(ops::on_request)
                .on_response(ops::on_response)
                .on_failure(ops::on_failure),
        )
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
}

/// What a browser or proxy may keep: nothing of a signed-in page or an API answer (a shared
/// computer's back button, or a proxy, would otherwise show one person's page to the next), which
/// get `Cache-Control: no-store` unless the handler chose (static files are public); and, when
/// Duet is served over HTTPS, HSTS so a browser never falls back to plain HTTP.
async fn cache_policy(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let personal = req.headers().contains_key(header::AUTHORIZATION)
        || req
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .any(|c| c.to_str().is_ok_and(|c| c.contains("duet_session=")));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if personal && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.public_url.starts_with("https://") {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    res
}

/// Unknown pages get the HTML error page (unknown API routes get JSON from the API's own fallback).
async fn page_not_found() -> crate::error::PageError {
    crate::error::PageError(crate::error::AppError::NotFound("page".into()))
}

/// Serves `state` on an already-bound listener until `shutdown` resolves, then finishes in-flight
/// requests. Taking a listener lets tests bind port 0.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    ops::install_metrics_recorder();
    // The e-mail sender runs beside the server while it serves (none without SMTP settings:
    // messages then wait in the outbox).
    let sender = state.config.mail.clone().map(|settings| {
        tokio::spawn(crate::service::mail::run_sender(
            state.db.clone(),
            settings,
            state.config.public_url.clone(),
            state.config.time_zone,
            std::future::pending::<()>(),
        ))
    });
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    if let Some(sender) = sender {
        sender.abort();
    }
    served
}
