"""The first search at N procedures without building an N-procedure site.

A full build of 50,000 procedures takes about half an hour on the 2-core
machine, but what a first search downloads depends only on the home page's
search UI and the Pagefind bundle. This helper makes both the way the build
does, with the build's own code:

1. the search records of the N procedures of ``benchmarks/synthetic.py``:
   the catalog of ``benchmarks/out/synthetic-<N>`` is read and validated
   (:func:`generator.catalog.read_catalog`), each procedure's page is
   rendered (:class:`generator.render.procedures.ProcedureRenderer`, as the
   render stage does) and read by :func:`generator.search.searchable_text`;
   the records are kept in ``benchmarks/out/search-records-<N>-<key>.json``,
   ``<key>`` a hash of the generator's and this folder's code, so a change of
   either makes them again;
2. a small site: ``tthc build --no-search`` of the first
   :data:`SMALL_SITE` procedures of the same synthetic catalog (home page,
   search UI, CSS and JS as built), into which :func:`generator.search.index_records`
   writes the Pagefind bundle of the N records (what ``tthc build`` runs
   last, compaction included);
3. :func:`run.first_search_bytes` on it.

The pages of procedures beyond the small site are not on disk; a first
search reads only ``/pagefind/`` files (the results link to the pages, they
do not load them), so the bytes are the same; ``--check`` compares them with
a full build's at a small size. Measured on 1 December 2026: at 2,000
procedures 171.9 kB both ways; before the page reordering of
:func:`generator.search.compact_bundle`, 188.5 kB at 10,000 and 348.6 kB at
50,000, where full builds had measured 188 kB and 348 kB; after it, 169.7 kB
and 256.8 kB.

Usage::

    python benchmarks/search_bench.py 10000 50000       # breakdown at each size
    python benchmarks/search_bench.py 2000 --check      # and the full build's figure
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

#: Procedures of the small site that carries the home page and search UI.
SMALL_SITE = 50


def _code_key() -> str:
    """Hash of the generator's and the benchmarks' Python code and templates (what the records depend on)."""
    digest = hashlib.sha256()
    for folder in (REPO / "generator", REPO / "benchmarks", REPO / "site_templates" / "pages"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".html", ".yaml", ".json") and "out" not in path.relative_to(REPO).parts:
                digest.update(path.relative_to(REPO).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def search_records(count: int) -> dict:
    """The search records of the ``count`` synthetic procedures, by page path (``thu-tuc/<code>/index.html``).

    Made as the render stage makes them (module docstring), kept in ``benchmarks/out/``.

    Returns:
        ``{path: SearchRecord}``.

    Raises:
        SystemExit: the synthetic catalog is not valid.
    """
    from generator.catalog import read_catalog
    from generator.render.procedures import ProcedureRenderer
    from generator.render.urls import UrlRegistry
    from generator.search import SearchRecord, searchable_text
    from run import OUT, synthetic_catalog

    cached = OUT / f"search-records-{count}-{_code_key()}.json"
    if cached.is_file():
        rows = json.loads(cached.read_text(encoding="utf-8"))
        return {path: SearchRecord(tuple((t, w) for t, w in parts), tuple(tuple(tag) for tag in tags), words)
                for path, parts, tags, words in rows}
    catalog, report = read_catalog(synthetic_catalog(count))
    if catalog is None or not catalog.procedures:
        raise SystemExit(f"search_bench: the synthetic catalog of {count} is not valid")
    renderer = ProcedureRenderer(catalog, None, None, None)
    registry = UrlRegistry()
    for procedure in catalog.procedures:
        renderer.check(procedure, registry)
    records = {}
    for procedure in catalog.procedures:
        page = renderer.page(procedure)
        record = searchable_text(str(page.html))
        if record is not None:
            records[f"{page.url}index.html"] = record
    rows = [[path, list(map(list, r.parts)), list(map(list, r.tags)), r.words] for path, r in records.items()]
    cached.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return records


def small_site(out: Path) -> Path:
    """``tthc build --no-search`` of the first :data:`SMALL_SITE` synthetic procedures into ``out``."""
    from run import synthetic_catalog, tthc

    if not (out / "index.html").is_file():
        subprocess.run(tthc("build", "--no-search", "--no-cache", "--catalog", str(synthetic_catalog(SMALL_SITE)),
                            "--site-dir", str(out)), cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return out


def measure(count: int, work: Path) -> dict[str, int]:
    """:func:`run.first_search_bytes` of a small site with the bundle of ``count`` synthetic records.

    Args:
        count: procedures.
        work: a scratch folder (the site is made in ``work/site``).

    Returns:
        The dict of :func:`run.first_search_bytes`.
    """
    from generator.search import index_records
    from run import first_search_bytes

    site = small_site(work / "site")
    index_records(site, search_records(count))
    return first_search_bytes(site)


def main(argv: list[str] | None = None) -> int:
    from run import first_search_bytes, kb, print_search, synthetic_catalog, tthc

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="+", help="numbers of procedures")
    parser.add_argument("--check", action="store_true", help="also build each size in full and measure that site")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tthc-search-bench-") as name:
        work = Path(name)
        for count in args.sizes:
            result = measure(count, work)
            print_search(f"{count:,} procedures, small site + bundle of {count:,} records", result)
            if args.check:
                site = work / f"full-{count}"
                subprocess.run(tthc("build", "--no-cache", "--catalog", str(synthetic_catalog(count)), "--site-dir", str(site)),
                               cwd=REPO, check=True, stdout=subprocess.DEVNULL)
                full = first_search_bytes(site)
                print_search(f"{count:,} procedures, full build", full)
                print(f"  difference: {kb(result['total_gzip'] - full['total_gzip'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
