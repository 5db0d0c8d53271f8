#!/usr/bin/env bash
# Do sign-in bursts stall other requests?
#
# Sign-in runs Argon2id (19 MiB, 2 passes) on the blocking thread pool, never on the
# HTTP workers. This measures /health/live latency alone, then again while sign-ins
# run flat out, on the same machine in the same run, and reports the ratios.
#
#   bash bench/sign_in_burst.sh            # release build, SQLite, 10 s per phase
#   DURATION=20 CONNECTIONS=16 bash bench/sign_in_burst.sh
#
# Needs wrk (apt-get install wrk); installs it when missing and run as root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/waymark-target}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-8}"
ACCOUNTS="${BENCH_ACCOUNTS:-20}"
export BENCH_ACCOUNTS="$ACCOUNTS"

command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk > /dev/null; }
cargo build --release --locked -p waymark --manifest-path "$ROOT/Cargo.toml" > /dev/null

WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
"$CARGO_TARGET_DIR/release/waymark" serve --bind "127.0.0.1:$PORT" \
  --database-url "sqlite://$WORK/bench.db?mode=rwc" --data-dir "$WORK/data" \
  --rate-limit-per-minute 100000000 --credentials-rate-limit-per-minute 100000000 \
  --log warn --log-format json > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2> /dev/null || true; wait $SERVER 2> /dev/null || true; rm -rf "$WORK"' EXIT

python3 - "$BASE" "$ACCOUNTS" <<'PY'
import json, sys, time, urllib.request
base, accounts = sys.argv[1], int(sys.argv[2])
for _ in range(100):
    try:
        urllib.request.urlopen(f"{base}/health/ready", timeout=1)
        break
    except Exception:
        time.sleep(0.1)
for n in range(accounts):
    body = json.dumps({"email": f"bench-{n}@example.org", "password": "a long bench passphrase", "display_name": f"Bench {n}"}).encode()
    urllib.request.urlopen(urllib.request.Request(f"{base}/v1/auth/register", body, {"Content-Type": "application/json"}))
PY

# wrk prints latency percentiles; pull p50 and p99 (in ms) and requests/s.
summarise() {
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
percentiles = {int(p): ms(v, u) for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)}
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{percentiles[50]:.3f} {percentiles[99]:.3f} {rate:.1f} {errors.group(1) if errors else 0}")
PY
}

wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$BASE/health/live" > "$WORK/alone.txt"
read -r alone_p50 alone_p99 alone_rate alone_errors < <(summarise "$WORK/alone.txt")

wrk -t1 -c"$CONNECTIONS" -d"$((DURATION + 4))s" --latency -s "$ROOT/bench/sign_in.lua" "$BASE" > "$WORK/sign_in.txt" &
SIGN_IN=$!
sleep 2
wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$BASE/health/live" > "$WORK/under_load.txt"
wait $SIGN_IN
read -r load_p50 load_p99 load_rate load_errors < <(summarise "$WORK/under_load.txt")
read -r sign_in_p50 sign_in_p99 sign_in_rate sign_in_errors < <(summarise "$WORK/sign_in.txt")

echo "machine: $(nproc) cores; $CONNECTIONS connections per load; ${DURATION}s per phase"
printf '%-34s %10s %10s %12s %8s\n' "phase" "p50 ms" "p99 ms" "req/s" "non-2xx"
printf '%-34s %10s %10s %12s %8s\n' "/health/live alone" "$alone_p50" "$alone_p99" "$alone_rate" "$alone_errors"
printf '%-34s %10s %10s %12s %8s\n' "/health/live during sign-ins" "$load_p50" "$load_p99" "$load_rate" "$load_errors"
printf '%-34s %10s %10s %12s %8s\n' "sign-ins (password grant)" "$sign_in_p50" "$sign_in_p99" "$sign_in_rate" "$sign_in_errors"
python3 - "$alone_p50" "$load_p50" "$alone_p99" "$load_p99" <<'PY'
import sys
a50, l50, a99, l99 = map(float, sys.argv[1:])
print(f"ratio during/alone: p50 x{l50 / a50:.1f}, p99 x{l99 / a99:.1f}")
PY
