//! OpenRouter's model catalog as typed data.
//!
//! A catalog is the JSON of OpenRouter's `GET /api/v1/models`
//! (`{"data": [model, ...], ...}`), read from a file ([`Catalog::load`]), a
//! string ([`Catalog::from_json_str`]) or a value the host already holds
//! ([`Catalog::from_value`]). It answers what switchyard's catalog-aware
//! targets ask (docs/reference/catalogs.md): does a model take tools, images,
//! JSON output; does a prompt fit its context window; what does a request
//! cost at worst.
//!
//! Prices in the catalog are **USD per token**, written as decimal strings;
//! they are parsed to `f64` when the catalog loads (see [`Pricing`] for the
//! `"-1"` sentinel). OpenRouter's `provider.max_price` is in USD per
//! *million* tokens: multiply by 1e6 to compare.
//!
//! Loading is strict about what it reads and lenient about the rest: the
//! top level must have a `data` array and every model a string `id`; the
//! typed fields ([`Model`]) may be missing or `null`, but a present field of
//! the wrong type, or a price that is negative, not finite or not a number,
//! is a [`CatalogError`] naming the model and the field. Unknown fields are
//! ignored. Nothing here panics or does network I/O.
//!
//! A catalog may also list OpenRouter's providers: a top-level `providers`
//! array shaped like the `data` of `GET /api/v1/providers` (objects with a
//! `slug` and a `name`), for checking the slugs of `provider { order,
//! only, ignore }`. Build such a file from the two answers with
//! `jq -s '{data: .[0].data, providers: .[1].data}' models.json providers.json`.
//!
//! ```
//! use switchyard_catalog::Catalog;
//!
//! let catalog = Catalog::from_json_str(r#"{"data": [{
//!     "id": "openai/gpt-4o-mini",
//!     "context_length": 128000,
//!     "pricing": {"prompt": "0.00000015", "completion": "0.0000006"},
//!     "architecture": {"input_modalities": ["text", "image"]},
//!     "supported_parameters": ["tools", "response_format"]
//! }]}"#)?;
//!
//! assert!(catalog.supports_tools("openai/gpt-4o-mini"));
//! assert!(catalog.supports_vision("openai/gpt-4o-mini"));
//! // A variant not listed on its own answers with its base model.
//! assert!(catalog.fits("openai/gpt-4o-mini:nitro", 100_000, 4096));
//! // 1000 prompt tokens and at most 500 completion tokens:
//! let cost = catalog.worst_case_cost_usd("openai/gpt-4o-mini", 1000, 500);
//! assert!((cost.unwrap_or(0.0) - 0.00045).abs() < 1e-12);
//! # Ok::<(), switchyard_catalog::CatalogError>(())
//! ```

mod error;
mod model;

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value as Json;

pub use error::CatalogError;
pub use model::{Architecture, Model, Pricing, TopProvider};

/// The models of OpenRouter's `GET /api/v1/models`, indexed by id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    models: Vec<Model>,
    index: HashMap<String, usize>,
    /// Provider slugs and names, when the catalog lists providers.
    providers: Vec<Provider>,
}

/// A provider of `GET /api/v1/providers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    /// The slug `provider { order: [...] }` takes, e.g. `"amazon-bedrock"`.
    pub slug: String,
    /// The display name, e.g. `"Amazon Bedrock"` (OpenRouter accepts it too).
    pub name: Option<String>,
}

/// Splits a model id into its base and its variant suffix:
/// `"openai/gpt-4o:nitro"` → `("openai/gpt-4o", Some("nitro"))`. Only a
/// `:` in the last path segment counts.
pub fn split_variant(id: &str) -> (&str, Option<&str>) {
    let start = id.rfind('/').map_or(0, |i| i + 1);
    match id[start..].rfind(':') {
        Some(colon) => {
            let at = start + colon;
            (&id[..at], Some(&id[at + 1..]))
        }
        None => (id, None),
    }
}

impl Catalog {
    /// Reads a catalog from the text of `GET /api/v1/models`.
    pub fn from_json_str(text: &str) -> Result<Catalog, CatalogError> {
        let value: Json = serde_json::from_str(text).map_err(|e| CatalogError::syntax(&e))?;
        Catalog::from_value(&value)
    }

    /// Reads a catalog from an already-parsed JSON value of the same shape.
    pub fn from_value(value: &Json) -> Result<Catalog, CatalogError> {
        let data = match value {
            Json::Object(obj) => match obj.get("data") {
                Some(Json::Array(items)) => items,
                Some(other) => {
                    return Err(CatalogError::NoData {
                        found: format!("`data` is {}", model::kind(other)),
                    })
                }
                None => {
                    return Err(CatalogError::NoData {
                        found: "the object has no `data` key".into(),
                    })
                }
            },
            other => {
                return Err(CatalogError::NoData {
                    found: format!("the top level is {}, not an object", model::kind(other)),
                })
            }
        };
        let mut catalog = Catalog::from_models_with(data.iter())?;
        if let Some(Json::Array(items)) = value.get("providers") {
            catalog.providers = items
                .iter()
                .filter_map(|p| {
                    let slug = p.get("slug")?.as_str()?.to_string();
                    let name = p.get("name").and_then(Json::as_str).map(String::from);
                    Some(Provider { slug, name })
                })
                .collect();
        }
        Ok(catalog)
    }

    /// The providers the catalog lists (empty when it lists none).
    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    /// Whether `slug` names a listed provider: its slug or display name,
    /// or one endpoint of it (`"deepinfra/turbo"`). True when the catalog
    /// lists no providers (nothing to check against).
    pub fn knows_provider(&self, slug: &str) -> bool {
        let base = slug.split('/').next().unwrap_or(slug);
        self.providers.is_empty()
            || self
                .providers
                .iter()
                .any(|p| p.slug == base || p.name.as_deref() == Some(slug))
    }

    fn from_models_with<'a>(
        items: impl Iterator<Item = &'a Json>,
    ) -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog::default();
        for (index, item) in items.enumerate() {
            let model = model::parse_model(index, item)?;
            if let Some(&first) = catalog.index.get(&model.id) {
                return Err(CatalogError::DuplicateId {
                    id: model.id,
                    index,
                    first,
                });
            }
            catalog.index.insert(model.id.clone(), catalog.models.len());
            catalog.models.push(model);
        }
        Ok(catalog)
    }

    /// Reads a catalog from a file holding the JSON of `GET /api/v1/models`.
    pub fn load(path: impl AsRef<Path>) -> Result<Catalog, CatalogError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Catalog::from_json_str(&text)
    }

    /// The number of models.
    pub fn len(&self) -> usize {
        self.models.len()
    }

    /// Whether the catalog has no models.
    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    /// The models, in the catalog's order.
    pub fn models(&self) -> &[Model] {
        &self.models
    }

    /// The model listed with exactly this id.
    pub fn get(&self, id: &str) -> Option<&Model> {
        self.index.get(id).and_then(|&i| self.models.get(i))
    }

    /// The model for an id: the one listed with exactly this id, else, for
    /// an id with a variant suffix (`"openai/gpt-4o:nitro"`) that is not
    /// listed itself, its base model (`"openai/gpt-4o"`).
    ///
    /// A variant answers with its base model's capabilities, context window
    /// and prices. Variants do not change what a model can do (`:extended`
    /// excepted, whose window is larger: the base's is the safe answer), and
    /// the base's prices are an upper bound for `:free` and `:floor` and a
    /// close estimate for the others (`:nitro` may bill priority-tier
    /// endpoints at higher rates).
    pub fn model(&self, id: &str) -> Option<&Model> {
        self.get(id).or_else(|| match split_variant(id) {
            (base, Some(_)) => self.get(base),
            (_, None) => None,
        })
    }

    /// Whether [`Catalog::model`] finds the id.
    pub fn contains(&self, id: &str) -> bool {
        self.model(id).is_some()
    }

    /// Whether the model takes `tools`. False for a model not in the catalog.
    pub fn supports_tools(&self, id: &str) -> bool {
        self.model(id).is_some_and(Model::supports_tools)
    }

    /// Whether the model reads images. False for a model not in the catalog.
    pub fn supports_vision(&self, id: &str) -> bool {
        self.model(id).is_some_and(Model::supports_vision)
    }

    /// Whether the model gives JSON output on request (`response_format` or
    /// `structured_outputs`). False for a model not in the catalog.
    pub fn supports_json(&self, id: &str) -> bool {
        self.model(id).is_some_and(Model::supports_json)
    }

    /// Whether `context_length >= prompt_tokens + max_tokens`. False for a
    /// model not in the catalog or with no known context window.
    pub fn fits(&self, id: &str, prompt_tokens: u64, max_tokens: u64) -> bool {
        self.model(id)
            .is_some_and(|m| m.fits(prompt_tokens, max_tokens))
    }

    /// The cost in USD of a request with these token counts (see
    /// [`Model::cost_usd`]). `None` for a model not in the catalog or not
    /// priced.
    pub fn cost_usd(&self, id: &str, prompt_tokens: u64, completion_tokens: u64) -> Option<f64> {
        self.model(id)?.cost_usd(prompt_tokens, completion_tokens)
    }

    /// The most a request can cost in USD: prompt price × `prompt_tokens` +
    /// completion price × `max_tokens` + request price. `None` for a model
    /// not in the catalog or not priced.
    pub fn worst_case_cost_usd(
        &self,
        id: &str,
        prompt_tokens: u64,
        max_tokens: u64,
    ) -> Option<f64> {
        self.model(id)?
            .worst_case_cost_usd(prompt_tokens, max_tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_split_on_the_last_segment() {
        assert_eq!(
            split_variant("openai/gpt-4o:nitro"),
            ("openai/gpt-4o", Some("nitro"))
        );
        assert_eq!(split_variant("openai/gpt-4o"), ("openai/gpt-4o", None));
        assert_eq!(split_variant("a:b/c"), ("a:b/c", None));
        assert_eq!(split_variant("x:"), ("x", Some("")));
    }
}
