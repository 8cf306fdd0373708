"""Small git repositories for history, diff and change-check tests.

Each commit is made with fixed author/committer dates (``GIT_AUTHOR_DATE``,
``GIT_COMMITTER_DATE``) so results are deterministic.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import yaml


def record(code: str, name: str = "Cấp giấy phép thử nghiệm", **extra: Any) -> dict[str, Any]:
    """A minimal valid procedure record plus ``extra`` fields."""
    base: dict[str, Any] = {
        "code": code,
        "name": name,
        "kind": "external",
        "levels": ["ministry"],
        "sector": "thu-nghiem",
        "publication": {"decision": "100/QĐ-BTN", "date": "2026-01-05"},
        "status": "in_force",
    }
    base.update(extra)
    return base


class GitRepo:
    """A git repository in ``root`` with helpers to write records and commit."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Test")
        self.git("config", "user.email", "test@example.vn")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, env: dict[str, str] | None = None, input: bytes | None = None) -> str:
        full_env = dict(os.environ)
        full_env.update(env or {})
        done = subprocess.run(["git", "-C", str(self.root), *args], check=True, capture_output=True, env=full_env,
                              input=input)
        return done.stdout.decode("utf-8", "replace").strip()

    def path(self, agency: str, code: str) -> Path:
        return self.root / "catalog" / "procedures" / agency / f"{code}.yaml"

    def write(self, agency: str, data: dict[str, Any] | str, code: str | None = None) -> Path:
        code = code or (data["code"] if isinstance(data, dict) else None)
        target = self.path(agency, str(code))
        target.parent.mkdir(parents=True, exist_ok=True)
        text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        target.write_text(text, encoding="utf-8")
        return target

    def commit(self, message: str, date: str = "2026-06-10T09:00:00+07:00", author: str = "Test",
               committer_date: str | None = None, extra: tuple[str, ...] = ()) -> str:
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": committer_date or date, "GIT_AUTHOR_NAME": author}
        self.git("add", "-A", env=env)
        self.git(*extra, "commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.git("rev-parse", "HEAD")


def write_registers(repo: GitRepo, agencies: tuple[str, ...] = ("bo-a", "bo-b"),
                    sectors: tuple[str, ...] = ("thu-nghiem",)) -> None:
    """``catalog/agencies.yaml`` and ``sectors.yaml`` listing ``agencies`` and ``sectors``, so
    the repository's catalog is valid as ``tthc validate`` reads it (not committed)."""
    catalog = repo.root / "catalog"
    catalog.mkdir(parents=True, exist_ok=True)
    (catalog / "agencies.yaml").write_text("agencies:\n" + "".join(
        f"- id: {a}\n  name: Bộ Thử nghiệm {a[-1].upper()}\n  level: ministry\n" for a in agencies), encoding="utf-8")
    (catalog / "sectors.yaml").write_text("sectors:\n" + "".join(
        f"- id: {s}\n  name: Lĩnh vực {s}\n" for s in sectors), encoding="utf-8")


TWO_AGENCIES = ("agencies:\n- id: bo-a\n  name: Bộ Thử nghiệm A\n  level: ministry\n"
                "- id: bo-b\n  name: Bộ Thử nghiệm B\n  level: ministry\n")


def repo_with_a_move(root: Path) -> GitRepo:
    """A repository whose procedure 1.000001, committed under ``bo-a``, is moved
    to ``bo-b`` in the working tree (uncommitted), with both agencies named."""
    repo = GitRepo(root)
    (repo.root / "catalog").mkdir(parents=True)
    (repo.root / "catalog" / "agencies.yaml").write_text(TWO_AGENCIES, encoding="utf-8")
    repo.write("bo-a", record("1.000001"))
    repo.commit("Thêm", "2026-06-10T09:00:00+07:00")
    repo.path("bo-a", "1.000001").unlink()
    repo.write("bo-b", record("1.000001"))
    return repo
