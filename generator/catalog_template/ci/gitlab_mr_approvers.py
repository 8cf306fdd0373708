"""Print the usernames that approved the current GitLab merge request, one per line.

Used by .gitlab-ci.yml to pass them to ``tthc check-change --approved-by``. Needs the CI/CD
variable TTHC_GITLAB_TOKEN (a project access token with the api scope, as gitlab_mr_comment.py);
without it, prints a notice on stderr and no username. Only names of GitLab's form (letters,
digits, ``_``, ``.``, ``-``) are printed. Standard library only.

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


def main() -> int:
    token = os.environ.get("TTHC_GITLAB_TOKEN")
    if not token:
        print("TTHC_GITLAB_TOKEN chưa được đặt: không đọc được người đã duyệt merge request", file=sys.stderr)
        return 0
    url = (f"{os.environ['CI_API_V4_URL']}/projects/{os.environ['CI_PROJECT_ID']}"
           f"/merge_requests/{os.environ['CI_MERGE_REQUEST_IID']}/approvals")
    request = urllib.request.Request(url, headers={"PRIVATE-TOKEN": token})
    with urllib.request.urlopen(request, timeout=30) as response:
        data = json.loads(response.read().decode("utf-8") or "{}")
    for entry in data.get("approved_by") or []:
        name = str((entry.get("user") or {}).get("username") or "")
        if USERNAME.match(name):
            print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
