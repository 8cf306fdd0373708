"""Print the usernames that approved the current GitLab merge request, one per line; with
``--author``, the merge request's author (whose ownership ``tthc check-change --author`` checks).

Used by .gitlab-ci.yml to pass them to ``tthc check-change --approved-by``. Needs the CI/CD
variable TTHC_GITLAB_TOKEN (a project access token with the api scope, as gitlab_mr_comment.py);
without it, prints a notice on stderr and no username. Only names of GitLab's form (letters,
digits, ``_``, ``.``, ``-``) are printed. Standard library only.

``--author`` exits 1 with a message when the author cannot be read (no token, an API error, a
name not of GitLab's form): ownership is then not judged against someone else, e.g. the person
who retried the pipeline (``GITLAB_USER_LOGIN``).

Limitations (GitLab, not tthc): approving a merge request starts no pipeline, so run the pipeline
again after approving (Pipelines > Run pipeline, or Retry on the ``check`` job); and the approvals
API does not say which commit was approved, so set "Remove all approvals when commits are added to
the source branch" in Settings > Merge requests > Approval settings, or a push after an approval
keeps it.
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.request

USERNAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def _get(token: str, path: str) -> dict:
    url = (f"{os.environ['CI_API_V4_URL']}/projects/{os.environ['CI_PROJECT_ID']}"
           f"/merge_requests/{os.environ['CI_MERGE_REQUEST_IID']}{path}")
    request = urllib.request.Request(url, headers={"PRIVATE-TOKEN": token})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read().decode("utf-8") or "{}")


def main(argv: list[str]) -> int:
    token = os.environ.get("TTHC_GITLAB_TOKEN")
    if argv == ["--author"]:
        if not token:
            print("TTHC_GITLAB_TOKEN chưa được đặt: không đọc được người tạo merge request, nên không kiểm tra được "
                  "quyền sở hữu; hãy đặt biến này (project access token quyền api), hoặc tắt kiểm tra bằng "
                  "TTHC_ENFORCE_OWNERS = false", file=sys.stderr)
            return 1
        try:
            name = str((_get(token, "").get("author") or {}).get("username") or "")
        except (OSError, ValueError, KeyError) as err:
            print(f"không đọc được người tạo merge request từ API của GitLab: {err}", file=sys.stderr)
            return 1
        if not USERNAME.match(name):
            print(f"tên người tạo merge request không hợp lệ: {name!r}", file=sys.stderr)
            return 1
        print(name)
        return 0
    if not token:
        print("TTHC_GITLAB_TOKEN chưa được đặt: không đọc được người đã duyệt merge request", file=sys.stderr)
        return 0
    data = _get(token, "/approvals")
    for entry in data.get("approved_by") or []:
        name = str((entry.get("user") or {}).get("username") or "")
        if USERNAME.match(name):
            print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
