//! Where a context keeps its values. What `decide` reads of a field (its
//! kind and one word: a number, a flag, an enum index or a string's literal
//! id) sits in two short arrays at the front of the context, apart from
//! the text of string values, which only text tests, splits and `explain`
//! read: the values a decision reads of eight fields share two cache lines.

/// One field's value in a context. `Copy`: a slot owns nothing (a string
/// the context had to copy lives in the context's own list), so setting a
/// field is a plain store and a context has no per-field drop.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) enum Slot<'a> {
    #[default]
    Unset,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string borrowed from the request (or the table), with the id of
    /// the rules' literal it equals ([`super::NO_LITERAL`] when none).
    Str(&'a str, u32),
    /// A string the context had to copy (a JSON string with escapes, the
    /// by-name builder): its index in the context's copies, and its
    /// literal id.
    Owned(u32, u32),
    /// Index into the enum's values.
    Enum(u32),
}

/// A slot's value read as one type (`None`: it holds another, or none).
impl Slot<'_> {
    #[inline(always)]
    pub fn bool(self) -> Option<bool> {
        match self {
            Slot::Bool(b) => Some(b),
            _ => None,
        }
    }

    #[inline(always)]
    pub fn int(self) -> Option<i64> {
        match self {
            Slot::Int(x) => Some(x),
            _ => None,
        }
    }

    #[inline(always)]
    pub fn float(self) -> Option<f64> {
        match self {
            Slot::Float(x) => Some(x),
            _ => None,
        }
    }

    #[inline(always)]
    pub fn enum_index(self) -> Option<u32> {
        match self {
            Slot::Enum(e) => Some(e),
            _ => None,
        }
    }

    /// A string's literal id.
    #[inline(always)]
    pub fn literal(self) -> Option<u32> {
        match self {
            Slot::Str(_, id) | Slot::Owned(_, id) => Some(id),
            _ => None,
        }
    }
}

/// A slot's value as an index row looks it up: a string is its literal
/// id (its text is not read). Two words: passed in registers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum SlotKey {
    Unset,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string's literal id ([`super::NO_LITERAL`] when none).
    Literal(u32),
    Enum(u32),
}

impl From<Slot<'_>> for SlotKey {
    #[inline(always)]
    fn from(slot: Slot<'_>) -> SlotKey {
        match slot {
            Slot::Unset => SlotKey::Unset,
            Slot::Bool(b) => SlotKey::Bool(b),
            Slot::Int(x) => SlotKey::Int(x),
            Slot::Float(x) => SlotKey::Float(x),
            Slot::Str(_, id) | Slot::Owned(_, id) => SlotKey::Literal(id),
            Slot::Enum(e) => SlotKey::Enum(e),
        }
    }
}

/// The kind of a stored value: [`Slot`]'s variants, and `Far`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Tag {
    Unset,
    Bool,
    Int,
    Float,
    /// A borrowed string: its literal id in the low half of the word, the
    /// index of its text in `texts` in the high half.
    Str,
    Owned,
    Enum,
    /// A string whose text found no room in `texts`: the whole slot is in
    /// `more`.
    Far,
}

pub(crate) const INLINE_FIELDS: usize = 10;

/// How many borrowed strings a context keeps inline (more spill to the
/// heap: one allocation per context).
pub(crate) const INLINE_TEXTS: usize = 4;

/// The values of a context: the first [`INLINE_FIELDS`] inline, split
/// into tags and words (a slot is rebuilt from them when read), with the
/// texts of up to [`INLINE_TEXTS`] borrowed strings beside them; the
/// fields past them, and strings past those texts, as whole slots in one
/// vector.
#[derive(Clone, Debug)]
#[repr(C)]
pub(crate) struct Slots<'a> {
    tags: [Tag; INLINE_FIELDS],
    /// The texts used.
    n_texts: u8,
    len: u32,
    words: [u64; INLINE_FIELDS],
    /// The texts of borrowed strings, in the order their fields were first
    /// set.
    texts: [&'a str; INLINE_TEXTS],
    /// Whole slots, by field index: fields `INLINE_FIELDS..len`, and
    /// strings tagged `Far` (none, and nothing allocated, until one is
    /// set). Boxed: one word in every context.
    #[allow(
        clippy::box_collection,
        reason = "one word in every context instead of three"
    )]
    more: Option<Box<Vec<Slot<'a>>>>,
}

impl<'a> Slots<'a> {
    /// `len` fields, all unset.
    #[inline(always)]
    pub fn unset(len: usize) -> Self {
        Slots {
            tags: [Tag::Unset; INLINE_FIELDS],
            n_texts: 0,
            len: u32::try_from(len).unwrap_or(u32::MAX),
            words: [0; INLINE_FIELDS],
            texts: [""; INLINE_TEXTS],
            more: None,
        }
    }

    /// The number of fields.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Slot `i` (unset past the schema's fields).
    #[inline(always)]
    pub fn get(&self, i: usize) -> Option<Slot<'a>> {
        match (self.tags.get(i), self.words.get(i)) {
            (Some(tag), Some(&word)) => Some(match tag {
                Tag::Unset => Slot::Unset,
                Tag::Bool => Slot::Bool(word != 0),
                Tag::Int => Slot::Int(word as i64),
                Tag::Float => Slot::Float(f64::from_bits(word)),
                Tag::Str => Slot::Str(
                    self.texts.get((word >> 32) as usize).copied().unwrap_or(""),
                    word as u32,
                ),
                Tag::Owned => Slot::Owned((word >> 32) as u32, word as u32),
                Tag::Enum => Slot::Enum(word as u32),
                Tag::Far => return self.far(i),
            }),
            _ => self.far(i),
        }
    }

    /// Slot `i` from `more`.
    #[inline(never)]
    fn far(&self, i: usize) -> Option<Slot<'a>> {
        if i >= self.len() {
            return None;
        }
        Some(
            self.more
                .as_ref()
                .and_then(|m| m.get(i).copied())
                .unwrap_or(Slot::Unset),
        )
    }

    /// Slot `i`'s [`SlotKey`] (no slot is rebuilt).
    #[inline(always)]
    pub fn key(&self, i: usize) -> SlotKey {
        match (self.tags.get(i), self.words.get(i)) {
            (Some(tag), Some(&word)) => match tag {
                Tag::Unset => SlotKey::Unset,
                Tag::Bool => SlotKey::Bool(word != 0),
                Tag::Int => SlotKey::Int(word as i64),
                Tag::Float => SlotKey::Float(f64::from_bits(word)),
                Tag::Str | Tag::Owned => SlotKey::Literal(word as u32),
                Tag::Enum => SlotKey::Enum(word as u32),
                Tag::Far => self.get(i).map_or(SlotKey::Unset, SlotKey::from),
            },
            _ => self.get(i).map_or(SlotKey::Unset, SlotKey::from),
        }
    }

    /// The word of slot `i` when its tag is `tag` (what the specialised
    /// tests read: no slot is rebuilt). A `Far` slot inline is a string,
    /// never of the tags asked for here.
    #[inline(always)]
    fn word_if(&self, i: usize, tag: Tag) -> Option<u64> {
        match (self.tags.get(i), self.words.get(i)) {
            (Some(t), Some(&w)) => (*t == tag).then_some(w),
            _ => self.far_word(i, tag),
        }
    }

    /// [`Slots::word_if`] past the inline slots.
    #[inline(never)]
    fn far_word(&self, i: usize, tag: Tag) -> Option<u64> {
        match (self.get(i)?, tag) {
            (Slot::Bool(b), Tag::Bool) => Some(u64::from(b)),
            (Slot::Int(x), Tag::Int) => Some(x as u64),
            (Slot::Float(x), Tag::Float) => Some(x.to_bits()),
            (Slot::Enum(e), Tag::Enum) => Some(u64::from(e)),
            _ => None,
        }
    }

    /// Slot `i`'s value if it is a bool.
    #[inline(always)]
    pub fn bool(&self, i: usize) -> Option<bool> {
        self.word_if(i, Tag::Bool).map(|w| w != 0)
    }

    /// Slot `i`'s value if it is an int.
    #[inline(always)]
    pub fn int(&self, i: usize) -> Option<i64> {
        self.word_if(i, Tag::Int).map(|w| w as i64)
    }

    /// Slot `i`'s value if it is a float.
    #[inline(always)]
    pub fn float(&self, i: usize) -> Option<f64> {
        self.word_if(i, Tag::Float).map(f64::from_bits)
    }

    /// Slot `i`'s enum index if it is an enum value.
    #[inline(always)]
    pub fn enum_index(&self, i: usize) -> Option<u32> {
        self.word_if(i, Tag::Enum).map(|w| w as u32)
    }

    /// The literal id of slot `i` if it is a string.
    #[inline(always)]
    pub fn literal(&self, i: usize) -> Option<u32> {
        match (self.tags.get(i), self.words.get(i)) {
            (Some(Tag::Str | Tag::Owned), Some(&w)) => Some(w as u32),
            (Some(Tag::Far), _) | (None, _) | (_, None) => match self.get(i)? {
                Slot::Str(_, id) | Slot::Owned(_, id) => Some(id),
                _ => None,
            },
            (Some(_), Some(_)) => None,
        }
    }

    /// Whether slot `i` is set.
    #[inline(always)]
    pub fn is_set(&self, i: usize) -> bool {
        match self.tags.get(i) {
            Some(t) => *t != Tag::Unset,
            None => self.get(i).is_some_and(|s| s != Slot::Unset),
        }
    }

    /// Sets slot `i` (nothing past the schema's fields).
    #[inline(always)]
    pub fn set(&mut self, i: usize, slot: Slot<'a>) {
        if i >= self.len() {
            return;
        }
        let (tag, word) = match slot {
            Slot::Unset => (Tag::Unset, 0),
            Slot::Bool(b) => (Tag::Bool, u64::from(b)),
            Slot::Int(x) => (Tag::Int, x as u64),
            Slot::Float(x) => (Tag::Float, x.to_bits()),
            Slot::Str(text, id) => match self.text_room(i) {
                Some(at) => {
                    if let Some(t) = self.texts.get_mut(at) {
                        *t = text;
                    }
                    (Tag::Str, (at as u64) << 32 | u64::from(id))
                }
                None => (Tag::Far, 0),
            },
            Slot::Owned(at, id) => (Tag::Owned, u64::from(at) << 32 | u64::from(id)),
            Slot::Enum(e) => (Tag::Enum, u64::from(e)),
        };
        match (self.tags.get_mut(i), self.words.get_mut(i)) {
            (Some(t), Some(w)) if tag != Tag::Far => {
                *t = tag;
                *w = word;
            }
            (t, _) => {
                if let Some(t) = t {
                    *t = Tag::Far;
                }
                self.set_far(i, slot);
            }
        }
    }

    /// Where the text of a string for inline slot `i` goes: the place its
    /// last string had, else the next free one (`None`: none is left, or
    /// `i` is not inline).
    #[inline(always)]
    fn text_room(&mut self, i: usize) -> Option<usize> {
        match (self.tags.get(i), self.words.get(i)) {
            (Some(Tag::Str), Some(&w)) => Some((w >> 32) as usize),
            (Some(_), Some(_)) if usize::from(self.n_texts) < INLINE_TEXTS => {
                let at = usize::from(self.n_texts);
                self.n_texts += 1;
                Some(at)
            }
            _ => None,
        }
    }

    /// Sets slot `i` in `more` (allocated, for every field, the first time
    /// a value other than unset goes there).
    #[inline(never)]
    fn set_far(&mut self, i: usize, slot: Slot<'a>) {
        if self.more.is_none() && slot == Slot::Unset {
            return;
        }
        let len = self.len();
        let more = self
            .more
            .get_or_insert_with(|| Box::new(vec![Slot::Unset; len]));
        if let Some(s) = more.get_mut(i) {
            *s = slot;
        }
    }

    /// Every field unset (what was allocated is kept).
    pub fn clear(&mut self) {
        self.tags = [Tag::Unset; INLINE_FIELDS];
        self.n_texts = 0;
        if let Some(more) = &mut self.more {
            more.iter_mut().for_each(|s| *s = Slot::Unset);
        }
    }

    /// Every slot, in field order.
    pub fn iter(&self) -> impl Iterator<Item = Slot<'a>> + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_reads_back_as_written() {
        let values = [
            Slot::Unset,
            Slot::Bool(true),
            Slot::Bool(false),
            Slot::Int(-7),
            Slot::Int(i64::MIN),
            Slot::Float(-0.5),
            Slot::Str("pro", 3),
            Slot::Str("", u32::MAX),
            Slot::Owned(u32::MAX, 2),
            Slot::Enum(63),
        ];
        let mut slots = Slots::unset(INLINE_FIELDS + 3);
        for (i, v) in values.iter().enumerate() {
            for at in [i % INLINE_FIELDS, INLINE_FIELDS + i % 3] {
                slots.set(at, *v);
                assert_eq!(slots.get(at), Some(*v), "slot {at}");
                assert_eq!(slots.key(at), SlotKey::from(*v), "key {at}");
            }
        }
        for at in [4, INLINE_FIELDS + 1] {
            slots.set(at, Slot::Int(-3));
            assert_eq!(
                (slots.int(at), slots.float(at), slots.bool(at)),
                (Some(-3), None, None)
            );
            slots.set(at, Slot::Float(2.5));
            assert_eq!((slots.float(at), slots.int(at)), (Some(2.5), None));
            slots.set(at, Slot::Bool(true));
            assert_eq!((slots.bool(at), slots.enum_index(at)), (Some(true), None));
            slots.set(at, Slot::Enum(5));
            assert_eq!((slots.enum_index(at), slots.literal(at)), (Some(5), None));
            slots.set(at, Slot::Str("x", 7));
            assert_eq!((slots.literal(at), slots.is_set(at)), (Some(7), true));
            slots.set(at, Slot::Owned(1, 8));
            assert_eq!(slots.literal(at), Some(8));
            slots.set(at, Slot::Unset);
            assert!(!slots.is_set(at));
        }
        slots.set(INLINE_FIELDS + 3, Slot::Int(1));
        assert_eq!(slots.get(INLINE_FIELDS + 3), None, "past the fields");
    }

    /// The part of a context `decide` reads comes first and is small.
    #[test]
    fn tags_and_words_lead() {
        assert_eq!(std::mem::offset_of!(Slots<'_>, tags), 0);
        assert_eq!(std::mem::offset_of!(Slots<'_>, words), 16);
        assert_eq!(std::mem::size_of::<Slots<'_>>(), 168);
    }

    /// Strings past the inline texts go to the heap and read back the
    /// same; a string set again keeps its place; clearing frees them all.
    #[test]
    fn strings_past_the_inline_texts_spill() {
        let texts = ["a", "b", "c", "d", "e", "f"];
        let mut slots = Slots::unset(INLINE_FIELDS);
        for round in 0..2 {
            for (i, t) in texts.iter().enumerate() {
                slots.set(i, Slot::Str(t, i as u32));
            }
            slots.set(0, Slot::Str("z", 9));
            for (i, t) in texts.iter().enumerate().skip(1) {
                assert_eq!(slots.get(i), Some(Slot::Str(t, i as u32)), "round {round}");
                assert_eq!(slots.literal(i), Some(i as u32));
                assert!(slots.is_set(i));
            }
            assert_eq!(slots.get(0), Some(Slot::Str("z", 9)));
            assert_eq!(usize::from(slots.n_texts), INLINE_TEXTS);
            assert!(slots.more.is_some(), "two strings spilled");
            slots.clear();
            assert!((0..INLINE_FIELDS).all(|i| slots.get(i) == Some(Slot::Unset)));
        }
    }
}
