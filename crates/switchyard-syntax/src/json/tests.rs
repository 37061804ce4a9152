#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use super::*;
use crate::ast::{Expr, Guard, Item};
use crate::{parse, print, Code, LineIndex};

fn json(src: &str) -> RuleFile {
    parse_json(src, FileId(0), &Limits::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn errors(src: &str) -> Vec<(Code, String, u32, u32)> {
    let lines = LineIndex::new(src);
    parse_json(src, FileId(0), &Limits::default())
        .expect_err("errors")
        .iter()
        .map(|e| {
            let at = lines.line_col(src, e.span().start as usize);
            (e.code(), e.to_string(), at.line, at.column)
        })
        .collect()
}

const ROUTE: &str = r#"version "1"
context {
  tier: "free" | "pro" = "free"
  tokens: int
}
model mini = "openai/gpt-4o-mini"
model claude = "anthropic/claude-3.5-sonnet"
target cheap = mini max_tokens 256
let big = tokens > 1000 and not (tier == "pro" or has(tokens))
defaults max_tokens 1024 provider { sort: "price" }
rule pro priority 2: when tier == "pro" and prompt matches /a\/b/i -> claude fallback [mini] tag "x"
rule ab priority 1: when big -> split by user {
  control 90%: mini
  12.5%: claude
  ...
}
rule default priority 0: otherwise -> cheap
test t: { tier: "pro", tokens: 3 } -> pro arm control model "anthropic/claude-3.5-sonnet" fallback ["openai/gpt-4o-mini"]
"#;

#[test]
fn route_to_json_and_back_is_the_same_tree() {
    let route = ROUTE.replace("  12.5%: claude\n  ...\n", "  10%: claude\n");
    let tree = parse(&route, FileId(0), &Limits::default()).unwrap();
    let text = to_json(&tree);
    let back = json(&text);
    assert_eq!(back.items, tree.items, "{text}");
    assert_eq!(print(&back), print(&tree));
}

#[test]
fn conditions_as_objects_and_the_conditions_shape() {
    let file = json(
        r#"{
  "rules": [
    { "name": "a", "conditions": { "tier": "pro", "task": ["code", "chat"] }, "target": "m" },
    { "name": "b", "when": { "any": [ { "field": "tokens", ">=": 10 }, { "not": { "has": "x" } },
        { "field": "words(prompt)", "<": 3 }, { "field": "prompt", "matches": "a/b", "flags": "i" } ] },
      "target": { "model": "m", "fallback": ["n:free", "openai/gpt-4o"], "max_tokens": 5,
                  "provider": { "order": ["a", "b"] }, "require": ["tools", "fits(tokens)"] } }
  ]
}"#,
    );
    let printed = print(&file);
    assert_eq!(
        printed,
        "rule a: when tier == \"pro\" and task in [\"code\", \"chat\"] -> m\n\
         rule b: when tokens >= 10 or not has(x) or words(prompt) < 3 or prompt matches /a\\/b/i\n  \
         -> m fallback [n:free, \"openai/gpt-4o\"]\n    max_tokens 5\n    provider { order: [\"a\", \"b\"] }\n    require tools, fits(tokens)\n"
    );
}

#[test]
fn spans_point_into_the_json_text() {
    let src = "{\n  \"rules\": [\n    { \"when\": \"tier == \\\"pro\\\" and ok\", \"target\": \"m\" }\n  ]\n}\n";
    let file = json(src);
    let Item::Rule(r) = &file.items[0].node else {
        panic!()
    };
    let Guard::When(cond) = &r.guard else {
        panic!()
    };
    let Expr::And(parts) = &cond.node else {
        panic!()
    };
    let span = parts[1].span;
    assert_eq!(&src[span.range()], "ok");
    let span = parts[0].span;
    assert_eq!(&src[span.range()], "tier == \\\"pro\\\"");
}

#[test]
fn errors_name_line_column_and_path() {
    let src = "{\n  \"rules\": [\n    { \"when\": \"tier == \", \"target\": \"m\" },\n    { \"wen\": true, \"target\": \"m\" }\n  ]\n}";
    let found = errors(src);
    assert!(
        found.iter().any(|(c, _, l, _)| *c == Code::E001 && *l == 3),
        "{found:?}"
    );
    let shape = found.iter().find(|(c, ..)| *c == Code::E021).expect("E021");
    assert!(
        shape.1.contains("/rules/1") && shape.1.contains("`wen`"),
        "{shape:?}"
    );
    assert_eq!((shape.2, shape.3), (4, 7));
    let bad = errors("{\"rules\": [}");
    assert_eq!(bad[0].0, Code::E020);
}

#[test]
fn path_at_finds_the_innermost_member() {
    let src = "{\"rules\": [{\"name\": \"a\"}, {\"when\": \"x and y\", \"target\": \"m\"}]}";
    let at = src.find("y\"").unwrap();
    let path = JsonPaths::new(src, FileId(0)).unwrap().at(at).unwrap();
    assert_eq!(path, "/rules/1/when");
}

fn to_route(src: &str) -> String {
    convert(src, FileId(0), Form::Json, Form::Route, &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn comments_go_where_the_members_say() {
    let src = r##"{
  "statements": [
    { "comment": ["# header", ""], "version": "1" },
    { "context": { "tier": { "comment": "# who", "type": "string", "trailing": "# jwt" } } },
    { "model": "mini", "id": "openai/gpt-4o-mini", "trailing": "# cheap" },
    { "comment": "# lone" },
    { "rule": { "comment": "# inside", "name": "a", "when": "has(tier)",
                "target": { "split": "tier", "arms": [
                  { "comment": ["# first", "# arm"], "weight": 50, "target": "mini" },
                  { "weight": 50, "target": "mini", "trailing": "# second" } ] } } },
    { "comment": [], "rule": { "name": "b", "otherwise": true, "target": "mini" } },
    { "comment": "# lone test" },
    { "test": { "name": "t", "rule": "b" } },
    { "comment": "# the end" }
  ]
}"##;
    assert_eq!(
        to_route(src),
        "# header\n\nversion \"1\"\n\ncontext {\n  # who\n  tier: string  # jwt\n}\n\n\
         model mini = \"openai/gpt-4o-mini\"  # cheap\n# lone\n# inside\n\
         rule a: when has(tier) -> split by tier {\n  # first\n  # arm\n  50%: mini\n  50%: mini  # second\n}\n\
         rule b: otherwise -> mini\n\n# lone test\ntest t: {} -> b\n# the end\n"
    );
}

#[test]
fn opening_and_closing_comments_go_inside_statements_of_several_lines() {
    let src = r##"{"statements": [
      {"opening": "# o", "context": {"a": "int"}},
      {"opening": "# above", "rule": {"name": "r", "when": "a > 1", "target": "m"}, "trailing": "# t"},
      {"rule": {"name": "s", "when": "a > 2", "target": {"split": "a", "arms": [{"weight": 100, "target": "m"}]},
                "closing": ["", "# more arms later"]}},
      {"comment": [], "closing": "# below", "test": {"name": "t", "rule": "r"}}
    ]}"##;
    assert_eq!(
        to_route(src),
        "context {  # o\n  a: int\n}\n\n# above\nrule r: when a > 1 -> m  # t\n\
         rule s: when a > 2 -> split by a {\n  100%: m\n\n  # more arms later\n}\n\
         test t: {} -> r\n# below\n"
    );
}

#[test]
fn grouped_entries_carry_comments_as_objects() {
    let src = r##"{
  "models": { "mini": { "id": "openai/gpt-4o-mini", "comment": "# cheap" } },
  "targets": { "t": { "to": { "model": "mini" }, "trailing": "# plain" } },
  "lets": { "l": { "when": { "has": "x" }, "comment": ["", "# spaced"] } },
  "rules": [ { "name": "r", "when": "l", "target": "t", "trailing": "# only rule" } ]
}"##;
    assert_eq!(
        to_route(src),
        "# cheap\nmodel mini = \"openai/gpt-4o-mini\"\n\ntarget t = mini  # plain\n\n# spaced\n\
         let l = has(x)\n\nrule r: when l -> t  # only rule\n"
    );
}

#[test]
fn statement_shapes_are_checked() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"statements": [{"version": "1"}], "rules": []}"#,
            "cannot stand beside grouped members (`rules`)",
        ),
        (
            r#"{"statements": [{"version": "1", "timezone": "UTC"}]}"#,
            "`timezone` cannot stand beside `version`",
        ),
        (
            r#"{"statements": [{"model": "mini"}]}"#,
            "a `model` statement needs `id`",
        ),
        (
            r##"{"statements": [{"trailing": "# x"}]}"##,
            "a statement object needs one of",
        ),
        (r#"{"statements": [{"rul": {}}]}"#, "unknown key `rul`"),
        (
            r#"{"statements": [{"comment": "x", "version": "1"}]}"#,
            "a comment line starts with `#`",
        ),
        (
            r##"{"statements": [{"version": "1", "trailing": "# a\n# b"}]}"##,
            "a trailing comment is one line",
        ),
        (
            r#"{"models": {"m": {"id": "a/b", "note": "x"}}}"#,
            "unknown key `note`",
        ),
    ];
    for (src, message) in cases {
        let found = errors(src);
        assert!(
            found
                .iter()
                .any(|(c, m, ..)| *c == Code::E021 && m.contains(message)),
            "{src}: {found:?}"
        );
    }
    let found = errors(
        r#"{"statements": [{"model": "m", "id": "a/b"}, {"rule": {"when": "x ==", "target": "m"}}]}"#,
    );
    assert_eq!(found[0].0, Code::E001, "{found:?}");
    let paths = JsonPaths::new(
        r#"{"statements": [{"model": "m", "id": "a/b"}, {"rule": {"when": "x ==", "target": "m"}}]}"#,
        FileId(0),
    )
    .unwrap();
    assert_eq!(paths.at(57).as_deref(), Some("/statements/1/rule/when"));
}

#[test]
fn hand_written_comments_anywhere_convert() {
    let cases = [
        r##"{"statements": [{"route": "rule a: otherwise -> m  # c", "trailing": "# t"}]}"##,
        r##"{"statements": [{"route": "# lead\nrule a: otherwise -> m"}]}"##,
        r##"{"statements": [{"route": "rule a: otherwise -> m\n# after"}, {"rule": {"otherwise": true, "target": "m"}}]}"##,
        r##"{"statements": [{"route": "context {\n  # c\n  a: int\n}  # end", "trailing": "# t"}]}"##,
        r##"{"statements": [{"route": "rule a: when x\r\n  # c\r\n  -> m"}]}"##,
        r##"{"statements": [{"comment": "#x\n\n\n#y"}, {"version": "1"}, {"comment": [""]}]}"##,
        r##"{"rules": [{"comment": ["#a", "", "", "#b"], "otherwise": true, "target": "m", "trailing": "#\u0000\r"}]}"##,
        r##"{"context": {"a": {"type": "int", "comment": ["", "# first"]}, "b": {"type": "int", "trailing": "# b"}}}"##,
        r##"{"rules": [{"when": "a", "target": {"split": "u", "arms": [{"comment": "", "weight": 100, "target": "m", "trailing": "# x"}]}}]}"##,
        r##"{"rules": [{"when": "a", "target": "m", "opening": "# one line: no first line of several"}]}"##,
        r##"{"targets": {"t": {"to": {"split": "u", "arms": [{"weight": 100, "target": "m"}]}, "opening": "# o"}}}"##,
    ];
    for src in cases {
        for to in [Form::Route, Form::Json] {
            if let Err(e) = convert(src, FileId(0), Form::Json, to, &Limits::default()) {
                panic!("{src} to {to:?}: {e}");
            }
        }
    }
}

#[test]
fn a_header_comment_keeps_the_grouped_form() {
    let route = "# Routing for the chat app.\n\nversion \"1\"\n\nmodel mini = \"openai/gpt-4o-mini\"  # cheap\n\n\
                 rule default: otherwise -> mini\n";
    let json = convert(
        route,
        FileId(0),
        Form::Route,
        Form::Json,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(
        json,
        "{\n  \"comment\": [\n    \"# Routing for the chat app.\",\n    \"\"\n  ],\n  \"version\": \"1\",\n  \
         \"models\": {\n    \"mini\": {\n      \"id\": \"openai/gpt-4o-mini\",\n      \"trailing\": \"# cheap\"\n    }\n  },\n  \
         \"rules\": [\n    {\n      \"name\": \"default\",\n      \"otherwise\": true,\n      \"target\": \"mini\"\n    }\n  ]\n}\n"
    );
    assert_eq!(to_route(&json), route);
}
