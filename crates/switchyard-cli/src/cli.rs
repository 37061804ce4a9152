//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Shown at the end of `--help` (docs/cli.md).
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
    /// Measure decisions per second and latency over a traffic file, and
    /// count the rules and models chosen.
    #[command(after_help = BENCH_HELP)]
    Bench(BenchArgs),
    /// Replay a traffic file through two rulesets and report the decisions
    /// that change.
    #[command(after_help = DIFF_HELP)]
    Diff(DiffArgs),
    /// Run an OpenAI-compatible gateway that routes every chat completion
    /// with the ruleset and forwards it to OpenRouter.
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
}

/// Shown at the end of `serve --help`.
const SERVE_HELP: &str = "\
The upstream's API key is read from OPENROUTER_API_KEY (never from the command
line, never logged). The ruleset, the catalog and the configuration file are
followed on disk and reloaded without a restart (also on SIGHUP). The
configuration file (TOML) holds timeouts, limits, client keys, app attribution,
the log format, Redis and spend budgets; see the README's gateway section.

With --redis (or [redis] in the configuration), model cooldowns reach every
replica sharing the server, and requests are charged to a spend ledger per key,
team and user (limits in [budgets] and [[keys]]).

Endpoints: POST /v1/chat/completions, GET /v1/models, GET /healthz, GET /readyz,
GET /metrics. On SIGTERM or SIGINT the gateway stops accepting connections,
lets in-flight requests finish (up to timeouts.shutdown) and exits 0.

Exit status:
  0  stopped by SIGTERM or SIGINT
  1  the ruleset has errors
  2  bad usage or unreadable input (no OPENROUTER_API_KEY, a bad configuration,
     catalog or upstream URL, an address that cannot be listened on)";

/// Shown at the end of `bench --help`.
const BENCH_HELP: &str = "\
Every context of the file is checked against the schema and built before the
clock starts; the measured loop only decides. The file is decided over and over
(whole passes) until --min-time has passed; with --min-time 0, each context is
decided exactly once. Decisions per second are the decisions over the wall time;
latency percentiles come from timing one decision in 64 by itself (the clock's
own cost subtracted). Rule and model counts cover every decision.

A line that is not valid JSON or does not fit the schema is reported on standard
error with its line number and skipped; with --strict, bad lines are reported and
nothing is decided.

Exit status:
  0  measured
  1  the ruleset has errors
  2  bad usage or unreadable input (a missing file, no valid context, a bad line
     with --strict)";

/// Shown at the end of `diff --help`.
const DIFF_HELP: &str = "\
Each context is decided by both rulesets (each builds its own context from the
JSON line). A decision changes when its rule, split arm, model or fallbacks
change. The report counts the changes, groups them into transitions (old rule
and model -> new rule and model) with a few example lines each, gives each
model's share of the traffic before and after and, with --catalog, the change in
estimated worst-case cost per 1,000 requests. --format markdown is meant for a
pull-request comment.

A line that is not valid JSON or does not fit either schema is reported on
standard error with its line number (and the ruleset that refuses it) and
skipped; with --strict, bad lines are reported and nothing is compared.

Exit status:
  0  compared (whatever changed)
  1  a ruleset has errors, or some decision changed with --fail-on-change
  2  bad usage or unreadable input (a missing file, no valid context, a bad line
     with --strict)";

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
  2  bad usage or unreadable input (a missing path, a bad context, an unreadable
     catalog)";

/// Arguments of `switchyard check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Rulesets to check: a `.route` or `.json` file, a folder whose `.route`
    /// and `.route.json` files together form one ruleset, or `-` to read one
    /// from standard input (JSON when it starts with `{`).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// How to print diagnostics [default: human, or the SWITCHYARD_FORMAT
    /// environment variable when it is set]
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Treat warnings as errors for the exit status.
    #[arg(long)]
    pub deny_warnings: bool,

    /// An OpenRouter model catalog (the JSON of `GET /api/v1/models`): model
    /// ids it does not list are W104.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,

    #[command(flatten)]
    pub lints: LintArgs,
}

/// Arguments of `switchyard fmt`.
/// `--allow`, `--warn` and `--deny`: the level of warnings by code, for
/// every command that loads a ruleset. A denied warning is an error: the
/// ruleset does not load. `# switchyard: allow(..)` comments in the files
/// win over these.
#[derive(Debug, Args, Default)]
pub struct LintArgs {
    /// Do not report this warning (a code such as W105; repeatable, or
    /// several separated by commas).
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = lint_code)]
    pub allow: Vec<switchyard::Code>,

    /// Report this warning as a warning, its default level.
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = lint_code)]
    pub warn: Vec<switchyard::Code>,

    /// Report this warning as an error: the ruleset does not load.
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = lint_code)]
    pub deny: Vec<switchyard::Code>,
}

/// A warning's or note's code, as `--allow`, `--warn` and `--deny` take.
fn lint_code(text: &str) -> Result<switchyard::Code, String> {
    let code = switchyard::Code::parse(text.trim()).ok_or_else(|| {
        let names = switchyard::Code::ALL.iter().map(|c| c.as_str());
        match switchyard::nearest(text.trim(), names) {
            Some(near) => format!("`{text}` is not a diagnostic code; did you mean `{near}`?"),
            None => format!("`{text}` is not a diagnostic code (codes look like `W105`)"),
        }
    })?;
    if code.severity() == switchyard::Severity::Error {
        return Err(format!(
            "`{code}` is an error: only warnings and notes can be allowed, warned or denied"
        ));
    }
    Ok(code)
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files to format, or folders (every `.route` file in them). `-` reads
    /// standard input and writes the result to standard output.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Change nothing: print the files that would change, and exit with 1 if
    /// there are any.
    #[arg(long, conflicts_with = "to")]
    pub check: bool,

    /// Convert instead: print the one PATH (a file, or `-` for standard
    /// input) in this form on standard output. A `.json` file (or input
    /// starting with `{`) is read as JSON, anything else as `.route`.
    /// Statements keep their order and comments their place, so `.route`
    /// to JSON and back gives what `fmt` gives.
    #[arg(long, value_enum, value_name = "FORM")]
    pub to: Option<ToForm>,
}

/// The forms `fmt --to` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ToForm {
    /// The rule language, laid out as `fmt` lays it out.
    Route,
    /// The JSON form (docs/reference/json.md).
    Json,
}

/// Arguments of `switchyard test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Rulesets whose tests to run: a `.route` or `.json` file, or a folder
    /// whose `.route` and `.route.json` files together form one ruleset.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Decide at this time, in seconds since the Unix epoch (UTC), instead
    /// of now. Tests of rules that read `hour` or `weekday` need it to be
    /// reproducible.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    pub at: Option<i64>,

    /// A model catalog (the JSON of OpenRouter's `GET /api/v1/models`), for
    /// rulesets that use `require` or `cheapest`; loaded with every ruleset.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,

    /// How to print the results.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

    #[command(flatten)]
    pub lints: LintArgs,
}

/// Arguments of `switchyard eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The ruleset: a `.route` or `.json` file, or a folder whose
    /// `.route` and `.route.json` files together form one ruleset.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,

    /// One context: a JSON object, or `@FILE` to read it from a file.
    /// Without it, contexts are read from standard input, one JSON object
    /// per line.
    #[arg(long, value_name = "JSON|@FILE")]
    pub context: Option<String>,

    /// Also show, for every rule tried, whether it matched and, if not, the
    /// test that was false (every alternative, for a false `or`).
    #[arg(long)]
    pub explain: bool,

    /// Decide at this time, in seconds since the Unix epoch (UTC), instead
    /// of now: fixes `hour` and `weekday`.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    pub at: Option<i64>,

    /// A model catalog (the JSON of OpenRouter's `GET /api/v1/models`), for
    /// rulesets that use `require` or `cheapest`; decisions then carry the
    /// estimated worst-case cost.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,

    /// Refuse a context key the ruleset does not declare (an error naming
    /// the nearest declared field) instead of ignoring it.
    #[arg(long)]
    pub strict_context: bool,

    /// How to print decisions.
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    pub format: ReportFormat,

    #[command(flatten)]
    pub lints: LintArgs,
}

/// Arguments of `switchyard body`.
#[derive(Debug, Args)]
pub struct BodyArgs {
    /// The ruleset: a `.route` or `.json` file, or a folder whose
    /// `.route` and `.route.json` files together form one ruleset.
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

    #[command(flatten)]
    pub lints: LintArgs,
}

/// Arguments of `switchyard bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The ruleset: a `.route` or `.json` file, or a folder whose
    /// `.route` and `.route.json` files together form one ruleset.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,

    /// The traffic: a file of contexts, one JSON object per line (`-` for
    /// standard input).
    #[arg(long, value_name = "FILE.jsonl")]
    pub contexts: PathBuf,

    /// A model catalog (the JSON of OpenRouter's `GET /api/v1/models`): for
    /// rulesets that use `require` or `cheapest`, and to report the
    /// estimated worst-case cost per 1,000 requests.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,

    /// Threads deciding at once, each with its own copy of the contexts.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: u16,

    /// Keep deciding (whole passes over the file) for at least this long;
    /// 0 decides each context exactly once.
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0, value_parser = seconds)]
    pub min_time: f64,

    /// Make bad lines fatal: report them all, then exit with 2 before
    /// deciding anything.
    #[arg(long)]
    pub strict: bool,

    /// Refuse a context key the ruleset does not declare (an error naming
    /// the nearest declared field) instead of ignoring it.
    #[arg(long)]
    pub strict_context: bool,

    /// Decide at this time, in seconds since the Unix epoch (UTC), instead
    /// of the time the command starts: fixes `hour` and `weekday`.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    pub at: Option<i64>,

    /// How to print the report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

    #[command(flatten)]
    pub lints: LintArgs,
}

/// Arguments of `switchyard diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The ruleset as it is: a `.route` or `.json` file, or a folder.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,

    /// The ruleset as it would be: a `.route` or `.json` file, or a folder.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,

    /// The traffic: a file of contexts, one JSON object per line (`-` for
    /// standard input).
    #[arg(long, value_name = "FILE.jsonl")]
    pub contexts: PathBuf,

    /// A model catalog (the JSON of OpenRouter's `GET /api/v1/models`),
    /// loaded with both rulesets: needed by `require` and `cheapest`, and
    /// for the change in estimated worst-case cost per 1,000 requests.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,

    /// Example lines shown per transition.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub examples: usize,

    /// Exit with 1 when some decision changes.
    #[arg(long)]
    pub fail_on_change: bool,

    /// Make bad lines fatal: report them all, then exit with 2 before
    /// deciding anything.
    #[arg(long)]
    pub strict: bool,

    /// Refuse a context key the ruleset does not declare (an error naming
    /// the nearest declared field) instead of ignoring it.
    #[arg(long)]
    pub strict_context: bool,

    /// Decide at this time, in seconds since the Unix epoch (UTC), instead
    /// of the time the command starts: fixes `hour` and `weekday`.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    pub at: Option<i64>,

    /// How to print the report.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,

    #[command(flatten)]
    pub lints: LintArgs,
}

/// A duration in seconds: finite and not negative.
fn seconds(text: &str) -> Result<f64, String> {
    let value: f64 = text.parse().map_err(|e| format!("{e}"))?;
    if (0.0..=86_400.0).contains(&value) {
        Ok(value)
    } else {
        Err("expected a number of seconds from 0 to 86400".into())
    }
}

/// Output formats of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Text for people.
    Human,
    /// JSON for programs.
    Json,
    /// GitHub-flavoured Markdown, for a pull-request comment.
    Markdown,
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

/// The environment variable `check` reads its format from when `--format`
/// is not given.
pub const FORMAT_VARIABLE: &str = "SWITCHYARD_FORMAT";

impl Format {
    /// `--format` when given, else [`FORMAT_VARIABLE`] when set, else
    /// human. A bad value of the variable is named as such.
    pub fn chosen(given: Option<Format>) -> Result<Format, String> {
        if let Some(format) = given {
            return Ok(format);
        }
        let Some(value) = std::env::var_os(FORMAT_VARIABLE) else {
            return Ok(Format::Human);
        };
        let text = value.to_string_lossy();
        Format::from_str(&text, true).map_err(|_| {
            let names: Vec<String> = Format::value_variants()
                .iter()
                .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_string()))
                .collect();
            format!(
                "the environment variable {FORMAT_VARIABLE} is `{text}`: expected one of {} \
                 (or unset it, or pass --format)",
                names.join(", ")
            )
        })
    }
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

/// Arguments of `switchyard serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The ruleset: a `.route` file, or a folder whose `.route` files
    /// together form one ruleset.
    #[arg(long, value_name = "PATH")]
    pub rules: PathBuf,

    /// A model catalog (the JSON of OpenRouter's `GET /api/v1/models`), for
    /// rulesets that use `require` or `cheapest`, for costs in the access
    /// log and for `GET /v1/models`.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,

    /// The address to listen on; port 0 picks a free one (the address is
    /// printed on standard output).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// The upstream's OpenAI-compatible API base.
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://openrouter.ai/api/v1"
    )]
    pub upstream: String,

    /// The configuration file (TOML).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Redis (`redis://host:port`), to share model health and spend with the
    /// other replicas (overrides the configuration's `redis.url`).
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,
}
