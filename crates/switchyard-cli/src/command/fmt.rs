//! `switchyard fmt PATH... [--check]`: rewrite `.route` files in the canonical
//! layout.
//!
//! - A file that does not parse is left alone; its diagnostics go to standard
//!   error and the exit status is 1.
//! - Without `--check`, a file is rewritten only when its text changes: the
//!   new text goes to a temporary file in the same folder, which is then
//!   renamed over the original, so a crash never leaves a half-written file.
//! - With `--check`, nothing is written: the names of the files that would
//!   change are printed on standard output, and the exit status is 1 if there
//!   are any.
//! - `-` formats standard input to standard output (with `--check`, prints
//!   `<stdin>` if it would change).
//!
//! A summary (`1 file reformatted, 2 files left unchanged`) goes to standard
//! error.
//!
//! `--to json` and `--to route` convert one file (or standard input) to that
//! form and print it on standard output (see `convert.rs`).

mod convert;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use switchyard::{format_source, is_json_name, parse_sources, Limits, ParseErrors, SourceMap};

use crate::cli::FmtArgs;
use crate::output::{plural, Status, Stream};
use switchyard::render::human;

/// The name standard input goes by in messages.
use super::STDIN_NAME;

/// Runs the command.
pub fn run(args: &FmtArgs) -> Status {
    let limits = Limits::default();
    if let Some(to) = args.to {
        return convert::run(&args.paths, to, &limits);
    }
    let mut status = Status::Success;
    let mut changed = 0usize;
    let mut unchanged = 0usize;

    for path in &args.paths {
        if path.as_os_str() == "-" {
            status = status.max(format_stdin(args.check, &limits));
            continue;
        }
        let files = match route_files(path) {
            Ok(files) => files,
            Err(message) => {
                Stream::Stderr.line(&format!("error: {message}"));
                status = status.max(Status::Usage);
                continue;
            }
        };
        for file in files {
            match format_file(&file, args.check, &limits) {
                FileOutcome::Unchanged => unchanged += 1,
                FileOutcome::Changed => {
                    changed += 1;
                    if args.check {
                        status = status.max(Status::Findings);
                    }
                }
                FileOutcome::Failed(s) => status = status.max(s),
            }
        }
    }

    if changed + unchanged > 0 {
        let summary = if args.check {
            format!(
                "{} would be reformatted, {} already formatted",
                plural(changed, "file"),
                plural(unchanged, "file")
            )
        } else {
            format!(
                "{} reformatted, {} left unchanged",
                plural(changed, "file"),
                plural(unchanged, "file")
            )
        };
        Stream::Stderr.line(&summary);
    }
    status
}

/// What happened to one file.
enum FileOutcome {
    /// Already formatted.
    Unchanged,
    /// Rewritten, or (with `--check`) would be.
    Changed,
    /// Not formatted; the reason has been reported.
    Failed(Status),
}

/// A file as itself; a folder as its `.route` files (not recursing), in
/// file-name order, as `SourceMap::load` reads a ruleset.
fn route_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    let cannot_read = |e: io::Error| format!("cannot read `{}`: {e}", path.display());
    let meta = fs::metadata(path).map_err(cannot_read)?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in fs::read_dir(path).map_err(cannot_read)? {
        let p = entry.map_err(cannot_read)?.path();
        if p.extension().is_some_and(|e| e == "route") && p.is_file() {
            files.push(p);
        }
    }
    if files.is_empty() {
        return Err(format!("no `.route` files in `{}`", path.display()));
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

/// Formats the one file of `sources`, returning its old and new text. Files
/// that are too large or not UTF-8 are reported as the parser reports them
/// in a ruleset.
fn format_map(sources: &SourceMap, limits: &Limits) -> Result<(String, String), ParseErrors> {
    let Some((id, file)) = sources.files().next() else {
        return Ok((String::new(), String::new()));
    };
    let unreadable = file.byte_len() > limits.max_file_bytes || file.invalid_utf8_at().is_some();
    let new = if unreadable {
        parse_sources(sources, limits).and_then(|_| format_source(file.text(), id, limits))?
    } else {
        format_source(file.text(), id, limits)?
    };
    Ok((file.text().to_owned(), new))
}

fn report_parse_errors(sources: &SourceMap, errors: &ParseErrors) {
    let diagnostics = errors.diagnostics();
    Stream::Stderr.write(&human::render_all(
        sources,
        &diagnostics,
        Stream::Stderr.color(),
    ));
}

fn format_file(path: &Path, check: bool, limits: &Limits) -> FileOutcome {
    if is_json_name(&path.display().to_string()) {
        // A generator's structured conditions would come back as text:
        // converting is asked for by name, never done in place.
        Stream::Stderr.line(&format!(
            "note: `{}` is a ruleset in JSON, left as it is; `fmt --to json` prints it laid out",
            path.display()
        ));
        return FileOutcome::Unchanged;
    }
    let sources = match SourceMap::load(path, limits.max_file_bytes) {
        Ok(sources) => sources,
        Err(e) => {
            Stream::Stderr.line(&format!("error: {e}"));
            return FileOutcome::Failed(Status::Usage);
        }
    };
    let (old, new) = match format_map(&sources, limits) {
        Ok(texts) => texts,
        Err(errors) => {
            report_parse_errors(&sources, &errors);
            Stream::Stderr.line(&format!(
                "error: `{}` does not parse; left unchanged",
                path.display()
            ));
            return FileOutcome::Failed(Status::Findings);
        }
    };
    if old == new {
        return FileOutcome::Unchanged;
    }
    if new.trim().is_empty() {
        // A file that parses has at least one statement, so empty output is
        // a formatter bug: never replace a file's content with nothing.
        Stream::Stderr.line(&format!(
            "error: the formatter produced no output for `{}`; left unchanged",
            path.display()
        ));
        return FileOutcome::Failed(Status::Findings);
    }
    if check {
        Stream::Stdout.line(&path.display().to_string());
        return FileOutcome::Changed;
    }
    match write_atomically(path, &new) {
        Ok(()) => FileOutcome::Changed,
        Err(e) => {
            Stream::Stderr.line(&format!("error: cannot write `{}`: {e}", path.display()));
            FileOutcome::Failed(Status::Usage)
        }
    }
}

fn format_stdin(check: bool, limits: &Limits) -> Status {
    let sources = match super::read_stdin(limits) {
        Ok(sources) => sources,
        Err(message) => {
            Stream::Stderr.line(&format!("error: {message}"));
            return Status::Usage;
        }
    };
    match format_map(&sources, limits) {
        Err(errors) => {
            report_parse_errors(&sources, &errors);
            Status::Findings
        }
        Ok((old, new)) if check => {
            if old == new {
                Status::Success
            } else {
                Stream::Stdout.line(STDIN_NAME);
                Status::Findings
            }
        }
        Ok((_, new)) if new.trim().is_empty() => {
            Stream::Stderr.line("error: the formatter produced no output for standard input");
            Status::Findings
        }
        Ok((_, new)) => {
            Stream::Stdout.write(&new);
            Status::Success
        }
    }
}

/// Replaces the content of `path` with `text` by writing a temporary file in
/// the same folder and renaming it over `path` (atomic on POSIX file
/// systems). A symbolic link is followed, so the link itself survives; the
/// file's permissions are kept.
fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let target = fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.switchyard-fmt.tmp", std::process::id()));
    let permissions = fs::metadata(&target)?.permissions();
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        fs::set_permissions(&tmp, permissions)?;
        fs::rename(&tmp, &target)
    })();
    if result.is_err() {
        let _ignored = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("switchyard-fmt-unit-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    #[test]
    fn atomic_write_replaces_content_and_leaves_no_temp_file() {
        let dir = scratch("atomic");
        let file = dir.join("a.route");
        fs::write(&file, "old").expect("write");
        write_atomically(&file, "new text\n").expect("rewrite");
        assert_eq!(fs::read_to_string(&file).expect("read"), "new text\n");
        let names: Vec<_> = fs::read_dir(&dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["a.route"]);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn folders_list_their_route_files_in_name_order() {
        let dir = scratch("list");
        for name in ["b.route", "a.route", "notes.txt"] {
            fs::write(dir.join(name), "").expect("write");
        }
        fs::create_dir(dir.join("sub.route")).expect("subdir");
        let files = route_files(&dir).expect("files");
        let names: Vec<_> = files
            .iter()
            .map(|p| p.file_name().expect("name").to_owned())
            .collect();
        assert_eq!(names, ["a.route", "b.route"]);
        assert!(route_files(&dir.join("missing")).is_err());
        fs::remove_file(dir.join("a.route")).expect("rm");
        fs::remove_file(dir.join("b.route")).expect("rm");
        assert!(route_files(&dir).is_err());
        let _ = fs::remove_dir_all(&dir);
    }
}
