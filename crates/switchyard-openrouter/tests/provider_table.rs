#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

//! The typed `ProviderPreferences` and the checker's `PROVIDER_KEYS` table
//! (which drives E012) describe the same object: every key and value the
//! table accepts round-trips through the struct, every value it rejects the
//! struct rejects, and everything the struct can hold the table accepts.

use serde_json::{json, Map, Value as Json};
use switchyard_check::provider::{ValueKind, PROVIDER_KEYS, QUANTIZATIONS, SORTS};
use switchyard_openrouter::{
    Amount, DataCollection, MaxPrice, Partition, PercentileCutoffs, Percentiles,
    ProviderPreferences, ProviderSort, Quantization, SortBy, SortSpec,
};

/// Whether the table's kind accepts a JSON value (the checker's rules,
/// restated over JSON).
fn conforms(kind: ValueKind, value: &Json) -> bool {
    match (kind, value) {
        (ValueKind::Bool, Json::Bool(_)) | (ValueKind::String, Json::String(_)) => true,
        (ValueKind::Number, Json::Number(n)) => n.as_f64().is_some_and(|f| f >= 0.0),
        (ValueKind::OneOf(values), Json::String(s)) => values.contains(&s.as_str()),
        (ValueKind::ArrayOf(inner), Json::Array(items)) => {
            items.iter().all(|v| conforms(*inner, v))
        }
        (ValueKind::Object(members), Json::Object(map)) => {
            map.iter().all(|(k, v)| {
                members
                    .iter()
                    .find(|m| m.name == k)
                    .is_some_and(|m| conforms(m.kind, v))
            }) && members
                .iter()
                .filter(|m| m.required)
                .all(|m| map.contains_key(m.name))
        }
        (ValueKind::AnyOf(kinds), v) => kinds.iter().any(|k| conforms(*k, v)),
        (ValueKind::SignedNumber, Json::Number(_))
        | (ValueKind::AnyObject, Json::Object(_))
        | (ValueKind::Any, _) => true,
        _ => false,
    }
}

/// Values the kind accepts: every enum value, every member, each shape.
fn valid(kind: ValueKind) -> Vec<Json> {
    match kind {
        ValueKind::Bool => vec![json!(true), json!(false)],
        ValueKind::SignedNumber => vec![json!(-1.5), json!(0), json!(2)],
        ValueKind::AnyObject => vec![json!({}), json!({"k": 1})],
        ValueKind::Any => vec![json!(null), json!("x")],
        ValueKind::Number => vec![json!(0), json!(1), json!(2.5), json!(1e-3)],
        ValueKind::String => vec![json!("anthropic"), json!("deepinfra/turbo")],
        ValueKind::OneOf(values) => values.iter().map(|v| json!(v)).collect(),
        ValueKind::ArrayOf(inner) => {
            let all = valid(*inner);
            vec![
                json!([]),
                Json::Array(all.clone()),
                Json::Array(all.into_iter().take(1).collect()),
            ]
        }
        ValueKind::Object(members) => {
            let mut out = Vec::new();
            // every member at once, with its first value
            let mut full = Map::new();
            for m in members {
                full.insert(m.name.to_string(), valid(m.kind).remove(0));
            }
            out.push(Json::Object(full));
            // the required members, plus each member with each of its values
            let required: Map<String, Json> = members
                .iter()
                .filter(|m| m.required)
                .map(|m| (m.name.to_string(), valid(m.kind).remove(0)))
                .collect();
            out.push(Json::Object(required.clone()));
            for m in members {
                for v in valid(m.kind) {
                    let mut one = required.clone();
                    one.insert(m.name.to_string(), v);
                    out.push(Json::Object(one));
                }
            }
            out
        }
        ValueKind::AnyOf(kinds) => kinds.iter().flat_map(|k| valid(*k)).collect(),
    }
}

/// Values the kind rejects.
fn invalid(kind: ValueKind) -> Vec<Json> {
    let mut out = vec![json!(null)];
    match kind {
        ValueKind::Bool => out.extend([json!("true"), json!(1)]),
        ValueKind::Number => out.extend([json!(-1), json!(-0.5), json!("1")]),
        ValueKind::String => out.extend([json!(1), json!(["a"])]),
        ValueKind::OneOf(_) => out.extend([json!("bogus"), json!(1)]),
        ValueKind::ArrayOf(inner) => {
            out.push(json!("not-an-array"));
            out.extend(invalid(*inner).into_iter().map(|v| json!([v])));
        }
        ValueKind::Object(members) => {
            out.push(json!([]));
            let required: Map<String, Json> = members
                .iter()
                .filter(|m| m.required)
                .map(|m| (m.name.to_string(), valid(m.kind).remove(0)))
                .collect();
            let mut unknown = required.clone();
            unknown.insert("bogus".into(), json!(1));
            out.push(Json::Object(unknown));
            for m in members {
                for bad in invalid(m.kind).into_iter().filter(|b| !b.is_null()) {
                    let mut one = required.clone();
                    one.insert(m.name.to_string(), bad);
                    out.push(Json::Object(one));
                }
                if m.required {
                    let mut missing = required.clone();
                    missing.remove(m.name);
                    out.push(Json::Object(missing));
                }
            }
        }
        ValueKind::SignedNumber => out.extend([json!("1"), json!(true)]),
        ValueKind::AnyObject => out.extend([json!([]), json!("x")]),
        ValueKind::Any => {}
        ValueKind::AnyOf(kinds) => {
            out.push(json!(true).clone());
            for k in kinds {
                out.extend(invalid(*k).into_iter().filter(|v| !conforms(kind, v)));
            }
        }
    }
    out.retain(|v| !v.is_null() && !conforms(kind, v));
    out
}

fn one(key: &str, value: &Json) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert(key.to_string(), value.clone());
    m
}

#[test]
fn the_struct_has_exactly_the_tables_keys_in_order() {
    let table: Vec<&str> = PROVIDER_KEYS.iter().map(|k| k.name).collect();
    assert_eq!(ProviderPreferences::KEYS, table.as_slice());
}

#[test]
fn every_value_the_table_accepts_round_trips() {
    let mut count = 0;
    for key in PROVIDER_KEYS {
        let values = valid(key.kind);
        assert!(!values.is_empty(), "{}", key.name);
        for v in values {
            assert!(conforms(key.kind, &v), "{}: {v}", key.name);
            let input = one(key.name, &v);
            let prefs = ProviderPreferences::from_json(&input)
                .unwrap_or_else(|e| panic!("{}: {v} rejected: {e}", key.name));
            let back = serde_json::to_value(&prefs).unwrap();
            assert_eq!(back, Json::Object(input), "{}", key.name);
            count += 1;
        }
    }
    assert!(count > 50, "{count}");
}

#[test]
fn every_value_the_table_rejects_is_rejected() {
    for key in PROVIDER_KEYS {
        for v in invalid(key.kind) {
            let e = ProviderPreferences::from_json(&one(key.name, &v))
                .err()
                .unwrap_or_else(|| panic!("{}: {v} accepted", key.name));
            assert_eq!(e.key, key.name, "{v}");
            assert!(e
                .to_string()
                .starts_with(&format!("`provider.{}`", key.name)));
        }
    }
    let e = ProviderPreferences::from_json(&one("sorting", &json!("price"))).unwrap_err();
    assert_eq!(e.key, "sorting");
}

/// A struct with every field and every member set, using every enum value.
fn everything() -> ProviderPreferences {
    let amount = |v: f64| Amount::new(v).unwrap();
    ProviderPreferences {
        order: Some(vec!["anthropic".into(), "openai".into()]),
        allow_fallbacks: Some(false),
        require_parameters: Some(true),
        data_collection: Some(DataCollection::Deny),
        zdr: Some(true),
        enforce_distillable_text: Some(true),
        only: Some(vec!["anthropic".into()]),
        ignore: Some(vec!["deepinfra".into()]),
        quantizations: Some(Quantization::ALL.to_vec()),
        sort: Some(ProviderSort::Detailed(SortSpec {
            by: SortBy::Exacto,
            partition: Some(Partition::None),
        })),
        preferred_min_throughput: Some(Percentiles::P50(amount(50.0))),
        preferred_max_latency: Some(Percentiles::Each(PercentileCutoffs {
            p50: Some(amount(1.0)),
            p75: Some(amount(2.0)),
            p90: Some(amount(3.0)),
            p99: Some(Amount::from(4)),
        })),
        max_price: Some(MaxPrice {
            prompt: Some(amount(1.0)),
            completion: Some(amount(2.0)),
            request: Some(amount(0.01)),
            image: Some(amount(0.5)),
            audio: Some(amount(0.25)),
        }),
    }
}

#[test]
fn everything_the_struct_holds_the_table_accepts() {
    let Json::Object(map) = serde_json::to_value(everything()).unwrap() else {
        panic!("not an object")
    };
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    assert_eq!(keys.len(), PROVIDER_KEYS.len());
    for (k, v) in &map {
        let entry = PROVIDER_KEYS
            .iter()
            .find(|p| p.name == k)
            .unwrap_or_else(|| panic!("`{k}` is not in PROVIDER_KEYS"));
        assert!(conforms(entry.kind, v), "{k}: {v}");
    }
    // and back
    assert_eq!(ProviderPreferences::from_json(&map).unwrap(), everything());
}

#[test]
fn enum_value_sets_match_the_table() {
    let names = |v: Json| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(serde_json::to_value(Quantization::ALL).unwrap()),
        QUANTIZATIONS
    );
    assert_eq!(names(serde_json::to_value(SortBy::ALL).unwrap()), SORTS);

    let kind_of = |key: &str| PROVIDER_KEYS.iter().find(|k| k.name == key).unwrap().kind;
    let ValueKind::OneOf(dc) = kind_of("data_collection") else {
        panic!("data_collection is not an enum")
    };
    assert_eq!(
        names(serde_json::to_value(DataCollection::ALL).unwrap()),
        dc
    );

    let ValueKind::AnyOf(sort_kinds) = kind_of("sort") else {
        panic!("sort is not AnyOf")
    };
    let partition = sort_kinds
        .iter()
        .find_map(|k| match k {
            ValueKind::Object(members) => members.iter().find(|m| m.name == "partition"),
            _ => None,
        })
        .unwrap();
    let ValueKind::OneOf(parts) = partition.kind else {
        panic!("partition is not an enum")
    };
    assert_eq!(names(serde_json::to_value(Partition::ALL).unwrap()), parts);
}

#[test]
fn max_price_from_catalog_prices_is_per_million() {
    let p = MaxPrice::from_per_token(0.000003, 0.000015).unwrap();
    assert!((p.prompt.unwrap().as_f64() - 3.0).abs() < 1e-9);
    assert!((p.completion.unwrap().as_f64() - 15.0).abs() < 1e-9);
    assert!(MaxPrice::from_per_token(-1.0, 0.0).is_none());
    assert!(MaxPrice::from_per_token(f64::NAN, 0.0).is_none());
}
