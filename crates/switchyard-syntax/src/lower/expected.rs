//! Turns pest's errors into [`ParseError::Unexpected`] with words a person
//! understands: what was expected, what was found, and a caret in the right
//! place.

use pest::error::{Error, ErrorVariant, InputLocation};

use crate::error::ParseError;
use crate::grammar::Rule;
use crate::keywords::KEYWORDS;
use crate::scan::StatementSlice;
use crate::span::{FileId, Span};

/// What pest wants where a statement may begin.
const STATEMENT: &str = "a statement (`rule`, `when`, `otherwise`, `model`, `target`, `let`, `context`, `defaults`, `test`, `version` or `timezone`)";

/// Whether `word` is reserved.
fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// An error for a state the grammar rules out; reported rather than
/// panicking, should the grammar and the lowering ever disagree.
pub(super) fn internal(span: Span) -> ParseError {
    ParseError::Misplaced {
        span,
        message: "internal parser error: unexpected syntax tree shape".into(),
        help: "please report this file to the switchyard maintainers".into(),
    }
}

/// Converts pest's error for the statement `st` of `src`.
pub(super) fn syntax_error(
    err: &Error<Rule>,
    src: &str,
    file: FileId,
    st: &StatementSlice,
) -> ParseError {
    let rel = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let pos = (st.start + rel).min(src.len());
    let positives = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.as_slice(),
        ErrorVariant::CustomError { .. } => &[],
    };
    let expected = describe(positives);

    // What is at the error position: a word, a literal, or a character. If
    // only white space and comments remain in the statement, the problem is
    // that it ended too early: point just after its last token, and name
    // what follows in the file.
    let rest_of_statement = src.get(pos..st.end.max(pos)).unwrap_or("");
    let statement_ended = strip_trivia(rest_of_statement).is_empty();
    let next_at = if statement_ended { st.end } else { pos };
    let (found, skipped, found_len) = token_at(src, next_at);
    let span = if statement_ended {
        let before = src.get(st.start..pos).unwrap_or("");
        let last = st.start + trimmed_len(before);
        Span::new(file, last, last)
    } else {
        Span::new(file, pos + skipped, pos + skipped + found_len)
    };
    if let Some(e) = untyped_field(src, file, st, next_at + skipped, &expected) {
        return e;
    }
    let word = found.strip_prefix('`').and_then(|f| f.strip_suffix('`'));
    let slip = if statement_ended {
        None
    } else {
        let at = pos + skipped;
        super::slips::help(
            src.get(at..).unwrap_or(""),
            src.get(st.start..at).unwrap_or(""),
        )
    };
    let help = slip.or_else(|| match word {
        Some(w) if is_keyword(w) && expected.contains("a name") && !statement_ended => Some(
            format!("`{w}` is a reserved word and cannot be used as a name"),
        ),
        Some("=") if expected.contains("`==`") => Some("compare with `==`".to_string()),
        _ => None,
    });
    ParseError::Unexpected {
        span,
        expected,
        found,
        help,
    }
}

/// A `context` field with no type, the `:` missing at the end of its
/// line: reported at the field's name, not at what the next line holds.
fn untyped_field(
    src: &str,
    file: FileId,
    st: &StatementSlice,
    at: usize,
    expected: &str,
) -> Option<ParseError> {
    let statement = src.get(st.start..st.end)?;
    if expected != "`:`" || !statement.trim_start().starts_with("context") {
        return None;
    }
    let before = src.get(st.start..at)?;
    let end = trimmed_len(before);
    if !before.get(end..)?.contains('\n') {
        return None;
    }
    let head = before.get(..end)?;
    let start = head
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let name = head.get(start..)?;
    if name.is_empty() {
        return None;
    }
    Some(ParseError::Misplaced {
        span: Span::new(file, st.start + start, st.start + end),
        message: format!("field `{name}` has no type"),
        help: format!(
            "give it a type: `{name}: string` (or `bool`, `int`, `float`, `\"a\" | \"b\"`)"
        ),
    })
}

/// The length of `text` without trailing white space and comments.
fn trimmed_len(text: &str) -> usize {
    // Drop comments line by line, then trailing white space.
    let mut end = text.trim_end().len();
    loop {
        let head = text.get(..end).unwrap_or("");
        let line_start = head.rfind('\n').map_or(0, |i| i + 1);
        let line = head.get(line_start..).unwrap_or("");
        match comment_start(line) {
            Some(hash) => end = head.get(..line_start + hash).unwrap_or("").trim_end().len(),
            None => return end,
        }
    }
}

/// Where a `#` comment starts in one line, outside string literals.
fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '#' if !in_string => return Some(i),
            _ => {}
        }
    }
    None
}

/// `text` without white space and comments.
fn strip_trivia(text: &str) -> String {
    text.lines()
        .map(|l| match comment_start(l) {
            Some(i) => l.get(..i).unwrap_or(""),
            None => l,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A description of the token at `pos` (after white space), the white
/// space skipped and the token's length, in bytes.
fn token_at(src: &str, pos: usize) -> (String, usize, usize) {
    let rest = src.get(pos..).unwrap_or("");
    let rest = rest.trim_start();
    let skipped = src.get(pos..).map_or(0, |r| r.len() - rest.len());
    let Some(first) = rest.chars().next() else {
        return ("end of file".into(), skipped, 0);
    };
    let len = if first.is_ascii_alphabetic() || first == '_' {
        let word = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
            .unwrap_or(rest.len());
        rest.get(..word).and_then(|w| w.find("->")).unwrap_or(word)
    } else if first.is_ascii_digit() {
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
            .unwrap_or(rest.len())
    } else if first == '"' {
        rest.get(1..)
            .and_then(|r| r.find(['"', '\n']))
            .map_or(rest.len(), |i| i + 2)
    } else {
        rest.get(..2)
            .filter(|two| {
                matches!(
                    *two,
                    "->" | "==" | "!=" | "<=" | ">=" | ".." | "&&" | "||" | "=>" | "//"
                )
            })
            .map_or(first.len_utf8(), str::len)
    };
    let token = rest.get(..len).unwrap_or("");
    let taken: String = token.chars().take(40).collect();
    let ellipsis = if taken.len() < token.len() { "…" } else { "" };
    let shown: String = taken.chars().map(Shown).map(|s| s.to_string()).collect();
    (format!("`{shown}{ellipsis}`"), skipped, len)
}

/// A character as a message shows it: as itself, or as `\u{..}` when it is
/// invisible or changes how the text around it is displayed (control
/// characters, bidirectional overrides and isolates, zero-width and other
/// format characters, variation selectors, combining marks), so a message
/// cannot be reordered or hidden by what it quotes.
struct Shown(char);

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = self.0;
        let hidden = c.is_control()
            || matches!(
                u32::from(c),
                0x00AD
                    | 0x034F
                    | 0x061C
                    | 0x115F..=0x1160
                    | 0x17B4..=0x17B5
                    | 0x180B..=0x180F
                    | 0x200B..=0x200F
                    | 0x2028..=0x202E
                    | 0x2060..=0x206F
                    | 0x3164
                    | 0xFE00..=0xFE0F
                    | 0xFEFF
                    | 0xFFA0
                    | 0xFFF0..=0xFFFB
                    | 0xE0000..=0xE0FFF
                    // Combining marks.
                    | 0x0300..=0x036F
                    | 0x0483..=0x0489
                    | 0x1AB0..=0x1AFF
                    | 0x1DC0..=0x1DFF
                    | 0x20D0..=0x20FF
                    | 0xFE20..=0xFE2F
            );
        if hidden {
            write!(f, "{}", c.escape_unicode())
        } else {
            write!(f, "{c}")
        }
    }
}

/// Words for what pest wanted, in a stable order without repeats.
fn describe(positives: &[Rule]) -> String {
    let mut words: Vec<&'static str> = Vec::new();
    for &rule in positives {
        if let Some(w) = rule_words(rule) {
            if !words.contains(&w) {
                words.push(w);
            }
        }
    }
    // A statement keyword is covered by the phrase for all statements.
    if words.contains(&STATEMENT) {
        words.retain(|w| *w == STATEMENT || !STATEMENT.contains(w));
    }
    // Punctuation first (usually the one-character fix), then keywords,
    // then phrases.
    words.sort_by_key(|w| {
        if w.starts_with('`') && !w.chars().nth(1).is_some_and(char::is_alphabetic) {
            0
        } else if w.starts_with('`') {
            1
        } else {
            2
        }
    });
    match words.as_slice() {
        [] => "a statement".into(),
        [one] => (*one).into(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn rule_words(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        EOI => "a new statement",
        version_stmt | timezone_stmt | context_stmt | model_stmt | target_stmt | let_stmt
        | defaults_stmt | test_stmt | rule_stmt => STATEMENT,
        kw_context => "`context`",
        kw_model | test_model => "`model`",
        kw_arm | test_arm => "`arm`",
        test_fallback => "`fallback`",
        kw_target => "`target`",
        kw_let => "`let`",
        kw_defaults => "`defaults`",
        kw_rule => "`rule`",
        kw_priority | priority => "`priority`",
        kw_when | guard | otherwise | kw_otherwise => "`when` or `otherwise`",
        kw_test => "`test`",
        kw_version => "`version`",
        kw_timezone => "`timezone`",
        kw_and => "`and`",
        kw_or => "`or`",
        kw_not | not_op | not_in => "`not`",
        kw_in | in_tail | kw_matches | matches_tail | kw_contains | kw_starts_with
        | kw_ends_with | str_tail | str_op | compare_tail | cmp_op => {
            "a test (`==`, `!=`, `<`, `>`, `in`, `matches`, `contains`, ...)"
        }
        kw_has | kw_words | kw_len | kw_hour | kw_weekday | kw_true | kw_false | condition
        | conjunction | negation | paren | has_atom | bool_lit | subject_atom | subject
        | words_fn | len_fn => "a condition",
        kw_fallback | fallback => "`fallback`",
        kw_split | split_target => "`split`",
        kw_by => "`by`",
        kw_cheapest | cheapest_target => "`cheapest`",
        kw_require | kw_max_tokens | kw_provider | kw_transforms | kw_params | kw_tag | option
        | max_tokens_opt | provider_opt | transforms_opt | params_opt | tag_opt | require_opt => {
            "an option (`max_tokens`, `provider`, `params`, `transforms`, `tag` or `require`)"
        }
        requirement | req_fits | req_cost | req_flag => {
            "a requirement (`tools`, `vision`, `json`, `fits(F)` or `cost(F) <= X`)"
        }
        ident | name => "a name",
        string => "a string",
        number => "a number",
        weight => "a weight such as `50%`",
        regex | regex_body => "a regex such as `/pattern/i`",
        regex_flags => "regex flags",
        arrow => "`->`",
        eq => "`=`",
        colon => "`:`",
        comma => "`,`",
        pipe => "`|`",
        lbrace | object | test_context => "`{`",
        rbrace => "`}`",
        lbrack | array | list | model_list | string_list => "`[`",
        rbrack => "`]`",
        lparen => "`(`",
        rparen => "`)`",
        operand | literal | value => "a value",
        range | range_incl | range_excl => "a range such as `1..5`",
        target | chain_target | arm_target | model_ref | model_name => "a model",
        variant => "a variant such as `floor`",
        arm => "a split arm such as `a 50%: model`",
        pair | key | bare_key => "a key",
        test_pair => "a field",
        field_decl => "a field (`name: type`)",
        type_expr | type_bool | type_int | type_float | type_string | enum_type => {
            "a type (`bool`, `int`, `float`, `string` or `\"a\" | \"b\"`)"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::lower::tests::{errs, positions};
    use crate::{Code, ToDiagnostic};

    #[test]
    fn missing_arrow_points_after_the_condition() {
        // The statement ends early: the caret goes after its last token.
        let p = positions("rule a: when x\n\nrule b: otherwise -> m\n");
        assert_eq!(p, vec![(Code::E001, 1, 15)]);
        let e = &errs("rule a: when x\nrule b: otherwise -> m")[0];
        assert!(e.to_string().contains("found `rule`"), "{e}");
        assert!(e.to_string().contains("`->`"), "{e}");
    }

    #[test]
    fn keyword_as_name_gets_help() {
        let e = &errs("model in = \"x\"")[0];
        let d = e.to_diagnostic();
        assert!(d.help.unwrap().contains("reserved"));
    }

    #[test]
    fn messages_say_what_was_expected() {
        let cases = [
            ("rule a: when x claude", "expected `->`, `and`, `or` or a test (`==`, `!=`, `<`, `>`, `in`, `matches`, `contains`, ...), found `claude`"),
            ("rule a when x -> m", "expected `:` or `priority`, found `when`"),
            ("model x \"id\"", "expected `=`, found `\"id\"`"),
            ("rule a: when x ->", "expected a model, found end of file"),
            ("context { a: integer }", "expected a type (`bool`, `int`, `float`, `string` or `\"a\" | \"b\"`), found `integer`"),
            ("rule a: otherwise -> split by u { 50%: split by v { } }", "expected a model, found `split`"),
            ("foo bar", "expected a statement (`rule`, `when`, `otherwise`, `model`, `target`, `let`, `context`, `defaults`, `test`, `version` or `timezone`), found `foo`"),
        ];
        for (src, want) in cases {
            assert_eq!(errs(src)[0].to_string(), want, "for {src}");
        }
        let d = errs("rule a: when tier = \"x\" -> m")[0].to_diagnostic();
        assert_eq!(d.help.as_deref(), Some("compare with `==`"));
    }
}
