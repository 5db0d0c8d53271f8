"""Interoperability check with standard, independent OAuth 2.0 and JWT libraries.

Run by .ci/run against a live server:

    python tests/oauth_interop.py BASE_URL ISSUER CLIENT_ID CLIENT_SECRET

- Authlib's OAuth2 client signs a person in (password grant), refreshes the token,
  and gets a client token (client credentials), the way a partner integration would.
- PyJWT verifies every access token against the published JWKS (EdDSA), checking
  issuer, audience and expiry, with no Waymark code involved.
"""

import sys
import uuid

import jwt
import requests
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
    base, issuer, client_id, client_secret = sys.argv[1:5]
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

    person = OAuth2Session(scope="profile goals:read")
    token = person.fetch_token(token_url, username=email, password=password)
    claims = verify(base, issuer, token["access_token"])
    assert claims["sub"] == account_id and claims["scope"] == "goals:read profile", claims
    me = person.get(f"{base}/v1/me", timeout=10)
    assert me.status_code == 200 and me.json()["email"] == email, me.text

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

    print("interop: 1 passed, 0 failed")


if __name__ == "__main__":
    main()
