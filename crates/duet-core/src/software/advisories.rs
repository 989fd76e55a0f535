//! Advisories as Duet keeps them, read from the two offline sources an admin imports: CISA's
//! Known Exploited Vulnerabilities catalogue (CSV, columns found by header name since CISA has
//! added columns over time; or its JSON) and OSV records (JSON). Every record is checked and
//! every problem is placed (line and column, or record and field) so an import is all or nothing.

use super::identifiers::{Cpe, Purl, alias_key};
use super::versions::Event;
use chrono::NaiveDate;
use std::fmt;

wire_enum!(
    /// Where an advisory came from.
    Source, "source" {
        /// CISA's Known Exploited Vulnerabilities catalogue.
        Kev = "kev" / "CISA Known Exploited Vulnerabilities",
        /// An OSV record.
        Osv = "osv" / "OSV",
    }
);

/// A problem with one record of an advisory file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecordError {
    /// Where: "line 12" (CSV) or "record 12 (GHSA-xxxx)" (JSON).
    pub place: String,
    /// The field or column, when the problem is in one.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(c) => write!(f, "{}, {}: {}", self.place, c, self.message),
            None => write!(f, "{}: {}", self.place, self.message),
        }
    }
}

impl RecordError {
    fn at(place: &str, field: &str, message: impl Into<String>) -> Self {
        Self {
            place: place.to_string(),
            field: Some(field.to_string()),
            message: message.into(),
        }
    }
}

/// What an advisory affects, in one of the ways matching compares.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Affected {
    /// A package URL's identity (`type/namespace/name`).
    pub purl_key: Option<String>,
    /// A CPE's vendor and product.
    pub cpe: Option<(String, String)>,
    /// A vendor and product by name, as [`alias_key`] compares them (KEV names them so): a
    /// match by name is a candidate for a person to confirm.
    pub alias: Option<(String, String)>,
    /// Ranges of affected versions (each a list of events); none and no `versions`: every version.
    pub ranges: Vec<Vec<Event>>,
    /// Affected versions listed one by one.
    pub versions: Vec<String>,
}

impl Affected {
    /// Whether `version` is affected; `None` when the version is not known (then only a person can
    /// tell) and the advisory limits its versions.
    pub fn affects(&self, version: Option<&str>) -> Option<bool> {
        if self.ranges.is_empty() && self.versions.is_empty() {
            return Some(true);
        }
        let v = version?;
        Some(
            self.versions
                .iter()
                .any(|x| super::versions::compare(x, v).is_eq())
                || self.ranges.iter().any(|r| super::versions::in_range(v, r)),
        )
    }
}

/// An advisory, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advisory {
    /// KEV or OSV.
    pub source: Source,
    /// The CVE (KEV) or the OSV id.
    pub id: String,
    /// Other ids (CVEs of an OSV record).
    pub aliases: Vec<String>,
    /// One line: what it is.
    pub summary: String,
    /// When it was published or added to the catalogue.
    pub published: Option<NaiveDate>,
    /// KEV's due date: the review deadline it sets.
    pub due_on: Option<NaiveDate>,
    /// KEV: known to be used in ransomware campaigns.
    pub ransomware: bool,
    /// KEV: the action CISA requires.
    pub required_action: String,
    /// What it affects.
    pub affected: Vec<Affected>,
}

fn date(place: &str, field: &str, raw: &str) -> Result<NaiveDate, RecordError> {
    let t = raw.trim();
    NaiveDate::parse_from_str(t.get(..10).unwrap_or(t), "%Y-%m-%d").map_err(|_| {
        RecordError::at(
            place,
            field,
            format!("\u{201c}{t}\u{201d} is not a date (YYYY-MM-DD)"),
        )
    })
}

fn required<'a>(place: &str, field: &str, v: Option<&'a str>) -> Result<&'a str, RecordError> {
    match v.map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(RecordError::at(place, field, "is missing")),
    }
}

/// One KEV record as read (every field optional, so a missing one is named rather than a parse
/// failure); the JSON catalogue's names.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct KevRaw {
    #[serde(rename = "cveID")]
    cve_id: Option<String>,
    #[serde(rename = "vendorProject")]
    vendor_project: Option<String>,
    product: Option<String>,
    #[serde(rename = "vulnerabilityName")]
    vulnerability_name: Option<String>,
    #[serde(rename = "dateAdded")]
    date_added: Option<String>,
    #[serde(rename = "dueDate")]
    due_date: Option<String>,
    #[serde(rename = "knownRansomwareCampaignUse")]
    ransomware: Option<String>,
    #[serde(rename = "requiredAction")]
    required_action: Option<String>,
}

/// The KEV CSV's columns Duet reads, in [`KevRaw`]'s order (the rest are ignored).
pub const KEV_COLUMNS: [&str; 8] = [
    "cveid",
    "vendorproject",
    "product",
    "vulnerabilityname",
    "dateadded",
    "duedate",
    "knownransomwarecampaignuse",
    "requiredaction",
];

/// The KEV CSV columns an import cannot do without.
pub const KEV_REQUIRED: [&str; 6] = [
    "cveid",
    "vendorproject",
    "product",
    "vulnerabilityname",
    "dateadded",
    "duedate",
];

impl KevRaw {
    /// From the CSV's cells, in [`KEV_COLUMNS`]' order (absent optional columns empty).
    pub fn from_cells(cells: [&str; 8]) -> Self {
        let s = |i: usize| Some(cells[i].to_string());
        Self {
            cve_id: s(0),
            vendor_project: s(1),
            product: s(2),
            vulnerability_name: s(3),
            date_added: s(4),
            due_date: s(5),
            ransomware: s(6),
            required_action: s(7),
        }
    }

    /// Checks the record found at `place`.
    pub fn check(self, place: &str) -> Result<Advisory, RecordError> {
        let cve = required(place, "cveID", self.cve_id.as_deref())?;
        if !cve.starts_with("CVE-") || cve.len() < 9 {
            return Err(RecordError::at(
                place,
                "cveID",
                format!("\u{201c}{cve}\u{201d} is not a CVE id (CVE-YYYY-NNNN)"),
            ));
        }
        let vendor = required(place, "vendorProject", self.vendor_project.as_deref())?;
        let product = required(place, "product", self.product.as_deref())?;
        let name = required(
            place,
            "vulnerabilityName",
            self.vulnerability_name.as_deref(),
        )?;
        let added = date(
            place,
            "dateAdded",
            required(place, "dateAdded", self.date_added.as_deref())?,
        )?;
        let due = date(
            place,
            "dueDate",
            required(place, "dueDate", self.due_date.as_deref())?,
        )?;
        Ok(Advisory {
            source: Source::Kev,
            id: cve.to_string(),
            aliases: Vec::new(),
            summary: name.to_string(),
            published: Some(added),
            due_on: Some(due),
            ransomware: self
                .ransomware
                .as_deref()
                .is_some_and(|r| r.trim().eq_ignore_ascii_case("known")),
            required_action: self.required_action.unwrap_or_default().trim().to_string(),
            affected: vec![Affected {
                alias: Some((alias_key(vendor), alias_key(product))),
                ..Default::default()
            }],
        })
    }
}

/// An OSV record as read: the fields Duet uses (OSV schema 1.x).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct OsvRaw {
    id: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    summary: Option<String>,
    details: Option<String>,
    published: Option<String>,
    #[serde(default)]
    affected: Vec<OsvAffected>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct OsvAffected {
    package: Option<OsvPackage>,
    #[serde(default)]
    ranges: Vec<OsvRange>,
    #[serde(default)]
    versions: Vec<String>,
    database_specific: Option<OsvSpecific>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct OsvPackage {
    ecosystem: Option<String>,
    name: Option<String>,
    purl: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct OsvRange {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    events: Vec<std::collections::BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
struct OsvSpecific {
    #[serde(default)]
    cpes: Vec<String>,
}

/// The package URL type of an OSV ecosystem, and how its package names map to a namespace.
fn purl_key_of(ecosystem: &str, name: &str) -> Option<String> {
    let eco = ecosystem.split(':').next().unwrap_or(ecosystem);
    let kind = match eco {
        "npm" => "npm",
        "PyPI" => "pypi",
        "Maven" => "maven",
        "Go" => "golang",
        "crates.io" => "cargo",
        "RubyGems" => "gem",
        "NuGet" => "nuget",
        "Packagist" => "composer",
        "Hex" => "hex",
        "Pub" => "pub",
        _ => return None,
    };
    let name = if kind == "maven" {
        name.replacen(':', "/", 1)
    } else {
        name.to_string()
    };
    Purl::parse("purl", &format!("pkg:{kind}/{name}"))
        .ok()
        .map(|p| p.key())
}

impl OsvRaw {
    /// Checks the record found at `place` ("record 12").
    pub fn check(self, place: &str) -> Result<Advisory, RecordError> {
        let id = required(place, "id", self.id.as_deref())?.to_string();
        let place = format!("{place} ({id})");
        let place = place.as_str();
        let published = match self.published.as_deref() {
            Some(p) if !p.trim().is_empty() => Some(date(place, "published", p)?),
            _ => None,
        };
        let mut affected = Vec::new();
        for (i, a) in self.affected.into_iter().enumerate() {
            let field = format!("affected[{i}]");
            let pkg = a.package.unwrap_or_default();
            let purl_key = match pkg.purl.as_deref() {
                Some(p) if !p.trim().is_empty() => Some(
                    Purl::parse(&format!("{field}.package.purl"), p)
                        .map_err(|e| RecordError::at(place, &e.field, e.message))?
                        .key(),
                ),
                _ => match (pkg.ecosystem.as_deref(), pkg.name.as_deref()) {
                    (Some(e), Some(n)) => purl_key_of(e, n),
                    _ => None,
                },
            };
            let mut ranges = Vec::new();
            for (j, r) in a.ranges.into_iter().enumerate() {
                if r.kind.as_deref() == Some("GIT") {
                    continue;
                }
                let mut events = Vec::new();
                for (k, e) in r.events.into_iter().enumerate() {
                    let ev = if let Some(v) = e.get("introduced") {
                        Event::Introduced(v.clone())
                    } else if let Some(v) = e.get("fixed") {
                        Event::Fixed(v.clone())
                    } else if let Some(v) = e.get("last_affected") {
                        Event::LastAffected(v.clone())
                    } else if let Some(v) = e.get("limit") {
                        Event::Limit(v.clone())
                    } else {
                        return Err(RecordError::at(
                            place,
                            &format!("{field}.ranges[{j}].events[{k}]"),
                            "an event is introduced, fixed, last_affected or limit",
                        ));
                    };
                    events.push(ev);
                }
                ranges.push(events);
            }
            let cpes = a.database_specific.map(|d| d.cpes).unwrap_or_default();
            if purl_key.is_none() && cpes.is_empty() {
                // An ecosystem Duet cannot name (Linux distributions, GIT-only): nothing to match.
                continue;
            }
            if cpes.is_empty() {
                affected.push(Affected {
                    purl_key,
                    ranges,
                    versions: a.versions,
                    ..Default::default()
                });
            } else {
                for (j, c) in cpes.iter().enumerate() {
                    let cpe = Cpe::parse(&format!("{field}.database_specific.cpes[{j}]"), c)
                        .map_err(|e| RecordError::at(place, &e.field, e.message))?;
                    affected.push(Affected {
                        purl_key: purl_key.clone(),
                        cpe: Some((cpe.vendor, cpe.product)),
                        ranges: ranges.clone(),
                        versions: a.versions.clone(),
                        ..Default::default()
                    });
                }
            }
        }
        let summary = self
            .summary
            .filter(|s| !s.trim().is_empty())
            .or_else(|| {
                self.details
                    .map(|d| d.lines().next().unwrap_or("").to_string())
            })
            .unwrap_or_default();
        Ok(Advisory {
            source: Source::Osv,
            id,
            aliases: self.aliases,
            summary: summary.chars().take(300).collect(),
            published,
            due_on: None,
            ransomware: false,
            required_action: String::new(),
            affected,
        })
    }
}

/// Refuses an advisory id seen twice in one import, naming both places.
#[derive(Debug, Default)]
pub struct Seen(std::collections::HashMap<String, String>);

impl Seen {
    /// Records `a` found at `place`; a second sighting is an error.
    pub fn check(&mut self, a: &Advisory, place: &str) -> Result<(), RecordError> {
        match self.0.insert(a.id.clone(), place.to_string()) {
            Some(first) => Err(RecordError {
                place: place.to_string(),
                field: None,
                message: format!(
                    "{} is already in this import at {first}: an import holds each advisory once",
                    a.id
                ),
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kev_record_names_its_missing_or_bad_fields() {
        let ok = KevRaw::from_cells([
            "CVE-2021-44228",
            "Apache",
            "Log4j2",
            "Apache Log4j2 RCE",
            "2021-12-10",
            "2021-12-24",
            "Known",
            "Apply updates",
        ])
        .check("line 2")
        .unwrap();
        assert_eq!(ok.due_on, NaiveDate::from_ymd_opt(2021, 12, 24));
        assert!(ok.ransomware);
        assert_eq!(
            ok.affected[0].alias,
            Some(("apache".into(), "log4j2".into()))
        );
        let e = KevRaw::from_cells([
            "CVE-2021-44228",
            "",
            "Log4j2",
            "x",
            "2021-12-10",
            "2021-12-24",
            "",
            "",
        ])
        .check("line 3")
        .unwrap_err();
        assert_eq!(e.to_string(), "line 3, vendorProject: is missing");
        let e = KevRaw::from_cells([
            "CVE-2021-44228",
            "Apache",
            "Log4j2",
            "x",
            "10/12/2021",
            "2021-12-24",
            "",
            "",
        ])
        .check("line 4")
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("dateAdded"));
        assert!(
            KevRaw::from_cells(["44228", "a", "b", "c", "2021-12-10", "2021-12-24", "", ""])
                .check("line 5")
                .is_err()
        );
    }

    #[test]
    fn an_osv_record_gives_what_it_affects() {
        let raw: OsvRaw = serde_json::from_str(r#"{"id":"GHSA-jfh8-c2jp-5v3q","aliases":["CVE-2021-44228"],"summary":"Remote code injection in Log4j","published":"2021-12-10T00:40:56Z","affected":[{"package":{"ecosystem":"Maven","name":"org.apache.logging.log4j:log4j-core"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"2.0-beta9"},{"fixed":"2.15.0"}]}]},{"package":{"ecosystem":"Debian:11","name":"apache-log4j2"}}]}"#).unwrap();
        let a = raw.check("record 1").unwrap();
        assert_eq!(
            a.affected.len(),
            1,
            "Debian cannot be named as a package URL"
        );
        assert_eq!(
            a.affected[0].purl_key.as_deref(),
            Some("maven/org.apache.logging.log4j/log4j-core")
        );
        assert_eq!(a.affected[0].affects(Some("2.14.1")), Some(true));
        assert_eq!(a.affected[0].affects(Some("2.17.0")), Some(false));
        assert_eq!(a.affected[0].affects(None), None);
        let bad: OsvRaw = serde_json::from_str(
            r#"{"id":"X-1","affected":[{"package":{"purl":"npm:left-pad"}}]}"#,
        )
        .unwrap();
        let e = bad.check("record 2").unwrap_err();
        assert_eq!(e.place, "record 2 (X-1)");
        assert_eq!(e.field.as_deref(), Some("affected[0].package.purl"));
        let no_id: OsvRaw = serde_json::from_str(r#"{"summary":"x"}"#).unwrap();
        assert_eq!(
            no_id.check("record 3").unwrap_err().to_string(),
            "record 3, id: is missing"
        );
    }

    #[test]
    fn one_import_holds_each_advisory_once() {
        let a = KevRaw::from_cells([
            "CVE-2021-44228",
            "Apache",
            "Log4j2",
            "x",
            "2021-12-10",
            "2021-12-24",
            "",
            "",
        ])
        .check("line 2")
        .unwrap();
        let mut seen = Seen::default();
        assert!(seen.check(&a, "line 2").is_ok());
        let e = seen.check(&a, "line 9").unwrap_err();
        assert!(
            e.to_string().contains("line 9") && e.message.contains("line 2"),
            "{e}"
        );
    }
}
