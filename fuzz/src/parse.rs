//! The `parse` target.

use switchyard_syntax::{
    convert, format_source, parse, parse_json, parse_sources, print, FileId, Form, Limits,
};

use crate::sources_of;

/// `parse`: bytes to files, parsed together. Where a file parses, its
/// printed form parses back to the same statements, and formatting its
/// text works and is idempotent. The bytes are also read as a ruleset in
/// JSON: where that parses, converting it to `.route` and to JSON works
/// (the converters check that the output reads back the same).
pub fn parse_target(data: &[u8]) {
    let sources = sources_of(data);
    let limits = Limits::default();
    if let Ok(text) = std::str::from_utf8(data) {
        if parse_json(text, FileId(0), &limits).is_ok() {
            for to in [Form::Route, Form::Json] {
                if let Err(e) = convert(text, FileId(0), Form::Json, to, &limits) {
                    panic!("a JSON ruleset that parses does not convert to {to:?}: {e}\n{text}");
                }
            }
        }
    }
    let Ok(files) = parse_sources(&sources, &limits) else {
        return;
    };
    for (file, (id, source)) in files.iter().zip(sources.files()) {
        let printed = print(file);
        let back = parse(&printed, id, &limits).unwrap_or_else(|e| {
            panic!("printed file does not parse: {e}\n--- printed ---\n{printed}")
        });
        assert!(
            back.items == file.items,
            "printed file parses to other statements\n--- source ---\n{:?}\n--- printed ---\n{printed}",
            source.text()
        );
        let once = format_source(source.text(), id, &limits)
            .unwrap_or_else(|e| panic!("parses but does not format: {e}"));
        let twice = format_source(&once, id, &limits)
            .unwrap_or_else(|e| panic!("formatted text does not format: {e}\n{once}"));
        assert!(
            once == twice,
            "formatting is not idempotent\n--- once ---\n{once}\n--- twice ---\n{twice}"
        );
    }
}
