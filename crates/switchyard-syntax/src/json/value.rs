//! A JSON reader that keeps where every value, key and string character
//! came from, so that a ruleset written in JSON is reported against its own
//! lines and columns. Only what a ruleset needs: values are kept as text
//! (numbers) or decoded (strings) with their spans; nesting is bounded.

use crate::error::{LimitKind, ParseError};
use crate::span::{FileId, Span};

/// A JSON value with its span.
#[derive(Clone, Debug)]
pub(crate) struct Json {
    pub kind: Kind,
    pub span: Span,
}

/// What a JSON value is.
#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Null,
    Bool(bool),
    /// A number as written.
    Number(String),
    String(Str),
    Array(Vec<Json>),
    /// Members in order; a key may repeat (the ruleset reports it).
    Object(Vec<Member>),
}

/// One `"key": value` of an object.
#[derive(Clone, Debug)]
pub(crate) struct Member {
    pub key: Str,
    pub value: Json,
}

/// A decoded string and how its characters map back to the file.
#[derive(Clone, Debug)]
pub(crate) struct Str {
    /// The decoded value.
    pub value: String,
    /// The span of the literal, quotes included.
    pub span: Span,
    /// `(decoded offset, file offset)` at the start and end of every escape,
    /// after a first `(0, content start)`.
    marks: Vec<(usize, usize)>,
}

impl Str {
    /// The file offset of byte `offset` of the decoded value.
    pub fn file_offset(&self, offset: usize) -> usize {
        let i = self.marks.partition_point(|&(d, _)| d <= offset);
        let (d, f) = self
            .marks
            .get(i.saturating_sub(1))
            .copied()
            .unwrap_or((0, self.span.start as usize + 1));
        f + (offset - d)
    }
}

impl Json {
    /// What the value is, in words, for messages.
    pub fn describe(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number(_) => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }
}

/// Reads one JSON document. `max_depth` bounds the nesting of arrays and
/// objects (E013 past it).
pub(crate) fn read(text: &str, file: FileId, max_depth: usize) -> Result<Json, ParseError> {
    let mut r = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
        file,
        depth: 0,
        max_depth,
    };
    r.blank();
    let value = r.value()?;
    r.blank();
    if r.at < r.bytes.len() {
        return Err(r.error(r.at, "expected the end of the document after its value"));
    }
    Ok(value)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    file: FileId,
    depth: usize,
    max_depth: usize,
}

impl Reader<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn error(&self, at: usize, message: &str) -> ParseError {
        let end = self
            .text
            .get(at..)
            .and_then(|t| t.chars().next())
            .map_or(at, |c| at + c.len_utf8());
        let found = match self.text.get(at..end) {
            Some(c) if !c.is_empty() => format!("`{c}`"),
            _ => "the end of the file".into(),
        };
        ParseError::Json {
            span: self.span(at, end),
            message: format!("{message}, found {found}"),
        }
    }

    fn blank(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.bytes.get(self.at) == Some(&b) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Result<Json, ParseError> {
        let start = self.at;
        let kind = match self.bytes.get(self.at) {
            Some(b'{') => self.nested(Self::object)?,
            Some(b'[') => self.nested(Self::array)?,
            Some(b'"') => Kind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => self.word()?,
        };
        Ok(Json {
            kind,
            span: self.span(start, self.at),
        })
    }

    fn nested(&mut self, f: fn(&mut Self) -> Result<Kind, ParseError>) -> Result<Kind, ParseError> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(ParseError::Limit {
                span: self.span(self.at, self.at + 1),
                kind: LimitKind::Depth,
                limit: self.max_depth,
                found: self.depth,
            });
        }
        let kind = f(self)?;
        self.depth -= 1;
        Ok(kind)
    }

    fn word(&mut self) -> Result<Kind, ParseError> {
        for (word, kind) in [
            ("true", Kind::Bool(true)),
            ("false", Kind::Bool(false)),
            ("null", Kind::Null),
        ] {
            if self
                .text
                .get(self.at..)
                .is_some_and(|t| t.starts_with(word))
            {
                self.at += word.len();
                return Ok(kind);
            }
        }
        Err(self.error(self.at, "expected a JSON value"))
    }

    fn number(&mut self) -> Result<Kind, ParseError> {
        let start = self.at;
        self.eat(b'-');
        let digits = |r: &mut Self| {
            let from = r.at;
            while r.bytes.get(r.at).is_some_and(u8::is_ascii_digit) {
                r.at += 1;
            }
            r.at > from
        };
        if !digits(self) {
            return Err(self.error(self.at, "expected a digit"));
        }
        if self.eat(b'.') && !digits(self) {
            return Err(self.error(self.at, "expected a digit after the point"));
        }
        if self.eat(b'e') || self.eat(b'E') {
            let _ = self.eat(b'+') || self.eat(b'-');
            if !digits(self) {
                return Err(self.error(self.at, "expected a digit in the exponent"));
            }
        }
        Ok(Kind::Number(
            self.text.get(start..self.at).unwrap_or("").to_string(),
        ))
    }

    fn string(&mut self) -> Result<Str, ParseError> {
        let start = self.at;
        self.at += 1;
        let mut value = String::new();
        let mut marks = vec![(0, self.at)];
        loop {
            let run = self.at;
            while self
                .bytes
                .get(self.at)
                .is_some_and(|&b| b != b'"' && b != b'\\' && b >= 0x20)
            {
                self.at += 1;
            }
            value.push_str(self.text.get(run..self.at).unwrap_or(""));
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Str {
                        value,
                        span: self.span(start, self.at),
                        marks,
                    });
                }
                Some(b'\\') => {
                    let escape = self.at;
                    marks.push((value.len(), escape));
                    let c = self.escape()?;
                    value.push(c);
                    marks.push((value.len(), self.at));
                }
                Some(_) => {
                    return Err(
                        self.error(self.at, "a control character must be escaped in a string")
                    )
                }
                None => {
                    return Err(ParseError::Json {
                        span: self.span(start, self.at),
                        message: "unterminated string".into(),
                    })
                }
            }
        }
    }

    /// One escape, from its `\`.
    fn escape(&mut self) -> Result<char, ParseError> {
        let at = self.at;
        self.at += 1;
        let c = match self.bytes.get(self.at) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.at += 1;
                let hi = self.hex4(at)?;
                if (0xD800..0xDC00).contains(&hi) {
                    if !(self.eat(b'\\') && self.eat(b'u')) {
                        return Err(self.error(at, "a lone surrogate in a `\\u` escape"));
                    }
                    let lo = self.hex4(at)?;
                    let code = 0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
                    return char::from_u32(code)
                        .filter(|_| (0xDC00..0xE000).contains(&lo))
                        .ok_or_else(|| self.error(at, "a bad surrogate pair in a `\\u` escape"));
                }
                return char::from_u32(hi)
                    .ok_or_else(|| self.error(at, "a lone surrogate in a `\\u` escape"));
            }
            _ => {
                return Err(self.error(
                    at,
                    "expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
                ))
            }
        };
        self.at += 1;
        Ok(c)
    }

    fn hex4(&mut self, escape: usize) -> Result<u32, ParseError> {
        let digits = self
            .text
            .get(self.at..self.at + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error(escape, "expected four hex digits after `\\u`"))?;
        self.at += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.error(escape, "expected four hex digits"))
    }

    fn array(&mut self) -> Result<Kind, ParseError> {
        self.at += 1;
        let mut items = Vec::new();
        self.blank();
        if self.eat(b']') {
            return Ok(Kind::Array(items));
        }
        loop {
            self.blank();
            items.push(self.value()?);
            self.blank();
            if self.eat(b']') {
                return Ok(Kind::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.error(self.at, "expected `,` or `]`"));
            }
        }
    }

    fn object(&mut self) -> Result<Kind, ParseError> {
        self.at += 1;
        let mut members = Vec::new();
        self.blank();
        if self.eat(b'}') {
            return Ok(Kind::Object(members));
        }
        loop {
            self.blank();
            if self.bytes.get(self.at) != Some(&b'"') {
                return Err(self.error(self.at, "expected a key in double quotes"));
            }
            let key = self.string()?;
            self.blank();
            if !self.eat(b':') {
                return Err(self.error(self.at, "expected `:` after the key"));
            }
            self.blank();
            let value = self.value()?;
            members.push(Member { key, value });
            self.blank();
            if self.eat(b'}') {
                return Ok(Kind::Object(members));
            }
            if !self.eat(b',') {
                return Err(self.error(self.at, "expected `,` or `}`"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]
    use super::*;

    fn read0(text: &str) -> Result<Json, ParseError> {
        read(text, FileId(0), 8)
    }

    #[test]
    fn strings_map_back_through_escapes() {
        let text = r#"{"when": "tier == \"pro\" and x \u00e9 y"}"#;
        let Kind::Object(members) = read0(text).unwrap().kind else {
            panic!("an object")
        };
        let Kind::String(s) = &members[0].value.kind else {
            panic!("a string")
        };
        assert_eq!(s.value, "tier == \"pro\" and x é y");
        // `p` of `pro` sits after the escaped quote.
        let p = s.value.find('p').unwrap();
        assert_eq!(&text[s.file_offset(p)..s.file_offset(p) + 3], "pro");
        let y = s.value.rfind('y').unwrap();
        assert_eq!(&text[s.file_offset(y)..s.file_offset(y) + 1], "y");
        assert_eq!(s.file_offset(0), 10);
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = read0("{\"a\": [1, 2,, 3]}").unwrap_err();
        assert_eq!(e.span().start, 12);
        assert!(read0("[[[[[[[[[[]]]]]]]]]]").is_err());
        assert!(read0("{\"a\": 1} x").is_err());
        assert!(read0("\"\\ud800\"").is_err());
        let ok = read0("[1.5e3, -0, true, null, \"\\ud83d\\ude00\"]").unwrap();
        assert!(matches!(ok.kind, Kind::Array(ref v) if v.len() == 5));
    }
}
