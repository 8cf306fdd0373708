"""``tthc build``'s last line, and the cache it uses, through the real entry point, in process.

The last line says the pages and megabytes written, and how many procedures were rendered and
how many reused from the cache (generator/site.py ``Stages.counts``). Run more than once in one
process (a library caller, the tests' CliRunner), each build uses the cache it was asked for:
MkDocs keeps one instance of a plugin that has ``on_startup`` for the life of the process
(``mkdocs.config.config_options.Plugins.plugin_cache``), so what one build sets on it must not
carry over to the next."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tthc_cli import tthc

REPO = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(r"^built ([\d,]+) pages into (\S+) \(([\d.]+) MB\)(.*)$")


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


def _summary(repo, site: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """The last line ``tthc build`` prints for the mini catalog of ``repo`` into ``site``."""
    result = tthc("build", "--catalog", str(repo.root / "catalog"), "--site-dir", str(site), "--no-search", *args,
                  cwd=REPO, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_summary_says_how_many_procedures_were_rendered_and_how_many_reused(mini, tmp_path):
    procedures = sorted((mini.root / "catalog" / "procedures").rglob("*.yaml"))
    total = len(procedures)
    site = tmp_path / "site"
    cold = SUMMARY.match(_summary(mini, site))
    assert cold is not None
    pages = sum(1 for _page in site.rglob("index.html"))
    assert (cold.group(1), cold.group(2)) == (f"{pages:,}", str(site))
    assert cold.group(4) == f"; all {total} procedures rendered"

    assert SUMMARY.match(_summary(mini, site)).group(4) == f"; 0 procedures rendered, {total} reused from the cache"

    path = mini.root / "catalog" / "procedures" / "ubnd-tinh-an-giang" / "2.000100.yaml"
    text = path.read_text(encoding="utf-8")
    assert "{value: 3, unit: working_days}" in text
    path.write_text(text.replace("{value: 3, unit: working_days}", "{value: 2, unit: working_days}"), encoding="utf-8")
    warm = SUMMARY.match(_summary(mini, site))
    assert warm.group(4) == f"; 1 procedure rendered, {total - 1} reused from the cache"
    assert "2 ngày làm việc" in (site / "thu-tuc" / "2.000100" / "index.html").read_text(encoding="utf-8")

    path.write_text(text, encoding="utf-8")
    vietnamese = _summary(mini, site, env={"LANGUAGE": "vi"})
    assert vietnamese.startswith(f"đã xây dựng {pages:,} trang vào {site} (")
    assert vietnamese.endswith(f" MB); 1 thủ tục được dựng lại, {total - 1} thủ tục lấy lại từ bộ nhớ đệm")

    assert SUMMARY.match(_summary(mini, site, "--no-cache")).group(4) == f"; all {total} procedures rendered"


def test_thousands_are_grouped_as_in_the_rest_of_the_line():
    from generator.cli import build_summary
    from generator.build import BuildResult

    result = BuildResult(site_dir=Path("site"), pages=4612, bytes=150_300_000, procedures_rendered=1, procedures_reused=1522)
    assert build_summary(result, Path("site")) == (
        "built 4,612 pages into site (150.3 MB); 1 procedure rendered, 1,522 reused from the cache")
    cold = BuildResult(site_dir=Path("site"), pages=4612, bytes=150_300_000, procedures_rendered=1523, procedures_reused=0)
    assert build_summary(cold, Path("site")).endswith("(150.3 MB); all 1,523 procedures rendered")
    material = BuildResult(site_dir=Path("site"), pages=12, bytes=1_000_000)  # TTHC_LAYOUT_ONCE=0: no count
    assert build_summary(material, Path("site")) == "built 12 pages into site (1.0 MB)"
