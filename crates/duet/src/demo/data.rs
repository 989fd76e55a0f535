//! The demo's content files (`crates/duet/demo-data/*.toml`): every text of `duet demo` lives in
//! them, so that someone who does not write Rust can edit the story. They are embedded at build
//! time and parsed once, on first use; each area's tests load its file.

use std::sync::OnceLock;

/// One embedded content file, parsed into `T` on first use.
pub(crate) struct DataFile<T> {
    name: &'static str,
    text: &'static str,
    parsed: OnceLock<Result<T, String>>,
}

impl<T: serde::de::DeserializeOwned> DataFile<T> {
    /// A file named `name` (for errors) with the text `include_str!` embedded.
    pub(crate) const fn new(name: &'static str, text: &'static str) -> Self {
        Self {
            name,
            text,
            parsed: OnceLock::new(),
        }
    }

    /// The parsed content, or the file's name, line and what is wrong there.
    pub(crate) fn get(&'static self) -> anyhow::Result<&'static T> {
        self.parsed
            .get_or_init(|| {
                toml::from_str(self.text).map_err(|e| format!("demo-data/{}: {e}", self.name))
            })
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))
    }
}
