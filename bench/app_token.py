"""An access token a third-party app holds for bench@example.org, for the benchmarks
(stdlib only).

    python3 bench/app_token.py BASE ADMIN_EMAIL [SCOPES]

Signs the administrator in (bench/seed.py's password), registers a public app that may
ask for SCOPES (space-separated; `goals:read` when not given), and lets it in for
bench@example.org through the authorization code flow with PKCE, as a browser would
(the sign-in and consent pages' forms); prints the app's access token and, when the
token response names one (SMART's `launch/patient`), the patient. Every request made
with it goes in the person's access log.
"""
import base64
import hashlib
import http.client
import json
import re
import secrets
import sys
import urllib.parse

from seed import PASSWORD

REDIRECT = "org.bench.app:/callback"


def call(base, method, path, body=None, headers=None):
    """One request, no redirects followed: (status, headers, body text)."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.request(method, path, body, headers or {})
    response = connection.getresponse()
    headers = {name.lower(): value for name, value in response.getheaders()}
    answer = (response.status, headers, response.read().decode())
    connection.close()
    return answer


def tokens(base, form, auth=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    status, _, text = call(base, "POST", "/v1/auth/token", urllib.parse.urlencode(form), headers)
    assert status == 200, text
    return json.loads(text)


def token(base, form, auth=None):
    return tokens(base, form, auth)["access_token"]


def flow_of(text):
    return re.search(r'name="flow" value="([^"]+)"', text).group(1)


def main():
    base, admin_email = sys.argv[1:3]
    scopes = sys.argv[3].split() if len(sys.argv) > 3 else ["goals:read"]
    admin = token(base, {"grant_type": "password", "username": admin_email, "password": PASSWORD})
    client = {"name": "Bench app", "kind": "public", "redirect_uris": [REDIRECT], "scopes": scopes}
    status, _, text = call(base, "POST", "/v1/admin/clients", json.dumps(client),
                           {"Content-Type": "application/json", "Authorization": f"Bearer {admin}"})
    assert status == 201, text
    client_id = json.loads(text)["id"]
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT,
                                    "state": "bench", "code_challenge": challenge, "code_challenge_method": "S256",
                                    "aud": f"{base}/fhir/r4"})
    status, headers, text = call(base, "GET", f"/v1/auth/authorize?{query}")
    assert status == 200, text
    # The cookie is Secure; a browser sends it to 127.0.0.1 all the same.
    form_headers = {"Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": headers["set-cookie"].split(";")[0]}
    sign_in = {"flow": flow_of(text), "action": "sign_in", "email": "bench@example.org", "password": PASSWORD}
    status, _, text = call(base, "POST", "/v1/auth/authorize", urllib.parse.urlencode(sign_in), form_headers)
    assert status == 200, text
    allow = {"flow": flow_of(text), "action": "allow"}
    status, headers, text = call(base, "POST", "/v1/auth/authorize", urllib.parse.urlencode(allow), form_headers)
    assert status == 303, text
    answer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers["location"]).query))
    granted = tokens(base, {"grant_type": "authorization_code", "code": answer["code"], "redirect_uri": REDIRECT,
                            "code_verifier": verifier, "client_id": client_id})
    print(granted["access_token"], granted.get("patient", ""))


if __name__ == "__main__":
    main()
