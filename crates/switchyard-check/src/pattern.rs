//! Regex literals: flags and compilation (E010).

use regex::RegexBuilder;
use switchyard_syntax::ast::RegexLit;
use switchyard_syntax::{Span, Spanned};

use crate::checker::Checker;
use crate::error::CheckError;
use crate::ir::Pattern;

/// The regex crate's error, reduced to one line: for a syntax error the
/// line saying what is wrong (`unclosed group`), else the first line.
fn reason(err: &regex::Error) -> String {
    let text = err.to_string();
    text.lines()
        .find_map(|l| l.strip_prefix("error: "))
        .or_else(|| text.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("unknown error")
        .trim()
        .to_string()
}

impl Checker<'_> {
    /// Compiles a regex literal with its flags.
    pub(crate) fn compile_regex(&mut self, lit: &Spanned<RegexLit>) -> Option<Pattern> {
        let key = (lit.node.source.clone(), lit.node.flags.clone());
        if let Some(regex) = self.regex_cache.get(&key) {
            return Some(Pattern {
                source: key.0,
                flags: key.1,
                regex: regex.clone(),
            });
        }
        let mut builder = RegexBuilder::new(&lit.node.pattern());
        builder
            .size_limit(self.options.regex_size_limit)
            .dfa_size_limit(self.options.regex_size_limit);
        let mut seen = String::new();
        let mut ok = true;
        let flags_start = lit
            .span
            .end
            .saturating_sub(u32::try_from(lit.node.flags.len()).unwrap_or(0));
        for (at, flag) in lit.node.flags.char_indices() {
            let known = matches!(flag, 'i' | 'm' | 's' | 'x');
            if !known || seen.contains(flag) {
                let start = flags_start.saturating_add(u32::try_from(at).unwrap_or(0));
                let end = start.saturating_add(u32::try_from(flag.len_utf8()).unwrap_or(1));
                self.error(CheckError::BadRegexFlag {
                    span: Span {
                        start,
                        end,
                        ..lit.span
                    },
                    flag,
                    repeated: known,
                });
                ok = false;
                continue;
            }
            seen.push(flag);
            match flag {
                'i' => builder.case_insensitive(true),
                'm' => builder.multi_line(true),
                's' => builder.dot_matches_new_line(true),
                _ => builder.ignore_whitespace(true),
            };
        }
        match builder.build() {
            Ok(regex) if ok => {
                self.regex_cache.insert(key, regex.clone());
                Some(Pattern {
                    source: lit.node.source.clone(),
                    flags: lit.node.flags.clone(),
                    regex,
                })
            }
            Ok(_) => None,
            Err(err) => {
                self.error(CheckError::BadRegex {
                    span: lit.span,
                    reason: reason(&err),
                });
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_is_one_line() {
        let unclosed = String::from("(");
        let err = RegexBuilder::new(&unclosed).build().err();
        let r = err.as_ref().map(reason).unwrap_or_default();
        assert_eq!(r, "unclosed group");
        let err = RegexBuilder::new("a{1000}{1000}")
            .size_limit(1 << 10)
            .build()
            .err();
        let r = err.as_ref().map(reason).unwrap_or_default();
        assert!(r.contains("size limit"), "{r}");
    }
}
