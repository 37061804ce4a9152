//! The record every stage reports problems with, and the stable codes of
//! docs/diagnostics/. Stages keep their own typed error enums and turn
//! them into [`Diagnostic`]s for rendering.

use std::fmt;

use crate::span::Span;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Informational: something was not analysed, or context for the user.
    Note,
    /// The ruleset loads, but something is probably wrong.
    Warning,
    /// The ruleset does not load.
    Error,
}

impl Severity {
    /// `"error"`, `"warning"` or `"note"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($($code:ident => $sev:ident, $title:literal;)*) => {
        /// A stable diagnostic code (docs/diagnostics/).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $(#[doc = $title] $code,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            /// The code as written, e.g. `"E001"`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$code => stringify!($code),)* }
            }

            /// The severity this code always has.
            pub fn severity(self) -> Severity {
                match self { $(Code::$code => Severity::$sev,)* }
            }

            /// The code written `text` (`"W105"`), if there is one.
            pub fn parse(text: &str) -> Option<Code> {
                match text { $(stringify!($code) => Some(Code::$code),)* _ => None }
            }

            /// A one-line description of the code.
            pub fn title(self) -> &'static str {
                match self { $(Code::$code => $title,)* }
            }
        }
    };
}

codes! {
    E001 => Error, "syntax error";
    E002 => Error, "unknown field";
    E003 => Error, "type mismatch";
    E004 => Error, "string not among the enum's values";
    E005 => Error, "unknown model, target, let or rule name";
    E006 => Error, "a name declared twice";
    E007 => Error, "some rules have a priority and some do not";
    E008 => Error, "some context matches no rule";
    E009 => Error, "split weights do not add up to 100%";
    E010 => Error, "invalid regex";
    E011 => Error, "`let` cycle";
    E012 => Error, "bad option: unknown provider key, bad value";
    E013 => Error, "a limit exceeded: file size, nesting depth, number of rules";
    E014 => Error, "a comparison with `null`: presence is tested with `has(F)`";
    E020 => Error, "a ruleset in JSON is not valid JSON";
    E021 => Error, "a ruleset in JSON has a member of the wrong shape";
    E022 => Error, "unknown time zone";
    E023 => Error, "a test expects an arm its rule does not have";
    E024 => Error, "a request parameter in `params` with a value of the wrong kind";
    W101 => Warning, "rule can never be chosen: earlier rules cover its condition";
    W102 => Warning, "condition can never be true";
    W103 => Warning, "a model repeats in one fallback chain";
    W104 => Warning, "model id not in the catalog";
    W105 => Warning, "declared and never used";
    W106 => Warning, "no max_tokens for this rule: its cost is unbounded";
    W107 => Warning, "a field OpenRouter has deprecated";
    W108 => Warning, "a chain of more than 3 models";
    W109 => Warning, "coverage not proved: some context may match no rule";
    W110 => Warning, "an allow that allows nothing";
    W111 => Warning, "a `switchyard:` comment that cannot be applied";
    W115 => Warning, "a split by a bool or enum: its weights are not honoured";
    W116 => Warning, "a split arm of weight 0%";
    W117 => Warning, "a `params` key that is no OpenRouter request parameter";
    W118 => Warning, "a provider slug the catalog's provider list lacks";
    W119 => Warning, "a model variant the catalog does not list";
    W120 => Warning, "`max_tokens` above the model's limit in the catalog";
    N201 => Note, "analysis skipped: the condition is too large to analyse";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location attached to a diagnostic ("first declared here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What it says about that place.
    pub message: String,
}

/// One problem found in a ruleset, ready to render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// Lower-case message, user input in backticks.
    pub message: String,
    /// The primary location.
    pub span: Span,
    /// A suggestion, if there is one.
    pub help: Option<String>,
    /// Secondary locations.
    pub labels: Vec<Label>,
    /// How serious it is: the code's severity, unless the lint levels of a
    /// run (`--deny W105`, `--warn W105`) changed it.
    pub severity: Severity,
}

impl Diagnostic {
    /// A diagnostic with no help and no labels.
    pub fn new(code: Code, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            span,
            help: None,
            labels: Vec::new(),
            severity: code.severity(),
        }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary location.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// How serious it is (see [`Diagnostic::severity`](Self#structfield.severity)).
    pub fn severity(&self) -> Severity {
        self.severity
    }
}

/// Implemented by every stage's typed error, so that all of them render the
/// same way.
pub trait ToDiagnostic {
    /// The error as a diagnostic.
    fn to_diagnostic(&self) -> Diagnostic;
}

/// The candidate closest to `word` by edit distance, if it is close enough to
/// be a plausible typo (at most a third of the word's length, at least 1).
///
/// ```
/// use switchyard_syntax::nearest;
/// assert_eq!(nearest("teir", ["tier", "task"]), Some("tier"));
/// assert_eq!(nearest("zzzz", ["tier", "task"]), None);
/// ```
pub fn nearest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, c)| d <= limit.max(c.chars().count() / 3) && d > 0)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Edit distance over characters where a transposition of two adjacent
/// characters costs 1 (optimal string alignment); a difference in case only
/// counts as 1.
fn edit_distance(a: &str, b: &str) -> usize {
    if a.eq_ignore_ascii_case(b) {
        return usize::from(a != b);
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = best;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_fixed_severities() {
        assert_eq!(Code::E013.severity(), Severity::Error);
        assert_eq!(Code::W108.severity(), Severity::Warning);
        assert_eq!(Code::W109.severity(), Severity::Warning);
        assert_eq!(Code::E004.as_str(), "E004");
    }

    #[test]
    fn nearest_suggests_typos_only() {
        assert_eq!(
            nearest("enterprize", ["pro", "enterprise"]),
            Some("enterprise")
        );
        assert_eq!(nearest("gpt4o", ["gpt-4o", "mini"]), Some("gpt-4o"));
        assert_eq!(nearest("x", ["tier"]), None);
        assert_eq!(nearest("Tier", ["tier"]), Some("tier"));
        assert_eq!(nearest("teir", ["tier", "task"]), Some("tier"));
    }
}
