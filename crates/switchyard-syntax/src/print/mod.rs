//! The formatter: prints a rule file in its canonical layout.
//!
//! [`print`] lays out a syntax tree (comments are not printed);
//! [`format_source`] formats source text, keeping every comment, and checks
//! its own work: it parses the text it produced and compares the trees.
//! The layout depends only on the tree (plus, for [`format_source`], where
//! the source had blank lines and comments), never on how the source was
//! spaced, so formatting is idempotent: `format(format(x)) == format(x)`.
//!
//! # Layout
//!
//! - Indentation is 2 spaces, lines end in `\n`, the text ends in exactly one
//!   newline, no line has trailing spaces.
//! - Every statement starts on its own line, at column 0. [`format_source`]
//!   keeps one blank line between two statements where the source had one
//!   or more, and none where it had none; [`print`] puts one between
//!   statements of different kinds. Never two blank lines in a row, none at
//!   the start, none just after a line ending in `{`.
//! - Tokens are separated by single spaces, except: none just inside `( )`
//!   and `[ ]`, before `,` and `:`, around `..`/`..=`, between a model and
//!   its `:variant`, and in `has(f)`, `words(f)`, `len(f)`, `fits(f)`,
//!   `cost(f)`. Objects have a space inside their braces, lists do not:
//!   `provider { sort: "throughput", order: ["a", "b"] }`, `{}`, `[]`.
//! - `context { ... }` puts each field on its own line, indented 2
//!   (`tier: "free" | "pro" = "free"`), and `}` on a line of its own; an
//!   empty block is `context {}`. [`format_source`] keeps a blank line
//!   between two fields, or two split arms, like one between statements.
//! - Literals: strings with the escapes `serde_json` writes (`\"`, `\\`,
//!   `\n`, `\r`, `\t`, `\b`, `\f`, other control characters as `\u00xx`,
//!   everything else as itself); integers plainly; floats in Rust's `{:?}`
//!   form, the shortest text that reads back as the same value, always with
//!   a `.` or an exponent (`1.0`, `0.001`, `1e-7`, `1e300`); regexes exactly
//!   as written (`/a\/b/i`); split weights from basis points with as few
//!   decimals as needed (`90%`, `12.5%`, `0.01%`); object keys bare when
//!   they match `[A-Za-z_][A-Za-z0-9_-]*`, else quoted.
//! - Conditions: parentheses written in the source (`Expr::Paren`) are kept.
//!   A tree that lacks parentheses the text needs (an `or` chain as an
//!   operand of `and`, `or` or `not`; an `and` chain as an operand of `and`
//!   or `not`) gets them, so its text parses back to the same tree with a
//!   `Paren` node there. An `or`/`and` with one operand prints as the
//!   operand, with none as `false`/`true` (the parser never builds those).
//! - Statements are laid out on one line when it fits in 100 columns
//!   (comments do not count). Otherwise:
//!   - a rule breaks before `->`, which starts a line indented 2, and each
//!     option of its target goes on its own line indented 4:
//!     ```text
//!     rule code-pro: when task == "code" and tier in ["pro", "enterprise"]
//!       -> claude fallback [gpt-4o]
//!         max_tokens 2048
//!         provider { sort: "throughput", allow_fallbacks: true }
//!     ```
//!     If `rule NAME: when CONDITION` alone is too long and the condition
//!     is an `or` (or `and`) chain, each further operand starts a line
//!     indented 4 with its operator (`    or tier == "pro"`). A `let`
//!     condition breaks the same way.
//!   - `target NAME = ...` and a split arm put each option on its own line,
//!     indented 2 more than the line the target starts on.
//!   - `defaults` too long for one line is `defaults` alone, then each
//!     option on its own line indented 2.
//!   - `test` statements always stay on one line.
//! - `split by F {` ends the line it is on; each arm follows on its own line
//!   (`control 90%: mini`), indented 2 more than that line, and `}` closes
//!   at that line's indentation. A rule with a split fits when
//!   `... -> split by F {` does.
//!
//! # Comments ([`format_source`])
//!
//! Every comment is kept, its text after `#` verbatim but for trailing
//! whitespace. The layout records, for each node of the tree, the output
//! line where it starts and where it ends; comments are placed from that:
//!
//! - A comment after code on its line (trailing) stays at the end of the
//!   output line holding the last node that starts or ends at or before it,
//!   i.e. the line of the code it follows, after two spaces: `x: int  # c`.
//!   If that line already has a trailing comment, the later one moves to
//!   its own line just before the statement.
//! - A comment on its own line goes on its own line just before the output
//!   line holding the first node after it, at that line's indentation (2
//!   more before a `}`): before the statement, field or arm it precedes, or
//!   before the statement when the node it precedes is printed on the
//!   statement's first line. A comment before a continuation line (`->`,
//!   options, condition operators) stays before that line.
//! - Comments after the last statement stay at the end.
//! - Blank lines around comments are kept as for statements (before
//!   statements, fields, arms and a closing `}`); comments that move out of
//!   a statement go just above it, after the blank line that preceded it.
//!
//! # Errors
//!
//! [`format_source`] returns the parser's errors for text that does not
//! parse. If its own output did not parse back to the same tree or lost a
//! comment (a formatter bug), it returns an error rather than text that
//! would corrupt the file: a [`ParseError::Misplaced`] spanning the start of
//! the file whose message begins with `internal formatter error`.

mod attached;
mod layout;
pub(crate) mod lit;

pub(crate) use attached::{attached, print_attached, Attached, ItemComments, MemberComments};

pub(crate) use layout::{flat_condition, flat_options, flat_target};
mod place;

use crate::ast::RuleFile;
use crate::{FileId, Limits, ParseError, ParseErrors, Span};

/// Prints a rule file in canonical layout, without comments.
///
/// A tree the parser produced prints as text that parses back to an equal
/// tree (spans aside); see the module documentation for the layout.
pub fn print(file: &RuleFile) -> String {
    let doc = layout::layout(file, None);
    place::render_plain(&doc, file)
}

/// Formats source text in canonical layout, keeping comments.
///
/// Returns the parser's errors if `src` does not parse, and an internal
/// formatter error (see the module documentation) if the formatted text
/// would not parse back to the same tree with the same comments.
pub fn format_source(src: &str, file: FileId, limits: &Limits) -> Result<String, ParseErrors> {
    let parsed = crate::parse(src, file, limits)?;
    let tight = place::Tight::new(src, &parsed.comments);
    let doc = layout::layout(&parsed, Some(&tight));
    let out = place::render_with_comments(&doc, src, &parsed.comments);
    verify(&parsed, &out, file, limits)?;
    Ok(out)
}

/// Checks that `out` parses back to `before`'s statements and comments.
fn verify(before: &RuleFile, out: &str, file: FileId, limits: &Limits) -> Result<(), ParseErrors> {
    // Canonical escapes can make a string longer than it was written.
    let relaxed = Limits {
        max_file_bytes: usize::MAX,
        ..*limits
    };
    let after = crate::parse(out, file, &relaxed).map_err(|errors| {
        let first = errors.first().map(ToString::to_string).unwrap_or_default();
        internal_error(
            file,
            &format!("the formatted text does not parse ({first})"),
        )
    })?;
    if after.items != before.items {
        return Err(internal_error(
            file,
            "the formatted text parses to different statements",
        ));
    }
    let texts = |f: &RuleFile| {
        let mut t: Vec<String> = f
            .comments
            .iter()
            .map(|c| c.text.trim_end().to_owned())
            .collect();
        t.sort();
        t
    };
    if texts(&after) != texts(before) {
        return Err(internal_error(
            file,
            "the formatted text does not keep every comment",
        ));
    }
    Ok(())
}

fn internal_error(file: FileId, what: &str) -> ParseErrors {
    let error = ParseError::Misplaced {
        span: Span::new(file, 0, 0),
        message: format!("internal formatter error: {what}; the file was left unchanged"),
        help: "this is a bug in switchyard's formatter: please report it with the file".into(),
    };
    ParseErrors::new(vec![error]).unwrap_or_else(|| unreachable!("one error"))
}

#[cfg(test)]
mod tests;
