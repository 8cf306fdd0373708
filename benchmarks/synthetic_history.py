"""A deterministic synthetic catalog repository: N procedures × R revisions.

The repository is a complete catalog repository (what ``tthc init`` makes,
reduced to what a build needs): ``mkdocs.yml`` with the ``tthc`` plugin,
``docs/``, ``catalog/agencies.yaml``, ``catalog/sectors.yaml`` and
``catalog/procedures/<agency>/<code>.yaml``, checked out, so ``tthc
validate`` and ``tthc build`` run in it as they do in a real one.

* **Revision 1** of every procedure is the first commit, dated
  :data:`START` (2026-01-05): the records of ``benchmarks/synthetic.py``
  (:func:`synthetic.records`, sized like the real catalog; every
  publication date is in 2018-2025, before it).
* **Revisions 2..R**: R - 1 rounds, each editing every procedure once. A
  round's edits are grouped by agency, one commit per decision of that
  agency of up to :data:`BATCH` procedures, as a ministry amends several of
  its procedures by one decision. Every edit is one a decision makes, and
  records it: the time limit (thời hạn giải quyết) cut, with a
  ``simplifications`` entry of kind ``cut_time``; a fee (phí, lệ phí)
  changed or added, a dossier document (thành phần hồ sơ) added, or a step
  reworded, each with an ``amendments`` entry; a document removed, with a
  ``cut_documents`` simplification; and, 1 in 200, the procedure moved to
  another agency's folder (its competent agency changed) with an amendment
  naming the transfer. So every commit passes ``tthc check-change``.
* **Dates increase**: commits are spread evenly from :data:`START` to
  :data:`END` (2026-11-27, before the day these benchmarks were written,
  so no date is in the future); each entry's date is its commit's day in
  Vietnam (+07:00), so a procedure's entries are oldest first. One commit in
  ten is made from another time zone (the same instant).

The repository is written with one ``git fast-import`` stream, so 90,000
commits take seconds, not hours, and then checked out. Same
``(N, R, seed)``: same commits, same shas.

Usage::

    python benchmarks/synthetic_history.py 10000 10 /tmp/history-repo
    cd /tmp/history-repo && tthc build      # or: tthc validate
"""

from __future__ import annotations

import argparse
import datetime as dt
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

VIETNAM = dt.timezone(dt.timedelta(hours=7))
#: Date of the first commit (revision 1 of every procedure), 09:00 in Vietnam.
START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=VIETNAM)
#: Date of the last commit at the latest.
END = dt.datetime(2026, 11, 27, 17, 0, tzinfo=VIETNAM)
#: Most procedures one decision (one commit) edits.
BATCH = 10
#: Time zones of the commits, one in ten not Vietnam's.
ZONES = ["+0700"] * 8 + ["+0900", "-0500"]

#: The repository's ``mkdocs.yml``: the site of the catalog, as ``tthc init`` writes it.
MKDOCS_YML = """\
site_name: Danh mục thủ tục hành chính (tổng hợp)
docs_dir: docs
site_dir: site
theme:
  name: material
  language: vi
  font: false
extra:
  generator: false
plugins:
  - tthc:
      catalog: catalog
"""


def _dump(record: object) -> bytes:
    return yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100).encode("utf-8")


def _days(time: dict) -> str:
    units = {"working_days": "ngày làm việc", "days": "ngày", "hours": "giờ", "months": "tháng"}
    return f"{time['value']:g} {units[time['unit']]}"


def _edit(record: dict, rng: random.Random, day: str, decision: str) -> str:
    """Make one decision's edit of ``record`` in place, recording the decision.

    Returns:
        The commit message's description of the edit.
    """
    roll = rng.random()
    methods = record["methods"]
    timed = [m for m in methods if m.get("processing_time", {}).get("value", 0) > 1]
    if roll < 0.3 and timed:
        time = rng.choice(timed)["processing_time"]
        before = _days(time)
        time["value"] = max(1, int(time["value"] * rng.choice([0.5, 0.7, 0.8])))
        record.setdefault("simplifications", []).append({
            "stage": "implemented", "date": day, "decision": decision, "kinds": ["cut_time"],
            "summary": f"Giảm thời hạn giải quyết từ {before} xuống {_days(time)}"})
        return "giảm thời hạn giải quyết"
    if roll < 0.5:
        method = rng.choice(methods)
        fees = method.setdefault("fees", [])
        if fees:
            fee = rng.choice(fees)
            fee["amount_vnd"] = rng.choice([0, 30_000, 50_000, 100_000, 150_000, 200_000, 300_000, 500_000])
            summary = "Sửa mức phí, lệ phí"
        else:
            fees.append({"description": f"Lệ phí {synthetic._text(rng, rng.randint(3, 8), capital=False)}",
                         "amount_vnd": rng.choice([20_000, 50_000, 100_000])})
            summary = "Quy định lệ phí"
        record.setdefault("amendments", []).append({"date": day, "decision": decision, "summary": summary})
        return summary.lower()
    documents = record["documents"]
    if roll < 0.65 and len(documents) > 1:
        removed = documents.pop(rng.randrange(len(documents)))
        record.setdefault("simplifications", []).append({
            "stage": "implemented", "date": day, "decision": decision, "kinds": ["cut_documents"],
            "summary": f"Bỏ thành phần hồ sơ: {removed['name'][:60]}"})
        return "bỏ một thành phần hồ sơ"
    if roll < 0.8:
        number = 1 + max(int(d["id"].rsplit("-", 1)[1]) for d in documents)
        documents.append({"id": f"giay-to-{number}", "name": synthetic._text(rng, rng.randint(6, 20)),
                          "originals": 1, "copies": 0})
        record.setdefault("amendments", []).append(
            {"date": day, "decision": decision, "summary": "Bổ sung thành phần hồ sơ"})
        return "bổ sung thành phần hồ sơ"
    step = rng.choice(record["steps"])
    step["description"] = f"{step['description']} {synthetic._text(rng, rng.randint(5, 20), capital=False)}."
    record.setdefault("amendments", []).append({"date": day, "decision": decision, "summary": "Sửa trình tự thực hiện"})
    return "sửa trình tự thực hiện"


def generate(procedures: int, revisions: int, out: Path, seed: int = 2026) -> Path:
    """Write the repository into ``out`` and check it out.

    Args:
        procedures: number of procedures (N).
        revisions: revisions of every procedure (R >= 1; R - 1 edits each).
        out: target folder; created; must not hold a repository already.
        seed: random seed of the edits (the records are ``synthetic.records(N)``).

    Returns:
        ``out``.

    Raises:
        SystemExit: git failed.
    """
    if revisions < 1:
        raise ValueError("revisions must be at least 1")
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    agencies = synthetic.agencies()
    records: list[dict] = []
    folders: list[str] = []
    for agency, record in synthetic.records(procedures):
        records.append(record)
        folders.append(agency["id"])

    # Each round: the procedures of each agency, in batches of BATCH per commit.
    rounds: list[list[list[int]]] = []
    for _ in range(revisions - 1):
        order = list(range(procedures))
        rng.shuffle(order)
        order.sort(key=lambda i: folders[i])  # stable: shuffled within each agency
        batches: list[list[int]] = []
        for i in order:
            if batches and len(batches[-1]) < BATCH and folders[batches[-1][-1]] == folders[i]:
                batches[-1].append(i)
            else:
                batches.append([i])
        rounds.append(batches)
    commits = 1 + sum(len(batches) for batches in rounds)
    step = (END - START).total_seconds() / max(1, commits - 1)

    proc = subprocess.Popen(["git", "-C", str(out), "fast-import", "--quiet", "--done"], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    write = proc.stdin.write

    def path(i: int) -> bytes:
        return f"catalog/procedures/{folders[i]}/{records[i]['code']}.yaml".encode("utf-8")

    def inline(name: bytes, data: bytes) -> bytes:
        return b"M 100644 inline %s\ndata %d\n%s\n" % (name, len(data), data)

    def commit(index: int, message: str, ops: list[bytes]) -> None:
        when = int(START.timestamp() + index * step)
        zone = ZONES[index % len(ZONES)]
        author = f"Cán bộ {index % 97} <canbo{index % 97}@example.gov.vn> {when} {zone}\n".encode("utf-8")
        msg = message.encode("utf-8")
        write(b"commit refs/heads/main\nauthor " + author + b"committer " + author)
        write(b"data %d\n%s\n" % (len(msg), msg))
        for op in ops:
            write(op)
        write(b"\n")

    first = [inline(b"mkdocs.yml", MKDOCS_YML.encode("utf-8")), inline(b"docs/.gitkeep", b""),
             inline(b"catalog/agencies.yaml", _dump({"agencies": agencies})),
             inline(b"catalog/sectors.yaml", _dump({"sectors": synthetic.sectors()}))]
    commit(0, "Danh mục ban đầu", first + [inline(path(i), _dump(records[i])) for i in range(procedures)])
    index = 0
    for batches in rounds:
        for batch in batches:
            index += 1
            day = dt.datetime.fromtimestamp(START.timestamp() + index * step, VIETNAM).date().isoformat()
            agency = next(a for a in agencies if a["id"] == folders[batch[0]])
            decision = f"{100 + index % 3900}/QĐ-{agency['code']}"
            ops: list[bytes] = []
            what = ""
            for i in batch:
                if rng.randrange(200) == 0:
                    target = rng.choice([a for a in agencies if a["id"] != folders[i]])
                    ops.append(b"D %s\n" % path(i))
                    folders[i] = target["id"]
                    records[i]["agencies"]["competent"] = [target["name"]]
                    records[i].setdefault("amendments", []).append({
                        "date": day, "decision": decision,
                        "summary": f"Chuyển thẩm quyền công bố sang {target['name']}"})
                    what = what or "chuyển cơ quan công bố"
                else:
                    edited = _edit(records[i], rng, day, decision)
                    what = what or edited
                ops.append(inline(path(i), _dump(records[i])))
            codes = ", ".join(records[i]["code"] for i in batch[:3]) + (", ..." if len(batch) > 3 else "")
            commit(index, f"{decision}: {what} ({codes})", ops)
    write(b"done\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", str(out), "checkout", "-q", "-f", "main"], check=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("procedures", type=int, help="number of procedures (N)")
    parser.add_argument("revisions", type=int, help="revisions of every procedure (R)")
    parser.add_argument("out", type=Path, help="the repository folder to create")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    generate(args.procedures, args.revisions, args.out, args.seed)
    print(f"wrote {args.procedures} procedures × {args.revisions} revisions to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
