"""The "Đóng góp" page, the "Phản ánh, kiến nghị" link (plugin option feedback_url) and the
published schemas' $id, on builds of the mini catalog."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from generator.build import build_site
from generator.errors import UsageError
from generator.resources import schemas_dir
from generator.schema_ref import schema_location

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini_catalog"
SITE_URL = "https://tthc.thu-nghiem.gov.vn/"


def build(tmp_path: Path, *, site_url: str = "", repo_url: str | None = None, docs_dir: str | None = None,
          **plugin: str) -> Path:
    """Build the mini catalog with the repository's mkdocs.yml plus the given plugin options."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8")
                            .replace("!ENV [TTHC_CATALOG, catalog]", str(MINI))
                            .replace('!ENV [TTHC_SITE_URL, ""]', json.dumps(site_url)))
    config["docs_dir"] = docs_dir or str(REPO / "site_templates" / "docs")
    config["plugins"] = [{"tthc": {"catalog": str(MINI), "search": False, "history": False, **plugin}}]
    if repo_url:
        config["repo_url"] = repo_url
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    site = tmp_path / "site"
    build_site(None, site, config_file=tmp_path / "mkdocs.yml")
    return site


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def test_each_procedure_page_links_to_the_configured_report_channel_with_code_and_page_url(tmp_path: Path) -> None:
    site = build(tmp_path, site_url=SITE_URL,
                 feedback_url="https://github.com/tinh-thu-nghiem/danh-muc/issues/new?title={code}&body={url}")
    text = page(site, "thu-tuc/1.000001")
    href = re.search(r'<h2 id="phan-anh">Phản ánh, kiến nghị</h2>\s*<p>[^<]*<a href="([^"]+)"', text)[1]
    assert html.unescape(href) == ("https://github.com/tinh-thu-nghiem/danh-muc/issues/new?title=1.000001"
                                   "&body=https%3A%2F%2Ftthc.thu-nghiem.gov.vn%2Fthu-tuc%2F1.000001%2F")


def test_a_mailto_channel_gets_the_name_percent_encoded(tmp_path: Path) -> None:
    site = build(tmp_path, feedback_url="mailto:kiemsoat.tthc@thu-nghiem.gov.vn?subject={code}%20{name}")
    text = page(site, "thu-tuc/2.000100")
    href = html.unescape(re.search(r'<a href="(mailto:[^"]+)"', text)[1])
    subject = href.split("subject=", 1)[1]
    name = yaml.safe_load((MINI / "procedures" / "ubnd-tinh-an-giang" / "2.000100.yaml").read_text(encoding="utf-8"))["name"]
    assert subject.isascii() and " " not in subject and unquote(subject) == f"2.000100 {name}"


def test_no_channel_no_link(tmp_path: Path) -> None:
    site = build(tmp_path)
    assert 'id="phan-anh"' not in page(site, "thu-tuc/1.000001")
    assert "Phản ánh, kiến nghị" not in page(site, "dong-gop")


@pytest.mark.parametrize("value, message", [
    ("javascript:alert(1)", "must start with https://, http:// or mailto:"),
    ("https://example.vn/?q={ma}", "unknown placeholder(s) {ma}"),
])
def test_a_bad_channel_fails_the_build_with_what_to_write(tmp_path: Path, value: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        build(tmp_path, feedback_url=value)
    assert not (tmp_path / "site").exists()


def test_the_contribute_page_explains_submitting_and_the_error_line_and_is_in_the_navigation(tmp_path: Path) -> None:
    site = build(tmp_path, repo_url="https://github.com/tinh-thu-nghiem/danh-muc",
                 feedback_url="mailto:kiemsoat.tthc@thu-nghiem.gov.vn")
    text = page(site, "dong-gop")
    assert '<h2 id="gui-thay-doi">Gửi một thay đổi</h2>' in text and '<h2 id="doc-thong-bao-loi">' in text
    assert "tthc new --agency" in text and "simplifications" in text and "amendments" in text
    assert "error[schema-type] documents[0].copies" in text and "dòng 12, cột 13" in text
    assert 'href="https://github.com/tinh-thu-nghiem/danh-muc"' in text
    assert "Phản ánh, kiến nghị" in text
    assert re.search(r'<a href="[./]*dong-gop/"[^>]*>\s*(<span[^>]*>\s*)?Đóng góp', page(site, "")), "not in the navigation"


def test_published_schemas_have_the_sites_fetchable_id_and_nothing_else_changed(tmp_path: Path) -> None:
    site = build(tmp_path, site_url=SITE_URL)
    for source in sorted(schemas_dir().glob("*.schema.json")):
        published = json.loads((site / "schemas" / source.name).read_text(encoding="utf-8"))
        original = json.loads(source.read_text(encoding="utf-8"))
        assert published["$id"] == f"{SITE_URL}schemas/{source.name}"
        assert {k: v for k, v in published.items() if k != "$id"} == {k: v for k, v in original.items() if k != "$id"}
        draft7 = json.loads((site / "schemas" / "draft-07" / source.name).read_text(encoding="utf-8"))
        assert draft7["$id"] == f"{SITE_URL}schemas/draft-07/{source.name}"
        assert draft7["$schema"] == "http://json-schema.org/draft-07/schema#"
    # the draft-07 copy is the address the editors' schema lines name
    assert schema_location(Path("catalog/procedures/a/1.000001.yaml"), "procedure", SITE_URL) == \
        f"{SITE_URL}schemas/draft-07/procedure.schema.json"
    unset = build(tmp_path / "plain")
    assert (unset / "schemas" / "plan.schema.json").read_bytes() == (schemas_dir() / "plan.schema.json").read_bytes()


def test_a_docs_page_at_the_contribute_url_fails_naming_both(tmp_path: Path) -> None:
    from generator.errors import BuildError

    docs = tmp_path / "docs"
    shutil.copytree(REPO / "site_templates" / "docs", docs)
    (docs / "dong-gop.md").write_text("# Đóng góp (viết tay)\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"/dong-gop/: dong-gop\.md in the docs folder"):
        build(tmp_path, docs_dir=str(docs))
