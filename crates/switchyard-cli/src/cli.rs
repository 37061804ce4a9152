//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Shown at the end of `--help` (LANGUAGE.md section 10).
const EXIT_CODES: &str = "\
Exit status:
  0  success: no errors (and no warnings with --deny-warnings), nothing to reformat
  1  findings: errors (or warnings with --deny-warnings), files `fmt --check` would change,
     or files `fmt` cannot parse
  2  bad usage or unreadable input (a missing path, a folder with no .route file,
     an unwritable file)";

/// Routing policies for LLM requests: check and format `.route` rulesets.
#[derive(Debug, Parser)]
#[command(name = "switchyard", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and check rulesets, and report errors and warnings.
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Rewrite `.route` files in the canonical layout.
    #[command(after_help = EXIT_CODES)]
    Fmt(FmtArgs),
}

/// Arguments of `switchyard check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Rulesets to check: a `.route` file, or a folder whose `.route` files
    /// together form one ruleset.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human, env = "SWITCHYARD_FORMAT")]
    pub format: Format,

    /// Treat warnings as errors for the exit status.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// Arguments of `switchyard fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files to format, or folders (every `.route` file in them). `-` reads
    /// standard input and writes the result to standard output.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Change nothing: print the files that would change, and exit with 1 if
    /// there are any.
    #[arg(long)]
    pub check: bool,
}

/// Diagnostic output formats, one renderer each in `render/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style text with source snippets.
    Human,
    /// One JSON array of objects.
    Json,
    /// GitHub Actions workflow commands (`::error file=...`).
    Github,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn arguments_are_consistent() {
        Cli::command().debug_assert();
    }
}
