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

# Registers a person, signs in, creates 20 routines and some check-ins; prints the
# access token.
person_with_routines() { # $1 base URL
  python3 - "$1" <<'PY'
import datetime, json, sys, time, urllib.parse, urllib.request
base = sys.argv[1]
for _ in range(100):
    try:
        urllib.request.urlopen(f"{base}/health/ready", timeout=1); break
    except Exception:
        time.sleep(0.1)
def post(path, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return json.load(urllib.request.urlopen(urllib.request.Request(f"{base}{path}", json.dumps(body).encode(), headers)))
person = {"email": "bench@example.org", "password": "a long bench passphrase", "display_name": "Bench", "time_zone": "UTC"}
post("/v1/auth/register", person)
form = urllib.parse.urlencode({"grant_type": "password", "username": person["email"], "password": person["password"]}).encode()
token = json.load(urllib.request.urlopen(f"{base}/v1/auth/token", form))["access_token"]
today = datetime.datetime.now(datetime.timezone.utc).date()
start = (today - datetime.timedelta(days=30)).isoformat()
schedules = (
    [{"kind": "daily", "times": ["08:00", "13:00", "20:00"][: 1 + n % 3]} for n in range(12)]
    + [{"kind": "weekly", "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "times": ["09:30"]} for _ in range(3)]
    + [{"kind": "every_n_days", "interval": 2, "times": ["18:00"]} for _ in range(3)]
    + [{"kind": "times_per_week", "count": 3} for _ in range(2)]
)
for number, schedule in enumerate(schedules):
    schedule.update({"starts_on": start, "time_zone": "Europe/London"})
    routine = post("/v1/routines", {"title": f"Routine {number}", "category": "activity", "schedule": schedule}, token)
    if number % 4 == 0 and schedule["kind"] == "daily":
        local = datetime.datetime.now(datetime.timezone.utc).date()
        post(f"/v1/routines/{routine['id']}/check-ins", {"occurrence": {"date": (local - datetime.timedelta(days=1)).isoformat(), "time": schedule["times"][0]}, "status": "done"}, token)
print(token)
PY
}

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
  if [ "$backend" = sqlite ]; then
    URL="sqlite://$WORK/bench.db?mode=rwc"
  else
    psql "$PG_ADMIN" -qc "CREATE DATABASE $PG_DB" > /dev/null
    URL="$(python3 -c "import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path='/$PG_DB').geturl())" "$PG_ADMIN")"
  fi
  start "$URL"
  TOKEN="$(person_with_routines "$BASE")"
  read -r health_p50 health_rate health_errors < <(measure "$BASE/health/live")
  read -r agenda_p50 agenda_rate agenda_errors < <(measure "$BASE/v1/agenda" "$TOKEN")
  ratio="$(python3 -c "print(f'{$agenda_rate / $health_rate:.2f}')")"
  echo "| $backend | $health_rate | $agenda_rate | $ratio | $agenda_p50 | $((health_errors + agenda_errors)) |" >> "$REPORT"
  stop
done

publish_report "$REPORT" "$ROOT/bench/AGENDA-RESULTS.md"
