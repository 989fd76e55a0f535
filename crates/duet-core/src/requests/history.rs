//! Bringing a request history into Duet: a company's past requests, read from Duet's own CSV or
//! from a ServiceNow or Jira export as those tools write it, each with its original dates.
//!
//! Another tool's words are mapped to Duet's here, in one place: its priorities to urgencies, its
//! states to where a request stands, its dates in the formats it writes. A row whose value is not
//! known is refused with the values that are, so the file is fixed once rather than guessed at.

use super::{Status, Urgency};
use crate::FieldError;
use crate::csv_input::{Column, CsvError, CsvInput};
use crate::error::{bounded_text, prose_text};
use chrono::NaiveDate;

wire_enum!(
    /// The shape of a request history file: Duet's own columns, or another tool's export.
    HistoryFormat, "format" {
        Duet = "duet" / "Duet",
        #[serde(rename = "servicenow")]
        ServiceNow = "servicenow" / "ServiceNow",
        Jira = "jira" / "Jira",
    }
);

/// The columns of a history file, in the order [`parse_history_csv`] reads them.
const KEY: usize = 0;
const TITLE: usize = 1;
const DESCRIPTION: usize = 2;
const REQUESTER: usize = 3;
const DEPARTMENT: usize = 4;
const PRIORITY: usize = 5;
const STATE: usize = 6;
const OPENED: usize = 7;
const CLOSED: usize = 8;
const RESOLUTION: usize = 9;

const fn req(names: &'static [&'static str]) -> Column<'static> {
    Column {
        names,
        required: true,
    }
}

const fn opt(names: &'static [&'static str]) -> Column<'static> {
    Column {
        names,
        required: false,
    }
}

impl HistoryFormat {
    /// The columns this format reads, under the names its tool writes them (lower case; a header
    /// may carry many more columns, which are ignored).
    pub fn columns(self) -> [Column<'static>; 10] {
        match self {
            HistoryFormat::Duet => [
                req(&["key"]),
                req(&["title"]),
                req(&["problem"]),
                req(&["requester"]),
                opt(&["department"]),
                req(&["urgency"]),
                req(&["status"]),
                req(&["opened_on"]),
                opt(&["closed_on"]),
                opt(&["note"]),
            ],
            HistoryFormat::ServiceNow => [
                req(&["number"]),
                req(&["short_description"]),
                opt(&["description"]),
                req(&[
                    "opened_by.email",
                    "caller_id.email",
                    "requested_for.email",
                    "opened_by",
                    "caller_id",
                    "requested_for",
                ]),
                opt(&[
                    "opened_by.department",
                    "caller_id.department",
                    "requested_for.department",
                    "department",
                ]),
                req(&["priority", "urgency"]),
                req(&["state"]),
                req(&["opened_at", "sys_created_on"]),
                opt(&["closed_at", "resolved_at"]),
                opt(&["close_code"]),
            ],
            HistoryFormat::Jira => [
                req(&["issue key"]),
                req(&["summary"]),
                opt(&["description"]),
                req(&["reporter", "reporter email"]),
                opt(&["department", "custom field (department)"]),
                req(&["priority"]),
                req(&["status"]),
                req(&["created"]),
                opt(&["resolved"]),
                opt(&["resolution"]),
            ],
        }
    }
}

/// Who asked, as the file names them: an e-mail, or a full name (Jira and ServiceNow exports
/// show names), matched to one person in the directory when the history is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requester {
    /// By e-mail.
    Email(crate::org::Email),
    /// By full name.
    Name(String),
}

impl Requester {
    /// As the file wrote it, for messages.
    pub fn as_str(&self) -> &str {
        match self {
            Requester::Email(e) => e.as_str(),
            Requester::Name(n) => n,
        }
    }
}

/// One request from an organisation's past, checked on its own (the person and department it
/// names are checked against the directory when it is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoricRequest {
    /// Its line in the file, for errors found later.
    pub line: u64,
    /// Its number in the old tool (`INC0010023`, `IT-142`): shown on the request, and how a
    /// second import of the same file knows it is already here.
    pub key: String,
    /// Short title (a longer one is cut at 140 characters, with an ellipsis).
    pub title: String,
    /// The problem in the requester's words (the title when the export has no description).
    pub problem: String,
    /// Who asked.
    pub requester: Requester,
    /// The requester's column in this file, for errors found when the history is stored.
    pub requester_column: &'static str,
    /// The requesting department's name; none means the requester's department.
    pub department: Option<String>,
    /// The department's column in this file.
    pub department_column: &'static str,
    /// How urgent it was.
    pub urgency: Urgency,
    /// Where it stands.
    pub status: Status,
    /// The day it was opened.
    pub opened_on: NaiveDate,
    /// The day it was finished (delivered, closed), when it is.
    pub closed_on: Option<NaiveDate>,
    /// How the old tool ended it, when Duet's status alone would not say ("Won't Do in Jira").
    pub note: Option<String>,
}

/// Reads a request history file in `format`: every problem is reported with its line and column,
/// and nothing is returned unless every row is good. Dates are taken as the tool writes them
/// (`2024-03-12 15:15:00`, `12/Mar/24 3:15 PM`, `2024-03-12`) and kept as days; what happened is
/// not after `today`; a finished request has the day it finished, on or after it was opened.
pub fn parse_history_csv(
    input: &[u8],
    format: HistoryFormat,
    today: NaiveDate,
) -> Result<Vec<HistoricRequest>, Vec<CsvError>> {
    let columns = format.columns();
    let name = |i: usize| columns[i].names.first().copied().unwrap_or_default();
    let mut csv = CsvInput::open_mapped(input, &columns)?;
    let mut rows: Vec<HistoricRequest> = Vec::new();
    let mut errors = Vec::new();
    let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    while let Some(next) = csv.next_record() {
        let line = match next {
            Ok(line) => line,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let cell = |i: usize| csv.cell(i);
        let mut bad = |e: FieldError| errors.push(CsvError::at(line, e));
        let key = bounded_text(name(KEY), cell(KEY), 1, 60)
            .map_err(&mut bad)
            .ok();
        let title = bounded_text(name(TITLE), &shorten(cell(TITLE), 140), 3, 140)
            .map_err(&mut bad)
            .ok();
        let described = if cell(DESCRIPTION).trim().is_empty() {
            cell(TITLE)
        } else {
            cell(DESCRIPTION)
        };
        let problem = prose_text(name(DESCRIPTION), &shorten(described, 5000), 3, 5000)
            .map_err(&mut bad)
            .ok();
        let requester = parse_requester(name(REQUESTER), cell(REQUESTER))
            .map_err(&mut bad)
            .ok();
        let department = match cell(DEPARTMENT).trim() {
            "" => Some(None),
            d => bounded_text(name(DEPARTMENT), d, 1, 80)
                .map(Some)
                .map_err(&mut bad)
                .ok(),
        };
        let urgency = parse_priority(format, name(PRIORITY), cell(PRIORITY))
            .map_err(&mut bad)
            .ok();
        let state = parse_state(
            format,
            name(STATE),
            cell(STATE),
            cell(RESOLUTION),
            name(RESOLUTION),
        )
        .map_err(&mut bad)
        .ok();
        let opened_on = parse_day(name(OPENED), cell(OPENED), today)
            .and_then(|d| d.ok_or_else(|| FieldError::new(name(OPENED), "is required")))
            .map_err(&mut bad)
            .ok();
        let closed_on = parse_day(name(CLOSED), cell(CLOSED), today)
            .map_err(&mut bad)
            .ok();
        let (
            Some(key),
            Some(title),
            Some(problem),
            Some(requester),
            Some(department),
            Some(urgency),
            Some((status, note)),
            Some(opened_on),
            Some(closed_on),
        ) = (
            key, title, problem, requester, department, urgency, state, opened_on, closed_on,
        )
        else {
            continue;
        };
        let finished = matches!(
            status,
            Status::Delivered | Status::BenefitsRealised | Status::Closed | Status::Declined
        );
        let closed_on = if finished { closed_on } else { None };
        match closed_on {
            None if finished => {
                bad(FieldError::new(
                    name(CLOSED),
                    format!(
                        "is required for a request that is {}",
                        status.label().to_lowercase()
                    ),
                ));
                continue;
            }
            Some(c) if c < opened_on => {
                bad(FieldError::new(
                    name(CLOSED),
                    format!("{c} is before the request was opened ({opened_on})"),
                ));
                continue;
            }
            _ => {}
        }
        if let Some(first) = seen.insert(key.to_lowercase(), line) {
            bad(FieldError::new(
                name(KEY),
                format!("{key} is also on line {first}: each request once"),
            ));
            continue;
        }
        rows.push(HistoricRequest {
            line,
            key,
            title,
            problem,
            requester,
            requester_column: name(REQUESTER),
            department,
            department_column: name(DEPARTMENT),
            urgency,
            status,
            opened_on,
            closed_on,
            note,
        });
        if errors.len() >= 100 {
            break;
        }
    }
    crate::csv_input::all_or_nothing(rows, errors)
}

/// `text` cut to `max` characters with an ellipsis (an old tool's titles have no limit).
fn shorten(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let t = text.trim();
    if t.chars().count() <= max {
        std::borrow::Cow::Borrowed(t)
    } else {
        let cut: String = t.chars().take(max - 1).collect();
        std::borrow::Cow::Owned(format!("{}…", cut.trim_end()))
    }
}

fn parse_requester(field: &str, raw: &str) -> Result<Requester, FieldError> {
    let t = raw.trim();
    if t.contains('@') {
        crate::org::Email::parse(t)
            .map(Requester::Email)
            .map_err(|e| FieldError::new(field, e.message))
    } else if t.is_empty() {
        Err(FieldError::new(
            field,
            "is required: the requester's e-mail or full name",
        ))
    } else {
        bounded_text(field, t, 2, 120).map(Requester::Name)
    }
}

/// A day as an old tool writes a moment: ISO (`2024-03-12`, with a time, with a `T` and an
/// offset), ServiceNow's US form (`03/12/2024 15:15:00`) or Jira's (`12/Mar/24 3:15 PM`); the
/// time of day is dropped. Empty is none.
pub fn parse_day(
    field: &str,
    raw: &str,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let day = chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| d.date_naive())
        .ok()
        .or_else(|| {
            let date_part = t.split([' ', 'T']).next().unwrap_or(t);
            ["%Y-%m-%d", "%m/%d/%Y", "%d/%b/%y", "%d/%b/%Y", "%d-%b-%Y"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(date_part, f).ok())
        });
    match day {
        None => Err(FieldError::new(
            field,
            format!(
                "'{t}' is not a date Duet reads (2024-03-12, 2024-03-12 15:15:00 or 12/Mar/24 3:15 PM)"
            ),
        )),
        Some(d) if d > today => Err(FieldError::new(
            field,
            format!("{d} is in the future; history ends today"),
        )),
        Some(d) => Ok(Some(d)),
    }
}

/// An old tool's priority as Duet's urgency. ServiceNow writes `1 - Critical` … `5 - Planning`;
/// Jira `Highest` … `Lowest` (or the older `Blocker` … `Trivial`); empty is normal.
fn parse_priority(format: HistoryFormat, field: &str, raw: &str) -> Result<Urgency, FieldError> {
    if format == HistoryFormat::Duet {
        return raw
            .parse::<Urgency>()
            .map_err(|e| FieldError::new(field, e.message));
    }
    let t = raw.trim().to_lowercase();
    // "1 - Critical" and "1" read alike.
    let word = t
        .split_once(" - ")
        .map_or(t.as_str(), |(n, w)| {
            if n.trim().parse::<u8>().is_ok() {
                w
            } else {
                t.as_str()
            }
        })
        .trim();
    Ok(match (word, t.as_str()) {
        (_, "1") | ("critical" | "highest" | "blocker" | "urgent", _) => Urgency::Critical,
        (_, "2") | ("high" | "major", _) => Urgency::High,
        (_, "3") | ("" | "moderate" | "medium" | "normal", _) => Urgency::Normal,
        (_, "4" | "5") | ("low" | "lowest" | "minor" | "trivial" | "planning", _) => Urgency::Low,
        _ => {
            return Err(FieldError::new(
                field,
                format!(
                    "'{}' is not a {} priority Duet knows (critical: 1, Critical, Highest, Blocker; high: 2, High, Major; normal: 3, Moderate, Medium; low: 4, 5, Low, Lowest, Minor, Trivial, Planning)",
                    raw.trim(),
                    format.label()
                ),
            ));
        }
    })
}

/// An old tool's state as where the request stands in Duet, and a note when Duet's status alone
/// would lose how it ended. Work that was cancelled or won't be done is closed with that note
/// rather than declined: a decline in Duet always offers a safe alternative, which the old tool
/// never recorded.
fn parse_state(
    format: HistoryFormat,
    field: &str,
    raw: &str,
    resolution: &str,
    resolution_field: &str,
) -> Result<(Status, Option<String>), FieldError> {
    let t = raw.trim().to_lowercase();
    let tool = format.label();
    let ended = |how: &str| Some(format!("{how} in {tool}"));
    match format {
        HistoryFormat::Duet => {
            let status = raw.parse::<Status>()?;
            if !matches!(
                status,
                Status::Submitted
                    | Status::Accepted
                    | Status::InDelivery
                    | Status::Delivered
                    | Status::Closed
            ) {
                return Err(FieldError::new(
                    field,
                    format!(
                        "{} cannot be imported: Duet records what it needs as it happens (a need statement, a safe alternative, a date); use submitted, accepted, in_delivery, delivered or closed, with a note",
                        status.as_str()
                    ),
                ));
            }
            let note = bounded_text(resolution_field, resolution, 0, 500)?;
            Ok((status, Some(note).filter(|n| !n.is_empty())))
        }
        HistoryFormat::ServiceNow => match t.as_str() {
            "new" | "open" | "draft" | "pending approval" | "requested" => {
                Ok((Status::Submitted, None))
            }
            "approved" | "accepted" => Ok((Status::Accepted, None)),
            "in progress" | "work in progress" | "on hold" | "pending" | "awaiting user info"
            | "awaiting info" | "active" => Ok((Status::InDelivery, None)),
            "resolved" => Ok((Status::Delivered, None)),
            "closed" | "closed complete" | "complete" | "completed" => Ok((Status::Closed, None)),
            "canceled" | "cancelled" | "closed incomplete" | "closed skipped" | "rejected" => {
                Ok((Status::Closed, ended(raw.trim())))
            }
            _ => Err(unknown_state(
                field,
                raw,
                tool,
                &[
                    ("submitted", "New, Open, Pending approval"),
                    ("accepted", "Approved"),
                    (
                        "in delivery",
                        "Work in progress, In progress, On hold, Pending, Awaiting user info",
                    ),
                    ("delivered", "Resolved"),
                    (
                        "closed",
                        "Closed, Closed complete; Canceled, Closed incomplete, Closed skipped, Rejected (closed, with that note)",
                    ),
                ],
            )),
        },
        HistoryFormat::Jira => match t.as_str() {
            "to do"
            | "open"
            | "backlog"
            | "new"
            | "reopened"
            | "waiting for support"
            | "waiting for customer" => Ok((Status::Submitted, None)),
            "selected for development" | "approved" => Ok((Status::Accepted, None)),
            "in progress" | "in review" | "review" | "testing" | "blocked" | "in development" => {
                Ok((Status::InDelivery, None))
            }
            "done" | "closed" | "resolved" | "canceled" | "cancelled" | "declined" | "won't do" => {
                let r = resolution.trim();
                let how = if r.is_empty() { raw.trim() } else { r };
                match how.to_lowercase().as_str() {
                    "done" | "fixed" | "complete" | "completed" | "resolved" | "closed" => {
                        Ok((Status::Closed, None))
                    }
                    _ => Ok((Status::Closed, ended(how))),
                }
            }
            _ => Err(unknown_state(
                field,
                raw,
                tool,
                &[
                    (
                        "submitted",
                        "To Do, Open, Backlog, New, Reopened, Waiting for support",
                    ),
                    ("accepted", "Selected for development, Approved"),
                    ("in delivery", "In Progress, In Review, Testing, Blocked"),
                    (
                        "closed",
                        "Done, Closed, Resolved (a resolution other than Done is kept as a note)",
                    ),
                ],
            )),
        },
    }
}

/// The refusal of a state Duet does not know, listing the ones it does by where they land.
fn unknown_state(field: &str, raw: &str, tool: &str, known: &[(&str, &str)]) -> FieldError {
    let known: Vec<String> = known
        .iter()
        .map(|(to, from)| format!("{to}: {from}"))
        .collect();
    FieldError::new(
        field,
        format!(
            "'{}' is not a {tool} state Duet knows ({})",
            raw.trim(),
            known.join("; ")
        ),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_servicenow_export_maps_its_priorities_states_and_dates() {
        let csv = "\u{feff}\"number\",\"short_description\",\"description\",\"opened_by.email\",\"priority\",\"state\",\"opened_at\",\"closed_at\",\"assignment_group\"\n\
            \"RITM0010001\",\"New laptop for the field team\",\"Field sales need laptops that last a day\",\"ann@example.com\",\"2 - High\",\"Closed Complete\",\"2025-03-02 09:14:00\",\"2025-03-20 16:00:00\",\"Service Desk\"\n\
            \"RITM0010002\",\"CRM export\",\"\",\"bob@example.com\",\"4 - Low\",\"Work in Progress\",\"2026-10-01 10:00:00\",\"\",\"Apps\"\n\
            \"RITM0010003\",\"Old printer\",\"Replace it\",\"bob@example.com\",\"5 - Planning\",\"Closed Skipped\",\"2025-01-01 10:00:00\",\"2025-01-09 10:00:00\",\"Apps\"\n";
        let rows = parse_history_csv(csv.as_bytes(), HistoryFormat::ServiceNow, today()).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            (
                rows[0].urgency,
                rows[0].status,
                rows[0].opened_on,
                rows[0].closed_on
            ),
            (
                Urgency::High,
                Status::Closed,
                day(2025, 3, 2),
                Some(day(2025, 3, 20))
            )
        );
        assert_eq!(
            rows[1].problem, "CRM export",
            "no description: the title stands in"
        );
        assert_eq!(
            (rows[1].status, rows[1].closed_on),
            (Status::InDelivery, None)
        );
        assert_eq!(
            rows[2].note.as_deref(),
            Some("Closed Skipped in ServiceNow")
        );
        assert_eq!(rows[2].urgency, Urgency::Low);
    }

    #[test]
    fn a_jira_export_reads_names_its_date_format_and_resolutions() {
        let csv = "Summary,Issue key,Issue id,Issue Type,Status,Priority,Reporter,Created,Resolved,Resolution,Description\n\
            Dashboard for sales,IT-142,10142,Task,Done,Highest,Ann Lee,12/Mar/24 3:15 PM,02/Apr/24 9:00 AM,Done,They want a weekly view\n\
            Fax gateway,IT-143,10143,Task,Done,Low,Ann Lee,13/Mar/24 3:15 PM,14/Mar/24 9:00 AM,Won't Do,\n\
            SSO for the wiki,IT-144,10144,Task,In Progress,Medium,Bob Roe,01/Oct/26 8:00 AM,,,Single sign-on please\n";
        let rows = parse_history_csv(csv.as_bytes(), HistoryFormat::Jira, today()).unwrap();
        assert_eq!(rows[0].requester, Requester::Name("Ann Lee".into()));
        assert_eq!(
            (
                rows[0].key.as_str(),
                rows[0].urgency,
                rows[0].status,
                rows[0].opened_on,
                rows[0].closed_on
            ),
            (
                "IT-142",
                Urgency::Critical,
                Status::Closed,
                day(2024, 3, 12),
                Some(day(2024, 4, 2))
            )
        );
        assert_eq!(rows[1].note.as_deref(), Some("Won't Do in Jira"));
        assert_eq!(
            (rows[2].status, rows[2].urgency),
            (Status::InDelivery, Urgency::Normal)
        );
    }

    #[test]
    fn every_problem_is_placed_by_line_and_column_and_nothing_is_returned() {
        let csv = "key,title,problem,requester,department,urgency,status,opened_on,closed_on,note\n\
            A-1,Fine request,It is fine,ann@example.com,,normal,closed,2025-01-01,2025-01-05,\n\
            A-2,Bad date,Problem here,ann@example.com,,normal,submitted,2025-13-01,,\n\
            A-3,Unknown state,Problem here,ann@example.com,,normal,waiting,2025-01-01,,\n\
            A-4,Closed without a day,Problem here,ann@example.com,,normal,closed,2025-01-01,,\n\
            A-1,Twice,Problem here,ann@example.com,,normal,submitted,2025-01-01,,\n\
            A-6,From the future,Problem here,ann@example.com,,normal,submitted,2027-01-01,,\n\
            A-7,Deferred,Problem here,ann@example.com,,normal,deferred,2025-01-01,,\n";
        let errors = parse_history_csv(csv.as_bytes(), HistoryFormat::Duet, today()).unwrap_err();
        let placed: Vec<(u64, Option<&str>)> = errors
            .iter()
            .map(|e| (e.line, e.column.as_deref()))
            .collect();
        assert_eq!(
            placed,
            vec![
                (3, Some("opened_on")),
                (4, Some("status")),
                (5, Some("closed_on")),
                (6, Some("key")),
                (7, Some("opened_on")),
                (8, Some("status")),
            ]
        );
        let unknown = errors.iter().find(|e| e.line == 4).unwrap();
        assert!(
            unknown.message.contains("'waiting' is not one of"),
            "{}",
            unknown.message
        );
    }

    #[test]
    fn a_missing_column_names_what_the_tool_calls_it() {
        let csv = "number,short_description,priority,state,opened_at\nRITM1,Title here,1,New,2025-01-01\n";
        let errors =
            parse_history_csv(csv.as_bytes(), HistoryFormat::ServiceNow, today()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].column.as_deref(), Some("opened_by.email"));
        assert!(
            errors[0].message.contains("'caller_id.email'"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn priorities_and_long_titles_read_as_people_expect() {
        let p = |s: &str| parse_priority(HistoryFormat::ServiceNow, "priority", s);
        assert_eq!(p("1 - Critical").unwrap(), Urgency::Critical);
        assert_eq!(p("3 - Moderate").unwrap(), Urgency::Normal);
        assert_eq!(p("").unwrap(), Urgency::Normal);
        assert!(p("P0").unwrap_err().message.contains("'P0'"));
        let long = "x".repeat(300);
        let cut = shorten(&long, 140);
        assert_eq!(cut.chars().count(), 140);
        assert!(cut.ends_with('…'));
    }
}
