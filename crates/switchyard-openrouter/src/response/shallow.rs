//! A response body read shallowly: straight into a [`ChatResponse`],
//! without building the JSON tree (the message, `object`, `created`, the
//! other choices are skipped; the strings and counts read are typed). A
//! body this reader does not take (not an object, an `error`, a field
//! missing or of an unexpected shape or value, a key given twice, not
//! JSON) is read again whole by [`ChatResponse::from_value`], so every
//! answer and every error is exactly what the whole tree gives.
//!
//! [`ChatResponse::from_value`]: super::ChatResponse::from_value

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::{ChatResponse, ResponseUsage};

/// Reads `text`; `None` when it must be read whole.
pub(super) fn read(text: &str) -> Option<ChatResponse> {
    // The visitors take objects only; the text must be one object whole.
    if !text.trim_start().starts_with('{') {
        return None;
    }
    serde_json::from_str::<Shallow>(text).ok().map(|s| s.0)
}

/// Takes the value of `key` into `slot`, refusing a key given twice.
fn once<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    key: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(A::Error::duplicate_field(key));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// A value this reader leaves to the whole tree.
fn whole<E: Error>() -> E {
    E::custom("read whole")
}

/// A response object.
struct Shallow(ChatResponse);

impl<'de> Deserialize<'de> for Shallow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = Shallow;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shallow, A::Error> {
                let (mut id, mut model, mut provider) = (None, None, None);
                let (mut choices, mut usage) = (None, None);
                let mut error: Option<Option<IgnoredAny>> = None;
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    match key.as_ref() {
                        "error" => once(&mut map, &mut error, "error")?,
                        "id" => once(&mut map, &mut id, "id")?,
                        "model" => once(&mut map, &mut model, "model")?,
                        "provider" => once(&mut map, &mut provider, "provider")?,
                        "choices" => once(&mut map, &mut choices, "choices")?,
                        "usage" => once(&mut map, &mut usage, "usage")?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                if error.flatten().is_some() {
                    return Err(whole());
                }
                let (Some(Some(id)), Some(Some(model))) = (id, model) else {
                    return Err(whole());
                };
                let choices: Option<FirstChoice> = choices.flatten();
                Ok(Shallow(ChatResponse {
                    id,
                    model,
                    provider: provider.flatten(),
                    finish_reason: choices.and_then(|c| c.0),
                    usage: usage.flatten().map(|u: Usage| u.0),
                }))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

/// `choices`, an array: the first element's `finish_reason`.
struct FirstChoice(Option<String>);

impl<'de> Deserialize<'de> for FirstChoice {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Choices;
        impl<'de> Visitor<'de> for Choices {
            type Value = FirstChoice;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FirstChoice, A::Error> {
                let first = seq.next_element::<Choice>()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(FirstChoice(first.and_then(|c| c.0)))
            }
        }
        deserializer.deserialize_seq(Choices)
    }
}

/// A choice, an object: its `finish_reason`.
struct Choice(Option<String>);

impl<'de> Deserialize<'de> for Choice {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(OneField("finish_reason", std::marker::PhantomData))
            .map(Choice)
    }
}

/// An object's one field of interest (`null` or left out: `None`).
struct OneField<T>(&'static str, std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for OneField<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let mut value: Option<Option<T>> = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == self.0 {
                once(&mut map, &mut value, self.0)?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(value.flatten())
    }
}

/// `usage`, an object.
struct Usage(ResponseUsage);

/// `prompt_tokens_details` or `completion_tokens_details`, an object: the
/// count named.
struct Details<const REASONING: bool>(Option<u64>);

impl<'de, const REASONING: bool> Deserialize<'de> for Details<REASONING> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = if REASONING {
            "reasoning_tokens"
        } else {
            "cached_tokens"
        };
        deserializer
            .deserialize_map(OneField(key, std::marker::PhantomData))
            .map(Details)
    }
}

impl<'de> Deserialize<'de> for Usage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = Usage;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Usage, A::Error> {
                let (mut prompt, mut completion, mut total) = (None, None, None);
                let (mut cost, mut is_byok) = (None, None);
                let mut cached: Option<Option<Details<false>>> = None;
                let mut reasoning: Option<Option<Details<true>>> = None;
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    match key.as_ref() {
                        "prompt_tokens" => once(&mut map, &mut prompt, "prompt_tokens")?,
                        "completion_tokens" => {
                            once(&mut map, &mut completion, "completion_tokens")?;
                        }
                        "total_tokens" => once(&mut map, &mut total, "total_tokens")?,
                        "cost" => once(&mut map, &mut cost, "cost")?,
                        "is_byok" => once(&mut map, &mut is_byok, "is_byok")?,
                        "prompt_tokens_details" => {
                            once(&mut map, &mut cached, "prompt_tokens_details")?;
                        }
                        "completion_tokens_details" => {
                            once(&mut map, &mut reasoning, "completion_tokens_details")?;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let (Some(Some(prompt_tokens)), Some(Some(completion_tokens))) =
                    (prompt, completion)
                else {
                    return Err(whole());
                };
                let cost: Option<f64> = cost.flatten();
                if cost.is_some_and(|c| !(c >= 0.0 && c.is_finite())) {
                    return Err(whole());
                }
                let total: Option<u64> = total.flatten();
                Ok(Usage(ResponseUsage {
                    prompt_tokens,
                    completion_tokens,
                    total_tokens: total
                        .unwrap_or_else(|| prompt_tokens.saturating_add(completion_tokens)),
                    cost,
                    cached_tokens: cached.flatten().and_then(|d| d.0),
                    reasoning_tokens: reasoning.flatten().and_then(|d| d.0),
                    is_byok: is_byok.flatten(),
                }))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ChatResponse, ResponseError};
    use super::read as shallow;

    /// Whole: the response as `from_value` reads the JSON tree.
    fn whole(text: &str) -> Result<ChatResponse, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        ChatResponse::from_value(&value, 200).map_err(|e| format!("{e:?}"))
    }

    fn read_either(text: &str) -> Result<ChatResponse, String> {
        ChatResponse::from_json_str(text).map_err(|e: ResponseError| format!("{e:?}"))
    }

    #[test]
    fn reads_what_the_whole_tree_reads() {
        let taken = [
            r#"{"id":"gen-1","object":"chat.completion","created":1,"model":"a/b","provider":"P",
               "choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"hi"}},
                          {"index":1,"finish_reason":"length"}],
               "usage":{"prompt_tokens":3,"completion_tokens":4,"cost":0.5,
                        "prompt_tokens_details":{"cached_tokens":1}}}"#,
            r#"{"id":"gen-1","model":"a/b"}"#,
            r#"{"id":"gen-1","model":"a/b","choices":[],"usage":null,"provider":null}"#,
            r#"{"id":"gen-1","model":"a/b","choices":[{"finish_reason":null}]}"#,
            r#"{"id":"gen-1","model":"a/b","choices":null,"error":null}"#,
            r#"{"id":"g\u00e9n","model":"a/b","choices":[{"finish_reason":"stop"},7]}"#,
            r#"{"id":"gen-1","model":"a/b","usage":{"prompt_tokens":3,"completion_tokens":4,
               "total_tokens":9,"cost":2,"is_byok":true,"other":[1],
               "prompt_tokens_details":null,
               "completion_tokens_details":{"reasoning_tokens":2,"x":{}}}}"#,
            r#"{"id":"gen-1","model":"a/b","usage":{"prompt_tokens":3,"completion_tokens":4,
               "total_tokens":null,"cost":null,"is_byok":null,
               "prompt_tokens_details":{"cached_tokens":null}}}"#,
        ];
        for text in taken {
            assert!(shallow(text).is_some(), "{text}");
            assert_eq!(read_either(text), whole(text), "{text}");
        }
        // Read again whole: the same answer, the same error.
        let whole_again = [
            r#"[1, 2]"#,
            r#""text""#,
            r#" {"error":{"code":502,"message":"upstream died"},"provider":"P"}"#,
            r#"{"error":{"code":429,"message":"slow down"},"id":"gen-1","model":"a/b"}"#,
            r#"{"id":7,"model":"a/b"}"#,
            r#"{"id":null,"model":"a/b"}"#,
            r#"{"id":"gen-1","model":"a/b","provider":3}"#,
            r#"{"id":"gen-1","model":"a/b","choices":[{"finish_reason":4}]}"#,
            r#"{"model":"a/b","choices":[{"finish_reason":4}]}"#,
            r#"{"id":"gen-1","id":"gen-2","model":"a/b"}"#,
            r#"{"id":"gen-1","model":"a/b","choices":{"finish_reason":"stop"}}"#,
            r#"{"id":"gen-1","model":"a/b","choices":[["stop"]]}"#,
            r#"{"id":"gen-1","model":"a/b","choices":[7]}"#,
            r#"{"id":"gen-1","model":"a/b","choices":[{"finish_reason":"a","finish_reason":"b"}]}"#,
            r#"{"id":"gen-1","model":"a/b","usage":[3,4]}"#,
            r#"{"id":"gen-1","model":"a/b","usage":{"prompt_tokens":-1,"completion_tokens":1}}"#,
            r#"{"id":"gen-1","model":"a/b","usage":{"prompt_tokens":1.0,"completion_tokens":1}}"#,
            r#"{"id":"gen-1","model":"a/b","usage":{"prompt_tokens":1}}"#,
            r#"{"id":"gen-1","model":"a/b","usage":{"prompt_tokens":1,"completion_tokens":null}}"#,
            r#"{"id":"gen-1","model":"a/b","usage":{"prompt_tokens":1,"completion_tokens":1,"cost":-0.5}}"#,
            r#"{"id":"gen-1","model":"a/b","usage":{"prompt_tokens":1,"completion_tokens":1,"cost":"1"}}"#,
            r#"{"id":"gen-1","model":"a/b","usage":{"prompt_tokens":1,"completion_tokens":1,"is_byok":1}}"#,
            r#"{"id":"gen-1","model":"a/b","usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2,"total_tokens":3}}"#,
            r#"{"id":"gen-1","model":"a/b","usage":{"prompt_tokens":1,"completion_tokens":1,"prompt_tokens_details":[1]}}"#,
            r#"{"id":"gen-1","model":"a/b","usage":{"prompt_tokens":1,"completion_tokens":1,"completion_tokens_details":{"reasoning_tokens":-2}}}"#,
        ];
        for text in whole_again {
            assert!(shallow(text).is_none(), "{text}");
            assert_eq!(read_either(text), whole(text), "{text}");
        }
        assert!(read_either("{not json").is_err());
        assert!(read_either(r#"{"id":"gen-1","model":"a/b"} trailing"#).is_err());
    }
}
