//! Request headers: the API key and app attribution.
//!
//! The key lives in an [`ApiKey`], whose `Debug` and `Display` never show
//! it; it leaves only through [`headers`] (the `Authorization` value) and
//! [`ApiKey::expose`]. Errors about a key never contain it either.

use std::fmt;

/// An OpenRouter API key. Printing it (`{}` or `{:?}`) shows a redacted
/// form: `sk-…` and its last 4 characters for a key of 20 characters or
/// more, `[redacted]` for a shorter one.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key, refusing an empty one or one with whitespace or control
    /// characters (which would break, or inject into, the header).
    pub fn new(key: impl Into<String>) -> Result<ApiKey, HeaderError> {
        let key = key.into();
        if key.is_empty() {
            return Err(HeaderError::EmptyKey);
        }
        if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(HeaderError::KeyCharacters);
        }
        Ok(ApiKey(key))
    }

    /// The key itself, for a host that must hand it to something else.
    /// Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The redacted form used by `Debug` and `Display`.
    pub fn redacted(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() >= 20 {
            let tail: String = chars[chars.len() - 4..].iter().collect();
            format!("sk-…{tail}")
        } else {
            "[redacted]".into()
        }
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({})", self.redacted())
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// App attribution, configured once per host: `HTTP-Referer` (the app's
/// URL, which puts it in OpenRouter's rankings) and the app's title, sent as
/// both `X-OpenRouter-Title` and the older `X-Title`. All optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attribution {
    referer: Option<String>,
    title: Option<String>,
    categories: Vec<String>,
}

impl Attribution {
    /// No attribution yet.
    pub fn new() -> Attribution {
        Attribution::default()
    }

    /// Sets the app's URL (`HTTP-Referer`).
    pub fn referer(mut self, url: impl Into<String>) -> Result<Attribution, HeaderError> {
        self.referer = Some(header_value("HTTP-Referer", url.into())?);
        Ok(self)
    }

    /// Sets the app's name (`X-OpenRouter-Title` and `X-Title`).
    pub fn title(mut self, title: impl Into<String>) -> Result<Attribution, HeaderError> {
        self.title = Some(header_value("X-OpenRouter-Title", title.into())?);
        Ok(self)
    }

    /// Sets marketplace categories (`X-OpenRouter-Categories`, joined with
    /// commas; OpenRouter drops unknown ones).
    pub fn categories<I, S>(mut self, categories: I) -> Result<Attribution, HeaderError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut out = Vec::new();
        for c in categories {
            let c = header_value("X-OpenRouter-Categories", c.into())?;
            if c.contains(',') {
                return Err(HeaderError::Value {
                    header: "X-OpenRouter-Categories",
                    problem: "a category contains a comma".into(),
                });
            }
            out.push(c);
        }
        self.categories = out;
        Ok(self)
    }

    /// The app's URL.
    pub fn referer_url(&self) -> Option<&str> {
        self.referer.as_deref()
    }

    /// The app's name.
    pub fn app_title(&self) -> Option<&str> {
        self.title.as_deref()
    }
}

/// Checks a header value: no control characters, no surrounding
/// whitespace, not empty.
fn header_value(header: &'static str, value: String) -> Result<String, HeaderError> {
    if value.trim().is_empty() {
        return Err(HeaderError::Value {
            header,
            problem: "is empty".into(),
        });
    }
    if value.chars().any(char::is_control) {
        return Err(HeaderError::Value {
            header,
            problem: "contains a control character (a line break?)".into(),
        });
    }
    Ok(value.trim().to_string())
}

/// The headers of a chat-completions call: `Authorization: Bearer <key>`,
/// then, when given, `HTTP-Referer`, `X-OpenRouter-Title`, `X-Title` and
/// `X-OpenRouter-Categories`. Names are as OpenRouter documents them (HTTP
/// header names are case-insensitive). `Content-Type: application/json` is
/// left to the host's HTTP client, which sets it with a JSON body.
///
/// The `Authorization` value holds the key: hand it to the HTTP client and
/// do not log it.
pub fn headers(key: &ApiKey, attribution: Option<&Attribution>) -> Vec<(&'static str, String)> {
    let mut out = vec![("Authorization", format!("Bearer {}", key.0))];
    if let Some(a) = attribution {
        if let Some(r) = &a.referer {
            out.push(("HTTP-Referer", r.clone()));
        }
        if let Some(t) = &a.title {
            out.push(("X-OpenRouter-Title", t.clone()));
            out.push(("X-Title", t.clone()));
        }
        if !a.categories.is_empty() {
            out.push(("X-OpenRouter-Categories", a.categories.join(",")));
        }
    }
    out
}

/// A key or header value that cannot be sent. Never contains the key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// The key is empty.
    #[error("the API key is empty")]
    EmptyKey,
    /// The key has whitespace or control characters.
    #[error("the API key contains whitespace or control characters")]
    KeyCharacters,
    /// An attribution value cannot be a header value.
    #[error("`{header}` {problem}")]
    Value {
        /// The header.
        header: &'static str,
        /// What is wrong.
        problem: String,
    },
}
