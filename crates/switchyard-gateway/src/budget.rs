//! Spend budgets (with `[redis]`): the accounts a request is charged to,
//! the budget fields of its routing context, the hold on the ledger before
//! the upstream call and the settle after it.
//!
//! A request is charged to its client key (`key`), its team (the context
//! field `team`, from the key's fields or the body's
//! `switchyard_context`) and its end user (OpenAI's `user`), each with the
//! limits the configuration gives it. The ledger holds the request's
//! worst-case cost ([`worst_case`]) and settles to the answer's cost: the response's `usage.cost`, or
//! usage times the catalog's prices; a 2xx answer whose cost is unknown
//! (a stream cut short) is charged what was held; an error, nothing; a
//! request dropped mid-call (the client went away), what was held.

use std::sync::Arc;

use serde_json::{json, Map, Value as Json};
use switchyard::fleet::{Account, Ledger, LedgerError, Micros, Reservation, WindowBalance};
use switchyard::ir::Type;
use switchyard::{Catalog, CompiledTable};

use crate::error::{Code, Failure};
use crate::fleet::Fleet;
use crate::incoming::Incoming;
use crate::metrics::{Metrics, ReasonLabel};
use crate::plan::Plan;
use crate::settings::{ClientKey, Settings};

/// The context field with the least any account of the request can still
/// spend (USD), in its tightest window.
pub const BUDGET_REMAINING: &str = "budget_remaining";
/// The context field with what the request's first account with a daily
/// limit (else its first account: key, team or user) has spent today
/// (USD).
pub const SPENT_TODAY: &str = "spent_today";

/// The accounts a request is charged to, with their limits.
pub(crate) fn accounts(
    settings: &Settings,
    key: Option<&ClientKey>,
    incoming: &Incoming,
) -> Vec<Account> {
    let budgets = &settings.config.budgets;
    let usd = |v: Option<f64>| v.map(Micros::from_usd);
    let mut out = Vec::new();
    if let Some(key) = key {
        out.push(Account {
            daily: usd(key.daily_usd),
            monthly: usd(key.monthly_usd),
            ..Account::new("key", key.name.clone())
        });
    }
    let team = key
        .and_then(|k| k.fields.get("team"))
        .or_else(|| incoming.context.get("team"))
        .and_then(Json::as_str)
        .filter(|t| !t.is_empty());
    if let Some(team) = team {
        let limits = budgets.team(team);
        out.push(Account {
            daily: usd(limits.and_then(|t| t.daily_usd)),
            monthly: usd(limits.and_then(|t| t.monthly_usd)),
            ..Account::new("team", team)
        });
    }
    if let Some(user) = incoming.user().filter(|u| !u.is_empty()) {
        out.push(Account {
            daily: usd(budgets.user_daily_usd),
            monthly: usd(budgets.user_monthly_usd),
            ..Account::new("user", user)
        });
    }
    out
}

/// Whether the ruleset declares a budget field (a float), so the ledger
/// is read before deciding.
pub(crate) fn wants_fields(table: &CompiledTable) -> bool {
    table
        .ruleset()
        .fields
        .iter()
        .any(|f| matches!(f.name.as_str(), BUDGET_REMAINING | SPENT_TODAY) && f.ty == Type::Float)
}

/// `budget_remaining` and `spent_today` from the accounts' balances: the
/// least left in any limited window, and the day's spend of the first
/// account with a daily limit (else of the first account). Empty when
/// Redis does not answer: the rules' defaults apply.
pub(crate) async fn fields(ledger: &Ledger, accounts: &[Account]) -> Map<String, Json> {
    let mut balances = Vec::with_capacity(accounts.len());
    for account in accounts {
        match ledger.balance(account).await {
            Ok(b) => balances.push(b),
            Err(e) => {
                tracing::warn!("budget fields left unset: {e}");
                return Map::new();
            }
        }
    }
    let mut out = Map::new();
    let least = balances
        .iter()
        .flatten()
        .filter_map(WindowBalance::remaining)
        .min();
    if let Some(left) = least {
        out.insert(BUDGET_REMAINING.into(), json!(left.usd()));
    }
    let today = balances
        .iter()
        .find(|[day, _]| day.limit.is_some())
        .or(balances.first())
        .map(|[day, _]| day.spent);
    if let Some(spent) = today {
        out.insert(SPENT_TODAY.into(), json!(spent.usd()));
    }
    out
}

/// The most a request can cost: the decision's estimate
/// (`est_max_cost_usd`), else the most any model of its chain costs at the
/// catalog's prices for `prompt_tokens` and the plan's `max_tokens`, and
/// never less than `reserve_usd` when a model is not priced (or there is
/// no catalog, or no `max_tokens`).
pub(crate) fn worst_case(
    plan: &Plan,
    catalog: Option<&Catalog>,
    prompt_tokens: u64,
    reserve_usd: f64,
) -> Micros {
    if let Some(cost) = plan.est_max_cost_usd {
        return Micros::from_usd(cost);
    }
    let priced = |model: &String| {
        let max_tokens = u64::from(plan.max_tokens?);
        catalog?.worst_case_cost_usd(model, prompt_tokens, max_tokens)
    };
    let costs: Vec<Option<f64>> = plan.chain.iter().map(priced).collect();
    let most = costs.iter().flatten().copied().fold(0.0, f64::max);
    if costs.iter().any(Option::is_none) {
        return Micros::from_usd(most.max(reserve_usd));
    }
    Micros::from_usd(most)
}

/// A request's hold on the ledger, settled once: by [`Hold::settle`], or
/// to what was held when dropped unsettled.
pub(crate) struct Hold {
    fleet: Arc<Fleet>,
    reservation: Option<Reservation>,
}

impl Hold {
    /// Settles to what an answer with `status` and `cost_usd` costs.
    pub(crate) fn settle(mut self, status: u16, cost_usd: Option<f64>) {
        if let Some(r) = self.reservation.take() {
            let cost = settled_cost(status, cost_usd, r.amount());
            self.fleet.ledger.settle_in_background(r, cost);
        }
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        if let Some(r) = self.reservation.take() {
            let held = r.amount();
            self.fleet.ledger.settle_in_background(r, held);
        }
    }
}

/// Holds `cost` for the request; a 429 over a limit, a 503 when Redis is
/// away and the ledger fails closed.
pub(crate) async fn reserve(
    fleet: &Arc<Fleet>,
    metrics: &Metrics,
    accounts: &[Account],
    cost: Micros,
) -> Result<Hold, Failure> {
    let reserved = fleet.ledger.reserve(accounts, cost).await;
    let reservation = reserved.map_err(|e| {
        let reason = match &e {
            LedgerError::OverLimit { .. } => "over_limit",
            LedgerError::Unavailable(_) => "ledger_unavailable",
        };
        metrics
            .budget_refusals
            .get_or_create(&ReasonLabel { reason })
            .inc();
        match e {
            LedgerError::OverLimit { resets_at, .. } => {
                let wait = resets_at - switchyard::fleet::unix_now();
                let mut f = Failure::new(Code::BudgetExceeded, e.to_string());
                f.retry_after = u64::try_from(wait.max(1)).ok();
                f
            }
            LedgerError::Unavailable(_) => Failure::new(
                Code::LedgerUnavailable,
                format!("{e}; requests with a budget are refused until it is back"),
            ),
        }
    })?;
    Ok(Hold {
        fleet: Arc::clone(fleet),
        reservation: Some(reservation),
    })
}

/// What a request's answer costs the ledger: the cost it reports, or what
/// was held when a 2xx answer's cost is unknown; nothing for an error.
fn settled_cost(status: u16, cost_usd: Option<f64>, held: Micros) -> Micros {
    if !(200..300).contains(&status) {
        return Micros(0);
    }
    cost_usd.map_or(held, Micros::from_usd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_cost_nothing_and_unknown_costs_what_was_held() {
        assert_eq!(settled_cost(200, Some(0.00004), Micros(9)), Micros(40));
        assert_eq!(settled_cost(200, None, Micros(9)), Micros(9));
        assert_eq!(settled_cost(503, Some(1.0), Micros(9)), Micros(0));
    }
}
