#!/usr/bin/env bash
# How fast is a person's goal list, next to the cheapest request, and does it stay
# fast when the table is large?
#
#   bash bench/goals_list.sh        # release build; SQLite and PostgreSQL
#
# For each backend: a person with 200 goals; wrk measures GET /health/live and then
# GET /v1/goals?limit=20 (authenticated) in the same run, reported as a ratio: once as
# configured by default (lists read recently are kept in memory) and once with the
# cache off, so every request reads the database. On PostgreSQL it then seeds
# 1,000,000 goals across 10,000 other people and measures the uncached list again,
# against the same person's list at ~1,000 rows in the table.
# Results are printed and written to bench/GOALS-RESULTS.md (bench/run writes
# bench/RESULTS.md, every scenario at once).
set -euo pipefail

BENCH_NAME=goals
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REPORT="$WORK/report.md"
{
  echo "# Benchmark results"
  echo
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%Y-%m-%d); release build;"
  echo "wrk, 2 threads, $CONNECTIONS connections, ${DURATION} s per measurement, everything on one machine."
  echo
  echo "## Goal list next to /health/live (a person with 200 goals, limit=20)"
  echo
  echo "Served as configured by default (recently read lists kept in memory), and again with"
  echo "every cache in memory off (\`--goal-list-cache-mib 0 --personal-cache-mib 0 --article-cache-mib 0\`: every request reads the database)."
  echo
  echo "| backend | /health/live req/s | list req/s | ratio | p50 ms | list req/s, no cache | ratio | p50 ms | non-2xx |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
} > "$REPORT"

for backend in sqlite postgres; do
  URL="$(database_url "$backend")"
  start "$URL"
  read -r TOKEN _ < <(python3 "$ROOT/bench/seed.py" "$BASE" --goals 200)
  read -r health_p50 health_rate health_errors < <(measure "$BASE/health/live")
  read -r list_p50 list_rate list_errors < <(measure "$BASE/v1/goals?limit=20" "$TOKEN")
  stop
  start "$URL" --goal-list-cache-mib 0 --personal-cache-mib 0 --article-cache-mib 0
  wait_ready
  read -r db_p50 db_rate db_errors < <(measure "$BASE/v1/goals?limit=20" "$TOKEN")
  ratio="$(python3 -c "print(f'{$list_rate / $health_rate:.2f}')")"
  db_ratio="$(python3 -c "print(f'{$db_rate / $health_rate:.2f}')")"
  echo "| $backend | $health_rate | $list_rate | $ratio | $list_p50 | $db_rate | $db_ratio | $db_p50 | $((list_errors + db_errors)) |" >> "$REPORT"

  if [ "$backend" = postgres ]; then
    # The ~1,000-row case: the bench person's 200 goals plus 8 others' 100 each.
    seed_small_goals "$URL"
    small_rows="$(psql "$URL" -tAc 'SELECT count(*) FROM goals')"
    read -r small_p50 _ _ < <(measure "$BASE/v1/goals?limit=20" "$TOKEN")
    seeded_start=$SECONDS
    seed_million_goals "$URL"
    rows="$(psql "$URL" -tAc 'SELECT count(*) FROM goals')"
    read -r large_p50 large_rate _ < <(measure "$BASE/v1/goals?limit=20" "$TOKEN")
    scale="$(python3 -c "print(f'{$large_p50 / $small_p50:.2f}')")"
    {
      echo
      echo "## Goal list at 1,000,000 rows (PostgreSQL, no cache: every request reads the database)"
      echo
      echo "Seeded 1,000,000 more goals (10,000 people x 100) in $((SECONDS - seeded_start)) s; $rows in total."
      echo
      echo "| table size | list p50 ms |"
      echo "| --- | --- |"
      echo "| $small_rows goals | $small_p50 |"
      echo "| $rows goals | $large_p50 |"
      echo
      echo "p50 at ~1M rows / p50 at ~1k rows: x$scale (target: within 1.5x). List throughput at ~1M rows: $large_rate req/s."
    } >> "$REPORT"
  fi
  stop
done

publish_report "$REPORT" "$ROOT/bench/GOALS-RESULTS.md"
