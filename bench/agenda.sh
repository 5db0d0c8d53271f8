#!/usr/bin/env bash
# How fast is a person's daily agenda (what a home screen loads), next to the cheapest
# request?
#
#   bash bench/agenda.sh        # release build; SQLite and PostgreSQL
#
# For each backend: a person with 20 active routines (daily with one to three times,
# weekly, every few days, times per week) and a few check-ins today; wrk measures
# GET /health/live and then GET /v1/agenda (authenticated) in the same run, reported
# as a ratio. Results are printed and written to bench/AGENDA-RESULTS.md.
set -euo pipefail

BENCH_NAME=agenda
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REPORT="$WORK/report.md"
{
  echo "# Agenda benchmark"
  echo
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%Y-%m-%d); release build;"
  echo "wrk, 2 threads, $CONNECTIONS connections, ${DURATION} s per measurement, everything on one machine."
  echo "A person with 20 active routines; \`GET /v1/agenda\` (today, in the account's zone)."
  echo
  echo "| backend | /health/live req/s | agenda req/s | ratio | agenda p50 ms | non-2xx |"
  echo "| --- | --- | --- | --- | --- | --- |"
} > "$REPORT"

for backend in sqlite postgres; do
  URL="$(database_url "$backend")"
  start "$URL"
  read -r TOKEN _ < <(python3 "$ROOT/bench/seed.py" "$BASE" --routines --time-zone UTC)
  read -r health_p50 health_rate health_errors < <(measure "$BASE/health/live")
  read -r agenda_p50 agenda_rate agenda_errors < <(measure "$BASE/v1/agenda" "$TOKEN")
  ratio="$(python3 -c "print(f'{$agenda_rate / $health_rate:.2f}')")"
  echo "| $backend | $health_rate | $agenda_rate | $ratio | $agenda_p50 | $((health_errors + agenda_errors)) |" >> "$REPORT"
  stop
done

publish_report "$REPORT" "$ROOT/bench/AGENDA-RESULTS.md"
