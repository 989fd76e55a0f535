//! The actions behind both faces: each function checks the permission, validates the input and
//! calls the store, so a page and its API endpoint cannot drift apart.

pub mod accounts;
pub mod org;

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
