#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

//! Request headers, and that the API key never shows.

use switchyard_openrouter::{headers, ApiKey, Attribution, HeaderError};

const KEY: &str = "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";

/// Whether `text` shows the key, or any 8 consecutive characters of it
/// after its public prefix.
fn leaks(text: &str) -> bool {
    let secret = &KEY["sk-or-v1-".len()..];
    text.contains(KEY) || (0..=secret.len() - 8).any(|i| text.contains(&secret[i..i + 8]))
}

#[test]
fn authorization_and_attribution() {
    let key = ApiKey::new(KEY).unwrap();
    let a = Attribution::new()
        .referer("https://acme.example/assistant")
        .unwrap()
        .title("Acme Assistant")
        .unwrap();
    assert_eq!(
        headers(&key, Some(&a)),
        vec![
            ("Authorization", format!("Bearer {KEY}")),
            ("HTTP-Referer", "https://acme.example/assistant".to_string()),
            ("X-OpenRouter-Title", "Acme Assistant".to_string()),
            ("X-Title", "Acme Assistant".to_string()),
        ]
    );
    assert_eq!(
        headers(&key, None),
        vec![("Authorization", format!("Bearer {KEY}"))]
    );
    let only_title = Attribution::new().title("Acme").unwrap();
    assert_eq!(
        headers(&key, Some(&only_title))
            .iter()
            .map(|(k, _)| *k)
            .collect::<Vec<_>>(),
        ["Authorization", "X-OpenRouter-Title", "X-Title"]
    );
    let cats = Attribution::new()
        .categories(["programming", "chat"])
        .unwrap();
    assert_eq!(
        headers(&key, Some(&cats)).last().unwrap(),
        &("X-OpenRouter-Categories", "programming,chat".to_string())
    );
}

#[test]
fn the_key_never_prints() {
    let key = ApiKey::new(KEY).unwrap();
    let debug = format!("{key:?}");
    let display = format!("{key}");
    assert_eq!(display, "sk-…9f1c");
    assert_eq!(debug, "ApiKey(sk-…9f1c)");
    assert!(!leaks(&debug) && !leaks(&display));
    assert!(!leaks(&format!("{:#?}", Some(&key))));

    // a short key shows nothing of itself
    let short = ApiKey::new("abc123").unwrap();
    assert_eq!(format!("{short}"), "[redacted]");
    assert_eq!(format!("{short:?}"), "ApiKey([redacted])");

    // the key is there for the host when it asks
    assert_eq!(key.expose(), KEY);
}

#[test]
fn bad_keys_are_refused_without_echoing_them() {
    assert_eq!(ApiKey::new("").unwrap_err(), HeaderError::EmptyKey);
    let with_newline = format!("{KEY}\r\nX-Evil: 1");
    let e = ApiKey::new(with_newline).unwrap_err();
    assert_eq!(e, HeaderError::KeyCharacters);
    assert!(!leaks(&e.to_string()) && !leaks(&format!("{e:?}")));
    let e = ApiKey::new(format!("Bearer {KEY}")).unwrap_err();
    assert!(!leaks(&e.to_string()) && !leaks(&format!("{e:?}")));
}

#[test]
fn attribution_values_cannot_inject_headers() {
    let e = Attribution::new()
        .title("Acme\r\nX-Injected: yes")
        .unwrap_err();
    assert!(matches!(
        e,
        HeaderError::Value {
            header: "X-OpenRouter-Title",
            ..
        }
    ));
    assert!(Attribution::new().referer("  ").is_err());
    assert!(Attribution::new().categories(["a,b"]).is_err());
    // surrounding whitespace is trimmed; non-ASCII titles are kept
    let a = Attribution::new().title("  Café Bot ").unwrap();
    assert_eq!(a.app_title(), Some("Café Bot"));
}
