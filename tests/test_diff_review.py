"""What a fresh reviewer of `tthc diff`, `check-change` and `history` found (issue 4 review), through the entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gitrepo import GitRepo, record, repo_with_a_move, write_registers
from test_diff import build_golden_repo
from tthc_cli import tthc

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    repo = GitRepo(tmp_path_factory.mktemp("review") / "repo")
    build_golden_repo(repo)
    return repo


# --- 1. usage errors -------------------------------------------------------------

@pytest.mark.parametrize("second", ["/etc", "nosuchref", "catalog/nonexistent", "../"])
def test_diff_second_argument_neither_ref_nor_catalog_path_is_a_usage_error(golden: GitRepo, second: str) -> None:
    result = tthc("diff", "main", second, cwd=golden.root)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert repr(second) in line and "neither a git commit nor" in line


def test_diff_path_inside_the_catalog_still_works(golden: GitRepo) -> None:
    result = tthc("diff", "main~1", "main", "catalog/procedures/bo-khac", cwd=golden.root)
    assert result.returncode == 0 and "1.000006" in result.stdout and "1.000001" not in result.stdout


@pytest.mark.parametrize("args", [("diff", "main"), ("history", "1.000001"), ("check-change", "--base", "main")])
def test_outside_a_repository_every_command_is_a_usage_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = tthc(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "tthc: error: not a git repository: run inside the catalog's repository"


def test_unknown_ref_in_a_shallow_clone_hints_at_unshallow(golden: GitRepo, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{golden.root}", str(clone)], check=True)
    for args in (("diff", "HEAD~1"), ("check-change", "--base", "HEAD~1")):
        result = tthc(*args, cwd=clone)
        assert result.returncode == 2 and "git fetch --unshallow" in result.stderr, result.stderr


# --- 2. unreadable files are never "deleted" or "added" --------------------------------

def test_yaml_syntax_error_gives_loader_diagnostics_not_a_deletion(golden: GitRepo) -> None:
    path = golden.path("bo-khac", "1.000006")
    before = path.read_bytes()
    try:
        path.write_text('code: "1.000006"\nname: [Thủ tục\n', encoding="utf-8")
        for args in (("diff", "main"), ("check-change", "--base", "main")):
            result = tthc(*args, cwd=golden.root)
            out = result.stdout + result.stderr
            assert result.returncode == 1, out
            assert "catalog/procedures/bo-khac/1.000006.yaml:2:7: error[syntax]" in out  # (at the "[" left open)
            assert "file-deleted" not in out and "Xóa tệp" not in out and "Traceback" not in out
    finally:
        path.write_bytes(before)


def test_two_files_one_unparsable_is_not_an_addition(tmp_path: Path) -> None:
    bad, ok = tmp_path / "bad.yaml", tmp_path / "ok.yaml"
    bad.write_text("code: '1.000001'\n  name: x\n", encoding="utf-8")
    ok.write_text('code: "1.000001"\nname: A\n', encoding="utf-8")
    result = tthc("diff", str(bad), str(ok), cwd=tmp_path)
    assert result.returncode == 1
    assert "bad.yaml:2:" in result.stderr and "error[syntax]" in result.stderr
    assert "Thêm mới" not in result.stdout


# --- 3. long texts: the change stays visible -------------------------------------------

LONG = ("Trong thời hạn 05 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ, cơ quan có thẩm quyền xem xét và "
        "cấp giấy phép cho tổ chức, cá nhân đề nghị; trường hợp không cấp phải trả lời bằng văn bản và nêu rõ lý do. ") * 3
LONG = LONG[:600]


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_long_text_change_is_visible_at_start_middle_and_end(tmp_path: Path, where: str) -> None:
    assert len(LONG) == 600
    pos = {"start": 3, "middle": 300, "end": 596}[where]
    changed = LONG[:pos] + "QQQ" + LONG[pos + 3:]
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    head = 'code: "1.000001"\nname: A\nkind: external\nlevels: [ministry]\nsector: x\nstatus: in_force\n'
    old.write_text(head + f"description: \"{LONG}\"\n", encoding="utf-8")
    new.write_text(head + f"description: \"{changed}\"\n", encoding="utf-8")
    for fmt in ("text", "markdown"):
        result = tthc("diff", str(old), str(new), "--format", fmt, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        (line,) = [ln for ln in result.stdout.splitlines() if "QQQ" in ln]
        before, after = (line.split(" → ") if fmt == "text" else line.split(" | ")[2:4])
        assert before != after and "QQQ" not in before and "QQQ" in after
        assert len(line) < 500  # shortened, not the whole 600 characters twice
        assert ("…" in line) and (where == "start" or before.lstrip().split(": ", 1)[-1].startswith("…"))


# --- 5. cosmetic-only edits are listed, not dropped -------------------------------------

def test_key_order_only_edit_is_listed_as_unchanged_in_every_format(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    data = record("1.000001", requirements=["Có giấy phép"])
    repo.write("bo-a", data)
    repo.commit("Thêm")
    repo.write("bo-a", dict(reversed(list(data.items()))))  # same record, keys in another order
    text = tthc("diff", "main", cwd=repo.root)
    assert text.returncode == 0
    assert "Không thay đổi nội dung (chỉ khác định dạng): 1" in text.stdout and "1.000001" in text.stdout
    markdown = tthc("diff", "main", "--format", "markdown", cwd=repo.root).stdout
    assert "Không thay đổi nội dung (chỉ khác định dạng)" in markdown and "1.000001" in markdown
    data_json = json.loads(tthc("diff", "main", "--format", "json", cwd=repo.root).stdout)
    assert data_json["summary"]["unchanged"] == 1 and data_json["head"] is None
    assert [p["status"] for p in data_json["procedures"]] == ["unchanged"]


# --- 6. agency moves ----------------------------------------------------------------------

def test_move_without_decision_names_both_agencies_not_formatting(tmp_path: Path) -> None:
    repo = repo_with_a_move(tmp_path / "repo")
    text = tthc("diff", "main", cwd=repo.root).stdout
    assert "Cơ quan công bố: Bộ Thử nghiệm A → Bộ Thử nghiệm B" in text
    assert "1.000001 Cấp giấy phép thử nghiệm: Chuyển cơ quan công bố" in text
    assert "định dạng" not in text
    markdown = tthc("diff", "main", "--format", "markdown", cwd=repo.root).stdout
    assert "Cơ quan công bố: Bộ Thử nghiệm A → Bộ Thử nghiệm B" in markdown and "định dạng" not in markdown
    data = json.loads(tthc("diff", "main", "--format", "json", cwd=repo.root).stdout)
    (proc,) = data["procedures"]
    assert proc["status"] == "moved" and proc["effects"][0]["kind"] == "agency"
    assert data["summary"]["moved"] == 1 and data["summary"]["unchanged"] == 0


def test_markdown_dates_are_vietnamese(golden: GitRepo) -> None:
    markdown = tthc("diff", "main~1", "main", "--format", "markdown", cwd=golden.root).stdout
    assert "(12/QĐ-BTN, 01/07/2026)" in markdown and "2026-07-01" not in markdown


def test_no_color_is_honoured(golden: GitRepo) -> None:
    """NO_COLOR (https://no-color.org) set: no escape codes even on a terminal (pty)."""
    import pty

    code = ("import sys; from generator.cli import main; sys.argv=['tthc','diff','main~1','main']; main()")
    outputs = {}
    for no_color in ("", "1"):
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
        env.pop("NO_COLOR", None)
        if no_color:
            env["NO_COLOR"] = no_color
        master, slave = pty.openpty()
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=golden.root, stdout=slave, stderr=subprocess.DEVNULL, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait(timeout=60)
        os.close(master)
        outputs[no_color] = b"".join(chunks).decode("utf-8", "replace")
    assert "\x1b[" in outputs[""]
    assert "\x1b[" not in outputs["1"] and "So sánh danh mục TTHC" in outputs["1"]


# --- 7. labels and matching ----------------------------------------------------------------

from generator.diff import diff_procedures  # noqa: E402
from generator.diff.format import change_text  # noqa: E402


def test_items_with_the_same_label_are_told_apart_by_position() -> None:
    case = {"name": "Trường hợp cấp lại do thay đổi vị trí công tác", "documents": [{"name": "Tờ khai", "originals": 1}]}
    old = record("1.000001", cases=[case, case])
    new = record("1.000001", cases=[case, {**case, "documents": [{"name": "Tờ khai", "originals": 2}]}])
    lines = [change_text(c) for c in diff_procedures(old, new).changes]
    assert lines == ["Trường hợp › Trường hợp 2: Trường hợp cấp lại do thay đổi vị trí công tác › Thành phần hồ sơ › "
                     "Tờ khai › Bản chính: 1 → 2"]
    effects = [e.text for e in diff_procedures(old, new).effects]
    assert effects == ["Bản chính «Tờ khai» (Trường hợp 2: Trường hợp cấp lại do thay đổi vị trí công tác): 1 → 2"]


def test_punctuation_only_rename_of_a_document_is_one_change_everywhere() -> None:
    before = {"name": "01 ảnh màu chân dung (gửi trực tiếp); hoặc ảnh số hóa", "originals": 1}
    after = {"name": "01 ảnh màu chân dung (gửi trực tiếp) hoặc ảnh số hóa.", "originals": 1}
    old = record("1.000001", documents=[before], cases=[{"name": "A", "documents": [before]}])
    new = record("1.000001", documents=[after], cases=[{"name": "A", "documents": [after]}])
    diff = diff_procedures(old, new)
    assert [c.kind for c in diff.changes] == ["changed", "changed"]
    assert [c.path for c in diff.changes] == ["documents[0].name", "cases[0].documents[0].name"]
    assert diff.effects == ()


def test_effect_labels_are_cut_at_a_word_boundary() -> None:
    name = "Trường hợp cấp lại do thẻ còn thời hạn sử dụng nhưng bị mờ, hỏng hoặc không còn phù hợp"
    old = record("1.000001", cases=[{"name": name, "documents": [{"name": "Tờ khai"}]}])
    new = record("1.000001", cases=[{"name": name, "documents": []}])
    (effect,) = [e.text for e in diff_procedures(old, new).effects]
    where = effect[effect.index("(") + 1:effect.index(")")]
    assert where.endswith("…") and name.startswith(where[:-1]) and not name[len(where) - 1].isalnum()


def test_a_change_repairing_a_broken_file_passes_the_gate_and_diff_names_the_base_side(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    write_registers(repo)  # the repaired file is then valid as tthc validate reads it
    repo.write("bo-a", record("1.000001"))
    path = repo.path("bo-a", "1.000001")
    path.write_text(path.read_text(encoding="utf-8") + "name: [broken\n", encoding="utf-8")
    repo.commit("Hỏng")
    repo.write("bo-a", record("1.000001"))
    gate = tthc("check-change", "--base", "main", cwd=repo.root)
    assert gate.returncode == 0, gate.stdout
    diff = tthc("diff", "main", cwd=repo.root)
    assert diff.returncode == 1 and "main:catalog/procedures/bo-a/1.000001.yaml:" in diff.stderr


# --- issue 10 province review: the PR comment of an added procedure, and <summary> escaping ----------------

def test_pr_comment_shows_an_added_procedures_key_fields_and_escapes_summary_as_html(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    write_registers(repo)
    repo.write("bo-a", record("1.000001"))
    repo.commit("Danh mục")
    repo.write("bo-a", record(
        "1.000002", name="Cấp phép [x] *gấp* @giam-doc <b>ngay</b>",
        agencies={"executing": ["Sở Thử nghiệm"]},
        methods=[{"channel": "online", "processing_time": {"value": 5, "unit": "working_days"},
                  "fees": [{"kind": "fee", "amount_vnd": 50000}]},
                 {"channel": "in_person", "processing_time": {"value": 7, "unit": "working_days"}}],
        documents=[{"id": "don", "name": "Đơn đề nghị"}, {"id": "cccd", "name": "Căn cước"}]))
    result = tthc("diff", "main", "--format", "markdown", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    (summary,) = [line for line in text.splitlines() if line.startswith("<details><summary>")]
    assert "\\" not in summary  # no Markdown backslash shows inside HTML
    assert "&#91;x&#93;" in summary and "&#42;gấp&#42;" in summary
    assert "@&#8203;giam-doc" in summary and "&lt;b&gt;ngay&lt;/b&gt;" in summary and "<b>" not in summary
    assert "(0 thay đổi)" not in summary
    block = text[text.index(summary):]
    for row in ("| Mã thủ tục | 1.000002 |", "| Cơ quan công bố | bo-a |", "| Cơ quan thực hiện | Sở Thử nghiệm |",
                "| Thời hạn giải quyết | Trực tuyến: 5 ngày làm việc; Trực tiếp: 7 ngày làm việc |",
                "| Thành phần hồ sơ | 2 giấy tờ |", "| Quyết định công bố | 100/QĐ-BTN |"):
        assert row in block, block
    fee = next(line for line in block.splitlines() if line.startswith("| Phí, lệ phí |"))
    assert "Trực tuyến" in fee and "50.000 đồng" in fee
    name = next(line for line in block.splitlines() if line.startswith("| Tên thủ tục |"))
    assert "\\[x\\]" in name and "@&#8203;giam-doc" in name and "<b>" not in name  # Markdown context: Markdown escaping
    assert "@giam-doc" not in text
