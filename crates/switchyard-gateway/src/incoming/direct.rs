//! A request body read directly from its bytes into an [`Incoming`],
//! without building the JSON tree of the whole body first (the messages
//! are read as messages, the other fields as the values they are kept
//! as). A body this reader does not take (not an object, a field missing
//! or of an unexpected shape or value, a key given twice, a field the
//! routing policy sets, not JSON) is read again whole by
//! [`Incoming::parse`]'s tree reader, so every answer and every error is
//! exactly what that reader gives.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, Error, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value as Json};
use switchyard::openrouter::{Message, RequestOptions, Role};

use super::{Incoming, CONTEXT_FIELD, POLICY_FIELDS};

/// Reads `bytes`; `None` when they must be read whole.
pub(super) fn read(bytes: &[u8]) -> Option<Incoming> {
    // The visitor takes an object only; the text must be one object whole.
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return None;
    }
    serde_json::from_slice::<Direct>(bytes).ok().map(|d| d.0)
}

/// A value this reader leaves to the tree reader.
fn whole<E: Error>() -> E {
    E::custom("read whole")
}

/// Takes the value of `key` into `slot`, refusing a key given twice.
fn once<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(whole());
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// The client's cap from `max_tokens` or `max_completion_tokens`, as the
/// tree reader takes it (`None` for a value it refuses).
fn cap(value: &Json) -> Option<u32> {
    value
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n > 0)
}

struct Direct(Incoming);

impl<'de> Deserialize<'de> for Direct {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(Fields)
    }
}

struct Fields;

impl<'de> Visitor<'de> for Fields {
    type Value = Direct;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Direct, A::Error> {
        let mut context: Option<Option<Map<String, Json>>> = None;
        let mut messages: Option<Vec<Message>> = None;
        let mut model: Option<IgnoredAny> = None;
        let mut max_tokens: Option<Json> = None;
        let mut max_completion_tokens: Option<Json> = None;
        let mut stream: Option<Option<Json>> = None;
        let mut tools: Option<Option<Json>> = None;
        let mut tool_choice: Option<Option<Json>> = None;
        let mut params = Map::new();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                CONTEXT_FIELD => once(&mut map, &mut context)?,
                "messages" => once(&mut map, &mut messages)?,
                "model" => once(&mut map, &mut model)?,
                "max_tokens" => once(&mut map, &mut max_tokens)?,
                "max_completion_tokens" => once(&mut map, &mut max_completion_tokens)?,
                "stream" => once(&mut map, &mut stream)?,
                "tools" => once(&mut map, &mut tools)?,
                "tool_choice" => once(&mut map, &mut tool_choice)?,
                key if POLICY_FIELDS.contains(&key) => return Err(whole()),
                _ => {
                    let value = map.next_value::<Json>()?;
                    if params.insert(key.into_owned(), value).is_some() {
                        return Err(whole());
                    }
                }
            }
        }
        let messages = messages.ok_or_else(whole)?;
        if messages.iter().any(|m| matches!(m.role, Role::Other(_))) {
            return Err(whole());
        }
        let mut cap_tokens: Option<u32> = None;
        for value in [max_tokens, max_completion_tokens].into_iter().flatten() {
            if value.is_null() {
                continue;
            }
            let n = cap(&value).ok_or_else(whole)?;
            cap_tokens = Some(cap_tokens.map_or(n, |m| m.min(n)));
        }
        let stream = match stream.flatten() {
            None => None,
            Some(Json::Bool(b)) => Some(b),
            Some(_) => return Err(whole()),
        };
        let tools = match tools.flatten() {
            None => None,
            Some(Json::Array(tools)) => Some(tools),
            Some(_) => return Err(whole()),
        };
        let options = RequestOptions {
            stream,
            tools,
            tool_choice: tool_choice.flatten(),
            params,
        };
        Ok(Direct(Incoming {
            context: context.flatten().unwrap_or_default(),
            messages,
            stream: options.stream == Some(true),
            options,
            max_tokens: cap_tokens,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Incoming;
    use super::read;

    /// What the tree reader gives, answer or error.
    fn tree(body: &str) -> String {
        format!("{:?}", Incoming::parse_tree(body.as_bytes()))
    }

    #[test]
    fn reads_what_the_tree_reader_reads() {
        let taken = [
            r#"{"model":"any","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}],"switchyard_context":{"tier":"free"}}"#,
            r#"  {"messages":[{"role":"user","content":[{"type":"text","text":"a\u00e9"}],"name":"n","x":1}],
                "model":null,"switchyard_context":null,"stream":true,"tools":[{"type":"function"}],
                "tool_choice":"auto","max_tokens":5,"max_completion_tokens":3,"user":"u","temperature":0.5}"#,
            r#"{"messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},
                {"role":"tool","tool_call_id":"c","content":"4"}],"stream":null,"tools":null,"tool_choice":null,
                "max_tokens":null,"seed":7}"#,
            r#"{"messages":[]}"#,
        ];
        for body in taken {
            assert!(read(body.as_bytes()).is_some(), "{body}");
            assert_eq!(
                format!("{:?}", Incoming::parse(body.as_bytes())),
                tree(body),
                "{body}"
            );
        }
        // Read again by the tree reader: the same answer, the same error.
        let whole_again = [
            "[1]",
            r#""text""#,
            "{",
            r#"{"messages":[]} trailing"#,
            "{}",
            r#"{"messages":{}}"#,
            r#"{"messages":[1]}"#,
            r#"{"messages":[{"role":"robot","content":"x"}]}"#,
            r#"{"messages":[{"content":"x"}]}"#,
            r#"{"messages":[],"messages":[]}"#,
            r#"{"messages":[],"user":"a","user":"b"}"#,
            r#"{"messages":[],"provider":{"order":["x"]}}"#,
            r#"{"messages":[],"models":[]}"#,
            r#"{"messages":[],"max_tokens":0}"#,
            r#"{"messages":[],"max_tokens":1.5}"#,
            r#"{"messages":[],"max_completion_tokens":"5"}"#,
            r#"{"messages":[],"max_tokens":4294967296}"#,
            r#"{"messages":[],"stream":"yes"}"#,
            r#"{"messages":[],"tools":{}}"#,
            r#"{"messages":[],"switchyard_context":[1]}"#,
        ];
        for body in whole_again {
            assert!(read(body.as_bytes()).is_none(), "{body}");
            assert_eq!(
                format!("{:?}", Incoming::parse(body.as_bytes())),
                tree(body),
                "{body}"
            );
        }
    }
}
