//! The settings a request is served with: the configuration, its client
//! keys indexed by digest, and the headers every upstream call carries.
//! One immutable value, swapped whole when the configuration file changes.

use std::collections::HashMap;
use std::sync::Arc;

use hyper::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};
use switchyard::openrouter::{headers, ApiKey, Attribution, HeaderError};
use tokio::sync::Semaphore;

use crate::config::Config;

/// A client key, as configured (the key itself is never kept).
#[derive(Debug)]
pub(crate) struct ClientKey {
    /// For the access log and the metrics.
    pub(crate) name: String,
    /// Context fields it fixes.
    pub(crate) fields: Map<String, Json>,
    /// Its spend limit per UTC day.
    pub(crate) daily_usd: Option<f64>,
    /// Its spend limit per UTC month.
    pub(crate) monthly_usd: Option<f64>,
}

/// A configuration ready to serve with.
pub(crate) struct Settings {
    pub(crate) config: Config,
    keys: HashMap<[u8; 32], Arc<ClientKey>>,
    /// `Authorization` (marked sensitive) and the attribution headers.
    pub(crate) upstream_headers: Vec<(HeaderName, HeaderValue)>,
    /// The concurrency slots, `limits.max_concurrent` of them.
    pub(crate) slots: Arc<Semaphore>,
}

/// Why settings could not be made from a configuration.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// An attribution value that cannot be a header.
    #[error("attribution: {0}")]
    Attribution(#[from] HeaderError),
    /// A header that is not valid (a control character).
    #[error("the upstream header `{0}` has a character a header cannot carry")]
    Header(&'static str),
}

impl Settings {
    /// Indexes the keys and prepares the upstream headers.
    pub(crate) fn new(config: Config, api_key: &ApiKey) -> Result<Settings, SettingsError> {
        let mut attribution = None;
        if let Some(title) = &config.attribution.title {
            attribution = Some(Attribution::new().title(title.clone())?);
        }
        if let Some(referer) = &config.attribution.referer {
            attribution = Some(attribution.unwrap_or_default().referer(referer.clone())?);
        }
        let mut upstream_headers = Vec::new();
        for (name, value) in headers(api_key, attribution.as_ref()) {
            let mut value =
                HeaderValue::from_str(&value).map_err(|_| SettingsError::Header(name))?;
            if name.eq_ignore_ascii_case("authorization") {
                value.set_sensitive(true);
            }
            let name =
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| SettingsError::Header(name))?;
            upstream_headers.push((name, value));
        }
        let keys = config
            .keys
            .iter()
            .filter_map(|k| {
                let digest = decode_hex(&k.sha256)?;
                let key = ClientKey {
                    name: k.name.clone(),
                    fields: k.fields.clone(),
                    daily_usd: k.daily_usd,
                    monthly_usd: k.monthly_usd,
                };
                Some((digest, Arc::new(key)))
            })
            .collect();
        Ok(Settings {
            slots: Arc::new(Semaphore::new(config.limits.max_concurrent)),
            config,
            keys,
            upstream_headers,
        })
    }

    /// Takes over `previous`'s concurrency slots when the limit is the
    /// same, so the requests in flight stay counted. Under a new limit the
    /// slots are new: requests in flight hold the old ones to their end.
    pub(crate) fn carry_slots(&mut self, previous: &Settings) {
        if previous.config.limits.max_concurrent == self.config.limits.max_concurrent {
            self.slots = Arc::clone(&previous.slots);
        }
    }

    /// Whether requests need a client key.
    pub(crate) fn needs_keys(&self) -> bool {
        !self.keys.is_empty()
    }

    /// The client key whose digest is that of `presented`.
    pub(crate) fn key(&self, presented: &str) -> Option<Arc<ClientKey>> {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        self.keys.get(&digest).cloned()
    }
}

/// 64 hex digits (either case) as 32 bytes.
fn decode_hex(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        let hi = char::from(*pair.first()?).to_digit(16)?;
        let lo = char::from(*pair.get(1)?).to_digit(16)?;
        *out.get_mut(i)? = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn a_key_is_found_by_its_digest_only() {
        // sha256("test")
        let config = Config::from_toml(
            "[[keys]]\nname = \"t\"\nsha256 = \"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\"\n\
             fields = { tier = \"pro\" }",
        )
        .unwrap();
        let s = Settings::new(config, &ApiKey::new("sk-or-v1-0000000000000000").unwrap()).unwrap();
        assert!(s.needs_keys());
        assert_eq!(s.key("test").unwrap().name, "t");
        assert!(s.key("tesT").is_none());
        assert!(s.upstream_headers[0].1.is_sensitive());
    }
}
