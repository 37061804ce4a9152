//! Habits from other languages that the grammar rejects (`&&`, `||`, `!`,
//! `//` comments, single quotes, `=>`, arithmetic): the help line of the
//! syntax error shows the switchyard way (docs/diagnostics/E001.md).

/// The help for a syntax error whose offending text starts `rest`, with
/// `before` the statement's text up to it; `None` when it is no known
/// slip.
pub(super) fn help(rest: &str, before: &str) -> Option<String> {
    let two = rest.get(..2).unwrap_or(rest);
    Some(match two {
        "&&" => "write `and`: `a and b`".into(),
        "||" => "write `or`: `a or b`".into(),
        "//" => "comments start with `#`: `# like this`".into(),
        "=>" => "a rule's target follows `->`: `when COND -> MODEL`".into(),
        "!=" => return None,
        _ => match rest.chars().next()? {
            '!' => {
                let after = rest.get(1..).unwrap_or("").trim_start();
                let word = after
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .next()
                    .filter(|w| !w.is_empty())
                    .unwrap_or("(...)");
                format!("write `not`: `not {word}`")
            }
            '\'' => {
                let inner = rest.get(1..)?;
                let inner = inner.get(..inner.find(['\'', '\n'])?).unwrap_or("");
                format!("strings take double quotes: `\"{inner}\"`")
            }
            '*' | '/' | '+' | '-' | '%' => arithmetic(rest, before),
            _ => return None,
        },
    })
}

/// The help for `FIELD * N > M` and the like: there is no arithmetic, so
/// the number is worked out beforehand. Shown with the numbers of the
/// condition when it is a product or quotient compared with a number.
fn arithmetic(rest: &str, before: &str) -> String {
    const NONE: &str = "conditions do no arithmetic: compare the field with a number worked \
                        out beforehand, e.g. `budget * 0.9 > 1.0` as `budget > 1.111`";
    let field = before
        .trim_end()
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    let mut words = rest.split_whitespace();
    let (Some(op), Some(n), Some(cmp), Some(m)) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return NONE.into();
    };
    let (Ok(n), Ok(m)) = (n.parse::<f64>(), m.parse::<f64>()) else {
        return NONE.into();
    };
    let flip = |c: &str| -> Option<&'static str> {
        Some(match c {
            "<" => ">",
            "<=" => ">=",
            ">" => "<",
            ">=" => "<=",
            "==" => "==",
            "!=" => "!=",
            _ => return None,
        })
    };
    let Some(same) = flip(cmp).and_then(flip) else {
        return NONE.into();
    };
    // `x * n cmp m` is `x cmp m / n` (the comparison turned round when n
    // is negative); `x / n cmp m` is `x cmp m * n`.
    let (bound, negative) = match op {
        "*" if n != 0.0 => (m / n, n < 0.0),
        "/" if n != 0.0 => (m * n, n < 0.0),
        _ => return NONE.into(),
    };
    let cmp = if negative {
        flip(same).unwrap_or(same)
    } else {
        same
    };
    if field.is_empty() || !bound.is_finite() {
        return NONE.into();
    }
    format!(
        "conditions do no arithmetic: work the number out, e.g. `{field} {cmp} {}`",
        shown(bound)
    )
}

/// A number with at most 6 decimals, always with a point (a float).
fn shown(x: f64) -> String {
    let text = format!("{x:.6}");
    let text = text.trim_end_matches('0');
    if text.ends_with('.') {
        format!("{text}0")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::help;

    #[test]
    fn each_slip_gets_its_fix() {
        let cases = [
            ("&& b", "write `and`"),
            ("|| b", "write `or`"),
            ("!tools", "write `not`: `not tools`"),
            ("!(a)", "write `not`: `not (...)`"),
            ("// note", "comments start with `#`"),
            ("'pro' -> m", "`\"pro\"`"),
            ("=> m", "`->`"),
            ("* 0.9 > 1.0 -> m", "`budget > 1.111111`"),
            ("* -2 > 1 -> m", "`budget < -0.5`"),
            ("/ 2 <= 3 -> m", "`budget <= 6.0`"),
            (
                "+ 1 > 2 -> m",
                "e.g. `budget * 0.9 > 1.0` as `budget > 1.111`",
            ),
        ];
        for (rest, want) in cases {
            let got = help(rest, "rule a: when budget ").unwrap_or_default();
            assert!(got.contains(want), "{rest}: {got}");
        }
        assert_eq!(help("!= 3", ""), None);
        assert_eq!(help("claude", ""), None);
    }
}
