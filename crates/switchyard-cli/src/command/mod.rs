//! The subcommands, one file each. Each exposes `run(&Args) -> Status`.

pub mod bench;
pub mod body;
pub mod check;
pub mod diff;
pub mod eval;
pub mod fmt;
pub mod test;
mod traffic;

use std::path::Path;
use std::sync::Arc;

use switchyard_catalog::Catalog;
use switchyard_eval::{CompileOptions, CompiledTable, RulesetError};
use switchyard_syntax::{Diagnostic, Limits, Severity};

use crate::output::{plural, Status, Stream};
use crate::render;

/// Loads and compiles a ruleset for `eval` and `test`. A failure is reported
/// on standard error (diagnostics in the human format, whatever the command's
/// `--format`, as standard output belongs to the command's results) and
/// comes back as the status to exit with, together with a one-line reason.
fn load_ruleset(path: &Path) -> Result<(CompiledTable, Vec<Diagnostic>), (Status, String)> {
    report_load_failure(path, CompiledTable::load(path, &Limits::default()))
}

/// [`load_ruleset`] with a model catalog, for rulesets that use `require`
/// or `cheapest` (LANGUAGE.md section 7).
fn load_ruleset_with_catalog(
    path: &Path,
    catalog: Arc<Catalog>,
) -> Result<(CompiledTable, Vec<Diagnostic>), (Status, String)> {
    let options = CompileOptions::default().with_catalog(catalog);
    report_load_failure(
        path,
        CompiledTable::load_with(path, &Limits::default(), &options),
    )
}

/// Loads a ruleset for `bench` and `diff`, with the catalog in `catalog`
/// (a file name, read once by the caller) when there is one. Warnings are
/// dropped: reporting them is `check`'s job.
fn load_table(path: &Path, catalog: Option<&Arc<Catalog>>) -> Result<CompiledTable, Status> {
    let loaded = match catalog {
        None => load_ruleset(path),
        Some(catalog) => load_ruleset_with_catalog(path, Arc::clone(catalog)),
    };
    loaded.map(|(table, _)| table).map_err(|(status, _)| status)
}

/// Reads `--catalog FILE`, reporting a failure on standard error.
pub(crate) fn load_catalog(file: Option<&Path>) -> Result<Option<Arc<Catalog>>, Status> {
    let Some(file) = file else {
        return Ok(None);
    };
    match Catalog::load(file) {
        Ok(catalog) => Ok(Some(Arc::new(catalog))),
        Err(e) => {
            Stream::Stderr.line(&format!("error: --catalog {}: {e}", file.display()));
            Err(Status::Usage)
        }
    }
}

/// Reports a failed load on standard error (see [`load_ruleset`]).
fn report_load_failure(
    path: &Path,
    loaded: Result<(CompiledTable, Vec<Diagnostic>), RulesetError>,
) -> Result<(CompiledTable, Vec<Diagnostic>), (Status, String)> {
    match loaded {
        Ok(loaded) => Ok(loaded),
        Err(RulesetError::Read(e)) => {
            let reason = e.to_string();
            Stream::Stderr.line(&format!("error: {reason}"));
            Err((Status::Usage, reason))
        }
        Err(RulesetError::Invalid {
            diagnostics,
            sources,
        }) => {
            Stream::Stderr.write(&render::human::render_all(
                &sources,
                &diagnostics,
                Stream::Stderr.color(),
            ));
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity() == Severity::Error)
                .count();
            let reason = format!("{} in {}", plural(errors, "error"), path.display());
            Stream::Stderr.line(&format!("error: {reason}"));
            Err((Status::Findings, reason))
        }
        Err(e) => {
            let reason = e.to_string();
            Stream::Stderr.line(&format!("error: {reason}"));
            Err((Status::Findings, reason))
        }
    }
}
