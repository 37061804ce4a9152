//! The upstream client of one serving thread: HTTP/1.1 connections to the
//! upstream kept open for reuse, https through rustls (ring) with the
//! webpki roots, so the default build reaches OpenRouter.
//!
//! Each serving thread has its own ([`crate::server`]), so the pool is a
//! short list of connections to the one upstream, with no keyed map and no
//! connection shared between threads: a request takes the most recently
//! used connection that is ready, or opens one (within
//! `timeouts.connect`). A connection goes back to the list as soon as the
//! answer's head has arrived and is ready again once its body has been
//! read; one that closed (the upstream closed it, or a client went away
//! mid-answer and the rest of the answer was dropped, which cancels the
//! upstream request) is dropped from the list, as is one idle for
//! [`IDLE_TIMEOUT`]. A request the upstream closed a reused connection on
//! before it was sent is sent again on another.

use std::future::poll_fn;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{HeaderValue, HOST};
use hyper::{Request, Response, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use tower_service::Service;

/// How long an unused connection is kept open.
pub(crate) const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Why an upstream client could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The platform's TLS setup failed.
    #[error("cannot set up TLS: {0}")]
    Tls(#[from] rustls::Error),
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SendError {
    /// No connection to the upstream could be opened.
    #[error(transparent)]
    Connect(Box<dyn std::error::Error + Send + Sync>),
    /// The request could not be sent, or the answer read, as HTTP.
    #[error(transparent)]
    Http(#[from] hyper::Error),
}

/// A serving thread's connections to the upstream.
pub(crate) struct UpstreamClient {
    connector: HttpsConnector<HttpConnector>,
    /// The upstream's chat-completions URL (what the connector connects
    /// to), its path (what requests are sent to) and its `Host`.
    url: Uri,
    path: Uri,
    host: HeaderValue,
    /// Connections not carrying a request, the most recently used last.
    idle: Mutex<Vec<Idle>>,
}

/// A connection in the list.
struct Idle {
    sender: SendRequest<Full<Bytes>>,
    since: Instant,
}

impl UpstreamClient {
    /// A client of `url` (an http:// or https:// URL, see [`chat_url`])
    /// that connects within `connect`.
    pub(crate) fn new(url: &Uri, connect: Duration) -> Result<UpstreamClient, ClientError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(connect));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let path = url
            .path_and_query()
            .map_or_else(|| Uri::from_static("/"), |p| Uri::from(p.clone()));
        // `chat_url` only makes URLs with a host: the fallback is never used.
        let host = url.host().unwrap_or("localhost");
        let default_port = if url.scheme_str() == Some("https") {
            443
        } else {
            80
        };
        let host = match url.port_u16().filter(|&p| p != default_port) {
            Some(port) => HeaderValue::from_str(&format!("{host}:{port}")),
            None => HeaderValue::from_str(host),
        }
        .unwrap_or_else(|_| HeaderValue::from_static("localhost"));
        Ok(UpstreamClient {
            connector,
            url: url.clone(),
            path,
            host,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Sends `request` (its URI and `Host` are set here) and returns the
    /// answer's head; its body arrives as it is read.
    pub(crate) async fn send(
        &self,
        mut request: Request<Full<Bytes>>,
    ) -> Result<Response<Incoming>, SendError> {
        *request.uri_mut() = self.path.clone();
        request.headers_mut().insert(HOST, self.host.clone());
        loop {
            let (mut sender, reused) = match self.checkout() {
                Some(sender) => (sender, true),
                None => (self.connect().await?, false),
            };
            match sender.try_send_request(request).await {
                Ok(response) => {
                    self.checkin(sender);
                    return Ok(response);
                }
                Err(mut e) => match e.take_message() {
                    // The upstream closed the reused connection before the
                    // request went out: another connection may take it.
                    Some(unsent) if reused => request = unsent,
                    _ => return Err(SendError::Http(e.into_error())),
                },
            }
        }
    }

    /// Closes the connections idle for [`IDLE_TIMEOUT`] (and those already
    /// closed).
    pub(crate) fn close_idle(&self) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.retain(|c| !c.sender.is_closed() && c.since.elapsed() < IDLE_TIMEOUT);
    }

    /// The most recently used open connection ready for a request.
    fn checkout(&self) -> Option<SendRequest<Full<Bytes>>> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.retain(|c| !c.sender.is_closed());
        let ready = idle.iter().rposition(|c| c.sender.is_ready())?;
        Some(idle.remove(ready).sender)
    }

    fn checkin(&self, sender: SendRequest<Full<Bytes>>) {
        let since = Instant::now();
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.push(Idle { sender, since });
    }

    /// Opens a connection and runs it on this thread.
    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, SendError> {
        let mut connector = self.connector.clone();
        poll_fn(|cx| connector.poll_ready(cx))
            .await
            .map_err(SendError::Connect)?;
        let io = connector
            .call(self.url.clone())
            .await
            .map_err(SendError::Connect)?;
        let (sender, connection) = http1::handshake(io).await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("upstream connection ended: {e}");
            }
        });
        Ok(sender)
    }
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
