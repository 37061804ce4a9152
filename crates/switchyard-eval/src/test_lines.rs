//! Running a ruleset's `test` lines (`test NAME: { ... } -> RULE [arm NAME]
//! [model "id"] [fallback ["id", ...]]`).

use serde::Serialize;
use switchyard_check::ir::{Test, Type, Value, WEEKDAYS};
use switchyard_syntax::Span;

use crate::context::Input;
use crate::CompiledTable;

/// The outcome of one `test` line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TestOutcome {
    /// The test's name.
    pub name: String,
    /// Where the test is written.
    #[serde(skip)]
    pub span: Span,
    /// The rule it expects.
    pub expected_rule: String,
    /// The split arm it expects, if it names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_arm: Option<String>,
    /// The model it expects, if it names one.
    pub expected_model: Option<String>,
    /// The fallbacks it expects, if it names them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_fallbacks: Option<Vec<String>>,
    /// The rule chosen, or `None` when no rule matched.
    pub got_rule: Option<String>,
    /// The split arm chosen, for a split rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub got_arm: Option<String>,
    /// The model chosen.
    pub got_model: Option<String>,
    /// The fallbacks chosen.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub got_fallbacks: Vec<String>,
    /// Whether the expectation held.
    pub passed: bool,
    /// Why the test could not run (a context value the schema rejects).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CompiledTable {
    /// Runs every `test` line, deciding at `unix_seconds` (default now; a
    /// fixed time makes tests on `hour`/`weekday` reproducible).
    ///
    /// ```
    /// # let (table, _) = switchyard_eval::CompiledTable::from_source(r#"
    /// # context { tier: "free" | "pro" = "free" }
    /// # defaults max_tokens 100
    /// # rule pro: when tier == "pro" -> "anthropic/claude-3.5-sonnet"
    /// # rule default: otherwise -> "openai/gpt-4o-mini"
    /// # test pro-user: { tier: "pro" } -> pro model "anthropic/claude-3.5-sonnet"
    /// # test free-user: { tier: "free" } -> pro
    /// # "#).unwrap();
    /// let outcomes = table.run_tests(Some(0));
    /// assert!(outcomes[0].passed);
    /// assert!(!outcomes[1].passed);
    /// assert_eq!(outcomes[1].got_rule.as_deref(), Some("default"));
    /// ```
    pub fn run_tests(&self, unix_seconds: Option<i64>) -> Vec<TestOutcome> {
        self.ruleset
            .tests
            .iter()
            .map(|t| self.run_test(t, unix_seconds))
            .collect()
    }

    fn run_test(&self, test: &Test, unix_seconds: Option<i64>) -> TestOutcome {
        let mut outcome = TestOutcome {
            name: test.name.clone(),
            span: test.span,
            expected_rule: test.rule.clone(),
            expected_arm: test.arm.clone(),
            expected_model: test.model.clone(),
            expected_fallbacks: test.fallbacks.clone(),
            got_rule: None,
            got_arm: None,
            got_model: None,
            got_fallbacks: Vec::new(),
            passed: false,
            error: None,
        };
        let mut builder = self.context();
        if let Some(t) = unix_seconds {
            builder = builder.at_unix(t);
        }
        for (field_id, value) in &test.context {
            let Some(field) = self.schema_field(*field_id) else {
                continue;
            };
            let input = match value {
                Value::Bool(b) => Input::Bool(*b),
                Value::Int(i) => Input::Int(*i),
                Value::Float(f) => Input::Float(*f),
                Value::Str(s) => Input::Str(s),
                Value::Enum(e) => Input::Str(match &field.ty {
                    Type::Enum(values) => values.get(*e as usize).map_or("", String::as_str),
                    _ => WEEKDAYS.get(*e as usize).copied().unwrap_or(""),
                }),
            };
            builder = match builder.set(&field.name, input) {
                Ok(b) => b,
                Err(e) => {
                    outcome.error = Some(e.to_string());
                    return outcome;
                }
            };
        }
        let ctx = builder.build();
        if let Ok(Some(d)) = self.decide(&ctx) {
            outcome.got_rule = Some(d.rule().to_string());
            outcome.got_arm = d.variant().map(str::to_string);
            outcome.got_model = Some(d.model().to_string());
            outcome.got_fallbacks = d.fallbacks().map(str::to_string).collect();
        }
        outcome.passed = outcome.got_rule.as_deref() == Some(test.rule.as_str())
            && test
                .arm
                .as_ref()
                .is_none_or(|a| outcome.got_arm.as_ref() == Some(a))
            && test
                .model
                .as_ref()
                .is_none_or(|m| outcome.got_model.as_deref() == Some(m.as_str()))
            && test
                .fallbacks
                .as_ref()
                .is_none_or(|f| *f == outcome.got_fallbacks);
        outcome
    }
}
