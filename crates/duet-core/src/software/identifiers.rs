//! The identifiers a register entry can be matched by: a CPE 2.3 name (the formatted string, or
//! a CPE 2.2 URI, which is read into the same parts) and a package URL (purl). Anything else is
//! refused with what was expected, never guessed.

use crate::FieldError;

/// The parts of a CPE name that matching uses; `None` is "any" (`*`), `Some("-")` "not
/// applicable". Values are kept unescaped and lower-cased (CPE compares without case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpe {
    /// `a` (application), `o` (operating system) or `h` (hardware).
    pub part: char,
    /// The vendor ("microsoft").
    pub vendor: String,
    /// The product ("exchange_server").
    pub product: String,
    /// The version, if the name names one.
    pub version: Option<String>,
}

/// Splits a CPE 2.3 formatted string on its unescaped colons, unescaping each part.
fn split_formatted(raw: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ':' => parts.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    parts.push(cur);
    parts
}

fn value(v: &str) -> Option<String> {
    match v {
        "*" | "" => None,
        v => Some(v.to_lowercase()),
    }
}

impl Cpe {
    /// Reads `cpe:2.3:part:vendor:product:version:…` (13 parts) or `cpe:/part:vendor:product[:version…]`;
    /// errors name `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        let bad = |why: &str| {
            Err(FieldError::new(
                field,
                format!(
                    "\u{201c}{raw}\u{201d} is not a CPE name ({why}); write it as cpe:2.3:a:vendor:product:version:*:*:*:*:*:*:*"
                ),
            ))
        };
        let (part, vendor, product, version) = if let Some(rest) = raw.strip_prefix("cpe:2.3:") {
            let p = split_formatted(rest);
            if p.len() != 11 {
                return bad(&format!(
                    "13 parts separated by colons, found {}",
                    p.len() + 2
                ));
            }
            (p[0].clone(), p[1].clone(), p[2].clone(), p[3].clone())
        } else if let Some(rest) = raw.strip_prefix("cpe:/") {
            let p: Vec<String> = rest
                .split(':')
                .map(|s| s.replace("%20", " ").replace("%21", "!"))
                .collect();
            if p.len() < 3 {
                return bad("a CPE 2.2 name has at least a part, a vendor and a product");
            }
            let version = p.get(3).cloned().unwrap_or_else(|| "*".into());
            (p[0].clone(), p[1].clone(), p[2].clone(), version)
        } else {
            return bad("it should start with cpe:2.3: or cpe:/");
        };
        let part = match part.as_str() {
            "a" | "o" | "h" => part.chars().next().unwrap_or('a'),
            _ => return bad("the part is a, o or h"),
        };
        let (Some(vendor), Some(product)) = (value(&vendor), value(&product)) else {
            return bad("a vendor and a product are needed to match it");
        };
        Ok(Self {
            part,
            vendor,
            product,
            version: value(&version),
        })
    }

    /// The formatted string (`cpe:2.3:…`), with any version.
    pub fn formatted(&self) -> String {
        let esc = |s: &str| {
            s.chars()
                .flat_map(|c| {
                    let special = !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
                    let mut v = Vec::with_capacity(2);
                    if special {
                        v.push('\\');
                    }
                    v.push(c);
                    v
                })
                .collect::<String>()
        };
        format!(
            "cpe:2.3:{}:{}:{}:{}:*:*:*:*:*:*:*",
            self.part,
            esc(&self.vendor),
            esc(&self.product),
            self.version.as_deref().map_or_else(|| "*".to_string(), esc)
        )
    }
}

/// A package URL's identity (the parts matching compares) and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// The package type ("npm", "maven", "pypi"), lower-cased.
    pub kind: String,
    /// The namespace, if any ("org.apache.logging.log4j").
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
    /// The version, if any.
    pub version: Option<String>,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Purl {
    /// Reads `pkg:type/namespace/name@version?qualifiers#subpath`; errors name `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        let bad = |why: &str| {
            Err(FieldError::new(
                field,
                format!(
                    "\u{201c}{raw}\u{201d} is not a package URL ({why}); write it as pkg:type/namespace/name@version"
                ),
            ))
        };
        let Some(rest) = raw.strip_prefix("pkg:") else {
            return bad("it should start with pkg:");
        };
        let rest = rest.split('#').next().unwrap_or("");
        let rest = rest.split('?').next().unwrap_or("");
        let rest = rest.trim_start_matches('/');
        let (path, version) = match rest.rfind('@') {
            Some(at) if at > rest.rfind('/').unwrap_or(0) => {
                (&rest[..at], Some(percent_decode(&rest[at + 1..])))
            }
            _ => (rest, None),
        };
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if segments.len() < 2 {
            return bad("a type and a name are needed");
        }
        let kind = segments[0].to_lowercase();
        if !kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '+' || c == '-')
        {
            return bad("the type is letters and digits");
        }
        let name = percent_decode(segments[segments.len() - 1]);
        let namespace = (segments.len() > 2).then(|| {
            segments[1..segments.len() - 1]
                .iter()
                .map(|s| percent_decode(s))
                .collect::<Vec<_>>()
                .join("/")
        });
        // Some ecosystems compare names without case.
        let fold = matches!(
            kind.as_str(),
            "npm" | "pypi" | "github" | "bitbucket" | "golang" | "composer"
        );
        let norm = |s: String| if fold { s.to_lowercase() } else { s };
        Ok(Self {
            name: norm(name),
            namespace: namespace.map(norm),
            kind,
            version: version.filter(|v| !v.is_empty()),
        })
    }

    /// The identity without the version: `type/namespace/name`, the key advisories are matched by.
    pub fn key(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{}/{}/{}", self.kind, ns, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }
}

/// A vendor or product name as aliases compare it: lower-cased, with runs of anything but
/// letters and digits made one space ("Microsoft Corp." and "microsoft_corp" agree).
pub fn alias_key(raw: &str) -> String {
    raw.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpe_names_are_read_in_both_syntaxes_and_bad_ones_named() {
        let c = Cpe::parse(
            "cpe",
            "cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_12:*:*:*:*:*:*",
        )
        .unwrap();
        assert_eq!(
            (
                c.part,
                c.vendor.as_str(),
                c.product.as_str(),
                c.version.as_deref()
            ),
            ('a', "microsoft", "exchange_server", Some("2019"))
        );
        let e = Cpe::parse("cpe", "cpe:2.3:a:vendor\\:x:product:*:*:*:*:*:*:*:*").unwrap();
        assert_eq!(e.vendor, "vendor:x");
        let u = Cpe::parse("cpe", "cpe:/a:apache:log4j:2.14.1").unwrap();
        assert_eq!(
            (u.product.as_str(), u.version.as_deref()),
            ("log4j", Some("2.14.1"))
        );
        assert_eq!(Cpe::parse("cpe", "cpe:2.3:a:x:y").unwrap_err().field, "cpe");
        assert!(
            Cpe::parse("cpe", "microsoft exchange")
                .unwrap_err()
                .message
                .contains("cpe:2.3:")
        );
        assert!(Cpe::parse("cpe", "cpe:2.3:z:a:b:*:*:*:*:*:*:*:*").is_err());
        let round = Cpe::parse("cpe", &c.formatted()).unwrap();
        assert_eq!(round, c);
    }

    #[test]
    fn package_urls_are_read_with_namespaces_versions_and_escapes() {
        let p = Purl::parse(
            "purl",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar",
        )
        .unwrap();
        assert_eq!(p.key(), "maven/org.apache.logging.log4j/log4j-core");
        assert_eq!(p.version.as_deref(), Some("2.14.1"));
        let n = Purl::parse("purl", "pkg:npm/%40angular/Core@1.0.0").unwrap();
        assert_eq!(n.key(), "npm/@angular/core");
        assert_eq!(
            Purl::parse("purl", "pkg:pypi/Django").unwrap().version,
            None
        );
        assert_eq!(
            Purl::parse("purl", "npm:left-pad").unwrap_err().field,
            "purl"
        );
        assert!(Purl::parse("purl", "pkg:npm").is_err());
    }

    #[test]
    fn aliases_compare_without_case_or_punctuation() {
        assert_eq!(alias_key("Microsoft Corp."), alias_key("microsoft_corp"));
        assert_eq!(alias_key("  Zoom Video "), "zoom video");
    }
}
