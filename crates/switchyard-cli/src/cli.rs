//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Shown at the end of `--help` (LANGUAGE.md section 10).
const EXIT_CODES: &str = "\
Exit status:
  0  success: no errors (and no warnings with --deny-warnings), nothing to reformat,
     every test passed, every context decided
  1  findings: errors (or warnings with --deny-warnings), files `fmt --check` would change,
     files `fmt` cannot parse, a ruleset with errors, a failed test
  2  bad usage or unreadable input (a missing path, a folder with no .route file,
     an unwritable file, a context that is not valid JSON or does not fit the schema)";

/// Routing policies for LLM requests: check, format, test and evaluate
/// `.route` rulesets.
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
    /// Run the `test` lines of rulesets.
    #[command(after_help = EXIT_CODES)]
    Test(TestArgs),
    /// Decide contexts against a ruleset and print the decisions.
    #[command(after_help = EVAL_HELP)]
    Eval(EvalArgs),
    /// Decide one context and print the OpenRouter request body for it.
    #[command(after_help = BODY_HELP)]
    Body(BodyArgs),
}

/// Shown at the end of `body --help`.
const BODY_HELP: &str = "\
The body is what `POST https://openrouter.ai/api/v1/chat/completions` takes:
model, models (the model then its fallbacks, only when there are fallbacks),
max_tokens, provider, transforms and every params key of the decision, and the
messages as given (tool calls, tool results and image parts pass through).

Exit status:
  0  the body was printed
  1  the ruleset has errors, no rule matches the context, or the decision's
     options do not make a valid OpenRouter body
  2  bad usage or unreadable input (a missing path, a context that is not JSON
     or does not fit the schema, messages that are not a JSON array of
     messages, an unreadable catalog)";

/// Shown at the end of `eval --help`.
const EVAL_HELP: &str = "\
Without --context, standard input is read as JSON lines: one context object per
non-empty line, one output line per context, in order. A line that is not valid
JSON or does not fit the schema is reported on standard error with its line
number; the json format prints {\"error\": ..., \"line\": N} in its place, and
the exit status is then 2.

Exit status:
  0  every context decided (a context no rule matches prints null)
  1  the ruleset has errors
  2  bad usage or unreadable input (a missing path, a bad context)";

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

/// Arguments of `switchyard test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Rulesets whose tests to run: a `.route` file, or a folder whose
    /// `.route` files together form one ruleset.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Decide at this time, in seconds since the Unix epoch (UTC), instead
    /// of now. Tests of rules that read `hour` or `weekday` need it to be
    /// reproducible.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    pub at: Option<i64>,

    /// How to print the results.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
}

/// Arguments of `switchyard eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The ruleset: a `.route` file, or a folder whose `.route` files
    /// together form one ruleset.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,

    /// One context: a JSON object, or `@FILE` to read it from a file.
    /// Without it, contexts are read from standard input, one JSON object
    /// per line.
    #[arg(long, value_name = "JSON|@FILE")]
    pub context: Option<String>,

    /// Also show, for every rule tried, whether it matched and, if not, the
    /// first test that was false.
    #[arg(long)]
    pub explain: bool,

    /// Decide at this time, in seconds since the Unix epoch (UTC), instead
    /// of now: fixes `hour` and `weekday`.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    pub at: Option<i64>,

    /// How to print decisions.
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    pub format: ReportFormat,
}

/// Arguments of `switchyard body`.
#[derive(Debug, Args)]
pub struct BodyArgs {
    /// The ruleset: a `.route` file, or a folder whose `.route` files
    /// together form one ruleset.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,

    /// The context: a JSON object, or `@FILE` to read it from a file.
    #[arg(long, value_name = "JSON|@FILE")]
    pub context: String,

    /// The conversation: a JSON array of chat messages, or `@FILE` to read
    /// it from a file.
    #[arg(long, value_name = "JSON|@FILE")]
    pub messages: String,

    /// A model catalog (the JSON of OpenRouter's `GET /api/v1/models`), for
    /// rulesets that use `require` or `cheapest`; the worst-case cost of the
    /// request is then reported on standard error.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,

    /// Decide at this time, in seconds since the Unix epoch (UTC), instead
    /// of now: fixes `hour` and `weekday`.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    pub at: Option<i64>,
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

/// Output formats of `eval` and `test`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Text for people.
    Human,
    /// JSON for programs.
    Json,
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
