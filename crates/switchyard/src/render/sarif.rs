//! SARIF 2.1.0 (OASIS), for GitHub code scanning and other SARIF viewers.
//!
//! One run; `tool.driver.rules[]` lists every diagnostic code
//! (`Code::ALL`), and each result points at its rule by `ruleId` and
//! `ruleIndex`. Columns count Unicode characters, which the run declares with
//! `columnKind: "unicodeCodePoints"`. Secondary labels become
//! `relatedLocations`; the help, when there is one, follows the message.

use serde_json::{json, Value};
use switchyard_syntax::{Code, Severity};

use super::{locate, message_with_help, Item, Location};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Renders the SARIF log, pretty-printed, with a final line break.
pub fn render(items: &[Item<'_>]) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|code| {
            json!({
                "id": code.as_str(),
                "shortDescription": { "text": code.title() },
                "defaultConfiguration": { "level": level(code.severity()) },
            })
        })
        .collect();

    let results: Vec<Value> = items.iter().map(result).collect();

    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "switchyard",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    // Serialising a `Value` cannot fail; fall back to a bare log rather
    // than panic should it ever.
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_owned());
    out.push('\n');
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn result(item: &Item<'_>) -> Value {
    let d = item.diagnostic;
    let mut result = json!({
        "ruleId": d.code.as_str(),
        "level": level(d.severity()),
        "message": { "text": message_with_help(d) },
        "locations": [physical_location(locate(item.sources, d.span), None)],
    });
    if let Some(index) = Code::ALL.iter().position(|c| *c == d.code) {
        result["ruleIndex"] = json!(index);
    }
    if !d.labels.is_empty() {
        let related: Vec<Value> = d
            .labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let mut location =
                    physical_location(locate(item.sources, label.span), Some(&label.message));
                location["id"] = json!(i);
                location
            })
            .collect();
        result["relatedLocations"] = Value::Array(related);
    }
    result
}

fn physical_location(at: Location<'_>, message: Option<&str>) -> Value {
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(at.file) },
            "region": {
                "startLine": at.start.line,
                "startColumn": at.start.column,
                "endLine": at.end.line,
                "endColumn": at.end.column,
            }
        }
    });
    if let Some(message) = message {
        location["message"] = json!({ "text": message });
    }
    location
}

/// A file name as a URI reference: forward slashes, and the few characters
/// that cannot appear in one percent-encoded.
fn uri(file: &str) -> String {
    let mut out = String::with_capacity(file.len());
    for c in file.chars() {
        match c {
            '\\' => out.push('/'),
            '%' => out.push_str("%25"),
            ' ' => out.push_str("%20"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{items, testing};

    fn log() -> Value {
        let (map, id) = testing::sources();
        let ds = testing::diagnostics(id);
        serde_json::from_str(&render(&items(&map, &ds))).expect("valid JSON")
    }

    #[test]
    fn has_the_sarif_shape() {
        let log = log();
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(log["$schema"], SCHEMA);
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "switchyard");
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        assert_eq!(rules.len(), Code::ALL.len());
        assert_eq!(rules[0]["id"], "E001");
        assert_eq!(rules[0]["shortDescription"]["text"], Code::E001.title());
        assert_eq!(rules[0]["defaultConfiguration"]["level"], "error");
    }

    #[test]
    fn results_point_at_rules_and_regions() {
        let log = log();
        let run = &log["runs"][0];
        let results = run["results"].as_array().expect("results");
        assert_eq!(results.len(), 2);
        let first = &results[0];
        assert_eq!(first["ruleId"], "E004");
        assert_eq!(first["level"], "error");
        let index = first["ruleIndex"].as_u64().expect("index") as usize;
        assert_eq!(run["tool"]["driver"]["rules"][index]["id"], "E004");
        assert!(first["message"]["text"]
            .as_str()
            .expect("text")
            .ends_with("help: did you mean `\"pro\"`?"));
        let physical = &first["locations"][0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], "rules/main.route");
        assert_eq!(physical["region"]["startLine"], 2);
        assert_eq!(physical["region"]["startColumn"], 20);
        assert_eq!(physical["region"]["endLine"], 2);
        assert_eq!(physical["region"]["endColumn"], 32);
        let related = &first["relatedLocations"][0];
        assert_eq!(related["message"]["text"], "`tier` is declared here");
        assert_eq!(related["physicalLocation"]["region"]["startLine"], 1);
        assert_eq!(results[1]["level"], "warning");
        assert!(results[1].get("relatedLocations").is_none());
    }

    #[test]
    fn uris_use_forward_slashes() {
        assert_eq!(uri("rules\\my rules.route"), "rules/my%20rules.route");
    }
}
