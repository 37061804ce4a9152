//! The text tests: `contains`, `starts_with`, `ends_with`, `words`, `len`.

use crate::ir::StrOp;

/// Whether `s contains/starts_with/ends_with needle` holds.
#[inline]
pub fn text_test(op: StrOp, s: &str, needle: &str) -> bool {
    match op {
        StrOp::Contains => s.contains(needle),
        StrOp::StartsWith => s.starts_with(needle),
        StrOp::EndsWith => s.ends_with(needle),
    }
}

/// `words(F)`: the number of whitespace-separated words (runs of
/// characters that are not Unicode `White_Space`).
pub fn word_count(s: &str) -> i64 {
    i64::try_from(s.split_whitespace().count()).unwrap_or(i64::MAX)
}

/// `len(F)`: the number of characters (Unicode scalar values).
pub fn char_count(s: &str) -> i64 {
    i64::try_from(s.chars().count()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(word_count("  a b\u{2003}c\n"), 3);
        assert_eq!(word_count(""), 0);
        assert_eq!(char_count("é\u{301}x"), 3);
        assert!(text_test(StrOp::EndsWith, "abc", "bc"));
        assert!(!text_test(StrOp::StartsWith, "abc", "bc"));
        assert!(text_test(StrOp::Contains, "abc", ""));
    }
}
