"""`tthc new` through its entry point: a valid scaffold, the next free code, never an overwrite."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.load import load_file, load_schema
from generator.resources import schemas_dir

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini_catalog"
REAL = ROOT / "catalog"
CRAWL = ROOT.parent / "shared" / "data" / "raw" / "dvcqg-chatbot-tthc" / "records"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def tthc(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A catalog repository (not a checkout of tthc) holding a copy of the mini catalog, as the working directory."""
    shutil.copytree(MINI, tmp_path / "catalog")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TTHC_SITE_URL", raising=False)
    return tmp_path


def schema_of(path: Path) -> Path:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = MODELINE.match(first)
    assert match, first
    return (path.parent / match[1]).resolve()


def test_the_scaffold_has_every_required_field_commented_and_passes_validate(repo: Path) -> None:
    result = tthc("new", "--agency", "ubnd-tinh-an-giang", "--sector", "dau-tu")
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    # highest code of the agency is 6.000200 (internal); of external kind 2.000102: next in prefix 2 catalog-wide
    assert path == Path("catalog/procedures/ubnd-tinh-an-giang/2.000103.yaml")
    loaded = load_file(path, "procedure")
    assert loaded.diagnostics == []
    schema = load_schema("procedure")
    assert set(schema["required"]) <= set(loaded.data)
    lines = path.read_text(encoding="utf-8").splitlines()
    for key in loaded.data:
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        assert lines[index - 1].startswith(f"# {schema['properties'][key]['title']}"), key
    assert loaded.data["levels"] == ["province"] and loaded.data["status"] == "in_force"
    # the editor's schema line points at the catalog's own copy of the schema's draft-07 version (VS Code's
    # YAML extension validates draft-07 only), byte for byte the package's
    copy = schema_of(path)
    assert copy == (repo / "catalog" / "schemas" / "procedure.schema.json").resolve()
    assert copy.read_bytes() == (schemas_dir() / "draft-07" / "procedure.schema.json").read_bytes()
    # placeholders are flagged until filled in: the decision's number warns, the name is an error, so an
    # unedited scaffold cannot be published (tthc validate, the build and CI refuse it)
    assert "warning[legal-number] publication.decision" in result.stderr
    assert "error[name-placeholder] name: the name '(ghi tên thủ tục)' is a placeholder" in result.stderr
    validate = tthc("validate")
    assert validate.exit_code == 1 and "error[name-placeholder]" in validate.output, validate.output
    path.write_text(path.read_text(encoding="utf-8").replace("name: (ghi tên thủ tục)", "name: Cấp phép thử nghiệm"),
                    encoding="utf-8")
    validate = tthc("validate")
    assert validate.exit_code == 0, validate.output
    assert "0 error(s)" in validate.output


def test_an_internal_procedure_with_name_and_decision_is_valid_even_strictly(repo: Path) -> None:
    result = tthc("new", "--agency", "bo-xay-dung", "--sector", "dau-tu", "--kind", "internal",
                  "--name", "Thẩm định đề án thử nghiệm", "--decision", "497/QĐ-BXD")
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.name == "5.000011.yaml"  # after 5.000010 of bo-xay-dung
    data = load_file(path, "procedure").data
    assert data["kind"] == "internal" and data["internal_scope"] == "between_agencies"
    assert data["name"] == "Thẩm định đề án thử nghiệm" and data["publication"]["decision"] == "497/QĐ-BXD"
    assert result.stderr == ""
    assert tthc("validate", "--strict", str(path)).exit_code == 0


def test_a_given_code_is_used_and_an_existing_one_is_refused_without_touching_any_file(repo: Path) -> None:
    assert tthc("new", "--agency", "bo-xay-dung", "--sector", "dau-tu", "--code", "1.000050").exit_code == 0
    assert Path("catalog/procedures/bo-xay-dung/1.000050.yaml").is_file()
    before = {p: p.read_bytes() for p in Path("catalog").rglob("*.yaml")}
    # the same code in another agency's folder is refused too: codes are unique in the whole catalog
    for agency, code in (("bo-xay-dung", "1.000050"), ("ubnd-tinh-an-giang", "1.000001")):
        result = tthc("new", "--agency", agency, "--sector", "dau-tu", "--code", code)
        assert result.exit_code == 2
        assert "already exists" in result.stderr and "never overwritten" in result.stderr
    assert {p: p.read_bytes() for p in Path("catalog").rglob("*.yaml")} == before


@pytest.mark.parametrize("args, message", [
    (["--agency", "bo-khong-co", "--sector", "dau-tu"], "agency 'bo-khong-co' is not in"),
    (["--agency", "bo-xay-dung", "--sector", "khong-co"], "sector 'khong-co' is not in"),
    (["--agency", "bo-xay-dung", "--sector", "dau-tu", "--code", "1.23"], "code '1.23' is malformed"),
])
def test_wrong_usage_exits_2_and_writes_nothing(repo: Path, args: list[str], message: str) -> None:
    before = sorted(Path("catalog").rglob("*"))
    result = tthc("new", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert sorted(Path("catalog").rglob("*")) == before


def test_the_schema_line_is_the_published_schema_when_the_site_url_is_known(repo: Path, monkeypatch) -> None:
    monkeypatch.setenv("TTHC_SITE_URL", "https://tthc.an-giang.gov.vn/")
    path = Path(tthc("new", "--agency", "ubnd-tinh-an-giang", "--sector", "dau-tu").stdout.strip())
    assert path.read_text(encoding="utf-8").splitlines()[0] == \
        "# yaml-language-server: $schema=https://tthc.an-giang.gov.vn/schemas/draft-07/procedure.schema.json"
    assert not (repo / "catalog" / "schemas").exists()


@pytest.mark.skipif(not (REAL / "procedures" / "bo-xay-dung").is_dir(), reason="the real catalog is not in catalog/")
def test_next_free_code_on_the_real_catalog_of_bo_xay_dung(tmp_path: Path, monkeypatch) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    for name in ("agencies.yaml", "sectors.yaml"):
        shutil.copy(REAL / name, catalog / name)
    shutil.copytree(REAL / "procedures", catalog / "procedures")
    monkeypatch.chdir(tmp_path)
    sector = load_file(REAL / "sectors.yaml", "sectors").data["sectors"][0]["id"]
    codes = {p.stem for p in (REAL / "procedures").rglob("*.yaml")}
    for kind in ("external", "internal"):
        result = tthc("new", "--agency", "bo-xay-dung", "--sector", sector, "--kind", kind)
        assert result.exit_code == 0, result.output
        path = Path(result.stdout.strip())
        code = path.stem
        own = sorted(p.stem for p in (REAL / "procedures" / "bo-xay-dung").glob("*.yaml")
                     if (p.stem[0] in "56") == (kind == "internal"))
        assert code not in codes and code[0] == own[-1][0]
        assert int(code[2:]) == 1 + max(int(c[2:]) for c in codes if c[0] == code[0])
        assert schema_of(path) == (catalog / "schemas" / "procedure.schema.json").resolve()
        # tthc new validated the file against the whole catalog: only the placeholders' diagnostics remain
        assert [line.split(": ")[1] for line in result.stderr.splitlines()] == [
            "error[name-placeholder] name", "warning[legal-number] publication.decision"]


@pytest.mark.skipif(not CRAWL.is_dir(), reason="shared data ../shared/data/raw not present")
def test_the_importer_writes_the_same_schema_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TTHC_SITE_URL", raising=False)
    (tmp_path / "records" / "bo-cong-an").mkdir(parents=True)
    shutil.copytree(CRAWL.parent / "lists", tmp_path / "lists")
    shutil.copy(CRAWL / "bo-cong-an" / "1.011410.json", tmp_path / "records" / "bo-cong-an")
    assert tthc("import", "records", "--catalog", "cat").exit_code == 0
    for path, kind in ((Path("cat/procedures/bo-cong-an/1.011410.yaml"), "procedure"),
                       (Path("cat/agencies.yaml"), "agencies"), (Path("cat/plans/qd-1085-ttg.yaml"), "plan")):
        assert schema_of(path) == (tmp_path / "cat" / "schemas" / f"{kind}.schema.json").resolve()
        assert schema_of(path).is_file()
    assert tthc("new", "--agency", "bo-cong-an", "--sector", load_file(Path("cat/sectors.yaml"), "sectors")
                .data["sectors"][0]["id"], "--catalog", "cat").exit_code == 0


def test_in_a_checkout_of_tthc_the_schema_line_points_at_the_sources(monkeypatch) -> None:
    from generator.schema_ref import schema_location

    monkeypatch.delenv("TTHC_SITE_URL", raising=False)
    if schemas_dir().resolve() != (ROOT / "generator" / "schemas").resolve():
        pytest.skip("tthc is installed from a wheel here, not this checkout")
    assert schema_location(ROOT / "catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml", "procedure") == \
        "../../../generator/schemas/draft-07/procedure.schema.json"
    assert schema_location(ROOT / "catalog" / "sectors.yaml", "sectors") == "../generator/schemas/draft-07/sectors.schema.json"


def test_a_refused_name_writes_nothing_not_even_the_schemas_or_a_folder(repo: Path) -> None:
    """A name `tthc validate` refuses (a control character) stops `new` with the error; before the fix
    the procedure file was removed but catalog/schemas/ stayed behind (hostile review, issue 8)."""
    (repo / "catalog" / "agencies.yaml").write_text((repo / "catalog" / "agencies.yaml").read_text(encoding="utf-8")
                                                   + "  - id: so-moi\n    name: Sở Mới\n    level: province\n", encoding="utf-8")
    before = sorted(Path("catalog").rglob("*"))
    result = CliRunner().invoke(main, ["new", "--agency", "so-moi", "--sector", "dau-tu", "--name", "Cấp phép\x07"])
    assert result.exit_code == 1 and "control-character" in result.output
    assert sorted(Path("catalog").rglob("*")) == before
