//! Chat-completions request bodies (docs/reference/decisions.md).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};
use switchyard_eval::Decision;

use crate::message::Message;
use crate::provider::{kind, ProviderError, ProviderPreferences};

/// The body of `POST /api/v1/chat/completions`.
///
/// Serialises to OpenRouter's JSON with the field names of its API: `None`
/// fields and an empty `models` are left out, and every `params` key is a
/// top-level field. Deserialising reads such a body back (keys without a
/// typed field land in `params`; a `provider` key OpenRouter does not know
/// is an error).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// The model to try first. (OpenRouter uses the account's default model
    /// when it is missing.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The fallback chain: the model, then its fallbacks, in order. Empty
    /// (and left out) when there are no fallbacks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<String>,
    /// The conversation.
    pub messages: Vec<Message>,
    /// The completion token cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Provider routing preferences.
    #[serde(
        default,
        deserialize_with = "crate::provider::object_only",
        skip_serializing_if = "Option::is_none"
    )]
    pub provider: Option<ProviderPreferences>,
    /// Message transforms (`["middle-out"]`). Deprecated by OpenRouter in
    /// favour of the `context-compression` plugin; sent when a ruleset asks
    /// for it (the checker warns, W107).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transforms: Option<Vec<String>>,
    /// Stream the response as server-sent events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    /// OpenAI-style tool definitions, passed through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Json>>,
    /// `"none"`, `"auto"`, `"required"` or an object naming a tool, passed
    /// through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<Json>,
    /// Every other body field (`temperature`, `plugins`, `reasoning`,
    /// `user`, ...), written at the top level.
    #[serde(flatten)]
    pub params: Map<String, Json>,
}

/// What a host adds to a decision's body for one call.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestOptions {
    /// `stream`.
    pub stream: Option<bool>,
    /// `tools`.
    pub tools: Option<Vec<Json>>,
    /// `tool_choice`.
    pub tool_choice: Option<Json>,
    /// Other top-level fields (`user`, `session_id`, `temperature`, ...).
    pub params: Map<String, Json>,
}

/// The routing part of a decision: what a body is built from.
/// [`ChatRequest::from_decision`] takes it from a [`Decision`]; hosts that
/// route by other means can fill it in themselves.
#[derive(Clone, Debug, PartialEq)]
pub struct Route<'a> {
    /// The model to try first.
    pub model: &'a str,
    /// The models to fall back to, in order.
    pub fallbacks: Vec<&'a str>,
    /// The completion token cap.
    pub max_tokens: Option<u32>,
    /// `provider`, `transforms` and `params`, as in a decision's
    /// `"options"`.
    pub options: &'a Map<String, Json>,
}

impl<'a> From<&Decision<'a>> for Route<'a> {
    fn from(d: &Decision<'a>) -> Route<'a> {
        Route {
            model: d.model(),
            fallbacks: d.fallbacks().collect(),
            max_tokens: d.max_tokens(),
            options: d.options(),
        }
    }
}

/// Why a body could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// No messages: OpenRouter requires at least one.
    #[error("a request needs at least one message")]
    NoMessages,
    /// The decision names no model.
    #[error("the decision names no model")]
    NoModel,
    /// The provider object does not fit OpenRouter's.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// An option other than `provider`, `transforms` and `params`, or one of
    /// those with a value of the wrong shape.
    #[error("option `{key}` {problem}")]
    Option {
        /// The option.
        key: String,
        /// What is wrong.
        problem: String,
    },
    /// A parameter would overwrite a field the body builds itself (`model`,
    /// `models`, `messages`, `max_tokens`, `provider`, `transforms`).
    #[error("parameter `{key}` is not allowed: the body sets it from the decision")]
    Reserved {
        /// The parameter.
        key: String,
    },
    /// The host and the ruleset give different values for one field.
    #[error("`{key}` is set by both the ruleset and the host, to different values")]
    Conflict {
        /// The field.
        key: String,
    },
}

/// Fields the body builds from the route; parameters may not set them.
const RESERVED: &[&str] = &[
    "model",
    "models",
    "messages",
    "max_tokens",
    "provider",
    "transforms",
];

impl ChatRequest {
    /// A body for one model with no options.
    pub fn new(model: impl Into<String>, messages: Vec<Message>) -> ChatRequest {
        ChatRequest {
            model: Some(model.into()),
            models: Vec::new(),
            messages,
            max_tokens: None,
            provider: None,
            transforms: None,
            stream: None,
            tools: None,
            tool_choice: None,
            params: Map::new(),
        }
    }

    /// The body for a decision (docs/reference/decisions.md).
    ///
    /// - `model`: the decision's model; `models`: the model then its
    ///   fallbacks, only when there are fallbacks (never the deprecated
    ///   `route`). A chain longer than OpenRouter's observed limit of 3 is
    ///   sent as is (the checker warns, W108).
    /// - `max_tokens`: the decision's.
    /// - `provider`: the decision's `options.provider`, read into
    ///   [`ProviderPreferences`]; a key OpenRouter does not know is an error.
    /// - `transforms`: passed through when the ruleset asks (deprecated by
    ///   OpenRouter, W107).
    /// - every `options.params` key at the top level, deprecated ones
    ///   (`route`, `usage`) included.
    /// - the messages as given; `stream`, `tools`, `tool_choice` and other
    ///   parameters from `options`.
    ///
    /// A field set by both the ruleset's params and the host is a
    /// [`BodyError::Conflict`] unless both give the same value: nothing is
    /// dropped silently.
    pub fn from_decision(
        decision: &Decision<'_>,
        messages: Vec<Message>,
        options: RequestOptions,
    ) -> Result<ChatRequest, BodyError> {
        ChatRequest::from_route(Route::from(decision), messages, options)
    }

    /// The body for a route; see [`ChatRequest::from_decision`].
    pub fn from_route(
        route: Route<'_>,
        messages: Vec<Message>,
        options: RequestOptions,
    ) -> Result<ChatRequest, BodyError> {
        if messages.is_empty() {
            return Err(BodyError::NoMessages);
        }
        if route.model.is_empty() {
            return Err(BodyError::NoModel);
        }
        let mut body = ChatRequest::new(route.model, messages);
        if !route.fallbacks.is_empty() {
            body.models = std::iter::once(route.model.to_string())
                .chain(route.fallbacks.iter().map(|m| m.to_string()))
                .collect();
        }
        body.max_tokens = route.max_tokens;

        for (key, value) in route.options {
            match key.as_str() {
                "provider" => {
                    let Json::Object(map) = value else {
                        return Err(option_error(key, value, "an object"));
                    };
                    let prefs = ProviderPreferences::from_json(map)?;
                    if !prefs.is_empty() {
                        body.provider = Some(prefs);
                    }
                }
                "transforms" => {
                    let strings = value.as_array().and_then(|items| {
                        items
                            .iter()
                            .map(|v| v.as_str().map(String::from))
                            .collect::<Option<Vec<_>>>()
                    });
                    match strings {
                        Some(t) => body.transforms = Some(t),
                        None => return Err(option_error(key, value, "an array of strings")),
                    }
                }
                "params" => {
                    let Json::Object(params) = value else {
                        return Err(option_error(key, value, "an object"));
                    };
                    for (k, v) in params {
                        body.set_param(k, v.clone())?;
                    }
                }
                _ => {
                    return Err(BodyError::Option {
                        key: key.clone(),
                        problem: "is not a body option (expected provider, transforms or params)"
                            .into(),
                    })
                }
            }
        }

        if let Some(stream) = options.stream {
            body.set_param("stream", Json::Bool(stream))?;
        }
        if let Some(tools) = options.tools {
            body.set_param("tools", Json::Array(tools))?;
        }
        if let Some(choice) = options.tool_choice {
            body.set_param("tool_choice", choice)?;
        }
        for (k, v) in options.params {
            body.set_param(&k, v)?;
        }
        Ok(body)
    }

    /// Sets a top-level parameter; `stream`, `tools` and `tool_choice` go
    /// to their typed fields. A different value already set is a conflict.
    fn set_param(&mut self, key: &str, value: Json) -> Result<(), BodyError> {
        if RESERVED.contains(&key) {
            return Err(BodyError::Reserved {
                key: key.to_string(),
            });
        }
        match key {
            "stream" => {
                let Json::Bool(b) = value else {
                    return Err(option_error(key, &value, "`true` or `false`"));
                };
                set_once(&mut self.stream, b, key)
            }
            "tools" => {
                let Json::Array(items) = value else {
                    return Err(option_error(key, &value, "an array of tools"));
                };
                set_once(&mut self.tools, items, key)
            }
            "tool_choice" => set_once(&mut self.tool_choice, value, key),
            _ => match self.params.get(key) {
                Some(old) if *old != value => Err(BodyError::Conflict {
                    key: key.to_string(),
                }),
                _ => {
                    self.params.insert(key.to_string(), value);
                    Ok(())
                }
            },
        }
    }

    /// The chain of models OpenRouter will try: `models` when given, else
    /// `model`.
    pub fn chain(&self) -> Vec<&str> {
        if self.models.is_empty() {
            self.model.iter().map(String::as_str).collect()
        } else {
            self.models.iter().map(String::as_str).collect()
        }
    }

    /// The body as a JSON value.
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }

    /// The body as JSON text, ready to send.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

fn set_once<T: PartialEq>(slot: &mut Option<T>, value: T, key: &str) -> Result<(), BodyError> {
    match slot {
        Some(old) if *old != value => Err(BodyError::Conflict {
            key: key.to_string(),
        }),
        _ => {
            *slot = Some(value);
            Ok(())
        }
    }
}

fn option_error(key: &str, value: &Json, expected: &str) -> BodyError {
    BodyError::Option {
        key: key.to_string(),
        problem: format!("is {}, expected {expected}", kind(value)),
    }
}
