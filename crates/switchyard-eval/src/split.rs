//! Sticky, reproducible split assignment (docs/reference/splits.md): FNV-1a 64 over
//! `RULE_NAME`, a zero byte and the key's value as text; bucket = hash mod
//! 10000; the first arm whose cumulative weight in basis points exceeds the
//! bucket wins.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// An FNV-1a 64-bit hasher.
#[derive(Clone, Copy, Debug)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(FNV_OFFSET)
    }
}

impl Fnv1a {
    /// Feeds bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }

    /// The hash so far.
    pub fn finish(self) -> u64 {
        self.0
    }
}

/// The bucket (0..10000) of a key value for a rule. `key` is the value as
/// text: strings as they are, integers in decimal, bools `true`/`false`.
///
/// ```
/// use switchyard_eval::split_bucket;
/// assert!(split_bucket("chat-ab", "user-42") < 10_000);
/// assert_eq!(split_bucket("chat-ab", "user-42"), split_bucket("chat-ab", "user-42"));
/// ```
pub fn split_bucket(rule: &str, key: &str) -> u32 {
    let mut h = Fnv1a::default();
    h.write(rule.as_bytes());
    h.write(&[0]);
    h.write(key.as_bytes());
    // The remainder is below 10000, so it fits.
    u32::try_from(h.finish() % 10_000).unwrap_or(0)
}

/// Index of the arm a bucket falls in, given the arms' weights in basis
/// points (adding up to 10000).
pub(crate) fn arm_for_bucket(weights: impl IntoIterator<Item = u32>, bucket: u32) -> usize {
    let mut cumulative = 0u32;
    let mut last = 0;
    for (i, w) in weights.into_iter().enumerate() {
        cumulative = cumulative.saturating_add(w);
        if cumulative > bucket {
            return i;
        }
        last = i;
    }
    last
}

/// Writes an integer in decimal into a stack buffer, returning the text.
pub(crate) fn int_text(n: i64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    let neg = n < 0;
    let mut v = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_vectors() {
        let hash = |s: &str| {
            let mut h = Fnv1a::default();
            h.write(s.as_bytes());
            h.finish()
        };
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn bucket_uses_a_zero_separator() {
        let mut h = Fnv1a::default();
        h.write(b"r\0k");
        assert_eq!(u64::from(split_bucket("r", "k")), h.finish() % 10_000);
    }

    #[test]
    fn arms_by_cumulative_weight() {
        assert_eq!(arm_for_bucket([9000, 1000], 0), 0);
        assert_eq!(arm_for_bucket([9000, 1000], 8999), 0);
        assert_eq!(arm_for_bucket([9000, 1000], 9000), 1);
        assert_eq!(arm_for_bucket([9000, 1000], 9999), 1);
    }

    #[test]
    fn int_text_is_decimal() {
        let mut buf = [0u8; 20];
        assert_eq!(int_text(0, &mut buf), "0");
        assert_eq!(int_text(-42, &mut buf), "-42");
        assert_eq!(int_text(i64::MIN, &mut buf), "-9223372036854775808");
        assert_eq!(int_text(i64::MAX, &mut buf), "9223372036854775807");
    }
}
