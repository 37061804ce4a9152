//! Reading a JSON value as what the JSON form expects at its place (a
//! string, an object, an array, an integer, a name), reporting E021 with
//! the value's JSON pointer when it is not.

use super::lower::Lowering;
use super::value::{Json, Kind, Member, Str};
use super::Path;
use crate::error::ParseError;
use crate::span::{Span, Spanned};

impl Lowering<'_> {
    /// An E021 at `span`.
    pub fn shape(
        &mut self,
        span: Span,
        path: &Path,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.errors.push(ParseError::JsonShape {
            span,
            path: path.to_string(),
            message: message.into(),
            help: help.into(),
        });
    }

    /// The value as a string, or an E021.
    pub fn string<'j>(&mut self, v: &'j Json, path: &Path) -> Option<&'j Str> {
        match &v.kind {
            Kind::String(s) => Some(s),
            _ => {
                let found = v.describe();
                self.shape(
                    v.span,
                    path,
                    format!("expected a string, found {found}"),
                    "write it in double quotes",
                );
                None
            }
        }
    }

    /// The value as an object's members, or an E021.
    pub fn object<'j>(&mut self, v: &'j Json, path: &Path, what: &str) -> Option<&'j [Member]> {
        match &v.kind {
            Kind::Object(m) => Some(m),
            _ => {
                let found = v.describe();
                self.shape(
                    v.span,
                    path,
                    format!("expected an object ({what}), found {found}"),
                    "see docs/reference/json.md",
                );
                None
            }
        }
    }

    /// The value as an array, or an E021.
    pub fn array<'j>(&mut self, v: &'j Json, path: &Path, what: &str) -> Option<&'j [Json]> {
        match &v.kind {
            Kind::Array(a) => Some(a),
            _ => {
                let found = v.describe();
                self.shape(
                    v.span,
                    path,
                    format!("expected an array ({what}), found {found}"),
                    "see docs/reference/json.md",
                );
                None
            }
        }
    }

    /// An unknown key: E021 naming the nearest known one.
    pub fn unknown_key(&mut self, m: &Member, path: &Path, known: &[&str]) {
        let help = match crate::nearest(&m.key.value, known.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("the keys here are {}", list(known)),
        };
        self.shape(
            m.key.span,
            path,
            format!("unknown key `{}`", m.key.value),
            help,
        );
    }

    /// A name: the string's text, spanned without its quotes.
    pub fn name(&mut self, v: &Json, path: &Path) -> Option<Spanned<String>> {
        let s = self.string(v, path)?;
        Some(name_of(s))
    }

    /// A JSON integer, or an E021.
    pub fn int(&mut self, v: &Json, path: &Path) -> Option<Spanned<i64>> {
        match &v.kind {
            Kind::Number(n) => match n.parse::<i64>() {
                Ok(i) => Some(Spanned::new(i, v.span)),
                Err(_) => {
                    self.shape(
                        v.span,
                        path,
                        format!("expected an integer, found `{n}`"),
                        "integers are 64-bit and have no point or exponent",
                    );
                    None
                }
            },
            _ => {
                let found = v.describe();
                self.shape(
                    v.span,
                    path,
                    format!("expected an integer, found {found}"),
                    "write a number without quotes",
                );
                None
            }
        }
    }
}

/// A key or string as a name, spanned without its quotes.
pub(crate) fn name_of(s: &Str) -> Spanned<String> {
    let span = Span::new(
        s.span.file,
        s.span.start as usize + 1,
        (s.span.end as usize).saturating_sub(1),
    );
    Spanned::new(s.value.clone(), span)
}

/// `` `a`, `b` or `c` ``.
pub(crate) fn list(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}
