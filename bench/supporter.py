"""A supporter's access token and the share they follow, for the benchmarks (stdlib
only).

    python3 bench/supporter.py BASE

bench@example.org (seeded by bench/seed.py) adds a contact and shares all their active
goals with it (steps and why included); bench-supporter@example.org registers and
accepts the invitation. Prints one line: the supporter's access token and the share's
id. Every read the supporter makes goes in bench@example.org's access log.
"""
import sys

from seed import post, register, sign_in


def main():
    base = sys.argv[1]
    person = sign_in(base, "bench@example.org")
    contact = post(base, "/v1/contacts", {"name": "Bench supporter", "kind": "friend"}, person)
    shared = post(
        base,
        "/v1/shares",
        {"contact_id": contact["id"], "all_active_goals": {"include_why": True, "include_steps": True}},
        person,
    )
    register(base, "bench-supporter@example.org")
    supporter = sign_in(base, "bench-supporter@example.org")
    post(base, "/v1/invitations/accept", {"code": shared["invitation"]["code"]}, supporter)
    print(supporter, shared["share"]["id"])


if __name__ == "__main__":
    main()
