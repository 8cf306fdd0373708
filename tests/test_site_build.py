"""End-to-end: `tthc build` (and `mkdocs build`) of the mini catalog through the entry point."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.render import schema_labels

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini_catalog"
CODES = sorted(p.stem for p in (MINI / "procedures").rglob("*.yaml"))
CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"


def tthc(*args: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=600)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("mini") / "site"
    # a deployed build: sitemap.xml needs the site's address (the default build has none, see README)
    result = tthc("build", "--catalog", str(MINI), "--site-dir", str(out),
                  env=dict(os.environ, TTHC_SITE_URL="https://tthc.example.vn/"))
    assert result.returncode == 0, result.stderr
    assert "built" in result.stdout
    return out


def read(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def test_every_procedure_has_its_page_with_labelled_fields(site):
    labels = schema_labels()
    for code in CODES:
        html = read(site, f"thu-tuc/{code}")
        record = yaml.safe_load(next((MINI / "procedures").rglob(f"{code}.yaml")).read_text(encoding="utf-8"))
        assert f"<code data-pagefind-meta=\"code\">{code}</code>" in html
        assert labels["code"] in html and labels["status"] in html
        if record.get("steps"):
            assert f'<h2 id="trinh-tu">{labels["steps"]}</h2>' in html
        if record.get("documents"):
            assert f'<h2 id="thanh-phan-ho-so">{labels["documents"]}</h2>' in html
        if record.get("methods"):
            assert f'<h2 id="cach-thuc">{labels["methods"]}</h2>' in html


def test_pages_are_vietnamese_with_csp_and_no_request_leaving_the_origin(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > len(CODES)
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert '<html lang="vi"' in html, path
        assert CSP in html, path
        # resources (scripts, styles, images, fonts, frames) only from the site itself
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src")):
            for value in re.findall(rf"<{tag}\b[^>]*\b{attr}=\"([^\"]+)\"", html):
                if tag == "link" and re.search(rf'<link[^>]*rel="canonical"[^>]*href="{re.escape(value)}"', html):
                    continue
                assert not re.match(r"^(https?:)?//", value), (path, value)
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
        # no executable inline script (Material's bootstrap is moved to files)
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            assert "src=" in attrs or 'type="application/json"' in attrs or 'type="application/ld+json"' in attrs, (path, body[:80])


def test_hostile_name_is_escaped_in_title_nav_body_and_jsonld(site):
    html = read(site, "thu-tuc/5.000010")
    escaped = "Thẩm định đề án &#34;Nhà ở xã hội&#34; &lt;giai đoạn 2&gt; &amp; báo cáo &gt; 5 năm"
    assert f"<title>{escaped} - Danh mục thủ tục hành chính</title>" in html
    assert f'<h1 id="tieu-de">{escaped}</h1>' in html
    assert "<script>alert" not in html and "<img src=x" not in html and "<giai đoạn 2>" not in html
    assert 'content="5.000010: Thẩm định đề án &#34;' in html  # meta description attribute
    assert "<script>alert" not in read(site, "co-quan/bo-xay-dung")


def test_sidebar_lists_index_pages_not_procedures(site):
    home = read(site, "")
    nav = home.split('<nav class="md-nav md-nav--primary"', 1)[1].split("md-sidebar--secondary", 1)[0]
    assert "co-quan/" in nav and "linh-vuc/" in nav and "du-lieu-mo/" in nav
    assert "thu-tuc/" not in nav


def test_home_has_headline_counts(site):
    home = read(site, "")
    assert f'<span class="tthc-figures__value">{len(CODES)}</span> <span class="tthc-figures__label">thủ tục</span>' in home
    assert '<span class="tthc-figures__value">2</span> <span class="tthc-figures__label">TTHC nội bộ</span>' in home


def test_sitemap_lists_every_procedure_page(site):
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    for code in CODES:
        assert f"/thu-tuc/{code}/</loc>" in sitemap


def test_open_data_files_and_schemas_are_published(site):
    from generator.render.indexes import file_size_label

    page = read(site, "du-lieu-mo")
    for name in ("catalog.json", "catalog.csv", "documents.csv", "methods.csv", "catalog.xlsx"):
        assert f'href="{name}"' in page
        size = (site / "du-lieu-mo" / name).stat().st_size
        assert size > 100
        # the page is rendered before the files are made; their sizes are filled in after
        assert f'data-label="Dung lượng">{file_size_label(size)}</td>' in page, name
    assert "TTHC-DUNG-LUONG" not in page
    for name in ("procedure.schema.json", "agencies.schema.json", "sectors.schema.json", "plan.schema.json"):
        assert f'href="../schemas/{name}"' in page
        # as published under a site address: its $id is the schema's URL there (tests/test_contribute.py)
        source = json.loads((REPO / "generator" / "schemas" / name).read_text(encoding="utf-8"))
        assert json.loads((site / "schemas" / name).read_text(encoding="utf-8")) == \
            {**source, "$id": f"https://tthc.example.vn/schemas/{name}"}


def test_mkdocs_build_gives_the_same_site(site, tmp_path):
    env = dict(os.environ, TTHC_CATALOG=str(MINI), TTHC_SITE_URL="https://tthc.example.vn/")  # as the fixture
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "m")], cwd=REPO,
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    ours = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    theirs = sorted(p.relative_to(tmp_path / "m").as_posix() for p in (tmp_path / "m").rglob("*.html"))
    assert ours == theirs
    for code in CODES:
        assert read(site, f"thu-tuc/{code}") == (tmp_path / "m" / "thu-tuc" / code / "index.html").read_text(encoding="utf-8")


def test_failed_build_leaves_the_previous_site_intact(tmp_path):
    catalog = tmp_path / "catalog"
    shutil.copytree(MINI, catalog)
    out = tmp_path / "site"
    assert tthc("build", "--catalog", str(catalog), "--site-dir", str(out), "--no-search").returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    target = catalog / "procedures" / "bo-xay-dung" / "1.000002.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("status: abolished", "status: gone"), encoding="utf-8")
    result = tthc("build", "--catalog", str(catalog), "--site-dir", str(out), "--no-search")
    assert result.returncode == 1
    assert "1.000002.yaml" in result.stderr and "error[" in result.stderr and "Traceback" not in result.stderr
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    # no staging folder left behind; the incremental cache of the first build stays (README "Building")
    assert sorted(x.name for x in tmp_path.iterdir()) == [".site-cache", ".site-lock", "catalog", "site"]


def test_unknown_related_code_fails_the_build(tmp_path):
    from generator.build import build_site
    from generator.catalog import read_catalog
    from generator.errors import CatalogInvalid

    catalog = tmp_path / "catalog"
    shutil.copytree(MINI, catalog)
    target = catalog / "procedures" / "bo-xay-dung" / "2.000003.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace('related: ["1.000001"]', 'related: ["1.999999"]'), encoding="utf-8")
    with pytest.raises(CatalogInvalid) as err:
        build_site(catalog, tmp_path / "site", config_file=REPO / "mkdocs.yml", search=False)
    assert any("1.999999" in d.message for d in err.value.report.errors)
    assert not (tmp_path / "site").exists()


def test_missing_catalog_is_a_usage_error(tmp_path):
    result = tthc("build", "--catalog", str(tmp_path / "nope"), "--site-dir", str(tmp_path / "site"))
    assert result.returncode == 2 and "catalog folder not found" in result.stderr


@pytest.mark.parametrize(("folder", "title"), [("thu-tuc/1.000001", "Cấp giấy phép xây dựng mới"),
                                              ("quyet-dinh/1085-qd-ttg", "'1085/QĐ-TTg'")])
def test_a_docs_file_at_a_generated_url_fails_naming_both(tmp_path, folder, title):
    """Also at a decision page's URL: those pages are written after MkDocs' build, like the procedures'."""
    from generator.build import build_site
    from generator.errors import BuildError

    docs = tmp_path / "docs" / folder
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Trang viết tay\n", encoding="utf-8")
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV [TTHC_CATALOG, catalog]", "catalog")
                            .replace('!ENV [TTHC_SITE_URL, ""]', "http://127.0.0.1:8000/"))
    config["docs_dir"] = str(tmp_path / "docs")
    config["theme"]["custom_dir"] = str(REPO / "site_templates" / "overrides")
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    with pytest.raises(BuildError) as err:
        build_site(MINI, tmp_path / "site", config_file=tmp_path / "mkdocs.yml", search=False, history=False)
    assert f"/{folder}/" in str(err.value) and f"{folder}/index.md in the docs folder" in str(err.value)
    assert title in str(err.value)
    assert not (tmp_path / "site").exists()
