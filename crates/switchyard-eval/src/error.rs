//! Errors of the evaluator: building a table, building a context, deciding.

use switchyard_syntax::{Code, Diagnostic, Span, ToDiagnostic};

/// A checked ruleset that cannot be compiled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CompileError {
    /// `require` or `cheapest` without a catalog (docs/reference/catalogs.md).
    #[error("rule `{rule}` uses `require` or `cheapest`, which need a model catalog")]
    NeedsCatalog {
        /// The rule.
        rule: String,
        /// Its target.
        span: Span,
    },
    /// A request type bound at compile time does not fit the schema.
    #[error(transparent)]
    Binding(#[from] BindError),
    /// `let`s that refer to each other more deeply than the nesting limit.
    #[error("`let` `{name}` nests other lets {depth} deep; the limit is {limit}")]
    LetsTooDeep {
        /// The let.
        name: String,
        /// Where it is declared.
        span: Span,
        /// How deep.
        depth: usize,
        /// The limit.
        limit: usize,
    },
}

impl ToDiagnostic for CompileError {
    fn to_diagnostic(&self) -> Diagnostic {
        match self {
            CompileError::Binding(e) => Diagnostic::new(Code::E002, self.to_string(), e.span)
                .with_help(
                "declare the fields in the ruleset's `context` block, or change the request type",
            ),
            CompileError::NeedsCatalog { span, .. } => {
                Diagnostic::new(Code::E012, self.to_string(), *span)
                    .with_help("load a catalog (`GET /api/v1/models` JSON) with the ruleset")
            }
            CompileError::LetsTooDeep { span, .. } => {
                Diagnostic::new(Code::E013, self.to_string(), *span)
                    .with_help("inline some of the lets, or combine them")
            }
        }
    }
}

/// A host's request type ([`crate::Request`]) whose fields do not fit the
/// ruleset's context: a field it gives is not declared, or has another
/// type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("request type `{request}` does not fit the ruleset's context: {}", problems.join("; "))]
pub struct BindError {
    /// The request type.
    pub request: String,
    /// What does not fit, one entry per field.
    pub problems: Vec<String>,
    /// Where the diagnostic points: the first mismatched declaration, or
    /// the start of the ruleset.
    pub span: Span,
}

/// A context value that does not fit the schema (docs/reference/context.md). No
/// decision is made from a context with such an error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContextError {
    /// A value of the wrong type.
    #[error("field `{field}`: expected {expected}, got {got}")]
    WrongType {
        /// The field.
        field: String,
        /// Its type, as written in the schema.
        expected: String,
        /// What came.
        got: String,
    },
    /// A string not among an enum's values.
    #[error("field `{field}`: expected one of {expected}, got {got:?}")]
    NotInEnum {
        /// The field.
        field: String,
        /// The enum, as written in the schema.
        expected: String,
        /// What came.
        got: String,
    },
    /// NaN or an infinity.
    #[error("field `{field}`: expected a finite number, got {got}")]
    NotFinite {
        /// The field.
        field: String,
        /// What came.
        got: String,
    },
    /// An integer outside the 64-bit range.
    #[error("field `{field}`: expected an int, got {got}, which is outside the 64-bit range")]
    OutOfRange {
        /// The field.
        field: String,
        /// What came.
        got: String,
    },
    /// The JSON is not an object.
    #[error("a context must be a JSON object, got {got}")]
    NotAnObject {
        /// What came.
        got: String,
    },
    /// The text is not JSON.
    #[error("the context is not valid JSON: {message}")]
    Json {
        /// serde_json's message, with line and column.
        message: String,
    },
    /// A key the schema does not declare, with strict contexts (or a
    /// handle asked for an undeclared field).
    #[error("field `{field}` is not declared in the ruleset's context{}", nearest.as_ref().map(|n| format!("; did you mean `{n}`?")).unwrap_or_default())]
    UnknownField {
        /// The key.
        field: String,
        /// The declared field nearest to it, if one is close.
        nearest: Option<String>,
    },
    /// A request type that does not fit the schema (see [`BindError`]).
    #[error(transparent)]
    Binding(#[from] BindError),
    /// A [`crate::FieldHandle`] of another table (for example from before a
    /// hot reload): look handles up again on the table that decides.
    #[error(
        "the field handle belongs to a different compiled table; look it up on the table in use"
    )]
    ForeignField,
}

/// Deciding with a context built for another table.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecideError {
    /// The context was built by a different [`crate::CompiledTable`] (for
    /// example before a hot reload); build it from the table you decide with.
    #[error("the context was built for a different compiled table; build it from the table that decides")]
    ForeignContext,
}
