#!/usr/bin/env bash
# Runs switchyard's cargo-fuzz targets on the stable toolchain.
#
#   fuzz/run.sh [TARGET...] [--seconds N] [--sanitizer none|address]
#
# TARGETs: parse, check, decide, context_json (default: all four, one after
# the other). Each runs for N seconds (default 30) and the script fails if
# any of them found a crash, a timeout (an input taking over 10 s) or an
# input using over 2 GiB; the input is saved under fuzz/artifacts/TARGET/.
# Replay one with `fuzz/run.sh TARGET --replay FILE`.
#
# - Without a sanitizer by default: the workspace denies `unsafe` code, so
#   AddressSanitizer only watches the dependencies, and it made `parse` and
#   `decide` 5.6 times slower (the same corpus reaches the same code either
#   way). `--sanitizer address` for an occasional run over them.
#
# - cargo-fuzz is installed if missing, pinned to $CARGO_FUZZ_VERSION, built
#   in the dev profile (about 4x faster to build than a release one; it only
#   drives cargo and the fuzz binary, so its own speed does not matter).
# - cargo-fuzz passes `-Z` flags (the sanitizer) to rustc, which only a
#   nightly rustc accepts: RUSTC_BOOTSTRAP=1 lets the stable one take them.
# - Seeds are taken at run time from the repository's rule-file corpus
#   (corpus/, see its README; `decide` takes corpus/good/), with the
#   example policy and each multi-file ruleset joined with 0xFF bytes
#   (gathered in fuzz/corpus/derived/, git-ignored), plus fuzz/seeds/
#   (tracked: what is not a rule file, the JSON contexts of `context_json`
#   and `decide`, and every input that once crashed a target). They are
#   read with the working corpus fuzz/corpus/TARGET/ (git-ignored), where
#   new inputs go.
# - The libFuzzer log of each run is kept in fuzz/artifacts/TARGET/log, and
#   its last coverage line is printed.
#
# Long runs should not disturb benchmarks: `nice -n 19 fuzz/run.sh ...`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

CARGO_FUZZ_VERSION=0.13.2
ALL_TARGETS=(parse check decide context_json)

seconds=30
sanitizer=none
replay=""
targets=()
while (($#)); do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --seconds=*) seconds="${1#*=}"; shift ;;
        --sanitizer) sanitizer="$2"; shift 2 ;;
        --sanitizer=*) sanitizer="${1#*=}"; shift ;;
        --replay) replay="$2"; shift 2 ;;
        -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
        -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
((${#targets[@]})) || targets=("${ALL_TARGETS[@]}")
for t in "${targets[@]}"; do
    [[ -f "fuzz_targets/$t.rs" ]] || { echo "run.sh: no fuzz target $t" >&2; exit 2; }
done

if [[ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
    echo "==> installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --debug --quiet
fi

export RUSTC_BOOTSTRAP=1

# libFuzzer options. Inputs up to 16 KiB; the hostile-input tests of the
# workspace cover megabytes. `-entropic=0`: the entropic schedule (on by
# default) spent 60% of the time of `parse` in its own bookkeeping (perf:
# InputCorpus::AddRareFeature and the feature-frequency updates of
# RunOne), as a parser keeps finding new hit-count features; without it,
# `parse` and `decide` run 2.2-2.4 times as many inputs per CPU second and
# reached more coverage in the same time.
libfuzzer_args=(-timeout=10 -rss_limit_mb=2048 -max_len=16384 -entropic=0 -print_final_stats=1)

if [[ -n "$replay" ]]; then
    exec cargo fuzz run --sanitizer "$sanitizer" "${targets[0]}" "$replay" -- "${libfuzzer_args[@]}"
fi

# The seeds taken from the repository's corpus, gathered afresh each run
# in fuzz/corpus/derived/ (git-ignored): `rules/` every rule file of
# corpus/ (not the pinned .diagnostics beside them), `good/` those of
# corpus/good/, and `made/` the example policy and each multi-file ruleset
# joined with 0xFF (where the `parse` and `check` targets split their input
# into files).
derived=corpus/derived
rm -rf "$derived"
mkdir -p "$derived/rules" "$derived/good" "$derived/made"
for file in ../corpus/*/*.route; do
    folder=$(basename "$(dirname "$file")")
    cp "$file" "$derived/rules/$folder-$(basename "$file")"
done
cp ../corpus/good/*.route "$derived/good/"
cp ../examples/openrouter.route "$derived/made/example-openrouter.route"
for dir in ../corpus/good/*/; do
    sep=""
    for file in "$dir"*.route; do
        printf '%b' "$sep"
        cat "$file"
        sep='\xff'
    done >"$derived/made/good-$(basename "$dir").route"
done

# The seed folders of a target.
seeds_of() {
    case "$1" in
        parse | check) echo "$derived/rules" "$derived/made" ;;
        decide) echo "$derived/good" "$derived/made" seeds/context_json seeds/decide ;;
        context_json) echo seeds/context_json ;;
    esac
}

failed=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    log="artifacts/$t/log"
    echo "==> fuzz $t for ${seconds}s (sanitizer: $sanitizer)"
    cargo fuzz build --sanitizer "$sanitizer" "$t" 2>&1 | grep -Ev '^\s*(Compiling|Downloaded|Downloading)' || true
    status=0
    cargo fuzz run --sanitizer "$sanitizer" "$t" "corpus/$t" $(seeds_of "$t") -- \
        "${libfuzzer_args[@]}" -max_total_time="$seconds" \
        >"$log" 2>&1 || status=$?
    grep -E '^#[0-9]+.*(INITED|DONE)' "$log" | tail -n 2 || true
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$log" || true
    if ((status != 0)); then
        echo "!!! $t failed (exit $status); the end of $log:"
        tail -n 40 "$log"
        failed+=("$t")
    fi
done

if ((${#failed[@]})); then
    echo "fuzzing found problems in: ${failed[*]} (inputs under fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz: ${targets[*]}: no crash in ${seconds}s each"
