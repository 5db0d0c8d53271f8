"""The authorization code flow in a real browser, with an accessibility check on every page.

Run by .ci/browser/run against a live server:

    python tests/browser_flow.py BASE_URL CLIENT_ID REDIRECT_PORT AXE_JS SCREENSHOT_DIR

Headless Chromium, driven by Selenium through chromedriver, goes where a person goes
when a third-party app (the public client CLIENT_ID, registered with the loopback
redirect URI http://127.0.0.1/callback) sends them to Waymark: the sign-in page (once
with a wrong password, so the error tied to its fields is checked too), the consent
page, Allow, and back to the app's redirect URI (any loopback port, RFC 8252) with a
code, which is then exchanged with its PKCE verifier. axe-core, injected into each
page (and the crisis page every page links to, and the error page an unknown app gets),
must find no violation of WCAG 2.0, 2.1 and 2.2 A and AA. The sign-in and consent
pages are saved as screenshots in SCREENSHOT_DIR.
"""

import base64
import hashlib
import http.server
import json
import secrets
import sys
import threading
import urllib.parse
import uuid

import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "a long walk by the canal"


class Callback(http.server.BaseHTTPRequestHandler):
    """The app's redirect URI: a page that says the app got its answer."""

    def do_GET(self):
        body = b"<!doctype html><html lang='en'><title>Back in the app</title><main><h1>Back in the app</h1></main></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=900,1000"]:
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def check_accessibility(driver, axe, page):
    driver.execute_script(axe)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, { runOnly: { type: 'tag', values: arguments[0] } })"
        ".then(result => done({ violations: result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.html) })), passes: result.passes.length }))"
        ".catch(error => done({ error: String(error) }));",
        WCAG,
    )
    if "error" in result:
        sys.exit(f"axe-core could not run on the {page}: {result['error']}")
    if result["violations"]:
        sys.exit(f"axe-core found violations on the {page}:\n{json.dumps(result['violations'], indent=2)}")
    print(f"{page}: no axe-core violations ({result['passes']} rules passed)")


def main():
    base, client_id, redirect_port, axe_path, screenshots = sys.argv[1:6]
    redirect_port = int(redirect_port)
    axe = open(axe_path, encoding="utf-8").read()
    email = f"browser-{uuid.uuid4().hex}@example.org"
    registered = requests.post(f"{base}/v1/auth/register", json={"email": email, "password": PASSWORD, "display_name": "Robin"}, timeout=10)
    assert registered.status_code == 201, registered.text

    callback = http.server.ThreadingHTTPServer(("127.0.0.1", redirect_port), Callback)
    threading.Thread(target=callback.serve_forever, daemon=True).start()
    redirect_uri = f"http://127.0.0.1:{redirect_port}/callback"
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(16)
    query = urllib.parse.urlencode({
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "goals:read routines:read",
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    })

    driver = browser()
    try:
        wait = WebDriverWait(driver, 10)
        driver.get(f"{base}/v1/auth/authorize?{query}")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        check_accessibility(driver, axe, "sign-in page")
        driver.save_screenshot(f"{screenshots}/sign-in.png")

        driver.find_element(By.ID, "email").send_keys(email)
        driver.find_element(By.ID, "password").send_keys("not the password")
        first_page = driver.find_element(By.TAG_NAME, "html")
        driver.find_element(By.CSS_SELECTOR, "button[value=sign_in]").click()
        # The answer is a new page with the same fields: wait until the first has gone.
        wait.until(expected_conditions.staleness_of(first_page))
        password = wait.until(expected_conditions.presence_of_element_located((By.ID, "password")))
        described = password.get_attribute("aria-describedby")
        assert described, "the error is tied to the fields"
        check_accessibility(driver, axe, "sign-in page with an error")

        driver.find_element(By.ID, "email").clear()
        driver.find_element(By.ID, "email").send_keys(email)
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "button[value=sign_in]").click()
        allow = wait.until(expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, "button[value=allow]")))
        page = driver.page_source
        assert "See your goals and how they are going" in page, page
        check_accessibility(driver, axe, "consent page")
        driver.save_screenshot(f"{screenshots}/consent.png")

        allow.click()
        wait.until(expected_conditions.url_contains(redirect_uri))
        answer = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(driver.current_url).query))
        assert answer.get("state") == state, answer
        assert answer.get("iss"), answer
        tokens = requests.post(f"{base}/v1/auth/token", data={
            "grant_type": "authorization_code",
            "code": answer["code"],
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
            "client_id": client_id,
        }, timeout=10)
        assert tokens.status_code == 200, tokens.text
        goals = requests.get(f"{base}/v1/goals", headers={"Authorization": f"Bearer {tokens.json()['access_token']}"}, timeout=10)
        assert goals.status_code == 200, goals.text
        print("the browser signed in, consented, came back to the app with a code, and the code became tokens")

        driver.get(f"{base}/v1/content/crisis.html")
        check_accessibility(driver, axe, "crisis page")
        driver.get(f"{base}/v1/invitations/accept#code=wmi_example")
        check_accessibility(driver, axe, "invitation page")
        driver.get(f"{base}/v1/auth/authorize?response_type=code&client_id={uuid.uuid4()}")
        check_accessibility(driver, axe, "error page for an unknown app")
    finally:
        driver.quit()
        callback.shutdown()


if __name__ == "__main__":
    main()
