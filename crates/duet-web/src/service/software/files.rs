//! Reading advisory files, streamed: KEV as CSV (columns by header name) or JSON (the
//! catalogue's `vulnerabilities` array), OSV as one record, an array of records, or one record per
//! line. Each record is checked as it is read (`duet_core::software::advisories`), every problem
//! is collected with its place, and duplicates within the file are refused: the caller writes
//! nothing unless the whole file is clean.

use duet_core::software::advisories::{
    Advisory, KEV_COLUMNS, KEV_REQUIRED, KevRaw, OsvRaw, RecordError, Seen, Source,
};
use serde::de::{DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::io::{BufRead, BufReader, Read};

/// At most this many problems are reported (the file is refused at the first anyway).
const MAX_ERRORS: usize = 50;

/// What reading a file gathered.
#[derive(Debug, Default)]
pub struct Gathered {
    /// The advisories, checked.
    pub advisories: Vec<Advisory>,
    /// Every problem found, placed.
    pub errors: Vec<RecordError>,
    seen: Seen,
}

impl Gathered {
    fn take(&mut self, place: &str, checked: Result<Advisory, RecordError>) {
        match checked.and_then(|a| self.seen.check(&a, place).map(|_| a)) {
            Ok(a) => self.advisories.push(a),
            Err(e) if self.errors.len() < MAX_ERRORS => self.errors.push(e),
            Err(_) => {}
        }
    }

    fn fail(&mut self, place: &str, message: String) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(RecordError {
                place: place.to_string(),
                field: None,
                message,
            });
        }
    }
}

fn malformed(e: &serde_json::Error) -> String {
    format!(
        "malformed JSON at line {}, column {}: {e}",
        e.line(),
        e.column()
    )
}

/// Reads a KEV catalogue, CSV or JSON (told apart by the first character), from `reader`;
/// `tick` is told each record read (for a progress bar).
pub fn read_kev(reader: impl Read, out: &mut Gathered, tick: &mut dyn FnMut()) {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let first = match reader.fill_buf() {
        Ok(buf) => buf
            .iter()
            .find(|b| !b.is_ascii_whitespace() && **b != 0xEF && **b != 0xBB && **b != 0xBF)
            .copied(),
        Err(e) => return out.fail("the file", format!("unreadable: {e}")),
    };
    match first {
        None => out.fail("the file", "is empty".into()),
        Some(b'{') | Some(b'[') => read_kev_json(reader, out, tick),
        Some(_) => read_kev_csv(reader, out, tick),
    }
}

fn read_kev_csv(reader: impl Read, out: &mut Gathered, tick: &mut dyn FnMut()) {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let header: Vec<String> = match csv.headers() {
        Ok(h) => h
            .iter()
            .map(|s| s.trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect(),
        Err(e) => return out.fail("line 1", format!("unreadable header: {e}")),
    };
    let at = |name: &str| header.iter().position(|h| h == name);
    let missing: Vec<&str> = KEV_REQUIRED
        .iter()
        .copied()
        .filter(|c| at(c).is_none())
        .collect();
    if !missing.is_empty() {
        return out.fail(
            "line 1",
            format!(
                "the header has no {} column (a KEV catalogue has cveID, vendorProject, product, vulnerabilityName, dateAdded and dueDate; other columns are ignored)",
                missing.join(", ")
            ),
        );
    }
    let columns: Vec<Option<usize>> = KEV_COLUMNS.iter().map(|c| at(c)).collect();
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.fail(&format!("line {line}"), format!("malformed CSV: {e}"));
                break;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |i: usize| columns[i].and_then(|c| record.get(c)).unwrap_or("");
        let raw = KevRaw::from_cells(std::array::from_fn(cell));
        let place = format!("line {line}");
        out.take(&place, raw.check(&place));
        tick();
    }
}

/// Calls back for each element of a JSON array, deserialised as `T`.
struct EachSeed<'a, T> {
    f: &'a mut dyn FnMut(usize, Result<T, String>),
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for EachSeed<'_, T> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for EachSeed<'_, T> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0;
        // Each element is read as a JSON value first, so one bad record is named and the rest
        // are still read.
        while let Some(v) = seq.next_element::<serde_json::Value>()? {
            n += 1;
            (self.f)(n, serde_json::from_value::<T>(v).map_err(|e| e.to_string()));
        }
        Ok(())
    }
}

/// The KEV catalogue object: streams its `vulnerabilities` array, skips the rest.
struct KevCatalogue<'a> {
    f: &'a mut dyn FnMut(usize, Result<KevRaw, String>),
    found: bool,
}

impl<'de> Visitor<'de> for &mut KevCatalogue<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "the KEV catalogue (an object with a vulnerabilities array) or an array of its records",
        )
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "vulnerabilities" {
                self.found = true;
                map.next_value_seed(EachSeed::<KevRaw> { f: self.f })?;
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.found = true;
        EachSeed::<KevRaw> { f: self.f }.visit_seq(seq)
    }
}

fn read_kev_json(reader: impl Read, out: &mut Gathered, tick: &mut dyn FnMut()) {
    let mut each = |n: usize, raw: Result<KevRaw, String>| {
        let place = format!("record {n}");
        match raw {
            Ok(raw) => out.take(&place, raw.check(&place)),
            Err(e) => out.fail(&place, e),
        }
        tick();
    };
    let mut cat = KevCatalogue {
        f: &mut each,
        found: false,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = serde::Deserializer::deserialize_any(&mut de, &mut cat).and_then(|_| de.end());
    let found = cat.found;
    if let Err(e) = result {
        out.fail("the file", malformed(&e));
    } else if !found {
        out.fail(
            "the file",
            "has no vulnerabilities array: is it CISA's KEV catalogue?".into(),
        );
    }
}

/// Reads OSV records from `reader`: one record, an array of them, or one per line. `name` places
/// records of a file read from a directory.
pub fn read_osv(reader: impl Read, name: &str, out: &mut Gathered, tick: &mut dyn FnMut()) {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let first = match reader.fill_buf() {
        Ok(buf) => buf.iter().find(|b| !b.is_ascii_whitespace()).copied(),
        Err(e) => return out.fail(name, format!("unreadable: {e}")),
    };
    let prefix = if name.is_empty() {
        String::new()
    } else {
        format!("{name}, ")
    };
    match first {
        None => out.fail(if name.is_empty() { "the file" } else { name }, "is empty".into()),
        Some(b'[') => {
            let mut each = |n: usize, raw: Result<OsvRaw, String>| {
                let place = format!("{prefix}record {n}");
                match raw {
                    Ok(raw) => out.take(&place, raw.check(&place)),
                    Err(e) => out.fail(&place, e),
                }
                tick();
            };
            let mut de = serde_json::Deserializer::from_reader(reader);
            let r = EachSeed::<OsvRaw> { f: &mut each }.deserialize(&mut de).and_then(|_| de.end());
            if let Err(e) = r {
                out.fail(&format!("{prefix}the file"), malformed(&e));
            }
        }
        Some(b'{') => {
            let stream = serde_json::Deserializer::from_reader(reader).into_iter::<serde_json::Value>();
            for (i, v) in stream.enumerate() {
                let place = format!("{prefix}record {}", i + 1);
                match v {
                    Ok(v) => match serde_json::from_value::<OsvRaw>(v) {
                        Ok(raw) => out.take(&place, raw.check(&place)),
                        Err(e) => out.fail(&place, e.to_string()),
                    },
                    Err(e) => {
                        out.fail(&place, malformed(&e));
                        break;
                    }
                }
                tick();
            }
        }
        Some(_) => out.fail(
            if name.is_empty() { "the file" } else { name },
            "is not JSON: an OSV file holds one record, an array of records, or one record per line".into(),
        ),
    }
}

/// Reads a whole upload of `source` (the web's import): the advisories, or every problem.
pub fn read_bytes(source: Source, bytes: &[u8]) -> Result<Vec<Advisory>, Vec<RecordError>> {
    let mut out = Gathered::default();
    match source {
        Source::Kev => read_kev(bytes, &mut out, &mut || {}),
        Source::Osv => read_osv(bytes, "", &mut out, &mut || {}),
    }
    if out.errors.is_empty() {
        Ok(out.advisories)
    } else {
        Err(out.errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEV_CSV: &str = "cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse,notes,cwes\nCVE-2021-44228,Apache,Log4j2,Apache Log4j2 Remote Code Execution,2021-12-10,x,Apply updates,2021-12-24,Known,,CWE-20\n\nCVE-2023-22515,Atlassian,Confluence Data Center and Server,Broken Access Control,2023-10-05,y,Apply updates,2023-10-13,Unknown,,\n";

    #[test]
    fn a_kev_csv_is_read_by_header_name_and_extra_columns_ignored() {
        let a = read_bytes(Source::Kev, KEV_CSV.as_bytes()).unwrap();
        assert_eq!(a.len(), 2);
        assert!(a[0].ransomware && !a[1].ransomware);
        let reordered = "dueDate,cveID,product,vendorProject,dateAdded,vulnerabilityName,extra\n2021-12-24,CVE-2021-44228,Log4j2,Apache,2021-12-10,RCE,z\n";
        assert_eq!(
            read_bytes(Source::Kev, reordered.as_bytes()).unwrap().len(),
            1
        );
    }

    #[test]
    fn a_bad_kev_file_names_every_place() {
        let missing = "cveID,vendorProject,product\nCVE-2021-44228,Apache,Log4j2\n";
        let e = read_bytes(Source::Kev, missing.as_bytes()).unwrap_err();
        assert!(
            e[0].to_string().contains("line 1") && e[0].message.contains("dateadded"),
            "{e:?}"
        );
        let dup = format!(
            "{KEV_CSV}CVE-2021-44228,Apache,Log4j2,again,2021-12-10,x,y,2021-12-24,Known,,\n"
        );
        let e = read_bytes(Source::Kev, dup.as_bytes()).unwrap_err();
        assert_eq!(e[0].place, "line 5", "{e:?}");
        let short = "cveID,vendorProject,product,vulnerabilityName,dateAdded,dueDate\nCVE-2021-44228,Apache,Log4j2,RCE\n";
        assert!(
            read_bytes(Source::Kev, short.as_bytes()).unwrap_err()[0]
                .message
                .contains("malformed CSV")
        );
        let json = r#"{"title":"KEV","vulnerabilities":[{"cveID":"CVE-2021-44228","vendorProject":"Apache","product":"Log4j2","vulnerabilityName":"RCE","dateAdded":"2021-12-10","dueDate":"2021-12-24"},{"cveID":"CVE-2023-1","product":"x"}]}"#;
        let e = read_bytes(Source::Kev, json.as_bytes()).unwrap_err();
        assert_eq!(e[0].to_string(), "record 2, vendorProject: is missing");
        let e = read_bytes(Source::Kev, br#"{"vulnerabilities":[{"cveID":"#).unwrap_err();
        assert!(e[0].message.contains("malformed JSON at line 1"), "{e:?}");
    }

    #[test]
    fn osv_is_read_as_one_record_an_array_or_lines() {
        let one = r#"{"id":"GHSA-1","affected":[{"package":{"ecosystem":"npm","name":"left-pad"},"versions":["1.0.0"]}]}"#;
        assert_eq!(read_bytes(Source::Osv, one.as_bytes()).unwrap().len(), 1);
        let lines = format!("{one}\n{}\n", one.replace("GHSA-1", "GHSA-2"));
        assert_eq!(read_bytes(Source::Osv, lines.as_bytes()).unwrap().len(), 2);
        let array = format!("[{one}, {}]", one.replace("GHSA-1", "GHSA-3"));
        assert_eq!(read_bytes(Source::Osv, array.as_bytes()).unwrap().len(), 2);
        let e = read_bytes(Source::Osv, format!("[{one}, {one}]").as_bytes()).unwrap_err();
        assert!(e[0].message.contains("already in this import"), "{e:?}");
        assert!(
            read_bytes(Source::Osv, b"id,summary\n").unwrap_err()[0]
                .message
                .contains("is not JSON")
        );
    }
}
