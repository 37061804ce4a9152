//! The one way from text to a compiled table: parse, check, compile, with
//! one [`LoadOptions`]. [`check`] is the first two stages, for `switchyard
//! check` and any host that only wants the diagnostics; loading is those
//! two stages and compiling. Hot reload loads through the same code.

mod options;

pub use options::LoadOptions;

use std::path::Path;

use switchyard_check::Checked;
use switchyard_syntax::{
    is_json_name, Code, Diagnostic, FileId, JsonPaths, Severity, SourceMap, ToDiagnostic,
};

use crate::CompiledTable;

/// Why a ruleset could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RulesetError {
    /// The files could not be read.
    #[error(transparent)]
    Read(#[from] switchyard_syntax::LoadError),
    /// The ruleset has errors; render the diagnostics against `sources`.
    #[error("the ruleset has {} error(s); first: {}", count_errors(.diagnostics), first_error(.diagnostics))]
    Invalid {
        /// Every diagnostic, errors and warnings.
        diagnostics: Vec<Diagnostic>,
        /// The files, for rendering.
        sources: SourceMap,
    },
}

fn count_errors(d: &[Diagnostic]) -> usize {
    d.iter().filter(|d| d.severity() == Severity::Error).count()
}

fn first_error(d: &[Diagnostic]) -> String {
    d.iter()
        .find(|d| d.severity() == Severity::Error)
        .map(|d| format!("{}: {}", d.code, d.message))
        .unwrap_or_default()
}

/// Parses and checks a ruleset's files: the first two stages of loading,
/// with the same options. Syntax errors (E001, E013) are returned as the
/// diagnostics, without checking. The condition analysis runs when
/// `options.analysis` asks for it; a catalog adds W104.
///
/// ```
/// use switchyard_eval::{check, LoadOptions};
/// use switchyard_syntax::SourceMap;
/// let mut sources = SourceMap::new();
/// sources.add("r.route", "rule default: otherwise -> \"openai/gpt-4o-mini\" max_tokens 256");
/// let checked = check(&sources, &LoadOptions::default());
/// assert!(checked.ruleset.is_some() && checked.diagnostics.is_empty());
/// ```
pub fn check(sources: &SourceMap, options: &LoadOptions) -> Checked {
    let mut checked = match switchyard_syntax::parse_sources(sources, &options.limits) {
        Ok(files) => switchyard_check::check_with(&files, &options.check_options()),
        Err(errors) => Checked {
            ruleset: None,
            diagnostics: errors.diagnostics(),
        },
    };
    name_json_paths(sources, &mut checked.diagnostics);
    checked
}

/// Names, in the message of every diagnostic in a ruleset file written in
/// JSON, the JSON pointer its span falls in (`` (at `/rules/3/when`) ``),
/// so that every output format carries it.
fn name_json_paths(sources: &SourceMap, diagnostics: &mut [Diagnostic]) {
    let mut paths: Vec<(FileId, Option<JsonPaths>)> = Vec::new();
    for d in diagnostics {
        let Some(file) = sources.file(d.span.file) else {
            continue;
        };
        // E020 and E021 are the JSON form's own: their message has the path.
        if !is_json_name(file.name()) || matches!(d.code, Code::E020 | Code::E021) {
            continue;
        }
        let i = match paths.iter().position(|(id, _)| *id == d.span.file) {
            Some(i) => i,
            None => {
                paths.push((d.span.file, JsonPaths::new(file.text(), d.span.file)));
                paths.len() - 1
            }
        };
        let found = paths
            .get(i)
            .and_then(|(_, p)| p.as_ref()?.at(d.span.start as usize));
        if let Some(path) = found {
            let path = format!("`{path}`");
            if !d.message.contains(&path) {
                d.message = format!("{} (at {path})", d.message);
            }
        }
    }
}

impl CompiledTable {
    /// Loads a ruleset's files: parses, checks and compiles them. On
    /// success, returns the table and the warnings (and notes).
    ///
    /// `options` is a [`LoadOptions`] (or a reference to one), or
    /// [`Limits`](switchyard_syntax::Limits) for the default options with
    /// those limits.
    pub fn from_sources(
        sources: SourceMap,
        options: impl Into<LoadOptions>,
    ) -> Result<(Self, Vec<Diagnostic>), RulesetError> {
        let options = options.into();
        let checked = check(&sources, &options);
        let Some(ruleset) = checked.ruleset else {
            return Err(RulesetError::Invalid {
                diagnostics: checked.diagnostics,
                sources,
            });
        };
        match CompiledTable::compile_with(ruleset, &sources, &options.compile_options()) {
            Ok(table) => Ok((table, checked.diagnostics)),
            Err(e) => {
                let mut diagnostics = checked.diagnostics;
                diagnostics.push(e.to_diagnostic());
                Err(RulesetError::Invalid {
                    diagnostics,
                    sources,
                })
            }
        }
    }

    /// Loads a ruleset from one string (named `<inline>` in diagnostics),
    /// with the default [`LoadOptions`].
    pub fn from_source(text: &str) -> Result<(Self, Vec<Diagnostic>), RulesetError> {
        let mut sources = SourceMap::new();
        sources.add("<inline>", text);
        Self::from_sources(sources, LoadOptions::default())
    }

    /// Reads a ruleset, one `.route` or `.json` file, or every `.route`
    /// and `.route.json` file of a folder (in file-name order), and loads
    /// it as
    /// [`CompiledTable::from_sources`] does.
    pub fn load(
        path: impl AsRef<Path>,
        options: impl Into<LoadOptions>,
    ) -> Result<(Self, Vec<Diagnostic>), RulesetError> {
        let options = options.into();
        let sources = SourceMap::load(path.as_ref(), options.limits.max_file_bytes)?;
        Self::from_sources(sources, options)
    }
}
