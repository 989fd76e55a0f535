//! Time in the organisation's zone: people type and read wall-clock times in it, the store keeps
//! UTC. Every area that shows or reads a time uses these.

use crate::FieldError;
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};

/// The organisation's time zone (an IANA name such as `Europe/London`): people enter and read
/// times in it; the store keeps UTC.
pub use chrono_tz::Tz;

/// Parses the organisation's time zone from its IANA name (`Europe/London`, `America/New_York`).
pub fn parse_time_zone(raw: &str) -> Result<Tz, FieldError> {
    raw.trim().parse::<Tz>().map_err(|_| {
        FieldError::new(
            "time_zone",
            format!(
                "'{}' is not a time zone name (e.g. Europe/London)",
                raw.trim()
            ),
        )
    })
}

/// The UTC instant of a wall-clock time in `tz`. In the spring-forward gap (a time that does not
/// exist that day) the clock is read an hour later; in the autumn overlap the earlier one is taken.
pub fn from_local(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map_or_else(
            || DateTime::<Utc>::from_naive_utc_and_offset(local, Utc),
            |t| t.with_timezone(&Utc),
        )
}

/// Reads a date and time as people type it in the organisation's zone (`YYYY-MM-DDTHH:MM`, as a
/// `datetime-local` input sends it; seconds optional; a space for the `T`). A value carrying its
/// own offset (RFC 3339: `…Z`, `…+01:00`), as API scripts send it, is taken as is.
pub fn parse_local_datetime(field: &str, raw: &str, tz: Tz) -> Result<DateTime<Utc>, FieldError> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .map(|t| from_local(t, tz))
        .ok_or_else(|| {
            FieldError::new(
                field,
                format!("'{raw}' is not a date and time (use YYYY-MM-DDTHH:MM)"),
            )
        })
}
