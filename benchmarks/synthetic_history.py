"""A deterministic synthetic git repository of N procedures and M commits.

The first commit adds N procedure files (records from
``benchmarks/synthetic.py``, sized like the real catalog); each later commit
changes one procedure (every 50th commit changes five): a time limit cut with
its simplification entry, a document removed or added, a step reworded, a
fee changed, or (1 in 100) a move to another agency folder. Dates advance
by one hour per commit from 2020-01-01 in +07:00, with one commit in ten
made from another time zone.

The repository is written with one ``git fast-import`` stream, so 50,000
commits take seconds, not hours. Same ``(N, M, seed)``: same commits, same
shas.

Usage::

    python benchmarks/synthetic_history.py 10000 50000 /tmp/history-repo
"""

from __future__ import annotations

import argparse
import copy
import random
import subprocess
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402  (the catalog generator next to this file)

try:
    _Dumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Dumper = yaml.SafeDumper

START = 1577811600  # 2020-01-01 00:00:00 +07:00, epoch seconds
ZONES = ["+0700", "+0700", "+0700", "+0700", "+0700", "+0700", "+0700", "+0700", "+0900", "-0500"]


def _dump(record: dict) -> bytes:
    return yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100).encode("utf-8")


def _mutate(record: dict, rng: random.Random, step: int) -> str:
    """Change ``record`` in place; return the commit message."""
    day = "2020-01-01"  # simplification dates stay valid and ordered
    what = rng.randrange(5)
    if what == 0 and record.get("methods"):
        method = record["methods"][0]
        time = method.setdefault("processing_time", {"value": 10, "unit": "working_days"})
        time["value"] = max(1, int(time.get("value") or 10) - 1)
        record.setdefault("simplifications", []).append(
            {"stage": "implemented", "date": day, "decision": f"{step}/QĐ-TN", "kinds": ["cut_time"], "summary": f"Giảm thời hạn (lần {step})"})
        return f"Giảm thời hạn giải quyết theo {step}/QĐ-TN"
    if what == 1 and len(record.get("documents") or []) > 1:
        record["documents"].pop(rng.randrange(len(record["documents"])))
        record.setdefault("amendments", []).append({"date": day, "decision": f"{step}/QĐ-TN", "summary": "Bỏ giấy tờ"})
        return f"Bỏ một thành phần hồ sơ theo {step}/QĐ-TN"
    if what == 2 and record.get("steps"):
        record["steps"][rng.randrange(len(record["steps"]))]["description"] += f" (sửa lần {step})"
        return "Sửa trình tự thực hiện"
    if what == 3:
        record.setdefault("documents", []).append({"id": f"giay-to-{step}", "name": f"Giấy tờ bổ sung số {step}", "copies": 1})
        return "Thêm thành phần hồ sơ"
    record["name"] = record["name"].rstrip(".") + "."
    return "Sửa tên thủ tục"


def generate(procedures: int, commits: int, out: Path, seed: int = 2026) -> Path:
    """Write the repository into ``out`` (created; must not exist or be empty).

    Returns:
        ``out``.
    """
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    agencies, sectors = synthetic.agencies(), synthetic.sectors()
    records: list[dict] = []
    folders: list[str] = []
    earlier: list[str] = []
    for n in range(procedures):
        agency, sector = rng.choice(agencies), rng.choice(sectors)
        rec = synthetic.procedure(n, rng, agency, sector, earlier)
        rec.pop("related", None)
        records.append(rec)
        folders.append(agency["id"])
        earlier.append(rec["code"])

    proc = subprocess.Popen(["git", "-C", str(out), "fast-import", "--quiet", "--done"], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    write = proc.stdin.write

    def commit(index: int, message: str, ops: list[bytes]) -> None:
        when = START + index * 3600
        zone = ZONES[index % len(ZONES)]
        msg = message.encode("utf-8")
        write(b"commit refs/heads/main\n")
        write(f"author Người Thử {index % 97} <t{index % 97}@example.vn> {when} {zone}\n".encode("utf-8"))
        write(f"committer Người Thử {index % 97} <t{index % 97}@example.vn> {when} {zone}\n".encode("utf-8"))
        write(b"data %d\n%s\n" % (len(msg), msg))
        for op in ops:
            write(op)
        write(b"\n")

    def modify(i: int) -> bytes:
        data = _dump(records[i])
        path = f"catalog/procedures/{folders[i]}/{records[i]['code']}.yaml".encode("utf-8")
        return b"M 100644 inline %s\ndata %d\n%s\n" % (path, len(data), data)

    commit(0, "Danh mục ban đầu", [modify(i) for i in range(procedures)])
    for index in range(1, commits):
        ops: list[bytes] = []
        message = ""
        for _ in range(5 if index % 50 == 0 else 1):
            i = rng.randrange(procedures)
            if rng.randrange(100) == 0:
                old = f"catalog/procedures/{folders[i]}/{records[i]['code']}.yaml".encode("utf-8")
                folders[i] = rng.choice(agencies)["id"]
                records[i] = copy.deepcopy(records[i])
                records[i].setdefault("amendments", []).append(
                    {"date": "2020-01-01", "decision": f"{index}/QĐ-TN", "summary": "Chuyển cơ quan công bố"})
                ops.append(b"D %s\n" % old)
                message = message or f"Chuyển {records[i]['code']} sang {folders[i]}"
            else:
                message = message or f"{records[i]['code']}: {_mutate(records[i], rng, index)}"
            ops.append(modify(i))
        commit(index, message, ops)
    write(b"done\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("procedures", type=int)
    parser.add_argument("commits", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    generate(args.procedures, args.commits, args.out, args.seed)
    print(f"wrote {args.procedures} procedures, {args.commits} commits to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
