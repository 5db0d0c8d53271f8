"""FHIR and SMART on FHIR checked with libraries nobody here wrote.

Run by .ci/run against a live server:

    python tests/fhir_interop.py BASE_URL CLIENT_ID [DUMPED]

- `fhirclient` (the SMART Python client) performs a standalone launch as a public
  app: it reads the CapabilityStatement for the endpoints, sends the person to
  Waymark's sign-in and consent pages (posted here as a browser would), exchanges the
  code with PKCE, then reads the Patient, searches Goals across two pages and reads the
  CarePlan, every resource parsed by its own strict R4 models.
- Every resource the server answered is validated against FHIR with `fhir.resources`
  (its R4B models): the CapabilityStatement, the Patient, each Goal, the CarePlan,
  each RelatedPerson, every Bundle page and an OperationOutcome.
- The mapping is checked against `/v1`: each Goal's statuses, dates and version, and
  each activity's timing, equal what the person's own API says.
- DUMPED, if given, is the directory where the Rust API tests wrote every FHIR
  resource they were answered (`WAYMARK_TEST_FHIR_DUMP`): each is validated too.
"""

import json
import pathlib
import re
import sys
import uuid

import requests
from fhir.resources.R4B import get_fhir_model_class
from fhirclient import client
from fhirclient.models.careplan import CarePlan
from fhirclient.models.goal import Goal

REDIRECT = "http://127.0.0.1/callback"
PASSWORD = "an interoperable passphrase"
LIFECYCLE = {"active": "active", "paused": "on-hold", "achieved": "completed", "let_go": "cancelled"}
validated = []


def valid(resource):
    """Validates `resource` (a dict) as the FHIR type it names, bundle entries included."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    validated.append(resource["resourceType"])
    return resource


def flow_of(page):
    found = re.search(r'name="flow" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def person_with_a_record(base):
    """A new person with goals, routines and contacts; their own token and id."""
    email = f"fhir-{uuid.uuid4().hex}@example.org"
    registered = requests.post(
        f"{base}/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "Robin"},
        timeout=10,
    )
    assert registered.status_code == 201, registered.text
    signed_in = requests.post(
        f"{base}/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": PASSWORD},
        timeout=10,
    ).json()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {signed_in['access_token']}"

    def made(path, body):
        answer = session.post(f"{base}{path}", json=body, timeout=10)
        assert answer.status_code == 201, answer.text
        return answer.json()

    goals = []
    for index, status in enumerate(["active", "paused", "achieved", "let_go", "active"]):
        goal = made("/v1/goals", {"title": f"Goal {index}", "why": "It matters to me.", "area": "health", "target_date": f"2031-0{index + 1}-15"})
        if status != "active":
            goal = session.patch(f"{base}/v1/goals/{goal['id']}", json={"status": status}, timeout=10).json()
        goals.append(goal)
    routines = [
        made("/v1/routines", {"title": "Breakfast", "category": "eating", "schedule": {"kind": "daily", "times": ["08:00"]}}),
        made("/v1/routines", {"title": "Choir", "category": "social", "schedule": {"kind": "weekly", "weekdays": ["tue", "thu"], "times": ["19:30"], "time_zone": "Europe/London"}}),
        made("/v1/routines", {"title": "Water the plants", "category": "chores", "schedule": {"kind": "every_n_days", "interval": 3, "times": ["07:00", "18:00"]}}),
        made("/v1/routines", {"title": "Swim", "category": "exercise", "schedule": {"kind": "times_per_week", "count": 2}}),
    ]
    made("/v1/contacts", {"name": "Jo", "kind": "family", "shared_with_services": True, "channels": [{"type": "mobile", "value": "07911 123456"}, {"type": "email", "value": "jo@example.org"}]})
    made("/v1/contacts", {"name": "Kim", "kind": "support_group", "shared_with_services": True, "channels": [{"type": "website", "value": "https://example.org/group"}]})
    made("/v1/contacts", {"name": "Lee", "kind": "friend"})
    me = session.get(f"{base}/v1/me", timeout=10).json()
    return email, me["id"], session, goals, routines


def standalone_launch(base, client_id, email):
    """fhirclient's standalone launch; the browser's part done by hand."""
    settings = {
        "app_id": client_id,
        "api_base": f"{base}/fhir/r4",
        "redirect_uri": REDIRECT,
        "scope": "patient/Patient.rs patient/Goal.rs patient/CarePlan.rs patient/RelatedPerson.rs",
    }
    smart = client.FHIRClient(settings=settings)
    url = smart.authorize_url  # fhirclient reads /metadata for the endpoints here
    assert url and url.startswith(f"{base}/v1/auth/authorize?"), url
    assert "aud=" in url and "code_challenge_method=S256" in url and "launch%2Fpatient" in url, url

    browser = requests.Session()
    sign_in = browser.get(url, allow_redirects=False, timeout=10)
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
    for words in ["Know that the record it opens is yours", "See your recovery plan", "chose to share with services"]:
        assert words in consent.text, (words, consent.text)
    back = browser.post(
        f"{base}/v1/auth/authorize",
        data={"flow": flow_of(consent), "action": "allow"},
        headers={"Cookie": cookie},
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code == 303, back.text
    smart.handle_callback(back.headers["Location"])
    return smart


def validate_dumped(directory):
    """Validates every resource the Rust API tests were answered."""
    files = sorted(pathlib.Path(directory).glob("*.json"))
    assert len(files) >= 50, f"only {len(files)} resources were dumped by the API tests"
    for file in files:
        try:
            valid(json.loads(file.read_text()))
        except Exception as error:
            raise AssertionError(f"{file}: {error}") from error
    print(f"fhir.resources (R4B) validated all {len(files)} resources the API tests were answered")


def main():
    base, client_id = sys.argv[1:3]
    if len(sys.argv) > 3:
        validate_dumped(sys.argv[3])
    email, person_id, own, goals, routines = person_with_a_record(base)

    metadata = requests.get(f"{base}/fhir/r4/metadata", headers={"Accept": "application/fhir+json"}, timeout=10)
    assert metadata.headers["Content-Type"].startswith("application/fhir+json"), metadata.headers
    valid(metadata.json())

    smart = standalone_launch(base, client_id, email)
    assert smart.patient_id == person_id, (smart.patient_id, person_id)
    patient = smart.patient
    assert patient.name[0].text == "Robin", patient.as_json()

    pages = list(Goal.where(struct={"patient": person_id, "_count": "2"}).perform_iter(smart.server))
    assert [len(page.entry or []) for page in pages] == [2, 2, 1], [len(page.entry or []) for page in pages]
    searched = [entry.resource for page in pages for entry in page.entry]
    assert sorted(goal.id for goal in searched) == sorted(goal["id"] for goal in goals)
    plans = list(CarePlan.where(struct={"patient": person_id}).perform_resources_iter(smart.server))
    assert len(plans) == 1 and plans[0].intent == "plan" and plans[0].status == "active", plans
    assert len(plans[0].activity) == len(routines)
    print(f"fhirclient: standalone launch as {smart.patient_id}; Patient read; {len(searched)} goals over {len(pages)} pages; the CarePlan read")

    # Every resource as the server sends it, through fhir.resources (R4B models).
    app = requests.Session()
    app.headers["Authorization"] = f"Bearer {smart.server.auth.access_token}"
    app.headers["Accept"] = "application/fhir+json"

    def read(path):
        answer = app.get(f"{base}/fhir/r4/{path}", timeout=10)
        assert answer.status_code == 200, (path, answer.text)
        assert answer.headers["Content-Type"].startswith("application/fhir+json")
        return valid(answer.json())

    valid(read(f"Patient/{person_id}"))
    by_id = {goal["id"]: goal for goal in goals}
    url = f"Goal?patient={person_id}&_count=2"
    while url:
        page = read(url)
        for entry in page.get("entry", []):
            fhir_goal = valid(read(f"Goal/{entry['resource']['id']}"))
            goal = by_id[fhir_goal["id"]]
            assert fhir_goal["lifecycleStatus"] == LIFECYCLE[goal["status"]], (fhir_goal, goal)
            assert fhir_goal["target"][0]["dueDate"] == goal["target_date"]
            assert fhir_goal["meta"]["versionId"] == str(goal["version"])
            assert fhir_goal["meta"]["lastUpdated"] == goal["updated_at"]
        url = next((link["url"].split("/fhir/r4/", 1)[1] for link in page["link"] if link["relation"] == "next"), None)
    plan = read(f"CarePlan/{person_id}")
    by_title = {activity["detail"]["description"]: activity["detail"]["scheduledTiming"]["repeat"] for activity in plan["activity"]}
    for routine in routines:
        schedule, repeat = routine["schedule"], by_title[routine["title"]]
        expected = {
            "daily": (len(schedule.get("times") or []), 1, "d"),
            "weekly": (len(schedule.get("times") or []), 1, "d"),
            "every_n_days": (len(schedule.get("times") or []), schedule.get("interval"), "d"),
            "times_per_week": (schedule.get("count"), 1, "wk"),
        }[schedule["kind"]]
        assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == expected, (routine, repeat)
        assert repeat.get("dayOfWeek", []) == (schedule.get("weekdays") or []), (routine, repeat)
        assert repeat.get("timeOfDay", []) == [f"{time}:00" for time in schedule.get("times") or []], (routine, repeat)
        assert repeat["boundsPeriod"]["start"] == schedule["starts_on"]
    related = read(f"RelatedPerson?patient={person_id}")
    assert [entry["resource"]["name"][0]["text"] for entry in related["entry"]] == ["Jo", "Kim"], related
    for entry in related["entry"]:
        valid(read(f"RelatedPerson/{entry['resource']['id']}"))
    missing = app.get(f"{base}/fhir/r4/Goal/{uuid.uuid4()}", timeout=10)
    assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("application/fhir+json")
    valid(missing.json())
    print(f"fhir.resources (R4B) validated {len(validated)} resources: {', '.join(sorted(set(validated)))}")


if __name__ == "__main__":
    main()
