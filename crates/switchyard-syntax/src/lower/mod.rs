//! Turns pest's pairs into the syntax tree. The only module that touches
//! `pest::iterators::Pair`.
//!
//! This file parses a file statement by statement and holds what every
//! lowering shares: `Lower` (spans without trailing trivia, the nesting
//! depth) and `Kids` (a pair's children without punctuation). The
//! submodules lower by what they meet: `statements` the statements and
//! declarations, `conditions` the conditions of `when` and `let`,
//! `targets` targets and their options, `literals` strings, numbers and
//! option values; `expected` words pest's errors.

use std::borrow::Cow;

use pest::iterators::Pair;
use pest::Parser;

use crate::ast::{Comment, RuleFile};
use crate::error::{ParseError, ParseErrors};
use crate::grammar::{Rule, SwitchyardParser};
use crate::limits::Limits;
use crate::parallel;
use crate::scan::{scan, Scan, StatementSlice};
use crate::span::{FileId, Span, Spanned};

mod conditions;
mod expected;
mod literals;
mod slips;
mod statements;
mod targets;

type Result<T> = std::result::Result<T, ParseError>;

/// Parses one file: scan, then each statement on its own.
pub(crate) fn parse_file(
    src: &str,
    file: FileId,
    limits: &Limits,
) -> std::result::Result<RuleFile, ParseErrors> {
    parse_scanned(src, file, limits, scan(src, file, limits), None)
}

/// Maps an offset of a fragment's text to an offset of the file it was
/// written in (a condition inside a JSON string, say).
pub(crate) type Origin<'a> = &'a (dyn Fn(usize) -> usize + Sync);

/// Parses statements written in `text`, a fragment of a file whose offsets
/// `origin` maps back into the file: every span of the tree and of the
/// errors points into the file, not into `text`. Comments are dropped.
pub(crate) fn parse_fragment(
    text: &str,
    file: FileId,
    limits: &Limits,
    origin: Origin<'_>,
) -> std::result::Result<RuleFile, ParseErrors> {
    parse_scanned(text, file, limits, scan(text, file, limits), Some(origin))
}

/// Parses one scanned file. A file with more rules than the limit is not
/// parsed at all: the scan's errors are the answer, so the work a hostile
/// file can cause is one scan, however many rules it holds.
pub(crate) fn parse_scanned(
    src: &str,
    file: FileId,
    limits: &Limits,
    scanned: Scan,
    origin: Option<Origin<'_>>,
) -> std::result::Result<RuleFile, ParseErrors> {
    let too_many_rules = scanned.too_many_rules();
    let mut errors = scanned.errors;
    // The scan's errors are in the text's offsets; the lowering's are mapped
    // as they are made.
    let moved = |mut e: ParseError| {
        if let Some(origin) = origin {
            let span = e.span_mut();
            *span = Span::new(file, origin(span.start as usize), origin(span.end as usize));
        }
        e
    };
    errors = errors.into_iter().map(moved).collect();
    let mut items = Vec::new();
    if scanned.statements.is_empty() && errors.is_empty() {
        errors.push(ParseError::Empty {
            span: Span::new(file, src.len(), src.len()),
        });
    }
    let statements: Vec<&StatementSlice> = scanned
        .statements
        .iter()
        .filter(|s| !s.poisoned && !too_many_rules)
        .collect();
    let parse_one = |st: &&StatementSlice| {
        let slice = src.get(st.start..st.end).unwrap_or("");
        let slice = without_comments(slice, st.start, &scanned.comments);
        let mut lower = Lower {
            file,
            base: st.start,
            slice: &slice,
            limits,
            depth: 0,
            origin,
        };
        SwitchyardParser::parse(Rule::statement, &slice)
            .map_err(|e| moved(expected::syntax_error(&e, src, file, st)))
            .and_then(|mut pairs| match pairs.next() {
                Some(pair) => lower.statement(pair),
                None => Err(expected::internal(Span::new(file, st.start, st.end))),
            })
    };
    for parsed in parallel::map(&statements, &parse_one) {
        match parsed {
            Ok(item) => items.push(item),
            Err(e) => errors.push(e),
        }
    }
    errors.sort_by_key(|e| (e.span().start, e.span().end));
    match ParseErrors::new(errors) {
        Some(errors) => Err(errors),
        None => Ok(RuleFile {
            file,
            items,
            comments: scanned.comments,
        }),
    }
}

/// The statement at `base` with its comments turned into spaces, byte for
/// byte, so that offsets stay those of the file: pest sees white space
/// where the scan found a comment, and the grammar has no comment rule to
/// try between every two tokens.
fn without_comments<'s>(slice: &'s str, base: usize, comments: &[Comment]) -> Cow<'s, str> {
    let first = comments.partition_point(|c| (c.span.start as usize) < base);
    let inside = comments
        .get(first..)
        .unwrap_or_default()
        .iter()
        .take_while(|c| (c.span.start as usize) < base + slice.len());
    let mut bytes: Option<Vec<u8>> = None;
    for c in inside {
        let bytes = bytes.get_or_insert_with(|| slice.as_bytes().to_vec());
        let range = c.span.start as usize - base..(c.span.end as usize - base).min(slice.len());
        if let Some(comment) = bytes.get_mut(range) {
            comment.fill(b' ');
        }
    }
    match bytes.map(String::from_utf8) {
        None => Cow::Borrowed(slice),
        Some(Ok(text)) => Cow::Owned(text),
        // Not reached: a comment runs from `#` to the end of its line, so
        // spaces replace whole characters.
        Some(Err(_)) => Cow::Borrowed(slice),
    }
}

/// Punctuation pairs carry no meaning once parsed.
fn is_punct(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::eq
            | Rule::colon
            | Rule::comma
            | Rule::pipe
            | Rule::lbrace
            | Rule::rbrace
            | Rule::lbrack
            | Rule::rbrack
            | Rule::lparen
            | Rule::rparen
            | Rule::arrow
            | Rule::EOI
    )
}

/// The meaningful children of a pair.
struct Kids<'i> {
    inner: pest::iterators::Pairs<'i, Rule>,
    parent: Span,
}

impl<'i> Kids<'i> {
    /// The next child, which the grammar guarantees is there.
    fn next(&mut self) -> Result<Pair<'i, Rule>> {
        self.next_opt()
            .ok_or_else(|| expected::internal(self.parent))
    }

    fn next_opt(&mut self) -> Option<Pair<'i, Rule>> {
        self.inner.by_ref().find(|p| !is_punct(p.as_rule()))
    }

    /// The next child if it is of rule `rule`.
    fn next_if(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        let mut peek = self.inner.clone();
        let p = peek.find(|p| !is_punct(p.as_rule()))?;
        if p.as_rule() == rule {
            self.inner = peek;
            Some(p)
        } else {
            None
        }
    }
}

impl<'i> Iterator for Kids<'i> {
    type Item = Pair<'i, Rule>;
    fn next(&mut self) -> Option<Pair<'i, Rule>> {
        self.next_opt()
    }
}

struct Lower<'a> {
    file: FileId,
    /// Offset of the statement in the file.
    base: usize,
    /// The statement's text, comments turned into spaces.
    slice: &'a str,
    limits: &'a Limits,
    /// Current nesting of parentheses and `not`s.
    depth: usize,
    /// Where the text's offsets are in the file, for a fragment.
    origin: Option<Origin<'a>>,
}

impl Lower<'_> {
    /// The span of a pair without the white space (and comments, which
    /// are spaces here) pest lets a rule swallow after its last token.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let text = self.slice.get(s.start()..s.end()).unwrap_or("");
        let end = s.start() + text.trim_end().len();
        let (start, end) = (self.base + s.start(), self.base + end);
        match self.origin {
            Some(origin) => Span::new(self.file, origin(start), origin(end)),
            None => Span::new(self.file, start, end),
        }
    }

    fn kids<'i>(&self, pair: Pair<'i, Rule>) -> Kids<'i> {
        Kids {
            parent: self.span(&pair),
            inner: pair.into_inner(),
        }
    }

    fn spanned<T>(&self, pair: &Pair<'_, Rule>, node: T) -> Spanned<T> {
        Spanned::new(node, self.span(pair))
    }

    fn text(&self, pair: &Pair<'_, Rule>) -> Spanned<String> {
        self.spanned(pair, pair.as_str().to_string())
    }
}

#[cfg(test)]
mod tests;
