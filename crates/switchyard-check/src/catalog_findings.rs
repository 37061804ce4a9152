//! What a catalog (OpenRouter's `GET /api/v1/models`) tells about the
//! models a ruleset names: ids it does not list (W104, with the closest
//! one); variants listed as models of their own that it lacks (W119,
//! `claude:free` when there is no free Claude); `max_tokens` above what a
//! model can produce (W120, with its limit). A routing variant (`:nitro`,
//! `:floor`, ...) counts as listed when its base model is.

use std::collections::HashSet;

use switchyard_catalog::{split_variant, Catalog};
use switchyard_syntax::{Diagnostic, ToDiagnostic};

use crate::error::CheckWarning;
use crate::ir::{Model, Options, Ruleset};

/// Variants OpenRouter lists as models of their own (`":free"` is another
/// endpoint set with other limits), unlike the routing shortcuts.
const LISTED_VARIANTS: &[&str] = &["free", "extended", "thinking", "beta"];

/// Every catalog finding of the ruleset, once per model id (W104, W119)
/// or per model and `max_tokens` (W120), at the first place met.
pub(crate) fn catalog_findings(ruleset: &Ruleset, catalog: &Catalog) -> Vec<Diagnostic> {
    let mut seen = HashSet::new();
    let mut over = HashSet::new();
    let mut out = Vec::new();
    let mut visit = |m: &Model, options: &Options| {
        if seen.insert(m.id.clone()) {
            if let Some(w) = unlisted(m, catalog) {
                out.push(w.to_diagnostic());
            }
        }
        let max_tokens = options.max_tokens.or(ruleset.defaults.max_tokens);
        let limit = catalog
            .model(&m.id)
            .and_then(|model| model.completion_cap(0));
        if let (Some(max_tokens), Some(limit)) = (max_tokens, limit) {
            if u64::from(max_tokens) > limit && over.insert((m.id.clone(), max_tokens)) {
                out.push(
                    CheckWarning::MaxTokensAboveLimit {
                        span: m.span,
                        model: m.id.clone(),
                        max_tokens,
                        limit,
                    }
                    .to_diagnostic(),
                );
            }
        }
    };
    for rule in &ruleset.rules {
        rule.target.for_each_model(&mut visit);
    }
    out
}

/// W104 for an id the catalog lacks, W119 for a listed variant it lacks.
fn unlisted(m: &Model, catalog: &Catalog) -> Option<CheckWarning> {
    let ids = || catalog.models().iter().map(|c| c.id.as_str());
    if !catalog.contains(&m.id) {
        return Some(CheckWarning::NotInCatalog {
            span: m.span,
            id: m.id.clone(),
            suggestion: switchyard_syntax::nearest(&m.id, ids()).map(String::from),
        });
    }
    let (base, variant) = split_variant(&m.id);
    let variant = variant.filter(|v| LISTED_VARIANTS.contains(v))?;
    if catalog.get(&m.id).is_some() {
        return None;
    }
    // Another model with this variant, if one is close; else the base.
    let suffix = format!(":{variant}");
    let with_variant = ids().filter(|id| id.ends_with(&suffix));
    let suggestion = switchyard_syntax::nearest(&m.id, with_variant)
        .or_else(|| catalog.get(base).map(|b| b.id.as_str()))
        .map(String::from);
    Some(CheckWarning::VariantNotInCatalog {
        span: m.span,
        id: m.id.clone(),
        suggestion,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use switchyard_syntax::{parse, Code, FileId, Limits, SourceMap};

    use crate::{check_with, CheckOptions};

    fn w104(src: &str) -> Vec<(String, u32, Option<String>)> {
        findings(src, Code::W104)
    }

    /// The diagnostics of one code, with a small catalog.
    fn findings(src: &str, code: Code) -> Vec<(String, u32, Option<String>)> {
        let catalog = switchyard_catalog::Catalog::from_json_str(
            r#"{"data": [{"id": "openai/gpt-4o-mini",
                          "top_provider": {"max_completion_tokens": 16384}, "context_length": 128000},
                         {"id": "anthropic/claude-3.5-sonnet"},
                         {"id": "google/gemma-2-9b-it", "context_length": 8192},
                         {"id": "google/gemma-2-9b-it:free", "context_length": 8192}],
                "providers": [{"slug": "amazon-bedrock", "name": "Amazon Bedrock"},
                              {"slug": "deepinfra", "name": "DeepInfra"}]}"#,
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
            .filter(|d| d.code == code)
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

    /// `:free` is a model of its own: a base model without one is W119,
    /// naming the closest free model or the base; routing variants are
    /// fine.
    #[test]
    fn listed_variants_must_be_in_the_catalog() {
        let found = findings(
            r#"model claude = "anthropic/claude-3.5-sonnet"
defaults max_tokens 10
rule a: when true -> claude:free fallback ["google/gemma-2-9b-it:free", "openai/gpt-4o-mini:nitro"]
rule b: otherwise -> "google/gemma-2-9b-i:free""#,
            Code::W119,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].0,
            "the catalog has no `anthropic/claude-3.5-sonnet:free`"
        );
        assert_eq!(found[0].1, 3);
        assert!(found[0]
            .2
            .as_deref()
            .unwrap()
            .contains("`anthropic/claude-3.5-sonnet`"));
        let typo = findings(
            r#"rule b: otherwise -> "google/gemma-2-9b-i:free" max_tokens 9"#,
            Code::W104,
        );
        assert!(
            typo[0]
                .2
                .as_deref()
                .unwrap()
                .contains("`google/gemma-2-9b-it:free`"),
            "{typo:?}"
        );
    }

    /// `max_tokens` (own or default) above the top provider's completion
    /// limit, or the context window, is W120 with the limit.
    #[test]
    fn max_tokens_above_a_models_limit() {
        let found = findings(
            r#"defaults max_tokens 20000
rule a: when true -> "openai/gpt-4o-mini" fallback ["google/gemma-2-9b-it"]
rule b: otherwise -> "openai/gpt-4o-mini" max_tokens 16384"#,
            Code::W120,
        );
        let messages: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`max_tokens 20000` is above `openai/gpt-4o-mini`'s limit of 16384 completion tokens",
                "`max_tokens 20000` is above `google/gemma-2-9b-it`'s limit of 8192 completion tokens",
            ]
        );
        assert!(found[0]
            .2
            .as_deref()
            .unwrap()
            .contains("`max_tokens 16384`"));
    }

    /// With the catalog's provider list, slugs of `order`, `only` and
    /// `ignore` are checked (display names and endpoints accepted), with
    /// the closest slug.
    #[test]
    fn provider_slugs_are_checked_against_the_catalog() {
        let found = findings(
            r#"defaults max_tokens 10
rule a: otherwise -> "openai/gpt-4o-mini" provider { order: ["amazon-bedrok", "deepinfra/turbo", "Amazon Bedrock"], ignore: ["Deepinfra"] }"#,
            Code::W118,
        );
        let got: Vec<(&str, Option<&str>)> = found
            .iter()
            .map(|f| (f.0.as_str(), f.2.as_deref()))
            .collect();
        assert_eq!(got.len(), 2, "{found:?}");
        assert!(got[0].0.contains("`amazon-bedrok` in `order`"), "{found:?}");
        assert!(got[0].1.unwrap().contains("`amazon-bedrock`"), "{found:?}");
        assert!(got[1].1.unwrap().contains("`deepinfra`"), "{found:?}");
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
