//! A Thompson NFA over characters, built from a regex's syntax tree
//! (`regex-syntax`'s HIR, parsed with the flags the checker compiled the
//! regex with) or from the literal of a text test.
//!
//! The NFA reads characters, not bytes: a context's strings are valid
//! UTF-8, and every character class of a regex the checker accepts matches
//! whole characters. Look-around assertions (`^`, `$`, `\b`, ...) are
//! decided from the characters on either side, as `regex` does. A few
//! ASCII-only assertions can hold inside a multi-byte character in
//! `regex`'s byte-level engines; an NFA that uses one is marked not
//! [`Nfa::exact`], so the search never claims that no string exists from
//! it (it may still find one, which is checked with `regex` itself).

use std::collections::HashMap;

use regex_syntax::hir::{Class, Hir, HirKind, Look};

use crate::ir::{Pattern, StrOp};

/// Most states an NFA may have; a larger regex is not modelled.
pub(crate) const MAX_STATES: usize = 20_000;

/// Inclusive ranges of code points, sorted.
pub(crate) type Ranges = Vec<(u32, u32)>;

/// One state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// Reads one character of class `class` (an index into
    /// [`Nfa::classes`]), then goes to `next`.
    Char {
        /// The class.
        class: u32,
        /// Where to go.
        next: u32,
    },
    /// Goes to any of these without reading.
    Split(Vec<u32>),
    /// Goes to `next` without reading when the assertion holds here.
    Look {
        /// The assertion.
        look: Look,
        /// Where to go.
        next: u32,
    },
    /// A match.
    Match,
}

/// An NFA that matches anywhere in a string (an unanchored search).
#[derive(Clone, Debug)]
pub(crate) struct Nfa {
    /// The states.
    pub(crate) states: Vec<State>,
    /// The start state.
    pub(crate) start: u32,
    /// The character classes the states read.
    pub(crate) classes: Vec<Ranges>,
    /// The assertions the states use.
    pub(crate) looks: Vec<Look>,
    /// Whether the NFA means exactly what the regex means (see the module
    /// documentation).
    pub(crate) exact: bool,
}

/// Why no NFA was built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unsupported;

struct Builder {
    states: Vec<State>,
    classes: Vec<Ranges>,
    class_ix: HashMap<Ranges, u32>,
    looks: Vec<Look>,
    exact: bool,
}

impl Builder {
    fn push(&mut self, s: State) -> Result<u32, Unsupported> {
        if self.states.len() >= MAX_STATES {
            return Err(Unsupported);
        }
        let id = u32::try_from(self.states.len()).map_err(|_| Unsupported)?;
        self.states.push(s);
        Ok(id)
    }

    fn class(&mut self, ranges: Ranges) -> Result<u32, Unsupported> {
        if let Some(&id) = self.class_ix.get(&ranges) {
            return Ok(id);
        }
        let id = u32::try_from(self.classes.len()).map_err(|_| Unsupported)?;
        self.classes.push(ranges.clone());
        self.class_ix.insert(ranges, id);
        Ok(id)
    }

    fn char_state(&mut self, ranges: Ranges, next: u32) -> Result<u32, Unsupported> {
        let class = self.class(ranges)?;
        self.push(State::Char { class, next })
    }

    /// The states of `hir`, ending in `next`; its start. Recursion is
    /// bounded by the regex's nesting, which `regex` limits to 250.
    fn compile(&mut self, hir: &Hir, next: u32) -> Result<u32, Unsupported> {
        match hir.kind() {
            HirKind::Empty => Ok(next),
            HirKind::Literal(lit) => {
                let text = std::str::from_utf8(&lit.0).map_err(|_| Unsupported)?;
                let mut at = next;
                for c in text.chars().rev() {
                    at = self.char_state(vec![(c as u32, c as u32)], at)?;
                }
                Ok(at)
            }
            HirKind::Class(Class::Unicode(class)) => {
                let ranges = class
                    .ranges()
                    .iter()
                    .map(|r| (r.start() as u32, r.end() as u32))
                    .collect();
                self.char_state(ranges, next)
            }
            HirKind::Class(Class::Bytes(class)) => {
                // Only ASCII, in a regex that matches valid UTF-8 only.
                if class.ranges().iter().any(|r| r.end() > 0x7F) {
                    return Err(Unsupported);
                }
                let ranges = class
                    .ranges()
                    .iter()
                    .map(|r| (u32::from(r.start()), u32::from(r.end())))
                    .collect();
                self.char_state(ranges, next)
            }
            HirKind::Look(look) => {
                if matches!(
                    look,
                    Look::WordAsciiNegate | Look::WordStartHalfAscii | Look::WordEndHalfAscii
                ) {
                    self.exact = false;
                }
                if !self.looks.contains(look) {
                    self.looks.push(*look);
                }
                self.push(State::Look { look: *look, next })
            }
            HirKind::Capture(cap) => self.compile(&cap.sub, next),
            HirKind::Concat(subs) => {
                let mut at = next;
                for sub in subs.iter().rev() {
                    at = self.compile(sub, at)?;
                }
                Ok(at)
            }
            HirKind::Alternation(subs) => {
                let starts = subs
                    .iter()
                    .map(|sub| self.compile(sub, next))
                    .collect::<Result<Vec<u32>, Unsupported>>()?;
                self.push(State::Split(starts))
            }
            HirKind::Repetition(rep) => {
                let mut tail = match rep.max {
                    None => {
                        let lp = self.push(State::Split(Vec::new()))?;
                        let body = self.compile(&rep.sub, lp)?;
                        if let Some(s) = self.states.get_mut(lp as usize) {
                            *s = State::Split(vec![body, next]);
                        }
                        lp
                    }
                    Some(max) => {
                        let mut tail = next;
                        for _ in rep.min..max {
                            let body = self.compile(&rep.sub, tail)?;
                            tail = self.push(State::Split(vec![body, next]))?;
                        }
                        tail
                    }
                };
                for _ in 0..rep.min {
                    let before = self.states.len();
                    let start = self.compile(&rep.sub, tail)?;
                    if start == tail && self.states.len() == before {
                        // The body reads nothing and asserts nothing: every
                        // copy is the same no-op (`(?:){4294967295}`).
                        break;
                    }
                    tail = start;
                }
                Ok(tail)
            }
        }
    }
}

impl Nfa {
    /// The NFA of a syntax tree.
    fn of(hir: &Hir) -> Result<Nfa, Unsupported> {
        let mut b = Builder {
            states: Vec::new(),
            classes: Vec::new(),
            class_ix: HashMap::new(),
            looks: Vec::new(),
            exact: true,
        };
        let done = b.push(State::Match)?;
        let start = b.compile(hir, done)?;
        Ok(Nfa {
            states: b.states,
            start,
            classes: b.classes,
            looks: b.looks,
            exact: b.exact,
        })
    }

    /// The NFA of `matches /pattern/flags`, parsed as the checker compiled
    /// it (`regex`'s defaults: Unicode, UTF-8 only).
    pub(crate) fn regex(pattern: &Pattern) -> Result<Nfa, Unsupported> {
        let mut parser = regex_syntax::ParserBuilder::new();
        for flag in pattern.flags.chars() {
            match flag {
                'i' => parser.case_insensitive(true),
                'm' => parser.multi_line(true),
                's' => parser.dot_matches_new_line(true),
                'x' => parser.ignore_whitespace(true),
                _ => return Err(Unsupported),
            };
        }
        let hir = parser
            .build()
            .parse(pattern.regex.as_str())
            .map_err(|_| Unsupported)?;
        Nfa::of(&hir)
    }

    /// The NFA of `contains`/`starts_with`/`ends_with needle`.
    pub(crate) fn text(op: StrOp, needle: &str) -> Result<Nfa, Unsupported> {
        let lit = Hir::literal(needle.as_bytes());
        let hir = match op {
            StrOp::Contains => lit,
            StrOp::StartsWith => Hir::concat(vec![Hir::look(Look::Start), lit]),
            StrOp::EndsWith => Hir::concat(vec![lit, Hir::look(Look::End)]),
        };
        Nfa::of(&hir)
    }
}
