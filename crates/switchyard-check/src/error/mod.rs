//! The checker's typed errors and warnings, and how they become
//! [`Diagnostic`]s.

mod diagnostic;
mod errors;
mod warnings;

pub use errors::CheckError;
pub use warnings::{
    CheckWarning, Deprecation, DirectiveProblem, NotProvedReason, RuleOrder, SkipReason,
};

#[cfg(doc)]
use switchyard_syntax::Diagnostic;

/// What kind of name a diagnostic is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameKind {
    /// A context field.
    Field,
    /// A `let`.
    Let,
    /// A model alias.
    Model,
    /// A `target`.
    Target,
    /// A rule.
    Rule,
    /// A test.
    Test,
    /// The `version` statement.
    Version,
    /// The `timezone` statement.
    TimeZone,
    /// A value of an enum type.
    EnumValue,
    /// An arm of a split.
    Arm,
    /// A key of a `provider`/`params` object.
    Key,
    /// A field given in a test's context.
    TestField,
}

impl NameKind {
    /// The kind in words.
    pub fn as_str(self) -> &'static str {
        match self {
            NameKind::Field => "field",
            NameKind::Let => "let",
            NameKind::Model => "model",
            NameKind::Target => "target",
            NameKind::Rule => "rule",
            NameKind::Test => "test",
            NameKind::Version => "version",
            NameKind::TimeZone => "timezone",
            NameKind::EnumValue => "enum value",
            NameKind::Arm => "split arm",
            NameKind::Key => "key",
            NameKind::TestField => "test context field",
        }
    }
}

impl std::fmt::Display for NameKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `a`, `b` and `c` as `` `a`, `b`, `c` ``, at most 5 of them.
fn list_names(names: &[String]) -> String {
    let mut out: Vec<String> = names.iter().take(5).map(|n| format!("`{n}`")).collect();
    if names.len() > 5 {
        out.push(format!("and {} more", names.len() - 5));
    }
    out.join(", ")
}

/// `9950` basis points as `99.5`.
fn percent(bp: u64) -> String {
    let whole = bp / 100;
    let frac = bp % 100;
    if frac == 0 {
        whole.to_string()
    } else if frac % 10 == 0 {
        format!("{whole}.{}", frac / 10)
    } else {
        format!("{whole}.{frac:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formats_basis_points() {
        assert_eq!(percent(10_000), "100");
        assert_eq!(percent(9_950), "99.5");
        assert_eq!(percent(1_234), "12.34");
        assert_eq!(percent(5), "0.05");
    }
}
