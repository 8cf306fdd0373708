"""Post FILE as one note on the current GitLab merge request, updating the note it posted before.

Used by .gitlab-ci.yml. Needs the CI/CD variable TTHC_GITLAB_TOKEN (a project access token with
the api scope); without it, prints a notice and does nothing. The note is recognised by the
marker on its first line (<!-- tthc-diff -->). Standard library only.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request

MARKER = "<!-- tthc-diff -->"
LIMIT = 1_000_000  # GitLab: at most 1,000,000 characters per note


def api(method: str, url: str, token: str, data: dict | None = None):
    body = json.dumps(data).encode("utf-8") if data is not None else None
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={"PRIVATE-TOKEN": token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read().decode("utf-8") or "null")


def main() -> int:
    token = os.environ.get("TTHC_GITLAB_TOKEN")
    if not token:
        print("TTHC_GITLAB_TOKEN chưa được đặt: không đăng ghi chú (bảng so sánh ở artifact diff.md)")
        return 0
    text = open(sys.argv[1], encoding="utf-8").read()[:LIMIT]
    notes = (f"{os.environ['CI_API_V4_URL']}/projects/{os.environ['CI_PROJECT_ID']}"
             f"/merge_requests/{os.environ['CI_MERGE_REQUEST_IID']}/notes")
    mine = [n for n in api("GET", f"{notes}?per_page=100&sort=asc", token) if n["body"].startswith(MARKER)]
    if mine:
        api("PUT", f"{notes}/{mine[0]['id']}", token, {"body": text})
    else:
        api("POST", notes, token, {"body": text})
    return 0


if __name__ == "__main__":
    sys.exit(main())
