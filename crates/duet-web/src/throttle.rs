//! Global throttles of the anonymous voice routes: one in-memory token bucket per kind of request,
//! shared by everyone who calls this process.
//!
//! The buckets know no address, account, session or code: they count tokens and nothing else, so
//! a throttle cannot become a record of who looked up a receipt or posted a pain point (a
//! per-address limit would have to keep the addresses, and their times, of the very people the
//! voice inbox promises to forget). The price is that a flood slows everyone's lookups for a
//! moment, never longer than the refill takes.

use crate::error::{AppError, PageError};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Receipt lookups (opening a pain point's thread by its code, and the author's replies): a burst
/// of this many, then [`RECEIPT_REFILL_PER_SECOND`]. A receipt code has 100 random bits, so no
/// limit is needed against guessing (2^100 tries is out of reach at any rate); this one keeps a
/// script from hammering the store and from timing lookups in bulk, while a person who mistypes
/// their code a few times never meets it.
pub const RECEIPT_BURST: f64 = 20.0;
/// Tokens added back per second to the receipt bucket.
pub const RECEIPT_REFILL_PER_SECOND: f64 = 5.0;
/// New pain points (page form and API): a burst of this many, then
/// [`POST_REFILL_PER_SECOND`] — far above what people type, low enough that an anonymous script
/// cannot bury the triage inbox under thousands of posts a minute.
pub const POST_BURST: f64 = 30.0;
/// Tokens added back per second to the pain-point bucket.
pub const POST_REFILL_PER_SECOND: f64 = 1.0;

/// A token bucket: `capacity` tokens, refilled continuously at `rate` per second.
#[derive(Debug)]
pub struct TokenBucket {
    capacity: f64,
    rate: f64,
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(capacity: f64, rate: f64) -> Self {
        Self {
            capacity,
            rate,
            state: Mutex::new((capacity, Instant::now())),
        }
    }

    /// Takes one token at `now`, or says how long until one is there.
    pub fn take_at(&self, now: Instant) -> Result<(), Duration> {
        // A poisoned lock only means another request panicked mid-update; the numbers are
        // still usable.
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let elapsed = now.saturating_duration_since(s.1).as_secs_f64();
        s.0 = (s.0 + elapsed * self.rate).min(self.capacity);
        s.1 = now.max(s.1);
        if s.0 >= 1.0 {
            s.0 -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - s.0) / self.rate))
        }
    }

    /// Takes one token now.
    pub fn take(&self) -> Result<(), Duration> {
        self.take_at(Instant::now())
    }
}

/// The voice inbox's two buckets, one per process (see the module docs).
#[derive(Debug)]
pub struct VoiceLimits {
    /// Receipt lookups and the author's replies.
    pub receipts: TokenBucket,
    /// New pain points.
    pub posts: TokenBucket,
}

impl Default for VoiceLimits {
    fn default() -> Self {
        Self {
            receipts: TokenBucket::new(RECEIPT_BURST, RECEIPT_REFILL_PER_SECOND),
            posts: TokenBucket::new(POST_BURST, POST_REFILL_PER_SECOND),
        }
    }
}

/// Which bucket a request draws from, if any: POSTs of the receipt forms and of new pain points,
/// on the pages and in the API.
fn bucket_of<'a>(limits: &'a VoiceLimits, method: &Method, path: &str) -> Option<&'a TokenBucket> {
    if method != Method::POST {
        return None;
    }
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    match path.trim_end_matches('/') {
        "/voice/receipt" | "/voice/receipt/reply" => Some(&limits.receipts),
        "/voice" => Some(&limits.posts),
        p if p.starts_with("/comms/posts/") && p.ends_with("/anonymous") => Some(&limits.posts),
        _ => None,
    }
}

/// Middleware: refuses a throttled voice request with 429 and `Retry-After` before anything else
/// runs (no session is read, nothing is written or logged). Pages get the styled error page, the
/// API its JSON error.
pub async fn throttle_voice(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(bucket) = bucket_of(&state.voice_limits, req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    let Err(wait) = bucket.take() else {
        return next.run(req).await;
    };
    let secs = u64::try_from(wait.as_millis())
        .unwrap_or(u64::MAX)
        .div_ceil(1000)
        .max(1);
    let err = AppError::TooManyRequests(format!(
        "Duet is receiving a great many of these right now. Nothing was sent or looked up; please try again in {secs} second{}.",
        if secs == 1 { "" } else { "s" }
    ));
    let mut res = if req.uri().path().starts_with("/api/") {
        err.into_response()
    } else {
        PageError(err).into_response()
    };
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_full_bucket_gives_its_burst_then_refuses_until_it_refills() {
        let b = TokenBucket::new(RECEIPT_BURST, RECEIPT_REFILL_PER_SECOND);
        let t0 = Instant::now();
        for _ in 0..20 {
            assert!(b.take_at(t0).is_ok());
        }
        let wait = b.take_at(t0).unwrap_err();
        assert!(wait <= Duration::from_millis(200), "{wait:?}");
        assert!(b.take_at(t0 + Duration::from_millis(100)).is_err());
        assert!(b.take_at(t0 + Duration::from_millis(201)).is_ok());
        // Never more than the burst, however long it rested.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..20 {
            assert!(b.take_at(later).is_ok());
        }
        assert!(b.take_at(later).is_err());
    }

    #[test]
    fn only_the_voice_posts_draw_from_a_bucket() {
        let l = VoiceLimits::default();
        let receipts: *const TokenBucket = &l.receipts;
        let posts: *const TokenBucket = &l.posts;
        let of = |m: Method, p: &str| bucket_of(&l, &m, p).map(|b| b as *const TokenBucket);
        assert_eq!(of(Method::POST, "/voice/receipt"), Some(receipts));
        assert_eq!(
            of(Method::POST, "/api/v1/voice/receipt/reply"),
            Some(receipts)
        );
        assert_eq!(of(Method::POST, "/voice"), Some(posts));
        assert_eq!(of(Method::POST, "/api/v1/voice"), Some(posts));
        assert_eq!(of(Method::GET, "/voice"), None);
        assert_eq!(of(Method::POST, "/voice/inbox/12/reply"), None);
        assert_eq!(of(Method::POST, "/listen/campaigns/1/respond"), None);
    }
}
