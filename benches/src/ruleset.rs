//! Rules and rulesets in the neutral form of the peers' JSON rules.

use crate::condition::Condition;

/// One routing rule: when its condition holds (and no rule before it
/// matched), the request goes to `model`, then `fallbacks`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// Unique within its ruleset.
    pub name: String,
    /// Lower is tried first; ties keep the order of the list.
    pub priority: i64,
    /// When the rule matches.
    pub condition: Condition,
    /// The OpenRouter model id.
    pub model: String,
    /// The models to try after it.
    pub fallbacks: Vec<String>,
    /// The response's token cap.
    pub max_tokens: u32,
}

/// A first-match ruleset.
#[derive(Clone, Debug, PartialEq)]
pub struct Ruleset {
    /// The rules, in any order (see [`Ruleset::in_priority_order`]).
    pub rules: Vec<Rule>,
}

impl Ruleset {
    /// The rules in the order they are tried: by priority, ties in list
    /// order.
    pub fn in_priority_order(&self) -> Vec<&Rule> {
        let mut rules: Vec<&Rule> = self.rules.iter().collect();
        rules.sort_by_key(|r| r.priority);
        rules
    }
}
