//! The findings as diagnostics.

use serde_json::Value as Json;
use switchyard_syntax::{Diagnostic, Span, ToDiagnostic};

use crate::error::{CheckError, CheckWarning, NameKind, NotProvedReason, RuleOrder};
use crate::ir::Ruleset;

use super::{Analysis, Finding, NotProved};

/// The findings as diagnostics. E008 points at the last rule (where a
/// catch-all would go), or at the start of the first file when there is no
/// rule; the others at the rule's (or let's) name.
pub fn diagnostics(rs: &Ruleset, analysis: &Analysis) -> Vec<Diagnostic> {
    let name = |r: usize| rs.rules.get(r).map(|r| r.name.clone()).unwrap_or_default();
    let at = |r: usize| rs.rules.get(r).map(|r| r.name_span).unwrap_or_default();
    let last = rs.rules.last().map_or_else(Span::default, |r| r.name_span);
    analysis
        .findings
        .iter()
        .filter_map(|f| {
            Some(match f {
                Finding::Unreachable { rule, covered_by } => CheckWarning::Unreachable {
                    span: at(*rule),
                    rule: name(*rule),
                    covered_by: covered_by.iter().map(|r| name(*r)).collect(),
                    order: order(rs, *rule, covered_by),
                    catch_all: rs.rules.get(*rule).is_some_and(|r| r.otherwise),
                }
                .to_diagnostic(),
                Finding::Impossible { rule } => CheckWarning::Impossible {
                    span: at(*rule),
                    kind: NameKind::Rule,
                    name: name(*rule),
                }
                .to_diagnostic(),
                Finding::ImpossibleLet { id } => {
                    let l = rs.let_(*id)?;
                    CheckWarning::Impossible {
                        span: l.name_span,
                        kind: NameKind::Let,
                        name: l.name.clone(),
                    }
                    .to_diagnostic()
                }
                Finding::NoMatch { witness } => CheckError::NoMatch {
                    span: last,
                    context: Json::Object(witness.context.clone()).to_string(),
                    time: witness.time.map(|(h, d)| {
                        let day = crate::ir::WEEKDAYS
                            .get(usize::from(d))
                            .copied()
                            .unwrap_or("mon");
                        format!("hour {h}, weekday \"{day}\"")
                    }),
                    fallible: witness.fallible.iter().map(|r| name(*r)).collect(),
                }
                .to_diagnostic(),
                Finding::CoverageNotProved { reason } => {
                    let (rules, reason) = match reason {
                        NotProved::Undecided { rules } => (rules, NotProvedReason::Undecided),
                        NotProved::Skipped { rules } => (rules, NotProvedReason::Skipped),
                        NotProved::Work { rules } => (rules, NotProvedReason::Work),
                    };
                    CheckWarning::CoverageNotProved {
                        span: last,
                        rules: rules.iter().map(|r| name(*r)).collect(),
                        reason,
                    }
                    .to_diagnostic()
                }
                Finding::Skipped { rule, reason } => CheckWarning::AnalysisSkipped {
                    span: rule.map_or(last, at),
                    rule: rule.map(name),
                    reason: *reason,
                }
                .to_diagnostic(),
            })
        })
        .collect()
}

/// What puts the rules `by` before rule `r`: priorities, or file order when
/// one of them is in another file, or their place in the same file.
fn order(rs: &Ruleset, r: usize, by: &[usize]) -> RuleOrder {
    let file = |r: usize| rs.rules.get(r).map(|r| r.span.file);
    if rs.rules.get(r).is_some_and(|r| r.priority.is_some()) {
        RuleOrder::Priority
    } else if by.iter().any(|&b| file(b) != file(r)) {
        RuleOrder::FileNames
    } else {
        RuleOrder::SameFile
    }
}
