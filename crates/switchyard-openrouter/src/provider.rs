//! OpenRouter's `provider` object (provider routing preferences), typed.
//!
//! The keys and value sets are those of `switchyard_check::provider::PROVIDER_KEYS`,
//! the table the checker validates `provider { ... }` options with (E012);
//! a test keeps the two in step. OpenRouter declares the object
//! `additionalProperties: false`, so a key this struct does not know is an
//! error when deserialising rather than something passed along.

use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

/// Provider routing preferences: the `provider` field of a chat-completions
/// request. Every field is optional; `None` fields are left out of the JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderPreferences {
    /// Provider slugs to try first, in order (`["anthropic", "openai"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Vec<String>>,
    /// `false`: use only the primary or `order` providers, and return the
    /// upstream error when they fail. OpenRouter's default is `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_fallbacks: Option<bool>,
    /// `true`: route only to providers that support every parameter of the
    /// request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_parameters: Option<bool>,
    /// `deny`: exclude providers that store or train on data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_collection: Option<DataCollection>,
    /// Route only to zero-data-retention endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zdr: Option<bool>,
    /// Route only to models whose author allows text distillation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_distillable_text: Option<bool>,
    /// Allowlist of provider slugs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only: Option<Vec<String>>,
    /// Denylist of provider slugs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<Vec<String>>,
    /// Allowed quantization levels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantizations: Option<Vec<Quantization>>,
    /// Sort providers instead of load balancing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<ProviderSort>,
    /// Soft minimum throughput in tokens per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_min_throughput: Option<Percentiles>,
    /// Soft maximum latency in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_max_latency: Option<Percentiles>,
    /// Hard price ceiling, in USD per **million** tokens.
    #[serde(
        default,
        deserialize_with = "object_only",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_price: Option<MaxPrice>,
}

impl ProviderPreferences {
    /// Every key of the object, in OpenRouter's documentation order.
    pub const KEYS: &'static [&'static str] = &[
        "order",
        "allow_fallbacks",
        "require_parameters",
        "data_collection",
        "zdr",
        "enforce_distillable_text",
        "only",
        "ignore",
        "quantizations",
        "sort",
        "preferred_min_throughput",
        "preferred_max_latency",
        "max_price",
    ];

    /// Reads a provider object given as JSON (a decision's
    /// `options.provider`). An unknown key or a value of the wrong shape is
    /// a [`ProviderError`] naming the key.
    pub fn from_json(map: &Map<String, Json>) -> Result<ProviderPreferences, ProviderError> {
        if let Ok(prefs) = serde_json::from_value(Json::Object(map.clone())) {
            return Ok(prefs);
        }
        // Find the key at fault, one at a time, for a precise message.
        for (key, value) in map {
            if !Self::KEYS.contains(&key.as_str()) {
                return Err(ProviderError {
                    key: key.clone(),
                    problem: format!(
                        "is not a key of OpenRouter's provider object (expected one of {})",
                        Self::KEYS.join(", ")
                    ),
                });
            }
            let mut one = Map::new();
            one.insert(key.clone(), value.clone());
            if let Err(e) = serde_json::from_value::<ProviderPreferences>(Json::Object(one)) {
                return Err(ProviderError {
                    key: key.clone(),
                    problem: e.to_string(),
                });
            }
        }
        serde_json::from_value(Json::Object(map.clone())).map_err(|e| ProviderError {
            key: String::new(),
            problem: e.to_string(),
        })
    }

    /// Whether no preference is set.
    pub fn is_empty(&self) -> bool {
        self == &ProviderPreferences::default()
    }
}

/// A provider object that does not fit OpenRouter's schema.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`provider.{key}` {problem}")]
pub struct ProviderError {
    /// The key at fault.
    pub key: String,
    /// What is wrong with it.
    pub problem: String,
}

/// `data_collection`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataCollection {
    /// Providers that store or train on data are allowed (the default).
    Allow,
    /// Exclude them.
    Deny,
}

impl DataCollection {
    /// Every value.
    pub const ALL: &'static [DataCollection] = &[DataCollection::Allow, DataCollection::Deny];
}

/// A quantization level (`quantizations`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs, reason = "the names are the levels")]
pub enum Quantization {
    Int4,
    Int8,
    Fp4,
    Mxfp4,
    Nvfp4,
    Fp6,
    Fp8,
    Mxfp8,
    Fp16,
    Bf16,
    Fp32,
    /// The provider does not say.
    Unknown,
}

impl Quantization {
    /// Every level.
    pub const ALL: &'static [Quantization] = &[
        Quantization::Int4,
        Quantization::Int8,
        Quantization::Fp4,
        Quantization::Mxfp4,
        Quantization::Nvfp4,
        Quantization::Fp6,
        Quantization::Fp8,
        Quantization::Mxfp8,
        Quantization::Fp16,
        Quantization::Bf16,
        Quantization::Fp32,
        Quantization::Unknown,
    ];
}

/// What providers are sorted by (`sort`, `sort.by`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Cheapest first.
    Price,
    /// Highest throughput first.
    Throughput,
    /// Lowest latency first.
    Latency,
    /// Quality first (tool-calling success, throughput, latency).
    Exacto,
}

impl SortBy {
    /// Every value.
    pub const ALL: &'static [SortBy] = &[
        SortBy::Price,
        SortBy::Throughput,
        SortBy::Latency,
        SortBy::Exacto,
    ];
}

/// How sorting groups endpoints (`sort.partition`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Partition {
    /// Per model: fallback models stay fallbacks (the default).
    Model,
    /// Every endpoint of every model together.
    None,
}

impl Partition {
    /// Every value.
    pub const ALL: &'static [Partition] = &[Partition::Model, Partition::None];
}

/// `sort`: a sort order, or an object with the order and the partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ProviderSort {
    /// `"price"`, `"throughput"`, ...
    By(SortBy),
    /// `{"by": "price", "partition": "none"}`.
    Detailed(SortSpec),
}

/// The object form of `sort`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SortSpec {
    /// The order.
    pub by: SortBy,
    /// The grouping; OpenRouter's default is `model`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<Partition>,
}

impl<'de> Deserialize<'de> for ProviderSort {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Json::deserialize(d)? {
            v @ Json::String(_) => serde_json::from_value(v)
                .map(ProviderSort::By)
                .map_err(D::Error::custom),
            v @ Json::Object(_) => serde_json::from_value(v)
                .map(ProviderSort::Detailed)
                .map_err(D::Error::custom),
            other => Err(D::Error::custom(format!(
                "is {}, expected a sort order (\"price\", \"throughput\", \"latency\", \"exacto\") or an object {{by, partition}}",
                kind(&other)
            ))),
        }
    }
}

/// A number at least 0 (a price, a throughput, a latency), kept as written
/// so that `1` stays `1` and `0.5` stays `0.5` in the JSON sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Amount(serde_json::Number);

impl Amount {
    /// An amount, if `value` is finite and at least 0.
    pub fn new(value: f64) -> Option<Amount> {
        if value >= 0.0 {
            serde_json::Number::from_f64(value).map(Amount)
        } else {
            None
        }
    }

    /// Its value.
    pub fn as_f64(&self) -> f64 {
        self.0.as_f64().unwrap_or(0.0)
    }

    /// The JSON number.
    pub fn as_number(&self) -> &serde_json::Number {
        &self.0
    }
}

impl From<u32> for Amount {
    fn from(value: u32) -> Amount {
        Amount(value.into())
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = serde_json::Number::deserialize(d)?;
        match n.as_f64() {
            Some(v) if v >= 0.0 && v.is_finite() => Ok(Amount(n)),
            _ => Err(D::Error::custom(format!(
                "{n} is not an amount: expected a number at least 0"
            ))),
        }
    }
}

/// `preferred_min_throughput` / `preferred_max_latency`: one number (applied
/// to the p50) or a cutoff per percentile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Percentiles {
    /// A p50 cutoff.
    P50(Amount),
    /// `{"p50": .., "p75": .., "p90": .., "p99": ..}`, each optional.
    Each(PercentileCutoffs),
}

/// Cutoffs per percentile.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs, reason = "the names are the percentiles")]
pub struct PercentileCutoffs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p50: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p75: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p90: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99: Option<Amount>,
}

impl<'de> Deserialize<'de> for Percentiles {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Json::deserialize(d)? {
            v @ Json::Number(_) => serde_json::from_value(v)
                .map(Percentiles::P50)
                .map_err(D::Error::custom),
            v @ Json::Object(_) => serde_json::from_value(v)
                .map(Percentiles::Each)
                .map_err(D::Error::custom),
            other => Err(D::Error::custom(format!(
                "is {}, expected a number or an object {{p50, p75, p90, p99}}",
                kind(&other)
            ))),
        }
    }
}

/// `max_price`: the most to pay, a hard filter. Token prices are in USD per
/// **million** tokens (the catalog's are per token: see
/// [`MaxPrice::from_per_token`]); `request` is per request, `image` per
/// image, `audio` per audio unit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaxPrice {
    /// USD per million prompt tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<Amount>,
    /// USD per million completion tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion: Option<Amount>,
    /// USD per request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Amount>,
    /// USD per image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Amount>,
    /// USD per audio unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<Amount>,
}

impl MaxPrice {
    /// A ceiling from prices in USD per *token* (as in the catalog),
    /// converted to USD per million tokens. `None` if a price is negative
    /// or not finite.
    pub fn from_per_token(prompt: f64, completion: f64) -> Option<MaxPrice> {
        Some(MaxPrice {
            prompt: Some(Amount::new(prompt * 1e6)?),
            completion: Some(Amount::new(completion * 1e6)?),
            ..MaxPrice::default()
        })
    }
}

/// Deserialises an optional struct from a JSON object only (serde's
/// derived structs would also take an array, by position).
pub(crate) fn object_only<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    match Json::deserialize(d)? {
        Json::Null => Ok(None),
        v @ Json::Object(_) => serde_json::from_value(v)
            .map(Some)
            .map_err(D::Error::custom),
        other => Err(D::Error::custom(format!(
            "is {}, expected an object",
            kind(&other)
        ))),
    }
}

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
