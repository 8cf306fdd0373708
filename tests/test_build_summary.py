"""``tthc build`` run more than once in one process (a library caller, the tests' CliRunner): each
build uses the cache it was asked for. MkDocs keeps one instance of a plugin that has ``on_startup``
for the life of the process (``mkdocs.config.config_options.Plugins.plugin_cache``), so what one
build sets on it must not carry over to the next."""

from __future__ import annotations

import json
from pathlib import Path

from tthc_cli import tthc

REPO = Path(__file__).resolve().parents[1]


def _counts(repo, site: Path, report: Path, *args: str) -> dict[str, int]:
    """``tthc build`` of the mini catalog of ``repo`` into ``site``, in this process: the stage report's counts."""
    result = tthc("build", "--catalog", str(repo.root / "catalog"), "--site-dir", str(site), "--no-search", *args,
                  cwd=REPO, env={"TTHC_STAGE_REPORT": str(report)})
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(report.read_text(encoding="utf-8"))["counts"]


def test_a_build_without_the_cache_after_one_with_it_renders_every_procedure(mini, tmp_path):
    total = len(list((mini.root / "catalog" / "procedures").rglob("*.yaml")))
    report = tmp_path / "stages.json"
    first = _counts(mini, tmp_path / "site", report)
    assert (first["procedures_rendered"], first["procedures_reused"]) == (total, 0)
    again = _counts(mini, tmp_path / "site", report)
    assert (again["procedures_rendered"], again["procedures_reused"]) == (0, total)
    fresh = _counts(mini, tmp_path / "site", report, "--no-cache")
    assert (fresh["procedures_rendered"], fresh["procedures_reused"]) == (total, 0)
    other = _counts(mini, tmp_path / "other", report)  # another site: its own (empty) cache, not the last one's
    assert (other["procedures_rendered"], other["procedures_reused"]) == (total, 0)
