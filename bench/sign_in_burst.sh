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

BENCH_NAME=sign_in
CONNECTIONS="${CONNECTIONS:-8}"
export BENCH_ACCOUNTS="${BENCH_ACCOUNTS:-20}"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start "sqlite://$WORK/bench.db?mode=rwc"
python3 "$ROOT/bench/seed.py" "$BASE" --accounts "$BENCH_ACCOUNTS" > /dev/null

{
  read -r alone_p50 alone_p99 alone_rate alone_errors _
  read -r load_p50 load_p99 load_rate load_errors _
  read -r sign_in_p50 sign_in_p99 sign_in_rate sign_in_errors _
} < <(BURST_CONNECTIONS="$CONNECTIONS" login_burst)

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
