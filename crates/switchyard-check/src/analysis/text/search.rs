//! A breadth-first search for strings over the product of the text tests
//! of one field: each regex or text test as an NFA that must end matched
//! or not, the word and character counts, and strings the answer must not
//! be (a trie). States are deduplicated, so the search ends; when it ends
//! without an answer, having looked everywhere, no string exists.

use std::collections::{HashSet, VecDeque};

use regex_syntax::hir::Look;

use crate::analysis::int_set::IntSet;
use crate::analysis::{Budget, Exhausted};

use super::alphabet::{kind, Alphabet};
use super::nfa::{Nfa, State};

/// Longest string the search builds, in characters.
pub(crate) const MAX_TEXT_LEN: i64 = 4096;
/// Most states one search visits.
const MAX_VISITED: usize = 4_000;

/// What a string of one field must satisfy.
pub(crate) struct Problem<'a> {
    /// Tests that must match (`true`) or not.
    pub(crate) tests: Vec<(&'a Nfa, bool)>,
    /// The allowed character counts.
    pub(crate) lengths: IntSet,
    /// The allowed word counts.
    pub(crate) words: IntSet,
    /// Strings the answer must not be.
    pub(crate) exclude: Vec<&'a str>,
}

/// What the search found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Strings that satisfy the problem, shortest first.
    Found(Vec<String>),
    /// No string does.
    Empty,
    /// The search could not tell.
    Unknown,
}

/// A trie of the strings to avoid.
struct Trie {
    /// Per node: children, and whether a string to avoid ends there.
    nodes: Vec<(Vec<(char, u32)>, bool)>,
}

/// Off the trie: the string is none of those to avoid.
const OFF: u32 = u32::MAX;

impl Trie {
    fn new(words: &[&str]) -> Trie {
        let mut t = Trie {
            nodes: vec![(Vec::new(), false)],
        };
        for w in words {
            let mut at = 0u32;
            for c in w.chars() {
                let found = t
                    .nodes
                    .get(at as usize)
                    .and_then(|n| n.0.iter().find(|(d, _)| *d == c).map(|(_, n)| *n));
                at = match found {
                    Some(n) => n,
                    None => {
                        let n = u32::try_from(t.nodes.len()).unwrap_or(OFF);
                        t.nodes.push((Vec::new(), false));
                        if let Some(node) = t.nodes.get_mut(at as usize) {
                            node.0.push((c, n));
                        }
                        n
                    }
                };
            }
            if let Some(node) = t.nodes.get_mut(at as usize) {
                node.1 = true;
            }
        }
        t
    }

    fn step(&self, at: u32, c: char) -> u32 {
        self.nodes
            .get(at as usize)
            .and_then(|n| n.0.iter().find(|(d, _)| *d == c).map(|(_, n)| *n))
            .unwrap_or(OFF)
    }

    fn ends(&self, at: u32) -> bool {
        self.nodes.get(at as usize).is_some_and(|n| n.1)
    }
}

/// Whether `look` holds between characters of kinds `prev` and `next`
/// (`None`: the start or the end of the string).
fn look_holds(look: Look, prev: Option<u8>, next: Option<u8>) -> bool {
    let is = |k: Option<u8>, bit: u8| k.is_some_and(|k| k & bit != 0);
    let (wp, wn) = (is(prev, kind::WORD), is(next, kind::WORD));
    let (ap, an) = (is(prev, kind::WORD_ASCII), is(next, kind::WORD_ASCII));
    match look {
        Look::Start => prev.is_none(),
        Look::End => next.is_none(),
        Look::StartLF => prev.is_none() || is(prev, kind::LF),
        Look::EndLF => next.is_none() || is(next, kind::LF),
        Look::StartCRLF => {
            prev.is_none() || is(prev, kind::LF) || (is(prev, kind::CR) && !is(next, kind::LF))
        }
        Look::EndCRLF => {
            next.is_none() || is(next, kind::CR) || (is(next, kind::LF) && !is(prev, kind::CR))
        }
        Look::WordAscii => ap != an,
        Look::WordAsciiNegate => ap == an,
        Look::WordUnicode => wp != wn,
        Look::WordUnicodeNegate => wp == wn,
        Look::WordStartAscii => !ap && an,
        Look::WordEndAscii => ap && !an,
        Look::WordStartUnicode => !wp && wn,
        Look::WordEndUnicode => wp && !wn,
        Look::WordStartHalfAscii => !ap,
        Look::WordEndHalfAscii => !an,
        Look::WordStartHalfUnicode => !wp,
        Look::WordEndHalfUnicode => !wn,
    }
}

/// The [`kind`] bits an NFA's assertions read.
fn kinds_read(nfa: &Nfa) -> u8 {
    nfa.looks.iter().fold(0, |k, look| {
        k | match look {
            Look::Start | Look::End => 0,
            Look::StartLF | Look::EndLF => kind::LF,
            Look::StartCRLF | Look::EndCRLF => kind::LF | kind::CR,
            Look::WordAscii
            | Look::WordAsciiNegate
            | Look::WordStartAscii
            | Look::WordEndAscii
            | Look::WordStartHalfAscii
            | Look::WordEndHalfAscii => kind::WORD_ASCII,
            Look::WordUnicode
            | Look::WordUnicodeNegate
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode => kind::WORD,
        }
    })
}

/// One search state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Node {
    /// The kind of the last character; `None` at the start.
    prev: Option<u8>,
    /// Characters read (capped).
    len: i64,
    /// Words read (capped).
    words: i64,
    /// Where in the trie of strings to avoid.
    trie: u32,
    /// Per test: matched yet, and the NFA states to go on from.
    tests: Vec<(bool, Vec<u32>)>,
}

/// Counts at or past `cap` are all in the set or all out of it.
fn cap_of(set: &IntSet) -> i64 {
    set.ranges()
        .iter()
        .map(|&(lo, hi)| if hi < i64::MAX { lo.max(hi + 1) } else { lo })
        .max()
        .unwrap_or(0)
}

/// Scratch space for closures: a mark per NFA state.
struct Closer {
    marks: Vec<Vec<u32>>,
    generation: u32,
}

impl Closer {
    fn new(tests: &[(&Nfa, bool)]) -> Closer {
        Closer {
            marks: tests.iter().map(|(n, _)| vec![0; n.states.len()]).collect(),
            generation: 0,
        }
    }

    /// The character-reading states of test `i` reachable from `from` and
    /// the start without reading, between characters of kinds `behind`
    /// and `ahead`; and whether a match is among them.
    fn close(
        &mut self,
        i: usize,
        nfa: &Nfa,
        from: &[u32],
        behind: Option<u8>,
        ahead: Option<u8>,
    ) -> (Vec<u32>, bool) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.marks
                .iter_mut()
                .for_each(|m| m.iter_mut().for_each(|x| *x = 0));
            self.generation = 1;
        }
        let g = self.generation;
        let Some(marks) = self.marks.get_mut(i) else {
            return (Vec::new(), false);
        };
        let mut stack: Vec<u32> = from.to_vec();
        stack.push(nfa.start);
        let mut out = Vec::new();
        let mut matched = false;
        while let Some(s) = stack.pop() {
            match marks.get_mut(s as usize) {
                Some(m) if *m != g => *m = g,
                _ => continue,
            }
            match nfa.states.get(s as usize) {
                Some(State::Char { .. }) => out.push(s),
                Some(State::Split(to)) => stack.extend(to.iter().rev()),
                Some(State::Look { look, next }) if look_holds(*look, behind, ahead) => {
                    stack.push(*next);
                }
                Some(State::Match) => matched = true,
                Some(State::Look { .. }) | None => {}
            }
        }
        (out, matched)
    }
}

/// The search's state space: the alphabet and where each test's classes
/// sit among its features.
struct Space<'p, 'a> {
    problem: &'p Problem<'a>,
    alphabet: Alphabet,
    /// Per test, the feature of its class 0.
    class_base: Vec<usize>,
    trie: Trie,
    len_cap: i64,
    words_cap: i64,
    /// Whether counts had to be cut short (then nothing can be proved).
    clipped: bool,
}

impl<'p, 'a> Space<'p, 'a> {
    fn new(problem: &'p Problem<'a>) -> Self {
        let mut features: Vec<&[(u32, u32)]> = Vec::new();
        let mut class_base = Vec::with_capacity(problem.tests.len());
        let mut kinds = 0u8;
        for (nfa, _) in &problem.tests {
            class_base.push(features.len());
            features.extend(nfa.classes.iter().map(Vec::as_slice));
            kinds |= kinds_read(nfa);
        }
        let singles: Vec<[(u32, u32); 1]> = problem
            .exclude
            .iter()
            .flat_map(|w| w.chars())
            .map(|c| [(c as u32, c as u32)])
            .collect();
        features.extend(singles.iter().map(|s| s.as_slice()));
        let full = IntSet::range(0, i64::MAX);
        if problem.words != full {
            kinds |= kind::SPACE;
        }
        let (len_cap, words_cap) = (cap_of(&problem.lengths), cap_of(&problem.words));
        let clipped = len_cap > MAX_TEXT_LEN || words_cap > MAX_TEXT_LEN;
        Space {
            problem,
            alphabet: Alphabet::new(&features, kinds),
            class_base,
            trie: Trie::new(&problem.exclude),
            len_cap: len_cap.min(MAX_TEXT_LEN + 1),
            words_cap: words_cap.min(MAX_TEXT_LEN + 1),
            clipped,
        }
    }

    fn start(&self) -> Node {
        Node {
            prev: None,
            len: 0,
            words: 0,
            trie: 0,
            tests: vec![(false, Vec::new()); self.problem.tests.len()],
        }
    }

    /// Whether the string that led to `node` is an answer.
    fn accepts(&self, node: &Node, closer: &mut Closer) -> bool {
        let counts_known =
            !self.clipped || (node.len <= MAX_TEXT_LEN && node.words <= MAX_TEXT_LEN);
        if !counts_known
            || !self.problem.lengths.contains(node.len)
            || !self.problem.words.contains(node.words)
            || self.trie.ends(node.trie)
        {
            return false;
        }
        self.problem.tests.iter().zip(&node.tests).enumerate().all(
            |(i, ((nfa, want), (matched, from)))| {
                let matched = *matched || closer.close(i, nfa, from, node.prev, None).1;
                matched == *want
            },
        )
    }

    /// Whether no string going on from `node` can be an answer because of
    /// the counts (they only grow).
    fn dead(&self, node: &Node) -> bool {
        let past = |set: &IntSet, n: i64| set.ranges().last().is_none_or(|&(_, hi)| hi < n);
        past(&self.problem.lengths, node.len) || past(&self.problem.words, node.words)
    }

    /// The state after reading a character of block `b`; `None` when a test
    /// that must not match has matched.
    fn step(
        &self,
        node: &Node,
        b: usize,
        closer: &mut Closer,
        closures: &mut Closures,
    ) -> Option<Node> {
        let block = self.alphabet.blocks.get(b)?;
        let mut tests = Vec::with_capacity(node.tests.len());
        for (i, ((nfa, want), (matched, from))) in
            self.problem.tests.iter().zip(&node.tests).enumerate()
        {
            if *matched {
                tests.push((true, Vec::new()));
                continue;
            }
            let slot = closures
                .get_mut(i)
                .and_then(|by_kind| by_kind.get_mut(usize::from(block.kind)))?;
            let (chars, now) =
                slot.get_or_insert_with(|| closer.close(i, nfa, from, node.prev, Some(block.kind)));
            let (chars, now) = (&*chars, *now);
            if now {
                if !*want {
                    return None;
                }
                tests.push((true, Vec::new()));
                continue;
            }
            let base = self.class_base.get(i).copied().unwrap_or(0);
            let mut next: Vec<u32> = chars
                .iter()
                .filter_map(|s| match nfa.states.get(*s as usize) {
                    Some(State::Char { class, next }) if block.has(base + *class as usize) => {
                        Some(*next)
                    }
                    _ => None,
                })
                .collect();
            next.sort_unstable();
            next.dedup();
            tests.push((false, next));
        }
        let starts_word =
            block.kind & kind::SPACE == 0 && node.prev.is_none_or(|p| p & kind::SPACE != 0);
        Some(Node {
            prev: Some(block.kind),
            len: (node.len + 1).min(self.len_cap),
            words: (node.words + i64::from(starts_word)).min(self.words_cap),
            trie: if node.trie == OFF {
                OFF
            } else {
                self.trie.step(node.trie, block.rep)
            },
            tests,
        })
    }
}

/// Per test, per kind of the next character (the [`kind`] bits, below
/// 32): the closure of one node, computed once for all the blocks of that
/// kind.
type Closures = Vec<Vec<Option<(Vec<u32>, bool)>>>;

/// Looks for up to `want` strings that satisfy `problem`.
pub(crate) fn search(
    problem: &Problem<'_>,
    want: usize,
    budget: &mut Budget,
) -> Result<Outcome, Exhausted> {
    if problem.lengths.is_empty() || problem.words.is_empty() {
        return Ok(Outcome::Empty);
    }
    let space = Space::new(problem);
    let mut closer = Closer::new(&problem.tests);
    let exact = problem.tests.iter().all(|(n, _)| n.exact);
    // Nodes, with the node and block they were reached from.
    let mut tree: Vec<(Node, usize, usize)> = Vec::new();
    let mut seen: HashSet<Node> = HashSet::new();
    let mut queue: VecDeque<usize> = VecDeque::new();
    let start = space.start();
    seen.insert(start.clone());
    tree.push((start, usize::MAX, 0));
    queue.push_back(0);
    let mut found: Vec<String> = Vec::new();
    let mut complete = true;
    let per_node = (space.alphabet.blocks.len() * (problem.tests.len() + 1)) as u64;
    while let Some(at) = queue.pop_front() {
        budget.spend(per_node)?;
        let Some((node, _, _)) = tree.get(at) else {
            break;
        };
        let node = node.clone();
        if space.accepts(&node, &mut closer) {
            found.push(spell(&tree, &space.alphabet, at));
            if found.len() >= want {
                return Ok(Outcome::Found(found));
            }
        }
        if space.clipped && (node.len > MAX_TEXT_LEN || node.words > MAX_TEXT_LEN) {
            complete = false;
            continue;
        }
        let mut closures: Closures = vec![vec![None; 32]; problem.tests.len()];
        for b in 0..space.alphabet.blocks.len() {
            let Some(next) = space.step(&node, b, &mut closer, &mut closures) else {
                continue;
            };
            if space.dead(&next) || seen.contains(&next) {
                continue;
            }
            if seen.len() >= MAX_VISITED {
                complete = false;
                break;
            }
            seen.insert(next.clone());
            tree.push((next, at, b));
            queue.push_back(tree.len() - 1);
        }
    }
    Ok(if !found.is_empty() {
        Outcome::Found(found)
    } else if complete && exact && !space.clipped {
        Outcome::Empty
    } else {
        Outcome::Unknown
    })
}

/// The string of the path to node `at`.
fn spell(tree: &[(Node, usize, usize)], alphabet: &Alphabet, mut at: usize) -> String {
    let mut chars = Vec::new();
    while let Some(&(_, parent, block)) = tree.get(at) {
        if parent == usize::MAX {
            break;
        }
        chars.extend(alphabet.blocks.get(block).map(|b| b.rep));
        at = parent;
    }
    chars.iter().rev().collect()
}
