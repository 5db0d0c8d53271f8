"""Interoperability check with standard, independent OAuth 2.0 and JWT libraries.

Run by .ci/run against a live server:

    python tests/oauth_interop.py BASE_URL ISSUER CLIENT_ID CLIENT_SECRET PUBLIC_CLIENT_ID THIRD_PARTY_CLIENT_ID

- Authlib's OAuth2 client signs a person in (password grant), refreshes the token,
  and gets a client token (client credentials), the way a partner integration would.
- Authlib runs the authorization code flow with PKCE (S256) as a third-party public
  app would, with the form posts a browser makes on Waymark's sign-in and consent
  pages, then calls the API with the token and refreshes it; once the person takes
  the grant back, the app is locked out (its access token 401, its refresh token
  `invalid_grant`), and a replayed code is refused.
- PyJWT verifies every access token against the published JWKS (EdDSA), checking
  issuer, audience and expiry, with no Waymark code involved.
"""

import re
import sys
import uuid

import jwt
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session


def verify(base, issuer, token):
    keys = jwt.PyJWKClient(f"{base}/.well-known/jwks.json")
    key = keys.get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token,
        key.key,
        algorithms=["EdDSA"],
        audience="waymark",
        issuer=issuer,
        options={"require": ["exp", "iat", "nbf", "iss", "aud", "sub", "jti"]},
    )
    uuid.UUID(claims["jti"])
    return claims


def main():
    base, issuer, client_id, client_secret, public_client_id, third_party_client_id = sys.argv[1:7]
    metadata = requests.get(f"{base}/.well-known/oauth-authorization-server", timeout=10).json()
    assert metadata["issuer"] == issuer, metadata
    token_url = f"{base}/v1/auth/token"

    email = f"interop-{uuid.uuid4().hex}@example.org"
    password = "an interoperable passphrase"
    registered = requests.post(
        f"{base}/v1/auth/register",
        json={"email": email, "password": password, "display_name": "Interop"},
        timeout=10,
    )
    assert registered.status_code == 201, registered.text
    account_id = registered.json()["id"]

    # Waymark's own app: a first-party public client, the only kind the password
    # grant is for.
    person = OAuth2Session(public_client_id, scope="goals:read", token_endpoint_auth_method="none")
    token = person.fetch_token(token_url, username=email, password=password)
    claims = verify(base, issuer, token["access_token"])
    assert claims["sub"] == account_id and claims["scope"] == "goals:read", claims
    goals = person.get(f"{base}/v1/goals", timeout=10)
    assert goals.status_code == 200, goals.text

    refreshed = person.refresh_token(token_url)
    assert refreshed["refresh_token"] != token["refresh_token"]
    verify(base, issuer, refreshed["access_token"])
    replay = requests.post(
        token_url,
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        timeout=10,
    )
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant", replay.text

    partner = OAuth2Session(client_id, client_secret, scope="goals:read")
    client_token = partner.fetch_token(token_url, grant_type="client_credentials")
    client_claims = verify(base, issuer, client_token["access_token"])
    assert client_claims["sub"] == client_id == client_claims["client_id"], client_claims
    assert "refresh_token" not in client_token

    authorization_code_flow(base, issuer, third_party_client_id, email, password)
    print("interop: 2 passed, 0 failed")


def flow_of(page):
    found = re.search(r'name="flow" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def authorization_code_flow(base, issuer, client_id, email, password):
    """An app's authorization code flow with PKCE, the browser's part done by hand."""
    redirect_uri = "http://127.0.0.1/callback"
    app = OAuth2Session(
        client_id,
        redirect_uri=redirect_uri,
        scope="goals:read",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier = generate_token(64)
    url, state = app.create_authorization_url(f"{base}/v1/auth/authorize", code_verifier=verifier)

    # The browser: it keeps the page's cookie (sent by hand: requests holds back a
    # Secure cookie over http, where a browser treats 127.0.0.1 as secure).
    browser = requests.Session()
    sign_in = browser.get(url, allow_redirects=False, timeout=10)
    assert sign_in.status_code == 200, sign_in.text
    assert "text/html" in sign_in.headers["Content-Type"]
    cookie = sign_in.headers["Set-Cookie"].split(";")[0]
    consent = browser.post(
        f"{base}/v1/auth/authorize",
        data={"flow": flow_of(sign_in), "action": "sign_in", "email": email, "password": password},
        headers={"Cookie": cookie},
        allow_redirects=False,
        timeout=10,
    )
    assert consent.status_code == 200 and "See your goals" in consent.text, consent.text
    back = browser.post(
        f"{base}/v1/auth/authorize",
        data={"flow": flow_of(consent), "action": "allow"},
        headers={"Cookie": cookie},
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code == 303, back.text
    location = back.headers["Location"]
    assert location.startswith(redirect_uri + "?") and f"state={state}" in location, location
    assert "iss=" in location, location

    token = app.fetch_token(f"{base}/v1/auth/token", authorization_response=location, code_verifier=verifier)
    claims = verify(base, issuer, token["access_token"])
    assert claims["client_id"] == client_id and claims["scope"] == "goals:read", claims
    goals = app.get(f"{base}/v1/goals", timeout=10)
    assert goals.status_code == 200, goals.text
    refreshed = app.refresh_token(f"{base}/v1/auth/token")
    assert refreshed["refresh_token"] != token["refresh_token"]
    verify(base, issuer, refreshed["access_token"])

    # The person, signed in on Waymark's own pages, takes the grant back: the app is
    # locked out at once.
    own_token = requests.post(
        f"{base}/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
        timeout=10,
    ).json()["access_token"]
    taken_back = requests.delete(
        f"{base}/v1/me/grants/{client_id}", headers={"Authorization": f"Bearer {own_token}"}, timeout=10
    )
    assert taken_back.status_code == 204, taken_back.text
    locked_out = app.get(f"{base}/v1/goals", timeout=10)
    assert locked_out.status_code == 401, locked_out.text
    try:
        app.refresh_token(f"{base}/v1/auth/token")
        raise AssertionError("a refresh after the grant was taken back worked")
    except OAuthError as error:
        assert error.error == "invalid_grant", error

    replay = requests.post(
        f"{base}/v1/auth/token",
        data={
            "grant_type": "authorization_code",
            "code": re.search(r"code=([^&]+)", location).group(1),
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
            "client_id": client_id,
        },
        timeout=10,
    )
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant", replay.text


if __name__ == "__main__":
    main()
