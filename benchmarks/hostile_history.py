"""History on the worst past versions a contributor can commit (issue 8): time and memory.

Builds a repository whose one procedure file is committed ``--rounds`` times in each hostile
form, every version different, then times one ``read_history`` and prints the peak resident
set size of this process. The forms: a "billion laughs" alias bomb (9**9 leaves if expanded,
about 400 bytes), a file near the 512 kB limit holding more than the 50,000 values allowed, a file
over the limit, nesting deeper than the limit, a 5,000-digit number, and a duplicated key.

Usage::

    python benchmarks/hostile_history.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.history import read_history  # noqa: E402

HEAD = 'code: "1.000001"\nname: Thủ tục thử\nkind: external\nlevels: [ministry]\nsector: thu-nghiem\nstatus: in_force\n'


def _forms(round_: int) -> dict[str, str]:
    bomb = "\n".join([f'a0: &a0 ["lol{round_}", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
                     + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)])
    many = "requirements: [" + ", ".join(["x"] * 49_990) + f", r{round_}]"
    return {
        "alias-bomb": HEAD + bomb + "\n",
        "near-limits": HEAD + many + "\n" + "notes: " + "n" * (500_000 - len(many)) + "\n",
        "over-size": HEAD + "notes: " + "n" * 512_001 + f"{round_}\n",
        "deep": HEAD + f"notes{round_}: " + "[" * 5000 + "]" * 5000 + "\n",
        "huge-number": HEAD + "dossier_sets: " + "9" * 5000 + f"{round_}\n",
        "duplicate-key": HEAD + f"name: Thủ tục {round_}\n",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tthc-hostile-") as tmp:
        repo = Path(tmp) / "repo"
        target = repo / "catalog" / "procedures" / "bo-a" / "1.000001.yaml"
        target.parent.mkdir(parents=True)
        env = dict(os.environ, GIT_AUTHOR_NAME="x", GIT_AUTHOR_EMAIL="x@x", GIT_COMMITTER_NAME="x",
                   GIT_COMMITTER_EMAIL="x@x")
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        versions = 0
        for round_ in range(args.rounds):
            for form, text in _forms(round_).items():
                target.write_text(text, encoding="utf-8")
                subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
                subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", form], check=True, env=env)
                versions += 1
        size = sum(p.stat().st_size for p in (repo / ".git").rglob("*") if p.is_file())
        start = time.perf_counter()
        history = read_history(repo)
        elapsed = time.perf_counter() - start
        revs = history.of("1.000001")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{versions} hostile versions ({size / 1e6:.1f} MB of git objects): read_history {elapsed:.2f} s, "
              f"peak RSS {peak:.0f} MB; {sum(r.invalid for r in revs)} invalid, "
              f"{sum(not r.invalid for r in revs)} valid revisions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
