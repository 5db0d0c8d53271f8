#!/usr/bin/env bash
# Goal check-ins on one fresh server, with where the CPU goes: a probe for the write
# path, quicker than bench/run and with the knobs bench/run does not have.
#
#   bash bench/check_in_probe.sh sqlite|postgres
#
# Seeds as bench/run does (bench@example.org, 200 goals, 20 routines), then runs
# bench/check_in.lua ROUNDS times (DURATION s each, CONNECTIONS connections) and prints
# each round's rate and p99, and the share of both cores the server, PostgreSQL, wrk and
# everything else used in the middle of the round (from /proc/<pid>/stat).
#
# Knobs: ROUNDS (2), APPS=1 (let in two apps first, as bench/run does: every check-in's
# webhook outbox query then finds grants), NO_NOTIFY=1 (PostgreSQL: drop the journal's
# NOTIFY trigger, to see what it costs), PERF=1 (perf record -a for 4 s of the first
# round, into $PERF_OUT, /tmp/check_in_probe.perf by default), PROBE_BIN (another binary to
# measure, such as an older build kept aside; build it in a target directory of its own,
# or cargo may take this checkout's sources for built).
set -euo pipefail

BENCH_NAME=probe
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN="${PROBE_BIN:-$BIN}"
backend="${1:?sqlite or postgres}"
ROUNDS="${ROUNDS:-2}"

# Prints the CPU share of each kind of process over $1 seconds.
cpu_shares() {
  python3 - "$1" <<'PY'
import os, sys, time

def kind(name):
    if name.startswith(("waymark", "actix", "tokio", "sqlx")):
        return "server"
    for prefix in ("postgres", "wrk"):
        if name.startswith(prefix):
            return prefix
    return "other"

def sample():
    used = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = open(f"/proc/{pid}/stat").read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        used[kind(name)] = used.get(kind(name), 0) + int(fields[11]) + int(fields[12])
    cpu = [int(value) for value in open("/proc/stat").readline().split()[1:]]
    used["idle"], used["total"] = cpu[3] + cpu[4], sum(cpu)
    return used

before = sample()
time.sleep(float(sys.argv[1]))
after = sample()
total = after["total"] - before["total"]
print(" ".join(f"{name} {100 * (after.get(name, 0) - before.get(name, 0)) / total:.0f}%"
               for name in ("server", "postgres", "wrk", "other", "idle")))
PY
}

URL="$(database_url "$backend")"
"$BIN" content seed --database-url "$URL" --log warn > /dev/null
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); from seed import PASSWORD; print(PASSWORD)' "$ROOT/bench" |
  "$BIN" admin create-user --database-url "$URL" --email bench-admin@example.org --role admin --log warn > /dev/null
start "$URL"
wait_ready
read -r TOKEN GOAL_IDS < <(python3 "$ROOT/bench/seed.py" "$BASE" --goals 200 --routines --accounts 2 --time-zone UTC)
if [ "${APPS:-0}" = 1 ]; then
  python3 "$ROOT/bench/app_token.py" "$BASE" bench-admin@example.org > /dev/null
  python3 "$ROOT/bench/app_token.py" "$BASE" bench-admin@example.org "launch/patient patient/Goal.rs" > /dev/null
fi
if [ "${NO_NOTIFY:-0}" = 1 ] && [ "$backend" = postgres ]; then
  psql "$URL" -qc "DROP TRIGGER change_journal_notify ON change_journal"
fi

for round in $(seq "$ROUNDS"); do
  shares="$WORK/shares.txt"
  (sleep $((DURATION / 4)); cpu_shares $((DURATION / 2)) > "$shares") &
  sampler=$!
  if [ "${PERF:-0}" = 1 ] && [ "$round" = 1 ]; then
    (sleep $((DURATION / 4)); perf record -a -F 999 -o "${PERF_OUT:-/tmp/check_in_probe.perf}" -- sleep 4 > /dev/null 2>&1) &
  fi
  TOKEN="$TOKEN" GOAL_IDS="$GOAL_IDS" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency \
    -s "$ROOT/bench/check_in.lua" "$BASE" > "$WORK/wrk.txt" 2>&1 || true
  wait "$sampler"
  read -r p50 p99 rate errors sockets < <(wrk_summary "$WORK/wrk.txt")
  echo "$backend round $round: $rate check-ins/s, p50 $p50 ms, p99 $p99 ms, errors $errors/$sockets; CPU: $(cat "$shares")"
done
