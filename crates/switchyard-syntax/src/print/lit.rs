//! Canonical spellings of literals: strings, numbers, weights, object keys.

use std::fmt::Write as _;

use crate::ast::{Literal, Number};

/// Appends `s` as a JSON string literal, escaped exactly as
/// `serde_json::to_string` escapes it: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`,
/// `\t`, other control characters as `\u00xx` (lower-case hex), everything
/// else (including `/` and non-ASCII characters) as itself.
pub(crate) fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends a number: integers plainly, floats in Rust's `{:?}` form, which
/// is the shortest text that reads back as the same `f64` and always has a
/// `.` or an exponent (`1.0`, `0.001`, `1e-7`, `1e300`, `-0.0`).
pub(crate) fn number(out: &mut String, n: Number) {
    let _ = match n {
        Number::Int(i) => write!(out, "{i}"),
        Number::Float(f) => write!(out, "{f:?}"),
    };
}

/// Appends a literal.
pub(crate) fn literal(out: &mut String, lit: &Literal) {
    match lit {
        Literal::String(s) => string(out, s),
        Literal::Number(n) => number(out, *n),
        Literal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

/// Appends a split weight given in basis points, with as few decimals as
/// needed: 9000 is `90%`, 1250 `12.5%`, 1 `0.01%`.
pub(crate) fn weight(out: &mut String, basis_points: u32) {
    let whole = basis_points / 100;
    let frac = basis_points % 100;
    let _ = if frac == 0 {
        write!(out, "{whole}%")
    } else if frac % 10 == 0 {
        write!(out, "{whole}.{}%", frac / 10)
    } else {
        write!(out, "{whole}.{frac:02}%")
    };
}

/// Appends an object key: bare when it matches `[A-Za-z_][A-Za-z0-9_-]*`,
/// else as a quoted string.
pub(crate) fn key(out: &mut String, k: &str) {
    let mut chars = k.chars();
    let bare = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        out.push_str(k);
    } else {
        string(out, k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl FnOnce(&mut String)) -> String {
        let mut out = String::new();
        f(&mut out);
        out
    }

    #[test]
    fn strings_are_escaped_like_serde_json() {
        for text in [
            "",
            "plain",
            "quote \" and backslash \\",
            "slash / stays",
            "\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}",
            "ünïcödé 🚀 \u{2028}",
        ] {
            let ours = s(|o| string(o, text));
            assert_eq!(
                Ok(ours),
                serde_json::to_string(text).map_err(|e| e.to_string())
            );
        }
    }

    #[test]
    fn numbers_keep_their_kind_and_value() {
        assert_eq!(s(|o| number(o, Number::Int(-42))), "-42");
        assert_eq!(
            s(|o| number(o, Number::Int(i64::MIN))),
            "-9223372036854775808"
        );
        assert_eq!(s(|o| number(o, Number::Float(1.0))), "1.0");
        assert_eq!(s(|o| number(o, Number::Float(0.001))), "0.001");
        assert_eq!(s(|o| number(o, Number::Float(1e-7))), "1e-7");
        assert_eq!(s(|o| number(o, Number::Float(1e300))), "1e300");
        assert_eq!(s(|o| number(o, Number::Float(-2.5e16))), "-2.5e16");
        for f in [0.1, 1.0 / 3.0, f64::MAX, f64::MIN_POSITIVE, 5e-324, -0.0] {
            let text = s(|o| number(o, Number::Float(f)));
            assert!(text.contains('.') || text.contains('e'), "{text}");
            assert_eq!(text.parse::<f64>().ok(), Some(f));
        }
    }

    #[test]
    fn weights_use_as_few_decimals_as_needed() {
        assert_eq!(s(|o| weight(o, 9000)), "90%");
        assert_eq!(s(|o| weight(o, 1250)), "12.5%");
        assert_eq!(s(|o| weight(o, 1205)), "12.05%");
        assert_eq!(s(|o| weight(o, 1)), "0.01%");
        assert_eq!(s(|o| weight(o, 0)), "0%");
        assert_eq!(s(|o| weight(o, 10000)), "100%");
    }

    #[test]
    fn keys_are_bare_when_they_can_be() {
        assert_eq!(s(|o| key(o, "allow_fallbacks")), "allow_fallbacks");
        assert_eq!(s(|o| key(o, "x-y_2")), "x-y_2");
        assert_eq!(s(|o| key(o, "true")), "true");
        assert_eq!(s(|o| key(o, "2x")), "\"2x\"");
        assert_eq!(s(|o| key(o, "a.b")), "\"a.b\"");
        assert_eq!(s(|o| key(o, "")), "\"\"");
    }
}
