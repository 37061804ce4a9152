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

use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use switchyard::Catalog;
use switchyard::{CompiledTable, LoadOptions, RulesetError};
use switchyard::{Diagnostic, Limits, Severity, SourceMap};

use switchyard::{Level, Levels};

use crate::cli::LintArgs;
use crate::output::{plural, Status, Stream};

/// The options every command loads rulesets with: the model catalog of
/// `--catalog FILE` when there is one (for `require` and `cheapest`, and
/// W104), the warning levels of `--allow`, `--warn` and `--deny`, and no
/// condition analysis, which is a lint that `check` adds. An unreadable
/// catalog, or a code given two levels, is reported on standard error.
fn load_options(catalog: Option<&Path>, lints: &LintArgs) -> Result<LoadOptions, Status> {
    let options = LoadOptions::new().with_levels(levels(lints)?);
    Ok(match load_catalog(catalog)? {
        Some(catalog) => options.with_catalog(catalog),
        None => options,
    })
}

/// The levels `--allow`, `--warn` and `--deny` give; a code given to two
/// of them is bad usage.
fn levels(lints: &LintArgs) -> Result<Levels, Status> {
    let mut levels = Levels::new();
    let given = [
        (&lints.allow, Level::Allow, "--allow"),
        (&lints.warn, Level::Warn, "--warn"),
        (&lints.deny, Level::Deny, "--deny"),
    ];
    for (codes, level, flag) in given {
        for &code in codes {
            if levels.get(code).is_some_and(|l| l != level) {
                Stream::Stderr.line(&format!(
                    "error: {flag} {code}: `{code}` is given two levels; give it one"
                ));
                return Err(Status::Usage);
            }
            // `lint_code` only lets warnings and notes through.
            if let Err(e) = levels.set(code, level) {
                Stream::Stderr.line(&format!("error: {flag} {code}: {e}"));
                return Err(Status::Usage);
            }
        }
    }
    Ok(levels)
}

/// The name standard input goes by in diagnostics (`check -`, `fmt -`).
const STDIN_NAME: &str = "<stdin>";

/// Reads a ruleset from standard input (the path `-` of `check` and
/// `fmt`), at most one byte past the file size limit so that the parser
/// reports a larger one. Input whose first non-blank character is `{`
/// (which no `.route` file starts with) is a ruleset in JSON, named
/// `<stdin>.json`. `Err` says why it could not be read.
fn read_stdin(limits: &Limits) -> Result<SourceMap, String> {
    let cap = u64::try_from(limits.max_file_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut bytes = Vec::new();
    if let Err(e) = io::stdin().lock().take(cap).read_to_end(&mut bytes) {
        return Err(format!("cannot read standard input: {e}"));
    }
    let json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let mut sources = SourceMap::new();
    if json {
        sources.add_bytes(format!("{STDIN_NAME}.json"), bytes);
    } else {
        sources.add_bytes(STDIN_NAME, bytes);
    }
    Ok(sources)
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
