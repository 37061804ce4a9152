//! The characters cut into blocks: two characters in one block are alike
//! for every class, literal and assertion of one search, so the search
//! tries one character per block.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use super::nfa::Ranges;

/// What the assertions and `words` need to know about a character.
pub(crate) mod kind {
    /// A Unicode word character (`\w`).
    pub(crate) const WORD: u8 = 1;
    /// An ASCII word character (`[0-9A-Za-z_]`).
    pub(crate) const WORD_ASCII: u8 = 2;
    /// `\n`.
    pub(crate) const LF: u8 = 4;
    /// `\r`.
    pub(crate) const CR: u8 = 8;
    /// Unicode `White_Space` (what `words` splits on).
    pub(crate) const SPACE: u8 = 16;
}

/// The code points with the Unicode `White_Space` property: what
/// `char::is_whitespace` (and so `words(F)`) treats as a separator.
const WHITE_SPACE: &[(u32, u32)] = &[
    (0x09, 0x0D),
    (0x20, 0x20),
    (0x85, 0x85),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
];

/// ASCII word characters.
const WORD_ASCII: &[(u32, u32)] = &[(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)];

/// Unicode word characters, as `regex` reads `\w`.
fn word_unicode() -> &'static Ranges {
    static WORD: OnceLock<Ranges> = OnceLock::new();
    WORD.get_or_init(|| {
        match regex_syntax::parse(r"\w").map(|h| h.into_kind()) {
            Ok(regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(c))) => c
                .ranges()
                .iter()
                .map(|r| (r.start() as u32, r.end() as u32))
                .collect(),
            // Never happens; an empty class would only make the search find
            // fewer strings (every string it finds is checked).
            _ => Vec::new(),
        }
    })
}

fn contains(ranges: &[(u32, u32)], c: u32) -> bool {
    let i = ranges.partition_point(|&(_, hi)| hi < c);
    ranges.get(i).is_some_and(|&(lo, _)| lo <= c)
}

/// The [`kind`] bits of `c`.
pub(crate) fn kind_of(c: char) -> u8 {
    let c = c as u32;
    let mut k = 0;
    if contains(word_unicode(), c) {
        k |= kind::WORD;
    }
    if contains(WORD_ASCII, c) {
        k |= kind::WORD_ASCII;
    }
    if c == 0x0A {
        k |= kind::LF;
    }
    if c == 0x0D {
        k |= kind::CR;
    }
    if contains(WHITE_SPACE, c) {
        k |= kind::SPACE;
    }
    k
}

/// One block of characters.
#[derive(Clone, Debug)]
pub(crate) struct Block {
    /// The character the search uses for the block.
    pub(crate) rep: char,
    /// The [`kind`] bits of the block's characters (of the kinds the
    /// alphabet tells apart; the others are 0).
    pub(crate) kind: u8,
    /// Which features (bit `i`: feature `i`) contain the block.
    features: Vec<u64>,
}

impl Block {
    /// Whether feature `f` contains the block.
    pub(crate) fn has(&self, f: usize) -> bool {
        self.features
            .get(f / 64)
            .is_some_and(|w| w & (1u64 << (f % 64)) != 0)
    }
}

/// The blocks, nicest representative first.
#[derive(Clone, Debug)]
pub(crate) struct Alphabet {
    /// The blocks.
    pub(crate) blocks: Vec<Block>,
}

/// Characters preferred as representatives, best first.
const NICE: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ _-.,:;!?/@#%+=*()[]{}<>'\"|~^$&`\\";

/// The rank of a representative (lower is nicer).
fn rank(c: char) -> (u32, u32) {
    match NICE.find(c) {
        Some(i) => (0, u32::try_from(i).unwrap_or(u32::MAX)),
        None if c.is_control() => (2, c as u32),
        None => (1, c as u32),
    }
}

impl Alphabet {
    /// The blocks of `features`, also telling apart the characters of each
    /// [`kind`] in `kinds`.
    pub(crate) fn new(features: &[&[(u32, u32)]], kinds: u8) -> Alphabet {
        let mut all: Vec<&[(u32, u32)]> = features.to_vec();
        if kinds & kind::WORD != 0 {
            all.push(word_unicode());
        }
        if kinds & kind::WORD_ASCII != 0 {
            all.push(WORD_ASCII);
        }
        if kinds & kind::LF != 0 {
            all.push(&[(0x0A, 0x0A)]);
        }
        if kinds & kind::CR != 0 {
            all.push(&[(0x0D, 0x0D)]);
        }
        if kinds & kind::SPACE != 0 {
            all.push(WHITE_SPACE);
        }
        let mut cuts: BTreeSet<u32> = [0, 0xD800, 0xE000, 0x11_0000].into_iter().collect();
        for f in &all {
            for &(lo, hi) in f.iter() {
                cuts.insert(lo);
                cuts.insert(hi.saturating_add(1).min(0x11_0000));
            }
        }
        let cuts: Vec<u32> = cuts.into_iter().collect();
        let words = all.len().div_ceil(64);
        let mut by_features: HashMap<Vec<u64>, usize> = HashMap::new();
        let mut blocks: Vec<(char, Vec<u64>)> = Vec::new();
        for w in cuts.windows(2) {
            let (lo, next) = (w[0], w[1]);
            if (0xD800..0xE000).contains(&lo) || lo >= 0x11_0000 {
                continue;
            }
            let mut sig = vec![0u64; words];
            for (i, f) in all.iter().enumerate() {
                if contains(f, lo) {
                    if let Some(word) = sig.get_mut(i / 64) {
                        *word |= 1u64 << (i % 64);
                    }
                }
            }
            let candidate = best_in(lo, next - 1);
            match by_features.get(&sig) {
                Some(&b) => {
                    if let Some(block) = blocks.get_mut(b) {
                        if rank(candidate) < rank(block.0) {
                            block.0 = candidate;
                        }
                    }
                }
                None => {
                    by_features.insert(sig.clone(), blocks.len());
                    blocks.push((candidate, sig));
                }
            }
        }
        let mut blocks: Vec<Block> = blocks
            .into_iter()
            .map(|(rep, features)| Block {
                rep,
                kind: kind_of(rep) & kinds,
                features,
            })
            .collect();
        blocks.sort_by_key(|b| rank(b.rep));
        Alphabet { blocks }
    }
}

/// The nicest character in `lo..=hi` (not a surrogate).
fn best_in(lo: u32, hi: u32) -> char {
    let nice = NICE
        .chars()
        .filter(|c| (lo..=hi).contains(&(*c as u32)))
        .min_by_key(|c| rank(*c));
    nice.or_else(|| {
        // A printable character if there is one early in the range.
        (lo..=hi.min(lo.saturating_add(64)))
            .filter_map(char::from_u32)
            .find(|c| !c.is_control())
    })
    .or_else(|| char::from_u32(lo))
    .unwrap_or('\u{FFFD}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_space_is_what_words_splits_on() {
        for c in (0..=0x10_FFFFu32).filter_map(char::from_u32) {
            assert_eq!(
                contains(WHITE_SPACE, c as u32),
                c.is_whitespace(),
                "{:?}",
                c
            );
        }
    }

    #[test]
    fn word_characters_match_regex() {
        let re = regex::Regex::new(r"^\w$").unwrap();
        for c in ['a', 'é', '_', '9', 'ß', '中', ' ', '-', '\u{300}', '٣'] {
            assert_eq!(
                kind_of(c) & kind::WORD != 0,
                re.is_match(&c.to_string()),
                "{c:?}"
            );
        }
    }

    #[test]
    fn blocks_tell_features_apart() {
        let digits: &[(u32, u32)] = &[(0x30, 0x39)];
        let x: &[(u32, u32)] = &[(0x78, 0x78)];
        let a = Alphabet::new(&[digits, x], kind::SPACE);
        // digits, `x`, white space, everything else.
        assert_eq!(a.blocks.len(), 4, "{a:?}");
        assert_eq!(a.blocks[0].rep, 'a');
        assert!(a
            .blocks
            .iter()
            .any(|b| b.rep == 'x' && b.has(1) && !b.has(0)));
        assert!(a.blocks.iter().any(|b| b.rep == '0' && b.has(0)));
        assert!(a
            .blocks
            .iter()
            .any(|b| b.rep == ' ' && b.kind & kind::SPACE != 0));
    }
}
