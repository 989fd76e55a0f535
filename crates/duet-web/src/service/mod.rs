//! The actions behind both faces: each function checks the permission, validates the input and
//! calls the store, so a page and its API endpoint cannot drift apart.

pub mod accounts;
pub mod audit;
pub mod bounded;
pub mod comms;
pub mod fresh;
pub mod group_commit;
pub mod home;
pub mod listen;
pub mod mail;
pub mod metrics;
pub mod org;
pub mod portfolio;
pub mod promises;
pub mod relationships;
pub mod requests;
pub mod reviews;
pub mod rotation;
pub mod software;
pub mod sso;
pub mod voice;

/// Lenient deserializers for values that arrive as numbers from JSON and as strings from forms.
pub mod de {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrText {
        Num(i64),
        Text(String),
    }

    /// An optional id: a number, a numeric string, or empty/absent for none.
    pub fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match Option::<NumOrText>::deserialize(d)? {
            None => Ok(None),
            Some(NumOrText::Num(n)) => Ok(Some(n)),
            Some(NumOrText::Text(t)) if t.trim().is_empty() => Ok(None),
            Some(NumOrText::Text(t)) => t
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| serde::de::Error::custom(format!("'{t}' is not a number"))),
        }
    }

    /// An amount or a measured value as text: JSON numbers are turned into their decimal text
    /// with every digit kept, so `Money::parse` (or a metric's value parser) checks both the
    /// same way.
    pub fn amount<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Amount {
            Int(i64),
            Float(f64),
            Text(String),
        }
        Ok(match Option::<Amount>::deserialize(d)? {
            None => String::new(),
            Some(Amount::Int(n)) => n.to_string(),
            // The shortest text that reads back as the same number ("12.345", never rounded to
            // "12.35"), so more than two decimals is refused exactly as a typed one is.
            Some(Amount::Float(f)) => f.to_string(),
            Some(Amount::Text(t)) => t,
        })
    }

    /// A checkbox: present ("on", "true", "1") means true; JSON booleans work too.
    pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum BoolOrText {
            Bool(bool),
            Text(String),
        }
        Ok(match Option::<BoolOrText>::deserialize(d)? {
            None => false,
            Some(BoolOrText::Bool(b)) => b,
            Some(BoolOrText::Text(t)) => matches!(t.as_str(), "on" | "true" | "1" | "yes"),
        })
    }
}
