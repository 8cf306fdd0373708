"""The build pipeline (generator/site.py): the layout rendered once gives the same site as
Material rendering every page; serial and parallel rendering write the same bytes; the
stage report; the sitemap lists the pages written outside MkDocs."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini_catalog"
pytestmark = pytest.mark.slow


def _git(root: Path, *args: str, date: str = "2026-06-10T09:00:00+07:00") -> None:
    env = dict(os.environ, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date, GIT_AUTHOR_NAME="Test",
               GIT_AUTHOR_EMAIL="t@example.vn", GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="t@example.vn")
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


@pytest.fixture(scope="module")
def catalog_repo(tmp_path_factory) -> Path:
    """The mini catalog in git with three commits: the import, a new name with characters that
    need escaping, and a formatting-only change."""
    root = tmp_path_factory.mktemp("repo")
    catalog = root / "catalog"
    shutil.copytree(MINI, catalog)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Nhập danh mục")
    path = catalog / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["name"] = 'Cấp giấy phép "xây dựng" <mới> & sửa'
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _git(root, "commit", "-q", "-am", "Sửa tên thủ tục", date="2026-07-01T09:00:00+07:00")
    path2 = catalog / "procedures" / "bo-xay-dung" / "1.000002.yaml"
    path2.write_text(path2.read_text(encoding="utf-8") + "# định dạng\n", encoding="utf-8")
    _git(root, "commit", "-q", "-am", "Định dạng", date="2026-07-02T09:00:00+07:00")
    return root


def _build(repo: Path, out: Path, **env: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, TTHC_SITE_URL="https://tthc.example.vn/", SOURCE_DATE_EPOCH="1780000000", **env)
    return subprocess.run([sys.executable, "-m", "generator.cli", "build", "--catalog", str(repo / "catalog"),
                           "--site-dir", str(out)], cwd=REPO, capture_output=True, text=True, env=environment,
                          timeout=600)


def _differences(a: Path, b: Path) -> list[str]:
    out: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        out.extend(f"only in one: {prefix}{name}" for name in cmp.left_only + cmp.right_only)
        out.extend(f"differs: {prefix}{name}" for name in cmp.diff_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(a, b, ignore=[]), "")
    return [line for line in out if _stable(line.split(": ", 1)[1])]


#: Pagefind's own output differs from run to run (the hashed names of its filter and
#: metadata files): the search data is compared through what tthc gives it (the words
#: files, the terms) and the fragments and index chunks, which are stable.
PAGEFIND_UNSTABLE = ("pagefind/filter/", "pagefind/pagefind-entry.json", ".pf_meta")


def _stable(name: str) -> bool:
    return not any(part in name for part in PAGEFIND_UNSTABLE)


def _shallow_equal_is_not_enough(a: Path, b: Path) -> list[str]:
    """dircmp compares by stat first; compare every file's bytes."""
    out = []
    for path in sorted(p for p in a.rglob("*") if p.is_file() and _stable(p.relative_to(a).as_posix())):
        other = b / path.relative_to(a)
        if not other.is_file() or other.read_bytes() != path.read_bytes():
            out.append(str(path.relative_to(a)))
    return out


def test_layout_once_gives_the_site_material_gives_page_by_page(catalog_repo, tmp_path):
    once = _build(catalog_repo, tmp_path / "once")
    assert once.returncode == 0, once.stderr
    every = _build(catalog_repo, tmp_path / "every", TTHC_LAYOUT_ONCE="0")
    assert every.returncode == 0, every.stderr
    assert _differences(tmp_path / "once", tmp_path / "every") == []
    assert _shallow_equal_is_not_enough(tmp_path / "once", tmp_path / "every") == []
    site = tmp_path / "once"
    assert not (site / "tthc-khung").exists()
    page = (site / "thu-tuc" / "1.000001" / "index.html").read_text(encoding="utf-8")
    assert "&#34;xây dựng&#34; &lt;mới&gt; &amp; sửa - " in page and "TTHCKHUNG" not in page
    assert '<link rel="canonical" href="https://tthc.example.vn/thu-tuc/1.000001/">' in page
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://tthc.example.vn/thu-tuc/1.000001/lich-su/" in sitemap and "tthc-khung" not in sitemap
    # a decision page, written from the layout too (not in the navigation): the comparison covers it
    decision = (site / "quyet-dinh" / "1085-qd-ttg" / "index.html").read_text(encoding="utf-8")
    assert "<title>1085/QĐ-TTg - " in decision and "&#34;xây dựng&#34; &lt;mới&gt; &amp; sửa" in decision
    assert '<link rel="canonical" href="https://tthc.example.vn/quyet-dinh/1085-qd-ttg/">' in decision
    assert "https://tthc.example.vn/quyet-dinh/1085-qd-ttg/" in sitemap


def test_parallel_rendering_writes_the_bytes_of_a_serial_run(catalog_repo, tmp_path, monkeypatch):
    """The pool renders only from 200 procedures up; the test lowers the threshold in-process."""
    from generator import site as pipeline
    from generator.build import build_site, site_size

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_PROCEDURES", 1)
    monkeypatch.setattr(pipeline, "PACK_FROM", 1)  # the history packed before the fork, as at 500 procedures
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    monkeypatch.setenv("TTHC_WORKERS", "1")
    build_site(catalog_repo / "catalog", tmp_path / "serial", search=False)
    monkeypatch.setenv("TTHC_WORKERS", "2")
    monkeypatch.setenv("TTHC_STAGE_REPORT", str(tmp_path / "stages.json"))
    build_site(catalog_repo / "catalog", tmp_path / "parallel", search=False)
    counts = json.loads((tmp_path / "stages.json").read_text(encoding="utf-8"))["counts"]
    assert (counts["processes"], counts["history_packed"]) == (2, 1)
    assert _shallow_equal_is_not_enough(tmp_path / "serial", tmp_path / "parallel") == []
    assert _differences(tmp_path / "serial", tmp_path / "parallel") == []
    # again: the rendering processes link every page from the cache, and the main process keeps their entries
    result = build_site(catalog_repo / "catalog", tmp_path / "parallel", search=False)
    # the summary counts the procedures' folders from what was written, and that is what a walk finds
    assert (result.pages, result.bytes) == site_size(tmp_path / "parallel") and result.pages > 9 * 3
    counts = json.loads((tmp_path / "stages.json").read_text(encoding="utf-8"))["counts"]
    assert (counts["procedures_rendered"], counts["procedures_reused"], counts["processes"]) == (0, 9, 2)
    assert counts["history_packed"] == 0  # (nothing to render: the history is not packed)
    assert (counts["decisions_rendered"], counts["decisions_reused"]) == (0, 1)
    assert _shallow_equal_is_not_enough(tmp_path / "serial", tmp_path / "parallel") == []
    manifest = json.loads((tmp_path / ".parallel-cache" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["procedures"]) == 9 + 1 and "quyet-dinh/1085-qd-ttg/" in manifest["procedures"]


def test_the_progress_bar_counts_every_page_written_after_mkdocs(catalog_repo, tmp_path, monkeypatch):
    """The pages written after MkDocs' are steps of the bar, one per procedure and one per decision
    page (9 + 1 in the mini catalog): once they are written it stands at its last step but one
    (the search index), not past it before and not short of it."""
    from generator.build import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    steps: list[tuple[int, int]] = []
    build_site(catalog_repo / "catalog", tmp_path / "site", search=False, progress=lambda done, total: steps.append((done, total)))
    total = steps[-1][1]
    done = [d for d, t in steps if t == total]
    assert done == sorted(done) and done[-1] == total
    before_search = [d for d in done if d < total][-1]
    assert before_search == total - 1
    assert total - 1 - (9 + 1) in done  # MkDocs' pages (and the layout pages) were the steps before


def test_stage_report_names_each_stage_with_time_and_memory(catalog_repo, tmp_path):
    report = tmp_path / "stages.json"
    result = _build(catalog_repo, tmp_path / "site", TTHC_STAGE_REPORT=str(report))
    assert result.returncode == 0, result.stderr
    stages = json.loads(report.read_text(encoding="utf-8"))["stages"]
    names = [s["name"] for s in stages]
    assert names[:2] == ["read and validate the catalog", "read the history"]
    assert "render and write the procedures' pages" in names and names[-2:] == ["search index", "save the cache"]
    assert all(s["seconds"] >= 0 and s["peak_rss_bytes"] > 10_000_000 for s in stages)


def _stable_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
            if p.is_file() and _stable(p.relative_to(site).as_posix())}


def test_an_edit_renders_exactly_the_pages_it_changes_and_gives_the_site_a_full_build_gives(catalog_repo, tmp_path):
    """Incremental build (generator/cache.py): after editing one procedure's time limit in the
    working tree, only that procedure's pages are rendered (no decision page: none shows it),
    Pagefind does not run (time limits are not searched), and the site equals a build without
    the cache, byte for byte; editing what a decision page shows renders that page again."""
    work = tmp_path / "repo"
    shutil.copytree(catalog_repo, work)
    report = tmp_path / "stages.json"
    assert _build(work, tmp_path / "site", TTHC_STAGE_REPORT=str(report)).returncode == 0
    first = json.loads(report.read_text(encoding="utf-8"))["counts"]
    assert first["procedures_rendered"] == 9 and first["procedures_reused"] == 0
    assert (first["decisions_rendered"], first["decisions_reused"]) == (1, 0)
    before = _stable_files(tmp_path / "site")

    path = work / "catalog" / "procedures" / "ubnd-tinh-an-giang" / "2.000100.yaml"
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    old_days = data["methods"][0]["processing_time"]["value"]
    data["methods"][0]["processing_time"]["value"] = old_days + 7
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    result = _build(work, tmp_path / "site", TTHC_STAGE_REPORT=str(report))
    assert result.returncode == 0, result.stderr
    second = json.loads(report.read_text(encoding="utf-8"))["counts"]
    assert (second["procedures_rendered"], second["procedures_reused"], second["search_reused"]) == (1, 8, 1)
    assert (second["decisions_rendered"], second["decisions_reused"]) == (0, 1)
    after = _stable_files(tmp_path / "site")
    changed = {name for name in after if before.get(name) != after[name] and name.startswith("thu-tuc/")}
    assert changed == {"thu-tuc/2.000100/index.html"}
    assert f"{old_days + 7} ngày" in after["thu-tuc/2.000100/index.html"].decode("utf-8")

    _full_build(work, tmp_path / "full")
    assert _stable_files(tmp_path / "full") == after

    # the summary of 1.000001's simplification is on the page of decision 1085/QĐ-TTg
    path = work / "catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("xuống 15 ngày", "xuống 12 ngày"), encoding="utf-8")
    assert _build(work, tmp_path / "site", TTHC_STAGE_REPORT=str(report)).returncode == 0
    third = json.loads(report.read_text(encoding="utf-8"))["counts"]
    assert (third["procedures_rendered"], third["decisions_rendered"], third["decisions_reused"]) == (1, 1, 0)
    # the folders of the 7 procedures unchanged since the first build were moved from its site (the spare)
    assert (second["pages_moved"], third["pages_moved"]) == (0, 7)
    assert (tmp_path / ".site-spare" / "thu-tuc").is_dir()
    page = (tmp_path / "site" / "quyet-dinh" / "1085-qd-ttg" / "index.html").read_text(encoding="utf-8")
    assert "xuống 12 ngày" in page and "xuống 15 ngày" not in page
    _full_build(work, tmp_path / "full2")
    assert _stable_files(tmp_path / "full2") == _stable_files(tmp_path / "site")


def test_a_new_name_renders_the_procedure_and_the_pages_that_name_it_not_every_page(catalog_repo, tmp_path):
    """A procedure's name is shown on the pages of the procedures that link to it (related,
    replaced by, replacing: generator/render/procedures.py), so editing it renders those again,
    and no other procedure's pages (it used to render all of them); the site is still a full
    build's, byte for byte. In the mini catalog 1.000001 lists 2.000003 as related, and
    1.000003 is replaced by it."""
    work = tmp_path / "repo"
    shutil.copytree(catalog_repo, work)
    report = tmp_path / "stages.json"
    assert _build(work, tmp_path / "site", TTHC_STAGE_REPORT=str(report)).returncode == 0
    before = _stable_files(tmp_path / "site")

    path = work / "catalog" / "procedures" / "bo-xay-dung" / "2.000003.yaml"
    old = "Gia hạn, điều chỉnh giấy phép xây dựng"
    path.write_text(path.read_text(encoding="utf-8").replace(f"name: {old}", "name: Gia hạn và điều chỉnh giấy phép"),
                    encoding="utf-8")
    result = _build(work, tmp_path / "site", TTHC_STAGE_REPORT=str(report))
    assert result.returncode == 0, result.stderr
    counts = json.loads(report.read_text(encoding="utf-8"))["counts"]
    assert (counts["procedures_rendered"], counts["procedures_reused"]) == (3, 6)
    after = _stable_files(tmp_path / "site")
    changed = {name.split("/")[1] for name in after if name.startswith("thu-tuc/") and before.get(name) != after[name]}
    assert changed == {"2.000003", "1.000001", "1.000003"}
    for code in ("1.000001", "1.000003"):
        page = after[f"thu-tuc/{code}/index.html"].decode("utf-8")
        assert "Gia hạn và điều chỉnh giấy phép" in page and old not in page
    _full_build(work, tmp_path / "full")
    assert _stable_files(tmp_path / "full") == after


def _full_build(repo: Path, out: Path) -> None:
    """``tthc build --no-cache`` of ``repo``'s catalog into ``out``."""
    subprocess.run([sys.executable, "-m", "generator.cli", "build", "--no-cache", "--catalog", str(repo / "catalog"),
                    "--site-dir", str(out)], cwd=REPO, check=True, capture_output=True,
                   env=dict(os.environ, TTHC_SITE_URL="https://tthc.example.vn/", SOURCE_DATE_EPOCH="1780000000"))


def test_a_damaged_or_crafted_cache_never_gives_a_wrong_site_nor_writes_outside_it(catalog_repo, tmp_path):
    """The cache's files must have the SHA-256 its manifest records (a same-size edit, a deleted or
    rewritten search file are caught), and its paths must stay inside it (no ../)."""
    work = tmp_path / "repo"
    shutil.copytree(catalog_repo, work)
    assert _build(work, tmp_path / "site").returncode == 0
    cache = tmp_path / ".site-cache"
    page = cache / "pages" / "thu-tuc" / "1.000001" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("<title>", "<titlf>"), encoding="utf-8")  # same size
    terms = cache / "pagefind" / "tthc-terms.json"
    terms.write_text("x", encoding="utf-8")
    (tmp_path / "outside.txt").unlink(missing_ok=True)
    (cache / "proof.txt").write_text("pwn", encoding="utf-8")
    manifest = json.loads((cache / "manifest.json").read_text(encoding="utf-8"))
    manifest["procedures"]["1.000002"]["files"].append(["../../outside.txt", "0" * 64])
    manifest["procedures"]["1.000003"]["files"].append(["../proof.txt", "0" * 64])
    (cache / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    assert _build(work, tmp_path / "site").returncode == 0
    subprocess.run([sys.executable, "-m", "generator.cli", "build", "--no-cache", "--catalog", str(work / "catalog"),
                    "--site-dir", str(tmp_path / "full")], cwd=REPO, check=True, capture_output=True,
                   env=dict(os.environ, TTHC_SITE_URL="https://tthc.example.vn/", SOURCE_DATE_EPOCH="1780000000"))
    assert _stable_files(tmp_path / "site") == _stable_files(tmp_path / "full")
    assert not (tmp_path / "outside.txt").exists() and not (tmp_path / "proof.txt").exists()
    assert not (tmp_path / "site" / "proof.txt").exists()


def test_a_load_memo_reads_again_exactly_the_files_that_changed(tmp_path):
    """The build keeps the loaded procedure files (generator.validate.LoadMemo): an unchanged file
    is not read again, an edited one (even of the same size) is, and the result is a fresh load's."""
    from generator.validate import check_catalog_files, load_catalog_files

    root = tmp_path / "catalog"
    shutil.copytree(MINI, root)
    memo: dict = {}
    first = load_catalog_files(root, memo=memo)
    edited = root / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    text = edited.read_text(encoding="utf-8")
    name = next(line for line in text.splitlines() if line.startswith("name: "))
    edited.write_text(text.replace(name, name[:-1] + ("X" if name[-1] != "X" else "Y"), 1), encoding="utf-8")
    second = load_catalog_files(root, memo=memo)
    fresh = load_catalog_files(root)
    assert [(p, f.data, f.diagnostics) for p, f in second.procedures] == [(p, f.data, f.diagnostics) for p, f in fresh.procedures]
    assert check_catalog_files(second).diagnostics == check_catalog_files(fresh).diagnostics
    again = {p: f for p, f in second.procedures}
    for path, loaded in first.procedures:
        assert (again[path] is loaded) == (path != edited), path  # reused exactly when unchanged
    # the file just edited is not kept: a second edit within one clock tick could keep its stamp
    assert len(memo) == len(second.procedures) - 1
    assert not any(stamp[0].endswith("1.000001.yaml") for stamp in memo)


def test_the_templates_cache_never_fails_a_render(tmp_path):
    """The Jinja2 bytecode kept in the cache folder (``jinja/``): a damaged file, or the folder
    removed (an earlier build's cache, still set in this process), means compiling again."""
    import jinja2

    from generator.cache import PageCache

    bytecode = PageCache(tmp_path / "cache").templates()
    source = {"page.html": "{{ n + 1 }}"}
    assert jinja2.Environment(loader=jinja2.DictLoader(source), bytecode_cache=bytecode).get_template("page.html").render(n=1) == "2"
    [compiled] = (tmp_path / "cache" / "jinja").iterdir()
    compiled.write_bytes(b"not marshal data")
    assert jinja2.Environment(loader=jinja2.DictLoader(source), bytecode_cache=bytecode).get_template("page.html").render(n=2) == "3"
    shutil.rmtree(tmp_path / "cache")
    assert jinja2.Environment(loader=jinja2.DictLoader(source), bytecode_cache=bytecode).get_template("page.html").render(n=3) == "4"


def test_links_inside_a_crafted_cache_never_lead_its_writes_outside(catalog_repo, tmp_path):
    """A cache folder whose ``jinja/``, ``pagefind/``, a temporary file or a folder of ``pages/`` is a
    symbolic link to a folder outside: a rebuild that renders those pages again (1.000001 edited),
    removes them (2.000101 deleted) and indexes the search again writes and removes nothing there
    (it wrote the templates' bytecode, the pages' links, the search bundle and the manifest through
    them, and unlinked the deleted procedure's pages outside), and gives a full build's site."""
    work = tmp_path / "repo"
    shutil.copytree(catalog_repo, work)
    assert _build(work, tmp_path / "site").returncode == 0
    cache, outside = tmp_path / ".site-cache", tmp_path / "outside"
    outside.mkdir()
    for name in ("jinja", "pagefind"):
        shutil.copytree(cache / name, outside / name)
        shutil.rmtree(cache / name)
        (cache / name).symlink_to(outside / name)
    for code in ("1.000001", "2.000101"):
        shutil.copytree(cache / "pages" / "thu-tuc" / code, outside / code)
        shutil.rmtree(cache / "pages" / "thu-tuc" / code)
        (cache / "pages" / "thu-tuc" / code).symlink_to(outside / code)
    for name in (".manifest.json.tmp", ".history.pickle.tmp", ".open-data.pickle.tmp"):
        (outside / name).write_text("keep me", encoding="utf-8")
        (cache / name).symlink_to(outside / name)
    before = {p.relative_to(outside).as_posix(): p.read_bytes() for p in outside.rglob("*") if p.is_file()}

    path = work / "catalog" / "procedures" / "bo-xay-dung" / "1.000001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Cấp giấy phép", "Cấp lại giấy phép"), encoding="utf-8")
    (work / "catalog" / "procedures" / "ubnd-tinh-an-giang" / "2.000101.yaml").unlink()
    _git(work, "commit", "-q", "-am", "Sửa và bãi bỏ", date="2026-07-03T09:00:00+07:00")
    result = _build(work, tmp_path / "site")
    assert result.returncode == 0, result.stderr

    after = {p.relative_to(outside).as_posix(): p.read_bytes() for p in outside.rglob("*") if p.is_file()}
    assert after == before
    _full_build(work, tmp_path / "full")
    assert _stable_files(tmp_path / "site") == _stable_files(tmp_path / "full")


def test_a_spare_written_into_gives_no_extra_file_no_link_and_takes_nothing_from_the_published_site(catalog_repo, tmp_path):
    """The spare (the site replaced last time, ``.site-spare/``) is a folder anyone can write in:
    a file added to a procedure's folder or to the search bundle, a procedure's folder replaced by a
    symbolic link to the published one, or ``quyet-dinh/`` made a link to the published site's: the
    next build moves none of these (it moved the extra files into the new site, published a link
    that loops, and took the decision page's folder out of the published site while building),
    links those pages from the cache, and gives a full build's site."""
    work = tmp_path / "repo"
    shutil.copytree(catalog_repo, work)
    site, spare, report = tmp_path / "site", tmp_path / ".site-spare", tmp_path / "stages.json"
    for _ in range(2):
        assert _build(work, site).returncode == 0
    (spare / "thu-tuc" / "1.000003" / "extra.html").write_text("junk", encoding="utf-8")
    (spare / "thu-tuc" / "1.000003" / "lich-su" / "extra").mkdir()
    (spare / "pagefind" / "extra.js").write_text("junk", encoding="utf-8")
    shutil.rmtree(spare / "thu-tuc" / "1.000002")
    (spare / "thu-tuc" / "1.000002").symlink_to(site / "thu-tuc" / "1.000002")
    shutil.rmtree(spare / "quyet-dinh")
    (spare / "quyet-dinh").symlink_to(site / "quyet-dinh")

    result = _build(work, site, TTHC_STAGE_REPORT=str(report))
    assert result.returncode == 0, result.stderr
    counts = json.loads(report.read_text(encoding="utf-8"))["counts"]
    assert (counts["procedures_reused"], counts["pages_moved"], counts["search_reused"]) == (9, 7, 1)
    assert not [p for p in site.rglob("*") if p.is_symlink()]
    assert not (site / "thu-tuc" / "1.000003" / "extra.html").exists() and not (site / "pagefind" / "extra.js").exists()
    assert not (site / "thu-tuc" / "1.000003" / "lich-su" / "extra").exists()
    # the site published during that build is the spare now, its decision page still in it
    assert (spare / "quyet-dinh" / "1085-qd-ttg" / "index.html").is_file()
    _full_build(work, tmp_path / "full")
    assert _stable_files(site) == _stable_files(tmp_path / "full")


def test_a_damaged_cache_entry_never_writes_into_the_published_sites_files(catalog_repo, tmp_path):
    """A manifest entry whose files are as recorded but whose search records are damaged: its
    pages are rendered again, into new files. They were first moved from the spare (or linked
    from the cache), then written through those links: into the cache's file and the page the
    published site serves during the build, which is the same file."""
    work = tmp_path / "repo"
    shutil.copytree(catalog_repo, work)
    site, cache = tmp_path / "site", tmp_path / ".site-cache"
    for _ in range(2):
        assert _build(work, site).returncode == 0
    page = site / "thu-tuc" / "1.000003" / "index.html"
    served = (page.stat().st_ino, page.stat().st_mtime_ns)
    manifest = json.loads((cache / "manifest.json").read_text(encoding="utf-8"))
    for code in ("1.000003", "1.000002"):
        manifest["procedures"][code]["records"] = {f"thu-tuc/{code}/index.html": {"parts": 5}}
    (cache / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    shutil.rmtree(tmp_path / ".site-spare" / "thu-tuc" / "1.000002")  # linked from the cache, not moved

    result = _build(work, site)
    assert result.returncode == 0, result.stderr
    old = tmp_path / ".site-spare" / "thu-tuc" / "1.000003" / "index.html"  # the page served during the build
    assert (old.stat().st_ino, old.stat().st_mtime_ns) == served
    assert page.stat().st_ino != served[0]
    _full_build(work, tmp_path / "full")
    assert _stable_files(site) == _stable_files(tmp_path / "full")


def test_an_upgraded_generator_indexes_the_search_again(catalog_repo, tmp_path, monkeypatch):
    """The search bundle is kept while what it is made from is unchanged: the search records, and
    the generator's code and Pagefind's version, which make it from them. A new generator (its
    code's digest, here changed by hand) renders every page again and ran Pagefind no more: the
    site kept the bundle the old code had made, which a build without the cache does not give."""
    from generator import cache as page_cache
    from generator.build import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    monkeypatch.setenv("TTHC_STAGE_REPORT", str(tmp_path / "stages.json"))

    def search_reused() -> int:
        return json.loads((tmp_path / "stages.json").read_text(encoding="utf-8"))["counts"]["search_reused"]

    build_site(catalog_repo / "catalog", tmp_path / "site", config_file=REPO / "mkdocs.yml")
    build_site(catalog_repo / "catalog", tmp_path / "site", config_file=REPO / "mkdocs.yml")
    assert search_reused() == 1
    monkeypatch.setattr(page_cache, "code_digest", lambda: "the next version's code")
    build_site(catalog_repo / "catalog", tmp_path / "site", config_file=REPO / "mkdocs.yml")
    assert search_reused() == 0
    build_site(catalog_repo / "catalog", tmp_path / "site", config_file=REPO / "mkdocs.yml")
    assert search_reused() == 1


def test_a_build_failing_after_the_open_data_began_leaves_no_temporary_folder(catalog_repo, tmp_path, monkeypatch):
    """The open-data files are made into a temporary folder by another process while the pages
    are rendered (generator/site.py ``write_open_data``); a build that fails meanwhile (here: a
    full disk when the procedures' pages are written) removes it, and publishes nothing."""
    import errno
    import tempfile

    from generator.build import build_site
    from generator.errors import BuildError

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    real = Path.write_bytes

    def full(self: Path, data: bytes) -> int:
        if "thu-tuc" in self.parts:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(BuildError, match="nothing was published"):
        build_site(catalog_repo / "catalog", tmp_path / "site", search=False)
    assert not (tmp_path / "site").exists()
    assert [p.name for p in temporary.iterdir() if p.name.startswith("tthc-open-data-")] == []
    monkeypatch.setattr(Path, "write_bytes", real)
    build_site(catalog_repo / "catalog", tmp_path / "site", search=False)
    assert (tmp_path / "site" / "du-lieu-mo" / "catalog.csv").stat().st_size > 100
    assert [p.name for p in temporary.iterdir() if p.name.startswith("tthc-open-data-")] == []
