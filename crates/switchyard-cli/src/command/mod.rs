//! The subcommands, one file each. Each exposes `run(&Args) -> Status`.

pub mod bench;
pub mod body;
pub mod check;
pub mod diff;
pub mod eval;
pub mod fmt;
pub mod serve;
pub mod test;
mod traffic;

use std::path::Path;
use std::sync::Arc;

use switchyard_catalog::Catalog;
use switchyard_eval::{CompiledTable, LoadOptions, RulesetError};
use switchyard_syntax::{Diagnostic, Severity};

use crate::output::{plural, Status, Stream};

/// The options every command loads rulesets with: the model catalog of
/// `--catalog FILE` when there is one (for `require` and `cheapest`, and
/// W104), and no condition analysis, which is a lint that `check` adds.
/// An unreadable catalog is reported on standard error.
fn load_options(catalog: Option<&Path>) -> Result<LoadOptions, Status> {
    let options = LoadOptions::new();
    Ok(match load_catalog(catalog)? {
        Some(catalog) => options.with_catalog(catalog),
        None => options,
    })
}

/// Loads a ruleset for `eval`, `test`, `body`, `bench` and `diff`. A
/// failure is reported on standard error (diagnostics in the human format,
/// whatever the command's `--format`, as standard output belongs to the
/// command's results) and comes back as the status to exit with, together
/// with a one-line reason.
fn load_ruleset(
    path: &Path,
    options: &LoadOptions,
) -> Result<(CompiledTable, Vec<Diagnostic>), (Status, String)> {
    report_load_failure(path, CompiledTable::load(path, options))
}

/// [`load_ruleset`] for `bench` and `diff`. Warnings are dropped:
/// reporting them is `check`'s job.
fn load_table(path: &Path, options: &LoadOptions) -> Result<CompiledTable, Status> {
    load_ruleset(path, options)
        .map(|(table, _)| table)
        .map_err(|(status, _)| status)
}

/// Reads `--catalog FILE`, reporting a failure on standard error.
fn load_catalog(file: Option<&Path>) -> Result<Option<Arc<Catalog>>, Status> {
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
            Stream::Stderr.write(&switchyard::render::human::render_all(
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
