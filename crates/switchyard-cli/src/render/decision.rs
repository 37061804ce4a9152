//! Human text for `eval`: a decision (docs/reference/decisions.md) and the trace
//! of `--explain`.
//!
//! ```text
//! ✗ enterprise-eu: tier == "enterprise" was false (tier = "pro")
//!   --> examples/openrouter.route:50:26
//!    |
//! 50 | rule enterprise-eu: when tier == "enterprise" and region == "eu"
//!    |                          ^^^^^^^^^^^^^^^^^^^^ tier = "pro"
//! ✓ code: matched
//!
//! rule        code
//! model       anthropic/claude-3.5-sonnet
//! fallbacks   openai/gpt-4o
//! max_tokens  2048
//! provider    {"sort":"throughput"}
//! ruleset     2026-11-21.1 (hash 1b2c3d4e5f60)
//! ```

use serde_json::Value as Json;
use switchyard::render::human::excerpt;
use switchyard::SourceMap;
use switchyard::{FailedTest, RuleTrace};

/// Width of the label column of [`decision`].
const LABEL: usize = 12;

/// How many hex digits of the ruleset hash to show.
const HASH_DIGITS: usize = 12;

/// The keys of a decision (section 6), in the order they are shown.
const KEYS: [&str; 8] = [
    "rule",
    "variant",
    "model",
    "fallbacks",
    "max_tokens",
    "options",
    "tags",
    "ruleset",
];

/// A decision's JSON as `label  value` lines, in the order of section 6.
/// Keys the CLI does not know (later additions to the decision) follow, as
/// JSON.
pub fn decision(d: &Json) -> String {
    let Json::Object(map) = d else {
        return format!("{d}\n");
    };
    let mut out = String::new();
    let mut row = |label: &str, value: &str| {
        out.push_str(&format!("{label:<LABEL$}{value}\n"));
    };
    let known = KEYS
        .iter()
        .map(|k| (*k, map.get(*k).unwrap_or(&Json::Null)));
    let others = map
        .iter()
        .filter(|(k, _)| !KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v));
    for (key, value) in known.chain(others) {
        match (key, value) {
            // A decision without max_tokens has no cap: say so, as W106 does.
            ("max_tokens", Json::Null) => row(key, "(none)"),
            (_, Json::Null) => {}
            ("rule" | "variant" | "model", Json::String(s)) => row(key, s),
            ("fallbacks", Json::Array(models)) => {
                let models: Vec<String> = models.iter().map(plain).collect();
                if models.is_empty() {
                    row(key, "(none)");
                } else {
                    row(key, &models.join(", "));
                }
            }
            ("tags", Json::Array(tags)) => {
                if !tags.is_empty() {
                    let tags: Vec<String> = tags.iter().map(plain).collect();
                    row(key, &tags.join(", "));
                }
            }
            ("options", Json::Object(options)) => {
                for (name, value) in options {
                    row(name, &value.to_string());
                }
            }
            ("ruleset", Json::Object(info)) => {
                let version = info.get("version").and_then(Json::as_str);
                let hash = info.get("hash").and_then(Json::as_str).unwrap_or("");
                let short: String = hash.chars().take(HASH_DIGITS).collect();
                match version {
                    Some(v) => row(key, &format!("{v} (hash {short})")),
                    None => row(key, &format!("hash {short}")),
                }
            }
            _ => row(key, &plain(value)),
        }
    }
    out
}

/// A string without quotes; anything else as JSON.
fn plain(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One line per rule tried: `✓ NAME: matched`, or `✗ NAME: TEST was false
/// (VALUES)` followed by the test's source line with a caret under it.
pub fn explanation(sources: &SourceMap, rules: &[RuleTrace], color: bool) -> String {
    let mut out = String::new();
    for trace in rules {
        match &trace.failed {
            None if trace.matched => out.push_str(&format!("✓ {}: matched\n", trace.rule)),
            None => out.push_str(&format!("✗ {}: did not match\n", trace.rule)),
            Some(failed) => {
                out.push_str(&format!("✗ {}: {}\n", trace.rule, failed_line(failed)));
                for (i, failed) in std::iter::once(failed)
                    .chain(&trace.also_failed)
                    .enumerate()
                {
                    if i > 0 {
                        out.push_str(&format!("  and {}\n", failed_line(failed)));
                    }
                    let snippet = failed
                        .span
                        .and_then(|span| excerpt(sources, span, &failed.values.join(", "), color));
                    if let Some(snippet) = snippet {
                        out.push_str(&snippet);
                        out.push('\n');
                    }
                }
            }
        }
    }
    out
}

/// `tier == "free" was false (tier = "pro")`, `... in let `name``.
pub fn failed_line(failed: &FailedTest) -> String {
    let mut line = format!("{} was false", failed.test);
    if !failed.values.is_empty() {
        line.push_str(&format!(" ({})", failed.values.join(", ")));
    }
    if let Some(name) = &failed.via_let {
        line.push_str(&format!(" in let `{name}`"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decisions_read_as_a_table() {
        let d = json!({
            "rule": "code",
            "variant": null,
            "model": "anthropic/claude-3.5-sonnet",
            "fallbacks": ["openai/gpt-4o"],
            "max_tokens": 2048,
            "options": { "provider": { "sort": "throughput" } },
            "tags": ["x", "y"],
            "ruleset": { "version": "v1", "hash": "0123456789abcdef0123" },
        });
        let out = decision(&d);
        assert!(out.contains("rule        code\n"), "{out}");
        assert!(out.contains("fallbacks   openai/gpt-4o\n"), "{out}");
        assert!(out.contains("max_tokens  2048\n"), "{out}");
        assert!(
            out.contains("provider    {\"sort\":\"throughput\"}\n"),
            "{out}"
        );
        assert!(out.contains("tags        x, y\n"), "{out}");
        assert!(
            out.contains("ruleset     v1 (hash 0123456789ab)\n"),
            "{out}"
        );
        assert!(!out.contains("variant"), "{out}");
    }

    #[test]
    fn missing_cap_and_fallbacks_are_shown() {
        let d = json!({ "rule": "r", "model": "m", "fallbacks": [], "max_tokens": null });
        let out = decision(&d);
        assert!(out.contains("fallbacks   (none)\n"), "{out}");
        assert!(out.contains("max_tokens  (none)\n"), "{out}");
    }

    #[test]
    fn failed_tests_name_values_and_lets() {
        let f = FailedTest {
            test: "prompt matches /x/".into(),
            values: vec!["prompt = \"hi\"".into()],
            span: None,
            via_let: Some("has_x".into()),
        };
        assert_eq!(
            failed_line(&f),
            "prompt matches /x/ was false (prompt = \"hi\") in let `has_x`"
        );
    }
}
