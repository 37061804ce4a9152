//! A naive rule-by-rule interpreter, the baseline of every ratio (the
//! peers' `rust-native-linear`: what a careful developer writes by hand in
//! an afternoon). Each condition becomes a small typed tree, its literals
//! converted to the field's type once, at load; a decision evaluates the
//! rules in priority order over the host's [`Request`] and stops at the
//! first that holds.

mod load;

use crate::condition::CompareOp;
use crate::request::Request;
use crate::ruleset::Ruleset;

pub use load::LiteralMismatch;

/// A string field of [`Request`].
#[derive(Clone, Copy, Debug)]
enum StrField {
    Tenant,
    UserTier,
    TaskType,
}

/// An int field of [`Request`].
#[derive(Clone, Copy, Debug)]
enum IntField {
    PromptTokensEst,
    MaxLatencyMs,
}

/// A bool field of [`Request`].
#[derive(Clone, Copy, Debug)]
enum BoolField {
    NeedsTools,
    NeedsVision,
}

/// A condition with typed literals. The only float field is
/// `budget_remaining`.
#[derive(Clone, Debug)]
enum Node {
    True,
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Not(Box<Node>),
    Str(StrField, CompareOp, Box<str>),
    StrIn(StrField, Box<[Box<str>]>),
    Float(CompareOp, f64),
    FloatIn(Box<[f64]>),
    Int(IntField, CompareOp, i64),
    IntIn(IntField, Box<[i64]>),
    Bool(BoolField, CompareOp, bool),
    BoolIn(BoolField, Box<[bool]>),
}

impl StrField {
    #[inline]
    fn of(self, r: &Request) -> &str {
        match self {
            StrField::Tenant => &r.tenant,
            StrField::UserTier => &r.user_tier,
            StrField::TaskType => &r.task_type,
        }
    }
}

impl IntField {
    #[inline]
    fn of(self, r: &Request) -> i64 {
        match self {
            IntField::PromptTokensEst => r.prompt_tokens_est,
            IntField::MaxLatencyMs => r.max_latency_ms,
        }
    }
}

impl BoolField {
    #[inline]
    fn of(self, r: &Request) -> bool {
        match self {
            BoolField::NeedsTools => r.needs_tools,
            BoolField::NeedsVision => r.needs_vision,
        }
    }
}

impl Node {
    fn holds(&self, r: &Request) -> bool {
        match self {
            Node::True => true,
            Node::And(parts) => parts.iter().all(|p| p.holds(r)),
            Node::Or(parts) => parts.iter().any(|p| p.holds(r)),
            Node::Not(inner) => !inner.holds(r),
            Node::Str(f, op, v) => op.holds(f.of(r), v),
            Node::StrIn(f, vs) => {
                let x = f.of(r);
                vs.iter().any(|v| &**v == x)
            }
            Node::Float(op, v) => op.holds(&r.budget_remaining, v),
            Node::FloatIn(vs) => vs.contains(&r.budget_remaining),
            Node::Int(f, op, v) => op.holds(&f.of(r), v),
            Node::IntIn(f, vs) => vs.contains(&f.of(r)),
            Node::Bool(f, op, v) => op.holds(&f.of(r), v),
            Node::BoolIn(f, vs) => vs.contains(&f.of(r)),
        }
    }
}

/// A ruleset loaded for the naive interpreter.
///
/// ```
/// use switchyard_benches::{routing_guide, NaiveInterpreter, Workload};
/// let naive = NaiveInterpreter::new(&routing_guide())?;
/// let request = &Workload::new(1).requests(1)[0];
/// assert!(naive.decide(request).is_some()); // the guide ends with a catch-all
/// # Ok::<(), switchyard_benches::LiteralMismatch>(())
/// ```
#[derive(Clone, Debug)]
pub struct NaiveInterpreter {
    conditions: Vec<Node>,
    names: Vec<String>,
}

impl NaiveInterpreter {
    /// Loads `ruleset`: rules in priority order, literals converted to
    /// their field's type (an int fits a float field).
    pub fn new(ruleset: &Ruleset) -> Result<Self, LiteralMismatch> {
        let rules = ruleset.in_priority_order();
        Ok(NaiveInterpreter {
            conditions: rules
                .iter()
                .map(|r| load::node(&r.condition))
                .collect::<Result<_, _>>()?,
            names: rules.iter().map(|r| r.name.clone()).collect(),
        })
    }

    /// The position, in priority order, of the first rule `request` matches.
    #[inline]
    pub fn first_match(&self, request: &Request) -> Option<usize> {
        self.conditions.iter().position(|c| c.holds(request))
    }

    /// The name of the first rule `request` matches.
    #[inline]
    pub fn decide(&self, request: &Request) -> Option<&str> {
        let i = self.first_match(request)?;
        self.names.get(i).map(String::as_str)
    }
}
