//! Golden tests of the layout and of comment placement.

use super::*;
use crate::ast::{Expr, Guard, Item, RuleDecl, Target};
use crate::span::Spanned;

fn fmt(src: &str) -> String {
    let out = format_source(src, FileId(0), &Limits::default())
        .unwrap_or_else(|e| panic!("format failed: {e}\n--- source ---\n{src}"));
    let again = format_source(&out, FileId(0), &Limits::default())
        .unwrap_or_else(|e| panic!("reformat failed: {e}\n--- output ---\n{out}"));
    assert_eq!(again, out, "formatting is not idempotent");
    out
}

fn parse(src: &str) -> RuleFile {
    crate::parse(src, FileId(0), &Limits::default())
        .unwrap_or_else(|e| panic!("parse failed: {e}\n--- source ---\n{src}"))
}

#[track_caller]
fn assert_fmt(src: &str, expected: &str) {
    let out = fmt(src);
    assert!(
        out == expected,
        "--- got ---\n{out}--- expected ---\n{expected}--- end ---"
    );
}

const SECTION1: &str = include_str!("../../../../corpus/good/language-section1.route");

const SECTION1_FORMATTED: &str = r#"# Comments run from '#' to the end of the line.
version "2026-11-21.1"  # optional label, reported in every decision

context {  # the fields a host passes in, with types
  tier: "free" | "basic" | "pro" | "enterprise" = "free"
  task: "chat" | "code" | "analysis" | "classification" | "general" = "general"
  budget: float = 0.0  # remaining daily budget, USD
  prompt_tokens: int = 0
  needs_tools: bool = false
  needs_vision: bool = false
  max_latency_ms: int = 30000
  user: string  # no default: optional (see 4.3)
  prompt: string = ""  # last user message, for content rules
}

model gemma = "google/gemma-2-9b-it:free"
model llama-8b = "meta-llama/llama-3.1-8b-instruct"
model mini = "openai/gpt-4o-mini"
model gpt-4o = "openai/gpt-4o"
model claude = "anthropic/claude-3.5-sonnet"
model haiku = "anthropic/claude-3-haiku"

defaults max_tokens 1024  # options applied to every decision

target cheap-chain = mini fallback [llama-8b] max_tokens 512

let has_code = prompt matches /```|def |function |class |import /
let reasoning = prompt matches /explain|analyze|compare|why|how does|trade.?off/i

rule free-tier: when tier == "free" -> gemma fallback [llama-8b] max_tokens 512
rule low-budget: when budget < 1.0 and tier != "enterprise" -> cheap-chain
rule tools-required: when needs_tools -> gpt-4o fallback [claude]
rule vision: when needs_vision -> gpt-4o fallback [claude]
rule code-pro: when task == "code" and tier in ["pro", "enterprise"]
  -> claude fallback [gpt-4o]
    max_tokens 2048
    provider { sort: "throughput", allow_fallbacks: true }
rule long-prompt: when prompt_tokens > 60000 and tier != "free" -> claude max_tokens 4096
rule fast: when max_latency_ms < 3000 -> haiku fallback [mini]
rule hard-prompts: when has_code and reasoning -> claude
rule chat-ab: when task == "chat" -> split by user {
  control 90%: mini
  treatment 10%: gpt-4o fallback [mini]
}
rule default: otherwise -> mini fallback [llama-8b]

test pro-coder: { tier: "pro", task: "code", budget: 50.0 } -> code-pro
test free-user: { tier: "free" } -> free-tier model "google/gemma-2-9b-it:free"
"#;

#[test]
fn language_section_1_formats_to_the_canonical_layout() {
    assert_fmt(SECTION1, SECTION1_FORMATTED);
}

#[test]
fn print_without_comments_separates_statement_kinds() {
    let file = parse(SECTION1);
    let printed = print(&file);
    let expected: String = SECTION1_FORMATTED
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| match l.find("  #") {
            Some(at) => format!("{}\n", &l[..at]),
            None => format!("{l}\n"),
        })
        .collect();
    assert_eq!(printed, expected);
    assert_eq!(parse(&printed).items, file.items);
    assert_eq!(fmt(&printed), printed);
}

#[test]
fn spacing_is_normalised() {
    assert_fmt(
        "model   a=\"x\"   rule r : when(a==1)and not b->a fallback[b ,c,]max_tokens 5",
        "model a = \"x\"\nrule r: when (a == 1) and not b -> a fallback [b, c] max_tokens 5\n",
    );
}

#[test]
fn literals_are_canonical() {
    assert_fmt(
        concat!(
            r#"rule r: when s == "\u0041\/\t\u00e9\ud83d\ude80" and f > 1e-3 and g < 2.50E2"#,
            r#" and h in 1..=5 and i not in -3..0.5 and j matches /a\/b/ix -> m"#,
            "\n",
        ),
        concat!(
            "rule r: when s == \"A/\\té🚀\"\n",
            "    and f > 0.001\n",
            "    and g < 250.0\n",
            "    and h in 1..=5\n",
            "    and i not in -3..0.5\n",
            "    and j matches /a\\/b/ix\n",
            "  -> m\n",
        ),
    );
    assert_fmt(
        "let x = a == 1e300 or b == -0.0 or c == 12345678901234567890.0 or d == 1E+2",
        "let x = a == 1e300 or b == -0.0 or c == 1.2345678901234567e19 or d == 100.0\n",
    );
}

#[test]
fn long_rules_break_before_the_arrow_and_per_option() {
    let src = "rule r: when a == 1 -> m fallback [n] max_tokens 100 tag \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" provider { sort: \"price\" }";
    assert_fmt(
        src,
        "rule r: when a == 1\n  -> m fallback [n]\n    max_tokens 100\n    tag \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n    provider { sort: \"price\" }\n",
    );
}

#[test]
fn long_conditions_break_at_the_top_level_operator() {
    let cond = "tier == \"enterprise\" or (task == \"code\" and budget > 10.0) or prompt contains \"please think step by step\"";
    assert_fmt(
        &format!("rule r: when {cond} -> m\nlet x = {cond}"),
        concat!(
            "rule r: when tier == \"enterprise\"\n",
            "    or (task == \"code\" and budget > 10.0)\n",
            "    or prompt contains \"please think step by step\"\n",
            "  -> m\n",
            "let x = tier == \"enterprise\"\n",
            "    or (task == \"code\" and budget > 10.0)\n",
            "    or prompt contains \"please think step by step\"\n",
        ),
    );
}

#[test]
fn splits_put_one_arm_per_line() {
    assert_fmt(
        "rule r: when t -> split by user { a 33.33%: m  b 66.67%: cheapest [x, \"openrouter/auto\"] max_tokens 5 50%: n:free }\n\
         target s = split by user { 0.01%: m 99.99%: n }",
        concat!(
            "rule r: when t -> split by user {\n",
            "  a 33.33%: m\n",
            "  b 66.67%: cheapest [x, \"openrouter/auto\"] max_tokens 5\n",
            "  50%: n:free\n",
            "}\n",
            "target s = split by user {\n",
            "  0.01%: m\n",
            "  99.99%: n\n",
            "}\n",
        ),
    );
}

#[test]
fn long_split_rules_indent_the_arms_under_the_arrow() {
    let cond =
        "aaaaaaaaaaaaaaaaaaaa == 1 and bbbbbbbbbbbbbbbbbbbbbbbbb == 2 and ccccccccccccccc == 3";
    let long_arm = "m provider { order: [\"aaaaaaaaaaaaaaaaaaaa\", \"bbbbbbbbbbbbbbbbbbbbbbbbbbbb\"] } params { temperature: 0.2 }";
    assert_fmt(
        &format!("rule r: when {cond} -> split by k {{ a 50%: m b 50%: {long_arm} }}"),
        concat!(
            "rule r: when aaaaaaaaaaaaaaaaaaaa == 1 and bbbbbbbbbbbbbbbbbbbbbbbbb == 2 and ccccccccccccccc == 3\n",
            "  -> split by k {\n",
            "    a 50%: m\n",
            "    b 50%: m\n",
            "      provider { order: [\"aaaaaaaaaaaaaaaaaaaa\", \"bbbbbbbbbbbbbbbbbbbbbbbbbbbb\"] }\n",
            "      params { temperature: 0.2 }\n",
            "  }\n",
        ),
    );
}

#[test]
fn long_defaults_and_targets_put_one_option_per_line() {
    assert_fmt(
        "defaults max_tokens 1024 provider { sort: \"throughput\", allow_fallbacks: true, data_collection: \"deny\" }\n\
         target t = m fallback [n] provider { sort: \"throughput\", allow_fallbacks: true, data_collection: \"deny\" }",
        concat!(
            "defaults\n",
            "  max_tokens 1024\n",
            "  provider { sort: \"throughput\", allow_fallbacks: true, data_collection: \"deny\" }\n",
            "target t = m fallback [n]\n",
            "  provider { sort: \"throughput\", allow_fallbacks: true, data_collection: \"deny\" }\n",
        ),
    );
}

#[test]
fn every_form_round_trips() {
    let src = concat!("context {}\n", "context {\n  x: int\n  \"a\" : bool\n}\n",);
    // A field named by a string is a syntax error: formatting leaves it be.
    assert!(format_source(src, FileId(0), &Limits::default()).is_err());
    assert_fmt(
        concat!(
            "context {}\n",
            "rule priority -3: when has(u) and words(p) >= len(q) and hour < 9 and weekday == \"mon\"",
            " and not not (x) -> \"a/b:c\" fallback [] require tools, vision, json, fits(n), cost(n) <= 0.5\n",
            "rule r2 priority 0: otherwise -> m params { \"a b\": [1, -2.5, true, {}, [], { c: null_ }] }",
            " transforms [\"middle-out\"] tag \"x\"\n",
            "when true or false -> m\n",
            "otherwise -> m\n",
            "test t: {} -> r2\n",
            "test t2: { a: 1, b: \"x\", c: false, } -> r2 model \"m\"\n",
        )
        .replace("null_", "\"null\"")
        .as_str(),
        concat!(
            "context {}\n",
            "rule priority -3: when has(u)\n",
            "    and words(p) >= len(q)\n",
            "    and hour < 9\n",
            "    and weekday == \"mon\"\n",
            "    and not not (x)\n",
            "  -> \"a/b:c\" fallback []\n",
            "    require tools, vision, json, fits(n), cost(n) <= 0.5\n",
            "rule r2 priority 0: otherwise\n",
            "  -> m\n",
            "    params { \"a b\": [1, -2.5, true, {}, [], { c: \"null\" }] }\n",
            "    transforms [\"middle-out\"]\n",
            "    tag \"x\"\n",
            "when true or false -> m\n",
            "otherwise -> m\n",
            "test t: {} -> r2\n",
            "test t2: { a: 1, b: \"x\", c: false } -> r2 model \"m\"\n",
        ),
    );
}

#[test]
fn blank_lines_are_kept_collapsed_and_never_leading() {
    assert_fmt(
        "\n\n\nmodel a = \"x\"\nmodel b = \"y\"\n\n\n\nmodel c = \"z\"\n\n\n",
        "model a = \"x\"\nmodel b = \"y\"\n\nmodel c = \"z\"\n",
    );
    assert_fmt(
        "context {\n\n  a: int\n\n\n  b: int\n\n}\n",
        "context {\n  a: int\n\n  b: int\n}\n",
    );
}

#[test]
fn trailing_comments_stay_on_their_line() {
    assert_fmt(
        concat!(
            "model a = \"x\"    # alias\n",
            "context { # fields\n",
            "  a: int  # an int\n",
            "  b: bool\t# a bool   \n",
            "}   # end of context\n",
            "rule r: when a == 1 -> split by u { # split\n",
            "  x 50%: a # first\n",
            "  y 50%: a#second\n",
            "} # end of split\n",
        ),
        concat!(
            "model a = \"x\"  # alias\n",
            "context {  # fields\n",
            "  a: int  # an int\n",
            "  b: bool  # a bool\n",
            "}  # end of context\n",
            "rule r: when a == 1 -> split by u {  # split\n",
            "  x 50%: a  # first\n",
            "  y 50%: a  #second\n",
            "}  # end of split\n",
        ),
    );
}

#[test]
fn own_line_comments_stay_before_what_follows_them() {
    assert_fmt(
        concat!(
            "# header\n",
            "\n",
            "# about a\n",
            "model a = \"x\"\n",
            "context {\n",
            "    # about f\n",
            "  f: int\n",
            "      # after the last field\n",
            "}\n",
            "\n",
            "# about r\n",
            "\n",
            "rule r: when a -> split by u {\n",
            "# about x\n",
            "  x 50%: a\n",
            "  y 50%: a\n",
            "  # after the last arm\n",
            "}\n",
            "# the end\n",
            "\n",
            "# really\n",
        ),
        concat!(
            "# header\n",
            "\n",
            "# about a\n",
            "model a = \"x\"\n",
            "context {\n",
            "  # about f\n",
            "  f: int\n",
            "  # after the last field\n",
            "}\n",
            "\n",
            "# about r\n",
            "\n",
            "rule r: when a -> split by u {\n",
            "  # about x\n",
            "  x 50%: a\n",
            "  y 50%: a\n",
            "  # after the last arm\n",
            "}\n",
            "# the end\n",
            "\n",
            "# really\n",
        ),
    );
}

#[test]
fn comments_inside_a_one_line_statement_move_before_it() {
    assert_fmt(
        concat!(
            "model m = \"x\"\n",
            "\n",
            "# about r\n",
            "rule r: when a   # why a\n",
            "  # and b\n",
            "  and b           # why b\n",
            "  -> m            # why m\n",
            "rule s:\n",
            "  # inside s\n",
            "  otherwise -> m\n",
        ),
        concat!(
            "model m = \"x\"\n",
            "\n",
            "# about r\n",
            "# and b\n",
            "# why b\n",
            "# why m\n",
            "rule r: when a and b -> m  # why a\n",
            "# inside s\n",
            "rule s: otherwise -> m\n",
        ),
    );
    // A blank line before the statement goes above the comments moved out
    // of it, which stay glued to it.
    assert_fmt(
        "model m = \"x\"\n\nrule r: when a\n  # inner\n  and b -> m\n",
        "model m = \"x\"\n\n# inner\nrule r: when a and b -> m\n",
    );
}

#[test]
fn comments_in_broken_statements_follow_their_lines() {
    let src = concat!(
        "rule r: when aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa == 1  # first\n",
        "  # before the second operand\n",
        "  or bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb == 2  # second\n",
        "  # before the target\n",
        "  -> m fallback [n]  # target\n",
        "     max_tokens 5  # option\n",
    );
    assert_fmt(
        src,
        concat!(
            "rule r: when aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa == 1  # first\n",
            "    # before the second operand\n",
            "    or bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb == 2  # second\n",
            "  # before the target\n",
            "  -> m fallback [n]  # target\n",
            "    max_tokens 5  # option\n",
        ),
    );
}

#[test]
fn crlf_sources_come_out_with_lf() {
    assert_fmt(
        "model a = \"x\"  # c\r\n\r\n\r\nmodel b = \"y\"\r\n",
        "model a = \"x\"  # c\n\nmodel b = \"y\"\n",
    );
}

#[test]
fn print_adds_parentheses_the_tree_lacks() {
    // `a or b` as an operand of `and`, built by hand without a `Paren`.
    let file = parse("rule r: when a and c -> m");
    let mut hand = file.clone();
    let Item::Rule(RuleDecl {
        guard: Guard::When(cond),
        ..
    }) = &mut hand.items[0].node
    else {
        panic!("not a rule")
    };
    let Expr::And(items) = &mut cond.node else {
        panic!("not an and")
    };
    let a = items[0].clone();
    let b = Spanned::new(
        Expr::Name(Spanned::new("b".into(), Span::default())),
        a.span,
    );
    items[0] = Spanned::new(Expr::Or(vec![a, b]), Span::default());
    let not_and = Expr::Not(Box::new(Spanned::new(
        Expr::And(items.clone()),
        Span::default(),
    )));
    items.push(Spanned::new(not_and, Span::default()));
    let text = print(&hand);
    assert_eq!(
        text,
        "rule r: when (a or b) and c and not ((a or b) and c) -> m\n"
    );
    assert!(matches!(
        parse(&text).items[0].node,
        Item::Rule(RuleDecl {
            guard: Guard::When(Spanned {
                node: Expr::And(_),
                ..
            }),
            ..
        })
    ));
}

#[test]
fn degenerate_chains_print_their_operand_or_identity() {
    let file = parse("rule r: when a -> m");
    let with_cond = |make: &dyn Fn(Spanned<Expr>) -> Expr| {
        let mut f = file.clone();
        if let Item::Rule(RuleDecl {
            guard: Guard::When(cond),
            ..
        }) = &mut f.items[0].node
        {
            cond.node = make(cond.clone());
        }
        print(&f)
    };
    let single = with_cond(&|a| Expr::And(vec![Spanned::new(Expr::Or(vec![a]), Span::default())]));
    assert_eq!(single, "rule r: when a -> m\n");
    assert_eq!(
        with_cond(&|_| Expr::Or(vec![])),
        "rule r: when false -> m\n"
    );
    assert_eq!(
        with_cond(&|_| Expr::And(vec![])),
        "rule r: when true -> m\n"
    );
    assert!(matches!(
        file.items[0].node,
        Item::Rule(RuleDecl {
            target: Spanned {
                node: Target::Chain(_),
                ..
            },
            ..
        })
    ));
}

#[test]
fn syntax_errors_are_returned_not_formatted() {
    let errors = format_source("rule r: when -> m", FileId(3), &Limits::default());
    assert!(errors.is_err());
}

#[test]
fn the_internal_error_says_what_went_wrong() {
    let e = internal_error(
        FileId(2),
        "the formatted text parses to different statements",
    );
    let first = e.first().map(ToString::to_string).unwrap_or_default();
    assert!(first.starts_with("internal formatter error: the formatted text parses"));
    assert_eq!(
        e.first().map(ParseError::span),
        Some(Span::new(FileId(2), 0, 0))
    );
}
