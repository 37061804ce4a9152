//! Writes a synthetic multi-tenant ruleset and a traffic file of contexts
//! (JSON lines) for `switchyard bench` and `switchyard diff`: the same
//! ruleset and requests the criterion benches decide (default seed), at any
//! size. `switchyard bench` on the default files measures what the `request`
//! bench's `request-10000/decide_alone` does. RULES `seed` is the routing
//! guide's 8 rules. The rules are written twice: as `.route` text, and as
//! the peers' JSON (`rules-N.json`, for the Python benchmark's baseline).
//!
//! ```sh
//! cargo run --release -p switchyard-benches --example traffic -- target/traffic
//! # writes target/traffic/rules-10000.route, rules-10000.json and contexts-100000.jsonl
//! cargo run --release -p switchyard-benches --example traffic -- DIR RULES CONTEXTS SEED
//! ```

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use switchyard_benches::{routing_guide, to_json, to_route, Workload, DEFAULT_SEED};

/// Folder, number of rules (`None`: the routing guide's), number of
/// contexts, seed.
struct Args {
    dir: PathBuf,
    rules: Option<usize>,
    contexts: usize,
    seed: u64,
}

fn usage() -> String {
    format!(
        "usage: traffic [DIR [RULES|seed [CONTEXTS [SEED]]]] \
         (defaults: target/traffic 10000 100000 {DEFAULT_SEED})"
    )
}

/// The arguments, or `None` for `-h`/`--help`.
fn parse_args() -> Result<Option<Args>, String> {
    let mut it = std::env::args().skip(1).peekable();
    match it.peek().map(String::as_str) {
        Some("-h" | "--help") => return Ok(None),
        Some(flag) if flag.starts_with('-') => return Err(format!("unknown option {flag:?}")),
        _ => {}
    }
    let dir = PathBuf::from(it.next().unwrap_or_else(|| "target/traffic".into()));
    let guide = it.next_if(|s| s == "seed").is_some();
    let mut number = |name: &str, default: u64| -> Result<u64, String> {
        match it.next() {
            None => Ok(default),
            Some(s) => s
                .replace('_', "")
                .parse()
                .map_err(|e| format!("{name}: {s:?}: {e}")),
        }
    };
    let rules = if guide { 0 } else { number("RULES", 10_000)? };
    let contexts = number("CONTEXTS", 100_000)?;
    let seed = number("SEED", DEFAULT_SEED)?;
    let size = |n: u64| usize::try_from(n).map_err(|e| e.to_string());
    if let Some(extra) = it.next() {
        return Err(format!("unexpected argument {extra:?}"));
    }
    Ok(Some(Args {
        dir,
        rules: if guide { None } else { Some(size(rules)?) },
        contexts: size(contexts)?,
        seed,
    }))
}

fn write(args: &Args) -> std::io::Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(&args.dir)?;
    let workload = Workload::new(args.seed);
    let (label, ruleset) = match args.rules {
        Some(n) => (n.to_string(), workload.ruleset(n)),
        None => ("seed".to_string(), routing_guide()),
    };
    let rules = args.dir.join(format!("rules-{label}.route"));
    std::fs::write(&rules, to_route(&ruleset))?;
    std::fs::write(
        args.dir.join(format!("rules-{label}.json")),
        serde_json::to_string_pretty(&to_json(&ruleset))?,
    )?;
    let contexts = args.dir.join(format!("contexts-{}.jsonl", args.contexts));
    let mut out = BufWriter::new(std::fs::File::create(&contexts)?);
    for request in workload.requests(args.contexts) {
        serde_json::to_writer(&mut out, &request)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok((rules, contexts))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{}", usage());
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n{}", usage());
            return ExitCode::from(2);
        }
    };
    match write(&args) {
        Ok((rules, contexts)) => {
            println!("{}", rules.display());
            println!("{}", contexts.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}: {e}", args.dir.display());
            ExitCode::FAILURE
        }
    }
}
