"""Benchmarks of tthc: one command that prints every target of issue 9 item 8.

Each figure is a median of 3 runs (1 with ``--quick``), each run a fresh
process through the real entry point (``python -m generator.cli``), and is
printed with its target and PASS/FAIL, then once more in a closing table:

* **full build, N × R** (default 10,000 procedures × 10 revisions, a
  repository of ``benchmarks/synthetic_history.py``): wall time ≤ 60 s,
  peak memory ≤ 2 GB; the site's bytes per procedure and per revision;
* **per page vs the peer**: ``tthc build`` of the real catalog against
  plain MkDocs + Material building as many Markdown pages of the same size
  with a navigation of the same size (``benchmarks/peer.py`` writes it from
  the tthc site), runs interleaved (tthc, peer, tthc, peer, ...); the ratio
  peer/tthc of the median wall times (and of CPU times) must be ≥ 2;
* **rebuild after editing one procedure** (real catalog and N × R): build,
  edit one file (a step title), build again into the same site folder; the
  second build ≤ 5 s;
* **tthc serve, save → page served** (real catalog): ``tthc serve`` on a free
  port, edit a file, poll the page until the new text is served; ≤ 5 s;
* **tthc validate at 10,000** (``benchmarks/synthetic.py``): ≤ 6 s;
* **growth** at 1,000 / 5,000 / 10,000 / 50,000 procedures without
  history (``--sizes``): full build time and peak memory, per procedure and
  marginal (between sizes); linear when the last marginal cost is at most
  1.3 × the first;
* **first search ≤ 300 kB** at 10,000 and 50,000, as :func:`first_search_bytes`
  measures it: on the growth site of that size, or, when ``--sizes`` leaves
  the size out (a 50,000 build takes about half an hour), on a small site
  with the search bundle of as many synthetic records
  (``benchmarks/search_bench.py``; before the page reordering of
  1 December 2026 it gave 188.5 kB at 10,000 and 348.6 kB at 50,000 where
  full builds had measured 188 kB and 348 kB); the line says which.

**Memory** is the peak PSS (proportional set size: each page shared by n
processes counts 1/n in each, so the memory the tree really holds) of the whole
process tree (the build, its forked worker processes and the Pagefind binary),
sampled from ``/proc/<pid>/smaps_rollup`` every 0.2 s, and never less than
``os.wait4``'s ``ru_maxrss`` (the largest single process, exact). Summed RSS,
which counts the pages forked workers share with the build once per process,
is printed beside it. **Noise**: the load average at the start and each figure's spread
(max - min over median) are printed. **Stages**: every ``tthc build`` runs
with ``TTHC_STAGE_REPORT`` set to a file; when the build writes it
(``{"stages": [{"name", "seconds", "peak_rss_bytes"}, ...]}``) each stage is
printed (medians over the runs), else "stages: not reported".

A "cold" build goes into a new, empty ``--site-dir``. Generated inputs are
kept in ``benchmarks/out/`` (git-ignored) and reused.

**Duration**: with the pipeline of 1 December 2026 (one core, no cache),
measured on this 2-core machine under a load average of 5 to 17 (other
work running): a 10,000-procedure build without history and search took
66 s and 1.4 GB, a 50,000 one 32 minutes and 6.2 GB (2 GB of site), the
Pagefind index of 50,000 pages about 4 minutes more. So the full run
(3 runs of everything, 50,000 included) takes 3 to 4 hours today, and
``--sizes 1000,5000,10000`` saves about 2 of them; ``--quick`` (1 run each,
N × R = 2,000 × 10, sizes 1,000 / 2,000 / 5,000; figures measured below a
target's size are printed but "not judged") takes 30 to 60 minutes. The
lead's pipeline (parallel, incremental) is meant to cut these several-fold.

**First-search bytes** are measured in Debian's Chromium (Playwright): the
home page is loaded, then every response to a ``/pagefind/`` request is
summed while the query ``giay phep`` is typed and its first page of 10
results is shown: Pagefind's entry JS and worker, WASM, metadata, the index
chunks and the result fragments the results list reads, each part printed (the filter lists
load only when the filter panel is opened, so they are not part of a first
search; their total is printed apart). Sizes are
the bytes served (``http.server``, no compression: Pagefind's index files
are already gzipped); the figure "gzip" also compresses the two JS files as
any web server would.

Usage::

    python benchmarks/run.py                       # every target, medians of 3
    python benchmarks/run.py --quick               # 1 run each, smaller sizes
    python benchmarks/run.py --sizes 1000,5000,10000 --procedures 10000 --revisions 10
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out"
sys.path.insert(0, str(REPO / "benchmarks"))
CHROMIUM = os.environ.get("TTHC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
QUERY = "giay phep"

#: Targets of issue 9 item 8 (seconds, bytes, ratio).
TARGET_BUILD_SECONDS = 60.0
TARGET_BUILD_MEMORY = 2_000_000_000
TARGET_PEER_RATIO = 2.0
TARGET_REBUILD_SECONDS = 5.0
TARGET_SERVE_SECONDS = 5.0
TARGET_VALIDATE_SECONDS = 6.0
TARGET_LINEAR = 1.3
TARGET_FIRST_SEARCH_BYTES = 300_000
#: Sizes the targets are stated for: smaller runs are printed, not judged.
TARGET_PROCEDURES, TARGET_REVISIONS = 10_000, 10
SEARCH_SIZES = (10_000, 50_000)
DEFAULT_SIZES = (1_000, 5_000, 10_000, 50_000)
QUICK_SIZES = (1_000, 2_000, 5_000)


@dataclass(frozen=True)
class Run:
    """One process run.

    Attributes:
        seconds: wall time.
        cpu: user + system CPU time of the process and the children it waited for.
        peak_rss: peak memory of the process tree: PSS summed (bytes; see the module docstring).
        peak_rss_sum: peak of the summed RSS of the tree (bytes; shared pages counted per process).
        stages: the build's stage report (``TTHC_STAGE_REPORT``), if it wrote one.
    """

    seconds: float
    cpu: float
    peak_rss: int
    stages: tuple[dict, ...] = ()
    peak_rss_sum: int = 0


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_memory(pid: int) -> tuple[int, int]:
    """``(PSS, RSS)`` in bytes of ``pid`` and all its descendants, each summed over the processes."""
    tree, pss, rss, todo = _children(), 0, 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith((b"Rss:", b"Pss:")):
                        kb_ = int(line.split()[1]) * 1024
                        if line.startswith(b"Rss:"):
                            rss += kb_
                        else:
                            pss += kb_
        except (OSError, ValueError, IndexError):
            pass
        todo += tree.get(p, [])
    return pss, rss


class _Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.peak_sum, self.done = pid, 0, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            pss, rss = tree_memory(self.pid)
            self.peak, self.peak_sum = max(self.peak, pss), max(self.peak_sum, rss)


def start(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})})


def timed(cmd: list[str], cwd: Path = REPO, stage_report: bool = False) -> Run:
    """Run ``cmd`` to its end; its :class:`Run`.

    Raises:
        SystemExit: the command failed (its output is printed).
    """
    with tempfile.TemporaryDirectory(prefix="tthc-stages-") as tmp:
        report = Path(tmp) / "stages.json"
        begin = time.perf_counter()
        proc = start(cmd, cwd, {"TTHC_STAGE_REPORT": str(report)} if stage_report else None)
        sampler = _Sampler(proc.pid)
        sampler.start()
        output = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - begin
        sampler.done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            sys.stdout.write(output.decode("utf-8", "replace")[-4000:])
            raise SystemExit(f"benchmark: {' '.join(cmd)} failed with exit code {proc.returncode}")
        stages: tuple[dict, ...] = ()
        if report.is_file():
            try:
                stages = tuple(json.loads(report.read_text(encoding="utf-8")).get("stages", ()))
            except (ValueError, AttributeError):
                print(f"  (the stage report of {' '.join(cmd[-4:])} is not JSON; ignored)")
    return Run(seconds, usage.ru_utime + usage.ru_stime, max(sampler.peak, usage.ru_maxrss * 1024), stages,
               max(sampler.peak_sum, usage.ru_maxrss * 1024))


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


def gb(n: float) -> str:
    return f"{n / 1e9:,.2f} GB"


@dataclass
class Targets:
    """Every target's line, for the closing table."""

    rows: list[tuple[str, str, str, str]] = field(default_factory=list)

    def add(self, name: str, figure: str, target: str, ok: bool | None) -> None:
        verdict = "not judged" if ok is None else "PASS" if ok else "FAIL"
        self.rows.append((name, figure, target, verdict))
        print(f"  {name}: {figure}  [target {target}: {verdict}]", flush=True)

    def table(self) -> None:
        print("\nsummary (targets of issue 9 item 8)")
        widths = [max(len(r[i]) for r in self.rows + [("target", "figure", "target", "verdict")]) for i in range(4)]
        for row in [("target", "figure", "goal", "verdict")] + self.rows:
            print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)))


def spread(values: list[float]) -> str:
    """``±x %``: (max - min) / median of the runs, or "1 run"."""
    if len(values) < 2:
        return "1 run"
    middle = statistics.median(values)
    return f"spread {100 * (max(values) - min(values)) / middle:.0f} % of {len(values)}" if middle else "spread 0"


def median(runs: list[Run]) -> tuple[float, float, int]:
    return (statistics.median(r.seconds for r in runs), statistics.median(r.cpu for r in runs),
            int(statistics.median(r.peak_rss for r in runs)))


def print_stages(runs: list[Run]) -> None:
    reported = [r.stages for r in runs if r.stages]
    if not reported:
        print("  stages: not reported (the build wrote no TTHC_STAGE_REPORT file)")
        return
    print("  stages (median over runs):")
    names = [s.get("name", "?") for s in reported[0]]
    for i, name in enumerate(names):
        seconds = statistics.median(float(r[i].get("seconds", 0)) for r in reported if len(r) > i)
        peak = statistics.median(int(r[i].get("peak_rss_bytes", 0)) for r in reported if len(r) > i)
        held = statistics.median(int(r[i].get("rss_bytes", 0)) for r in reported if len(r) > i)
        print(f"    {name:<24} {seconds:7.2f} s   peak {mb(peak)}, held after {mb(held)}")


def print_search(label: str, s: dict[str, int], query: str = QUERY) -> None:
    print(f"  first search '{query}' ({label}): {kb(s['total'])} served, {kb(s['total_gzip'])} with gzip JS, "
          f"{s['requests']} requests, {s['results']} results shown")
    print(f"    js {kb(s['js'])} ({kb(s['js_gzip'])} gzip) · wasm {kb(s['wasm'])} · metadata {kb(s['meta'])} · "
          f"filters {kb(s['filter'])} · index chunks {kb(s['index'])} ({s['chunks']} files) · "
          f"fragments {kb(s['fragment'])} · search terms and page words {kb(s['terms'])} (uncompressed)")


def judged(measured: int, target: int) -> bool:
    """Whether a figure measured at size ``measured`` can be judged against a target stated at ``target``."""
    return measured >= target


# -- inputs ------------------------------------------------------------------------------------

def synthetic_catalog(count: int) -> Path:
    """``benchmarks/out/synthetic-<count>``, written by ``benchmarks/synthetic.py`` if missing."""
    from synthetic import write_catalog

    target = OUT / f"synthetic-{count}"
    if not (target / "sectors.yaml").is_file():
        begin = time.perf_counter()
        shutil.rmtree(target, ignore_errors=True)
        write_catalog(count, target)
        print(f"  (generated {target.relative_to(REPO)} in {time.perf_counter() - begin:.0f} s)", flush=True)
    return target


def history_repository(procedures: int, revisions: int) -> Path:
    """``benchmarks/out/history-<N>x<R>``, written by ``benchmarks/synthetic_history.py`` if missing."""
    from synthetic_history import generate

    target = OUT / f"history-{procedures}x{revisions}"
    if not (target / "mkdocs.yml").is_file():
        begin = time.perf_counter()
        shutil.rmtree(target, ignore_errors=True)
        generate(procedures, revisions, target)
        print(f"  (generated {target.relative_to(REPO)} in {time.perf_counter() - begin:.0f} s)", flush=True)
    return target


def real_clone(tmp: Path) -> Path:
    """A clone of this repository at HEAD (the real catalog with its history), so edits never touch it."""
    clone = tmp / "real"
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(REPO), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", head], check=True)
    return clone


_STEP_TITLE = re.compile(r"^(- title: )(['\"]?)(.*?)(\2)$", re.M)


def edit_procedure(path: Path, n: int) -> str:
    """Append `` (sửa lần n)`` to the first step title of the procedure file ``path``; the new title."""
    text = path.read_text(encoding="utf-8")
    match = _STEP_TITLE.search(text)
    if match is None:
        raise SystemExit(f"benchmark: no step title to edit in {path}")
    title = f"{match.group(3)} (sửa lần {n})"
    path.write_text(text[:match.start()] + f"{match.group(1)}{match.group(2)}{title}{match.group(4)}"
                    + text[match.end():], encoding="utf-8")
    return title


def some_procedure(catalog: Path) -> Path:
    """A procedure file of ``catalog`` with steps, in the middle of the sorted list (deterministic)."""
    files = sorted((catalog / "procedures").glob("*/*.yaml"))
    for path in files[len(files) // 2:] + files:
        if _STEP_TITLE.search(path.read_text(encoding="utf-8")):
            return path
    raise SystemExit(f"benchmark: no procedure with steps in {catalog}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


# -- measurements ------------------------------------------------------------------------------

def bench_full_build(targets: Targets, procedures: int, revisions: int, runs: int, tmp: Path) -> Path:
    """Cold builds of the N × R repository; returns the last site (for the rebuild)."""
    repo = history_repository(procedures, revisions)
    label = f"{procedures:,} × {revisions}"
    print(f"\nfull build, {label} ({repo.relative_to(REPO)}; {runs} run(s))", flush=True)
    results = []
    for i in range(runs):
        site = tmp / f"history-site-{i}"
        results.append(timed(tthc("build", "--site-dir", str(site)), cwd=repo, stage_report=True))
        if i < runs - 1:
            shutil.rmtree(site, ignore_errors=True)
    seconds, cpu, rss = median(results)
    ok = judged(procedures, TARGET_PROCEDURES) and revisions >= TARGET_REVISIONS
    targets.add(f"full build {label}: wall", f"{seconds:.1f} s (CPU {cpu:.0f} s; {spread([r.seconds for r in results])})",
                f"≤ {TARGET_BUILD_SECONDS:.0f} s at 10,000 × 10", seconds <= TARGET_BUILD_SECONDS if ok else None)
    rss_sum = int(statistics.median(r.peak_rss_sum for r in results))
    targets.add(f"full build {label}: peak memory", f"{gb(rss)} PSS, {gb(rss_sum)} summed RSS "
                f"({spread([r.peak_rss for r in results])})",
                f"≤ {gb(TARGET_BUILD_MEMORY)}", rss <= TARGET_BUILD_MEMORY if ok else None)
    print_stages(results)
    size, files = folder_size(site)
    print(f"  site: {mb(size)} in {files:,} files; {kb(size / procedures)} per procedure, "
          f"{kb(size / (procedures * revisions))} per revision", flush=True)
    return site


def bench_rebuild(targets: Targets, label: str, repo: Path, site: Path, runs: int, judge: bool = True) -> None:
    """Edit one procedure of ``repo`` and build again into ``site`` (already built, cold), ``runs``
    times after a first rebuild: the first rebuild after a cold build has no spare site yet (the
    cold build replaced none), so it links every reused page from the cache; the next ones move
    the unchanged procedures' folders from the spare (generator/build.py ``_keep_spare``), as an
    editor's rebuilds do. Both are printed; the target is judged on the later ones."""
    path = some_procedure(repo / "catalog")
    edit_procedure(path, 0)
    first = timed(tthc("build", "--site-dir", str(site)), cwd=repo, stage_report=True)
    results = []
    for n in range(1, runs + 1):
        edit_procedure(path, n)
        results.append(timed(tthc("build", "--site-dir", str(site)), cwd=repo, stage_report=True))
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "--", str(path.relative_to(repo))], check=True)
    seconds, cpu, rss = median(results)
    print(f"  rebuild after one edit ({label}): first after the cold build (no spare yet) {first.seconds:.1f} s "
          f"(CPU {first.cpu:.1f} s); then {', '.join(f'{r.seconds:.1f}' for r in results)} s", flush=True)
    print_stages(results)
    targets.add(f"rebuild after editing one procedure ({label})",
                f"{seconds:.1f} s (CPU {cpu:.1f} s), peak {gb(rss)} ({spread([r.seconds for r in results])}; "
                f"first after the cold build {first.seconds:.1f} s)",
                f"≤ {TARGET_REBUILD_SECONDS:.0f} s", seconds <= TARGET_REBUILD_SECONDS if judge else None)


def bench_peer(targets: Targets, clone: Path, runs: int, tmp: Path) -> Path:
    """Interleaved cold builds: tthc of the real catalog, then its peer; returns the last tthc site."""
    from peer import write_peer

    print(f"\nper page vs plain MkDocs + Material (real catalog; {runs} interleaved pair(s))", flush=True)
    ours: list[Run] = []
    theirs: list[Run] = []
    shape = None
    for i in range(runs):
        site = tmp / f"real-site-{i}"
        ours.append(timed(tthc("build", "--site-dir", str(site)), cwd=clone, stage_report=True))
        if shape is None:
            shape = write_peer(site, tmp / "peer")
            print(f"  peer: {shape.pages:,} pages, {mb(shape.content_bytes)} of page content, "
                  f"{shape.nav_entries} navigation entries (benchmarks/peer.py)", flush=True)
        peer_site = tmp / f"peer-site-{i}"
        theirs.append(timed([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(tmp / "peer" / "mkdocs.yml"),
                             "-d", str(peer_site)], cwd=tmp / "peer"))
        shutil.rmtree(peer_site, ignore_errors=True)
        if i < runs - 1:
            shutil.rmtree(site, ignore_errors=True)
    assert shape is not None
    t_sec, t_cpu, t_rss = median(ours)
    p_sec, p_cpu, p_rss = median(theirs)
    pages = shape.pages
    print(f"  tthc: {t_sec:.1f} s wall, {t_cpu:.1f} s CPU, peak {gb(t_rss)}: {1000 * t_sec / pages:.2f} ms per page "
          f"({spread([r.seconds for r in ours])})")
    print(f"  peer: {p_sec:.1f} s wall, {p_cpu:.1f} s CPU, peak {gb(p_rss)}: {1000 * p_sec / pages:.2f} ms per page "
          f"({spread([r.seconds for r in theirs])})")
    print_stages(ours)
    targets.add("per page: peer time / tthc time (wall)", f"{p_sec / t_sec:.2f} (CPU {p_cpu / t_cpu:.2f}) at {pages:,} pages",
                f"≥ {TARGET_PEER_RATIO:.0f}", p_sec / t_sec >= TARGET_PEER_RATIO)
    return site


def bench_serve(targets: Targets, clone: Path, runs: int) -> None:
    """``tthc serve``: save a file, poll the page until the new text is served."""
    print("\ntthc serve, save → page served (real catalog)", flush=True)
    path = some_procedure(clone / "catalog")
    port = free_port()
    url = f"http://127.0.0.1:{port}/thu-tuc/{path.stem}/"
    proc = subprocess.Popen(tthc("serve", "--dev-addr", f"127.0.0.1:{port}"), cwd=clone, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, start_new_session=True)
    results: list[float] = []
    try:
        begin = time.perf_counter()
        while fetch(url) is None:
            if proc.poll() is not None:
                raise SystemExit(f"benchmark: tthc serve exited with code {proc.returncode}")
            if time.perf_counter() - begin > 1800:
                raise SystemExit("benchmark: tthc serve served nothing in 30 minutes")
            time.sleep(0.5)
        print(f"  first page served {time.perf_counter() - begin:.0f} s after start", flush=True)
        for n in range(1, runs + 1):
            time.sleep(2)  # the watcher settles after the previous build
            title = edit_procedure(path, 100 + n)
            saved = time.perf_counter()
            needle = title.rsplit(" (", 1)[1]
            while needle not in (fetch(url) or ""):
                if time.perf_counter() - saved > 900:
                    raise SystemExit("benchmark: the edit was not served within 15 minutes")
                time.sleep(0.1)
            results.append(time.perf_counter() - saved)
    finally:
        os.killpg(proc.pid, 15)
        proc.wait()
        subprocess.run(["git", "-C", str(clone), "checkout", "-q", "--", str(path.relative_to(clone))], check=True)
    seconds = statistics.median(results)
    targets.add("tthc serve: save → page served", f"{seconds:.1f} s ({spread(results)})",
                f"≤ {TARGET_SERVE_SECONDS:.0f} s", seconds <= TARGET_SERVE_SECONDS)


def bench_validate(targets: Targets, runs: int) -> None:
    catalog = synthetic_catalog(TARGET_PROCEDURES)
    print(f"\ntthc validate, {TARGET_PROCEDURES:,} procedures ({catalog.relative_to(REPO)})", flush=True)
    results = [timed(tthc("validate", "--catalog", str(catalog))) for _ in range(runs)]
    seconds, cpu, rss = median(results)
    targets.add(f"tthc validate at {TARGET_PROCEDURES:,}",
                f"{seconds:.1f} s (CPU {cpu:.1f} s), peak {gb(rss)} ({spread([r.seconds for r in results])})",
                f"≤ {TARGET_VALIDATE_SECONDS:.0f} s", seconds <= TARGET_VALIDATE_SECONDS)


def judge_search(targets: Targets, count: int, site: Path, method: str, measured: dict[str, int] | None = None) -> None:
    """Print the first search of ``site`` (``measured``, or measured now) and judge it; ``method`` says how."""
    measured = measured or first_search_bytes(site)
    print_search(f"{count:,} procedures, {method}", measured)
    total = measured["total_gzip"]
    targets.add(f"first search at {count:,}", f"{kb(total)} ({method})", f"≤ {kb(TARGET_FIRST_SEARCH_BYTES)}",
                total <= TARGET_FIRST_SEARCH_BYTES)
    filters, filter_files = filter_bytes(site)
    print(f"  filter lists, loaded when the filter panel opens: {kb(filters)} in {filter_files} files")


def bench_growth(targets: Targets, sizes: list[int], runs: int, tmp: Path) -> None:
    """Cold builds at each size (no history); the first search at :data:`SEARCH_SIZES`, on the growth
    site when that size is built, else with :func:`search_bench.measure` (the method is printed)."""
    print(f"\ngrowth without history ({', '.join(f'{n:,}' for n in sizes)} procedures; {runs} run(s) each)", flush=True)
    rows: list[tuple[int, float, int]] = []
    for count in sizes:
        catalog = synthetic_catalog(count)
        results = []
        for i in range(runs):
            site = tmp / f"growth-{count}-{i}"
            shutil.rmtree(site, ignore_errors=True)
            results.append(timed(tthc("build", "--catalog", str(catalog), "--site-dir", str(site)), stage_report=True))
            if i < runs - 1:
                shutil.rmtree(site, ignore_errors=True)
        seconds, cpu, rss = median(results)
        rows.append((count, seconds, rss))
        print(f"  {count:>7,}: {seconds:7.1f} s ({spread([r.seconds for r in results])}), CPU {cpu:.0f} s, peak {gb(rss)}; "
              f"per procedure {1000 * seconds / count:.2f} ms, {kb(rss / count)}", flush=True)
        if count == sizes[-1]:
            print_stages(results)
        if count in SEARCH_SIZES:
            judge_search(targets, count, site, "measured on the full build")
        shutil.rmtree(site, ignore_errors=True)
    for count in SEARCH_SIZES:
        if count not in sizes:
            from search_bench import measure

            work = tmp / f"search-{count}"
            print(f"  first search at {count:,} without its full build: a small site with the search bundle of "
                  f"{count:,} synthetic records (benchmarks/search_bench.py)", flush=True)
            result = measure(count, work)
            judge_search(targets, count, work / "site", "measured on a small site with the bundle of "
                         f"{count:,} records, benchmarks/search_bench.py", result)
            shutil.rmtree(work, ignore_errors=True)
    if len(rows) >= 3:
        slopes = [((t2 - t1) / (n2 - n1), (m2 - m1) / (n2 - n1)) for (n1, t1, m1), (n2, t2, m2) in zip(rows, rows[1:])]
        for ((n1, _, _), (n2, _, _)), (dt, dm) in zip(zip(rows, rows[1:]), slopes):
            print(f"  marginal {n1:,} → {n2:,}: {1000 * dt:.2f} ms and {kb(dm)} per procedure")
        judge = rows[-1][0] >= 50_000
        t_ratio = slopes[-1][0] / slopes[0][0] if slopes[0][0] > 0 else float("inf")
        m_ratio = slopes[-1][1] / slopes[0][1] if slopes[0][1] > 0 else float("inf")
        targets.add(f"growth {rows[0][0]:,} → {rows[-1][0]:,}: time linear", f"last/first marginal cost {t_ratio:.2f}",
                    f"≤ {TARGET_LINEAR} up to 50,000", t_ratio <= TARGET_LINEAR if judge else None)
        targets.add(f"growth {rows[0][0]:,} → {rows[-1][0]:,}: memory linear", f"last/first marginal cost {m_ratio:.2f}",
                    f"≤ {TARGET_LINEAR} up to 50,000", m_ratio <= TARGET_LINEAR if judge else None)
    else:
        targets.add("growth: linear", "needs 3 sizes or more", f"≤ {TARGET_LINEAR} up to 50,000", None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print every target of tthc's issue 9 item 8 with its figure.")
    parser.add_argument("--quick", action="store_true",
                        help=f"1 run each; N × R = 2,000 × 10 and sizes {','.join(map(str, QUICK_SIZES))} unless given")
    parser.add_argument("--procedures", type=int, help=f"N of the N × R repository (default {TARGET_PROCEDURES:,}; quick 2,000)")
    parser.add_argument("--revisions", type=int, default=TARGET_REVISIONS, help="R of the N × R repository (default 10)")
    parser.add_argument("--sizes", help=f"growth sizes, comma-separated (default {','.join(map(str, DEFAULT_SIZES))})")
    parser.add_argument("--skip", default="", help="comma-separated parts to leave out: build,peer,rebuild,serve,validate,growth")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else 3
    procedures = args.procedures or (2_000 if args.quick else TARGET_PROCEDURES)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    skip = set(filter(None, args.skip.split(",")))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"tthc benchmarks on {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}; load average at start {load}; "
          f"{'median of 3 runs' if runs == 3 else '1 run each (--quick)'}", flush=True)
    targets = Targets()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tthc-bench-") as name:
        tmp = Path(name)
        if "build" not in skip:
            site = bench_full_build(targets, procedures, args.revisions, runs, tmp)
            if "rebuild" not in skip:
                bench_rebuild(targets, f"{procedures:,} × {args.revisions}", history_repository(procedures, args.revisions), site, runs,
                              judge=procedures >= TARGET_PROCEDURES)
            shutil.rmtree(site, ignore_errors=True)
        if not {"peer", "rebuild", "serve"} <= skip:
            clone = real_clone(tmp)
            if "peer" not in skip:
                site = bench_peer(targets, clone, runs, tmp)
                if "rebuild" not in skip:
                    bench_rebuild(targets, "real catalog", clone, site, runs)
                shutil.rmtree(site, ignore_errors=True)
            if "serve" not in skip:
                bench_serve(targets, clone, runs)
        if "validate" not in skip:
            bench_validate(targets, runs)
        if "growth" not in skip:
            bench_growth(targets, sizes, runs, tmp)
    print(f"\nload average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    targets.table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
