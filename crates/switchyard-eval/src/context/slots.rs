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

/// The kind of a stored value: [`Slot`]'s variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Tag {
    Unset,
    Bool,
    Int,
    Float,
    Str,
    Owned,
    Enum,
}

pub(crate) const INLINE_FIELDS: usize = 10;

/// The values of a context: the first [`INLINE_FIELDS`] inline, split
/// into tags, words and texts (a slot is rebuilt from them when read); the
/// fields past them, if any, as whole slots in one vector.
#[derive(Clone, Debug)]
#[repr(C)]
pub(crate) struct Slots<'a> {
    tags: [Tag; INLINE_FIELDS],
    words: [u64; INLINE_FIELDS],
    /// The text of a [`Slot::Str`] (`None` for other values: all zeros,
    /// which a new context writes fastest).
    texts: [Option<&'a str>; INLINE_FIELDS],
    /// The slots of fields `INLINE_FIELDS..len` (none, and nothing
    /// allocated, for smaller schemas). Boxed: one word in every context.
    #[allow(
        clippy::box_collection,
        reason = "one word in every context instead of three"
    )]
    more: Option<Box<Vec<Slot<'a>>>>,
    len: usize,
}

impl<'a> Slots<'a> {
    /// `len` fields, all unset (only the inline ones: see
    /// [`Slots::make_room`]).
    #[inline(always)]
    pub fn unset(len: usize) -> Self {
        Slots {
            tags: [Tag::Unset; INLINE_FIELDS],
            words: [0; INLINE_FIELDS],
            texts: [None; INLINE_FIELDS],
            more: None,
            len,
        }
    }

    /// The number of fields.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Allocates the slots past the inline ones, unset.
    pub fn make_room(&mut self) {
        let more = self.len.saturating_sub(INLINE_FIELDS);
        if more > 0 {
            self.more = Some(Box::new(vec![Slot::Unset; more]));
        }
    }

    /// Slot `i` (inline slots past the schema's fields are never set).
    #[inline(always)]
    pub fn get(&self, i: usize) -> Option<Slot<'a>> {
        match (self.tags.get(i), self.words.get(i)) {
            (Some(tag), Some(&word)) => Some(match tag {
                Tag::Unset => Slot::Unset,
                Tag::Bool => Slot::Bool(word != 0),
                Tag::Int => Slot::Int(word as i64),
                Tag::Float => Slot::Float(f64::from_bits(word)),
                Tag::Str => Slot::Str(
                    self.texts.get(i).copied().flatten().unwrap_or(""),
                    word as u32,
                ),
                Tag::Owned => Slot::Owned((word >> 32) as u32, word as u32),
                Tag::Enum => Slot::Enum(word as u32),
            }),
            _ => self
                .more
                .as_ref()?
                .get(i.wrapping_sub(INLINE_FIELDS))
                .copied(),
        }
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
            },
            _ => self.get(i).map_or(SlotKey::Unset, SlotKey::from),
        }
    }

    /// The word of slot `i` when its tag is `tag` (what the specialised
    /// tests read: no slot is rebuilt).
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
            (Some(_), Some(_)) => None,
            _ => match self.get(i)? {
                Slot::Str(_, id) | Slot::Owned(_, id) => Some(id),
                _ => None,
            },
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
        if i >= self.len {
            return;
        }
        let (tag, word) = match slot {
            Slot::Unset => (Tag::Unset, 0),
            Slot::Bool(b) => (Tag::Bool, u64::from(b)),
            Slot::Int(x) => (Tag::Int, x as u64),
            Slot::Float(x) => (Tag::Float, x.to_bits()),
            Slot::Str(text, id) => {
                if let Some(t) = self.texts.get_mut(i) {
                    *t = Some(text);
                }
                (Tag::Str, u64::from(id))
            }
            Slot::Owned(at, id) => (Tag::Owned, u64::from(at) << 32 | u64::from(id)),
            Slot::Enum(e) => (Tag::Enum, u64::from(e)),
        };
        match (self.tags.get_mut(i), self.words.get_mut(i)) {
            (Some(t), Some(w)) => {
                *t = tag;
                *w = word;
            }
            _ => {
                if let Some(s) = self
                    .more
                    .as_mut()
                    .and_then(|m| m.get_mut(i.wrapping_sub(INLINE_FIELDS)))
                {
                    *s = slot;
                }
            }
        }
    }

    /// Every slot, in field order.
    pub fn iter(&self) -> impl Iterator<Item = Slot<'a>> + '_ {
        (0..self.len).map(|i| self.get(i).unwrap_or_default())
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
        slots.make_room();
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
    }
}
