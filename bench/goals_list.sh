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
# Results are printed and written to bench/RESULTS.md.
set -euo pipefail

BENCH_NAME=goals
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Registers a person, signs in, creates $2 goals; prints the access token.
person_with_goals() { # $1 base URL, $2 goals
  python3 - "$1" "$2" <<'PY'
import json, sys, time, urllib.parse, urllib.request
base, count = sys.argv[1], int(sys.argv[2])
for _ in range(100):
    try:
        urllib.request.urlopen(f"{base}/health/ready", timeout=1); break
    except Exception:
        time.sleep(0.1)
person = {"email": "bench@example.org", "password": "a long bench passphrase", "display_name": "Bench"}
urllib.request.urlopen(urllib.request.Request(f"{base}/v1/auth/register", json.dumps(person).encode(), {"Content-Type": "application/json"}))
form = urllib.parse.urlencode({"grant_type": "password", "username": person["email"], "password": person["password"]}).encode()
token = json.load(urllib.request.urlopen(f"{base}/v1/auth/token", form))["access_token"]
for number in range(count):
    goal = {"title": f"Bench goal {number}", "area": "other"}
    request = urllib.request.Request(f"{base}/v1/goals", json.dumps(goal).encode(), {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    urllib.request.urlopen(request)
print(token)
PY
}

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
  echo "\`--goal-list-cache-mib 0\` (every request reads the database)."
  echo
  echo "| backend | /health/live req/s | list req/s | ratio | p50 ms | list req/s, no cache | ratio | p50 ms | non-2xx |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
} > "$REPORT"

for backend in sqlite postgres; do
  if [ "$backend" = sqlite ]; then
    URL="sqlite://$WORK/bench.db?mode=rwc"
  else
    psql "$PG_ADMIN" -qc "CREATE DATABASE $PG_DB" > /dev/null
    URL="$(python3 -c "import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path='/$PG_DB').geturl())" "$PG_ADMIN")"
  fi
  start "$URL"
  TOKEN="$(person_with_goals "$BASE" 200)"
  read -r health_p50 health_rate health_errors < <(measure "$BASE/health/live")
  read -r list_p50 list_rate list_errors < <(measure "$BASE/v1/goals?limit=20" "$TOKEN")
  stop
  start "$URL" --goal-list-cache-mib 0
  wait_ready
  read -r db_p50 db_rate db_errors < <(measure "$BASE/v1/goals?limit=20" "$TOKEN")
  ratio="$(python3 -c "print(f'{$list_rate / $health_rate:.2f}')")"
  db_ratio="$(python3 -c "print(f'{$db_rate / $health_rate:.2f}')")"
  echo "| $backend | $health_rate | $list_rate | $ratio | $list_p50 | $db_rate | $db_ratio | $db_p50 | $((list_errors + db_errors)) |" >> "$REPORT"

  if [ "$backend" = postgres ]; then
    PG_URL="$(python3 -c "import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path='/$PG_DB').geturl())" "$PG_ADMIN")"
    # The ~1,000-row case: the bench person's 200 goals plus 8 others' 100 each.
    psql "$PG_URL" -q > /dev/null <<'SQL'
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
    small_rows="$(psql "$PG_URL" -tAc 'SELECT count(*) FROM goals')"
    read -r small_p50 _ _ < <(measure "$BASE/v1/goals?limit=20" "$TOKEN")
    seeded_start=$SECONDS
    psql "$PG_URL" -q > /dev/null <<'SQL'
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
    rows="$(psql "$PG_URL" -tAc 'SELECT count(*) FROM goals')"
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

publish_report "$REPORT" "$ROOT/bench/RESULTS.md"
