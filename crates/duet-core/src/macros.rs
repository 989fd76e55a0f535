//! Small declarative macros shared by the domain modules.

/// Defines a string-backed enum with its wire name, used the same in SQL, JSON, forms and CSV.
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident $(as $alias:ident)?, $field:literal { $($(#[$vm:meta])* $variant:ident = $wire:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        $(#[schema(as = $alias)])?
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable wire name (stored in the database and used in the API).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// A human label for pages.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::FieldError;
            fn from_str(s: &str) -> Result<Self, $crate::FieldError> {
                let t = s.trim();
                $(if t.eq_ignore_ascii_case($wire) || t.eq_ignore_ascii_case($label) { return Ok($name::$variant); })+
                let allowed: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                Err($crate::FieldError::new($field, format!("'{t}' is not one of: {}", allowed.join(", "))))
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::FieldError;
            fn try_from(s: String) -> Result<Self, $crate::FieldError> { s.parse() }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
