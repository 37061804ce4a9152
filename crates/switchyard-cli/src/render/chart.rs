//! Numbers and bar charts for the text reports of `bench` and `diff`:
//! `1,234,567`, `2.10 µs`, `45.1%`, and bars drawn with Unicode block
//! elements in eighths of a character (`████▌`).

/// The eighth blocks, from one eighth to a full block.
const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];

/// A bar of `value / max` times `width` characters, padded with spaces to
/// `width`. A non-zero value always shows at least an eighth.
pub fn bar(value: u64, max: u64, width: usize) -> String {
    let eighths = if max == 0 {
        0
    } else {
        let exact = value as f64 / max as f64 * (width * 8) as f64;
        let rounded = exact.round() as usize;
        if value > 0 {
            rounded.clamp(1, width * 8)
        } else {
            0
        }
    };
    let full = eighths / 8;
    let mut out: String = std::iter::repeat_n('█', full).collect();
    let mut used = full;
    if let Some(&part) = (eighths % 8).checked_sub(1).and_then(|i| EIGHTHS.get(i)) {
        out.push(part);
        used += 1;
    }
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// `n` with a comma between groups of three digits: `1,234,567`.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` and `word`, plural unless `n` is 1, `n` grouped: `10,000 rules`.
pub fn count(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{} {word}s", group(n))
    }
}

/// A duration in nanoseconds with three significant digits and a unit:
/// `85 ns`, `2.10 µs`, `1.23 ms`, `4.56 s`.
pub fn nanos(ns: u64) -> String {
    let x = ns as f64;
    let (value, unit) = if ns < 1_000 {
        return format!("{ns} ns");
    } else if ns < 1_000_000 {
        (x / 1e3, "µs")
    } else if ns < 1_000_000_000 {
        (x / 1e6, "ms")
    } else {
        (x / 1e9, "s")
    };
    let decimals = if value < 10.0 {
        2
    } else if value < 100.0 {
        1
    } else {
        0
    };
    format!("{value:.decimals$} {unit}")
}

/// `part / whole` as a percentage with one decimal: `45.1%` (`0.0%` of
/// nothing).
pub fn percent(part: u64, whole: u64) -> String {
    format!("{:.1}%", share(part, whole) * 100.0)
}

/// `part / whole`, 0 when `whole` is 0.
pub fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// A USD amount with four decimals (`$0.1234`), more for amounts below a
/// cent so that they do not read as zero.
pub fn usd(x: f64) -> String {
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    if a != 0.0 && a < 0.0001 {
        format!("{sign}${a:.8}")
    } else {
        format!("{sign}${a:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_padded_and_never_hide_a_hit() {
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██  ");
        assert_eq!(bar(3, 16, 2), "▍ ");
        assert_eq!(bar(1, 1_000_000, 3), "▏  ");
        assert_eq!(bar(0, 10, 2), "  ");
        assert_eq!(bar(0, 0, 2), "  ");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_000), "1,000");
        assert_eq!(group(1_234_567), "1,234,567");
        assert_eq!(count(1, "rule"), "1 rule");
        assert_eq!(count(10_000, "rule"), "10,000 rules");
        assert_eq!(nanos(85), "85 ns");
        assert_eq!(nanos(2_104), "2.10 µs");
        assert_eq!(nanos(12_340), "12.3 µs");
        assert_eq!(nanos(1_500_000), "1.50 ms");
        assert_eq!(nanos(4_560_000_000), "4.56 s");
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(1, 0), "0.0%");
        assert_eq!(usd(0.12345), "$0.1235");
        assert_eq!(usd(-0.5), "-$0.5000");
        assert_eq!(usd(0.000_012), "$0.00001200");
        assert_eq!(usd(0.0), "$0.0000");
    }
}
