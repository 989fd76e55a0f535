//! Meet: the monthly face-to-face review between IT and each business department — its cadence,
//! when one is overdue, and the calendar invitation (RFC 5545) that puts it in people's diaries.

use crate::FieldError;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Accepted review intervals, in days (weekly to quarterly).
pub const INTERVAL_RANGE: std::ops::RangeInclusive<i64> = 7..=120;

/// Validates a review interval.
pub fn parse_interval(days: i64) -> Result<i64, FieldError> {
    if INTERVAL_RANGE.contains(&days) {
        Ok(days)
    } else {
        Err(FieldError::new(
            "review_interval_days",
            "must be between 7 and 120 days",
        ))
    }
}

/// Where a department's reviews stand.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CadenceState {
    /// When the next review is due.
    pub next_due: NaiveDate,
    /// Days past due (0 when not overdue).
    pub overdue_days: i64,
    /// The dashboard sentence ("no review with Sales for 47 days").
    pub message: String,
}

/// The cadence of one department: the next review is due one interval after the last one held
/// (or, if none was ever held, one interval after `since`).
pub fn cadence(
    department: &str,
    last_held: Option<NaiveDate>,
    interval_days: i64,
    since: NaiveDate,
    today: NaiveDate,
) -> CadenceState {
    let base = last_held.unwrap_or(since);
    let next_due = base + Duration::days(interval_days);
    let overdue_days = (today - next_due).num_days().max(0);
    let message = match last_held {
        Some(last) if overdue_days > 0 => format!(
            "no review with {department} for {} days",
            (today - last).num_days()
        ),
        Some(last) => format!(
            "last review with {department} {} days ago; next due {next_due}",
            (today - last).num_days()
        ),
        None if overdue_days > 0 => format!("no review with {department} yet"),
        None => format!("first review with {department} due {next_due}"),
    };
    CadenceState {
        next_due,
        overdue_days,
        message,
    }
}

/// Someone invited to a review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
}

/// One calendar event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// Globally unique id (stable across updates).
    pub uid: String,
    /// Start (UTC).
    pub start: DateTime<Utc>,
    /// Length in minutes.
    pub minutes: i64,
    /// Title.
    pub summary: String,
    /// Body.
    pub description: String,
    /// Organiser.
    pub organizer: Invitee,
    /// Attendees.
    pub attendees: Vec<Invitee>,
    /// A link back to Duet.
    pub url: String,
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Quotes a parameter value (CN) when it holds characters that would end it.
fn param(value: &str) -> String {
    let clean: String = value
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect();
    if clean.contains([':', ';', ',']) {
        format!("\"{clean}\"")
    } else {
        clean
    }
}

/// Folds a content line at 75 octets, never inside a UTF-8 character (RFC 5545 §3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// A calendar (one or many events) as an iCalendar document; `method` is `REQUEST` for an
/// invitation and `PUBLISH` for a subscribable feed.
pub fn icalendar(events: &[CalendarEvent], method: &str, now: DateTime<Utc>) -> String {
    let stamp = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Duet//Business-IT reviews//EN",
        "CALSCALE:GREGORIAN",
    ] {
        fold(line, &mut out);
    }
    fold(&format!("METHOD:{method}"), &mut out);
    for e in events {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}", e.uid), &mut out);
        fold(&format!("DTSTAMP:{}", stamp(now)), &mut out);
        fold(&format!("DTSTART:{}", stamp(e.start)), &mut out);
        fold(
            &format!("DTEND:{}", stamp(e.start + Duration::minutes(e.minutes))),
            &mut out,
        );
        fold(&format!("SUMMARY:{}", escape(&e.summary)), &mut out);
        fold(&format!("DESCRIPTION:{}", escape(&e.description)), &mut out);
        fold(&format!("URL:{}", e.url), &mut out);
        fold(
            &format!(
                "ORGANIZER;CN={}:mailto:{}",
                param(&e.organizer.name),
                e.organizer.email
            ),
            &mut out,
        );
        for a in &e.attendees {
            fold(
                &format!(
                    "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{}",
                    param(&a.name),
                    a.email
                ),
                &mut out,
            );
        }
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn overdue_reviews_say_how_long_it_has_been() {
        let c = cadence(
            "Sales",
            Some(d("2026-10-07")),
            30,
            d("2026-01-01"),
            d("2026-11-23"),
        );
        assert_eq!((c.next_due, c.overdue_days), (d("2026-11-06"), 17));
        assert_eq!(c.message, "no review with Sales for 47 days");
        let c = cadence(
            "Sales",
            Some(d("2026-11-10")),
            30,
            d("2026-01-01"),
            d("2026-11-23"),
        );
        assert_eq!(c.overdue_days, 0);
        assert!(c.message.starts_with("last review with Sales 13 days ago"));
        assert_eq!(
            cadence("HR", None, 30, d("2026-09-01"), d("2026-11-23")).message,
            "no review with HR yet"
        );
        assert!(parse_interval(3).is_err() && parse_interval(30).is_ok());
    }

    #[test]
    fn invitations_follow_rfc_5545() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T14:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let e = CalendarEvent {
            uid: "review-7@duet".into(),
            start: at,
            minutes: 60,
            summary: "IT × Sales monthly review; the good, bad, and ugly".into(),
            description: "Agenda:\n1. Pipeline".into(),
            organizer: Invitee {
                name: "Priya Raman".into(),
                email: "priya@example.com".into(),
            },
            attendees: vec![Invitee {
                name: "O'Brien, Daniel".into(),
                email: "daniel@example.com".into(),
            }],
            url: "https://duet.example.com/reviews/7".into(),
        };
        let ics = icalendar(&[e], "REQUEST", at);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.contains("DTSTART:20261201T140000Z\r\nDTEND:20261201T150000Z\r\n"));
        assert!(ics.contains("SUMMARY:IT × Sales monthly review\\; the good\\, bad\\, and ugly"));
        assert!(ics.contains("DESCRIPTION:Agenda:\\n1. Pipeline"));
        assert!(ics.contains("ATTENDEE;CN=\"O'Brien, Daniel\";ROLE=REQ-PARTICIPANT"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "unfolded line: {line}");
        }
        assert!(
            !ics.replace("\r\n", "").contains('\n'),
            "bare newlines are escaped"
        );
    }
}
