//! Unity (issue 16): the register of software departments use, and the offline matching of
//! known vulnerabilities — identifiers (CPE 2.3, package URLs, names), versions and ranges,
//! advisories from CISA KEV and OSV, and matching with a confidence.

pub mod advisories;
pub mod expenses;
pub mod identifiers;
pub mod matching;
pub mod register;
pub mod versions;
