//! The reserved words of the language.

/// Every reserved word, in the order of docs/reference/files.md ("reserved
/// rules": none of them can be a field, `let`, model, target, rule or test
/// name. The grammar's `keyword` rule lists the same words (a unit test
/// keeps the two in step).
pub const KEYWORDS: &[&str] = &[
    "context",
    "model",
    "target",
    "let",
    "defaults",
    "rule",
    "priority",
    "when",
    "otherwise",
    "test",
    "version",
    "timezone",
    "and",
    "or",
    "not",
    "in",
    "matches",
    "contains",
    "starts_with",
    "ends_with",
    "has",
    "words",
    "len",
    "hour",
    "weekday",
    "true",
    "false",
    "fallback",
    "split",
    "by",
    "cheapest",
    "require",
    "max_tokens",
    "provider",
    "transforms",
    "params",
    "tag",
];

#[cfg(test)]
mod tests {
    use super::KEYWORDS;
    use crate::{parse, FileId, Limits};

    fn parses(src: &str) -> bool {
        parse(src, FileId(0), &Limits::default()).is_ok()
    }

    /// The grammar refuses every listed word as a name, and accepts the
    /// same word with something after it.
    #[test]
    fn the_grammar_reserves_every_keyword() {
        for kw in KEYWORDS {
            assert!(!parses(&format!("model {kw} = \"x/y\"")), "model {kw}");
            assert!(!parses(&format!("let {kw} = true")), "let {kw}");
            assert!(parses(&format!("model {kw}_1 = \"x/y\"")), "model {kw}_1");
            assert!(parses(&format!("let {kw}_1 = true")), "let {kw}_1");
        }
    }

    /// The grammar's `keyword` rule lists exactly these words, so the
    /// grammar reserves no word the list leaves out.
    #[test]
    fn the_grammar_reserves_no_other_word() {
        let grammar = include_str!("../grammar/switchyard.pest");
        let rule = grammar
            .split_once("\nkeyword = @{")
            .and_then(|(_, rest)| rest.split_once('}'))
            .map(|(body, _)| body)
            .expect("a `keyword` rule in the grammar");
        // One group per line: `| 'c'..'c' ~ ("ontext" | "ontains")`, the
        // first letter as a range, then the rests of the words.
        let mut in_grammar: Vec<String> = Vec::new();
        for line in rule.lines() {
            let first = line.split('\'').nth(1);
            let rests = line.split('"').skip(1).step_by(2);
            if let Some(first) = first {
                in_grammar.extend(rests.map(|rest| format!("{first}{rest}")));
            }
        }
        let mut listed = KEYWORDS.to_vec();
        in_grammar.sort_unstable();
        listed.sort_unstable();
        assert_eq!(in_grammar, listed);
    }
}
