//! The canonical printer (the formatter). BEING WRITTEN by the formatter helper.

use crate::ast::RuleFile;
use crate::{FileId, Limits, ParseErrors};

/// Prints a rule file in canonical layout.
pub fn print(_file: &RuleFile) -> String {
    String::new()
}

/// Formats source text in canonical layout, keeping comments.
pub fn format_source(src: &str, file: FileId, limits: &Limits) -> Result<String, ParseErrors> {
    crate::parse(src, file, limits).map(|f| print(&f))
}
