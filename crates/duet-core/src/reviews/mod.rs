//! Reviews: the monthly face-to-face review between IT and each business department — its
//! cadence, when one is overdue, and the calendar invitation (RFC 5545) that puts it in people's
//! diaries. The agenda drafted from data is in [`agenda`].

pub mod agenda;
pub mod history;

use crate::time::Tz;
use crate::time::from_local;
use crate::{FieldError, ValidationErrors};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};

wire_enum!(
    /// How a review meeting felt to one of the two leaders who signed its record, said when
    /// signing: the people level of the relationship (friendly or adversarial contact), kept
    /// with the signature.
    Tone, "tone" {
        Friendly = "friendly" / "Friendly",
        Businesslike = "businesslike" / "Businesslike",
        Tense = "tense" / "Tense",
    }
);

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

/// A day the organisation does not work, besides weekends: every year on a day of a month
/// (`year` none), or once.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Holiday {
    /// Month (1–12).
    pub month: u32,
    /// Day of the month.
    pub day: u32,
    /// The one year it falls in; none for every year.
    pub year: Option<i32>,
    /// What it is called ("Christmas Day").
    pub name: String,
}

impl Holiday {
    /// Whether this holiday falls on `d`.
    pub fn falls_on(&self, d: NaiveDate) -> bool {
        d.month() == self.month && d.day() == self.day && self.year.is_none_or(|y| y == d.year())
    }

    /// Checks a holiday as typed: a date `YYYY-MM-DD`, a name, and whether it recurs every year
    /// on that day and month (29 February cannot).
    pub fn parse(date: &str, name: &str, every_year: bool) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let day = errs.check(
            NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|_| {
                FieldError::new(
                    "date",
                    format!("'{}' is not a date (use YYYY-MM-DD)", date.trim()),
                )
            }),
        );
        let name = errs.check(crate::error::bounded_text("name", name, 2, 80));
        if every_year && day.is_some_and(|d| d.month() == 2 && d.day() == 29) {
            errs.0.push(FieldError::new(
                "every_year",
                "29 February is not in every year; add it for the one year instead",
            ));
        }
        match (day, name) {
            (Some(d), Some(name)) if errs.0.is_empty() => Ok(Self {
                month: d.month(),
                day: d.day(),
                year: (!every_year).then(|| d.year()),
                name,
            }),
            _ => Err(errs),
        }
    }
}

/// The holidays every new organisation starts with: the fixed-date ones almost every calendar
/// shares. Movable feasts and national days differ by country, so an admin adds those.
pub const DEFAULT_HOLIDAYS: [(u32, u32, &str); 3] = [
    (1, 1, "New Year's Day"),
    (12, 25, "Christmas Day"),
    (12, 26, "Boxing Day"),
];

/// A working day: Monday to Friday and no holiday.
pub fn is_working_day(d: NaiveDate, holidays: &[Holiday]) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.iter().any(|h| h.falls_on(d))
}

/// When Duet plans the next review after one held on `held_on`: on the latest working day on or
/// before the cadence's due date (`held_on` + interval), at the same local time of day as the
/// review just held, and never in the past. Only when no working day is left before the due date
/// (a late mark, or holidays all the way) does it take the first working day after it.
pub fn plan_next_review(
    held_on: NaiveDate,
    interval_days: i64,
    previous_start: DateTime<Utc>,
    tz: Tz,
    holidays: &[Holiday],
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let time: NaiveTime = previous_start.with_timezone(&tz).time();
    let due = held_on + Duration::days(interval_days);
    let start = |d: NaiveDate| from_local(d.and_time(time), tz);
    let mut d = due;
    while d > held_on {
        if is_working_day(d, holidays) && start(d) > now {
            return start(d);
        }
        d -= Duration::days(1);
    }
    let mut d = due.max(now.with_timezone(&tz).date_naive()) + Duration::days(1);
    for _ in 0..366 {
        if is_working_day(d, holidays) && start(d) > now {
            return start(d);
        }
        d += Duration::days(1);
    }
    start(due)
}

/// How long after its end a planned review that nobody marked held counts as missed.
pub const MISSED_AFTER: Duration = Duration::hours(24);

/// A review's status as people should read it: a planned review whose end is more than a day
/// past did not happen as planned — it is `missed` (it needs someone to mark it held, move it or
/// cancel it), not `planned`. Other statuses are as stored.
pub fn review_status(stored: &str, start: DateTime<Utc>, minutes: i64, now: DateTime<Utc>) -> &str {
    if stored == "planned" && start + Duration::minutes(minutes) + MISSED_AFTER < now {
        "missed"
    } else {
        stored
    }
}

/// A review can be marked held only once it has started, and only from planned (or missed).
pub fn may_mark_held(
    stored: &str,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), FieldError> {
    if stored != "planned" {
        return Err(FieldError::new(
            "status",
            "only a planned review can be marked as held",
        ));
    }
    if now < start {
        return Err(FieldError::new(
            "status",
            "this review has not started yet: it can be marked held from its start time",
        ));
    }
    Ok(())
}

/// A record can be signed only when the review was held and the record says who was there and
/// what was said: a signature locks it, so it must not lock an empty page.
pub fn may_sign(review_status: &str, attendees: &str, notes: &str) -> Result<(), FieldError> {
    if review_status != "held" {
        return Err(FieldError::new(
            "status",
            "the review has not been marked held yet: a record is signed after the meeting",
        ));
    }
    if attendees.trim().is_empty() {
        return Err(FieldError::new(
            "attendees",
            "write down who attended before signing",
        ));
    }
    if notes.trim().is_empty() {
        return Err(FieldError::new(
            "notes",
            "write the notes of the meeting before signing",
        ));
    }
    Ok(())
}

/// "Held" can be undone (a review marked by mistake) until someone has signed its record.
pub fn may_undo_held(stored: &str, signed: bool) -> Result<(), FieldError> {
    if stored != "held" {
        return Err(FieldError::new("status", "this review is not marked held"));
    }
    if signed {
        return Err(FieldError::new(
            "status",
            "its record is signed: the review stays held (append a correction instead)",
        ));
    }
    Ok(())
}

/// The reason given for cancelling or moving a review: required, so the history explains itself.
pub fn parse_reason(raw: &str) -> Result<String, FieldError> {
    crate::error::prose_text("reason", raw, 3, 500)
}

/// A review's new start when it is moved: in the future (within five years) and different from
/// the current start, to the minute — a "move" to the same time changes nothing, so reporting it
/// as moved (and asking people to accept a new invitation) would mislead. Errors name `starts_at`.
pub fn check_move(
    current: DateTime<Utc>,
    new: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), FieldError> {
    if current.timestamp().div_euclid(60) == new.timestamp().div_euclid(60) {
        return Err(FieldError::new(
            "starts_at",
            "the new time is the same as the current one: choose another time to move the review",
        ));
    }
    if new < now || new > now + Duration::days(5 * 366) {
        return Err(FieldError::new(
            "starts_at",
            "must be in the future (and within five years)",
        ));
    }
    Ok(())
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
    /// Revision of the event for calendar programs (RFC 5546): each move or cancellation sends
    /// a higher one; 0 for the first invitation and feeds.
    pub sequence: u32,
    /// Called off (sent with METHOD:CANCEL).
    pub cancelled: bool,
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
/// invitation, `CANCEL` for a cancellation and `PUBLISH` for a subscribable feed.
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
        if e.sequence > 0 {
            fold(&format!("SEQUENCE:{}", e.sequence), &mut out);
        }
        if e.cancelled {
            fold("STATUS:CANCELLED", &mut out);
        }
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
    use crate::time::{parse_local_datetime, parse_time_zone};

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
            sequence: 0,
            cancelled: false,
        };
        let ics = icalendar(std::slice::from_ref(&e), "REQUEST", at);
        assert!(!ics.contains("SEQUENCE") && !ics.contains("STATUS"));
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
        // A cancellation: the same UID, a higher SEQUENCE, STATUS:CANCELLED (RFC 5546).
        let off = CalendarEvent {
            sequence: 3,
            cancelled: true,
            ..e
        };
        let ics = icalendar(&[off], "CANCEL", at);
        assert!(ics.contains("METHOD:CANCEL\r\n") && ics.contains("UID:review-7@duet\r\n"));
        assert!(ics.contains("SEQUENCE:3\r\nSTATUS:CANCELLED\r\n"), "{ics}");
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn defaults() -> Vec<Holiday> {
        DEFAULT_HOLIDAYS
            .iter()
            .map(|(m, d, n)| Holiday {
                month: *m,
                day: *d,
                year: None,
                name: (*n).into(),
            })
            .collect()
    }

    #[test]
    fn the_next_review_lands_on_or_before_the_due_date_on_a_working_day() {
        let london: Tz = parse_time_zone("Europe/London").unwrap();
        // Held Tuesday 2026-11-24 at 14:00 London; 30 days later is Thursday 2026-12-24.
        let prev = utc("2026-11-24T14:00:00Z");
        let now = utc("2026-11-24T15:30:00Z");
        let next = plan_next_review(d("2026-11-24"), 30, prev, london, &defaults(), now);
        assert_eq!(next, utc("2026-12-24T14:00:00Z"));
        // 32 days: Saturday 26 December (Boxing Day) → Thursday 24th, skipping the weekend and
        // Christmas Day on Friday 25th.
        let next = plan_next_review(d("2026-11-24"), 32, prev, london, &defaults(), now);
        assert_eq!(next, utc("2026-12-24T14:00:00Z"));
        // A due date on a Sunday moves back to Friday, never on to Monday.
        let next = plan_next_review(d("2026-11-24"), 12, prev, london, &defaults(), now);
        assert_eq!(next.date_naive(), d("2026-12-04"));
        assert!(next.date_naive() <= d("2026-12-06"));
    }

    #[test]
    fn the_next_review_keeps_the_local_time_across_daylight_saving() {
        let london: Tz = parse_time_zone("Europe/London").unwrap();
        // 14:00 in London in March is 14:00 UTC; in April (BST) it is 13:00 UTC.
        let prev = utc("2026-03-10T14:00:00Z");
        let next = plan_next_review(d("2026-03-10"), 30, prev, london, &[], prev);
        assert_eq!(next, utc("2026-04-09T13:00:00Z"));
    }

    #[test]
    fn a_late_mark_plans_the_first_working_day_ahead() {
        let london: Tz = parse_time_zone("Europe/London").unwrap();
        let prev = utc("2026-11-02T09:00:00Z");
        // Marked held on 2 November but with a 7-day cadence seen only on Friday 13th.
        let now = utc("2026-11-13T12:00:00Z");
        let next = plan_next_review(d("2026-11-02"), 7, prev, london, &[], now);
        assert_eq!(next, utc("2026-11-16T09:00:00Z"), "Monday, not the weekend");
    }

    #[test]
    fn holidays_recur_or_fall_once_and_are_checked() {
        let h = Holiday::parse("2027-05-03", "Early May bank holiday", false).unwrap();
        assert!(h.falls_on(d("2027-05-03")) && !h.falls_on(d("2028-05-03")));
        let h = Holiday::parse("2026-12-25", "Christmas Day", true).unwrap();
        assert!(h.falls_on(d("2031-12-25")));
        assert!(!is_working_day(d("2026-12-25"), &[h]));
        assert!(!is_working_day(d("2026-11-28"), &[]), "Saturday");
        assert!(is_working_day(d("2026-11-27"), &[]));
        let e = Holiday::parse("2028-02-29", "Leap", true).unwrap_err();
        assert_eq!(e.0[0].field, "every_year");
        let e = Holiday::parse("25/12", "", false).unwrap_err();
        assert_eq!(
            e.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["date", "name"]
        );
        assert!(parse_time_zone("Mars/Olympus").is_err());
        let london = parse_time_zone("Europe/London").unwrap();
        assert_eq!(
            parse_local_datetime("starts_at", "2026-07-01T14:00", london).unwrap(),
            utc("2026-07-01T13:00:00Z"),
            "typed in summer time, stored in UTC"
        );
        assert_eq!(
            parse_local_datetime("starts_at", "2026-07-01T14:00:00Z", london).unwrap(),
            utc("2026-07-01T14:00:00Z")
        );
        assert!(parse_local_datetime("starts_at", "first of July", london).is_err());
    }

    #[test]
    fn a_planned_review_in_the_past_is_missed_not_planned() {
        let start = utc("2026-11-02T09:00:00Z");
        assert_eq!(
            review_status("planned", start, 60, utc("2026-11-02T11:00:00Z")),
            "planned"
        );
        assert_eq!(
            review_status("planned", start, 60, utc("2026-11-04T09:00:00Z")),
            "missed"
        );
        assert_eq!(
            review_status("held", start, 60, utc("2026-12-04T09:00:00Z")),
            "held"
        );
    }

    #[test]
    fn held_signed_and_undone_follow_the_meeting() {
        let start = utc("2026-11-02T09:00:00Z");
        assert!(may_mark_held("planned", start, utc("2026-11-01T09:00:00Z")).is_err());
        assert!(may_mark_held("planned", start, utc("2026-11-02T09:00:00Z")).is_ok());
        assert!(may_mark_held("cancelled", start, utc("2026-11-03T09:00:00Z")).is_err());
        assert_eq!(
            may_sign("planned", "Ann", "Notes").unwrap_err().field,
            "status"
        );
        assert_eq!(
            may_sign("held", " ", "Notes").unwrap_err().field,
            "attendees"
        );
        assert_eq!(may_sign("held", "Ann", "").unwrap_err().field, "notes");
        assert!(may_sign("held", "Ann", "Notes").is_ok());
        assert!(may_undo_held("held", false).is_ok());
        assert!(may_undo_held("held", true).is_err());
        assert!(may_undo_held("planned", false).is_err());
        assert!(parse_reason("  ").is_err() && parse_reason("Leader on leave").is_ok());
    }

    #[test]
    fn a_review_cannot_be_moved_to_the_time_it_already_has() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let now = at("2026-11-30T08:00:00Z");
        let current = at("2026-12-10T09:00:00Z");
        let same = check_move(current, at("2026-12-10T09:00:30Z"), now).unwrap_err();
        assert_eq!(same.field, "starts_at");
        assert!(
            same.message
                .starts_with("the new time is the same as the current one")
        );
        assert!(check_move(current, at("2026-12-10T09:30:00Z"), now).is_ok());
        assert_eq!(
            check_move(current, at("2026-11-29T09:00:00Z"), now)
                .unwrap_err()
                .message,
            "must be in the future (and within five years)"
        );
        assert!(check_move(current, at("2032-12-10T09:00:00Z"), now).is_err());
    }
}
