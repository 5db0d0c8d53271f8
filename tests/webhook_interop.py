"""Webhooks checked by the Standard Webhooks reference library, not by Waymark's code.

Run by .ci/run against a live server started with --webhooks-allow-loopback:

    python tests/webhook_interop.py BASE_URL CLIENT_ID CLIENT_SECRET

CLIENT_ID is a confidential client with the scopes `goals:read webhooks` and the
redirect URI http://127.0.0.1/callback. A person lets it read their goals on the
consent page (the form posts a browser makes); the client subscribes a receiver
running here; every message the receiver gets is verified by `standardwebhooks`
(PyPI): its signature, its id and its timestamp. A body changed on the way fails
verification; after a secret rotation, messages verify with the new secret and,
for a day, with the old one too.
"""

import json
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

PASSWORD = "a long walk by the canal"
REDIRECT = "http://127.0.0.1/callback"


class Receiver(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        headers = {name.lower(): value for name, value in self.headers.items()}
        Receiver.received.append((headers, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def wait_for(count):
    for _ in range(200):
        if len(Receiver.received) >= count:
            return Receiver.received[:count]
        time.sleep(0.05)
    raise AssertionError(f"expected {count} messages, got {len(Receiver.received)}")


def flow_of(page):
    found = re.search(r'name="flow" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def let_in(base, client_id, email):
    """The person allows the app to read their goals, as a browser would."""
    browser = requests.Session()
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": "goals:read",
        "state": "s",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    }
    sign_in = browser.get(f"{base}/v1/auth/authorize", params=query, allow_redirects=False, timeout=10)
    assert sign_in.status_code == 200, sign_in.text
    cookie = sign_in.headers["Set-Cookie"].split(";")[0]
    consent = browser.post(
        f"{base}/v1/auth/authorize",
        data={"flow": flow_of(sign_in), "action": "sign_in", "email": email, "password": PASSWORD},
        headers={"Cookie": cookie},
        allow_redirects=False,
        timeout=10,
    )
    assert consent.status_code == 200, consent.text
    back = browser.post(
        f"{base}/v1/auth/authorize",
        data={"flow": flow_of(consent), "action": "allow"},
        headers={"Cookie": cookie},
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code == 303, back.text


def main():
    base, client_id, client_secret = sys.argv[1:4]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver_url = f"http://127.0.0.1:{server.server_address[1]}/hooks"

    email = f"webhooks-{uuid.uuid4().hex}@example.org"
    registered = requests.post(
        f"{base}/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "Sam"},
        timeout=10,
    )
    assert registered.status_code == 201, registered.text
    person_id = registered.json()["id"]
    let_in(base, client_id, email)
    person = requests.post(
        f"{base}/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": PASSWORD},
        timeout=10,
    ).json()["access_token"]
    client = requests.post(
        f"{base}/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, client_secret),
        timeout=10,
    ).json()["access_token"]

    created = requests.post(
        f"{base}/v1/webhooks",
        json={"url": receiver_url, "event_types": ["goal.created"]},
        headers={"Authorization": f"Bearer {client}"},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    subscription = created.json()
    secret = subscription["secret"]

    def new_goal(title):
        made = requests.post(
            f"{base}/v1/goals",
            json={"title": title, "area": "health"},
            headers={"Authorization": f"Bearer {person}"},
            timeout=10,
        )
        assert made.status_code == 201, made.text
        return made.json()["id"]

    goal_id = new_goal("Walk by the canal")
    [(headers, body)] = wait_for(1)
    payload = Webhook(secret).verify(body, headers)
    assert payload["type"] == "goal.created", payload
    assert payload["data"]["resource_id"] == goal_id and payload["data"]["person_id"] == person_id, payload
    assert headers["webhook-id"].startswith("msg_"), headers
    try:
        Webhook(secret).verify(body.replace("goal.created", "goal.deleted"), headers)
        raise AssertionError("a changed body verified")
    except WebhookVerificationError:
        pass

    rotated = requests.post(
        f"{base}/v1/webhooks/{subscription['id']}/secret/rotate",
        headers={"Authorization": f"Bearer {client}"},
        timeout=10,
    )
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    new_goal("Sleep before midnight")
    headers, body = wait_for(2)[1]
    for either in (new_secret, secret):
        assert Webhook(either).verify(body, headers)["type"] == "goal.created"
    assert json.loads(body)["data"]["person_id"] == person_id
    server.shutdown()
    print("webhooks interop: 2 messages verified by standardwebhooks, a changed body refused, rotation verified with both secrets")


if __name__ == "__main__":
    main()
