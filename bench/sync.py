"""An app's access token and a sync position 100 changes behind, for the benchmarks
(stdlib only).

    python3 bench/sync.py BASE

bench-sync@example.org registers, syncs once (nothing yet: the answer's `next` is the
position), then adds 100 goals. Prints one line: the access token and that position,
so that `GET /v1/sync?since=POSITION&limit=100` answers exactly those 100 changes.
"""
import json
import sys
import urllib.request

from seed import post, register, sign_in


def main():
    base = sys.argv[1]
    register(base, "bench-sync@example.org")
    token = sign_in(base, "bench-sync@example.org")
    request = urllib.request.Request(f"{base}/v1/sync", headers={"Authorization": f"Bearer {token}"})
    position = json.load(urllib.request.urlopen(request))["next"]
    for number in range(100):
        post(base, "/v1/goals", {"title": f"Synced goal {number}", "area": "other"}, token)
    print(token, position)


if __name__ == "__main__":
    main()
