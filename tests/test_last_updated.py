"""'Nội dung cập nhật lần cuối' on a procedure page: the last change of content, not a re-import.

Re-imports (commit subject "tái nhập ...") and declared corrections of the imported data
(trailer "Loại thay đổi: đính chính dữ liệu") and formatting-only commits do not date it;
the agency's own changes, substantive or editorial, do (generator/render/procedures.py).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from generator.catalog import read_catalog
from generator.history import read_history
from generator.render import render_pages
from generator.render.history import DATA_CORRECTION_TRAILER, revision_changes
from generator.render.procedures import last_updated
from gitrepo import GitRepo, record

ROOT = Path(__file__).resolve().parents[1]
AGENCY = "agencies:\n- id: bo-a\n  name: Bộ Thử nghiệm A\n  level: ministry\n"
SECTOR = "sectors:\n- id: thu-nghiem\n  name: Thử nghiệm\n"


def _card_date(repo: GitRepo, code: str) -> str | None:
    """The date the rendered page shows as 'Nội dung cập nhật lần cuối' (ISO), or None."""
    catalog, _ = read_catalog(repo.root / "catalog")
    html = {p.url: p for p in render_pages(catalog, read_history(repo.root))}[f"thu-tuc/{code}/"].html
    match = re.search(r'<dt data-pagefind-ignore>Nội dung cập nhật lần cuối</dt><dd><time datetime="([0-9-]+)">', html)
    return match.group(1) if match else None


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    (repo.root / "catalog").mkdir(parents=True)
    (repo.root / "catalog" / "agencies.yaml").write_text(AGENCY, encoding="utf-8")
    (repo.root / "catalog" / "sectors.yaml").write_text(SECTOR, encoding="utf-8")
    repo.write("bo-a", record("1.000001"))
    repo.commit("Thêm 1.000001", "2026-06-10T09:00:00+07:00")
    return repo


def test_a_reimport_a_data_correction_and_formatting_do_not_date_the_content(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000001", "Cấp giấy phép thử nghiệm (sửa chính tả)"))
    repo.commit("Sửa tên thủ tục theo văn bản của Bộ", "2026-07-01T09:00:00+07:00")      # editorial, by the agency
    repo.write("bo-a", record("1.000001", "Cấp giấy phép thử nghiệm (sửa chính tả)",
                              subjects=["Công dân Việt Nam"]))
    repo.commit("tái nhập 1 thủ tục từ dữ liệu Cổng DVC quốc gia", "2026-08-01T09:00:00+07:00")
    repo.write("bo-a", record("1.000001", "Cấp giấy phép thử nghiệm (sửa chính tả)",
                              subjects=["Công dân Việt Nam", "Người nước ngoài"]))
    repo.commit(f"Bổ sung đối tượng bị bỏ sót khi nhập\n\n{DATA_CORRECTION_TRAILER}", "2026-09-01T09:00:00+07:00")
    path = repo.path("bo-a", "1.000001")
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    repo.commit("Định dạng lại tệp", "2026-10-01T09:00:00+07:00")

    history = read_history(repo.root)
    assert history.last_changed("1.000001").date() == date(2026, 10, 1)   # the last commit that touched the file
    assert last_updated(history, "1.000001") == "2026-07-01"               # the last change of content
    assert _card_date(repo, "1.000001") == "2026-07-01"


def test_a_substantive_change_by_the_agency_dates_the_content(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000001", subjects=["Công dân Việt Nam"]))
    repo.commit("Bổ sung đối tượng thực hiện", "2026-11-02T09:00:00+07:00")
    assert _card_date(repo, "1.000001") == "2026-11-02"


def test_a_procedure_first_committed_by_a_reimport_is_dated_by_that_commit(repo: GitRepo) -> None:
    repo.write("bo-a", record("1.000002"))
    repo.commit("tái nhập: thêm 1.000002", "2026-08-01T09:00:00+07:00")
    assert last_updated(read_history(repo.root), "1.000002") == "2026-08-01"


def test_the_card_says_what_the_date_counts(repo: GitRepo) -> None:
    catalog, _ = read_catalog(repo.root / "catalog")
    html = {p.url: p for p in render_pages(catalog, read_history(repo.root))}["thu-tuc/1.000001/"].html
    card = html.split('<section class="tthc-card"', 1)[1].split("</section>", 1)[0]
    assert "Nội dung cập nhật lần cuối" in card and "Cập nhật lần cuối" not in card.replace("Nội dung cập nhật lần cuối", "")
    assert "không tính các lần nhập lại, đính chính dữ liệu nhập" in card


@pytest.fixture(scope="module")
def real_history():
    history = read_history(ROOT, allow_shallow=True)
    if history.incomplete or len(history.of("3.000353")) < 3:
        pytest.skip("the real catalog's history (import, amendment, re-import) is not in this clone")
    return history


@pytest.mark.parametrize("code, content_date", [
    ("1.001612", "2026-06-10"),   # imported 10/06/2026, then only re-imported ("tái nhập", 01/12/2026)
    ("2.000200", "2026-06-10"),
    ("3.000353", "2026-07-24"),   # republished under 4685/QĐ-BCA-C08 on 24/07/2026, then re-imported
])
def test_real_catalog_re_import_does_not_count_as_an_update(real_history, code: str, content_date: str) -> None:
    changes = [rc.revision.subject for rc in revision_changes(real_history, code)]
    assert any(s.startswith("tái nhập") for s in changes), changes
    assert real_history.last_changed(code).date().isoformat() > content_date   # the re-import touched the file later
    assert last_updated(real_history, code) == content_date
