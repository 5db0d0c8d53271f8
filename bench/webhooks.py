"""Webhook deliveries while check-ins are created, for bench/run (stdlib only).

    python3 bench/webhooks.py BASE ADMIN_EMAIL SIGNAL_DIR

Registers a confidential client that may read goals and manage webhooks, lets it in
for bench@example.org through the consent page's forms (as bench/app_token.py does),
starts a receiver on loopback (HTTP/1.1, keep-alive, answering 204), and subscribes it
to `goal.updated` and `goal.check_in.created`: each check-in is two messages. Then it
writes SIGNAL_DIR/ready and waits for bench/run to write SIGNAL_DIR/start (the load
begins) and SIGNAL_DIR/stop (it ended); after the stop it waits until nothing has
arrived for 3 seconds (at most 120 s) and prints one line:

    delivered load_s under_load_rate drain_s overall_rate p50_ms p99_ms max_ms duplicates bad_signatures

- under_load_rate: messages received between start and stop, per second of load;
- overall_rate: every message received, per second from the start to the last one;
- p50/p99/max: the delay from the event's `timestamp` (taken as the change is written,
  just before its commit) to its arrival here, over every message;
- duplicates: messages received more than once (the same webhook-id);
- bad_signatures: messages whose Standard Webhooks signature does not verify.

With BENCH_WEBHOOK_DUMP=FILE, each message's arrival and event time (seconds from the
start) and id are written there too.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import threading
import time
import urllib.parse
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app_token import call, flow_of, token
from seed import PASSWORD

REDIRECT = "org.bench.hooks:/callback"
lock = threading.Lock()
arrivals = []  # (arrival time, event timestamp, webhook-id, signature good)
secret_bytes = b""


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        arrived = time.time()
        message_id = self.headers["webhook-id"]
        signed = f"{message_id}.{self.headers['webhook-timestamp']}.".encode() + body
        expected = "v1," + base64.b64encode(hmac.new(secret_bytes, signed, hashlib.sha256).digest()).decode()
        good = expected in self.headers["webhook-signature"].split(" ")
        stamp = json.loads(body)["timestamp"]
        at = datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
        with lock:
            arrivals.append((arrived, at, message_id, good))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def let_in(base, client_id):
    """bench@example.org lets the client read their goals, on the consent page."""
    query = urllib.parse.urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT,
                                    "scope": "goals:read", "state": "bench",
                                    "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                                    "code_challenge_method": "S256"})
    status, headers, text = call(base, "GET", f"/v1/auth/authorize?{query}")
    assert status == 200, text
    form_headers = {"Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": headers["set-cookie"].split(";")[0]}
    sign_in = {"flow": flow_of(text), "action": "sign_in", "email": "bench@example.org", "password": PASSWORD}
    status, _, text = call(base, "POST", "/v1/auth/authorize", urllib.parse.urlencode(sign_in), form_headers)
    assert status == 200, text
    allow = {"flow": flow_of(text), "action": "allow"}
    status, _, text = call(base, "POST", "/v1/auth/authorize", urllib.parse.urlencode(allow), form_headers)
    assert status == 303, text


def wait_for(path, limit):
    deadline = time.time() + limit
    while not os.path.exists(path):
        if time.time() > deadline:
            sys.exit(f"bench/webhooks.py: {path} never came")
        time.sleep(0.01)
    return time.time()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def main():
    global secret_bytes
    base, admin_email, signals = sys.argv[1:4]
    admin = token(base, {"grant_type": "password", "username": admin_email, "password": PASSWORD})
    client = {"name": "Bench backend", "kind": "confidential", "redirect_uris": [REDIRECT],
              "scopes": ["goals:read", "webhooks"]}
    status, _, text = call(base, "POST", "/v1/admin/clients", json.dumps(client),
                           {"Content-Type": "application/json", "Authorization": f"Bearer {admin}"})
    assert status == 201, text
    registered = json.loads(text)
    let_in(base, registered["id"])
    client_token = token(base, {"grant_type": "client_credentials"},
                         auth=f"{registered['id']}:{registered['client_secret']}")

    # A backlog for the sender's 64 connections at once (the default, 5, refuses some).
    ThreadingHTTPServer.request_queue_size = 1024
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = {"url": f"http://127.0.0.1:{server.server_address[1]}/hooks",
            "event_types": ["goal.updated", "goal.check_in.created"]}
    status, _, text = call(base, "POST", "/v1/webhooks", json.dumps(hook),
                           {"Content-Type": "application/json", "Authorization": f"Bearer {client_token}"})
    assert status == 201, text
    subscription = json.loads(text)
    secret_bytes = base64.b64decode(subscription["secret"].removeprefix("whsec_"))

    open(os.path.join(signals, "ready"), "w").close()
    started = wait_for(os.path.join(signals, "start"), 600)
    stopped = wait_for(os.path.join(signals, "stop"), 600)
    quiet_since = time.time()
    seen = 0
    while time.time() - quiet_since < 3 and time.time() - stopped < 120:
        time.sleep(0.1)
        with lock:
            if len(arrivals) != seen:
                seen, quiet_since = len(arrivals), time.time()
    server.shutdown()
    # Deleting the subscription deletes what still waits: later scenarios send nothing.
    status, _, text = call(base, "DELETE", f"/v1/webhooks/{subscription['id']}",
                           headers={"Authorization": f"Bearer {client_token}"})
    assert status == 204, text

    with lock:
        received = list(arrivals)
    if os.environ.get("BENCH_WEBHOOK_DUMP"):
        with open(os.environ["BENCH_WEBHOOK_DUMP"], "w") as dump:
            for arrived, at, message_id, _ in received:
                dump.write(f"{arrived - started:.3f} {at - started:.3f} {message_id}\n")
    load_s = stopped - started
    under_load = sum(1 for arrived, *_ in received if started <= arrived <= stopped)
    last = max((arrived for arrived, *_ in received), default=stopped)
    delays = [(arrived - at) * 1000 for arrived, at, _, _ in received]
    ids = [message_id for _, _, message_id, _ in received]
    print(len(received), f"{load_s:.1f}", f"{under_load / load_s:.0f}", f"{max(0.0, last - stopped):.1f}",
          f"{len(received) / max(last - started, 0.001):.0f}", f"{percentile(delays, 0.5):.0f}",
          f"{percentile(delays, 0.99):.0f}", f"{max(delays, default=0):.0f}", len(ids) - len(set(ids)),
          sum(1 for *_, good in received if not good))


if __name__ == "__main__":
    main()
