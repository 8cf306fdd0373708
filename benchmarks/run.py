"""Benchmarks of tthc: one command that prints every figure.

For the real catalog (``catalog/``), each a median of 3 runs (1 with
``--quick``), each run a fresh process through the real entry point:

* load + validate time (``tthc validate``) and its peak memory;
* full build time (``tthc build``: pages, exports, Pagefind index) and its
  peak memory (largest process: the build or the Pagefind binary it runs);
* site size (bytes, files) and the Pagefind bundle's size;
* bytes a browser downloads for a first search.

For a synthetic catalog (``benchmarks/synthetic.py``, 10,000 procedures, or
2,000 with ``--quick``): build time, site size and first-search bytes, one
run (a build takes minutes).

**First-search bytes** are measured in Debian's Chromium (Playwright): the
home page is loaded, then every response to a ``/pagefind/`` request is
summed while the query ``giay phep`` is typed and its first page of 10
results is shown: Pagefind's entry JS and worker, WASM, metadata, the index
chunks and the 10 result fragments, each part printed (the filter lists
load only when the filter panel is opened, so they are not part of a first
search; their total is printed apart). Sizes are
the bytes served (``http.server``, no compression: Pagefind's index files
are already gzipped); the figure "gzip" also compresses the two JS files as
any web server would.

Then ``benchmarks/history_bench.py`` is run, when present, and its output
printed.

Usage::

    python benchmarks/run.py           # full: medians of 3, 10,000 synthetic
    python benchmarks/run.py --quick   # 1 run each, 2,000 synthetic
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out"
CHROMIUM = os.environ.get("TTHC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
QUERY = "giay phep"
TARGET_FIRST_SEARCH_BYTES = 300_000


@dataclass(frozen=True)
class Run:
    """One process run: wall time (s) and peak resident memory (bytes)."""

    seconds: float
    peak_rss: int


def timed(cmd: list[str], cwd: Path = REPO) -> Run:
    """Run ``cmd``; its wall time and the peak RSS of it or any child it waited for.

    Raises:
        SystemExit: the command failed (its output is printed).
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stdout.write(output.decode("utf-8", "replace"))
        raise SystemExit(f"benchmark: {' '.join(cmd)} failed with exit code {proc.returncode}")
    return Run(seconds, usage.ru_maxrss * 1024)


def tthc(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator.cli", *args]


def folder_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def first_search_bytes(site: Path, query: str = QUERY) -> dict[str, int]:
    """Bytes of the ``/pagefind/`` responses for a first search, by kind.

    Returns:
        ``{"js": ..., "js_gzip": ..., "wasm": ..., "meta": ..., "filter": ...,
        "index": ..., "chunks": N, "fragment": ..., "terms": ..., "total": ...,
        "total_gzip": ..., "results": N, "requests": N}`` (bytes; "meta" is
        ``pagefind-entry.json`` plus ``pf_meta``; "terms" is
        ``tthc-terms.json`` and the ``tthc-words/`` files of
        ``generator/search.py``, counted uncompressed).
    """
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    sizes: dict[str, int] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(base)
            page.wait_for_load_state("networkidle")
            responses = []
            page.on("response", lambda r: responses.append(r) if "/pagefind/" in r.url else None)
            page.locator("#tthc-search-q").click()
            page.locator("#tthc-search-q").fill(query)
            page.wait_for_function(
                "() => /kết quả|Không tìm thấy/.test(document.querySelector('.tthc-search__status').textContent)",
                timeout=60_000,
            )
            page.wait_for_function(
                "() => document.querySelectorAll('.tthc-search__results > li').length > 0"
                " || /Không/.test(document.querySelector('.tthc-search__status').textContent)",
                timeout=60_000,
            )
            page.wait_for_load_state("networkidle")
            results = page.locator(".tthc-search__results > li").count()
            for response in responses:
                sizes[response.url.split("?")[0]] = len(response.body())
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    kinds = {"js": 0, "wasm": 0, "meta": 0, "filter": 0, "index": 0, "fragment": 0, "terms": 0}
    total_gzip = js_gzip = chunks = 0
    for url, size in sizes.items():
        name = url.rsplit("/", 1)[-1]
        kind = ("wasm" if name.startswith("wasm.") else "js" if name.endswith(".js")
                else "terms" if name == "tthc-terms.json" or "/tthc-words/" in url
                else "filter" if "/filter/" in url else "index" if "/index/" in url
                else "fragment" if "/fragment/" in url else "meta")
        kinds[kind] += size
        chunks += kind == "index"
        if kind == "js":
            local = site / "pagefind" / url.split("/pagefind/", 1)[1]
            js_gzip += len(gzip.compress(local.read_bytes(), 9))
        else:
            total_gzip += size
    total_gzip += js_gzip
    return {**kinds, "js_gzip": js_gzip, "chunks": chunks, "total": sum(sizes.values()),
            "total_gzip": total_gzip, "results": results, "requests": len(sizes)}


def filter_bytes(site: Path) -> tuple[int, int]:
    """Bytes and count of the filter files (``pagefind/filter/*.pf_filter``),
    all loaded when the filter panel is first opened, not by a first search."""
    files = list((site / "pagefind" / "filter").glob("*.pf_filter"))
    return sum(p.stat().st_size for p in files), len(files)


def kb(n: float) -> str:
    return f"{n / 1000:,.1f} kB"


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def median_runs(runs: list[Run]) -> tuple[float, int]:
    return statistics.median(r.seconds for r in runs), int(statistics.median(r.peak_rss for r in runs))


def print_search(label: str, s: dict[str, int], query: str = QUERY) -> None:
    verdict = "ok" if s["total_gzip"] <= TARGET_FIRST_SEARCH_BYTES else "OVER TARGET"
    print(f"  first search '{query}' ({label}): {kb(s['total'])} served, {kb(s['total_gzip'])} with gzip JS "
          f"[{verdict}: target {kb(TARGET_FIRST_SEARCH_BYTES)}], {s['requests']} requests, {s['results']} results shown")
    print(f"    js {kb(s['js'])} ({kb(s['js_gzip'])} gzip) · wasm {kb(s['wasm'])} · metadata {kb(s['meta'])} · "
          f"filters {kb(s['filter'])} · index chunks {kb(s['index'])} ({s['chunks']} files) · "
          f"fragments {kb(s['fragment'])} ({s['results']} results) · "
          f"search terms and page words {kb(s['terms'])} (uncompressed)")


def bench_catalog(label: str, catalog: Path, runs: int, validate: bool) -> None:
    count = sum(1 for _ in (catalog / "procedures").glob("*/*.yaml"))
    print(f"\n{label}: {catalog.relative_to(REPO) if catalog.is_relative_to(REPO) else catalog} "
          f"({count:,} procedures; {'median of ' + str(runs) if runs > 1 else '1 run'})")
    if validate:
        seconds, rss = median_runs([timed(tthc("validate", "--catalog", str(catalog))) for _ in range(runs)])
        print(f"  load + validate: {seconds:.1f} s, peak memory {mb(rss)}")
    builds = []
    with tempfile.TemporaryDirectory(prefix="tthc-bench-") as tmp:
        site = Path(tmp) / "site"
        for _ in range(runs):
            builds.append(timed(tthc("build", "--catalog", str(catalog), "--site-dir", str(site))))
        seconds, rss = median_runs(builds)
        size, files = folder_size(site)
        bundle, bundle_files = folder_size(site / "pagefind")
        print(f"  full build: {seconds:.1f} s, peak memory {mb(rss)}")
        print(f"  site: {mb(size)} in {files:,} files; Pagefind bundle {mb(bundle)} in {bundle_files:,} files")
        for query in (QUERY, "dang ky"):
            print_search(label, first_search_bytes(site, query), query)
        filters, filter_files = filter_bytes(site)
        print(f"  filter lists, loaded when the filter panel opens: {kb(filters)} in {filter_files} files")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print tthc's benchmark figures.")
    parser.add_argument("--quick", action="store_true", help="1 run each and a 2,000-procedure synthetic catalog")
    parser.add_argument("--synthetic", type=int, default=None, help="size of the synthetic catalog (default 10,000)")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else 3
    synthetic_count = args.synthetic or (2_000 if args.quick else 10_000)
    print(f"tthc benchmarks on {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")

    real = REPO / "catalog"
    if any((real / "procedures").glob("*/*.yaml")):
        bench_catalog("real catalog", real, runs, validate=True)
    else:
        print("\nreal catalog: catalog/procedures/ is empty; skipped")

    sys.path.insert(0, str(REPO / "benchmarks"))
    from synthetic import write_catalog

    synthetic = OUT / f"synthetic-{synthetic_count}"
    if not (synthetic / "procedures").is_dir():
        start = time.perf_counter()
        shutil.rmtree(synthetic, ignore_errors=True)
        write_catalog(synthetic_count, synthetic)
        print(f"\n(generated the synthetic catalog in {time.perf_counter() - start:.1f} s)")
    bench_catalog("synthetic catalog", synthetic, 1, validate=not args.quick)

    history_bench = REPO / "benchmarks" / "history_bench.py"
    if history_bench.exists():
        print("\nhistory (benchmarks/history_bench.py):", flush=True)
        quick = args.quick and "--quick" in history_bench.read_text(encoding="utf-8")
        cmd = [sys.executable, str(history_bench)] + (["--quick"] if quick else [])
        completed = subprocess.run(cmd, cwd=REPO)
        if completed.returncode != 0:
            print(f"  history_bench.py failed with exit code {completed.returncode}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
