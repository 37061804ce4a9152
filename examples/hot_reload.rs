//! Hot reload: serve decisions from a ruleset that follows its file on disk.
//!
//! ```text
//! cargo run -p switchyard --example hot_reload -- [PATH] [SECONDS]
//! ```
//!
//! With a PATH (a `.route` file or a folder of them), the example watches
//! it for SECONDS (default 30) while deciding one context every half
//! second: edit the file meanwhile and watch the reload events and the
//! decisions change. A broken edit is reported and the last good ruleset
//! keeps serving; undoing it is reported as a recovery.
//!
//! Without a PATH it runs a demo on a copy of `examples/openrouter.route`
//! in a temporary folder, editing the copy itself (a change, a broken save,
//! the fix), and stops after SECONDS (default 5).

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;
use switchyard::{LiveRuleset, ReloadEvent, ReloadOptions};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().filter(|a| a != "-");
    let seconds: u64 = match args.next() {
        Some(s) => s
            .parse()
            .map_err(|e| format!("SECONDS must be a whole number: {e}"))?,
        None if path.is_some() => 30,
        None => 5,
    };
    let run_for = Duration::from_secs(seconds);

    let (path, demo) = match path {
        Some(p) => (PathBuf::from(p), None),
        None => {
            let demo = Demo::new()?;
            (demo.path.clone(), Some(demo))
        }
    };

    // The callback runs on the reloader's thread: log and return.
    let options = ReloadOptions::new().on_reload(|event| match event {
        ReloadEvent::Loaded {
            generation,
            table,
            warnings,
        } => println!(
            "[reload] generation {generation}: {} rules, version {:?}, hash {}, {} warning(s)",
            table.len(),
            table.info().version,
            table.info().hash,
            warnings.len()
        ),
        ReloadEvent::Failed { failure } => {
            println!("[reload] failed, the previous ruleset keeps serving:");
            for line in failure.render().lines() {
                println!("[reload]   {line}");
            }
        }
        ReloadEvent::Recovered { generation } => {
            println!("[reload] the files are back to generation {generation}: error cleared")
        }
        other => println!("[reload] {other:?}"),
    });
    let live = LiveRuleset::watch(&path, options)?;
    println!(
        "watching {} for {}s (generation {})",
        live.path().display(),
        seconds,
        live.generation()
    );

    // The demo edits its copy on another thread while this one decides.
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    thread::scope(|scope| -> Result<(), Box<dyn Error>> {
        let editor = demo.as_ref().map(|d| scope.spawn(move || d.edit(&stop_rx)));
        decide_for(&live, run_for)?;
        drop(stop_tx);
        if let Some(editor) = editor {
            let edited = editor
                .join()
                .map_err(|_| "the demo editor thread panicked")?;
            edited.map_err(|e| e.to_string())?;
        }
        Ok(())
    })?;

    let status = live.status();
    println!(
        "done: generation {}, last error: {}",
        status.generation,
        status
            .last_error
            .as_ref()
            .map_or("none".to_string(), |e| e.to_string())
    );
    // Stop watching before the demo's folder goes away.
    drop(live);
    drop(demo);
    Ok(())
}

/// Decides one context every half second for `run_for`, printing the
/// decision whenever it changes.
fn decide_for(live: &LiveRuleset, run_for: Duration) -> Result<(), Box<dyn Error>> {
    let context = json!({ "tier": "pro", "task": "code" });
    let started = Instant::now();
    let mut last = String::new();
    while started.elapsed() < run_for {
        // One snapshot per decision: the context belongs to the table
        // that built it.
        let table = live.load();
        let ctx = table.context_from_json(&context)?;
        let now = match table.decide(&ctx)? {
            Some(d) => format!(
                "rule {} -> {} {:?} (generation {})",
                d.rule(),
                d.model(),
                d.fallbacks().collect::<Vec<_>>(),
                live.generation()
            ),
            None => "no rule matched".to_string(),
        };
        if now != last {
            println!("[decide] {now}");
            last = now;
        }
        thread::sleep(Duration::from_millis(500));
    }
    Ok(())
}

/// A copy of the example ruleset in a temporary folder, removed on drop.
struct Demo {
    dir: PathBuf,
    path: PathBuf,
    original: String,
}

impl Demo {
    fn new() -> Result<Demo, Box<dyn Error>> {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/openrouter.route");
        let original = std::fs::read_to_string(&source)
            .map_err(|e| format!("cannot read {}: {e}", source.display()))?;
        let dir =
            std::env::temp_dir().join(format!("switchyard-hot-reload-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("rules.route");
        std::fs::write(&path, &original)?;
        Ok(Demo {
            dir,
            path,
            original,
        })
    }

    /// Saves three edits a second apart, as an editor would (write a
    /// temporary file, rename it over the ruleset), unless told to stop.
    fn edit(&self, stop: &mpsc::Receiver<()>) -> Result<(), Box<dyn Error + Send + Sync>> {
        let changed = self.original.replace(
            "rule code: when task == \"code\" or looks_like_code\n  -> claude fallback [gpt-4o]",
            "rule code: when task == \"code\" or looks_like_code\n  -> gpt-4o fallback [claude]",
        );
        let broken = format!("{changed}\nrule oops: when tier == \"platinum\" -> mini\n");
        let steps = [
            ("swap the code rule's model and fallback", changed.as_str()),
            ("a broken save (an enum value that does not exist)", &broken),
            ("undo the broken save", &changed),
        ];
        for (what, text) in steps {
            match stop.recv_timeout(Duration::from_secs(1)) {
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                _ => return Ok(()),
            }
            println!("[edit] {what}");
            let tmp = self.dir.join(".rules.route.tmp");
            std::fs::write(&tmp, text)?;
            std::fs::rename(&tmp, &self.path)?;
        }
        Ok(())
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
