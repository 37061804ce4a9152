//! The upstream client: HTTP/1.1 with pooled keep-alive connections,
//! https through rustls (ring) with the webpki roots, so the default build
//! reaches OpenRouter.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Uri;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

/// The pooled upstream client.
pub(crate) type UpstreamClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Why an upstream client could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The platform's TLS setup failed.
    #[error("cannot set up TLS: {0}")]
    Tls(#[from] rustls::Error),
}

/// A client that keeps connections open for reuse, connects within
/// `connect` and speaks http and https.
pub(crate) fn new(connect: Duration) -> Result<UpstreamClient, ClientError> {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(connect));
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())?
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_timer(TokioTimer::new())
        .build(https))
}

/// The upstream URL of chat completions, from an API base.
pub(crate) fn chat_url(base: &str) -> Result<Uri, String> {
    let base = base.trim_end_matches('/');
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(format!(
            "the upstream {base} is not an http:// or https:// URL"
        ));
    }
    format!("{base}/chat/completions")
        .parse()
        .map_err(|e| format!("the upstream {base} is not a valid URL: {e}"))
}
