//! Decisions are logged through `tracing` for hosts that listen.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use switchyard_eval::CompiledTable;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// An event's target and its fields as text.
type Recorded = (String, Vec<(String, String)>);

/// Records every event.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Recorded>>>);

struct Fields(Vec<(String, String)>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(Vec::new());
        event.record(&mut fields);
        self.0
            .lock()
            .unwrap()
            .push((event.metadata().target().to_string(), fields.0));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn decisions_are_logged_with_rule_variant_model_and_ruleset() {
    // An unset user matches no rule (`check` reports E008; loading does
    // not run the condition analysis), to log a decision that found none.
    let src = r#"context { user: string }
        defaults max_tokens 10
        rule ab: when has(user) -> split by user { a 50%: "m/a"  b 50%: "m/b" }"#;
    let (table, _) = CompiledTable::from_source(src).unwrap();
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let ctx = table.context().set("user", "u1").unwrap().build();
        let d = table.decide(&ctx).unwrap().unwrap();
        let none = table.context().build();
        assert!(table.decide(&none).unwrap().is_none());
        let events = recorder.0.lock().unwrap();
        assert_eq!(events.len(), 2);
        let (target, fields) = &events[0];
        assert_eq!(target, "switchyard::decision");
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(get("rule").as_deref(), Some("ab"));
        assert_eq!(get("model").as_deref(), Some(d.model()));
        assert_eq!(get("variant").as_deref(), d.variant());
        assert_eq!(get("ruleset").as_deref(), Some(table.info().hash.as_str()));
        assert_eq!(get("message").as_deref(), Some("decision"));
        assert!(events[1]
            .1
            .iter()
            .any(|(n, v)| n == "message" && v == "no rule matched"));
    });
}
