"""How much the server's memory grows while it writes a large export (stdlib only).

    python3 bench/export_memory.py BASE PID

bench-export@example.org registers and gets 1,000 contacts and 10,000 goal check-ins
(on 50 goals), written over 8 connections. Then `GET /v1/me/export` and
`GET /v1/me/export?format=zip` are each read to the end while the server's resident
memory (VmRSS of PID) is sampled every 10 ms. A small export runs first, so that what
any first export allocates once is not counted. Prints one line:

    contacts check_ins json_bytes json_s json_growth_mib zip_bytes zip_s zip_growth_mib rss_before_mib

where a growth is the highest VmRSS while that export was read, less VmRSS just before.
"""
import concurrent.futures
import http.client
import json
import sys
import threading
import time
import urllib.parse

from seed import register, sign_in

CONTACTS = 1_000
GOALS = 50
CHECK_INS = 10_000


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Client:
    """One keep-alive connection."""

    def __init__(self, base, token):
        url = urllib.parse.urlsplit(base)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, path, body):
        self.connection.request("POST", path, json.dumps(body), self.headers)
        response = self.connection.getresponse()
        answer = response.read()
        if response.status != 201:
            raise RuntimeError(f"POST {path}: {response.status} {answer[:200]!r}")
        return json.loads(answer)


def in_parallel(base, token, jobs):
    """Runs `jobs` (path, body) over 8 connections; answers the created ids."""
    local = threading.local()

    def run(job):
        if not hasattr(local, "client"):
            local.client = Client(base, token)
        return local.client.post(*job)["id"]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return list(pool.map(run, jobs))


def read_export(base, token, pid, query):
    """Reads the export to the end while sampling VmRSS: bytes, seconds, growth MiB."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    before = rss_kib(pid)
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    connection.request("GET", f"/v1/me/export{query}", headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    size = 0
    while chunk := response.read(65536):
        size += len(chunk)
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    if response.status != 200:
        raise RuntimeError(f"export{query}: {response.status}")
    return size, seconds, (peak[0] - before) / 1024, before / 1024


def main():
    base, pid = sys.argv[1], int(sys.argv[2])
    register(base, "bench-export-warm@example.org")
    warm = sign_in(base, "bench-export-warm@example.org")
    in_parallel(base, warm, [("/v1/contacts", {"name": f"Warm {n}", "kind": "friend"}) for n in range(10)])
    for query in ("", "?format=zip"):
        read_export(base, warm, pid, query)

    register(base, "bench-export@example.org")
    token = sign_in(base, "bench-export@example.org")
    in_parallel(base, token, [("/v1/contacts", {"name": f"Contact {n}", "kind": "friend",
                                                 "notes": "Met at the group; likes walking."}) for n in range(CONTACTS)])
    goals = in_parallel(base, token, [("/v1/goals", {"title": f"Export goal {n}", "area": "health",
                                                      "why": "To feel better"}) for n in range(GOALS)])
    in_parallel(base, token, [(f"/v1/goals/{goals[n % GOALS]}/check-ins",
                               {"note": f"Check-in {n}: a steady day, a short walk.", "progress": n % 101})
                              for n in range(CHECK_INS)])

    json_bytes, json_s, json_growth, before = read_export(base, token, pid, "")
    zip_bytes, zip_s, zip_growth, _ = read_export(base, token, pid, "?format=zip")
    print(CONTACTS, CHECK_INS, json_bytes, f"{json_s:.2f}", f"{json_growth:.1f}",
          zip_bytes, f"{zip_s:.2f}", f"{zip_growth:.1f}", f"{before:.1f}")


if __name__ == "__main__":
    main()
