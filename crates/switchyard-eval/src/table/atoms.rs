//! The deduplicated atoms of a table, and conditions turned into
//! [`Node`]s over their ids.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::fmt;
use std::hash::Hasher;

use switchyard_check::ir::{Atom, AtomKind, Cond};

use super::Node;

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
    fn id(&mut self, atom: &Atom) -> u32 {
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

    pub(super) fn node(&mut self, cond: &Cond) -> Node {
        match cond {
            Cond::True => Node::True,
            Cond::False => Node::False,
            Cond::Let(l) => Node::Let(l.0),
            Cond::Atom(a) => Node::Atom(self.id(a)),
            Cond::Not(c) => Node::Not(Box::new(self.node(c))),
            Cond::And(cs) => Node::And(cs.iter().map(|c| self.node(c)).collect()),
            Cond::Or(cs) => Node::Or(cs.iter().map(|c| self.node(c)).collect()),
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
