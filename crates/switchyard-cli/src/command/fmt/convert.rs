//! `switchyard fmt --to json|route PATH`: one file, or `-` for standard
//! input, printed in the other form (or the same form, laid out) on
//! standard output. A file whose name ends in `.json` is read as JSON;
//! standard input is JSON when its first non-blank character is `{`, which
//! no `.route` file starts with.

use std::path::PathBuf;

use switchyard::{convert, Form, Limits, SourceMap};

use super::report_parse_errors;
use crate::cli::ToForm;
use crate::output::{Status, Stream};

/// Converts the one path given.
pub(super) fn run(paths: &[PathBuf], to: ToForm, limits: &Limits) -> Status {
    let [path] = paths else {
        Stream::Stderr.line("error: `fmt --to` converts one file at a time");
        return Status::Usage;
    };
    let sources = if path.as_os_str() == "-" {
        match super::super::read_stdin(limits) {
            Ok(sources) => sources,
            Err(message) => {
                Stream::Stderr.line(&format!("error: {message}"));
                return Status::Usage;
            }
        }
    } else if path.is_dir() {
        Stream::Stderr.line(&format!(
            "error: `{}` is a folder: `fmt --to` converts one file at a time",
            path.display()
        ));
        return Status::Usage;
    } else {
        match SourceMap::load(path, limits.max_file_bytes) {
            Ok(sources) => sources,
            Err(e) => {
                Stream::Stderr.line(&format!("error: {e}"));
                return Status::Usage;
            }
        }
    };
    let Some((id, file)) = sources.files().next() else {
        return Status::Usage;
    };
    // Too large or not UTF-8: reported as the parser reports it in a ruleset.
    if let Err(errors) = switchyard::parse_sources(&sources, limits) {
        report_parse_errors(&sources, &errors);
        return Status::Findings;
    }
    let from = Form::of_name(file.name());
    let to = match to {
        ToForm::Json => Form::Json,
        ToForm::Route => Form::Route,
    };
    match convert(file.text(), id, from, to, limits) {
        Ok(text) => {
            Stream::Stdout.write(&text);
            Status::Success
        }
        Err(errors) => {
            report_parse_errors(&sources, &errors);
            Status::Findings
        }
    }
}
