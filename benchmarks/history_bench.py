"""Benchmark of history extraction (``generator.history.read_history``).

Builds (or reuses) a deterministic synthetic repository with
``benchmarks/synthetic_history.py`` and prints, for one
``read_history`` call: wall time, peak Python memory (tracemalloc, in a
second run so tracing does not slow the timed one), the process's maximum
resident set size, the revisions read and the number of git processes
started (counted by wrapping ``subprocess.Popen``).

Usage::

    python benchmarks/history_bench.py                      # quick: 500 procedures × 5 revisions
    python benchmarks/history_bench.py --procedures 10000 --revisions 10
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generator.history import read_history  # noqa: E402
from synthetic_history import generate  # noqa: E402


class _CountingPopen(subprocess.Popen):  # type: ignore[type-arg]
    started: list[list[str]] = []

    def __init__(self, args, *rest, **kwargs):  # noqa: ANN001
        _CountingPopen.started.append(list(args))
        super().__init__(args, *rest, **kwargs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=500)
    parser.add_argument("--revisions", type=int, default=5, help="revisions of every procedure")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repo", type=Path, help="where to build (or reuse) the repository; default: a temporary folder")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the second, traced run")
    args = parser.parse_args(argv)

    tmp = None
    repo = args.repo
    if repo is None:
        tmp = tempfile.TemporaryDirectory(prefix="tthc-history-bench-")
        repo = Path(tmp.name) / "repo"
    if not (repo / ".git").exists():
        t0 = time.perf_counter()
        generate(args.procedures, args.revisions, repo, args.seed)
        print(f"built repository: {args.procedures:,} procedures × {args.revisions} revisions in {time.perf_counter() - t0:.1f} s")
    else:
        print(f"reusing repository {repo}")

    subprocess.Popen = _CountingPopen  # type: ignore[misc]
    t0 = time.perf_counter()
    history = read_history(repo)
    elapsed = time.perf_counter() - t0
    subprocess.Popen = _CountingPopen.__mro__[1]  # type: ignore[misc]
    revisions = sum(len(r) for r in history.revisions.values())
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"procedures with history: {len(history.revisions):,}")
    print(f"revisions read:          {revisions:,}")
    print(f"extraction time:         {elapsed:.2f} s ({revisions / elapsed:,.0f} revisions/s)")
    print(f"git processes started:   {len(_CountingPopen.started)} ({', '.join(a[5] if a[:1] == ['git'] else a[0] for a in _CountingPopen.started)})")
    print(f"max RSS (python):        {rss_mb:,.0f} MB; max RSS of a git child: {child_mb:,.0f} MB")
    if not args.no_tracemalloc:
        del history
        tracemalloc.start()
        read_history(repo)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak Python memory:      {peak / 2**20:,.0f} MB (tracemalloc, second run)")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
