//! `GET /readyz`, `GET /v1/models` and `GET /metrics`.

use std::collections::HashSet;

use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::Response;
use serde_json::{json, Value as Json};

use crate::body::ReplyBody;
use crate::gateway::{json_response, Gateway};

impl Gateway {
    /// The ruleset being served (generation, version, digest, last reload
    /// error), the configuration's last reload error and the models
    /// cooled down.
    pub(crate) fn readyz(&self) -> Response<ReplyBody> {
        let routing = self.routing.load();
        let status = routing.live.status();
        let down: Vec<Json> = self
            .health
            .snapshot()
            .down_models()
            .into_iter()
            .map(|(model, left)| json!({ "model": model, "seconds_left": left.as_secs_f64() }))
            .collect();
        let reload_error = self
            .reload_error
            .lock()
            .map(|e| e.clone())
            .unwrap_or_default();
        let body = json!({
            "ready": true,
            "generation": routing.generation(),
            "version": status.info.version,
            "digest": status.info.hash,
            "last_reload_error": status.last_error.map(|e| e.to_string()),
            "config_reload_error": reload_error,
            "catalog_models": routing.catalog.as_ref().map(|c| c.len()),
            "cooled_down": down,
            "redis": self.fleet.as_ref().map(|f| f.status()),
        });
        json_response(200, body.to_string().into_bytes())
    }

    /// The models the ruleset can route to, in OpenAI's list shape, with
    /// the catalog's name, context length and prices when it has them.
    pub(crate) fn models(&self) -> Response<ReplyBody> {
        let routing = self.routing.load();
        let table = routing.live.load();
        let mut ids = Vec::new();
        let mut seen = HashSet::new();
        for rule in &table.ruleset().rules {
            rule.target.for_each_model(&mut |m, _| {
                if seen.insert(m.id.clone()) {
                    ids.push(m.id.clone());
                }
            });
        }
        let data: Vec<Json> = ids
            .iter()
            .map(|id| {
                let mut entry = json!({
                    "id": id,
                    "object": "model",
                    "created": 0,
                    "owned_by": id.split('/').next().unwrap_or(id),
                });
                let known = routing.catalog.as_ref().and_then(|c| c.model(id));
                if let (Some(m), Json::Object(obj)) = (known, &mut entry) {
                    obj.insert("name".into(), json!(m.name));
                    obj.insert("context_length".into(), json!(m.context_length));
                    obj.insert("pricing".into(), json!(m.pricing));
                }
                entry
            })
            .collect();
        let body = json!({ "object": "list", "data": data });
        json_response(200, body.to_string().into_bytes())
    }

    /// The Prometheus text exposition.
    pub(crate) fn metrics_page(&self) -> Response<ReplyBody> {
        let down = self.health.snapshot().down_models().len();
        let (up, queued) = match &self.fleet {
            Some(f) => (
                i64::from(f.redis.status().is_up()),
                i64::try_from(f.ledger.queued_settles()).unwrap_or(i64::MAX),
            ),
            None => (-1, 0),
        };
        self.metrics.redis_up.set(up);
        self.metrics.queued_settles.set(queued);
        self.metrics
            .models_down
            .set(i64::try_from(down).unwrap_or(i64::MAX));
        let mut r = Response::new(ReplyBody::full(self.metrics.encode()));
        r.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        );
        r
    }
}
