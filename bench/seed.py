"""Seeds a running Waymark server over its HTTP API for the benchmarks (stdlib only).

    python3 bench/seed.py BASE [--goals N] [--routines] [--accounts N] [--time-zone TZ]

Waits for /health/ready, registers bench@example.org and signs in; then creates N goals
(--goals), 20 active routines with some check-ins (--routines, as bench/agenda.sh has
always measured), and N more accounts bench-0@example.org ... (--accounts, for the
password-grant sign-ins of bench/sign_in.lua). Prints one line: the access token and the
goals' ids, separated by commas ("-" without goals).
"""
import argparse
import datetime
import json
import time
import urllib.parse
import urllib.request

PASSWORD = "a long bench passphrase"


def wait_ready(base):
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/health/ready", timeout=1)
            return
        except Exception:
            time.sleep(0.1)


def post(base, path, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{base}{path}", json.dumps(body).encode(), headers)
    return json.load(urllib.request.urlopen(request))


def register(base, email, time_zone=None):
    person = {"email": email, "password": PASSWORD, "display_name": email.split("@")[0]}
    if time_zone:
        person["time_zone"] = time_zone
    post(base, "/v1/auth/register", person)


def sign_in(base, email):
    form = urllib.parse.urlencode({"grant_type": "password", "username": email, "password": PASSWORD}).encode()
    return json.load(urllib.request.urlopen(f"{base}/v1/auth/token", form))["access_token"]


def add_goals(base, token, count):
    ids = []
    for number in range(count):
        ids.append(post(base, "/v1/goals", {"title": f"Bench goal {number}", "area": "other"}, token)["id"])
    return ids


def add_routines(base, token):
    """20 active routines (daily with one to three times, weekly, every few days, times
    per week) and a few check-ins yesterday."""
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
        routine = post(base, "/v1/routines", {"title": f"Routine {number}", "category": "activity", "schedule": schedule}, token)
        if number % 4 == 0 and schedule["kind"] == "daily":
            occurrence = {"date": (today - datetime.timedelta(days=1)).isoformat(), "time": schedule["times"][0]}
            post(base, f"/v1/routines/{routine['id']}/check-ins", {"occurrence": occurrence, "status": "done"}, token)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--goals", type=int, default=0)
    parser.add_argument("--routines", action="store_true")
    parser.add_argument("--accounts", type=int, default=0)
    parser.add_argument("--time-zone")
    args = parser.parse_args()
    wait_ready(args.base)
    register(args.base, "bench@example.org", args.time_zone)
    token = sign_in(args.base, "bench@example.org")
    goals = add_goals(args.base, token, args.goals)
    if args.routines:
        add_routines(args.base, token)
    for n in range(args.accounts):
        register(args.base, f"bench-{n}@example.org")
    print(token, ",".join(goals) or "-")


if __name__ == "__main__":
    main()
