//! The ways a host makes a context: field handles, the by-name builder,
//! JSON bytes, a `serde_json::Value`, a bound request type; strict
//! contexts; and that every way gives the same decisions and errors.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use serde_json::json;
use switchyard_eval::{
    CompileError, CompiledTable, ContextError, Input, LoadOptions, Request, RequestFieldKind as K,
    RulesetError,
};
use switchyard_syntax::{Code, SourceMap};

const RULES: &str = r#"
context {
  tier: "free" | "pro" | "enterprise" = "free"
  tenant: string
  budget: float = 0.0
  tokens: int = 0
  tools: bool = false
  prompt: string = ""
}
model a = "openai/gpt-4o-mini"
model b = "anthropic/claude-3.5-sonnet"
defaults max_tokens 512
rule acme: when tenant == "acme" and tier != "free" -> b
rule cohort: when tenant in ["globex", "initech"] and budget < 1.0 -> a
rule others: when tenant not in ["acme", "globex"] and tokens >= 100 -> b
rule tools: when tools and prompt contains "def " -> b
rule default: otherwise -> a
"#;

fn table(options: &LoadOptions) -> Result<CompiledTable, RulesetError> {
    let mut sources = SourceMap::new();
    sources.add("r.route", RULES);
    CompiledTable::from_sources(sources, options).map(|(t, _)| t)
}

fn rule(t: &CompiledTable, ctx: &switchyard_eval::Context<'_>) -> String {
    t.decide(ctx)
        .unwrap()
        .map_or("<none>".into(), |d| d.rule().to_string())
}

#[test]
fn handles_set_values_without_names() {
    let t = table(&LoadOptions::new()).unwrap();
    let (tenant, tier, tokens) = (
        t.field("tenant").unwrap(),
        t.field("tier").unwrap(),
        t.field("tokens").unwrap(),
    );
    let name = String::from("acme");
    let mut ctx = t.new_context();
    ctx.set(tenant, name.as_str()).unwrap();
    assert_eq!(rule(&t, &ctx), "default", "tier defaults to free");
    ctx.set(tier, "pro").unwrap();
    assert_eq!(rule(&t, &ctx), "acme");
    // A tenant no rule names is still a value: `not in` holds for it.
    ctx.set(tenant, "hooli").unwrap().set(tokens, 100).unwrap();
    assert_eq!(rule(&t, &ctx), "others");
    ctx.clear(tenant);
    assert_eq!(rule(&t, &ctx), "default", "an unset tenant fails `not in`");
    ctx.reset();
    assert_eq!(rule(&t, &ctx), "default");

    // A wrong value keeps the earlier one.
    ctx.set(tier, "pro").unwrap();
    let e = ctx.set(tier, "gold").unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"field `tier`: expected one of "free" | "pro" | "enterprise", got "gold""#
    );
    let e = ctx.set(tokens, "many").unwrap_err();
    assert!(matches!(e, ContextError::WrongType { .. }), "{e}");

    let e = t.field("tokenz").unwrap_err();
    assert_eq!(
        e.to_string(),
        "field `tokenz` is not declared in the ruleset's context; did you mean `tokens`?"
    );
    // A handle from another table (say, before a reload) is refused.
    let other = table(&LoadOptions::new()).unwrap();
    let e = ctx.set(other.field("tier").unwrap(), "pro").unwrap_err();
    assert_eq!(e, ContextError::ForeignField);
}

#[test]
fn strict_contexts_refuse_undeclared_keys_everywhere() {
    let lax = table(&LoadOptions::new()).unwrap();
    let strict = table(&LoadOptions::new().with_strict_context(true)).unwrap();
    let body = br#"{"tenant": "acme", "tsk": "code"}"#;
    let mut unknown = Vec::new();
    let ctx = lax
        .context_from_slice_with(body, None, &mut |k| unknown.push(k.to_string()))
        .unwrap();
    assert_eq!(rule(&lax, &ctx), "default");
    assert_eq!(unknown, ["tsk"]);

    let want = "field `tsk` is not declared in the ruleset's context";
    let e = strict.context_from_slice(body).unwrap_err();
    assert!(e.to_string().starts_with(want), "{e}");
    let e = strict
        .context_from_json(&json!({"tenant": "acme", "tokenz": 1}))
        .unwrap_err();
    assert_eq!(
        e,
        ContextError::UnknownField {
            field: "tokenz".into(),
            nearest: Some("tokens".into())
        }
    );
    let e = strict.context().set("tennant", "acme").unwrap_err();
    assert!(e.to_string().contains("did you mean `tenant`?"), "{e}");
    let mut ctx = strict.new_context();
    assert!(ctx.set_by_name("zzz", 1).is_err());
    assert!(lax.new_context().set_by_name("zzz", 1).is_ok());
}

/// Bytes, a `Value` and the builder read the same values and report the
/// same errors.
#[test]
fn every_json_reader_agrees() {
    let t = table(&LoadOptions::new()).unwrap();
    let cases = [
        r#"{"tenant": "acme", "tier": "pro"}"#,
        r#"{"tenant": "glob\u0065x", "budget": 0.5}"#,
        r#"{"tenant": "initech", "budget": 0}"#,
        r#"{"tenant": "hooli", "tokens": 100.0}"#,
        r#"{"tenant": "hooli", "tokens": -0}"#,
        r#"{"tenant": "hooli", "tokens": 1e2}"#,
        r#"{"tenant": "hooli", "tokens": 9223372036854775808}"#,
        r#"{"tenant": "hooli", "tokens": -9223372036854775809}"#,
        r#"{"tenant": "hooli", "tokens": 18446744073709551615}"#,
        r#"{"tools": true, "prompt": "see: def\nf()"}"#,
        r#"{"tools": true, "prompt": "def f", "extra": {"deep": [1, [2, {"x": null}]]}}"#,
        r#"{"tier": null, "tenant": null}"#,
        r#"{"tier": ["pro"]}"#,
        r#"{"tier": {"pro": 1}}"#,
        r#"{"tier": "gold"}"#,
        r#"{"budget": "cheap"}"#,
        r#"[1, 2]"#,
        r#""tenant""#,
        r#"{"tenant": "acme""#,
        r#"{"tenant": "acme"} trailing"#,
    ];
    for text in cases {
        let from_bytes = t.context_from_slice(text.as_bytes()).map(|c| rule(&t, &c));
        let from_str = t.context_from_str(text).map(|c| rule(&t, &c));
        assert_eq!(from_bytes, from_str, "{text}");
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            let from_value = t.context_from_json(&value).map(|c| rule(&t, &c));
            match (&from_bytes, &from_value) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                (Err(a), Err(b)) => assert_eq!(
                    std::mem::discriminant(a),
                    std::mem::discriminant(b),
                    "{text}: {a} / {b}"
                ),
                _ => panic!("{text}: {from_bytes:?} vs {from_value:?}"),
            }
        } else {
            assert!(
                matches!(from_bytes, Err(ContextError::Json { .. })),
                "{text}"
            );
        }
    }
    let tokens = |text: &str| t.context_from_slice(text.as_bytes()).map(|_| ());
    assert!(matches!(
        tokens(r#"{"tokens": 9223372036854775808}"#),
        Err(ContextError::OutOfRange { .. })
    ));
    assert!(tokens(r#"{"tokens": -0}"#).is_ok());
    assert!(matches!(
        tokens(r#"{"tokens": 1.5}"#),
        Err(ContextError::WrongType { .. })
    ));
}

struct Chat {
    tenant: String,
    tier: &'static str,
    tokens: i64,
}

impl Request for Chat {
    const FIELDS: &'static [(&'static str, K)] =
        &[("tenant", K::Str), ("tier", K::Str), ("tokens", K::Int)];

    fn value(&self, i: usize) -> Option<Input<'_>> {
        Some(match i {
            0 => self.tenant.as_str().into(),
            1 => self.tier.into(),
            2 => self.tokens.into(),
            _ => return None,
        })
    }
}

struct Renamed;

impl Request for Renamed {
    const FIELDS: &'static [(&'static str, K)] = &[
        ("tenant_id", K::Str),
        ("tokens", K::Str),
        ("tools", K::Bool),
    ];

    fn value(&self, i: usize) -> Option<Input<'_>> {
        (i == 2).then_some(Input::Bool(true))
    }
}

#[test]
fn a_bound_request_type_is_checked_when_the_table_is_compiled() {
    let t = table(&LoadOptions::new().bind::<Chat>()).unwrap();
    let chat = Chat {
        tenant: "acme".into(),
        tier: "pro",
        tokens: 0,
    };
    assert_eq!(rule(&t, &t.context_of(&chat).unwrap()), "acme");
    let bad = Chat {
        tier: "gold",
        ..chat
    };
    assert!(matches!(
        t.context_of(&bad),
        Err(ContextError::NotInEnum { .. })
    ));

    let Err(RulesetError::Invalid { diagnostics, .. }) =
        table(&LoadOptions::new().bind::<Chat>().bind::<Renamed>())
    else {
        panic!("a request type that does not fit must fail the load");
    };
    let d = diagnostics.last().unwrap();
    assert_eq!(d.code, Code::E002);
    assert!(
        d.message
            .contains("`tenant_id` is not declared (did you mean `tenant`?)"),
        "{}",
        d.message
    );
    assert!(
        d.message
            .contains("`tokens` is int in the ruleset, the request gives a string"),
        "{}",
        d.message
    );

    // Not bound at compile time: bound (and checked) on use.
    let t = table(&LoadOptions::new()).unwrap();
    let e = t.context_of(&Renamed).unwrap_err();
    assert!(matches!(e, ContextError::Binding(_)), "{e}");
    let e = CompileError::from(match e {
        ContextError::Binding(b) => b,
        other => panic!("{other}"),
    });
    assert!(
        e.to_string()
            .starts_with("request type `contexts::Renamed`"),
        "{e}"
    );
}

/// A schema with more fields than a context keeps inline, and more strings
/// than it keeps the texts of: the fields past them are set, defaulted,
/// read from JSON and copied like the others.
#[test]
fn fields_past_the_inline_ones_work_every_way() {
    let n = switchyard_eval::Context::INLINE_FIELDS + 4;
    // Strings at even positions: more of them inline than a context keeps
    // the texts of.
    let fields: String = (0..n)
        .map(|i| match i % 4 {
            0 | 2 => format!("  f{i}: string = \"d{i}\"\n"),
            1 => format!("  f{i}: int = {i}\n"),
            _ => format!("  f{i}: bool\n"),
        })
        .collect();
    let (last_str, last_int) = ((n - 1) / 2 * 2, (n - 2) / 4 * 4 + 1);
    let spilled = 2 * switchyard_eval::Context::INLINE_STRINGS;
    assert!(spilled < switchyard_eval::Context::INLINE_FIELDS);
    let src = format!(
        "context {{\n{fields}}}\n\
         rule spilled: when f{spilled} == \"s\" and f0 == \"d0\" -> \"openai/gpt-4o\" max_tokens 10\n\
         rule text: when f{last_str} == \"a\\\"b\" -> \"openai/gpt-4o\" max_tokens 10\n\
         rule int: when f{last_int} > 100 -> \"openai/gpt-4o\" max_tokens 10\n\
         rule dflt: when f{last_str} == \"d{last_str}\" and f{last_int} == {last_int} -> \"openai/gpt-4o\" max_tokens 10\n\
         rule default: otherwise -> \"openai/gpt-4o-mini\" max_tokens 10\n"
    );
    let (t, _) = CompiledTable::from_source(&src).unwrap();
    assert_eq!(rule(&t, &t.new_context()), "dflt");
    let (s, i) = (
        t.field(&format!("f{last_str}")).unwrap(),
        t.field(&format!("f{last_int}")).unwrap(),
    );
    let mut ctx = t.new_context();
    ctx.set(i, 101).unwrap();
    assert_eq!(rule(&t, &ctx), "int");
    ctx.set(s, "a\"b").unwrap();
    assert_eq!(rule(&t, &ctx), "text");
    ctx.clear(s).clear(i);
    assert_eq!(rule(&t, &ctx), "dflt");
    let built = t
        .context()
        .set(&format!("f{last_str}"), "a\"b")
        .unwrap()
        .build();
    assert_eq!(rule(&t, &built), "text");
    let body = format!(r#"{{"f{last_str}": "a\"b", "f{last_int}": 7}}"#);
    for ctx in [
        t.context_from_slice(body.as_bytes()).unwrap(),
        t.context_from_str(&body).unwrap(),
    ] {
        assert_eq!(rule(&t, &ctx), "text", "{ctx:?}");
    }
    let debug = format!("{:?}", t.context_from_str(&body).unwrap());
    assert!(debug.contains(r#"a\"b"#), "{debug}");
    // The string past the kept texts, every way in.
    let spilled_field = t.field(&format!("f{spilled}")).unwrap();
    let mut ctx = t.new_context();
    ctx.set(spilled_field, "s").unwrap();
    assert_eq!(rule(&t, &ctx), "spilled");
    let body = format!(r#"{{"f{spilled}": "s", "f2": "x"}}"#);
    let from_json = t.context_from_str(&body).unwrap();
    assert_eq!(rule(&t, &from_json), "spilled");
    let built = t
        .context()
        .set(&format!("f{spilled}"), "s")
        .unwrap()
        .build();
    assert_eq!(rule(&t, &built), "spilled");
    let debug = format!("{from_json:?}");
    assert!(debug.contains(r#""f2": Str("x""#), "{debug}");
    assert!(
        debug.contains(&format!(r#""f{spilled}": Str("s""#)),
        "{debug}"
    );
}
