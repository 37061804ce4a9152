//! Exit statuses and writing to the terminal.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

/// How a command ended (docs/cli.md). Ordered by severity, so the
/// status of several paths is the maximum of theirs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// 0: nothing to report.
    Success,
    /// 1: errors found, warnings under `--deny-warnings`, files to reformat.
    Findings,
    /// 2: bad usage or unreadable input.
    Usage,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(match status {
            Status::Success => 0,
            Status::Findings => 1,
            Status::Usage => 2,
        })
    }
}

/// Which standard stream a text goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl Stream {
    /// Whether to colour text written to this stream: only on a terminal,
    /// and never when `NO_COLOR` is set to a non-empty value
    /// (<https://no-color.org>).
    pub fn color(self) -> bool {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let tty = match self {
            Stream::Stdout => io::stdout().is_terminal(),
            Stream::Stderr => io::stderr().is_terminal(),
        };
        tty && !no_color
    }

    /// Writes `text` as is. A closed pipe (`switchyard check ... | head`) is
    /// not an error worth reporting; other write errors are ignored too, as
    /// there is nowhere left to report them.
    pub fn write(self, text: &str) {
        let _ignored = match self {
            Stream::Stdout => {
                let mut out = io::stdout().lock();
                out.write_all(text.as_bytes()).and_then(|()| out.flush())
            }
            Stream::Stderr => {
                let mut err = io::stderr().lock();
                err.write_all(text.as_bytes()).and_then(|()| err.flush())
            }
        };
    }

    /// Writes `line` and a line break.
    pub fn line(self, line: &str) {
        let mut text = String::with_capacity(line.len() + 1);
        text.push_str(line);
        text.push('\n');
        self.write(&text);
    }
}

/// `1 error`, `2 warnings`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_combine_by_maximum() {
        assert_eq!(Status::Success.max(Status::Findings), Status::Findings);
        assert_eq!(Status::Usage.max(Status::Findings), Status::Usage);
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "error"), "1 error");
        assert_eq!(plural(0, "warning"), "0 warnings");
    }
}
