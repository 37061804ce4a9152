//! A single pass over a file before pest sees it: it finds comments, string
//! and regex literals that are not closed on their line, bracket nesting
//! beyond the limit, and where each statement starts. Statements are then
//! parsed one at a time, so one bad statement does not hide the errors of
//! the others, and pest never recurses deeper than the nesting limit.

use crate::ast::Comment;
use crate::error::{LimitKind, ParseError};
use crate::limits::Limits;
use crate::span::{FileId, Span};

/// One statement's slice of the file.
#[derive(Debug)]
pub(crate) struct StatementSlice {
    /// Byte offset of its first token.
    pub start: usize,
    /// Byte offset where the next statement starts (or the end of file).
    pub end: usize,
    /// Whether the scan already reported an error inside it (pest is then
    /// not run on it).
    pub poisoned: bool,
}

/// What the scan found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub statements: Vec<StatementSlice>,
    pub comments: Vec<Comment>,
    pub errors: Vec<ParseError>,
    /// How many rules the file has (past the limit too).
    pub rules: usize,
}

impl Scan {
    /// Whether the file has more rules than the limit allowed.
    pub fn too_many_rules(&self) -> bool {
        self.errors.iter().any(|e| {
            matches!(
                e,
                ParseError::Limit {
                    kind: LimitKind::Rules,
                    ..
                }
            )
        })
    }
}

/// Words that begin a statement.
fn starts_statement(word: &str) -> bool {
    matches!(
        word,
        "version"
            | "timezone"
            | "context"
            | "model"
            | "target"
            | "let"
            | "defaults"
            | "rule"
            | "test"
    )
}

/// Words that begin a rule statement.
fn starts_rule(word: &str) -> bool {
    matches!(word, "rule" | "when" | "otherwise")
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

struct Scanner<'a> {
    src: &'a [u8],
    text: &'a str,
    file: FileId,
    limits: &'a Limits,
    out: Scan,
    depth: usize,
    /// The last significant token was a `:`.
    after_colon: bool,
    /// The last significant token was the word `matches`.
    after_matches: bool,
    rules: usize,
}

pub(crate) fn scan(text: &str, file: FileId, limits: &Limits) -> Scan {
    let mut s = Scanner {
        src: text.as_bytes(),
        text,
        file,
        limits,
        out: Scan::default(),
        depth: 0,
        after_colon: false,
        after_matches: false,
        rules: 0,
    };
    s.run();
    s.out.rules = s.rules;
    s.out
}

impl Scanner<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn poison_current(&mut self) {
        if let Some(st) = self.out.statements.last_mut() {
            st.poisoned = true;
        }
    }

    fn current_poisoned(&self) -> bool {
        self.out.statements.last().is_some_and(|s| s.poisoned)
    }

    fn begin_statement(&mut self, at: usize) {
        if let Some(prev) = self.out.statements.last_mut() {
            if prev.start == at {
                // Already begun here (text before any keyword starts a
                // statement, and then turns out to be a keyword itself).
                self.depth = 0;
                return;
            }
            prev.end = at;
        }
        self.out.statements.push(StatementSlice {
            start: at,
            end: self.src.len(),
            poisoned: false,
        });
        self.depth = 0;
    }

    /// The end of the line that `from` is on (the `\n` excluded).
    fn line_end(&self, from: usize) -> usize {
        self.src
            .get(from..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
            .map_or(self.src.len(), |n| from + n)
    }

    /// The next byte that is not white space or part of a comment.
    fn next_significant(&self, mut i: usize) -> Option<u8> {
        while let Some(&b) = self.src.get(i) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => i += 1,
                b'#' => i = self.line_end(i),
                _ => return Some(b),
            }
        }
        None
    }

    /// Scans a quoted literal (`"` or `/`) from its opening delimiter;
    /// returns the offset after it.
    fn literal(&mut self, start: usize, close: u8) -> usize {
        let mut i = start + 1;
        while let Some(&b) = self.src.get(i) {
            match b {
                b'\\' => {
                    // An escape never swallows the line break.
                    i += if self.src.get(i + 1) == Some(&b'\n') {
                        1
                    } else {
                        2
                    };
                }
                b'\n' => break,
                _ if b == close => return i + 1,
                _ => i += 1,
            }
        }
        let end = i.min(self.src.len());
        let span = self.span(start, end);
        if !self.current_poisoned() {
            self.out.errors.push(if close == b'"' {
                ParseError::UnterminatedString { span }
            } else {
                ParseError::UnterminatedRegex { span }
            });
        }
        self.poison_current();
        end
    }

    fn run(&mut self) {
        // A UTF-8 byte order mark is not part of the text.
        let mut i = if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        while let Some(&b) = self.src.get(i) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => i += 1,
                b'#' => {
                    let end = self.line_end(i);
                    let text = self.text.get(i + 1..end).unwrap_or("");
                    let head = self.text.get(..i).unwrap_or("");
                    let line_start = head.rfind('\n').map_or(0, |n| n + 1);
                    let before = head.get(line_start..).unwrap_or("");
                    let blank = before.trim_start_matches('\u{feff}').trim().is_empty();
                    self.out.comments.push(Comment {
                        span: self.span(i, end),
                        text: text.trim_end().to_string(),
                        code_before: (!blank).then(|| self.span(line_start, i)),
                    });
                    i = end;
                }
                _ => {
                    if self.out.statements.is_empty() {
                        // Text before any statement keyword: a statement of
                        // its own, which pest will reject with a message.
                        self.begin_statement(i);
                    }
                    i = self.token(i, b);
                }
            }
        }
    }

    /// Scans one significant token starting at `i` (byte `b`).
    fn token(&mut self, i: usize, b: u8) -> usize {
        let was_after_colon = std::mem::replace(&mut self.after_colon, false);
        let was_after_matches = std::mem::replace(&mut self.after_matches, false);
        match b {
            b'"' => self.literal(i, b'"'),
            b'/' if was_after_matches => self.literal(i, b'/'),
            b'(' | b'[' | b'{' => {
                self.depth += 1;
                if self.depth > self.limits.depth() && !self.current_poisoned() {
                    self.out.errors.push(ParseError::Limit {
                        span: self.span(i, i + 1),
                        kind: LimitKind::Depth,
                        limit: self.limits.depth(),
                        found: self.depth,
                    });
                    self.poison_current();
                }
                i + 1
            }
            b')' | b']' | b'}' => {
                self.depth = self.depth.saturating_sub(1);
                i + 1
            }
            b':' => {
                self.after_colon = true;
                i + 1
            }
            _ if is_word_start(b) => {
                let len = self.src.get(i..).map_or(0, |rest| {
                    rest.iter().take_while(|&&c| is_word_char(c)).count()
                });
                let end = i + len;
                let word = self.text.get(i..end).unwrap_or("");
                self.after_matches = word == "matches";
                let next = self.next_significant(end);
                let boundary = if starts_statement(word) {
                    // `model "id"` ends a test line; `version: 1` inside an
                    // object is a key.
                    let test_model = word == "model" && next == Some(b'"');
                    let object_key = self.depth > 0 && next == Some(b':');
                    !test_model && !object_key
                } else {
                    // `when`/`otherwise` start a bare rule, unless they follow
                    // `rule NAME:`.
                    matches!(word, "when" | "otherwise") && self.depth == 0 && !was_after_colon
                };
                if boundary {
                    self.begin_statement(i);
                    if starts_rule(word) {
                        self.count_rule(i, end);
                    }
                }
                end
            }
            _ => {
                // Any other character (operators, digits, non-ASCII): pest
                // decides. Step over a whole UTF-8 character.
                let len = self
                    .text
                    .get(i..)
                    .and_then(|r| r.chars().next())
                    .map_or(1, char::len_utf8);
                i + len
            }
        }
    }

    fn count_rule(&mut self, start: usize, end: usize) {
        self.rules += 1;
        if self.rules > self.limits.max_rules {
            if self.rules == self.limits.max_rules + 1 {
                self.out.errors.push(ParseError::Limit {
                    span: self.span(start, end),
                    kind: LimitKind::Rules,
                    limit: self.limits.max_rules,
                    found: self.rules,
                });
            }
            // Rules past the limit are not parsed.
            self.poison_current();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(src: &str) -> Vec<&str> {
        let scan = scan(src, FileId(0), &Limits::default());
        scan.statements
            .iter()
            .map(|s| src[s.start..s.end].trim_end())
            .collect()
    }

    #[test]
    fn splits_at_statement_keywords() {
        let src = "model a = \"x\"\nrule r: when t -> a\nwhen u -> a otherwise -> a\n";
        assert_eq!(
            starts(src),
            vec![
                "model a = \"x\"",
                "rule r: when t -> a",
                "when u -> a",
                "otherwise -> a"
            ]
        );
    }

    #[test]
    fn test_model_and_object_keys_do_not_split() {
        let src = "test t: { a: 1 } -> r model \"m\"\nrule r: otherwise -> m params { version: 1, model: 2 }";
        assert_eq!(starts(src).len(), 2);
    }

    #[test]
    fn keywords_inside_literals_and_comments_do_not_split() {
        let src = "rule r: when p matches /rule x/ and q == \"model a\" -> m # rule\n";
        let scan = scan(src, FileId(0), &Limits::default());
        assert_eq!(scan.statements.len(), 1);
        assert_eq!(scan.comments.len(), 1);
        assert_eq!(scan.comments[0].text, " rule");
    }

    #[test]
    fn unterminated_literals_are_reported_once_per_statement() {
        let src = "rule r: when p == \"abc -> m\nrule s: when p matches /x -> m\n";
        let scan = scan(src, FileId(0), &Limits::default());
        assert_eq!(scan.errors.len(), 2);
        assert!(matches!(
            scan.errors[0],
            ParseError::UnterminatedString { .. }
        ));
        assert!(matches!(
            scan.errors[1],
            ParseError::UnterminatedRegex { .. }
        ));
        assert!(scan.statements.iter().all(|s| s.poisoned));
    }

    #[test]
    fn deep_nesting_is_a_limit_error_not_a_crash() {
        let src = format!(
            "rule r: when {}x{} -> m",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        let scan = scan(&src, FileId(0), &Limits::default());
        assert_eq!(scan.errors.len(), 1);
        assert!(matches!(
            scan.errors[0],
            ParseError::Limit {
                kind: LimitKind::Depth,
                ..
            }
        ));
    }

    #[test]
    fn statement_keywords_recover_from_unbalanced_brackets() {
        let src = "context { a: int\nrule r: otherwise -> m\n";
        assert_eq!(starts(src).len(), 2);
    }
}
