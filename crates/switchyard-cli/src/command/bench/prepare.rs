//! Before the clock starts: every line of the traffic file becomes a
//! context (bad lines are reported and skipped), and every context is
//! decided once, to learn which rule and model it goes to.
//!
//! What is learnt lets the measured loop count exactly with little work:
//! see [`super::tally`].

use std::collections::HashMap;

use serde_json::Value as Json;
use switchyard::{CompiledTable, Context, Decision};

use crate::command::traffic::{self, BadLines, Line, UnknownKey, UnknownKeys};

/// What context `i` was decided to when it was built.
#[derive(Clone, Copy, Debug)]
pub struct Expect {
    /// The rule's position (the no-match slot when none matched).
    pub rule: u32,
    /// The model's index in [`Workload::models`] (`u32::MAX` for no match).
    pub model: u32,
}

/// Where the expected rule name and split arm name lie in the table's
/// memory: a decision that borrows the same strings comes from the same
/// rule and arm. Both are fields of a decision, so comparing them reads no
/// memory the decision did not (the model id would: it lies in the rule's
/// target). `rule` is 0 when no rule matched, `variant` 0 without an arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Addrs {
    /// Address of the rule name's bytes.
    pub rule: usize,
    /// Address of the arm name's bytes.
    pub variant: usize,
}

impl Addrs {
    /// The addresses of what `d` borrows.
    #[inline]
    pub fn of(d: &Decision<'_>) -> Self {
        Addrs {
            rule: d.rule().as_ptr() as usize,
            variant: d.variant().map_or(0, |v| v.as_ptr() as usize),
        }
    }

    /// No rule matched.
    pub const NONE: Addrs = Addrs {
        rule: 0,
        variant: 0,
    };
}

/// The contexts to decide and what the counters need.
#[derive(Debug)]
pub struct Workload<'t> {
    /// The table deciding.
    pub table: &'t CompiledTable,
    /// The lines that made a context, for the other threads to build their
    /// own copies from.
    pub lines: Vec<Line>,
    /// What each context was decided to.
    pub expect: Vec<Expect>,
    /// Where each context's expected rule and arm names lie.
    pub addrs: Vec<Addrs>,
    /// Rule names in ruleset order; the no-match slot is `rules.len()`.
    pub rules: Vec<&'t str>,
    /// Rule positions by name.
    pub rule_index: HashMap<&'t str, u32>,
    /// The model ids chosen, in the order first met.
    pub models: Vec<&'t str>,
    /// Model indices by id.
    pub model_index: HashMap<&'t str, u32>,
    /// The decision time of every context, in Unix seconds.
    pub at: i64,
    /// Bad lines skipped.
    pub skipped: usize,
    /// Keys of the contexts the ruleset does not declare.
    pub unknown_keys: Vec<UnknownKey>,
}

impl<'t> Workload<'t> {
    /// Reads and checks `lines` against `table`, reporting bad lines to
    /// `bad`. The contexts built come back beside the workload (they are
    /// not `Sync`, the workload is shared by the threads): the first
    /// thread's.
    pub fn build(
        table: &'t CompiledTable,
        lines: Vec<Line>,
        at: i64,
        bad: &mut BadLines,
    ) -> (Self, Vec<Context<'t>>) {
        let rules: Vec<&'t str> = table
            .ruleset()
            .rules
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        let rule_index = rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((*r, u32::try_from(i).ok()?)))
            .collect();
        let mut contexts = Vec::with_capacity(lines.len());
        let mut w = Workload {
            table,
            lines: Vec::with_capacity(lines.len()),
            expect: Vec::with_capacity(lines.len()),
            addrs: Vec::with_capacity(lines.len()),
            rules,
            rule_index,
            models: Vec::new(),
            model_index: HashMap::new(),
            at,
            skipped: 0,
            unknown_keys: Vec::new(),
        };
        // All the JSON first, then all the contexts, the JSON kept until
        // the end, as the criterion benches do: contexts built one after
        // the other lie together in memory. Built between JSON values (and
        // into the holes they leave), they are scattered, and deciding them
        // is a few percent slower on 100,000 contexts.
        let parsed: Vec<(Line, Result<Json, String>)> = lines
            .into_iter()
            .map(|line| {
                let json = traffic::parse(&line.text);
                (line, json)
            })
            .collect();
        let mut unknown = UnknownKeys::default();
        for (line, json) in &parsed {
            if let Ok(json) = json {
                unknown.note(table, json);
            }
            let built = json.as_ref().map_err(String::clone).and_then(|json| {
                table
                    .context_from_json_at(json, Some(at))
                    .map_err(|e| e.to_string())
            });
            match built {
                Ok(ctx) => contexts.push((line.number, ctx)),
                Err(message) => {
                    bad.report(line.number, &message);
                    w.skipped += 1;
                }
            }
        }
        w.unknown_keys = unknown.finish();
        let mut contexts = contexts.into_iter().peekable();
        let mut kept = Vec::with_capacity(parsed.len());
        for (line, _) in parsed {
            let Some((_, ctx)) = contexts.next_if(|(n, _)| *n == line.number) else {
                continue;
            };
            match table.decide(&ctx) {
                Ok(decided) => {
                    let expect = w.expect_of(decided.as_ref());
                    w.expect.push(expect);
                    w.addrs
                        .push(decided.as_ref().map_or(Addrs::NONE, Addrs::of));
                    kept.push(ctx);
                    w.lines.push(line);
                }
                Err(e) => {
                    bad.report(line.number, &e.to_string());
                    w.skipped += 1;
                }
            }
        }
        (w, kept)
    }

    /// The slot counting decisions that no rule matched.
    pub fn no_match(&self) -> u32 {
        u32::try_from(self.rules.len()).unwrap_or(u32::MAX)
    }

    fn expect_of(&mut self, decided: Option<&Decision<'t>>) -> Expect {
        let Some(d) = decided else {
            return Expect {
                rule: self.no_match(),
                model: u32::MAX,
            };
        };
        let rule = self
            .rule_index
            .get(d.rule())
            .copied()
            .unwrap_or(self.no_match());
        Expect {
            rule,
            model: self.model_of(d.model()),
        }
    }

    /// The index of `model` in [`Self::models`], added if new.
    fn model_of(&mut self, model: &'t str) -> u32 {
        let next = u32::try_from(self.models.len()).unwrap_or(u32::MAX);
        let index = *self.model_index.entry(model).or_insert(next);
        if index == next {
            self.models.push(model);
        }
        index
    }

    /// A copy of the contexts for another thread (a context records which
    /// atoms it has evaluated, so two threads cannot share one).
    pub fn rebuild_contexts(&self) -> Result<Vec<Context<'t>>, String> {
        // The JSON first, as in `build`.
        let parsed = self
            .lines
            .iter()
            .map(|line| {
                traffic::parse(&line.text).map_err(|e| format!("line {}: {e}", line.number))
            })
            .collect::<Result<Vec<Json>, String>>()?;
        self.lines
            .iter()
            .zip(&parsed)
            .map(|(line, json)| {
                self.table
                    .context_from_json_at(json, Some(self.at))
                    .map_err(|e| format!("line {}: {e}", line.number))
            })
            .collect()
    }
}
