//! Matching register entries to advisories, with a confidence: an exact package URL with the
//! version in an affected range, then an exact CPE vendor and product with the version in range,
//! then a vendor and product by name — a candidate for a person to confirm, never an alarm on its
//! own (an exact identifier whose version is not known is a candidate too). Advisories are
//! indexed once by each key, so matching is linear in entries and advisories.

use super::advisories::Advisory;
use super::identifiers::{Cpe, Purl};
use std::collections::HashMap;

wire_enum!(
    /// How sure a match is.
    Confidence, "confidence" {
        /// The same package URL, the version in an affected range.
        ExactPurl = "exact_purl" / "Exact package URL, version affected",
        /// The same CPE vendor and product, the version in an affected range.
        ExactCpe = "exact_cpe" / "Exact CPE, version affected",
        /// By name, or an exact identifier whose version is not known: a person confirms it.
        Candidate = "candidate" / "Candidate: a person confirms it",
    }
);

/// A register entry as matching sees it.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    /// Its package URL.
    pub purl: Option<Purl>,
    /// Its CPE name.
    pub cpe: Option<Cpe>,
    /// The version in use, if known (else the identifier's).
    pub version: Option<String>,
    /// (vendor, product) names as `alias_key` compares them: its vendor and name, and aliases.
    pub aliases: Vec<(String, String)>,
}

/// One match: entry index, advisory index, confidence.
pub type Match = (usize, usize, Confidence);

/// Advisories indexed by each key matching compares.
#[derive(Debug, Default)]
pub struct Index {
    purl: HashMap<String, Vec<(usize, usize)>>,
    cpe: HashMap<(String, String), Vec<(usize, usize)>>,
    alias: HashMap<(String, String), Vec<(usize, usize)>>,
}

impl Index {
    /// Indexes `advisories` (each affected item under its keys).
    pub fn new(advisories: &[Advisory]) -> Self {
        let mut ix = Self::default();
        for (a, adv) in advisories.iter().enumerate() {
            for (i, aff) in adv.affected.iter().enumerate() {
                if let Some(k) = &aff.purl_key {
                    ix.purl.entry(k.clone()).or_default().push((a, i));
                }
                if let Some(k) = &aff.cpe {
                    ix.cpe.entry(k.clone()).or_default().push((a, i));
                }
                if let Some(k) = &aff.alias {
                    ix.alias.entry(k.clone()).or_default().push((a, i));
                }
            }
        }
        ix
    }
}

/// Every match of `entries` against the indexed `advisories`: for each (entry, advisory) the
/// most confident way it matches, and none where an exact identifier says the version is not
/// affected.
pub fn matches(entries: &[Entry], advisories: &[Advisory], ix: &Index) -> Vec<Match> {
    let mut out = Vec::new();
    for (e, entry) in entries.iter().enumerate() {
        let mut best: HashMap<usize, Confidence> = HashMap::new();
        let mut ruled_out: Vec<usize> = Vec::new();
        let version = entry
            .version
            .as_deref()
            .or(entry.purl.as_ref().and_then(|p| p.version.as_deref()))
            .or(entry.cpe.as_ref().and_then(|c| c.version.as_deref()));
        let mut exact = |hits: Option<&Vec<(usize, usize)>>, sure: Confidence| {
            for (a, i) in hits.into_iter().flatten() {
                match advisories[*a].affected[*i].affects(version) {
                    Some(true) => {
                        best.entry(*a)
                            .and_modify(|c| {
                                if *c == Confidence::Candidate {
                                    *c = sure;
                                }
                            })
                            .or_insert(sure);
                    }
                    Some(false) => ruled_out.push(*a),
                    None => {
                        best.entry(*a).or_insert(Confidence::Candidate);
                    }
                }
            }
        };
        if let Some(p) = &entry.purl {
            exact(ix.purl.get(&p.key()), Confidence::ExactPurl);
        }
        if let Some(c) = &entry.cpe {
            exact(
                ix.cpe.get(&(c.vendor.clone(), c.product.clone())),
                Confidence::ExactCpe,
            );
        }
        for key in &entry.aliases {
            for (a, _) in ix.alias.get(key).into_iter().flatten() {
                best.entry(*a).or_insert(Confidence::Candidate);
            }
        }
        let mut found: Vec<(usize, Confidence)> = best
            .into_iter()
            .filter(|(a, c)| *c != Confidence::Candidate || !ruled_out.contains(a))
            .collect();
        found.sort_unstable_by_key(|(a, _)| *a);
        out.extend(found.into_iter().map(|(a, c)| (e, a, c)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::software::advisories::{KevRaw, OsvRaw};
    use crate::software::identifiers::alias_key;

    fn log4j() -> Vec<Advisory> {
        let osv: OsvRaw = serde_json::from_str(r#"{"id":"GHSA-jfh8","affected":[{"package":{"ecosystem":"Maven","name":"org.apache.logging.log4j:log4j-core"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"2.0"},{"fixed":"2.15.0"}]}],"database_specific":{"cpes":["cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*"]}}]}"#).unwrap();
        let kev = KevRaw::from_cells([
            "CVE-2023-22515",
            "Atlassian",
            "Confluence Data Center and Server",
            "x",
            "2023-10-05",
            "2023-10-13",
            "",
            "",
        ]);
        vec![osv.check("record 1").unwrap(), kev.check("line 2").unwrap()]
    }

    #[test]
    fn confidence_goes_from_package_url_to_cpe_to_name() {
        let adv = log4j();
        let ix = Index::new(&adv);
        let entries = vec![
            Entry {
                purl: Some(
                    Purl::parse("p", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
                        .unwrap(),
                ),
                ..Default::default()
            },
            Entry {
                purl: Some(
                    Purl::parse("p", "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1")
                        .unwrap(),
                ),
                ..Default::default()
            },
            Entry {
                cpe: Some(Cpe::parse("c", "cpe:2.3:a:apache:log4j:2.3:*:*:*:*:*:*:*").unwrap()),
                ..Default::default()
            },
            Entry {
                purl: Some(
                    Purl::parse("p", "pkg:maven/org.apache.logging.log4j/log4j-core").unwrap(),
                ),
                ..Default::default()
            },
            Entry {
                aliases: vec![(
                    alias_key("Atlassian"),
                    alias_key("Confluence Data Center and Server"),
                )],
                ..Default::default()
            },
            Entry {
                aliases: vec![(alias_key("Atlassian"), alias_key("Jira"))],
                ..Default::default()
            },
        ];
        let m = matches(&entries, &adv, &ix);
        assert_eq!(
            m,
            vec![
                (0, 0, Confidence::ExactPurl),
                (2, 0, Confidence::ExactCpe),
                (3, 0, Confidence::Candidate),
                (4, 1, Confidence::Candidate),
            ],
            "2.17.1 is fixed; Jira is not Confluence"
        );
    }
}
