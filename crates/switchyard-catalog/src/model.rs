//! One model of the catalog, and how it is read from JSON.

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::error::CatalogError;

/// A model of OpenRouter's catalog: the fields routing needs, typed.
///
/// Fields OpenRouter adds that are not here are ignored when loading; fields
/// here that the catalog leaves out (or sets to `null`) are `None` or empty.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Model {
    /// The slug to send as `model`, e.g. `"openai/gpt-4o"` or
    /// `"google/gemma-2-9b-it:free"`.
    pub id: String,
    /// The permanent slug, when given.
    pub canonical_slug: Option<String>,
    /// The display name, e.g. `"OpenAI: GPT-4o"`.
    pub name: Option<String>,
    /// The context window in tokens (prompt and completion together).
    pub context_length: Option<u64>,
    /// Prices in USD per token (per request, image, search for those keys).
    pub pricing: Pricing,
    /// The best provider's limits.
    pub top_provider: TopProvider,
    /// Input and output modalities.
    pub architecture: Architecture,
    /// Request parameters the model supports (`tools`, `response_format`, ...).
    pub supported_parameters: Vec<String>,
    /// `"YYYY-MM-DD"` for a model being retired.
    pub expiration_date: Option<String>,
}

/// A model's prices, in USD per token (`request`: per request; `image`:
/// per image; `web_search`: per search), parsed from the catalog's decimal
/// strings.
///
/// `None` means the catalog gives no price: the key is missing or `null`, or
/// it holds OpenRouter's `"-1"` sentinel, used for routers such as
/// `openrouter/auto` whose price depends on the model they pick. Any other
/// negative value is an error when the catalog loads, as are values that do
/// not parse or are not finite. `"0"` is free.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Pricing {
    /// Per prompt (input) token.
    pub prompt: Option<f64>,
    /// Per completion (output) token.
    pub completion: Option<f64>,
    /// Per request.
    pub request: Option<f64>,
    /// Per input image.
    pub image: Option<f64>,
    /// Per web search.
    pub web_search: Option<f64>,
    /// Per reasoning token.
    pub internal_reasoning: Option<f64>,
    /// Per cached prompt token read.
    pub input_cache_read: Option<f64>,
    /// Per prompt token written to the cache.
    pub input_cache_write: Option<f64>,
}

/// The price keys read from `pricing`, with their slots.
const PRICE_KEYS: &[&str] = &[
    "prompt",
    "completion",
    "request",
    "image",
    "web_search",
    "internal_reasoning",
    "input_cache_read",
    "input_cache_write",
];

impl Pricing {
    fn slot(&mut self, key: &str) -> Option<&mut Option<f64>> {
        Some(match key {
            "prompt" => &mut self.prompt,
            "completion" => &mut self.completion,
            "request" => &mut self.request,
            "image" => &mut self.image,
            "web_search" => &mut self.web_search,
            "internal_reasoning" => &mut self.internal_reasoning,
            "input_cache_read" => &mut self.input_cache_read,
            "input_cache_write" => &mut self.input_cache_write,
            _ => return None,
        })
    }

    /// Whether both token prices are known and zero.
    pub fn is_free(&self) -> bool {
        self.prompt == Some(0.0)
            && self.completion == Some(0.0)
            && self.request.unwrap_or(0.0) == 0.0
    }
}

/// `top_provider`: the limits of the model's best provider.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TopProvider {
    /// Its context window in tokens.
    pub context_length: Option<u64>,
    /// The most completion tokens it produces in one request.
    pub max_completion_tokens: Option<u64>,
    /// Whether it moderates content.
    pub is_moderated: Option<bool>,
}

/// `architecture`: what goes in and comes out.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Architecture {
    /// E.g. `"text+image->text"`.
    pub modality: Option<String>,
    /// Any of `text`, `image`, `file`, `audio`, `video`.
    pub input_modalities: Vec<String>,
    /// Any of `text`, `image`, `embeddings`, `audio`, ...
    pub output_modalities: Vec<String>,
}

impl Model {
    /// The context window: `context_length`, else the top provider's.
    pub fn context_window(&self) -> Option<u64> {
        self.context_length.or(self.top_provider.context_length)
    }

    /// Whether `supported_parameters` lists `param`.
    pub fn supports_parameter(&self, param: &str) -> bool {
        self.supported_parameters.iter().any(|p| p == param)
    }

    /// Whether the model takes `tools` (`supported_parameters` has `tools`).
    pub fn supports_tools(&self) -> bool {
        self.supports_parameter("tools")
    }

    /// Whether the model reads images (`image` among the input modalities).
    pub fn supports_vision(&self) -> bool {
        self.architecture
            .input_modalities
            .iter()
            .any(|m| m == "image")
    }

    /// Whether the model gives JSON output on request
    /// (`supported_parameters` has `response_format` or
    /// `structured_outputs`).
    pub fn supports_json(&self) -> bool {
        self.supports_parameter("response_format") || self.supports_parameter("structured_outputs")
    }

    /// Whether a prompt of `prompt_tokens` and a completion of `max_tokens`
    /// fit the context window. False when the window is unknown.
    pub fn fits(&self, prompt_tokens: u64, max_tokens: u64) -> bool {
        match self.context_window() {
            Some(window) => prompt_tokens
                .checked_add(max_tokens)
                .is_some_and(|needed| window >= needed),
            None => false,
        }
    }

    /// The cost in USD of one request with these token counts: prompt price
    /// × prompt tokens + completion price × completion tokens + request
    /// price (0 when not given). `None` when the prompt or completion price
    /// is unknown.
    pub fn cost_usd(&self, prompt_tokens: u64, completion_tokens: u64) -> Option<f64> {
        let prompt = self.pricing.prompt?;
        let completion = self.pricing.completion?;
        let request = self.pricing.request.unwrap_or(0.0);
        Some(prompt * prompt_tokens as f64 + completion * completion_tokens as f64 + request)
    }

    /// The most a request can cost in USD: [`Model::cost_usd`] with
    /// `max_tokens` completion tokens.
    pub fn worst_case_cost_usd(&self, prompt_tokens: u64, max_tokens: u64) -> Option<f64> {
        self.cost_usd(prompt_tokens, max_tokens)
    }

    /// The most completion tokens a request with this prompt can get when
    /// it sets no `max_tokens`: the top provider's `max_completion_tokens`,
    /// capped by what the context window leaves after the prompt. `None`
    /// when neither is known.
    pub fn completion_cap(&self, prompt_tokens: u64) -> Option<u64> {
        let room = self
            .context_window()
            .map(|w| w.saturating_sub(prompt_tokens));
        match (self.top_provider.max_completion_tokens, room) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// `"a string"`, `"null"`, ... for messages.
pub(crate) fn kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Reads one model object; `index` is its position in `data`.
pub(crate) fn parse_model(index: usize, value: &Json) -> Result<Model, CatalogError> {
    let Json::Object(obj) = value else {
        return Err(CatalogError::NotAnObject {
            index,
            found: kind(value),
        });
    };
    let id = match obj.get("id") {
        Some(Json::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Json::String(_)) => {
            return Err(CatalogError::MissingId {
                index,
                found: "an empty string",
            })
        }
        Some(other) => {
            return Err(CatalogError::MissingId {
                index,
                found: kind(other),
            })
        }
        None => {
            return Err(CatalogError::MissingId {
                index,
                found: "missing",
            })
        }
    };
    let r = Reader {
        index,
        id: &id,
        prefix: "",
    };
    let canonical_slug = r.string(obj, "canonical_slug")?;
    let name = r.string(obj, "name")?;
    let context_length = r.count(obj, "context_length")?;
    let expiration_date = r.string(obj, "expiration_date")?;
    let supported_parameters = r.strings(obj, "supported_parameters")?;

    let mut pricing = Pricing::default();
    if let Some(p) = r.object(obj, "pricing")? {
        let pr = r.nested("pricing.");
        for key in PRICE_KEYS {
            if let Some(slot) = pricing.slot(key) {
                *slot = pr.price(p, key)?;
            }
        }
    }

    let mut top_provider = TopProvider::default();
    if let Some(t) = r.object(obj, "top_provider")? {
        let tr = r.nested("top_provider.");
        top_provider.context_length = tr.count(t, "context_length")?;
        top_provider.max_completion_tokens = tr.count(t, "max_completion_tokens")?;
        top_provider.is_moderated = tr.boolean(t, "is_moderated")?;
    }

    let mut architecture = Architecture::default();
    if let Some(a) = r.object(obj, "architecture")? {
        let ar = r.nested("architecture.");
        architecture.modality = ar.string(a, "modality")?;
        architecture.input_modalities = ar.strings(a, "input_modalities")?;
        architecture.output_modalities = ar.strings(a, "output_modalities")?;
    }

    Ok(Model {
        id,
        canonical_slug,
        name,
        context_length,
        pricing,
        top_provider,
        architecture,
        supported_parameters,
        expiration_date,
    })
}

/// Reads typed fields of one model, naming the model and field in errors.
#[derive(Clone, Copy)]
struct Reader<'a> {
    index: usize,
    id: &'a str,
    prefix: &'static str,
}

impl<'a> Reader<'a> {
    fn nested(self, prefix: &'static str) -> Reader<'a> {
        Reader { prefix, ..self }
    }

    fn error(&self, field: String, problem: String) -> CatalogError {
        CatalogError::Field {
            index: self.index,
            id: self.id.to_string(),
            field: format!("{}{field}", self.prefix),
            problem,
        }
    }

    fn wrong(&self, key: &str, value: &Json, expected: &str) -> CatalogError {
        self.error(
            key.to_string(),
            format!("is {}, expected {expected}", kind(value)),
        )
    }

    /// The value of `key`, treating `null` as absent.
    fn get<'j>(obj: &'j Map<String, Json>, key: &str) -> Option<&'j Json> {
        obj.get(key).filter(|v| !v.is_null())
    }

    fn string(&self, obj: &Map<String, Json>, key: &str) -> Result<Option<String>, CatalogError> {
        match Self::get(obj, key) {
            None => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.wrong(key, other, "a string")),
        }
    }

    fn boolean(&self, obj: &Map<String, Json>, key: &str) -> Result<Option<bool>, CatalogError> {
        match Self::get(obj, key) {
            None => Ok(None),
            Some(Json::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong(key, other, "`true` or `false`")),
        }
    }

    fn object<'j>(
        &self,
        obj: &'j Map<String, Json>,
        key: &str,
    ) -> Result<Option<&'j Map<String, Json>>, CatalogError> {
        match Self::get(obj, key) {
            None => Ok(None),
            Some(Json::Object(o)) => Ok(Some(o)),
            Some(other) => Err(self.wrong(key, other, "an object")),
        }
    }

    /// A token count: a whole number, at least 0.
    fn count(&self, obj: &Map<String, Json>, key: &str) -> Result<Option<u64>, CatalogError> {
        match Self::get(obj, key) {
            None => Ok(None),
            Some(Json::Number(n)) => {
                if let Some(u) = n.as_u64() {
                    return Ok(Some(u));
                }
                match n.as_f64() {
                    Some(f) if f >= 0.0 && f.fract() == 0.0 && f < 1.8e19 => Ok(Some(f as u64)),
                    _ => Err(self.error(
                        key.to_string(),
                        format!("is {n}, expected a whole number of tokens, at least 0"),
                    )),
                }
            }
            Some(other) => Err(self.wrong(key, other, "a whole number of tokens")),
        }
    }

    fn strings(&self, obj: &Map<String, Json>, key: &str) -> Result<Vec<String>, CatalogError> {
        match Self::get(obj, key) {
            None => Ok(Vec::new()),
            Some(Json::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Json::String(s) => Ok(s.clone()),
                    other => Err(self.error(
                        format!("{key}[{i}]"),
                        format!("is {}, expected a string", kind(other)),
                    )),
                })
                .collect(),
            Some(other) => Err(self.wrong(key, other, "an array of strings")),
        }
    }

    /// A price: a decimal string (or a number), finite and at least 0;
    /// `"-1"` is OpenRouter's "no fixed price" sentinel and reads as `None`.
    fn price(&self, obj: &Map<String, Json>, key: &str) -> Result<Option<f64>, CatalogError> {
        let (value, shown) = match Self::get(obj, key) {
            None => return Ok(None),
            Some(Json::String(s)) => match s.trim().parse::<f64>() {
                Ok(v) => (v, format!("{s:?}")),
                Err(_) => {
                    return Err(self.error(
                        key.to_string(),
                        format!("is {s:?}, not a price (expected a decimal string such as \"0.000003\", USD per token)"),
                    ))
                }
            },
            Some(Json::Number(n)) => match n.as_f64() {
                Some(v) => (v, n.to_string()),
                None => {
                    return Err(self.error(key.to_string(), format!("is {n}, not a finite price")))
                }
            },
            Some(other) => {
                return Err(self.wrong(key, other, "a price as a decimal string"));
            }
        };
        if value == -1.0 {
            return Ok(None);
        }
        if !value.is_finite() {
            return Err(self.error(key.to_string(), format!("is {shown}, not a finite price")));
        }
        if value < 0.0 {
            return Err(self.error(
                key.to_string(),
                format!("is {shown}, a negative price (only \"-1\", meaning no fixed price, may be negative)"),
            ));
        }
        Ok(Some(value))
    }
}
