//! Text or files to a compiled table: parse, check, compile.

use std::path::Path;

use switchyard_syntax::{Diagnostic, Limits, Severity, SourceMap, ToDiagnostic};

use crate::{CompileOptions, CompiledTable};

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

impl CompiledTable {
    /// Parses, checks and compiles a ruleset's files. On success, returns the
    /// table and the warnings.
    pub fn from_sources(
        sources: SourceMap,
        limits: &Limits,
    ) -> Result<(Self, Vec<Diagnostic>), RulesetError> {
        Self::from_sources_with(sources, limits, &CompileOptions::default())
    }

    /// [`CompiledTable::from_sources`] with compile options (a catalog, an
    /// index policy).
    pub fn from_sources_with(
        sources: SourceMap,
        limits: &Limits,
        options: &CompileOptions,
    ) -> Result<(Self, Vec<Diagnostic>), RulesetError> {
        let files = match switchyard_syntax::parse_sources(&sources, limits) {
            Ok(files) => files,
            Err(errors) => {
                return Err(RulesetError::Invalid {
                    diagnostics: errors.diagnostics(),
                    sources,
                })
            }
        };
        let checked = switchyard_check::check(&files);
        let Some(ruleset) = checked.ruleset else {
            return Err(RulesetError::Invalid {
                diagnostics: checked.diagnostics,
                sources,
            });
        };
        match CompiledTable::compile_with(ruleset, &sources, options) {
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

    /// Compiles a ruleset from one string (named `<inline>` in diagnostics).
    pub fn from_source(text: &str) -> Result<(Self, Vec<Diagnostic>), RulesetError> {
        let mut sources = SourceMap::new();
        sources.add("<inline>", text);
        Self::from_sources(sources, &Limits::default())
    }

    /// Reads a ruleset file or folder and compiles it.
    pub fn load(path: &Path, limits: &Limits) -> Result<(Self, Vec<Diagnostic>), RulesetError> {
        Self::load_with(path, limits, &CompileOptions::default())
    }

    /// [`CompiledTable::load`] with compile options (a catalog, an index
    /// policy).
    pub fn load_with(
        path: &Path,
        limits: &Limits,
        options: &CompileOptions,
    ) -> Result<(Self, Vec<Diagnostic>), RulesetError> {
        let sources = SourceMap::load(path, limits.max_file_bytes)?;
        Self::from_sources_with(sources, limits, options)
    }
}
