"""Vietnamese first (issue 10, item 7): the CLI, its help and its diagnostics through gettext catalogs.

The real ``tthc`` entry point is run in-process (click's CliRunner) with the locale variables a user sets:
Vietnamese when none asks for English, English with ``LANG=en_US.UTF-8``. The catalogs are checked against
the source: every message id Babel extracts from generator/ has a Vietnamese translation that keeps its
placeholders, and the committed ``.mo`` files are the compiled ``.po`` files.
"""

from __future__ import annotations

import shutil
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from generator.cli import main
from generator.i18n import language

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "cases"
LOCALE = ROOT / "generator" / "locale"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "Nn_": (1, 2)}  # as scripts/translations extracts them

NO_LOCALE = {"LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None}
VIETNAMESE = {**NO_LOCALE, "LANG": "C.UTF-8"}  # what CI and a plain server have: no language asked for
ENGLISH = {**NO_LOCALE, "LANG": "en_US.UTF-8"}


def flat(text: str) -> str:
    """``text`` with its line wrapping undone (click wraps help to the terminal's width)."""
    return " ".join(text.split())


def run(args: list[str], env: dict[str, str | None], cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, args, env=env, catch_exceptions=False, prog_name="tthc")
    with runner.isolated_filesystem(temp_dir=cwd):
        return runner.invoke(main, args, env=env, catch_exceptions=False, prog_name="tthc")


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """The small test catalog with one real-shaped procedure whose sector is not in sectors.yaml."""
    root = tmp_path / "catalog"
    shutil.copytree(CASES / "base", root)
    shutil.copy(CASES / "invalid" / "unknown-sector.yaml", root / "procedures" / "bo-xay-dung" / "1.000001.yaml")
    return root


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "vi"), ({"LANG": "C.UTF-8"}, "vi"), ({"LANG": "vi_VN.UTF-8"}, "vi"), ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "vi_VN.UTF-8"}, "en"), ({"LANGUAGE": "vi:en", "LANG": "en_US.UTF-8"}, "vi"),
    ({"LANGUAGE": "en", "LC_ALL": "vi_VN.UTF-8"}, "en"), ({"LANGUAGE": "", "LC_MESSAGES": "en_US", "LANG": "vi"}, "en"),
    ({"LANG": "fr_FR.UTF-8"}, "vi"),
])
def test_the_language_is_vietnamese_unless_the_first_locale_variable_set_asks_for_english(env, expected) -> None:
    assert language(env) == expected


def test_help_is_vietnamese_by_default_and_english_with_lang_en() -> None:
    vi = run(["--help"], VIETNAMESE)
    assert vi.exit_code == 0
    assert vi.output.startswith("Cách dùng: tthc")
    assert "Tùy chọn:" in vi.output and "Lệnh:" in vi.output
    assert "Kiểm tra danh mục (hoặc chỉ các ĐƯỜNG DẪN)" in vi.output
    assert "Hiện hướng dẫn này rồi thoát." in vi.output
    en = run(["--help"], ENGLISH)
    assert en.output.startswith("Usage: tthc")
    assert "Check the catalog (or only PATHS) against the schemas" in en.output
    assert "Show this message and exit." in en.output and "Cách dùng" not in en.output
    # a subcommand's own help, its options and click's markers, in both languages in one process
    new_vi, new_en = run(["new", "--help"], VIETNAMESE), run(["new", "--help"], ENGLISH)
    vi_text, en_text = flat(new_vi.output), flat(new_en.output)
    assert "Mã của cơ quan công bố (agencies.yaml)" in vi_text and "[mặc định: external]" in vi_text
    assert "The publishing agency's id (agencies.yaml)" in en_text and "[default: external]" in en_text


def test_validate_speaks_vietnamese_by_default_with_the_same_rule_codes_and_line_format(catalog: Path) -> None:
    vi = run(["validate", "--catalog", str(catalog)], VIETNAMESE)
    en = run(["validate", "--catalog", str(catalog)], ENGLISH)
    assert vi.exit_code == en.exit_code == 1
    where = f"{catalog.as_posix()}/procedures/bo-xay-dung/1.000001.yaml:5:9: error[unknown-sector] sector: "
    assert f"{where}lĩnh vực 'nha-o' không có trong sectors.yaml (hint: dùng một mã trong sectors.yaml, hoặc thêm lĩnh vực vào đó)" in vi.output.splitlines()
    assert f"{where}sector 'nha-o' is not in sectors.yaml (hint: use an id from sectors.yaml, or add the sector there)" in en.output.splitlines()
    assert vi.output.splitlines()[-1] == "không hợp lệ: 1 lỗi, 0 cảnh báo trong 4 tệp"
    assert en.output.splitlines()[-1] == "invalid: 1 error(s), 0 warning(s) in 4 file(s)"
    as_json = run(["validate", "--catalog", str(catalog), "--format", "json"], VIETNAMESE)
    assert '"code": "unknown-sector"' in as_json.output and "không có trong sectors.yaml" in as_json.output


def test_usage_errors_are_vietnamese_by_default_click_and_tthc_alike(tmp_path: Path) -> None:
    missing = run(["validate", "--catalog", str(tmp_path / "khong-co")], VIETNAMESE)
    assert missing.exit_code == 2
    assert missing.output.startswith("tthc: lỗi: không tìm thấy thư mục danh mục: ")
    option = run(["new"], VIETNAMESE)
    assert option.exit_code == 2 and "Lỗi: Thiếu tùy chọn '--agency'." in option.output
    assert "Chạy 'tthc new --help' để xem hướng dẫn." in option.output
    choice = run(["validate", "--format", "xml"], VIETNAMESE)
    assert "Giá trị không hợp lệ cho '--format': 'xml' không phải một trong 'text', 'json', 'github'." in choice.output
    english = run(["new"], ENGLISH)
    assert "Error: Missing option '--agency'." in english.output


def test_every_message_of_the_source_has_a_vietnamese_translation_with_the_same_placeholders() -> None:
    extracted = {message for _file, _line, message, _comments, _context
                 in extract_from_dir(ROOT / "generator", method_map=[("**.py", "python")], keywords=KEYWORDS)}
    assert len(extracted) > 250  # the CLI's help, its messages, the validator's diagnostics, click's words
    with (LOCALE / "vi" / "LC_MESSAGES" / "tthc.po").open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    assert str(catalog.plural_forms) == "nplurals=1; plural=0;"
    problems = []
    for message in sorted(extracted, key=str):
        entry = catalog.get(message if isinstance(message, str) else message[0])
        strings = (entry.string if isinstance(entry.string, tuple) else (entry.string,)) if entry else ()
        if entry is None or entry.fuzzy or not all(strings):
            problems.append(f"untranslated: {message!r}")
            continue
        ids = message if isinstance(message, tuple) else (message,)
        allowed = {field for text in ids for _lit, field, _spec, _conv in string.Formatter().parse(text) if field is not None}
        for text in strings:
            used = {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field is not None}
            if not used <= allowed:
                problems.append(f"{message!r}: the translation uses {sorted(used - allowed)}, not in the message id")
    assert problems == [], "run scripts/translations and translate in generator/locale/vi/LC_MESSAGES/tthc.po:\n" + "\n".join(problems)


#: The exceptions whose text reaches people (generator/errors.py, MkDocs' PluginError) and the diagnostic
#: constructors with the index of their message and hint arguments.
_MESSAGE_ARGUMENTS = {**dict.fromkeys(("UsageError", "BuildError", "GitError", "TthcError", "PluginError", "NotARepository",
                                       "RepositoryUnreadable", "ShallowHistory"), (0,)),
                      "Diagnostic": (6, 7), "diagnostic": (3, 4), "_diag": (6, 7)}


def test_no_message_for_people_is_written_around_the_catalog() -> None:
    """A literal or f-string message given straight to an error or a diagnostic would stay English.

    The importer of portal records (generator/importer/, but for its spreadsheet reader) is left out: its notes
    on what it could not carry over are English for now, and its rule choice reads their words (README, "Language").
    """
    import ast

    found = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("generator/importer/") and rel != "generator/importer/spreadsheet.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            for index in _MESSAGE_ARGUMENTS.get(name, ()):
                arg = node.args[index] if index < len(node.args) else None
                if isinstance(arg, ast.JoinedStr) or (isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                                                       and " " in arg.value):
                    found.append(f"{rel}:{node.lineno}")
    assert found == [], "wrap these messages in _(...).format(...) (generator/i18n.py): " + ", ".join(found)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_committed_mo_files_are_the_compiled_po_files(lang: str) -> None:
    folder = LOCALE / lang / "LC_MESSAGES"
    with (folder / "tthc.po").open("rb") as po_file, (folder / "tthc.mo").open("rb") as mo_file:
        po, mo = read_po(po_file, locale=lang), read_mo(mo_file)
    def key(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    translated = {key(m.id): key(m.string) for m in po
                  if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
                  and key(m.string) != key(m.id)}  # a translation the same as its id needs no entry
    compiled = {key(m.id): key(m.string) for m in mo if m.id and key(m.string) != key(m.id)}  # Babel keeps plural ids as they are
    assert compiled == translated, "run scripts/translations to compile the .mo files"


def test_progress_bars_only_on_a_terminal_or_when_forced(catalog: Path) -> None:
    quiet = CliRunner().invoke(main, ["validate", "--catalog", str(catalog)], env=VIETNAMESE)
    assert "đang kiểm tra" not in quiet.stderr and "%" not in quiet.stderr  # CliRunner's stderr is no terminal
    forced = CliRunner().invoke(main, ["validate", "--catalog", str(catalog)], env={**VIETNAMESE, "TTHC_PROGRESS": "1"})
    assert "tthc: đang kiểm tra" in forced.stderr and "100%" in forced.stderr
    assert forced.stdout == quiet.stdout  # the report itself is the same
    never = CliRunner().invoke(main, ["validate", "--catalog", str(catalog)], env={**VIETNAMESE, "TTHC_PROGRESS": "0"})
    assert never.stderr == quiet.stderr


CRAWL = ROOT.parent / "shared" / "data" / "raw" / "dvcqg-chatbot-tthc" / "records"


@pytest.mark.skipif(not CRAWL.is_dir(), reason="shared data ../shared/data/raw not present")
def test_import_says_what_it_did_in_vietnamese_with_a_progress_bar_only_when_asked(tmp_path: Path) -> None:
    shutil.copytree(CRAWL.parent / "lists", tmp_path / "lists")  # names the publishing agency
    records = tmp_path / "records"
    (records / "bo-cong-an").mkdir(parents=True)
    for code in ("1.011410", "3.000353"):
        shutil.copy(CRAWL / "bo-cong-an" / f"{code}.json", records / "bo-cong-an" / f"{code}.json")
    quiet = CliRunner().invoke(main, ["import", str(records), "--catalog", str(tmp_path / "cat")], env=VIETNAMESE)
    assert quiet.exit_code == 0, quiet.output
    assert "tthc import: đọc 2 bản ghi, ghi 2, giữ nguyên 0 (đã có; dùng --overwrite để thay)" in quiet.stderr
    assert "đang nhập" not in quiet.stderr
    again = CliRunner().invoke(main, ["import", str(records), "--catalog", str(tmp_path / "cat")],
                               env={**ENGLISH, "TTHC_PROGRESS": "1"})
    assert "tthc: importing" in again.stderr and "2/2" in again.stderr and "100%" in again.stderr
    assert "tthc import: 2 record(s) read, 0 written, 2 left as they were (exist; use --overwrite)" in again.stderr


def test_build_draws_its_progress_bar_over_the_pages_written_only_when_asked(tmp_path: Path) -> None:
    import json

    import yaml

    mini = ROOT / "tests" / "fixtures" / "mini_catalog"
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8")
                            .replace("!ENV [TTHC_CATALOG, catalog]", str(mini))
                            .replace('!ENV [TTHC_SITE_URL, ""]', json.dumps("")))
    config["docs_dir"] = str(ROOT / "site_templates" / "docs")
    config["plugins"] = [{"tthc": {"catalog": str(mini), "search": False, "history": False}}]
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    args = ["build", "--config-file", str(tmp_path / "mkdocs.yml"), "--catalog", str(mini), "--site-dir", str(tmp_path / "site"),
            "--no-search"]  # (--catalog wins over the config's, and is catalog/ by default: the whole bundled catalog)
    shown = CliRunner().invoke(main, args, env={**VIETNAMESE, "TTHC_PROGRESS": "1"})
    assert shown.exit_code == 0, shown.output
    pages = sum(1 for _page in (tmp_path / "site").rglob("index.html"))
    assert "tthc: đang xây dựng" in shown.stderr and "100%" in shown.stderr
    assert f"đã xây dựng {pages:,} trang vào " in shown.stdout
    quiet = CliRunner().invoke(main, args, env=VIETNAMESE)
    assert quiet.exit_code == 0 and "đang xây dựng" not in quiet.stderr and "%|" not in quiet.stderr


def _mini_site_config(tmp_path: Path, docs: Path) -> Path:
    import json

    import yaml

    mini = ROOT / "tests" / "fixtures" / "mini_catalog"
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8")
                            .replace("!ENV [TTHC_CATALOG, catalog]", str(mini))
                            .replace('!ENV [TTHC_SITE_URL, ""]', json.dumps("")))
    config["docs_dir"] = str(docs)
    config["plugins"] = [{"tthc": {"catalog": str(mini), "search": False, "history": False}}]
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return tmp_path / "mkdocs.yml"


def test_build_shows_no_english_mkdocs_lines_but_still_its_warnings(tmp_path: Path) -> None:
    """`tthc build` prints Vietnamese: MkDocs' progress lines are not shown, its warnings are, with our prefix."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "site_templates" / "docs", docs)
    (docs / "them.md").write_text("# Trang thêm\n\nXem [trang không có](khong-co.md).\n", encoding="utf-8")
    config = _mini_site_config(tmp_path, docs)
    args = ["build", "--config-file", str(config), "--catalog", str(ROOT / "tests" / "fixtures" / "mini_catalog"),
            "--site-dir", str(tmp_path / "site"), "--no-search"]
    shown = CliRunner().invoke(main, args, env=VIETNAMESE)
    assert shown.exit_code == 0, shown.output
    output = shown.stdout + shown.stderr
    for english in ("INFO", "WARNING", "Building documentation", "Documentation built in", "Cleaning site directory"):
        assert english not in output, output
    (warning,) = [line for line in shown.stderr.splitlines() if "khong-co.md" in line]
    assert warning.startswith("tthc: cảnh báo: ") and "them.md" in warning
    assert "đã xây dựng " in shown.stdout


def test_serve_log_lines_of_mkdocs_are_translated_and_its_chatter_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    from generator.cli import _LogFormatter, _shown

    def record(name: str, level: int, message: str, *args) -> logging.LogRecord:
        return logging.LogRecord(name, level, __file__, 1, message, args, None)

    formatter = _LogFormatter()
    monkeypatch.setenv("LANGUAGE", "vi")
    built = record("mkdocs.commands.build", logging.INFO, "Documentation built in %.2f seconds", 0.5)
    assert _shown(built) and formatter.format(built) == "tthc: đã dựng trang web trong 0.50 giây"
    serving = record("mkdocs.livereload", logging.INFO, "Serving on %s", "http://127.0.0.1:8000/")
    assert formatter.format(serving) == "tthc: trang web đang chạy tại http://127.0.0.1:8000/"
    assert not _shown(record("mkdocs.commands.build", logging.INFO, "Cleaning site directory"))
    ours = record("mkdocs.plugins.tthc", logging.INFO, "tthc: 3 thủ tục từ catalog")
    assert _shown(ours) and formatter.format(ours) == "tthc: 3 thủ tục từ catalog"
    warned = record("mkdocs.structure.pages", logging.WARNING, "Doc file 'a.md' contains a link 'b.md'")
    assert _shown(warned) and formatter.format(warned) == "tthc: cảnh báo: Doc file 'a.md' contains a link 'b.md'"
