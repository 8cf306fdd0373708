"""tthc import-decisions: real decisions recorded reproducibly (generator/importer/decisions.py)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.catalog import read_catalog
from generator.cli import main
from generator.importer.decisions import names_agree

ROOT = Path(__file__).resolve().parents[1]
DECISIONS = ROOT.parent / "shared" / "data" / "raw" / "simplification-decisions"
needs_data = pytest.mark.skipif(not DECISIONS.is_dir(), reason="shared/data/raw/simplification-decisions is not beside the checkout")


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return h.hexdigest()


@pytest.mark.parametrize(("a", "b", "agree"), [
    ("Cấp hộ chiếu phổ thông ở trong nước (cấp Cục)", "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp trung ương)", True),
    ("Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ", "Đăng ký thường trú", True),  # a case of the same
    ("Cấp phép", "Cấp phép xây dựng công trình", False),  # a prefix of two words says too little
    ("Yêu cầu thay đổi Chấp hành viên (cấp tỉnh)", "Yêu cầu thay đổi Chấp hành viên", True),
    ("Đăng ký tạm trú", "Đăng ký thường trú", False),
    ("Cấp mới Giấy chứng nhận đủ điều kiện về ANTT để kinh doanh", "Cấp mới Giấy chứng nhận đủ điều kiện về an ninh, trật tự (cấp tỉnh)", True),
])
def test_names_agree(a: str, b: str, agree: bool) -> None:
    assert names_agree(a, b)[0] is agree


@needs_data
def test_records_the_real_decisions_once_and_refuses_disagreeing_names(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(ROOT / "catalog", catalog, ignore=shutil.ignore_patterns("procedures"))
    # the procedures the decisions name, plus one they do not
    for code in ("3.000346", "6.006593", "5.002577", "1.004222", "2.000908", "1.001686", "3.000243", "1.000178"):
        source = next((ROOT / "catalog" / "procedures").glob(f"*/{code}.yaml"), None)
        if source is not None:
            (catalog / "procedures" / source.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy(source, catalog / "procedures" / source.parent.name / source.name)
    before = digest(catalog)
    runner = CliRunner()
    dry = runner.invoke(main, ["import-decisions", str(DECISIONS), "--catalog", str(catalog), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert digest(catalog) == before  # --dry-run writes nothing
    first = runner.invoke(main, ["import-decisions", str(DECISIONS), "--catalog", str(catalog)])
    assert first.exit_code == 0, first.output
    assert "3.000243: not recorded" in first.output and "1.004222: not recorded" in first.output  # 'Đăng ký tạm trú' row
    after = digest(catalog)
    again = runner.invoke(main, ["import-decisions", str(DECISIONS), "--catalog", str(catalog)])
    assert again.exit_code == 0 and digest(catalog) == after and "entries added: none" in again.output

    cat, _ = read_catalog(catalog)
    gplx = cat.procedure("3.000346").simplifications[-1]
    assert (gplx.stage, gplx.decision, gplx.kinds) == ("approved", "1891/QĐ-TTg", ("cut_time",))
    assert (gplx.promised.processing_time.before.value, gplx.promised.processing_time.after.value) == (7, 4.5)
    merged = cat.procedure("6.006593")
    assert [r.code for r in merged.replaces] == ["5.002583", "5.002584"]
    assert merged.simplifications[-1].kinds == ("merge", "replace")
    assert cat.procedure("5.002577").amendments[-1].decision == "2109/QĐ-BXD"
    assert cat.procedure("2.000908").amendments[-1].decision == "3152/QĐ-BTP"
    lookup = cat.procedure("1.004222").simplifications[-1]
    assert lookup.decision == "66.7/2025/NQ-CP" and lookup.effective == "2026-01-01" and lookup.data_lookups
    assert cat.procedure("3.000243").simplifications == ()
    assert cat.procedure("1.000178") is None or cat.procedure("1.000178").simplifications == ()
