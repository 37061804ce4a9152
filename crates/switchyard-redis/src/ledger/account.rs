//! The accounts a call is charged to, and their balances.

use crate::window::{Micros, Window, WindowSpan};

/// An account a call is charged to, and its limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// What it is: `key`, `user`, `team`, or any word.
    pub kind: String,
    /// Which one.
    pub id: String,
    /// Its limit per UTC day, if any.
    pub daily: Option<Micros>,
    /// Its limit per UTC month, if any.
    pub monthly: Option<Micros>,
}

impl Account {
    /// An account without limits.
    pub fn new(kind: impl Into<String>, id: impl Into<String>) -> Self {
        Account {
            kind: kind.into(),
            id: id.into(),
            daily: None,
            monthly: None,
        }
    }

    /// The limit of a window.
    pub fn limit(&self, window: Window) -> Option<Micros> {
        match window {
            Window::Day => self.daily,
            Window::Month => self.monthly,
        }
    }
}

/// One window of an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowBalance {
    /// The window.
    pub span: WindowSpan,
    /// Spent (settled).
    pub spent: Micros,
    /// Held by calls in flight.
    pub held: Micros,
    /// The limit, if any.
    pub limit: Option<Micros>,
}

impl WindowBalance {
    /// What can still be reserved (`None` without a limit).
    pub fn remaining(&self) -> Option<Micros> {
        self.limit
            .map(|l| Micros((l.0 - self.spent.0 - self.held.0).max(0)))
    }
}

/// `KIND:ID`, in key names.
pub(super) fn account_key(account: &Account) -> String {
    format!("{}:{}", account.kind, account.id)
}
