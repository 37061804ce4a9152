//! The routing guide's 8 rules written by hand as an `if` chain: the floor
//! a rules engine is measured against on that ruleset.
//!
//! It reads the host's [`Request`] as it is: tier and task are compared as
//! strings, in the timed path. (The peers' `rust-hardcoded` converts them to
//! enums before timing, which leaves that conversion out of its figure; a
//! string compare of these short literals is a length check and one
//! `memcmp`.)

use crate::request::Request;

/// The name of the guide's rule that `request` matches (the last rule
/// always matches).
#[inline]
pub fn routing_guide_chain(request: &Request) -> &'static str {
    let tier = request.user_tier.as_str();
    if tier == "free" {
        "free-tier"
    } else if request.budget_remaining < 1.0 && tier != "enterprise" {
        "low-budget"
    } else if request.needs_tools {
        "tools-required"
    } else if request.needs_vision {
        "vision-required"
    } else if request.task_type == "code" {
        "code-tasks"
    } else if request.max_latency_ms < 3000 {
        "low-latency"
    } else if tier == "enterprise" {
        "enterprise-default"
    } else {
        "default"
    }
}
