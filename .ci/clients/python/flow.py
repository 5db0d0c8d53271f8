"""A third party's first hour with Waymark, through the client openapi-python-client
generates from openapi/v1.json: every generated module imports; then register, sign
in with the password grant (form-encoded, as OAuth clients send it), create goals,
list them two pages deep following `Link` and `next_cursor`, and read a 422 as a
problem document; and call an operation with only its documented defaults. Run as `python flow.py BASE_URL` with the generated package
installed."""

import importlib
import pkgutil
import sys
import uuid
from urllib.parse import parse_qs, urlsplit

import waymark_client
from waymark_client import AuthenticatedClient, Client
from waymark_client.api.auth import issue_token, register
from waymark_client.api.content import list_services
from waymark_client.api.goals import create_goal, list_goals
from waymark_client.models import (
    AreaName,
    NewGoalRequest,
    Problem,
    RegisterRequest,
    TokenParametersForm,
    TokenResponse,
)


def check(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"Python client: {what}")


def import_every_module() -> int:
    """Imports each module of the generated package, as a user's code might."""
    names = [
        module.name
        for module in pkgutil.walk_packages(waymark_client.__path__, "waymark_client.")
    ]
    for name in names:
        importlib.import_module(name)
    return len(names)


def cursor_of_link(link: str | None) -> str | None:
    """The `cursor` of a `Link: <...>; rel="next"` header, if it has one."""
    if not link or not link.startswith("<") or not link.endswith('>; rel="next"'):
        return None
    target = link[1 : link.index(">")]
    return parse_qs(urlsplit(target).query).get("cursor", [None])[0]


def main(base_url: str) -> None:
    modules = import_every_module()
    check(modules > 100, f"only {modules} modules were generated")

    public = Client(base_url=base_url, raise_on_unexpected_status=True)
    # Generated clients send every documented default; each must be one the server takes.
    services = list_services.sync_detailed(client=public)
    check(services.status_code == 200, f"list_services() answered {services.status_code}")

    email = f"py-{uuid.uuid4().hex}@example.org"
    password = "a long walk by the river"
    registered = register.sync_detailed(
        client=public,
        body=RegisterRequest(email=email, password=password, display_name="Sam from Python"),
    )
    check(registered.status_code == 201, f"register answered {registered.status_code}")

    signed_in = issue_token.sync_detailed(
        client=public,
        body=TokenParametersForm(grant_type="password", username=email, password=password),
    )
    check(
        signed_in.status_code == 200 and isinstance(signed_in.parsed, TokenResponse),
        f"sign-in answered {signed_in.status_code}: {signed_in.content!r}",
    )
    person = AuthenticatedClient(
        base_url=base_url, token=signed_in.parsed.access_token, raise_on_unexpected_status=True
    )

    titles = ["Walk to the park", "Call my sister", "Cook a proper dinner"]
    for title in titles:
        created = create_goal.sync_detailed(
            client=person,
            body=NewGoalRequest(title=title, area=AreaName.HEALTH),
            idempotency_key=str(uuid.uuid4()),
        )
        check(created.status_code == 201, f"create goal answered {created.status_code}")
        check(created.parsed.title == title and created.parsed.version == 1, "the goal is answered")
        check(
            created.headers["location"] == f"/v1/goals/{created.parsed.id}",
            "Location names the goal",
        )

    first = list_goals.sync_detailed(client=person, limit=2)
    check(first.status_code == 200 and len(first.parsed.items) == 2, "the first page has two goals")
    cursor = first.parsed.next_cursor
    check(isinstance(cursor, str), "the first page has a next_cursor")
    check(cursor_of_link(first.headers.get("link")) == cursor, "Link names the same next page")

    second = list_goals.sync_detailed(client=person, limit=2, cursor=cursor)
    check(len(second.parsed.items) == 1, "the second page has the last goal")
    check(
        second.parsed.next_cursor is None and "link" not in second.headers,
        "the last page links nowhere",
    )
    listed = {goal.title for goal in first.parsed.items + second.parsed.items}
    check(listed == set(titles), "the two pages hold every goal once")

    invalid = create_goal.sync_detailed(
        client=person, body=NewGoalRequest(title="", area=AreaName.HEALTH)
    )
    check(invalid.status_code == 422, f"an empty title answered {invalid.status_code}")
    check(
        invalid.headers["content-type"] == "application/problem+json",
        "a 422 is a problem document",
    )
    problem = invalid.parsed
    check(isinstance(problem, Problem) and problem.status == 422, "the problem carries its status")
    check(
        any(error.pointer == "/title" for error in problem.errors),
        "the problem points at /title",
    )
    print(
        f"Python client: {modules} modules import; {len(listed)} goals over two pages, "
        "and a 422 read as a problem document"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080")
