//! The `switchyard` command line: `check`, `fmt`, `test`, `eval`, `body`,
//! `bench`, `diff` and `serve`.
//!
//! Layout: [`cli`] declares the arguments (clap derive), and each
//! subcommand lives in its own file under `command/`. Rulesets load through
//! the one load path (`switchyard::LoadOptions`), and diagnostics are
//! rendered by the `switchyard` crate's `render` module, one file per
//! format (ruff-style), as a host would render them; `render/` here holds
//! the other output of `eval`, `bench` and `diff`.

mod cli;
mod command;
mod output;
mod render;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();

    install_parser_limits();

    let status = match cli.command {
        Command::Check(args) => command::check::run(&args),
        Command::Fmt(args) => command::fmt::run(&args),
        Command::Test(args) => command::test::run(&args),
        Command::Eval(args) => command::eval::run(&args),
        Command::Body(args) => command::body::run(&args),
        Command::Bench(args) => command::bench::run(&args),
        Command::Diff(args) => command::diff::run(&args),
        Command::Serve(args) => command::serve::run(args),
    };
    status.into()
}

/// Process-wide parser settings. Only a binary may install them, because
/// pest's call limit is global state shared by every parser in the process.
fn install_parser_limits() {
    // The scanner already bounds nesting before pest runs; this bounds the
    // work pest may do on any one statement, as a backstop against
    // pathological backtracking. A 4 MiB statement needs far fewer calls.
    switchyard::set_call_limit(std::num::NonZeroUsize::new(100_000_000));
}
