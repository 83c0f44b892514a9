#!/usr/bin/env bash
# Load test of `baydex serve` on loopback: wrk, 64 connections, bounded time, against the results
# endpoint of the embedded GBA default (GET /api/projects/gba/periods/2023/results). Prints
# requests/s, p99 latency and errors. The peer in the same run: the very same JSON body served as
# a static file by Python's threading http.server, the simplest server of a precomputed file.
# Usage: bash bench/serve_load.sh [SECONDS]   (default 10 s per server)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/baydex-target}"
secs="${1:-10}"

if ! command -v wrk >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq wrk
fi
cargo build --release --locked -q -p baydex
bin="$CARGO_TARGET_DIR/release/baydex"
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

# Request logs are at debug level; BAYDEX_LOG=warn keeps the default (info) startup lines out.
BAYDEX_LOG=warn "$bin" serve --bind 127.0.0.1:0 --lang en >"$tmp/serve.out" 2>"$tmp/serve.err" &
pids+=($!)
for _ in $(seq 1 100); do grep -q http:// "$tmp/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(grep -oE 'http://[0-9.:]+' "$tmp/serve.out" | head -1)
path=/api/projects/gba/periods/2023/results
curl -sf "$base$path" -o "$tmp/results.json" 2>/dev/null \
  || python3 -c "import urllib.request,sys; open(sys.argv[2],'wb').write(urllib.request.urlopen(sys.argv[1]).read())" "$base$path" "$tmp/results.json"
bytes=$(wc -c <"$tmp/results.json")

# The peer: the same bytes as a static file.
mkdir -p "$tmp/static"
cp "$tmp/results.json" "$tmp/static/results.json"
port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1]); s.close()")
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$tmp/static" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',int(sys.argv[1])),0.2)" "$port" 2>/dev/null && break; sleep 0.1; done

run() { # name url
  local out
  out=$(wrk -t2 -c64 -d"${secs}s" --latency "$2")
  local rps p99 non2xx sock
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  sock=$(awk '/Socket errors:/ {gsub(",", ""); print $4+$6+$8+$10}' <<<"$out"); sock=${sock:-0}
  printf '%-34s %12s req/s   p99 %8s   errors %s (non-2xx %s, socket %s)\n' \
    "$1" "$rps" "$p99" "$((non2xx + sock))" "$non2xx" "$sock"
  echo "$rps" >"$tmp/$1.rps"
}

echo "wrk -t2 -c64 -d${secs}s --latency, loopback, body $bytes bytes, $(nproc) cores (server and wrk share them)"
run baydex-serve "$base$path"
run python-http.server-static "http://127.0.0.1:$port/results.json"
python3 -c "import sys; a=float(open(sys.argv[1]).read()); b=float(open(sys.argv[2]).read()); print(f'ratio baydex / python static file: {a/b:.1f}x')" \
  "$tmp/baydex-serve.rps" "$tmp/python-http.server-static.rps"
