//! Hostile input to the parser: each case gets a clear error, or parses to
//! the right tree, within a bounded amount of work.
//!
//! - 100,000-deep nesting of every bracket and of `not`: one E013 at the
//!   first level past the limit, found by the scanner before pest runs.
//! - A 4 MiB single line: a string literal, an `or` chain, garbage, and a
//!   line of rules; one byte more is refused before anything is scanned.
//! - A million rules over ten files: one E013 at the 100,001st rule, and
//!   no statement parsed.
//! - Pathological Unicode: combining marks, bidi overrides, zero-width
//!   characters and NUL in names (E001, with the character escaped in the
//!   message) and in strings (kept exactly, printed back the same).
//!
//! Time bounds are loose (debug builds, a loaded 2-core CI machine) and
//! printed, so a regression by an order of magnitude shows; the work bounds
//! (what was parsed at all) are asserted exactly.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use switchyard_syntax::ast::{Expr, Guard, Item, Literal, Operand};
use switchyard_syntax::{
    format_source, parse, parse_sources, print, Code, FileId, LimitKind, Limits, ParseError,
    ParseErrors, SourceMap,
};

const MIB: usize = 1024 * 1024;

/// Runs `f`, asserts it took less than `limit` (a bound for debug builds;
/// release is about 8 times faster), prints how long it took.
fn timed<T>(what: &str, limit: Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    eprintln!("{what}: {took:?}");
    assert!(took < limit, "{what} took {took:?}, over {limit:?}");
    out
}

fn errs(r: Result<impl std::fmt::Debug, ParseErrors>) -> Vec<ParseError> {
    r.expect_err("should not parse").into_vec()
}

fn one_limit_error(errors: &[ParseError], want: LimitKind) -> (usize, usize, usize) {
    assert_eq!(errors.len(), 1, "{errors:?}");
    match &errors[0] {
        ParseError::Limit {
            span,
            kind,
            limit,
            found,
        } if *kind == want => (span.start as usize, *limit, *found),
        other => panic!("expected a {want} limit error, got {other:?}"),
    }
}

// ------------------------------------------------------------------ nesting

#[test]
fn nesting_100_000_deep_stops_at_the_limit() {
    const N: usize = 100_000;
    let cases = [
        (
            "parentheses",
            format!("rule r: when {}x{} -> m", "(".repeat(N), ")".repeat(N)),
            "(",
        ),
        (
            "list brackets",
            format!("rule r: when x in {}1{} -> m", "[".repeat(N), "]".repeat(N)),
            "[",
        ),
        (
            "object braces",
            format!(
                "rule r: otherwise -> m params {{ a: {}1{} }}",
                "{b: ".repeat(N),
                "}".repeat(N)
            ),
            "{",
        ),
        ("context braces", format!("context {}", "{".repeat(N)), "{"),
        (
            "not and parentheses",
            format!("rule r: when {}x{} -> m", "not (".repeat(N), ")".repeat(N)),
            "(",
        ),
        (
            "split arms",
            format!(
                "rule r: otherwise -> {}m",
                "split by u { a 100%: ".repeat(N)
            ),
            "{",
        ),
    ];
    for (what, src, opener) in cases {
        let errors = timed(
            &format!("{N} nested {what}"),
            Duration::from_secs(10),
            || errs(parse(&src, FileId(0), &Limits::default())),
        );
        let (at, limit, found) = one_limit_error(&errors, LimitKind::Depth);
        assert_eq!((limit, found), (64, 65), "{what}");
        // The 65th opener, counted by the scanner: pest never saw it.
        let nth = src.match_indices(opener).nth(64).map(|(i, _)| i);
        let nth = if what == "object braces" {
            // The `params {` brace is the first.
            src.match_indices('{').nth(64).map(|(i, _)| i)
        } else {
            nth
        };
        assert_eq!(Some(at), nth, "{what}");
        assert_eq!(errors[0].code(), Code::E013);
    }

    // `not` is counted while lowering (pest reads a run of `not`s in a
    // loop): still one error, however many.
    let src = format!("rule r: when {}x -> m", "not ".repeat(N));
    let errors = timed(&format!("{N} nested not"), Duration::from_secs(10), || {
        errs(parse(&src, FileId(0), &Limits::default()))
    });
    let (_, limit, found) = one_limit_error(&errors, LimitKind::Depth);
    assert_eq!(limit, 64);
    assert!(found > 64);

    // A host cannot raise the bound past the ceiling.
    let src = format!("rule r: when {}x{} -> m", "(".repeat(N), ")".repeat(N));
    let loose = Limits {
        max_depth: usize::MAX,
        ..Limits::default()
    };
    let errors = errs(parse(&src, FileId(0), &loose));
    let (_, limit, found) = one_limit_error(&errors, LimitKind::Depth);
    assert_eq!((limit, found), (Limits::MAX_DEPTH_CEILING, 257));
}

// ------------------------------------------------------------------ 4 MiB line

/// `head` + `fill` repeated + `tail`, exactly `len` bytes, on one line.
fn line_of(len: usize, head: &str, fill: &str, tail: &str) -> String {
    let n = (len - head.len() - tail.len()) / fill.len();
    let mut s = String::with_capacity(len);
    s.push_str(head);
    for _ in 0..n {
        s.push_str(fill);
    }
    // Pad with spaces to the exact length.
    while s.len() + tail.len() < len {
        s.push(' ');
    }
    s.push_str(tail);
    assert_eq!(s.len(), len);
    assert!(!s.contains('\n'));
    s
}

#[test]
fn a_4_mib_string_literal_on_one_line() {
    let limits = Limits::default();
    let head = "context { prompt: string = \"\" } rule r: when prompt contains \"";
    let tail = "\" -> \"a/b\" max_tokens 5";
    let src = line_of(limits.max_file_bytes, head, "x", tail);
    let file = timed("4 MiB string literal", Duration::from_secs(60), || {
        parse(&src, FileId(0), &limits).unwrap()
    });
    let Item::Rule(rule) = &file.items[1].node else {
        panic!("not a rule")
    };
    let Guard::When(cond) = &rule.guard else {
        panic!("no condition")
    };
    let Expr::StrTest { needle, .. } = &cond.node else {
        panic!("not a string test: {:?}", cond.node)
    };
    assert_eq!(
        needle.node.len(),
        limits.max_file_bytes - head.len() - tail.len()
    );
}

#[test]
fn a_4_mib_condition_on_one_line_is_one_flat_or() {
    let limits = Limits::default();
    let head = "context { x: int = 0 } rule r: when x == 0";
    let tail = " -> \"a/b\" max_tokens 5";
    let src = line_of(limits.max_file_bytes, head, " or x == 1", tail);
    let file = timed("4 MiB `or` chain", Duration::from_secs(120), || {
        parse(&src, FileId(0), &limits).unwrap()
    });
    let Item::Rule(rule) = &file.items[1].node else {
        panic!("not a rule")
    };
    let Guard::When(cond) = &rule.guard else {
        panic!("no condition")
    };
    // One n-ary node, not a 400,000-deep tree that would overflow the
    // stack when printed, checked or dropped.
    let Expr::Or(operands) = &cond.node else {
        panic!("not an or")
    };
    assert_eq!(
        operands.len(),
        1 + (src.len() - head.len() - tail.len()) / 10
    );
    assert!(operands
        .iter()
        .all(|o| matches!(o.node, Expr::Compare { .. })));
    // Printing it back is linear too.
    let printed = timed("printing it", Duration::from_secs(60), || print(&file));
    assert!(printed.len() > limits.max_file_bytes / 2);
}

#[test]
fn a_4_mib_line_of_garbage_is_one_short_error() {
    let limits = Limits::default();
    let src = "@".repeat(limits.max_file_bytes);
    let errors = timed("4 MiB of `@`", Duration::from_secs(30), || {
        errs(parse(&src, FileId(0), &limits))
    });
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code(), Code::E001);
    assert_eq!(errors[0].span().start, 0);
    // The message names the token, not the line.
    let message = errors[0].to_string();
    assert!(message.len() < 200, "{message}");
    assert!(message.ends_with("found `@`"), "{message}");
}

#[test]
fn a_4_mib_line_of_rules_is_refused_without_parsing() {
    let limits = Limits::default();
    // A syntax error in the first rule: it would be reported if any rule
    // were parsed.
    let src = line_of(
        limits.max_file_bytes,
        "rule bad: when -> m ",
        "rule r: otherwise -> m ",
        "",
    );
    let errors = timed("4 MiB of rules", Duration::from_secs(30), || {
        errs(parse(&src, FileId(0), &limits))
    });
    let (at, limit, found) = one_limit_error(&errors, LimitKind::Rules);
    assert_eq!((limit, found), (100_000, 100_001));
    assert_eq!(at, src.match_indices("rule ").nth(100_000).unwrap().0);
}

#[test]
fn one_byte_over_4_mib_is_refused_before_scanning() {
    let limits = Limits::default();
    let mut sources = SourceMap::new();
    // Deeply nested and unterminated too: none of it is looked at.
    let src = format!("\"{}", "(".repeat(limits.max_file_bytes));
    sources.add("big.route", src);
    let errors = timed("4 MiB + 1", Duration::from_secs(1), || {
        errs(parse_sources(&sources, &limits))
    });
    let (at, limit, found) = one_limit_error(&errors, LimitKind::FileSize);
    assert_eq!((at, limit, found), (0, 4 * MIB, 4 * MIB + 1));
}

// ------------------------------------------------------------------ a million rules

#[test]
fn a_million_rules_are_refused_after_one_scan() {
    const RULES: usize = 1_000_000;
    const FILES: usize = 10;
    let limits = Limits::default();
    let mut sources = SourceMap::new();
    sources.add(
        "00-schema.route",
        "context { tenant: int = 0 }\nmodel m = \"p/m\"\n",
    );
    let per_file = RULES / FILES;
    for f in 0..FILES {
        let mut text = String::with_capacity(per_file * 36);
        if f == 0 {
            // Parsing would report this.
            text.push_str("rule broken: when tenant == -> m\n");
        }
        for r in f * per_file..(f + 1) * per_file {
            let _ = writeln!(text, "rule r{r}: when tenant == {r} -> m");
        }
        assert!(text.len() <= limits.max_file_bytes);
        sources.add(format!("{:02}-rules.route", f + 1), text);
    }
    let bytes: usize = sources.files().map(|(_, f)| f.byte_len()).sum();
    let errors = timed(
        &format!("a million rules, {} MiB in {FILES} files", bytes / MIB),
        Duration::from_secs(30),
        || errs(parse_sources(&sources, &limits)),
    );
    // One error for the ruleset: the first rule past the limit (the
    // broken rule counts as one).
    let (at, limit, found) = one_limit_error(&errors, LimitKind::Rules);
    assert_eq!((limit, found), (100_000, 100_001));
    let (file, start, _) = sources.locate(errors[0].span()).unwrap();
    assert_eq!(file, "01-rules.route");
    assert_eq!(start.line, 100_001);
    assert!(at > 0);

    // Within the limit, the same files parse; the broken rule is then
    // reported.
    let loose = Limits {
        max_rules: usize::MAX,
        ..limits
    };
    let mut small = SourceMap::new();
    for (_, f) in sources.files().take(2) {
        let text: String = f.text().lines().take(1_000).collect::<Vec<_>>().join("\n");
        small.add(f.name(), text);
    }
    let errors = errs(parse_sources(&small, &loose));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code(), Code::E001);
}

// ------------------------------------------------------------------ Unicode

/// Characters that must not be part of a name.
const HOSTILE: [(&str, char); 7] = [
    ("right-to-left override", '\u{202e}'),
    ("left-to-right isolate", '\u{2066}'),
    ("combining acute accent", '\u{301}'),
    ("zero-width space", '\u{200b}'),
    ("zero-width joiner", '\u{200d}'),
    ("NUL", '\u{0}'),
    ("byte order mark", '\u{feff}'),
];

#[test]
fn pathological_unicode_in_names_is_a_syntax_error_at_the_character() {
    let templates = [
        "rule r{}x: otherwise -> m",
        "model gp{}t = \"p/m\"",
        "context {{ ti{}er: int }}",
        "let l{}x = true",
        "target t{}x = m",
        "test t{}x: {{}} -> r",
        "rule r: when ti{}er == 1 -> m",
        "rule r: otherwise -> mo{}del",
    ];
    for (what, c) in HOSTILE {
        for t in templates {
            let src = t
                .replace("{}", &c.to_string())
                .replace("{{", "{")
                .replace("}}", "}");
            let errors = errs(parse(&src, FileId(0), &Limits::default()));
            assert_eq!(
                errors[0].code(),
                Code::E001,
                "{what} in {src:?}: {errors:?}"
            );
            let at = src.find(c).unwrap();
            assert_eq!(
                errors[0].span().start as usize,
                at,
                "{what} in {src:?}: {errors:?}"
            );
            // The message shows the character escaped: a bidi override
            // cannot reorder the line it is printed on, a NUL cannot cut it.
            let message = errors[0].to_string();
            assert!(
                !message.contains(c),
                "{what} unescaped in the message {message:?}"
            );
            assert!(
                message.contains(&c.escape_unicode().to_string()),
                "{what}: {message:?}"
            );
        }
    }
}

/// The string literal of the first rule's `user == "..."` test.
fn compared_string(src: &str) -> String {
    let file = parse(src, FileId(0), &Limits::default()).unwrap();
    let Some(Item::Rule(rule)) = file.items.iter().map(|i| &i.node).next_back() else {
        panic!("no rule")
    };
    let Guard::When(cond) = &rule.guard else {
        panic!("no condition")
    };
    let Expr::Compare { rhs, .. } = &cond.node else {
        panic!("not a comparison")
    };
    let Operand::Literal(Literal::String(s)) = &rhs.node else {
        panic!("not a string")
    };
    s.clone()
}

#[test]
fn pathological_unicode_in_strings_is_kept_exactly() {
    let strings = [
        "e\u{301}\u{301}\u{301}\u{301}",
        "\u{202e}txt.exe",
        "a\u{2066}b\u{2069}c",
        "\u{200b}\u{200d}\u{feff}",
        "🏳\u{fe0f}\u{200d}🌈",
        "\u{10ffff}\u{fffd}",
        &format!("Z{}", "\u{36f}".repeat(10_000)),
    ];
    for s in strings {
        // Written raw in the source.
        let src = format!("rule r: when user == \"{s}\" -> m # {s}\n");
        assert_eq!(compared_string(&src), s);
        // Printed and formatted back to the same string.
        let file = parse(&src, FileId(0), &Limits::default()).unwrap();
        assert_eq!(compared_string(&print(&file)), s);
        let formatted = format_source(&src, FileId(0), &Limits::default()).unwrap();
        assert_eq!(compared_string(&formatted), s);
        assert!(formatted.contains(&format!("# {s}")));
    }

    // NUL and other control characters need escapes, as in JSON.
    assert_eq!(
        compared_string("rule r: when user == \"a\\u0000b\\u001f\" -> m"),
        "a\u{0}b\u{1f}"
    );
    let errors = errs(parse(
        "rule r: when user == \"a\u{0}b\" -> m",
        FileId(0),
        &Limits::default(),
    ));
    assert_eq!(errors[0].code(), Code::E001);
    assert!(errors[0].to_string().contains("control character"));
    // The printer writes the escape, so the text stays valid.
    let file = parse(
        "rule r: when user == \"a\\u0000b\" -> m",
        FileId(0),
        &Limits::default(),
    )
    .unwrap();
    let printed = print(&file);
    assert!(printed.contains("\\u0000"), "{printed}");
    assert!(!printed.contains('\u{0}'));
    // A lone surrogate escape is not a character.
    let errors = errs(parse(
        "rule r: when user == \"\\ud800\" -> m",
        FileId(0),
        &Limits::default(),
    ));
    assert_eq!(errors[0].code(), Code::E001);
}
