//! The deduplicated atoms of a table, and conditions turned into
//! [`Node`]s over their ids.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::fmt;
use std::hash::Hasher;

use switchyard_check::ir::{Atom, AtomKind, Cond, Subject};

use super::Node;
use crate::context::Schema;

/// Deduplicated atoms.
#[derive(Default)]
pub(super) struct Atoms {
    pub(super) list: Vec<AtomKind>,
    /// Ids in `list` by a hash of the atom's `Debug` text, so that
    /// deduplication stays linear in the number of atoms (`AtomKind` holds
    /// floats and regexes, so it has no `Hash`). Equal hashes are confirmed
    /// with `==`. A linear search here made a 100,000-rule ruleset take
    /// over 20 s to compile.
    by_hash: HashMap<u64, Vec<u32>>,
}

impl Atoms {
    fn id(&mut self, atom: &Atom, schema: &mut Schema) -> u32 {
        note_derived(&atom.kind, schema);
        let bucket = self.by_hash.entry(debug_hash(&atom.kind)).or_default();
        let list = &mut self.list;
        if let Some(&i) = bucket
            .iter()
            .find(|&&i| list.get(i as usize) == Some(&atom.kind))
        {
            return i;
        }
        let i = u32::try_from(list.len()).unwrap_or(u32::MAX);
        list.push(atom.kind.clone());
        bucket.push(i);
        i
    }

    pub(super) fn node(&mut self, cond: &Cond, schema: &mut Schema) -> Node {
        match cond {
            Cond::True => Node::True,
            Cond::False => Node::False,
            Cond::Let(l) => Node::Let(l.0),
            Cond::Atom(a) => Node::Atom(self.id(a, schema)),
            Cond::Not(c) => Node::Not(Box::new(self.node(c, schema))),
            Cond::And(cs) => Node::And(cs.iter().map(|c| self.node(c, schema)).collect()),
            Cond::Or(cs) => Node::Or(cs.iter().map(|c| self.node(c, schema)).collect()),
        }
    }
}

/// A hash of `kind`'s `Debug` text, computed without allocating.
fn debug_hash(kind: &AtomKind) -> u64 {
    struct Feed(DefaultHasher);
    impl fmt::Write for Feed {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0.write(s.as_bytes());
            Ok(())
        }
    }
    let mut feed = Feed(DefaultHasher::new());
    let _ = fmt::Write::write_fmt(&mut feed, format_args!("{kind:?}"));
    feed.0.finish()
}

/// Records which string fields need `words(F)`/`len(F)` computed.
fn note_derived(kind: &AtomKind, schema: &mut Schema) {
    let subjects: &[Subject] = match kind {
        AtomKind::Compare { lhs, rhs, .. } => match rhs {
            switchyard_check::ir::Operand::Subject(s) => &[*lhs, *s],
            switchyard_check::ir::Operand::Value(_) => std::slice::from_ref(lhs),
        },
        AtomKind::In { lhs, .. } | AtomKind::Range { lhs, .. } => std::slice::from_ref(lhs),
        _ => &[],
    };
    for s in subjects {
        match s {
            Subject::Words(f) => {
                if let Some(n) = schema.needs_words.get_mut(f.index()) {
                    *n = true;
                }
            }
            Subject::Len(f) => {
                if let Some(n) = schema.needs_len.get_mut(f.index()) {
                    *n = true;
                }
            }
            _ => {}
        }
    }
}
