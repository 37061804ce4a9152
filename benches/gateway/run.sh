#!/usr/bin/env bash
# Load benchmark of `switchyard serve`: wrk against an nginx stub that
# answers every POST at once with a chat completion, directly (the
# baseline), through a second nginx acting as a keep-alive reverse proxy
# (`proxy_pass`: the floor a proxy reaches on the machine) and through the
# gateway, at 1, 16 and 64 connections. Reports latency p50/p99 (and each
# server's addition to them), requests/s, failed requests, and each
# server's CPU time per request (utime + stime from /proc/PID/stat before
# and after each run, over the requests served).
#
#   bash benches/gateway/run.sh              # 10 s a run
#   DURATION=30 bash benches/gateway/run.sh
#   bash benches/gateway/run.sh --litellm    # LiteLLM's proxy too
#
# It installs what it needs: Debian's wrk and nginx (pinned; the latest
# candidate when the pin is gone from the archive) and builds the release
# binary. Generator, stub and gateway share the machine, as in the numbers
# the README quotes. Run as root (apt-get) or with wrk and nginx installed.
#
# The nginx proxy runs one worker per core (as the gateway runs a serving
# thread per core), keeps its upstream connections open and writes its
# default access log (the gateway writes its own).
#
# With --litellm, LiteLLM's proxy (pinned, from PyPI, in a virtual
# environment of its own under the cargo target folder) runs in front of
# the same stub with 2 workers, no database and no callbacks, and is
# measured the same way (its CPU time and memory: all its processes).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
duration=${DURATION:-10}
WRK_VERSION=4.1.0-3+b2
NGINX_VERSION=1.22.1-9+deb12u9
# The last 1.108 release whose `proxy` extra resolves on PyPI (later 1.108
# releases pin litellm-proxy-extras / litellm-enterprise builds that are
# not published).
LITELLM_VERSION=1.108.5

litellm=false
for arg in "$@"; do
    case $arg in
    --litellm) litellm=true ;;
    *)
        echo "usage: bash benches/gateway/run.sh [--litellm]" >&2
        exit 2
        ;;
    esac
done

step() {
    printf '\n==> %s\n' "$*" >&2
}

if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
    step "apt-get install wrk=$WRK_VERSION nginx=$NGINX_VERSION"
    # RUNLEVEL=1: the package's scripts do not start a system nginx.
    export DEBIAN_FRONTEND=noninteractive RUNLEVEL=1
    apt-get update -qq
    apt-get install -y -qq "wrk=$WRK_VERSION" "nginx=$NGINX_VERSION" \
        "nginx-common=$NGINX_VERSION" >/dev/null || {
        echo "note: the pinned versions are not in the archive any more; installing the candidates" >&2
        apt-get install -y -qq wrk nginx >/dev/null
    }
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

step "cargo build --release -p switchyard-cli"
cargo build --release -q -p switchyard-cli
target=${CARGO_TARGET_DIR:-target}
switchyard="$target/release/switchyard"

venv="$target/litellm-$LITELLM_VERSION"
if $litellm && [[ ! -x $venv/bin/litellm ]]; then
    step "pip install litellm[proxy]==$LITELLM_VERSION (into $venv)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "litellm[proxy]==$LITELLM_VERSION"
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

work=$(mktemp -d)
pids=()
litellm_pid=
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    # LiteLLM runs in a session of its own: its workers go with it.
    [[ -z $litellm_pid ]] || kill -- "-$litellm_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

step "nginx stub"
stub_port=$(free_port)
mkdir -p "$work/nginx/logs"
completion='{"id":"gen-bench","object":"chat.completion","created":1700000000,"model":"bench/model","provider":"Stub","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"hello"}}],"usage":{"prompt_tokens":12,"completion_tokens":1,"total_tokens":13,"cost":0.00001}}'
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
error_log $work/nginx/logs/error.log warn;
pid $work/nginx/nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_buffer_size 64k;
    server {
        listen 127.0.0.1:$stub_port;
        location / {
            default_type application/json;
            return 200 '$completion';
        }
    }
}
EOF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)

step "nginx proxy_pass in front of the stub"
proxy_port=$(free_port)
mkdir -p "$work/proxy/logs"
cat >"$work/proxy/nginx.conf" <<EOF
worker_processes auto;
daemon off;
error_log $work/proxy/logs/error.log warn;
pid $work/proxy/nginx.pid;
events { worker_connections 4096; }
http {
    access_log $work/proxy/logs/access.log;
    keepalive_requests 1000000;
    upstream stub {
        server 127.0.0.1:$stub_port;
        keepalive 64;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:$proxy_port;
        location / {
            proxy_pass http://stub;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF
"$nginx_bin" -p "$work/proxy" -c "$work/proxy/nginx.conf" &
proxy_pid=$!
pids+=($proxy_pid)

step "switchyard serve"
# The ruleset in a folder of its own: the access log must not be written
# where the ruleset is watched (its folder and that folder's parent).
mkdir -p "$work/rules/watched" "$work/log"
cat >"$work/rules/watched/rules.route" <<'EOF'
context { tier: "free" | "pro" = "free"  needs_tools: bool = false }
defaults max_tokens 256
rule pro: when tier == "pro" -> "bench/pro" fallback ["bench/model"]
rule tools: when needs_tools -> "bench/tools"
rule default: otherwise -> "bench/model"
EOF
OPENROUTER_API_KEY=sk-or-v1-bench-000000000000 "$switchyard" serve \
    --rules "$work/rules/watched/rules.route" --listen 127.0.0.1:0 \
    --upstream "http://127.0.0.1:$stub_port/api/v1" \
    >"$work/serve.out" 2>"$work/log/serve.log" &
gateway_pid=$!
pids+=($gateway_pid)
for _ in $(seq 100); do
    grep -q listening "$work/serve.out" 2>/dev/null && break
    sleep 0.05
done
gateway=$(sed -n 's|^listening on \(http://[^/]*\)/v1$|\1|p' "$work/serve.out")
[[ -n $gateway ]] || { cat "$work/log/serve.log" >&2; exit 1; }

if $litellm; then
    step "LiteLLM's proxy $LITELLM_VERSION (2 workers, no database, no callbacks)"
    litellm_port=$(free_port)
    # No master key, as the gateway runs without client keys; the model the
    # benchmark's body names goes to the stub.
    cat >"$work/litellm.yaml" <<EOF
model_list:
  - model_name: any
    litellm_params:
      model: openai/bench/model
      api_base: http://127.0.0.1:$stub_port/api/v1
      api_key: sk-bench-000000000000
general_settings:
  dangerously_permit_weak_or_unset_master_key: true
EOF
    LITELLM_LOG=ERROR setsid "$venv/bin/litellm" --config "$work/litellm.yaml" \
        --host 127.0.0.1 --port "$litellm_port" --num_workers 2 --telemetry False \
        >"$work/log/litellm.log" 2>&1 &
    litellm_pid=$!
    for _ in $(seq 240); do
        python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
            "http://127.0.0.1:$litellm_port/health/liveliness" 2>/dev/null && break
        sleep 0.5
    done
fi

cat >"$work/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"any","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Explain LSM trees in one sentence."}],"switchyard_context":{"tier":"free"}}'
EOF

# wrk's latency percentile ($2: 50% or 99%) in microseconds.
percentile() {
    awk -v p="$2" '$1 == p {
        v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        f = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1000000 : 0;
        printf "%.0f", v * f }' "$1"
}
requests() { awk '/requests in/ { print $1 }' "$1"; }
failed() {
    awk '/Non-2xx or 3xx responses/ { n += $NF }
         /Socket errors/ { for (i = 4; i <= NF; i += 2) { gsub(",", "", $i); n += $i } }
         END { print n + 0 }' "$1"
}
# The processes of a server: the gateway, nginx's master and workers, or
# LiteLLM's session.
processes() {
    case $1 in
    gateway) echo "$gateway_pid" ;;
    nginx) echo "$proxy_pid" && ps -o pid= --ppid "$proxy_pid" ;;
    litellm) ps -o pid= -s "$litellm_pid" ;;
    esac
}
# CPU ticks (user + system) of a server's processes.
ticks() {
    local t=0 pid
    for pid in $(processes "$1"); do
        t=$((t + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$t"
}
# Resident memory of a server's processes, in MB.
rss() {
    local kb=0 pid
    for pid in $(processes "$1"); do
        kb=$((kb + $(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)))
    done
    echo $((kb / 1024))
}
hz=$(getconf CLK_TCK)

direct="http://127.0.0.1:$stub_port/api/v1/chat/completions"
servers=(nginx gateway)
declare -A url=(
    [nginx]="http://127.0.0.1:$proxy_port/api/v1/chat/completions"
    [gateway]="$gateway/v1/chat/completions"
)
declare -A label=([nginx]="nginx proxy_pass" [gateway]=gateway [litellm]=litellm)
if $litellm; then
    servers+=(litellm)
    url[litellm]="http://127.0.0.1:$litellm_port/v1/chat/completions"
fi

run() { # url connections output
    local threads=$(($2 < 2 ? 1 : 2))
    wrk -t"$threads" -c"$2" -d"${duration}s" --latency -s "$work/post.lua" "$1" >"$3"
}

step "warm-up"
run "$direct" 16 /dev/null
for server in "${servers[@]}"; do
    run "${url[$server]}" 16 /dev/null
done
: >"$work/log/serve.log"

rows=()
for c in 1 16 64; do
    step "$c connection(s): direct, then through ${servers[*]} (${duration} s each)"
    run "$direct" "$c" "$work/direct-$c"
    d50=$(percentile "$work/direct-$c" 50%)
    d99=$(percentile "$work/direct-$c" 99%)
    rps_d=$(awk -v n="$(requests "$work/direct-$c")" -v d="$duration" 'BEGIN { printf "%.0f", n / d }')
    for server in "${servers[@]}"; do
        out="$work/$server-$c"
        before=$(ticks "$server")
        run "${url[$server]}" "$c" "$out"
        after=$(ticks "$server")
        n=$(requests "$out")
        g50=$(percentile "$out" 50%)
        g99=$(percentile "$out" 99%)
        cpu=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$n" 'BEGIN { printf "%.1f", t / hz / n * 1e6 }')
        rps=$(awk -v n="$n" -v d="$duration" 'BEGIN { printf "%.0f", n / d }')
        rows+=("| ${label[$server]} | $c | $d50 / $d99 | $g50 / $g99 | $((g50 - d50)) / $((g99 - d99)) | $rps_d | $rps | $cpu | $(rss "$server") | $(failed "$out") |")
    done
done

echo
echo "$(nproc) cores shared by wrk, the nginx stub and the server measured, ${duration} s a run, $(date -u +%F), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end:"
echo
echo "| server | connections | direct p50 / p99 (µs) | through p50 / p99 (µs) | added p50 / p99 (µs) | direct req/s | through req/s | CPU µs/request | RSS (MB) | failed |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
echo
echo "access log lines written: $(grep -c 'chat completion' "$work/log/serve.log" || true)"
