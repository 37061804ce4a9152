//! The subcommands, one file each. Each exposes `run(&Args) -> Status`.

pub mod check;
pub mod eval;
pub mod fmt;
pub mod test;

use std::path::Path;

use switchyard_eval::{CompiledTable, RulesetError};
use switchyard_syntax::{Diagnostic, Limits, Severity};

use crate::output::{plural, Status, Stream};
use crate::render;

/// Loads and compiles a ruleset for `eval` and `test`. A failure is reported
/// on standard error (diagnostics in the human format, whatever the command's
/// `--format`, as standard output belongs to the command's results) and
/// comes back as the status to exit with, together with a one-line reason.
fn load_ruleset(path: &Path) -> Result<(CompiledTable, Vec<Diagnostic>), (Status, String)> {
    match CompiledTable::load(path, &Limits::default()) {
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
