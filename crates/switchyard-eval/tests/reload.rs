//! Hot reload under the ways files really change: editors' saves,
//! Kubernetes ConfigMap updates, deletion, bursts of writes, broken files.
//!
//! In every test two threads decide in a loop on `live.load()` while the
//! files change. Every ruleset written here routes `{"tier": "pro"}` to
//! `acme/pro-N` by rule `pro-vN` in a ruleset labelled `vN`, and has a
//! catch-all, so a failed decision, a no-match or a decision that mixes two
//! rulesets is counted as a failure; each test asserts there were none. A
//! new valid ruleset must be served within 1 s of the write that made it.
//!
//! The rulesets are written so that every proper prefix of a file is
//! invalid (the `context` block comes last), so a half-written file can only
//! be reported, never served.
//!
//! The faults: half-written files (closed late, or left open), files
//! truncated in place, a file replaced by a folder, permission denied (as
//! an unprivileged user, also when the tests run as root), a symlink loop,
//! 1,000 writes in a second, the file or the watched folder deleted and
//! re-created, and invalid edits.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::json;
use switchyard_eval::{LiveRuleset, ReloadEvent, ReloadOptions, ReloadOutcome};

/// How soon a valid change must be served.
const BUDGET: Duration = Duration::from_secs(1);
/// How long to wait before giving up on something that should happen.
const PATIENCE: Duration = Duration::from_secs(3);

/// Ruleset number `n`: `{"tier": "pro"}` goes to `acme/pro-n`.
fn ruleset(n: u32) -> String {
    format!("{}{}", rules(n), CONTEXT)
}

/// The rules and version of ruleset `n`, without the context block.
fn rules(n: u32) -> String {
    format!(
        "rule pro-v{n}: when tier == \"pro\" -> \"acme/pro-{n}\" max_tokens 100\n\
         rule default-v{n}: otherwise -> \"acme/default-{n}\" max_tokens 100\n\
         version \"v{n}\"\n"
    )
}

const CONTEXT: &str = "context { tier: \"free\" | \"pro\" = \"free\" }\n";

/// A folder under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "switchyard-reload-{}-{name}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            // A test may leave a file unreadable.
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(
                self.0.join("rules.route"),
                fs::Permissions::from_mode(0o644),
            );
        }
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The number of the ruleset a decision came from, if the decision is
/// consistent (rule, model and version all of one ruleset).
fn decided(live: &LiveRuleset) -> Result<u32, String> {
    let table = live.load();
    let ctx = table
        .context_from_json(&json!({"tier": "pro"}))
        .map_err(|e| format!("context: {e}"))?;
    let d = table
        .decide(&ctx)
        .map_err(|e| format!("decide: {e}"))?
        .ok_or("no rule matched")?;
    let version = d.ruleset().version.as_deref().unwrap_or("none");
    let n: u32 = version
        .strip_prefix('v')
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("version {version}"))?;
    if d.rule() != format!("pro-v{n}") || d.model() != format!("acme/pro-{n}") {
        return Err(format!(
            "torn decision: rule {} model {} version {version}",
            d.rule(),
            d.model()
        ));
    }
    Ok(n)
}

/// Two threads deciding in a loop; each decision must be whole (rule,
/// model and version of one ruleset), and no older than one seen before.
struct Readers {
    stop: Arc<AtomicBool>,
    decisions: Arc<AtomicU64>,
    failures: Arc<Mutex<Vec<String>>>,
    threads: Vec<JoinHandle<()>>,
}

impl Readers {
    fn start(live: &Arc<LiveRuleset>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let decisions = Arc::new(AtomicU64::new(0));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let threads = (0..2)
            .map(|_| {
                let (live, stop) = (live.clone(), stop.clone());
                let (decisions, failures) = (decisions.clone(), failures.clone());
                thread::spawn(move || {
                    let mut n = 0u64;
                    // The newest ruleset this reader has seen: an older
                    // one after it means a stale table was served.
                    let mut newest = 0;
                    while !stop.load(Ordering::Relaxed) {
                        match decided(&live) {
                            Ok(seen) if seen < newest => failures
                                .lock()
                                .unwrap()
                                .push(format!("ruleset {seen} served after {newest}")),
                            Ok(seen) => newest = seen,
                            Err(e) => failures.lock().unwrap().push(e),
                        }
                        n += 1;
                        // Leave the reloader some of the two cores.
                        if n % 16 == 0 {
                            thread::sleep(Duration::from_micros(200));
                        }
                    }
                    decisions.fetch_add(n, Ordering::Relaxed);
                })
            })
            .collect();
        Readers {
            stop,
            decisions,
            failures,
            threads,
        }
    }

    /// Stops the readers; asserts they decided and never failed.
    fn finish(self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            t.join().unwrap();
        }
        let failures = self.failures.lock().unwrap();
        let decisions = self.decisions.load(Ordering::Relaxed);
        assert!(
            failures.is_empty(),
            "{} of {decisions} decisions failed; first: {}",
            failures.len(),
            failures[0]
        );
        assert!(decisions > 0);
    }
}

/// The reload events, as short strings.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<String>>>);

impl Events {
    fn options(&self) -> ReloadOptions {
        let log = self.0.clone();
        ReloadOptions::new().on_reload(move |event| {
            let line = match event {
                ReloadEvent::Loaded { generation, .. } => format!("loaded {generation}"),
                ReloadEvent::Failed { failure } => format!("failed: {failure}"),
                ReloadEvent::Recovered { generation } => format!("recovered {generation}"),
                _ => "other".to_string(),
            };
            log.lock().unwrap().push(line);
        })
    }

    fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    fn failures(&self) -> usize {
        self.all()
            .iter()
            .filter(|e| e.starts_with("failed"))
            .count()
    }
}

fn start(path: &Path) -> (Arc<LiveRuleset>, Events, Readers) {
    let events = Events::default();
    let live = Arc::new(LiveRuleset::watch(path, events.options()).unwrap());
    assert_eq!(decided(&live), Ok(1));
    let readers = Readers::start(&live);
    (live, events, readers)
}

/// Polls until ruleset `n` is served; asserts it was within the budget of
/// `written`, and returns how long it took.
fn served_within_budget(live: &LiveRuleset, n: u32, written: Instant) -> Duration {
    loop {
        let got = decided(live);
        let elapsed = written.elapsed();
        if got == Ok(n) {
            assert!(
                elapsed <= BUDGET,
                "ruleset {n} served after {elapsed:?}, over the budget of {BUDGET:?}"
            );
            return elapsed;
        }
        assert!(
            elapsed < PATIENCE,
            "ruleset {n} not served after {elapsed:?}; serving {got:?}; status {:?}",
            live.status()
        );
        thread::sleep(Duration::from_millis(5));
    }
}

/// Polls until `cond` holds.
fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until a failure is reported, then checks the old ruleset `n` is
/// still served.
fn failure_reported(live: &LiveRuleset, events: &Events, n: u32, needle: &str) {
    eventually("a reported failure", || {
        live.status().last_error.is_some() && events.failures() > 0
    });
    let status = live.status();
    let error = status.last_error.as_ref().unwrap();
    assert!(
        error.render().contains(needle),
        "`{}` does not mention `{needle}`",
        error.render()
    );
    assert_eq!(decided(live), Ok(n));
}

fn write_via_rename(path: &Path, text: &str) {
    let tmp = path.with_file_name(".rules.route.tmp");
    fs::write(&tmp, text).unwrap();
    fs::rename(&tmp, path).unwrap();
}

#[test]
fn write_in_place() {
    let dir = TempDir::new("in-place");
    let path = dir.join("rules.route");
    fs::write(&path, ruleset(1)).unwrap();
    let (live, events, readers) = start(&path);
    for n in 2..=3 {
        fs::write(&path, ruleset(n)).unwrap();
        served_within_budget(&live, n, Instant::now());
    }
    readers.finish();
    assert_eq!(live.status().generation, 3);
    assert_eq!(events.failures(), 0, "{:?}", events.all());
}

#[test]
fn write_to_temp_then_rename() {
    let dir = TempDir::new("rename");
    let path = dir.join("rules.route");
    fs::write(&path, ruleset(1)).unwrap();
    let (live, events, readers) = start(&path);
    for n in 2..=3 {
        write_via_rename(&path, &ruleset(n));
        served_within_budget(&live, n, Instant::now());
    }
    readers.finish();
    assert_eq!(events.failures(), 0, "{:?}", events.all());
}

/// A ConfigMap volume: `rules.route -> ..data/rules.route`,
/// `..data -> ..<timestamp>`; an update writes a new timestamped folder,
/// points `..data_tmp` at it, renames that over `..data` and removes the
/// old folder.
#[cfg(unix)]
#[test]
fn configmap_symlink_swap() {
    use std::os::unix::fs::symlink;
    let dir = TempDir::new("configmap");
    let publish = |n: u32| {
        let stamp = format!("..2026_01_01_00_00_0{n}.123");
        fs::create_dir(dir.join(&stamp)).unwrap();
        fs::write(dir.join(&stamp).join("rules.route"), ruleset(n)).unwrap();
        symlink(&stamp, dir.join("..data_tmp")).unwrap();
        fs::rename(dir.join("..data_tmp"), dir.join("..data")).unwrap();
        if n > 1 {
            let old = format!("..2026_01_01_00_00_0{}.123", n - 1);
            fs::remove_dir_all(dir.join(&old)).unwrap();
        }
    };
    publish(1);
    symlink("..data/rules.route", dir.join("rules.route")).unwrap();
    let (live, events, readers) = start(&dir.join("rules.route"));
    for n in 2..=4 {
        publish(n);
        served_within_budget(&live, n, Instant::now());
    }
    readers.finish();
    assert_eq!(events.failures(), 0, "{:?}", events.all());
}

#[test]
fn delete_then_recreate() {
    let dir = TempDir::new("delete");
    let path = dir.join("rules.route");
    fs::write(&path, ruleset(1)).unwrap();
    let (live, events, readers) = start(&path);
    fs::remove_file(&path).unwrap();
    failure_reported(&live, &events, 1, "cannot read");
    fs::write(&path, ruleset(2)).unwrap();
    served_within_budget(&live, 2, Instant::now());
    readers.finish();
    assert!(live.status().last_error.is_none());
}

/// 1,000 writes in place in about a second, each a valid ruleset; the last
/// one is served. Reads may catch a file half-written: those are reported,
/// never served.
#[test]
fn burst_of_writes() {
    let dir = TempDir::new("burst");
    let path = dir.join("rules.route");
    fs::write(&path, ruleset(1)).unwrap();
    let (live, events, readers) = start(&path);
    let started = Instant::now();
    let last = 1001;
    for (i, n) in (2..=last).enumerate() {
        fs::write(&path, ruleset(n)).unwrap();
        // Pace the writes to one per millisecond.
        let due = Duration::from_millis(i as u64);
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            thread::sleep(wait);
        }
    }
    let written = Instant::now();
    let took = served_within_budget(&live, last, written);
    readers.finish();
    let status = live.status();
    assert!(status.last_error.is_none(), "{:?}", status.last_error);
    eprintln!(
        "burst: {} writes in {:?}, final ruleset served {took:?} after the last; {} generations, events: {:?}",
        last - 1,
        written - started,
        status.generation,
        events.all()
    );
}

#[test]
fn invalid_file_keeps_the_last_good_table() {
    let dir = TempDir::new("invalid");
    let path = dir.join("rules.route");
    fs::write(&path, ruleset(1)).unwrap();
    let (live, events, readers) = start(&path);

    // An unknown field: the old table keeps serving, the error is reported
    // once, with a position.
    let broken = ruleset(2).replace("tier == \"pro\"", "teir == \"pro\"");
    fs::write(&path, &broken).unwrap();
    failure_reported(&live, &events, 1, "E002");
    let status = live.status();
    let error = status.last_error.as_ref().unwrap();
    assert!(
        error.render().contains("rules.route:1:"),
        "{}",
        error.render()
    );
    assert_eq!(error.generation(), 1);
    assert_eq!(status.generation, 1);
    assert!(error.sources().is_some());
    // The same broken file again is not reported again.
    assert!(live.reload_now().is_err());
    assert_eq!(events.failures(), 1, "{:?}", events.all());

    // The fix is served.
    fs::write(&path, ruleset(2)).unwrap();
    served_within_budget(&live, 2, Instant::now());
    readers.finish();
    let status = live.status();
    assert!(status.last_error.is_none());
    assert_eq!(status.generation, 2);
    assert_eq!(status.failed_reloads, 1);
    assert_eq!(events.all().last().map(String::as_str), Some("loaded 2"));
}

/// Undoing a broken edit serves the same table again and clears the error.
#[test]
fn reverting_a_broken_edit_recovers() {
    let dir = TempDir::new("revert");
    let path = dir.join("rules.route");
    fs::write(&path, ruleset(1)).unwrap();
    let (live, events, readers) = start(&path);
    fs::write(&path, "rule broken: otherwise ->").unwrap();
    failure_reported(&live, &events, 1, "E001");
    fs::write(&path, ruleset(1)).unwrap();
    eventually("recovery", || live.status().last_error.is_none());
    readers.finish();
    assert_eq!(live.status().generation, 1);
    assert_eq!(events.all().last().map(String::as_str), Some("recovered 1"));
}

/// A writer that stops half-way for a while: the half file is never served.
#[test]
fn half_written_file() {
    use std::io::Write;
    let dir = TempDir::new("half");
    let path = dir.join("rules.route");
    fs::write(&path, ruleset(1)).unwrap();
    let (live, _events, readers) = start(&path);
    let text = ruleset(2);
    let (head, tail) = text.split_at(text.len() / 2);
    let mut f = fs::File::create(&path).unwrap();
    f.write_all(head.as_bytes()).unwrap();
    f.flush().unwrap();
    thread::sleep(Duration::from_millis(150));
    assert_eq!(decided(&live), Ok(1));
    f.write_all(tail.as_bytes()).unwrap();
    drop(f);
    served_within_budget(&live, 2, Instant::now());
    readers.finish();
}

/// A file truncated in place, to half and then to nothing: each is
/// reported, the last good ruleset is served throughout, and the next good
/// write is served within the budget.
#[test]
fn truncated_file() {
    let dir = TempDir::new("truncated");
    let path = dir.join("rules.route");
    fs::write(&path, ruleset(1)).unwrap();
    let (live, events, readers) = start(&path);
    let text = ruleset(2);
    fs::write(&path, &text).unwrap();
    served_within_budget(&live, 2, Instant::now());

    let truncate = |len: usize| {
        let f = fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(len as u64).unwrap();
    };
    truncate(text.len() / 2);
    failure_reported(&live, &events, 2, "E0");
    let reported = events.failures();
    truncate(0);
    eventually("the empty file reported", || events.failures() > reported);
    assert!(
        live.status()
            .last_error
            .unwrap()
            .render()
            .contains("empty file"),
        "{:?}",
        events.all()
    );
    assert_eq!(decided(&live), Ok(2));

    fs::write(&path, ruleset(3)).unwrap();
    served_within_budget(&live, 3, Instant::now());
    readers.finish();
    assert!(live.status().last_error.is_none());
}

/// A writer that stops half-way and keeps the file open for longer than the
/// reloader waits for writers (twice the 300 ms `max_delay`): the half file
/// is read, reported and not served; the rest of the write is served.
#[test]
fn half_written_file_left_open_is_reported() {
    use std::io::Write;
    let dir = TempDir::new("half-open");
    let path = dir.join("rules.route");
    fs::write(&path, ruleset(1)).unwrap();
    let (live, events, readers) = start(&path);
    let text = ruleset(2);
    let (head, tail) = text.split_at(text.len() / 2);
    let mut f = fs::File::create(&path).unwrap();
    f.write_all(head.as_bytes()).unwrap();
    f.flush().unwrap();
    failure_reported(&live, &events, 1, "E0");
    f.write_all(tail.as_bytes()).unwrap();
    drop(f);
    served_within_budget(&live, 2, Instant::now());
    readers.finish();
    assert!(live.status().last_error.is_none());
}

#[test]
fn folder_with_two_files() {
    let dir = TempDir::new("folder");
    let rules_dir = dir.join("rules");
    fs::create_dir(&rules_dir).unwrap();
    fs::write(rules_dir.join("a.route"), CONTEXT).unwrap();
    fs::write(rules_dir.join("b.route"), rules(1)).unwrap();
    // Not a ruleset file: ignored.
    fs::write(rules_dir.join("notes.txt"), "hello").unwrap();
    let (live, events, readers) = start(&rules_dir);
    assert_eq!(live.load().sources().files().count(), 2);
    fs::write(rules_dir.join("b.route"), rules(2)).unwrap();
    served_within_budget(&live, 2, Instant::now());
    write_via_rename(&rules_dir.join("b.route"), &rules(3));
    served_within_budget(&live, 3, Instant::now());
    readers.finish();
    assert_eq!(events.failures(), 0, "{:?}", events.all());
}

/// The watched folder is deleted (reported), then re-created (served).
#[test]
fn folder_deleted_and_recreated() {
    let dir = TempDir::new("folder-recreate");
    let rules_dir = dir.join("rules");
    let make = |n: u32| {
        fs::create_dir(&rules_dir).unwrap();
        fs::write(rules_dir.join("a.route"), CONTEXT).unwrap();
        fs::write(rules_dir.join("b.route"), rules(n)).unwrap();
    };
    make(1);
    let (live, events, readers) = start(&rules_dir);
    fs::remove_dir_all(&rules_dir).unwrap();
    failure_reported(&live, &events, 1, "cannot read");
    make(2);
    served_within_budget(&live, 2, Instant::now());
    // And the new folder is watched.
    fs::write(rules_dir.join("b.route"), rules(3)).unwrap();
    served_within_budget(&live, 3, Instant::now());
    readers.finish();
}

#[test]
fn file_replaced_by_a_folder() {
    let dir = TempDir::new("file-to-folder");
    let path = dir.join("rules.route");
    fs::write(&path, ruleset(1)).unwrap();
    let (live, events, readers) = start(&path);
    fs::remove_file(&path).unwrap();
    fs::create_dir(&path).unwrap();
    fs::write(path.join("x.route"), ruleset(2)).unwrap();
    failure_reported(&live, &events, 1, "now a folder");
    fs::remove_dir_all(&path).unwrap();
    fs::write(&path, ruleset(3)).unwrap();
    served_within_budget(&live, 3, Instant::now());
    readers.finish();
}

#[cfg(unix)]
#[test]
fn symlink_loop() {
    use std::os::unix::fs::symlink;
    let dir = TempDir::new("loop");
    let path = dir.join("rules.route");
    fs::write(&path, ruleset(1)).unwrap();
    let (live, events, readers) = start(&path);
    symlink("rules.route", dir.join("loop.route")).unwrap();
    symlink("loop.route", dir.join("tmp.route")).unwrap();
    fs::rename(dir.join("tmp.route"), &path).unwrap();
    failure_reported(&live, &events, 1, "cannot read");
    write_via_rename(&path, &ruleset(2));
    served_within_budget(&live, 2, Instant::now());
    readers.finish();
}

/// Permissions do not stop root, which CI runs as: as root, the test runs
/// again in a child process of this test binary (a copy anyone may run) as
/// the unprivileged user 65534. Only if that cannot be done (no right to
/// change user) is it skipped.
#[cfg(unix)]
#[test]
fn permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("permission");
    let path = dir.join("rules.route");
    fs::write(&path, ruleset(1)).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&path).is_ok() {
        if std::env::var_os(AS_NOBODY).is_none() && rerun_as_nobody("permission_denied") {
            return;
        }
        eprintln!("permission_denied: skipped, permissions do not apply to this user");
        return;
    }
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let (live, events, readers) = start(&path);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    failure_reported(&live, &events, 1, "ermission denied");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    fs::write(&path, ruleset(2)).unwrap();
    served_within_budget(&live, 2, Instant::now());
    readers.finish();
}

/// Set in the child process of [`rerun_as_nobody`].
#[cfg(unix)]
const AS_NOBODY: &str = "SWITCHYARD_TEST_AS_NOBODY";

/// Runs `test` of this binary again as user and group 65534, from a copy
/// of the binary in a folder anyone can read (the build folder may be
/// under a private home), with that folder as its temp dir. Returns false
/// when the child cannot be started as that user; asserts it passed.
#[cfg(unix)]
fn rerun_as_nobody(test: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let exe = std::env::current_exe().unwrap();
    let dir = TempDir::new("as-nobody");
    fs::set_permissions(&dir.0, fs::Permissions::from_mode(0o777)).unwrap();
    let copy = dir.join("reload-test");
    fs::copy(&exe, &copy).unwrap();
    fs::set_permissions(&copy, fs::Permissions::from_mode(0o755)).unwrap();
    let output = std::process::Command::new(&copy)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(AS_NOBODY, "1")
        .env("TMPDIR", &dir.0)
        .uid(65534)
        .gid(65534)
        .output();
    let output = match output {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{test}: cannot run as user 65534: {e}");
            return false;
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{test} as user 65534:\n{stdout}{stderr}");
    assert!(output.status.success(), "{test} failed as user 65534");
    assert!(
        stdout.contains("1 passed") && !stderr.contains("skipped"),
        "{test} did not run as user 65534"
    );
    true
}

/// Without file events, the periodic check alone picks changes up.
#[test]
fn polling_only() {
    let dir = TempDir::new("poll");
    let path = dir.join("rules.route");
    fs::write(&path, ruleset(1)).unwrap();
    let options = ReloadOptions::new()
        .file_events(false)
        .poll_interval(Some(Duration::from_millis(200)));
    let live = Arc::new(LiveRuleset::watch(&path, options).unwrap());
    let readers = Readers::start(&live);
    fs::write(&path, ruleset(2)).unwrap();
    served_within_budget(&live, 2, Instant::now());
    readers.finish();
    assert!(live.status().watch_error.is_none());
}

/// `reload_now` with nothing in the background; dropping stops the thread.
#[test]
fn reload_now_and_drop() {
    let dir = TempDir::new("now");
    let path = dir.join("rules.route");
    fs::write(&path, ruleset(1)).unwrap();
    let events = Events::default();
    let options = events.options().file_events(false).poll_interval(None);
    let live = LiveRuleset::watch(&path, options).unwrap();
    assert_eq!(events.all(), ["loaded 1"]);
    assert_eq!(
        live.reload_now().unwrap(),
        ReloadOutcome::Unchanged { generation: 1 }
    );
    fs::write(&path, ruleset(2)).unwrap();
    assert_eq!(
        live.reload_now().unwrap(),
        ReloadOutcome::Loaded { generation: 2 }
    );
    assert_eq!(decided(&live), Ok(2));
    assert_eq!(live.generation(), 2);
    fs::write(&path, "nonsense").unwrap();
    let failure = live.reload_now().unwrap_err();
    assert!(failure.to_string().contains("E001"), "{failure}");
    assert!(live.reload_now().is_err());
    let all = events.all();
    assert_eq!(all.len(), 3, "{all:?}");
    assert_eq!(all[..2], ["loaded 1", "loaded 2"]);
    assert!(all[2].starts_with("failed: "), "{all:?}");
    assert_eq!(events.failures(), 1);
    assert_eq!(decided(&live), Ok(2));

    // The callback (owned by the background thread too) is released by the
    // time drop returns: the thread has been joined.
    let log = Arc::downgrade(&events.0);
    drop(events);
    drop(live);
    assert!(log.upgrade().is_none());
}

#[test]
fn the_first_load_must_succeed() {
    let dir = TempDir::new("first");
    let path = dir.join("rules.route");
    assert!(LiveRuleset::watch(&path, ReloadOptions::new()).is_err());
    fs::write(&path, "rule broken: otherwise ->").unwrap();
    assert!(LiveRuleset::watch(&path, ReloadOptions::new()).is_err());
}

/// A host's request type, bound when the ruleset loads.
struct Tiered {
    tier: String,
}

impl switchyard_eval::Request for Tiered {
    const FIELDS: &'static [(&'static str, switchyard_eval::RequestFieldKind)] =
        &[("tier", switchyard_eval::RequestFieldKind::Str)];

    fn value(&self, i: usize) -> Option<switchyard_eval::Input<'_>> {
        (i == 0).then(|| self.tier.as_str().into())
    }
}

/// A reload that renames a field a bound request type gives is refused:
/// the table that fits keeps serving, never one that would read the field
/// as unset.
#[test]
fn a_reload_that_breaks_a_bound_request_type_is_refused() {
    let dir = TempDir::new("bound");
    let path = dir.join("rules.route");
    fs::write(&path, ruleset(1)).unwrap();
    let options =
        ReloadOptions::new().load_options(switchyard_eval::LoadOptions::new().bind::<Tiered>());
    let live = LiveRuleset::watch(&path, options).unwrap();
    let request = Tiered { tier: "pro".into() };
    let served = |live: &LiveRuleset| {
        let table = live.load();
        let ctx = table.context_of(&request).unwrap();
        let rule = table.decide(&ctx).unwrap().unwrap().rule().to_string();
        rule
    };
    assert_eq!(served(&live), "pro-v1");

    fs::write(&path, ruleset(2).replace("tier", "level")).unwrap();
    let failure = live.reload_now().unwrap_err();
    let text = failure.render();
    assert!(text.contains("E002"), "{text}");
    assert!(text.contains("`tier` is not declared"), "{text}");
    assert_eq!(served(&live), "pro-v1");

    fs::write(&path, ruleset(3)).unwrap();
    live.reload_now().unwrap();
    assert_eq!(served(&live), "pro-v3");
}
