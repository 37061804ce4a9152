//! [`CheckWarning`]: the warnings (and notes) the checker finds, and how
//! they become [`Diagnostic`]s.

use switchyard_syntax::{Code, Diagnostic, Span, ToDiagnostic};

use super::{list_names, NameKind};

/// Something OpenRouter has deprecated (W107).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Deprecation {
    /// The `transforms` option.
    Transforms,
    /// `params { route: ... }`.
    RouteParam,
    /// `params { usage: ... }`.
    UsageParam,
    /// The `:online` variant.
    OnlineVariant,
}

/// A warning found by the checker (never stops the ruleset from loading).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckWarning {
    /// W103: a model appears twice in one chain (after alias resolution).
    #[error("model `{id}` repeats in this chain")]
    RepeatedModel {
        /// The repeat.
        span: Span,
        /// The resolved id.
        id: String,
        /// The first occurrence.
        first: Span,
    },
    /// W105: a field, let, model or target nobody uses.
    #[error("{kind} `{name}` is declared but never used")]
    Unused {
        /// The name in the declaration.
        span: Span,
        /// What it is.
        kind: NameKind,
        /// Its name.
        name: String,
    },
    /// W106: a rule (or an arm of it) with no `max_tokens` and no default.
    #[error("{}rule `{rule}` has no `max_tokens`: its cost is unbounded",
        arm.as_ref().map(|a| format!("arm `{a}` of ")).unwrap_or_default())]
    NoMaxTokens {
        /// The target.
        span: Span,
        /// The rule.
        rule: String,
        /// The arm, for a split.
        arm: Option<String>,
    },
    /// W107: something OpenRouter has deprecated.
    #[error("{}", match what {
        Deprecation::Transforms => "`transforms` is deprecated by OpenRouter",
        Deprecation::RouteParam => "the `route` parameter is deprecated by OpenRouter",
        Deprecation::UsageParam => "the `usage` parameter is deprecated by OpenRouter and has no effect",
        Deprecation::OnlineVariant => "the `:online` variant is deprecated by OpenRouter",
    })]
    Deprecated {
        /// The deprecated thing.
        span: Span,
        /// What it is.
        what: Deprecation,
    },
    /// W104: a model id the catalog does not list.
    #[error("model `{id}` is not in the catalog")]
    NotInCatalog {
        /// The first place the model is named.
        span: Span,
        /// The id.
        id: String,
        /// The closest id the catalog lists.
        suggestion: Option<String>,
    },
    /// W101: a rule whose condition earlier rules cover.
    #[error("rule `{rule}` can never be chosen: earlier {} {} cover{} its condition",
        if covered_by.len() == 1 { "rule" } else { "rules" },
        list_names(covered_by),
        if covered_by.len() == 1 { "s" } else { "" })]
    Unreachable {
        /// The rule's name.
        span: Span,
        /// The rule.
        rule: String,
        /// The earlier rules that cover it.
        covered_by: Vec<String>,
        /// What decides that they come first.
        order: RuleOrder,
        /// The rule is `otherwise`: perhaps a deliberate, defensive
        /// catch-all, which the help says how to keep.
        catch_all: bool,
    },
    /// W102: a rule's (or a let's) condition that no context satisfies.
    #[error("the condition of {kind} `{name}` can never be true")]
    Impossible {
        /// The rule's or let's name.
        span: Span,
        /// `rule` or `let`.
        kind: NameKind,
        /// Its name.
        name: String,
    },
    /// N201 (a note): the condition analysis skipped a rule, or stopped.
    #[error("{}", skipped_message(rule.as_deref(), *reason))]
    AnalysisSkipped {
        /// The rule's name (the last rule when the analysis stopped before
        /// the rules).
        span: Span,
        /// The rule; `None` when the analysis stopped before the rules.
        rule: Option<String>,
        /// Why.
        reason: SkipReason,
    },
    /// W109: the analysis found no context that matches no rule, but could
    /// not prove that every context matches one.
    #[error("{}", not_proved_message(rules, *reason))]
    CoverageNotProved {
        /// The last rule's name (where a catch-all would go).
        span: Span,
        /// The rules the reason names.
        rules: Vec<String>,
        /// Why.
        reason: NotProvedReason,
    },
    /// W115: a split by a bool or enum field: each value always takes the
    /// same arm, whatever the weights.
    #[error("split key `{key}` has only {values} values ({ty}): each value always takes the same arm, so the weights are not honoured")]
    SplitFewValues {
        /// The key.
        span: Span,
        /// The key's name.
        key: String,
        /// How many values its type has.
        values: usize,
        /// The type in words.
        ty: &'static str,
        /// How many arms the split has.
        arms: usize,
    },
    /// W116: an arm of weight 0%.
    #[error("arm `{arm}` has weight 0%: it is never chosen")]
    ZeroWeightArm {
        /// The weight.
        span: Span,
        /// The arm's name.
        arm: String,
    },
    /// W117: a `params` key that is none of OpenRouter's request
    /// parameters.
    #[error("`{key}` is not an OpenRouter request parameter")]
    UnknownParam {
        /// The key.
        span: Span,
        /// The key.
        key: String,
        /// The nearest parameter.
        suggestion: Option<String>,
    },
    /// W118: a provider slug the catalog's provider list lacks.
    #[error("provider `{slug}` in `{key}` is not in the catalog's providers")]
    UnknownProviderSlug {
        /// The slug.
        span: Span,
        /// The slug as written.
        slug: String,
        /// `order`, `only` or `ignore`.
        key: String,
        /// The closest listed slug.
        suggestion: Option<String>,
    },
    /// W119: a `:variant` the catalog has no model for (`:free`, ...).
    #[error("the catalog has no `{id}`")]
    VariantNotInCatalog {
        /// The model reference.
        span: Span,
        /// The id with its variant.
        id: String,
        /// The closest id the catalog lists (the base model, else a near id).
        suggestion: Option<String>,
    },
    /// W120: `max_tokens` above what a model can produce.
    #[error("`max_tokens {max_tokens}` is above `{model}`'s limit of {limit} completion tokens")]
    MaxTokensAboveLimit {
        /// The `max_tokens` option (or the model, for a default).
        span: Span,
        /// The model id.
        model: String,
        /// The `max_tokens` in force.
        max_tokens: u32,
        /// The model's limit.
        limit: u64,
    },
    /// W110: a `# switchyard: allow(..)` comment that allowed nothing.
    #[error("`{code}` is allowed here, but {} no `{code}`", if *file_wide { "the file has" } else { "the statement has" })]
    UnusedAllow {
        /// The comment.
        span: Span,
        /// The code it allows.
        code: Code,
        /// An `allow-file` comment.
        file_wide: bool,
    },
    /// W111: a `# switchyard:` comment that cannot be applied.
    #[error("{problem}")]
    BadDirective {
        /// The comment.
        span: Span,
        /// What is wrong with it.
        problem: DirectiveProblem,
    },
    /// W108: a chain of more than 3 models.
    #[error("a chain of {count} models: OpenRouter has been seen to reject more than 3")]
    LongChain {
        /// The fallback (or candidate) list.
        span: Span,
        /// Models in the chain.
        count: usize,
    },
}

impl CheckWarning {
    /// The primary span.
    pub fn span(&self) -> Span {
        match self {
            CheckWarning::RepeatedModel { span, .. }
            | CheckWarning::Unused { span, .. }
            | CheckWarning::NoMaxTokens { span, .. }
            | CheckWarning::Deprecated { span, .. }
            | CheckWarning::LongChain { span, .. }
            | CheckWarning::Unreachable { span, .. }
            | CheckWarning::Impossible { span, .. }
            | CheckWarning::NotInCatalog { span, .. }
            | CheckWarning::AnalysisSkipped { span, .. }
            | CheckWarning::SplitFewValues { span, .. }
            | CheckWarning::ZeroWeightArm { span, .. }
            | CheckWarning::UnknownParam { span, .. }
            | CheckWarning::VariantNotInCatalog { span, .. }
            | CheckWarning::UnknownProviderSlug { span, .. }
            | CheckWarning::MaxTokensAboveLimit { span, .. }
            | CheckWarning::CoverageNotProved { span, .. }
            | CheckWarning::UnusedAllow { span, .. }
            | CheckWarning::BadDirective { span, .. } => *span,
        }
    }

    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            CheckWarning::RepeatedModel { .. } => Code::W103,
            CheckWarning::Unused { .. } => Code::W105,
            CheckWarning::NoMaxTokens { .. } => Code::W106,
            CheckWarning::Deprecated { .. } => Code::W107,
            CheckWarning::LongChain { .. } => Code::W108,
            CheckWarning::Unreachable { .. } => Code::W101,
            CheckWarning::Impossible { .. } => Code::W102,
            CheckWarning::NotInCatalog { .. } => Code::W104,
            CheckWarning::AnalysisSkipped { .. } => Code::N201,
            CheckWarning::CoverageNotProved { .. } => Code::W109,
            CheckWarning::SplitFewValues { .. } => Code::W115,
            CheckWarning::ZeroWeightArm { .. } => Code::W116,
            CheckWarning::UnknownParam { .. } => Code::W117,
            CheckWarning::VariantNotInCatalog { .. } => Code::W119,
            CheckWarning::UnknownProviderSlug { .. } => Code::W118,
            CheckWarning::MaxTokensAboveLimit { .. } => Code::W120,
            CheckWarning::UnusedAllow { .. } => Code::W110,
            CheckWarning::BadDirective { .. } => Code::W111,
        }
    }

    /// The help line.
    pub fn help(&self) -> String {
        match self {
            CheckWarning::RepeatedModel { .. } => "remove the repeat: it is tried once anyway".into(),
            CheckWarning::NotInCatalog { suggestion, .. } => match suggestion {
                Some(s) => format!("did you mean `{s}`? (OpenRouter would answer 400 `model_not_found`)"),
                None => "check the id against OpenRouter's models list; OpenRouter would answer 400 `model_not_found`".into(),
            },
            CheckWarning::Unused { kind, .. } => format!("remove the {kind}, or use it"),
            CheckWarning::NoMaxTokens { .. } => {
                "add `max_tokens N` to the target, or `defaults max_tokens N`".into()
            }
            CheckWarning::Deprecated { what, .. } => match what {
                Deprecation::Transforms => {
                    "use `params { plugins: [{ id: \"context-compression\" }] }` instead".into()
                }
                Deprecation::RouteParam => {
                    "list fallbacks with `fallback [...]` (the `models` field) or set `provider { sort: ... }`"
                        .into()
                }
                Deprecation::UsageParam => "remove it: usage is always included now".into(),
                Deprecation::OnlineVariant => {
                    "use the `web` plugin: `params { plugins: [{ id: \"web\" }] }`".into()
                }
            },
            CheckWarning::LongChain { .. } => "keep the model and at most 2 fallbacks".into(),
            CheckWarning::SplitFewValues { key, values, arms, .. } => {
                let lost = if arms > values {
                    format!(" ({} of the {arms} arms can never be chosen)", arms - values)
                } else {
                    String::new()
                };
                format!(
                    "split by a field with many values, such as a user or session id; to route by \
                     `{key}`, write a rule per value{lost}"
                )
            }
            CheckWarning::ZeroWeightArm { .. } => "remove the arm, or give it a weight".into(),
            CheckWarning::UnknownParam { suggestion, .. } => match suggestion {
                Some(s) => format!("did you mean `{s}`? (OpenRouter passes unknown parameters on; providers ignore them)"),
                None => "see OpenRouter's request parameters; providers ignore unknown ones".into(),
            },
            CheckWarning::UnknownProviderSlug { suggestion, .. } => match suggestion {
                Some(s) => format!("did you mean `{s}`? OpenRouter skips a provider it does not know"),
                None => "use a slug of `GET /api/v1/providers`, e.g. `\"anthropic\"`".into(),
            },
            CheckWarning::VariantNotInCatalog { suggestion, .. } => match suggestion {
                Some(s) => format!("did you mean `{s}`? OpenRouter would answer 400 `model_not_found`"),
                None => "OpenRouter would answer 400 `model_not_found`".into(),
            },
            CheckWarning::MaxTokensAboveLimit { limit, .. } => format!(
                "write `max_tokens {limit}` or less: OpenRouter only routes to endpoints that can produce that many tokens"
            ),
            CheckWarning::Unreachable {
                catch_all: true, ..
            } => "every context reaches an earlier rule; if this catch-all is there on \
                  purpose, keep it and say so with `# switchyard: allow(W101)`"
                .into(),
            CheckWarning::Unreachable {
                covered_by, order, ..
            } => match (covered_by.first(), order) {
                (None, _) => "remove it".into(),
                (Some(first), RuleOrder::SameFile) => format!(
                    "every context it matches is taken earlier; remove it, or move it above `{first}`"
                ),
                (Some(first), RuleOrder::FileNames) => format!(
                    "every context it matches is taken earlier: the files of a folder are read \
                     in name order, and `{first}` is in a file that sorts first; remove this \
                     rule, or rename the files so that this one sorts before (e.g. \
                     `10-pro.route`, `90-default.route`)"
                ),
                (Some(first), RuleOrder::Priority) => format!(
                    "every context it matches is taken earlier; remove it, or give it a lower \
                     `priority` than `{first}`"
                ),
            },
            CheckWarning::Impossible { .. } => {
                "no context satisfies it: look for tests that contradict each other, \
                 e.g. `budget < 1 and budget > 2`"
                    .into()
            }
            CheckWarning::CoverageNotProved { .. } => {
                "add a catch-all rule at the end (`rule default: otherwise -> MODEL`) so that \
                 every request gets a model"
                    .into()
            }
            CheckWarning::UnusedAllow { .. } => {
                "remove the comment: what it allowed is gone (or it sits above the wrong statement)"
                    .into()
            }
            CheckWarning::BadDirective { problem, .. } => problem.help(),
            CheckWarning::AnalysisSkipped { reason, .. } => match reason {
                SkipReason::Stopped => {
                    "W101, W102 and E008 are not reported for this rule and the ones after it".into()
                }
                _ => "W101 and W102 are not reported for this rule; simplify its condition or \
                      split the rule"
                    .into(),
            },
        }
    }
}

/// What is wrong with a `# switchyard:` comment (W111).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DirectiveProblem {
    /// Not `allow(..)` or `allow-file(..)`.
    #[error("unknown `switchyard:` comment `{text}`")]
    Syntax {
        /// The comment after `switchyard:`.
        text: String,
    },
    /// A code that does not exist.
    #[error("`{code}` is not a diagnostic code")]
    UnknownCode {
        /// As written.
        code: String,
        /// The nearest code.
        suggestion: Option<Code>,
    },
    /// An error's code: errors cannot be allowed.
    #[error("`{0}` is an error, and errors cannot be allowed")]
    NotAWarning(Code),
}

impl DirectiveProblem {
    fn help(&self) -> String {
        match self {
            DirectiveProblem::Syntax { .. } => "write `# switchyard: allow(W105)` (the next \
                statement) or `# switchyard: allow-file(W105)` (the whole file); several codes \
                are separated by commas"
                .into(),
            DirectiveProblem::UnknownCode { suggestion, .. } => match suggestion {
                Some(c) => format!("did you mean `{c}`?"),
                None => "codes are written like `W105`; docs/diagnostics/ lists them".into(),
            },
            DirectiveProblem::NotAWarning(_) => {
                "fix the error; only warnings (W...) and notes (N...) can be allowed".into()
            }
        }
    }
}

/// What puts the covering rules of a W101 before the rule they cover: it
/// decides which fix the help line offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuleOrder {
    /// They come earlier in the same file.
    SameFile,
    /// One of them is in another file of the folder, read before this
    /// one (files are read in name order).
    FileNames,
    /// Every rule has a `priority`, and theirs are lower or equal.
    Priority,
}

/// Why the condition analysis skipped a rule (N201).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// The condition has more terms in disjunctive normal form than this.
    TooManyTerms {
        /// The bound.
        limit: usize,
    },
    /// The work allowed for one rule ran out.
    Work,
    /// The work allowed for the whole ruleset ran out at this rule.
    Stopped,
    /// Lets nested too deeply to analyse.
    Nesting,
}

/// Why coverage was not proved (W109).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotProvedReason {
    /// The analysis could not decide the named rules' tests.
    Undecided,
    /// The analysis skipped the named rules (N201).
    Skipped,
    /// The search reached its work limit.
    Work,
}

/// The message of W109.
fn not_proved_message(rules: &[String], reason: NotProvedReason) -> String {
    let which = |one: &str, many: &str| {
        if rules.len() == 1 {
            format!("{one} {}", list_names(rules))
        } else {
            format!("{many} {}", list_names(rules))
        }
    };
    let why = match reason {
        NotProvedReason::Undecided => format!(
            "the analysis could not decide the tests of {}",
            which("rule", "rules")
        ),
        NotProvedReason::Skipped => format!("the analysis skipped {}", which("rule", "rules")),
        NotProvedReason::Work if rules.is_empty() => "the analysis reached its work limit".into(),
        NotProvedReason::Work => format!(
            "the analysis reached its work limit with the tests of {} undecided",
            which("rule", "rules")
        ),
    };
    format!("coverage not proved: some context may match no rule ({why})")
}

/// The message of N201.
fn skipped_message(rule: Option<&str>, reason: SkipReason) -> String {
    let Some(rule) = rule else {
        return "the analysis stopped before the rules: it reached its work limit".into();
    };
    match reason {
        SkipReason::TooManyTerms { limit } => format!(
            "rule `{rule}` was not analysed: its condition has more than {limit} cases \
             in disjunctive normal form"
        ),
        SkipReason::Work => {
            format!("rule `{rule}` was not analysed: the analysis reached its work limit")
        }
        SkipReason::Stopped => format!(
            "the analysis stopped at rule `{rule}`: it reached its work limit for the ruleset"
        ),
        SkipReason::Nesting => format!("rule `{rule}` was not analysed: its lets nest too deeply"),
    }
}

impl ToDiagnostic for CheckWarning {
    fn to_diagnostic(&self) -> Diagnostic {
        let d = Diagnostic::new(self.code(), self.to_string(), self.span()).with_help(self.help());
        match self {
            CheckWarning::RepeatedModel { first, .. } => d.with_label(*first, "first here"),
            _ => d,
        }
    }
}
