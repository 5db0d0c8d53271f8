"""Turns the measurements bench/run records into bench/results.json and the top part of
bench/RESULTS.md (stdlib only).

    python3 bench/report.py RECORDS.jsonl RESULTS.json > report.md

RECORDS.jsonl holds one JSON object per line, each with "backend" and "scenario" and
the numbers of one measurement (see bench/run); "meta" records describe the run.
"""
import json
import sys

BACKENDS = [("sqlite", "SQLite"), ("postgres", "PostgreSQL")]
# id, label, kind: "read" scenarios are also measured at half their peak rate and held
# to the throughput and latency targets.
SCENARIOS = [
    ("health", "`/health/live` (baseline)", "read"),
    ("goals", "list goals (200 goals, `limit=20`)", "read"),
    ("app_goals", "list goals, by a third-party app (access-logged)", "read"),
    ("shared_goals", "a supporter's view of shared goals (access-logged)", "read"),
    ("fhir_goals", "FHIR Goal search by a SMART app (`_count=20`, access-logged)", "read"),
    ("sync", "delta sync, 100 changes (`limit=100`)", "read"),
    ("agenda", "agenda (20 routines)", "read"),
    ("article_cold", "article GET, cold (200)", "read"),
    ("article_304", "article GET, `If-None-Match` (304)", "read"),
    ("check_in", "create goal check-in (POST, 201)", "write"),
    ("check_in_webhooks", "create goal check-in, two webhook messages each", "write"),
    ("check_in_webhooks_paced", "the same, paced (`WEBHOOK_CHECK_INS`/s)", "write"),
    ("journey", "mobile journey (requests/s)", "mixed"),
]
READ_RATIO_MIN = 0.40
HALF_P99_MAX_MS = 50.0
RSS_MAX_MIB = 100.0
EXPORT_GROWTH_MAX_MIB = 10.0
BURST_P99_MAX_RATIO = 3.0
WEBHOOK_RATE_MIN = 500.0
WEBHOOK_P99_MAX_MS = 2000.0
MILLION_MAX_RATIO = 1.5
SQLITE_CHECK_IN_P99_MAX_MS = 50.0
POSTGRES_CHECK_IN_P99_MAX_MS = 20.0


def load(path):
    meta, backends, million = {}, {}, None
    for line in open(path):
        if not line.strip():
            continue
        record = json.loads(line)
        backend, scenario = record.pop("backend"), record.pop("scenario")
        if scenario == "meta":
            meta.update(record)
        elif scenario == "million":
            million = record
        else:
            entry = backends.setdefault(backend, {"scenarios": {}})
            if scenario == "rss":
                entry["peak_rss_mib"] = record["peak_rss_mib"]
            elif scenario == "login_burst":
                entry["login_burst"] = record
            elif scenario == "export":
                entry["export"] = record
            elif scenario in ("webhooks", "webhooks_paced"):
                entry[scenario] = record
            else:
                entry["scenarios"][scenario] = record
    return meta, backends, million


def statuses(text):
    """"201=5 409=2" -> {"201": 5, "409": 2}"""
    out = {}
    for part in (text or "").split():
        status, _, count = part.partition("=")
        out[status] = int(count)
    return out


def derive(meta, backends, million):
    """Adds ratios and the target verdicts; returns the list of targets."""
    targets = []

    def target(name, backend, scenario, measured, unit, limit, passed, note=""):
        targets.append({"target": name, "backend": backend, "scenario": scenario, "measured": measured,
                        "unit": unit, "limit": limit, "pass": passed, "note": note})

    journey_size = 5 + 1 / meta.get("sign_in_every", 50)
    for backend, data in backends.items():
        scenarios = data["scenarios"]
        health = scenarios.get("health", {}).get("rate")
        for scenario, values in scenarios.items():
            values["ratio"] = round(values["rate"] / health, 3) if health else None
            if "statuses" in values:
                values["statuses"] = statuses(values["statuses"])
            if scenario == "journey":
                values["journeys_per_s"] = round(values["rate"] / journey_size, 1)
        for scenario, _, kind in SCENARIOS:
            values = scenarios.get(scenario)
            if not values or kind != "read":
                continue
            if backend == "postgres" and scenario != "health":
                target("read throughput >= 40 % of /health/live", backend, scenario,
                       values["ratio"], "ratio", f">= {READ_RATIO_MIN:.2f}", values["ratio"] >= READ_RATIO_MIN)
            if "half_p99" in values:
                reached = values["half_rate"] / values["half_target"] if values["half_target"] else 0
                note = "" if reached >= 0.9 else f"only {reached:.0%} of the half-peak rate was reached"
                target("p99 < 50 ms at half the peak rate", backend, scenario,
                       values["half_p99"], "ms", f"< {HALF_P99_MAX_MS:.0f} ms", values["half_p99"] < HALF_P99_MAX_MS, note)
        if "peak_rss_mib" in data:
            target("peak RSS < 100 MiB", backend, "all", data["peak_rss_mib"], "MiB", f"< {RSS_MAX_MIB:.0f} MiB",
                   data["peak_rss_mib"] < RSS_MAX_MIB)
        export = data.get("export")
        if export:
            growth = max(export["json_growth_mib"], export["zip_growth_mib"])
            target("RSS growth while exporting < 10 MiB", backend, "export", growth, "MiB",
                   f"< {EXPORT_GROWTH_MAX_MIB:.0f} MiB", growth < EXPORT_GROWTH_MAX_MIB)
        hooks = data.get("webhooks_paced")
        if hooks and backend == "postgres":
            target("webhook deliveries >= 500/s under the check-in load", backend, "webhooks",
                   hooks["under_load_rate"], "/s", f">= {WEBHOOK_RATE_MIN:.0f}/s",
                   hooks["under_load_rate"] >= WEBHOOK_RATE_MIN)
            target("commit to delivery p99 < 2 s under the check-in load", backend, "webhooks",
                   hooks["p99_ms"], "ms", f"< {WEBHOOK_P99_MAX_MS:.0f} ms", hooks["p99_ms"] < WEBHOOK_P99_MAX_MS)
        burst = data.get("login_burst")
        if burst:
            burst["p99_ratio"] = round(burst["load_p99"] / burst["alone_p99"], 2)
            burst["p50_ratio"] = round(burst["load_p50"] / burst["alone_p50"], 2)
            target("/health/live p99 during a login burst <= 3x idle", backend, "login_burst",
                   burst["p99_ratio"], "x", f"<= x{BURST_P99_MAX_RATIO:g}", burst["p99_ratio"] <= BURST_P99_MAX_RATIO)
    # Issue 16's write targets: goal check-ins at full load, both backends in one run.
    sqlite_check_in = backends.get("sqlite", {}).get("scenarios", {}).get("check_in")
    postgres_check_in = backends.get("postgres", {}).get("scenarios", {}).get("check_in")
    if sqlite_check_in:
        target("check-in p99 < 50 ms at full load", "sqlite", "check_in", sqlite_check_in["p99"], "ms",
               f"< {SQLITE_CHECK_IN_P99_MAX_MS:.0f} ms", sqlite_check_in["p99"] < SQLITE_CHECK_IN_P99_MAX_MS)
    if postgres_check_in:
        target("check-in p99 < 20 ms at full load", "postgres", "check_in", postgres_check_in["p99"], "ms",
               f"< {POSTGRES_CHECK_IN_P99_MAX_MS:.0f} ms",
               postgres_check_in["p99"] < POSTGRES_CHECK_IN_P99_MAX_MS)
    if sqlite_check_in and postgres_check_in:
        target("check-ins/s at least PostgreSQL's", "sqlite", "check_in", sqlite_check_in["rate"], "/s",
               f">= {postgres_check_in['rate']:.0f}/s", sqlite_check_in["rate"] >= postgres_check_in["rate"])
    if million:
        million["p50_ratio"] = round(million["large_p50"] / million["small_p50"], 2)
        million["p99_ratio"] = round(million["large_p99"] / million["small_p99"], 2)
        target("goal list p50 at 1M rows within 1.5x of 1k rows", "postgres", "goals_1m",
               million["p50_ratio"], "x", f"<= x{MILLION_MAX_RATIO:g}", million["p50_ratio"] <= MILLION_MAX_RATIO)
    else:
        target("goal list p50 at 1M rows within 1.5x of 1k rows", "postgres", "goals_1m",
               None, "x", f"<= x{MILLION_MAX_RATIO:g}", None, "BENCH_SKIP_MILLION=1")
    return targets


def verdict(passed):
    return "skipped" if passed is None else ("pass" if passed else "**miss**")


def number(value, digits=0):
    if value is None:
        return "-"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def markdown(results):
    meta, backends, million, targets = results["meta"], results["backends"], results["million"], results["targets"]
    lines = []
    add = lines.append
    dirty = " (with uncommitted changes in the working tree)" if meta.get("dirty") else ""
    add("# Benchmark results")
    add("")
    add(f"Written by `{meta['command']}` on {meta['date']} in {meta['elapsed_s']:.0f} s. "
        "Server, database and load generator share one machine; compare ratios within one run.")
    add("")
    add(f"- Machine: {meta['cores']} cores ({meta['cpu']}), {meta['memory_gib']:.1f} GiB memory "
        f"(MemTotal), {meta['kernel']}; PostgreSQL {meta['postgres']}.")
    add(f"- Commit: `{meta['commit']}`{dirty}; release build.")
    add(f"- {meta['wrk']}: {meta['threads']} threads, {meta['connections']} connections, "
        f"{meta['duration']} s per measurement; login burst {meta['burst_connections']} connections on one "
        f"thread; the journey signs in once per {meta['sign_in_every']} journeys.")
    add("")
    add("## Scenarios")
    add("")
    add("req/s, p50 and p99 at full load (wrk as fast as the connections allow); ratio: to "
        "`/health/live` on the same server in the same run; p99 at half peak: the same request "
        "paced at half that scenario's peak rate (achieved rate in brackets; see below).")
    add("")
    add("| backend | scenario | req/s | ratio | p50 ms | p99 ms | p99 ms at half peak (req/s) | errors | targets |")
    add("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    by_row = {}
    for t in targets:
        by_row.setdefault((t["backend"], t["scenario"]), []).append(t)
    for backend, backend_label in BACKENDS:
        scenarios = backends.get(backend, {}).get("scenarios", {})
        for scenario, label, _ in SCENARIOS:
            v = scenarios.get(scenario)
            if not v:
                continue
            half = "-"
            if "half_p99" in v:
                half = f"{v['half_p99']:.2f} ({number(v['half_rate'])})"
            errors = v["non2xx"] + v["socket_errors"]
            error_text = number(errors)
            bad = {s: n for s, n in v.get("statuses", {}).items() if not s.startswith("2")}
            if bad:
                error_text += " (" + ", ".join(f"{s}: {n}" for s, n in sorted(bad.items())) + ")"
            if v["socket_errors"]:
                error_text += f" ({v['socket_errors']} socket)"
            verdicts = []
            for t in by_row.get((backend, scenario), []):
                if t["target"].startswith("read throughput"):
                    short = "ratio"
                elif t["target"].startswith("check-ins/s"):
                    short = "rate vs PostgreSQL"
                elif "at full load" in t["target"]:
                    short = "p99"
                else:
                    short = "p99 at half"
                verdicts.append(f"{short}: {verdict(t['pass'])}")
            ratio = "-" if v.get("ratio") is None else f"{v['ratio']:.2f}"
            add(f"| {backend_label} | {label} | {number(v['rate'])} | {ratio} | {v['p50']:.2f} | {v['p99']:.2f} | "
                f"{half} | {error_text} | {'; '.join(verdicts) or '-'} |")
    add("")
    for backend, backend_label in BACKENDS:
        data = backends.get(backend, {})
        journey = data.get("scenarios", {}).get("journey")
        if journey:
            add(f"- {backend_label} journey: {number(journey['rate'])} requests/s = "
                f"{number(journey['journeys_per_s'], 1)} journeys/s.")
    add("- Peak RSS of the server (`VmHWM` at the end of the backend's run, login burst included): "
        + "; ".join(f"{label} {data_rss(backends, b)}" for b, label in BACKENDS) + ".")
    add("")
    add("## Export")
    add("")
    add("`GET /v1/me/export` and `?format=zip` read to the end by one client, for a person with 1,000 contacts "
        "and 10,000 goal check-ins (bench/export_memory.py), after the peak RSS above was taken; growth is the "
        "highest `VmRSS` (sampled every 10 ms) while it was read, less `VmRSS` just before.")
    add("")
    add("| backend | JSON bytes | JSON s | JSON growth MiB | ZIP bytes | ZIP s | ZIP growth MiB |")
    add("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for backend, label in BACKENDS:
        e = backends.get(backend, {}).get("export")
        if e:
            add(f"| {label} | {number(e['json_bytes'])} | {e['json_s']:.2f} | {e['json_growth_mib']:.1f} | "
                f"{number(e['zip_bytes'])} | {e['zip_s']:.2f} | {e['zip_growth_mib']:.1f} |")
    add("")
    add("## Webhooks")
    add("")
    add("While goal check-ins are created (the `check_in_webhooks` rows above), a confidential client the person "
        "let in is sent `goal.updated` and `goal.check_in.created` for each (bench/webhooks.py): a receiver on "
        "loopback in Python (HTTP/1.1, keep-alive, 204) checks each signature. First flat out (what the server "
        "delivers while writes take all it has: the backlog, and so the delay, grows for as long as writes "
        "outrun it), then paced at `WEBHOOK_CHECK_INS` check-ins a second (two messages each), where the targets "
        "are read. Under load: messages received while wrk ran, per second of it; the delay is from the event's "
        "`timestamp` (written with the change, just before its commit) to its arrival, over every message, the "
        "backlog after the load included.")
    add("")
    add("| backend | load | expected | delivered | under load /s | overall /s | backlog drained s | delay p50 ms | delay p99 ms | max ms | duplicates | bad signatures |")
    add("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for backend, label in BACKENDS:
        for key, load in (("webhooks", "flat out"), ("webhooks_paced", f"{meta.get('webhook_check_ins', '-')} check-ins/s")):
            w = backends.get(backend, {}).get(key)
            if w:
                add(f"| {label} | {load} | {number(w['expected'])} | {number(w['delivered'])} | "
                    f"{number(w['under_load_rate'])} | {number(w['overall_rate'])} | {w['drain_s']:.1f} | "
                    f"{number(w['p50_ms'])} | {number(w['p99_ms'])} | {number(w['max_ms'])} | "
                    f"{w['duplicates']} | {w['bad_signatures']} |")
    add("")
    add("## Login burst")
    add("")
    add(f"`/health/live` alone, then while password-grant sign-ins (Argon2id) run flat out; "
        f"{meta['burst_connections']} connections each, one wrk thread each.")
    add("")
    add("| backend | idle p50 ms | idle p99 ms | during p50 ms | during p99 ms | p99 ratio | sign-ins/s | sign-in p50 ms | errors |")
    add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for backend, label in BACKENDS:
        b = backends.get(backend, {}).get("login_burst")
        if b:
            add(f"| {label} | {b['alone_p50']:.2f} | {b['alone_p99']:.2f} | {b['load_p50']:.2f} | {b['load_p99']:.2f} | "
                f"x{b['p99_ratio']:.2f} | {b['sign_in_rate']:.1f} | {b['sign_in_p50']:.0f} | "
                f"{b['alone_errors'] + b['load_errors'] + b['sign_in_errors']} |")
    add("")
    add("## Goal list at 1,000,000 rows (PostgreSQL, list cache off)")
    add("")
    if million:
        add(f"The server restarted with every cache in memory off (`--goal-list-cache-mib 0 --personal-cache-mib 0 --article-cache-mib 0`: every request reads the database); "
            f"the bench person's list measured with {number(million['small_rows'])} goals in the table, then "
            f"again after seeding {number(million['large_rows'] - million['small_rows'])} more "
            f"(10,000 people x 100, {million['seed_s']} s).")
        add("")
        add("| goals in table | req/s | p50 ms | p99 ms |")
        add("| ---: | ---: | ---: | ---: |")
        add(f"| {number(million['small_rows'])} | {number(million['small_rate'])} | {million['small_p50']:.2f} | {million['small_p99']:.2f} |")
        add(f"| {number(million['large_rows'])} | {number(million['large_rate'])} | {million['large_p50']:.2f} | {million['large_p99']:.2f} |")
        add("")
        add(f"p50 at ~1M / p50 at ~1k: x{million['p50_ratio']:.2f} (p99: x{million['p99_ratio']:.2f}).")
    else:
        add("Skipped in this run (`BENCH_SKIP_MILLION=1`).")
    add("")
    add("## Targets")
    add("")
    add("| target | backend | scenario | measured | limit | result |")
    add("| --- | --- | --- | ---: | ---: | --- |")
    labels = dict((s, label) for s, label, _ in SCENARIOS)
    labels.update({"all": "all", "login_burst": "login burst", "goals_1m": "goal list, 1M vs 1k rows",
                   "export": "export, 1,000 contacts and 10,000 check-ins",
                   "webhooks": "webhooks while check-ins are created (paced)"})
    backend_labels = dict(BACKENDS)
    for t in targets:
        if t["measured"] is None:
            measured = "-"
        elif t["unit"] == "x":
            measured = f"x{t['measured']:.2f}"
        elif t["unit"] == "ratio":
            measured = f"{t['measured']:.2f}"
        else:
            measured = f"{t['measured']:.2f} {t['unit']}"
        result = verdict(t["pass"]) + (f" ({t['note']})" if t["note"] else "")
        add(f"| {t['target']} | {backend_labels[t['backend']]} | {labels[t['scenario']]} | {measured} | {t['limit']} | {result} |")
    passed = sum(1 for t in targets if t["pass"])
    missed = sum(1 for t in targets if t["pass"] is False)
    add("")
    add(f"{passed} passed, {missed} missed" + (", 1 skipped." if any(t["pass"] is None for t in targets) else "."))
    warnings = []
    for backend, label in BACKENDS:
        for scenario, values in backends.get(backend, {}).get("scenarios", {}).items():
            if values["non2xx"] or values["socket_errors"]:
                warnings.append(f"{label} {labels[scenario]}: {values['non2xx']} responses of 400 or more, "
                                f"{values['socket_errors']} socket errors")
            if values.get("half_non2xx"):
                warnings.append(f"{label} {labels[scenario]} at half peak: {values['half_non2xx']} responses of 400 or more")
    if warnings:
        add("")
        add("**Check these numbers**: " + "; ".join(warnings) + ".")
    add("")
    add("## How it is measured")
    add("")
    add("- One server per backend (SQLite file; PostgreSQL database created for the run), started as "
        "`bench/lib.sh` does (rate limits out of the way, 16 pooled connections). Seeded over the API "
        "(`bench/seed.py`): bench@example.org with 200 goals and 20 routines (as `bench/goals_list.sh` and "
        "`bench/agenda.sh`), 20 more accounts for sign-ins, and the starter content catalogue "
        "(`waymark content seed`). A third-party app (`bench/app_token.py`: a public client registered by "
        "an administrator the CLI created, let in by bench@example.org through the authorization code flow "
        "with PKCE) reads the same goal list with its own token: each of its requests is checked against the "
        "person's grant and recorded in their access log. A supporter (`bench/supporter.py`: "
        "bench@example.org shares all their active goals with a contact, bench-supporter@example.org "
        "accepts) reads the first page of the shared goals: each request reads the share, then the goals, "
        "and is recorded in bench@example.org's access log.")
    add("- Articles: `GET` (never `HEAD`) of one article without validators, and with the `ETag` that "
        "GET returned in `If-None-Match` (checked to be a 304 before measuring).")
    add("- Check-ins: `bench/check_in.lua` POSTs a new goal check-in (note, progress, feeling, setback) "
        "with the bearer token, cycling through the person's 200 goals (a check-in also updates its goal's "
        "`last_check_in_at`; one goal would measure that row's lock). Goal check-ins have no per-day limit "
        "and need no `Idempotency-Key`, so every POST must be a 201; anything of 400 or more counts as an "
        "error.")
    add(f"- Journey: `bench/journey.lua`; per journey `GET /v1/agenda`, two check-ins, `GET /v1/goals?limit=20` "
        f"and an article (cycling through four), plus a password-grant sign-in on the first and every "
        f"{meta['sign_in_every']}th journey (Argon2id would otherwise be all it measures; an app keeps its "
        "token for a session). wrk keeps one Lua state per thread, so a thread's connections share one "
        "journey sequence: the mix is exact, the order per connection is not. Reported as requests/s; "
        "journeys/s = requests/s / (5 + 1/N). The check-ins invalidate the cached goal list, so the list "
        "here mostly reads the database.")
    add("- p99 at half peak: wrk has no fixed-rate mode (wrk2 has), so `bench/paced.lua` uses wrk's "
        "`delay()` hook with a per-thread schedule of send slots (CLOCK_MONOTONIC through LuaJIT's FFI) at "
        "half the rate that scenario reached at full load, with the same connections. This is an open-ish "
        "load at a known rate, unlike fewer connections (whose rate is whatever they reach); latency is "
        "timed from when a request is written (no coordinated-omission correction), and late slots are "
        "dropped, so the achieved rate is shown next to the p99.")
    add("- Login burst: as `bench/sign_in_burst.sh` (`bench/sign_in.lua` over 20 accounts).")
    add("- Peak RSS: `VmHWM` from `/proc/<server>/status` before the server stops.")
    add("- The 1M-row comparison: as `bench/goals_list.sh` (rows inserted with SQL, then `ANALYZE`); "
        "`BENCH_SKIP_MILLION=1` skips it.")
    add("")
    return "\n".join(lines)


def data_rss(backends, backend):
    value = backends.get(backend, {}).get("peak_rss_mib")
    return "-" if value is None else f"{value:.1f} MiB"


def main():
    records, results_path = sys.argv[1], sys.argv[2]
    meta, backends, million = load(records)
    targets = derive(meta, backends, million)
    results = {"meta": meta, "backends": backends, "million": million, "targets": targets}
    with open(results_path, "w") as out:
        json.dump(results, out, indent=2, sort_keys=True)
        out.write("\n")
    sys.stdout.write(markdown(results))


if __name__ == "__main__":
    main()
