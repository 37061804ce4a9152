//! The gateway's state, and what it does with one HTTP request: the
//! endpoint it names, the client key, the limits, then the chat
//! completion (decide, then forward) or a status page.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode, Uri};
use switchyard::HealthRegistry;
use tokio::sync::OwnedSemaphorePermit;

use crate::body::ReplyBody;
use crate::budget;
use crate::client::UpstreamClient;
use crate::context::{estimate_tokens, last_user_text};
use crate::error::{Code, Failure};
use crate::fleet::Fleet;
use crate::incoming::Incoming as ChatIncoming;
use crate::log::AccessRecord;
use crate::metrics::Metrics;
use crate::routing::Routing;
use crate::settings::{ClientKey, Settings};

/// Everything a request is served with.
pub(crate) struct Gateway {
    /// The ruleset (hot-reloaded) and the catalog it was loaded with.
    pub(crate) routing: ArcSwap<Routing>,
    /// In the process, or shared through Redis; decisions read its local
    /// snapshot either way.
    pub(crate) health: Arc<dyn HealthRegistry>,
    /// Redis and the spend ledger, with `--redis`.
    pub(crate) fleet: Option<Arc<Fleet>>,
    pub(crate) settings: ArcSwap<Settings>,
    /// Why the latest configuration or catalog reload failed, until one
    /// succeeds.
    pub(crate) reload_error: Mutex<Option<String>>,
    pub(crate) chat_url: Uri,
    pub(crate) metrics: Arc<Metrics>,
    next_id: AtomicU64,
}

/// A chat request's hold on a concurrency slot, released when dropped
/// (for a stream, when the stream ends).
pub(crate) struct Slot {
    _permit: OwnedSemaphorePermit,
    metrics: Arc<Metrics>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.metrics.in_flight.dec();
    }
}

impl Gateway {
    pub(crate) fn new(
        routing: Routing,
        health: Arc<dyn HealthRegistry>,
        fleet: Option<Arc<Fleet>>,
        settings: Settings,
        chat_url: Uri,
        metrics: Arc<Metrics>,
    ) -> Gateway {
        Gateway {
            routing: ArcSwap::from_pointee(routing),
            health,
            fleet,
            settings: ArcSwap::from_pointee(settings),
            reload_error: Mutex::new(None),
            chat_url,
            metrics,
            next_id: AtomicU64::new(1),
        }
    }

    /// Answers one HTTP request, calling the upstream through `client`
    /// (the serving thread's own pool).
    pub(crate) async fn handle(
        self: Arc<Self>,
        client: Arc<UpstreamClient>,
        request: Request<Incoming>,
    ) -> Result<Response<ReplyBody>, Infallible> {
        let path = request.uri().path();
        let method = request.method();
        let allowed = match path {
            "/v1/chat/completions" | "/chat/completions" => Method::POST,
            "/v1/models" | "/models" | "/healthz" | "/readyz" | "/metrics" => Method::GET,
            _ => {
                let f = Failure::new(
                    Code::NotFound,
                    format!("no endpoint {method} {path}: see /v1/chat/completions, /v1/models, /healthz, /readyz, /metrics"),
                );
                return Ok(failure(&f));
            }
        };
        if method != allowed {
            let f = Failure::new(
                Code::MethodNotAllowed,
                format!("{method} is not allowed on {path}; use {allowed}"),
            );
            let mut r = failure(&f);
            if let Ok(v) = HeaderValue::from_str(allowed.as_str()) {
                r.headers_mut().insert(ALLOW, v);
            }
            return Ok(r);
        }
        Ok(match path {
            "/healthz" => json_response(200, br#"{"status":"ok"}"#.to_vec()),
            "/readyz" => self.readyz(),
            "/metrics" => self.metrics_page(),
            "/v1/models" | "/models" => match self.authenticate(&request) {
                Ok(_) => self.models(),
                Err(f) => failure(&f),
            },
            _ => self.chat(&client, request).await,
        })
    }

    /// The client key of a request: `None` when no keys are configured.
    fn authenticate<B>(&self, request: &Request<B>) -> Result<Option<Arc<ClientKey>>, Failure> {
        let settings = self.settings.load();
        if !settings.needs_keys() {
            return Ok(None);
        }
        let presented = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                Failure::new(
                    Code::MissingApiKey,
                    "this gateway needs a client key: send `Authorization: Bearer <key>`",
                )
            })?;
        settings
            .key(presented)
            .map(Some)
            .ok_or_else(|| Failure::new(Code::InvalidApiKey, "the client key is not known"))
    }

    /// `POST /v1/chat/completions`: the access log and the metrics around
    /// [`Gateway::complete`].
    async fn chat(
        self: Arc<Self>,
        client: &UpstreamClient,
        request: Request<Incoming>,
    ) -> Response<ReplyBody> {
        let record = AccessRecord::new(self.next_id.fetch_add(1, Ordering::Relaxed));
        let slots = Arc::clone(&self.settings.load().slots);
        let slot = match slots.try_acquire_owned() {
            Ok(permit) => {
                self.metrics.in_flight.inc();
                Slot {
                    _permit: permit,
                    metrics: Arc::clone(&self.metrics),
                }
            }
            Err(_) => {
                let f = Failure::new(
                    Code::Overloaded,
                    "the gateway is serving as many requests as it is allowed to; retry shortly",
                );
                let mut r = self.finish(record, Err(f));
                r.headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from_static("1"));
                return r;
            }
        };
        let mut answering = Unanswered {
            gateway: &self,
            record,
            answered: false,
        };
        let result = self.complete(client, request, &mut answering.record).await;
        let record = answering.answered();
        match result {
            Ok(mut response) => {
                if let ReplyBody::Stream(relay) = response.body_mut() {
                    // Counted and logged when the stream ends.
                    relay.hold(slot);
                    return response;
                }
                self.finish(record, Ok(response))
            }
            Err(f) => self.finish(record, Err(f)),
        }
    }

    /// Counts and logs a whole answer.
    fn finish(
        &self,
        mut record: AccessRecord,
        result: Result<Response<ReplyBody>, Failure>,
    ) -> Response<ReplyBody> {
        let response = result.unwrap_or_else(|f| {
            record.error = Some(f.code.as_str());
            failure(&f)
        });
        let status = response.status().as_u16();
        self.count(
            record.rule.as_deref().unwrap_or(""),
            record.model.as_deref(),
            status,
        );
        record.emit(status, None);
        response
    }

    /// Counts a chat request answered.
    pub(crate) fn count(&self, rule: &str, model: Option<&str>, status: u16) {
        self.metrics
            .count_request(rule, model.unwrap_or(""), status);
    }

    /// Authenticates, reads, decides and forwards a chat completion.
    async fn complete(
        self: &Arc<Self>,
        client: &UpstreamClient,
        request: Request<Incoming>,
        record: &mut AccessRecord,
    ) -> Result<Response<ReplyBody>, Failure> {
        let key = self.authenticate(&request)?;
        record.key = key.as_ref().map(|k| k.name.clone());
        let settings = self.settings.load_full();
        let (parts, body) = request.into_parts();
        if let Some(ct) = parts.headers.get(CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or("");
            let essence = ct.split(';').next().unwrap_or("").trim();
            if !essence.eq_ignore_ascii_case("application/json") {
                return Err(Failure::new(
                    Code::UnsupportedMediaType,
                    format!("the body must be application/json, not `{ct}`"),
                ));
            }
        }
        let limit = settings.config.limits.max_body_bytes;
        let too_large = || {
            Failure::new(
                Code::RequestTooLarge,
                format!("the request body is larger than limits.max_body_bytes ({limit} bytes)"),
            )
        };
        let declared = parts
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let read = tokio::time::timeout(
            settings.config.timeouts.total(),
            Limited::new(body, limit).collect(),
        )
        .await;
        let bytes: Bytes = match read {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => return Err(too_large()),
            Ok(Err(e)) => {
                return Err(Failure::new(
                    Code::InvalidRequest,
                    format!("cannot read the request body: {e}"),
                ))
            }
            Err(_) => {
                return Err(Failure::new(
                    Code::InvalidRequest,
                    "the request body did not arrive within timeouts.total",
                ))
            }
        };
        let mut incoming = ChatIncoming::parse(&bytes)?;
        record.stream = incoming.stream;
        if settings.config.log.prompts {
            record.prompt = last_user_text(&incoming.messages);
        }
        let fleet = self.fleet.as_ref();
        let accounts = match fleet {
            Some(_) => budget::accounts(&settings, key.as_deref(), &incoming),
            None => Vec::new(),
        };
        if fleet.is_some() {
            // The ledger's to fill (or the rules' defaults), never the client's.
            incoming.context.remove(budget::BUDGET_REMAINING);
            incoming.context.remove(budget::SPENT_TODAY);
        }
        let fields = match fleet {
            Some(f)
                if !accounts.is_empty()
                    && budget::wants_fields(&self.routing.load().live.load()) =>
            {
                budget::fields(&f.ledger, &accounts).await
            }
            _ => serde_json::Map::new(),
        };
        let plan = self.plan(key.as_deref(), &mut incoming, fields)?;
        record.rule = Some(plan.rule.clone());
        record.variant.clone_from(&plan.variant);
        let mut hold = match fleet {
            Some(f) if !accounts.is_empty() => {
                let catalog = self.routing.load().catalog.clone();
                let prompt_tokens = estimate_tokens(&incoming.messages);
                let cost = budget::worst_case(
                    &plan,
                    catalog.as_deref(),
                    u64::try_from(prompt_tokens).unwrap_or(0),
                    settings.config.budgets.reserve_usd,
                );
                Some(budget::reserve(f, &self.metrics, &accounts, cost).await?)
            }
            _ => None,
        };
        let result = self
            .forward(client, plan, incoming, record, &mut hold)
            .await;
        // A stream took the hold with it (settled at its end).
        if let Some(hold) = hold {
            let status = result.as_ref().map_or(0, |r| r.status().as_u16());
            hold.settle(status, record.cost_usd);
        }
        result
    }
}

/// A chat request's access record while it is answered. Dropped
/// unanswered (the client went away, so hyper dropped the request, and
/// with it the upstream call), it is counted and logged with status 499,
/// as nginx logs a client that closed its request.
struct Unanswered<'g> {
    gateway: &'g Gateway,
    record: AccessRecord,
    answered: bool,
}

impl Unanswered<'_> {
    /// The record, for the answer.
    fn answered(mut self) -> AccessRecord {
        self.answered = true;
        let id = self.record.id;
        std::mem::replace(&mut self.record, AccessRecord::new(id))
    }
}

impl Drop for Unanswered<'_> {
    fn drop(&mut self) {
        if self.answered {
            return;
        }
        let id = self.record.id;
        let mut record = std::mem::replace(&mut self.record, AccessRecord::new(id));
        record.error = Some(CLIENT_DISCONNECTED);
        let status = 499;
        self.gateway.count(
            record.rule.as_deref().unwrap_or(""),
            record.model.as_deref(),
            status,
        );
        record.emit(status, None);
    }
}

/// How the access log and a stream's end name a client that went away.
pub(crate) const CLIENT_DISCONNECTED: &str = "client_disconnected";

/// A JSON response.
pub(crate) fn json_response(status: u16, body: Vec<u8>) -> Response<ReplyBody> {
    let mut r = Response::new(ReplyBody::full(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// An error response in OpenAI's shape.
pub(crate) fn failure(f: &Failure) -> Response<ReplyBody> {
    let mut r = json_response(f.code.status(), f.to_json_bytes());
    if let Some(seconds) = f.retry_after {
        r.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    r
}
