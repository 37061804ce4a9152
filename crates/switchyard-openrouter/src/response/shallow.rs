//! A response body read shallowly: only the fields a [`ChatResponse`] is
//! made of, without building the rest (the message, `object`, `created`,
//! the other choices) as JSON values. A body this reader does not take (not
//! an object, a field of an unexpected shape, a key given twice, not JSON)
//! is read again whole by [`ChatResponse::from_value`], so every error
//! names its field exactly as it would have.
//!
//! [`ChatResponse`]: super::ChatResponse
//! [`ChatResponse::from_value`]: super::ChatResponse::from_value

use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value as Json};

/// The top-level fields a [`super::ChatResponse`] is read from.
#[derive(Deserialize)]
pub(super) struct Shallow {
    #[serde(default)]
    error: Option<Json>,
    #[serde(default)]
    id: Option<Json>,
    #[serde(default)]
    model: Option<Json>,
    #[serde(default)]
    provider: Option<Json>,
    #[serde(default)]
    choices: Option<FirstChoice>,
    #[serde(default)]
    usage: Option<Json>,
}

impl Shallow {
    /// Reads `text`; `None` when it must be read whole.
    pub(super) fn read(text: &str) -> Option<Shallow> {
        // A derived struct would also take an array, field by position.
        if !text.trim_start().starts_with('{') {
            return None;
        }
        serde_json::from_str(text).ok()
    }

    /// The top-level fields other than `choices` (as the object they are
    /// in), and `choices[0].finish_reason`.
    pub(super) fn into_parts(self) -> (Map<String, Json>, Option<Json>) {
        let mut object = Map::new();
        let fields = [
            ("error", self.error),
            ("id", self.id),
            ("model", self.model),
            ("provider", self.provider),
            ("usage", self.usage),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                object.insert(key.to_string(), value);
            }
        }
        (object, self.choices.and_then(|c| c.0))
    }
}

/// `choices`, an array: the first element's `finish_reason`.
struct FirstChoice(Option<Json>);

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
struct Choice(Option<Json>);

impl<'de> Deserialize<'de> for Choice {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = Choice;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Choice, A::Error> {
                let mut finish_reason: Option<Option<Json>> = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == "finish_reason" {
                        if finish_reason.is_some() {
                            return Err(serde::de::Error::duplicate_field("finish_reason"));
                        }
                        finish_reason = Some(map.next_value()?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Choice(finish_reason.flatten()))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ChatResponse, ResponseError};
    use super::Shallow;

    /// Whole: the response as `from_value` reads the JSON tree.
    fn whole(text: &str) -> Result<ChatResponse, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        ChatResponse::from_value(&value, 200).map_err(|e| format!("{e:?}"))
    }

    fn read(text: &str) -> Result<ChatResponse, String> {
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
            r#" {"error":{"code":502,"message":"upstream died"},"provider":"P"}"#,
            r#"{"error":{"code":429,"message":"slow down"},"id":"gen-1","model":"a/b"}"#,
            r#"{"id":7,"model":"a/b"}"#,
            r#"{"id":"gen-1","model":"a/b","provider":3}"#,
            r#"{"id":"gen-1","model":"a/b","choices":[{"finish_reason":4}]}"#,
            r#"{"id":"gen-1","model":"a/b","usage":{"prompt_tokens":-1,"completion_tokens":1}}"#,
            r#"{"model":"a/b","choices":[{"finish_reason":4}]}"#,
        ];
        for text in taken {
            assert!(Shallow::read(text).is_some(), "{text}");
            assert_eq!(read(text), whole(text), "{text}");
        }
        // Read again whole: the same answer, the same error.
        let whole_again = [
            r#"[1, 2]"#,
            r#""text""#,
            r#"{"id":"gen-1","id":"gen-2","model":"a/b"}"#,
            r#"{"id":"gen-1","model":"a/b","choices":{"finish_reason":"stop"}}"#,
            r#"{"id":"gen-1","model":"a/b","choices":[["stop"]]}"#,
            r#"{"id":"gen-1","model":"a/b","choices":[7]}"#,
            r#"{"id":"gen-1","model":"a/b","choices":[{"finish_reason":"a","finish_reason":"b"}]}"#,
        ];
        for text in whole_again {
            assert!(Shallow::read(text).is_none(), "{text}");
            assert_eq!(read(text), whole(text), "{text}");
        }
        assert!(read("{not json").is_err());
        assert!(read(r#"{"id":"gen-1","model":"a/b"} trailing"#).is_err());
    }
}
