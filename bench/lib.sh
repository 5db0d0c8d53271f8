# Shared by the scenarios in bench/: builds the release binary, installs wrk when
# missing, starts and stops a server on a free port, and measures one URL with wrk.
# Source it after `set -euo pipefail`; set BENCH_NAME first.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/waymark-target}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
PG_ADMIN="${WAYMARK_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"

command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk > /dev/null; }
cargo build --release --locked -p waymark --manifest-path "$ROOT/Cargo.toml" > /dev/null
BIN="$CARGO_TARGET_DIR/release/waymark"
WORK="$(mktemp -d)"
SERVER=""
PG_DB="bench_${BENCH_NAME:-run}_$$"
cleanup() {
  [ -n "$SERVER" ] && { kill "$SERVER" 2> /dev/null || true; wait "$SERVER" 2> /dev/null || true; }
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" > /dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() { # $1 database URL, then any extra server arguments
  local url="$1"
  shift
  PORT="$(free_port)"
  "$BIN" serve --bind "127.0.0.1:$PORT" --database-url "$url" --data-dir "$WORK/data" \
    --rate-limit-per-minute 1000000000 --credentials-rate-limit-per-minute 1000000000 \
    --access-token-lifetime 1h --db-max-connections 16 --log warn --log-format json "$@" >> "$WORK/server.log" 2>&1 &
  SERVER=$!
  BASE="http://127.0.0.1:$PORT"
}

wait_ready() {
  for _ in $(seq 100); do
    curl -sf "$BASE/health/ready" > /dev/null && return
    sleep 0.1
  done
}

stop() { kill "$SERVER" 2> /dev/null || true; wait "$SERVER" 2> /dev/null || true; SERVER=""; }


# wrk's p50 (ms) and requests per second.
measure() { # $1 URL, $2 optional bearer token, $3 optional extra header ("Name: value")
  local out="$WORK/wrk.txt"
  local headers=()
  [ -n "${2:-}" ] && headers+=(-H "Authorization: Bearer $2")
  [ -n "${3:-}" ] && headers+=(-H "$3")
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "${headers[@]}" "$1" > "$out"
  python3 - "$out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
p50 = [ms(v, u) for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M) if p == "50"][0]
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{p50:.3f} {rate:.0f} {errors.group(1) if errors else 0}")
PY
}

# Prints the report and writes it to $2, keeping whatever $2 holds below the marker
# line (notes written by hand) across runs.
publish_report() { # $1 report, $2 results file
  python3 - "$1" "$2" <<'PY'
import os, sys
report, results = sys.argv[1], sys.argv[2]
marker = "<!-- Kept across runs: everything below is written by hand. -->"
kept = ""
if os.path.exists(results):
    text = open(results).read()
    if marker in text:
        kept = "\n" + text[text.index(marker):]
open(report, "a").write(kept)
PY
  cat "$1"
  cp "$1" "$2"
}
