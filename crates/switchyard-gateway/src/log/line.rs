//! An access line, written into a byte buffer in the two formats of the
//! `tracing` subscriber the rest of the log goes through (`install`), so
//! that the access lines read like every other line, without building a
//! `tracing` event (field visitors, a formatter per field) per request:
//!
//! - human: `2026-01-02T03:04:05.678901Z  INFO chat completion
//!   request_id=1 rule="default" … cost_usd=1e-5` (strings and numbers as
//!   `Debug` writes them, absent fields left out);
//! - JSON: `{"timestamp":"…","level":"INFO","message":"chat completion",
//!   "request_id":1,…}` (values as `serde_json` writes them).

use std::io::Write;
use std::time::SystemTime;

use serde::Serialize;

use super::{round, Line};
use crate::config::LogFormat;

/// The message of every access line.
const MESSAGE: &str = "chat completion";

/// A field's value.
enum Value<'a> {
    U64(u64),
    F64(f64),
    Bool(bool),
    Str(&'a str),
}

impl Line {
    /// Appends the line (with its newline) to `out`.
    pub(super) fn write_to(&self, format: LogFormat, out: &mut Vec<u8>) {
        let r = &self.record;
        let fields = [
            ("request_id", Some(Value::U64(r.id))),
            ("key", r.key.as_deref().map(Value::Str)),
            ("rule", r.rule.as_deref().map(Value::Str)),
            ("variant", r.variant.as_deref().map(Value::Str)),
            ("model", r.model.as_deref().map(Value::Str)),
            ("attempts", Some(Value::U64(r.attempts as u64))),
            ("status", Some(Value::U64(u64::from(self.status)))),
            ("stream", Some(Value::Bool(r.stream))),
            ("stream_end", self.end.map(Value::Str)),
            ("upstream_ms", Some(Value::F64(round(r.upstream_ms)))),
            ("total_ms", Some(Value::F64(self.total_ms))),
            ("prompt_tokens", r.prompt_tokens.map(Value::U64)),
            ("completion_tokens", r.completion_tokens.map(Value::U64)),
            ("cost_usd", r.cost_usd.map(Value::F64)),
            ("error", r.error.map(Value::Str)),
            ("prompt", r.prompt.as_deref().map(Value::Str)),
        ];
        let present = fields.iter().filter_map(|(n, v)| Some((*n, v.as_ref()?)));
        // Writing to a Vec cannot fail.
        let _ = match format {
            LogFormat::Human => human(self.at, present, out),
            LogFormat::Json => json(self.at, present, out),
        };
    }
}

fn human<'a>(
    at: SystemTime,
    fields: impl Iterator<Item = (&'a str, &'a Value<'a>)>,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    timestamp(at, out);
    out.extend_from_slice(b"  INFO ");
    out.extend_from_slice(MESSAGE.as_bytes());
    for (name, value) in fields {
        out.push(b' ');
        out.extend_from_slice(name.as_bytes());
        out.push(b'=');
        match value {
            Value::U64(n) => n.serialize(&mut serde_json::Serializer::new(&mut *out))?,
            Value::F64(x) => write!(out, "{x:?}")?,
            Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            // What `Debug` writes for text with nothing to escape.
            Value::Str(s)
                if s.bytes()
                    .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\') =>
            {
                out.push(b'"');
                out.extend_from_slice(s.as_bytes());
                out.push(b'"');
            }
            Value::Str(s) => write!(out, "{s:?}")?,
        }
    }
    out.push(b'\n');
    Ok(())
}

fn json<'a>(
    at: SystemTime,
    fields: impl Iterator<Item = (&'a str, &'a Value<'a>)>,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    out.extend_from_slice(br#"{"timestamp":""#);
    timestamp(at, out);
    write!(out, r#"","level":"INFO","message":"{MESSAGE}""#)?;
    for (name, value) in fields {
        write!(out, r#","{name}":"#)?;
        match value {
            Value::U64(n) => n.serialize(&mut serde_json::Serializer::new(&mut *out))?,
            Value::F64(x) => x.serialize(&mut serde_json::Serializer::new(&mut *out))?,
            Value::Bool(b) => b.serialize(&mut serde_json::Serializer::new(&mut *out))?,
            Value::Str(s) => s.serialize(&mut serde_json::Serializer::new(&mut *out))?,
        }
    }
    out.extend_from_slice(b"}\n");
    Ok(())
}

/// `at` in RFC 3339, UTC, to the microsecond: `2026-01-02T03:04:05.678901Z`
/// (a time outside years 1 to 9999 as the Unix epoch).
fn timestamp(at: SystemTime, out: &mut Vec<u8>) {
    let at = jiff::Timestamp::try_from(at).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{at:.6}");
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::log::AccessRecord;

    fn line(record: AccessRecord, end: Option<&'static str>) -> Line {
        Line {
            at: at(),
            record,
            status: 200,
            end,
            total_ms: 1.67,
        }
    }

    fn full() -> AccessRecord {
        let mut r = AccessRecord::new(7);
        r.key = Some("search-team".into());
        r.rule = Some("default".into());
        r.variant = Some("cheap".into());
        r.model = Some("bench/model".into());
        r.attempts = 2;
        r.stream = true;
        r.upstream_ms = 120.8424;
        r.prompt_tokens = Some(12);
        r.completion_tokens = Some(1);
        r.cost_usd = Some(0.00001);
        r.prompt = Some("he said \"hi\"\né \u{1}".into());
        r
    }

    /// 2026-12-02T06:33:03.030163Z.
    fn at() -> SystemTime {
        UNIX_EPOCH + Duration::new(1_796_193_183, 30_163_999)
    }

    fn written(line: &Line, format: LogFormat) -> String {
        let mut out = Vec::new();
        line.write_to(format, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn human_lines_read_like_the_subscriber_s() {
        assert_eq!(
            written(&line(full(), Some("complete")), LogFormat::Human),
            "2026-12-02T06:33:03.030163Z  INFO chat completion request_id=7 key=\"search-team\" \
             rule=\"default\" variant=\"cheap\" model=\"bench/model\" attempts=2 status=200 \
             stream=true stream_end=\"complete\" upstream_ms=120.842 total_ms=1.67 \
             prompt_tokens=12 completion_tokens=1 cost_usd=1e-5 \
             prompt=\"he said \\\"hi\\\"\\né \\u{1}\"\n"
        );
        let mut bare = AccessRecord::new(8);
        bare.error = Some("invalid_context");
        assert_eq!(
            written(&line(bare, None), LogFormat::Human),
            "2026-12-02T06:33:03.030163Z  INFO chat completion request_id=8 attempts=0 \
             status=200 stream=false upstream_ms=0.0 total_ms=1.67 error=\"invalid_context\"\n"
        );
    }

    #[test]
    fn json_lines_are_objects_with_the_subscriber_s_fields() {
        assert_eq!(
            written(&line(full(), None), LogFormat::Json),
            r#"{"timestamp":"2026-12-02T06:33:03.030163Z","level":"INFO","message":"chat completion","request_id":7,"key":"search-team","rule":"default","variant":"cheap","model":"bench/model","attempts":2,"status":200,"stream":true,"upstream_ms":120.842,"total_ms":1.67,"prompt_tokens":12,"completion_tokens":1,"cost_usd":0.00001,"prompt":"he said \"hi\"\né \u0001"}"#
                .to_string()
                + "\n"
        );
    }

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        for (secs, text) in [
            (0, "1970-01-01T00:00:00.000000Z"),
            (951_782_400, "2000-02-29T00:00:00.000000Z"),
            (4_107_542_399, "2100-02-28T23:59:59.000000Z"),
        ] {
            let mut out = Vec::new();
            timestamp(UNIX_EPOCH + Duration::from_secs(secs), &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), text);
        }
    }
}
