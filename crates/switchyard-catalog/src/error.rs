//! Errors from loading a catalog.

use std::path::PathBuf;

/// Why a catalog could not be loaded. Every variant names what is wrong:
/// the position of a JSON syntax error, or the model (its index in `data`
/// and its id) and the field.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The file could not be read.
    #[error("cannot read the catalog `{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The text is not JSON.
    #[error("the catalog is not valid JSON: {message} at line {line}, column {column}")]
    Syntax {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// serde_json's description, without the position.
        message: String,
    },
    /// The top level is not an object with a `data` array (the shape of
    /// `GET /api/v1/models`).
    #[error("the catalog has no `data` array: {found}")]
    NoData {
        /// What was found instead, in words.
        found: String,
    },
    /// An element of `data` is not an object.
    #[error("`data[{index}]` is {found}, not a model object")]
    NotAnObject {
        /// Its index in `data`.
        index: usize,
        /// What it is (`a string`, `null`, ...).
        found: &'static str,
    },
    /// A model has no `id`, or an `id` that is not a non-empty string.
    #[error("`data[{index}]` has no model id: `id` is {found}")]
    MissingId {
        /// Its index in `data`.
        index: usize,
        /// What `id` is (`missing`, `a number`, `an empty string`, ...).
        found: &'static str,
    },
    /// A field of a model has a value of the wrong type or out of range
    /// (a price that is negative, not a number, or not finite, ...).
    #[error("model `{id}` (`data[{index}]`): `{field}` {problem}")]
    Field {
        /// The model's index in `data`.
        index: usize,
        /// The model's id.
        id: String,
        /// The field's path inside the model, e.g. `pricing.prompt` or
        /// `architecture.input_modalities[1]`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Two models have the same id.
    #[error("model `{id}` (`data[{index}]`) is listed twice; first at `data[{first}]`")]
    DuplicateId {
        /// The repeated id.
        id: String,
        /// The later index.
        index: usize,
        /// The first index.
        first: usize,
    },
}

impl CatalogError {
    /// The error for a serde_json parse error, with its position.
    pub(crate) fn syntax(err: &serde_json::Error) -> CatalogError {
        // serde_json's Display appends " at line L column C"; keep the
        // message alone since the position has its own fields.
        let full = err.to_string();
        let message = match full.rfind(" at line ") {
            Some(cut) => full[..cut].to_string(),
            None => full,
        };
        CatalogError::Syntax {
            line: err.line(),
            column: err.column(),
            message,
        }
    }
}
