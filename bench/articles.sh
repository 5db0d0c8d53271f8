#!/usr/bin/env bash
# How fast are public article reads (what partners' apps and CDNs do most), next to
# the cheapest request?
#
#   bash bench/articles.sh      # release build; SQLite and PostgreSQL
#
# For each backend: the starter catalogue is loaded, then wrk measures GET
# /health/live, a cold GET of one article (no validators: the body is built and its
# ETag computed), and the same GET with If-None-Match (answered 304), in the same run,
# reported as ratios. Results are printed and written to bench/ARTICLES-RESULTS.md.
set -euo pipefail

BENCH_NAME=articles
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ARTICLE=/v1/content/articles/en-GB/what-recovery-means

REPORT="$WORK/report.md"
{
  echo "# Public article reads"
  echo
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%Y-%m-%d); release build;"
  echo "wrk, 2 threads, $CONNECTIONS connections, ${DURATION} s per measurement, everything on one machine."
  echo "The starter catalogue; \`GET $ARTICLE\` without validators (cold) and with \`If-None-Match\` (304)."
  echo
  echo "| backend | /health/live req/s | cold req/s | cold ratio | cold p50 ms | 304 req/s | 304 ratio | 304 p50 ms | errors |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
} > "$REPORT"

for backend in sqlite postgres; do
  if [ "$backend" = sqlite ]; then
    URL="sqlite://$WORK/bench.db?mode=rwc"
  else
    psql "$PG_ADMIN" -qc "CREATE DATABASE $PG_DB" > /dev/null
    URL="$(python3 -c "import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path='/$PG_DB').geturl())" "$PG_ADMIN")"
  fi
  "$BIN" content seed --database-url "$URL" --log warn > /dev/null
  start "$URL"
  wait_ready
  ETAG="$(curl -sf -D - -o /dev/null "$BASE$ARTICLE" | awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')"
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $ETAG" "$BASE$ARTICLE")" = 304 ] || { echo "no 304 for $ETAG" >&2; exit 1; }
  read -r health_p50 health_rate health_errors < <(measure "$BASE/health/live")
  read -r cold_p50 cold_rate cold_errors < <(measure "$BASE$ARTICLE")
  read -r warm_p50 warm_rate warm_errors < <(measure "$BASE$ARTICLE" "" "If-None-Match: $ETAG")
  cold_ratio="$(python3 -c "print(f'{$cold_rate / $health_rate:.2f}')")"
  warm_ratio="$(python3 -c "print(f'{$warm_rate / $health_rate:.2f}')")"
  echo "| $backend | $health_rate | $cold_rate | $cold_ratio | $cold_p50 | $warm_rate | $warm_ratio | $warm_p50 | $((health_errors + cold_errors + warm_errors)) |" >> "$REPORT"
  stop
done

publish_report "$REPORT" "$ROOT/bench/ARTICLES-RESULTS.md"
