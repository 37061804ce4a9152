//! Syntax errors (E001), exceeded limits (E013) and the JSON form's errors
//! (E020, E021).

use std::fmt;

use crate::diagnostic::{Code, Diagnostic, ToDiagnostic};
use crate::span::Span;

/// Which limit was exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitKind {
    /// File size in bytes.
    FileSize,
    /// Nesting depth.
    Depth,
    /// Number of rules.
    Rules,
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LimitKind::FileSize => "file size",
            LimitKind::Depth => "nesting depth",
            LimitKind::Rules => "number of rules",
        })
    }
}

/// A problem found while parsing one file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The text does not follow the grammar.
    #[error("expected {expected}, found {found}")]
    Unexpected {
        /// Where.
        span: Span,
        /// What would have been accepted, in words.
        expected: String,
        /// What was there, in words (`` `x` `` or "end of file").
        found: String,
        /// A hint, e.g. that the word found is reserved.
        help: Option<String>,
    },
    /// A string literal with no closing quote on its line.
    #[error("unterminated string")]
    UnterminatedString {
        /// From the opening quote to the end of the line.
        span: Span,
    },
    /// A regex literal with no closing `/` on its line.
    #[error("unterminated regex literal")]
    UnterminatedRegex {
        /// From the opening slash to the end of the line.
        span: Span,
    },
    /// A string literal with an invalid escape.
    #[error("invalid string literal: {reason}")]
    BadString {
        /// The literal.
        span: Span,
        /// What is wrong with it.
        reason: String,
    },
    /// A number that does not fit its type, or a float where an integer is
    /// needed.
    #[error("{reason}: `{text}`")]
    BadNumber {
        /// The number.
        span: Span,
        /// It as written.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A construct that parses but is not allowed where it stands
    /// (`hour` alone as a condition, a `:variant` on a target name, ...).
    #[error("{message}")]
    Misplaced {
        /// Where.
        span: Span,
        /// What is wrong.
        message: String,
        /// How to fix it.
        help: String,
    },
    /// Bytes that are not UTF-8.
    #[error("the file is not valid UTF-8")]
    InvalidUtf8 {
        /// The first invalid byte.
        span: Span,
    },
    /// A file with no statement in it.
    #[error("empty file: expected at least one statement")]
    Empty {
        /// The end of the file.
        span: Span,
    },
    /// A split weight with more than two decimals (E009).
    #[error("split weight `{text}` is finer than 0.01%")]
    BadWeight {
        /// The weight.
        span: Span,
        /// It as written.
        text: String,
    },
    /// A ruleset in JSON that is not valid JSON (E020).
    #[error("invalid JSON: {message}")]
    Json {
        /// Where.
        span: Span,
        /// What is wrong, in words.
        message: String,
    },
    /// A ruleset in JSON whose members are not what the JSON form says
    /// (E021): an unknown key, a value of the wrong kind, a missing key.
    #[error("`{path}`: {message}")]
    JsonShape {
        /// The member or value at fault.
        span: Span,
        /// Its JSON pointer, e.g. `/rules/3/when`.
        path: String,
        /// What is wrong.
        message: String,
        /// How to fix it.
        help: String,
    },
    /// A limit exceeded.
    #[error("{kind} limit exceeded: {found} is more than the limit of {limit}")]
    Limit {
        /// Where (for depth: the first token past the limit).
        span: Span,
        /// Which limit.
        kind: LimitKind,
        /// The limit in force.
        limit: usize,
        /// What was found (at least this many).
        found: usize,
    },
}

impl ParseError {
    /// Where the error is.
    pub fn span(&self) -> Span {
        match self {
            ParseError::Unexpected { span, .. }
            | ParseError::UnterminatedString { span }
            | ParseError::UnterminatedRegex { span }
            | ParseError::BadString { span, .. }
            | ParseError::BadNumber { span, .. }
            | ParseError::Misplaced { span, .. }
            | ParseError::InvalidUtf8 { span }
            | ParseError::Empty { span }
            | ParseError::BadWeight { span, .. }
            | ParseError::Json { span, .. }
            | ParseError::JsonShape { span, .. }
            | ParseError::Limit { span, .. } => *span,
        }
    }

    /// Where the error is, to move it (errors of a condition written in a
    /// JSON string are found in the string's text, then moved into the file).
    pub(crate) fn span_mut(&mut self) -> &mut Span {
        match self {
            ParseError::Unexpected { span, .. }
            | ParseError::UnterminatedString { span }
            | ParseError::UnterminatedRegex { span }
            | ParseError::BadString { span, .. }
            | ParseError::BadNumber { span, .. }
            | ParseError::Misplaced { span, .. }
            | ParseError::InvalidUtf8 { span }
            | ParseError::Empty { span }
            | ParseError::BadWeight { span, .. }
            | ParseError::Json { span, .. }
            | ParseError::JsonShape { span, .. }
            | ParseError::Limit { span, .. } => span,
        }
    }

    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            ParseError::Limit { .. } => Code::E013,
            ParseError::BadWeight { .. } => Code::E009,
            ParseError::Json { .. } => Code::E020,
            ParseError::JsonShape { .. } => Code::E021,
            _ => Code::E001,
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            ParseError::Unexpected { help, .. } => return help.clone(),
            ParseError::UnterminatedString { .. } => {
                "add the closing `\"`; a string cannot span lines (write `\\n`)".into()
            }
            ParseError::UnterminatedRegex { .. } => {
                "add the closing `/`; write a `/` inside the pattern as `\\/`".into()
            }
            ParseError::BadString { .. } => {
                "strings take JSON escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX".into()
            }
            ParseError::BadNumber { .. } => {
                "integers are 64-bit; floats need digits on both sides of the point".into()
            }
            ParseError::Misplaced { help, .. } => help.clone(),
            ParseError::InvalidUtf8 { .. } => "save the file as UTF-8".into(),
            ParseError::Empty { .. } => {
                "add a rule, e.g. `rule default: otherwise -> \"openai/gpt-4o-mini\"`".into()
            }
            ParseError::BadWeight { .. } => "use at most two decimals, e.g. `12.5%`".into(),
            ParseError::Json { .. } => {
                "a ruleset file ending in `.json` is read as JSON (docs/reference/json.md)".into()
            }
            ParseError::JsonShape { help, .. } => help.clone(),
            ParseError::Limit { kind, .. } => match kind {
                LimitKind::FileSize => "split the ruleset into several files in a folder".into(),
                LimitKind::Depth => {
                    "nest less deeply: name parts of a condition with `let`, flatten nested values"
                        .into()
                }
                LimitKind::Rules => "the embedding host can raise `Limits::max_rules`".into(),
            },
        })
    }
}

impl ToDiagnostic for ParseError {
    fn to_diagnostic(&self) -> Diagnostic {
        let d = Diagnostic::new(self.code(), self.to_string(), self.span());
        match self.help() {
            Some(help) => d.with_help(help),
            None => d,
        }
    }
}

/// The errors of a failed parse: never empty, in source order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseErrors(Vec<ParseError>);

impl ParseErrors {
    /// Wraps a list of errors; `None` if it is empty.
    pub fn new(errors: Vec<ParseError>) -> Option<Self> {
        if errors.is_empty() {
            None
        } else {
            Some(ParseErrors(errors))
        }
    }

    /// The first error.
    pub fn first(&self) -> Option<&ParseError> {
        self.0.first()
    }

    /// All errors.
    pub fn iter(&self) -> std::slice::Iter<'_, ParseError> {
        self.0.iter()
    }

    /// The errors as a vector.
    pub fn into_vec(self) -> Vec<ParseError> {
        self.0
    }

    /// The errors as diagnostics.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.0.iter().map(ToDiagnostic::to_diagnostic).collect()
    }
}

impl fmt::Display for ParseErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseErrors {}

impl<'a> IntoIterator for &'a ParseErrors {
    type Item = &'a ParseError;
    type IntoIter = std::slice::Iter<'a, ParseError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
