//! Lowering literals: strings (with their escapes checked), numbers and
//! integers (range-checked), the literals of conditions and tests, and
//! the JSON-like values and objects of `provider` and `params`.

use pest::iterators::Pair;

use super::{Lower, Result};
use crate::ast::{Entries, Literal, Number, Value};
use crate::error::ParseError;
use crate::grammar::Rule;
use crate::span::{Span, Spanned};

impl Lower<'_> {
    pub(super) fn object(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Entries>> {
        let span = self.span(&pair);
        let mut entries = Vec::new();
        for p in self.kids(pair) {
            let mut k = self.kids(p);
            let key_pair = self.kids(k.next()?).next()?;
            let key = if key_pair.as_rule() == Rule::string {
                self.string(key_pair)?
            } else {
                self.text(&key_pair)
            };
            let value = self.value(k.next()?)?;
            entries.push((key, value));
        }
        Ok(Spanned::new(entries, span))
    }

    fn value(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Value>> {
        let span = self.span(&pair);
        let inner = self.kids(pair).next()?;
        let value = match inner.as_rule() {
            Rule::bad_number => return Err(self.bad_number(&inner)),
            Rule::string => Value::String(self.string(inner)?.node),
            Rule::number => Value::Number(self.number(inner)?.node),
            Rule::kw_true => Value::Bool(true),
            Rule::kw_false => Value::Bool(false),
            Rule::array => Value::Array(
                self.kids(inner)
                    .map(|v| self.value(v))
                    .collect::<Result<_>>()?,
            ),
            _ => Value::Object(self.object(inner)?.node),
        };
        Ok(Spanned::new(value, span))
    }

    pub(super) fn literal(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Literal>> {
        let span = self.span(&pair);
        let inner = self.kids(pair).next()?;
        let lit = match inner.as_rule() {
            Rule::bad_number => return Err(self.bad_number(&inner)),
            Rule::string => Literal::String(self.string(inner)?.node),
            Rule::number => Literal::Number(self.number(inner)?.node),
            Rule::kw_true => Literal::Bool(true),
            _ => Literal::Bool(false),
        };
        Ok(Spanned::new(lit, span))
    }

    fn bad_number(&self, pair: &Pair<'_, Rule>) -> ParseError {
        ParseError::BadNumber {
            span: self.span(pair),
            text: pair.as_str().to_string(),
            reason: "a number needs digits on both sides of the point",
        }
    }

    pub(super) fn string(&self, pair: Pair<'_, Rule>) -> Result<Spanned<String>> {
        let span = self.span(&pair);
        let text = pair.as_str();
        // Most strings have neither escapes nor control characters: their
        // text between the quotes is their value.
        let plain = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .filter(|inner| !inner.bytes().any(|b| b == b'\\' || b < 0x20));
        if let Some(inner) = plain {
            return Ok(Spanned::new(inner.to_string(), span));
        }
        serde_json::from_str::<String>(text)
            .map(|s| Spanned::new(s, span))
            .map_err(|e| {
                let reason = e.to_string();
                let reason = reason
                    .split(" at line ")
                    .next()
                    .unwrap_or(&reason)
                    .to_string();
                // serde_json's column (1-based, in bytes) is just past the
                // problem; point at the escape it belongs to.
                let at = e.column().saturating_sub(1).min(text.len());
                let start = text
                    .get(..at)
                    .and_then(|head| head.rfind('\\'))
                    .unwrap_or(0);
                let span = Span::new(
                    span.file,
                    span.start as usize + start,
                    span.start as usize + at.max(start + 1),
                );
                ParseError::BadString { span, reason }
            })
    }

    pub(super) fn number(&self, pair: Pair<'_, Rule>) -> Result<Spanned<Number>> {
        let span = self.span(&pair);
        let text = pair.as_str();
        let bad = |reason| ParseError::BadNumber {
            span,
            text: text.to_string(),
            reason,
        };
        let n = if text.contains(['.', 'e', 'E']) {
            match text.parse::<f64>() {
                Ok(f) if f.is_finite() => Number::Float(f),
                _ => return Err(bad("number out of range")),
            }
        } else {
            Number::Int(
                text.parse::<i64>()
                    .map_err(|_| bad("integer out of the 64-bit range"))?,
            )
        };
        Ok(Spanned::new(n, span))
    }

    pub(super) fn int(&self, pair: Pair<'_, Rule>) -> Result<Spanned<i64>> {
        let text = pair.as_str().to_string();
        let n = self.number(pair)?;
        match n.node {
            Number::Int(i) => Ok(Spanned::new(i, n.span)),
            Number::Float(_) => Err(ParseError::BadNumber {
                span: n.span,
                text,
                reason: "expected an integer",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lower::tests::positions;
    use crate::Code;

    #[test]
    fn lexical_errors() {
        assert_eq!(
            positions("rule a: when p == \"abc -> m"),
            vec![(Code::E001, 1, 19)]
        );
        assert_eq!(
            positions("rule a: when p matches /abc -> m"),
            vec![(Code::E001, 1, 24)]
        );
        assert_eq!(
            positions("rule a: when p == \"\\q\" -> m"),
            vec![(Code::E001, 1, 20)]
        );
        assert_eq!(
            positions("rule a: when p == 99999999999999999999 -> m"),
            vec![(Code::E001, 1, 19)]
        );
        assert_eq!(
            positions("rule a: otherwise -> m max_tokens 1.5"),
            vec![(Code::E001, 1, 35)]
        );
        assert_eq!(
            positions("rule a: when p == 1e999 -> m"),
            vec![(Code::E001, 1, 19)]
        );
        assert_eq!(
            positions("rule a: when hour -> m"),
            vec![(Code::E001, 1, 14)]
        );
        assert_eq!(positions("# nothing\n"), vec![(Code::E001, 2, 1)]);
        assert_eq!(
            positions("rule a: when x -> split by u { a 33.333%: m b 66.667%: n }"),
            vec![(Code::E009, 1, 34), (Code::E009, 1, 46)]
                .into_iter()
                .take(1)
                .collect::<Vec<_>>()
        );
    }
}
