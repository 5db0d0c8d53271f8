# Shared by the scenarios in bench/: builds the release binary, installs wrk when
# missing, starts and stops a server on a free port, measures one URL with wrk, runs a
# login burst, and seeds large goal tables in PostgreSQL (bench/seed.py seeds over HTTP).
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
    --access-token-lifetime 1h --db-max-connections 16 --webhooks-allow-loopback --log warn --log-format json "$@" >> "$WORK/server.log" 2>&1 &
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


# The database URL for backend $1 (sqlite or postgres); for postgres it first creates
# the database $PG_DB (dropped again on exit).
database_url() { # $1 sqlite|postgres
  if [ "$1" = sqlite ]; then
    echo "sqlite://$WORK/bench.db?mode=rwc"
  else
    psql "$PG_ADMIN" -qc "CREATE DATABASE $PG_DB" > /dev/null
    python3 -c "import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path='/' + sys.argv[2]).geturl())" "$PG_ADMIN" "$PG_DB"
  fi
}

# Summarises a file of wrk --latency output: p50 ms, p99 ms, requests/s, responses
# with a status of 400 or more (wrk's "Non-2xx or 3xx"), and socket errors (connect,
# read, write, timeout).
wrk_summary() { # $1 wrk output
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
percentiles = {int(p): ms(v, u) for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)}
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
print(f"{percentiles[50]:.3f} {percentiles[99]:.3f} {rate:.1f} {errors.group(1) if errors else 0} {sum(map(int, sockets.groups())) if sockets else 0}")
PY
}

# Runs wrk with the shared settings and prints wrk_summary; the full output stays in
# $WORK/wrk.txt (and is appended to $WORK/wrk.log).
measure_full() { # $1 URL, $2 optional bearer token, $3 optional extra header ("Name: value"), then extra wrk arguments (-s script, ...)
  local url="$1" token="${2:-}" header="${3:-}"
  shift $(($# < 3 ? $# : 3))
  local out="$WORK/wrk.txt"
  local args=(-t"${THREADS:-2}" -c"$CONNECTIONS" -d"${DURATION}s" --latency)
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  [ -n "$header" ] && args+=(-H "$header")
  wrk "${args[@]}" "$@" "$url" > "$out"
  { echo "== wrk ${args[*]} $* $url"; cat "$out"; } >> "$WORK/wrk.log"
  wrk_summary "$out"
}

# wrk's p50 (ms), requests per second and non-2xx-or-3xx responses.
measure() { # $1 URL, $2 optional bearer token, $3 optional extra header ("Name: value")
  local p50 p99 rate errors sockets
  read -r p50 p99 rate errors sockets < <(measure_full "$@")
  echo "$p50 $(printf '%.0f' "$rate") $errors"
}

# /health/live alone, then again while password-grant sign-ins (bench/sign_in.lua over
# the accounts bench-0 ... bench-$((BENCH_ACCOUNTS - 1))) run flat out, one wrk thread
# and $BURST_CONNECTIONS connections each. Prints the three wrk_summary lines: alone,
# during the sign-ins, and the sign-ins.
login_burst() {
  local c="${BURST_CONNECTIONS:-8}"
  wrk -t1 -c"$c" -d"${DURATION}s" --latency "$BASE/health/live" > "$WORK/alone.txt"
  BENCH_ACCOUNTS="${BENCH_ACCOUNTS:-20}" wrk -t1 -c"$c" -d"$((DURATION + 4))s" --latency -s "$ROOT/bench/sign_in.lua" "$BASE" > "$WORK/sign_in.txt" &
  local sign_in=$!
  sleep 2
  wrk -t1 -c"$c" -d"${DURATION}s" --latency "$BASE/health/live" > "$WORK/under_load.txt"
  wait $sign_in
  wrk_summary "$WORK/alone.txt"
  wrk_summary "$WORK/under_load.txt"
  wrk_summary "$WORK/sign_in.txt"
}

# The ~1,000-row case next to the bench person's 200 goals: 8 other people with 100
# goals each, written straight into PostgreSQL.
seed_small_goals() { # $1 PostgreSQL URL
  psql "$1" -q > /dev/null <<'SQL'
INSERT INTO accounts (id, email, password_hash, display_name, time_zone, locale, role, created_at, updated_at, version)
SELECT gen_random_uuid(), 'small-' || g || '@example.org', 'not-a-hash', 'Seed', 'Europe/London', 'en-GB', 'user', now(), now(), 1
FROM generate_series(1, 8) AS g;
INSERT INTO goals (id, account_id, title, title_search, why, area, target_date, status, status_changed_at,
                   needs_support, support_notes, created_at, updated_at, version, steps_total, steps_done, last_check_in_at)
SELECT gen_random_uuid(), a.id, 'Seed goal ' || g, 'seed goal ' || g, '', 'other', NULL, 'active', now(),
       false, '', now() - make_interval(secs => g), now(), 1, 0, 0, NULL
FROM (SELECT id FROM accounts WHERE email LIKE 'small-%') AS a, generate_series(1, 100) AS g;
ANALYZE goals;
SQL
}

# 1,000,000 more goals: 10,000 people with 100 each (about 40 s on two cores).
seed_million_goals() { # $1 PostgreSQL URL
  psql "$1" -q > /dev/null <<'SQL'
INSERT INTO accounts (id, email, password_hash, display_name, time_zone, locale, role, created_at, updated_at, version)
SELECT gen_random_uuid(), 'seed-' || g || '@example.org', 'not-a-hash', 'Seed', 'Europe/London', 'en-GB', 'user', now(), now(), 1
FROM generate_series(1, 10000) AS g;
INSERT INTO goals (id, account_id, title, title_search, why, area, target_date, status, status_changed_at,
                   needs_support, support_notes, created_at, updated_at, version, steps_total, steps_done, last_check_in_at)
SELECT gen_random_uuid(), a.id, 'Seed goal ' || g, 'seed goal ' || g, '', 'other', NULL, 'active', now(),
       false, '', now() - make_interval(secs => g), now(), 1, 0, 0, NULL
FROM (SELECT id FROM accounts WHERE email LIKE 'seed-%') AS a, generate_series(1, 100) AS g;
ANALYZE goals;
SQL
}

# The server's peak resident set so far, in MiB (VmHWM).
peak_rss_mib() {
  awk '/^VmHWM:/ {printf "%.1f\n", $2 / 1024}' "/proc/$SERVER/status"
}

# The server's resident memory now, in MiB.
rss_mib() {
  awk '/^VmRSS:/ {printf "%.1f\n", $2 / 1024}' "/proc/$SERVER/status"
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
