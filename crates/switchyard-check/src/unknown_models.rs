//! W104: model ids a catalog (OpenRouter's `GET /api/v1/models`) does not
//! list. A `:variant` id counts as listed when its base model is.

use std::collections::HashSet;

use switchyard_catalog::Catalog;
use switchyard_syntax::{Diagnostic, ToDiagnostic};

use crate::error::CheckWarning;
use crate::ir::{Model, Ruleset};

/// One W104 per model id the catalog lacks, at the first place it is named.
pub(crate) fn unknown_models(ruleset: &Ruleset, catalog: &Catalog) -> Vec<Diagnostic> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut visit = |m: &Model| {
        if seen.insert(m.id.clone()) && !catalog.contains(&m.id) {
            let suggestion =
                switchyard_syntax::nearest(&m.id, catalog.models().iter().map(|c| c.id.as_str()))
                    .map(String::from);
            out.push(
                CheckWarning::NotInCatalog {
                    span: m.span,
                    id: m.id.clone(),
                    suggestion,
                }
                .to_diagnostic(),
            );
        }
    };
    for rule in &ruleset.rules {
        rule.target.for_each_model(&mut visit);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use switchyard_syntax::{parse, Code, FileId, Limits, SourceMap};

    use crate::{check_with, CheckOptions};

    fn w104(src: &str) -> Vec<(String, u32, Option<String>)> {
        let catalog = switchyard_catalog::Catalog::from_json_str(
            r#"{"data": [{"id": "openai/gpt-4o-mini"}, {"id": "anthropic/claude-3.5-sonnet"}]}"#,
        )
        .unwrap();
        let mut sources = SourceMap::new();
        sources.add("t.route", src);
        let file = parse(src, FileId(0), &Limits::default()).unwrap();
        let options = CheckOptions {
            catalog: Some(Arc::new(catalog)),
            ..CheckOptions::default()
        };
        let checked = check_with(&[file], &options);
        assert!(checked.ruleset.is_some(), "{:?}", checked.diagnostics);
        checked
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::W104)
            .map(|d| {
                let (_, at, _) = sources.locate(d.span).unwrap();
                (d.message.clone(), at.line, d.help.clone())
            })
            .collect()
    }

    #[test]
    fn unknown_ids_are_reported_once_with_a_suggestion() {
        let found = w104(
            r#"model mini = "openai/gpt-4o-mni"
defaults max_tokens 10
rule a: when true -> mini fallback ["anthropic/claude-3.5-sonnet:floor"]
rule b: otherwise -> mini"#,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].0,
            "model `openai/gpt-4o-mni` is not in the catalog"
        );
        assert_eq!(found[0].1, 3);
        assert!(found[0]
            .2
            .as_deref()
            .unwrap()
            .contains("`openai/gpt-4o-mini`"));
    }

    #[test]
    fn listed_ids_and_their_variants_are_fine() {
        let found = w104(
            r#"defaults max_tokens 10
rule a: otherwise -> "openai/gpt-4o-mini:nitro" fallback ["anthropic/claude-3.5-sonnet"]"#,
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
