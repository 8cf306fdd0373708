"""The generator as another ministry or province gets it: a wheel installed outside this checkout.

The wheel is built from a copy of the sources (nothing is written into the
checkout), installed without network into a fresh virtual environment in a
temporary folder (``--no-deps --no-index``; its dependencies come from the
running interpreter's site-packages through a ``.pth`` file), and that
install's own ``tthc`` builds a small catalog repository that has nothing but
its ``mkdocs.yml`` (``theme: material``, ``plugins: [tthc]``), an empty
``docs/`` and its ``catalog/``.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from generator.catalog_repo import template_files

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini_catalog"

#: What a catalog repository's mkdocs.yml needs: the plugin registers tthc's theme itself.
MINIMAL_MKDOCS = "site_name: Danh mục thủ tục hành chính tỉnh Thử Nghiệm\ntheme:\n  name: material\nplugins:\n  - tthc\n"


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``pip wheel`` of a copy of the sources (pyproject.toml, README.md, generator/, site_templates/)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("generator", "site_templates"):
        shutil.copytree(REPO / name, src / name, ignore=ignore)
    out = tmp_path_factory.mktemp("dist")
    result = run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
                  "--wheel-dir", str(out), str(src)])
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("tthc-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment outside the checkout with the wheel installed; returns its ``bin/``."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    assert run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    python = venv / "bin" / "python"
    result = run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                  "--no-index", str(wheel)])
    assert result.returncode == 0, result.stderr
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    # The dependencies (MkDocs, Material, Pagefind...) of the running interpreter, after the wheel's own files.
    (Path(purelib) / "tthc-test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    return venv / "bin"


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "TTHC_CATALOG"}}
    env["TTHC_SITE_URL"] = "https://tthc.thu-nghiem.gov.vn/"
    return env


def test_the_wheel_holds_every_module_template_asset_and_schema(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(REPO).as_posix() for p in (REPO / "generator").rglob("*.py")}
    assert modules - names == set(), "a subpackage is missing from [tool.setuptools] packages in pyproject.toml"
    templates = {f"generator/{p.relative_to(REPO).as_posix()}" for p in (REPO / "site_templates").rglob("*")
                 if p.is_file() and not p.name.startswith(".")}
    assert templates and templates - names == set()
    schemas = {p.relative_to(REPO).as_posix() for p in (REPO / "generator" / "schemas").glob("*.schema.json")}
    assert len(schemas) >= 4 and schemas - names == set()
    assert {s.replace("schemas/", "schemas/draft-07/") for s in schemas} - names == set()  # the editors' copies
    catalogs = {f"generator/locale/{lang}/LC_MESSAGES/tthc.{ext}" for lang in ("vi", "en") for ext in ("po", "mo")}
    assert catalogs - names == set()  # the messages' gettext catalogs (generator/i18n.py)
    template = {f"generator/catalog_template/{p.as_posix()}" for p in template_files()}
    assert ".github/workflows/pull-request.yml" in {n.split("catalog_template/", 1)[-1] for n in template}
    assert template - names == set()  # tthc init's files, hidden ones included
    assert not any(n.startswith(("tests/", "catalog/", "site_templates/")) for n in names)


def test_the_installed_generator_is_the_wheel_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    where = run([str(installed / "python"), "-c",
                 "import generator, generator.resources as r; print(generator.__file__); print(r.templates_dir())"],
                cwd=tmp_path, env=clean_env())
    assert where.returncode == 0, where.stderr
    module, templates = where.stdout.split()
    venv = installed.parent.resolve()
    assert venv in Path(module).resolve().parents and venv in Path(templates).resolve().parents
    assert Path(templates).name == "site_templates" and Path(templates).parent.name == "generator"


def test_a_catalog_repository_builds_a_styled_site_with_the_installed_tthc(installed: Path, tmp_path: Path) -> None:
    repo = tmp_path / "danh-muc-tinh-thu-nghiem"
    shutil.copytree(MINI, repo / "catalog")
    (repo / "docs").mkdir()
    (repo / "mkdocs.yml").write_text(MINIMAL_MKDOCS, encoding="utf-8")
    env = clean_env()
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=Sở Tư pháp", "-c", "user.email=stp@example.vn", "commit", "-q", "-m", "Danh mục"]):
        assert run(["git", *args], cwd=repo, env=env).returncode == 0
    result = run([str(installed / "tthc"), "build"], cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    site_dir = repo / "site"
    page = (site_dir / "thu-tuc" / "1.000001" / "index.html").read_text(encoding="utf-8")
    assert "Cấp giấy phép xây dựng mới" in page and '<html lang="vi"' in page
    # styled: tthc's overrides (CSP, moved scripts) and assets, registered by the plugin itself
    assert 'http-equiv="Content-Security-Policy"' in page
    for asset in ("assets/stylesheets/tthc.css", "assets/stylesheets/tthc-search.css",
                  "assets/javascripts/tthc-search.js", "assets/javascripts/tthc-material-base.js"):
        assert (site_dir / asset).is_file(), asset
        assert f"../../{asset}" in page, asset
    assert "fonts.googleapis.com" not in page
    assert (site_dir / "pagefind" / "pagefind.js").is_file()
    assert (site_dir / "schemas" / "procedure.schema.json").is_file()
    # the repository's own docs_dir holds nothing of tthc's
    assert list((repo / "docs").iterdir()) == []


def test_the_installed_tthc_init_makes_a_repository_that_validates(installed: Path, tmp_path: Path) -> None:
    env = clean_env()
    result = run([str(installed / "tthc"), "init", "tinh", "--name", "Danh mục TTHC tỉnh Thử Nghiệm"], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "tinh" / ".github" / "workflows" / "pull-request.yml").is_file()
    assert run([str(installed / "tthc"), "validate"], cwd=tmp_path / "tinh", env=env).returncode == 0


def test_tthc_init_from_a_wheel_install_vendors_the_wheel_and_requirements_txt_installs_it(
        installed: Path, wheel: Path, tmp_path: Path) -> None:
    """`pip install -r requirements.txt` of a new repository works with no package index: it names the very
    wheel tthc was installed from, copied into wheels/ (a pin like tthc==0.1.0 no index serves would fail)."""
    env = clean_env()
    result = run([str(installed / "tthc"), "init", "tinh"], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    repo = tmp_path / "tinh"
    lines = [line for line in (repo / "requirements.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines == [f"./wheels/{wheel.name}"]
    assert (repo / "wheels" / wheel.name).read_bytes() == wheel.read_bytes()
    assert f"requirements.txt installs ./wheels/{wheel.name}" in result.stderr
    venv = tmp_path / "ci-venv"
    assert run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    installs = run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
                    "--no-deps", "--no-index", "-r", "requirements.txt"], cwd=repo, env=env)
    assert installs.returncode == 0, installs.stderr
    assert (venv / "bin" / "tthc").is_file()
