//! `let` declarations: dependency order, cycles (E011), typed conditions.

use std::collections::HashMap;

use switchyard_syntax::ast::{Expr, Ident};

use crate::checker::Checker;
use crate::graph::{cycle_errors, topo_order};
use crate::ir::{Let, LetId};

/// The lets (source indexes) a condition names.
fn let_refs(e: &Expr, lets: &HashMap<String, usize>, out: &mut Vec<usize>) {
    match e {
        Expr::Or(items) | Expr::And(items) => items.iter().for_each(|i| let_refs(i, lets, out)),
        Expr::Not(inner) | Expr::Paren(inner) => let_refs(inner, lets, out),
        Expr::Name(name) => {
            if let Some(&i) = lets.get(&name.node) {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
        }
        _ => {}
    }
}

impl Checker<'_> {
    /// Orders the lets so each comes after those it uses, reports cycles,
    /// and types every let's condition.
    pub(crate) fn check_lets(&mut self) -> Vec<Let> {
        let deps: Vec<Vec<usize>> = self
            .lets
            .iter()
            .map(|l| {
                let mut out = Vec::new();
                let_refs(&l.node.cond.node, &self.let_ix, &mut out);
                out
            })
            .collect();
        let (order, cycles) = topo_order(&deps);
        let names: Vec<&Ident> = self.lets.iter().map(|l| &l.node.name).collect();
        self.errors(cycle_errors("let", &cycles, &names));
        self.let_ids = vec![LetId(0); self.lets.len()];
        for (pos, &i) in order.iter().enumerate() {
            if let Some(slot) = self.let_ids.get_mut(i) {
                *slot = LetId(u32::try_from(pos).unwrap_or(u32::MAX));
            }
        }
        let mut out = Vec::with_capacity(order.len());
        for i in order {
            let Some(decl) = self.lets.get(i).map(|l| (l.node, l.span)) else {
                continue;
            };
            let (decl, span) = decl;
            let cond = self.cond(&decl.cond);
            out.push(Let {
                name: decl.name.node.clone(),
                cond,
                span,
                name_span: decl.name.span,
            });
        }
        out
    }
}
