"""Print a :class:`~generator.diff.CatalogDiff` as text, Markdown or JSON.

- ``text``: for a terminal; ANSI colours only when asked (the CLI asks when
  stdout is a TTY).
- ``markdown``: for a pull-request comment: a summary table first, then one
  ``<details>`` block per procedure; every value is escaped (Markdown and
  HTML), so a record cannot inject markup into the comment.
- ``json``: the stable machine format, documented in :func:`to_json`.

All three are deterministic: procedures sorted by code, changes in schema
order.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

from generator.diff import CatalogDiff, Change, ProcedureDiff, cut_words, key_label
from generator.diff.effects import format_number, format_time
from generator.model import (
    CHANNEL_LABELS, FORMALITY_TYPE_LABELS, INTERNAL_SCOPE_LABELS, KIND_LABELS, LEVEL_LABELS,
    SIMPLIFICATION_KIND_LABELS, UNIT_LABELS,
)
from generator.model import STATUS_LABELS as MODEL_STATUS_LABELS

#: Vietnamese names of :attr:`ProcedureDiff.status`.
STATUS_LABELS = {
    "added": "Thêm mới",
    "deleted": "Xóa tệp",
    "abolished": "Bãi bỏ",
    "replaced": "Thay thế",
    "changed": "Sửa đổi",
    "moved": "Chuyển cơ quan công bố",
    "unchanged": "Không thay đổi nội dung (chỉ khác định dạng)",
}
_ORDER = ("added", "abolished", "replaced", "changed", "moved", "unchanged", "deleted")
_MARKS = {"added": "+", "removed": "-", "changed": "~", "moved": "↕"}
_COLOURS = {"added": "32", "removed": "31", "changed": "33", "moved": "36", "head": "1", "dim": "2"}
NO_SEMANTIC_CHANGE = "Không có thay đổi về nội dung (chỉ khác định dạng, thứ tự khóa hoặc dạng Unicode)"


#: Labels of enumerated values by the key that holds them.
_ENUMS: dict[str, dict[str, str]] = {
    "channel": CHANNEL_LABELS, "unit": UNIT_LABELS, "levels": LEVEL_LABELS, "kind": KIND_LABELS,
    "status": MODEL_STATUS_LABELS, "internal_scope": INTERNAL_SCOPE_LABELS, "formality_type": FORMALITY_TYPE_LABELS,
    "kinds": SIMPLIFICATION_KIND_LABELS,
}


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _vi_date(text: Any) -> str:
    """``2026-07-01`` -> ``01/07/2026``."""
    parts = str(text or "").split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else str(text or "?")


def value_text(value: Any, limit: int = 300, key: str = "") -> str:
    """A one-line Vietnamese rendering of a record value.

    Enumerations get their Vietnamese label (``online`` -> ``Trực tuyến``),
    a processing time reads ``5 ngày làm việc``, a fee ``Lệ phí (150.000 đồng)``,
    lists are joined by ``; ``. ``key`` is the field holding the value.
    """
    if value is None:
        return "(trống)"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, (int, float)):
        return format_number(value) + (" đồng" if key.endswith("_vnd") else "")
    if isinstance(value, str) and key in _ENUMS:
        text = _ENUMS[key].get(value, value)
    elif isinstance(value, Mapping):
        if key in ("processing_time",) or ("unit" in value and "value" in value):
            text = format_time(value)
        elif value.get("decision") and value.get("summary"):  # a simplification or amendment entry
            listed = value.get("kinds") if isinstance(value.get("kinds"), list) else []
            kinds = ", ".join(SIMPLIFICATION_KIND_LABELS.get(str(k), str(k)) for k in listed)
            text = f"{value['decision']} ngày {_vi_date(value.get('date'))}: {value['summary']}" + (f" ({kinds})" if kinds else "")
        else:
            head_key = next((k for k in ("name", "number", "title", "description", "decision", "channel") if value.get(k)), None)
            rest = [f"{key_label(k, key)}: {value_text(v, 80, k)}" for k, v in value.items()
                    if k not in (head_key, "id")]
            if head_key:
                head = value_text(value[head_key], 200, head_key)
                text = f"{head} ({'; '.join(rest)})" if rest else head
            else:
                text = "; ".join(rest)
    elif isinstance(value, list):
        text = "; ".join(value_text(v, 120, key) for v in value)
    elif isinstance(value, str) and _ISO_DATE.match(value):
        text = _vi_date(value)
    else:
        text = str(value)
    text = " ".join(text.split())
    return cut_words(text, limit)


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common beginning of ``a`` and ``b``, by bisection on slices
    compared in C (a loop over characters took a second of a build of the real catalog)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def shorten_pair(old: str, new: str, limit: int = 300, context: int = 40) -> tuple[str, str]:
    """Two versions of a text, shortened so that where they differ stays visible.

    The common beginning and end are cut down to ``context`` characters
    (at word boundaries) and replaced by ``…``; each side is at most about
    ``limit`` characters. Texts that fit are returned as they are.
    """
    if len(old) <= limit and len(new) <= limit:
        return old, new
    prefix = _common_prefix(old, new)
    suffix = _common_prefix(old[prefix:][::-1], new[prefix:][::-1])
    start = max(0, prefix - context)
    if start > 0 and " " in old[start:prefix]:
        start = old.index(" ", start, prefix) + 1  # begin at a word

    def side(text: str) -> str:
        end_diff = len(text) - suffix
        end = min(len(text), end_diff + context)
        if end < len(text) and " " in text[end_diff:end]:
            end = text.rindex(" ", end_diff, end)
        middle = text[start:end]
        if len(middle) > limit:
            middle = cut_words(middle, limit)
            return ("…" if start > 0 else "") + middle
        return ("…" if start > 0 else "") + middle + ("…" if end < len(text) else "")

    return side(old), side(new)


def change_text(change: Change) -> str:
    """``"Thành phần hồ sơ › X › Bản sao: 1 → 0"`` and the like, without the mark."""
    if change.kind == "moved":
        return f"{change.label}: chuyển từ vị trí {change.old_index} sang {change.new_index}"
    if change.kind == "added":
        return f"{change.label}: thêm {value_text(change.new, key=change.key)}"
    if change.kind == "removed":
        return f"{change.label}: bỏ {value_text(change.old, key=change.key)}"
    before, after = pair_text(change)
    return f"{change.label}: {before} → {after}"


def pair_text(change: Change, limit: int = 300) -> tuple[str, str]:
    """The before and after of a ``changed`` change, shortened around their difference."""
    before = value_text(change.old, limit=10**9, key=change.key)
    after = value_text(change.new, limit=10**9, key=change.key)
    return shorten_pair(before, after, limit)


def headline(diff: ProcedureDiff) -> str:
    """``"3.000353 Cấp giấy phép lái xe quốc tế: Sửa đổi"``."""
    status = STATUS_LABELS[diff.status]
    if diff.status == "replaced" and diff.replaced_by:
        status += f" (bởi {diff.replaced_by})"
    return f"{diff.code} {diff.name}: {status}"


def _files_label(p: ProcedureDiff) -> str:
    """``Chuyển tệp`` for a move between agency folders; ``Tệp`` for two files compared."""
    return "Chuyển tệp" if any(e.kind == "agency" for e in p.effects) else "Tệp"


def summary_counts(diff: CatalogDiff) -> list[tuple[str, int]]:
    """``[(label, count), ...]`` for every status present, in a fixed order."""
    return [(STATUS_LABELS[s], diff.count(s)) for s in _ORDER if diff.count(s)]


# --- text ----------------------------------------------------------------------

#: The warning above a diff whose head side holds records that do not validate.
INVALID_HEAD = ("Bản ghi không hợp lệ: các thay đổi dưới đây so sánh giá trị như đã ghi, nhưng giá trị không đúng "
                "lược đồ nên hệ quả có thể sai; sửa các lỗi này trước")


def to_text(diff: CatalogDiff, base: str, head: str, color: bool = False) -> str:
    """The terminal rendering. ``color`` adds ANSI colours (only for a TTY)."""
    def c(kind: str, text: str) -> str:
        return f"\x1b[{_COLOURS[kind]}m{text}\x1b[0m" if color else text

    lines = [c("head", f"So sánh danh mục TTHC: {base} → {head}")]
    counts = summary_counts(diff)
    lines.append(" · ".join(f"{label}: {n}" for label, n in counts) if counts else "Không có thủ tục nào thay đổi.")
    for path, old_code, new_code in diff.code_changes:
        lines.append(c("removed", f"! {path}: mã thủ tục đổi từ {old_code} thành {new_code} (mã không bao giờ được đổi)"))
    if diff.invalid:
        lines.append(c("removed", f"! {INVALID_HEAD} (tthc validate):"))
        lines += [c("removed", f"  {d.format()}") for d in diff.invalid]
    for p in diff.procedures:
        lines += ["", c("head", headline(p))]
        if p.moved:
            lines.append(f"  {_files_label(p)}: {p.old_path} → {p.new_path}")
        else:
            lines.append(c("dim", f"  Tệp: {p.new_path or p.old_path}"))
        if p.decisions:
            lines.append(f"  Quyết định: {', '.join(p.decisions)}")
        for entry in p.new_simplifications:
            lines.append(f"  Phương án đơn giản hóa: {value_text(entry.get('summary'))}")
        for entry in p.new_amendments:
            lines.append(f"  Sửa đổi, bổ sung: {value_text(entry.get('summary'))}")
        if p.status == "unchanged":
            lines.append(f"  {NO_SEMANTIC_CHANGE}")
            continue
        if p.effects:
            lines.append("  Tác động:")
            lines += [f"    • {e.text}" for e in p.effects]
        if p.changes:
            lines.append(f"  Thay đổi ({len(p.changes)}):")
            for ch in p.changes:
                lines.append(c(ch.kind, f"    {_MARKS[ch.kind]} {change_text(ch)}"))
    return "\n".join(lines) + "\n"


# --- markdown ------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(text: Any) -> str:
    """Escape a value for Markdown and HTML (GitHub comments): no markup survives, and no
    ``@name`` mentions anyone (a zero-width space follows each ``@``, as Dependabot does)."""
    text = html.escape(str(text), quote=True)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = text.replace("@", "@&#8203;")
    return text.replace("\r", "").replace("\n", "<br>")


def html_text(text: Any) -> str:
    """Escape a value for HTML where Markdown is not read (inside ``<summary>``): no markup, no mention.

    The characters Markdown would read (``[``, ``*``, backslash...) become numeric character
    references, which HTML and Markdown both show as the character itself, so no backslash
    is visible and nothing becomes markup either way; ``@`` is followed by a zero-width space.
    """
    text = html.escape(str(text), quote=True)
    text = _MD_SPECIAL.sub(lambda m: f"&#{ord(m.group(1))};", text)
    text = text.replace("@", "@&#8203;")
    return " ".join(text.replace("\r", "").split())


def added_fields(p: ProcedureDiff) -> list[tuple[str, str]]:
    """``(label, text)`` of the key fields of an added procedure (name, code, agencies, time, fee, documents).

    Texts are plain (not escaped); a field the record lacks is left out.
    """
    record = p.record or {}
    out = [("Mã thủ tục", str(record.get("code", p.code))), ("Tên thủ tục", str(record.get("name", p.name)))]
    if p.new_path and p.new_path.count("/") >= 1:
        out.append(("Cơ quan công bố", p.new_path.split("/")[-2]))
    executing = (record.get("agencies") or {}).get("executing") if isinstance(record.get("agencies"), Mapping) else None
    if executing:
        out.append(("Cơ quan thực hiện", value_text(executing, 200)))
    methods = [m for m in record.get("methods") or [] if isinstance(m, Mapping)]
    times = [f"{CHANNEL_LABELS.get(str(m.get('channel')), str(m.get('channel')))}: {format_time(m['processing_time'])}"
             for m in methods if isinstance(m.get("processing_time"), Mapping)]
    if times:
        out.append(("Thời hạn giải quyết", "; ".join(times)))
    fees = [f"{CHANNEL_LABELS.get(str(m.get('channel')), str(m.get('channel')))}: {value_text(m['fees'], 200, 'fees')}"
            for m in methods if m.get("fees")]
    out.append(("Phí, lệ phí", "; ".join(fees) if fees else "không ghi"))
    documents = record.get("documents")
    out.append(("Thành phần hồ sơ", f"{len(documents) if isinstance(documents, list) else 0} giấy tờ"))
    decision = (record.get("publication") or {}).get("decision") if isinstance(record.get("publication"), Mapping) else None
    if decision:
        out.append(("Quyết định công bố", str(decision)))
    return out


def _short(text: str, limit: int) -> str:
    return cut_words(text, limit)


def _code(text: Any) -> str:
    """Text for a Markdown code span (backticks and line breaks removed)."""
    return str(text or "").replace("`", "'").replace("\n", " ")


#: Formatting-only procedures listed by code in the Markdown comment, at most.
FORMATTING_LISTED = 200

#: What a reviewer checks when a field of :data:`generator.diff.REVIEWED` changed (the PR comment).
REVIEW_NOTES = {
    "name": "đổi tên thủ tục: kiểm tra tên mới đúng với quyết định công bố và vẫn là cùng một thủ tục",
    "publication": "đổi quyết định công bố: kiểm tra số, ngày của quyết định",
    "compliance_cost": ("đổi số liệu chi phí tuân thủ: kiểm tra nguồn số liệu mới (số liệu này tính ra chi phí "
                        "tiết kiệm được, khoản 3 Điều 27 Thông tư 02/2017/TT-VPCP)"),
}


def _review_lines(diff: CatalogDiff) -> list[str]:
    """A visible block (outside the folded details) for each name, publication or cost input change."""
    out = []
    for p in diff.procedures:
        for name in p.reviewed_fields:
            changes = "; ".join(md_escape(change_text(c)) for c in p.changes if c.field == name)
            out.append(f"> ⚠️ **{md_escape(p.code)}**, {REVIEW_NOTES[name]}. {changes}")
            out.append(">")
    if out:
        out = ["**Cần người duyệt kiểm tra** (không cần quyết định, nhưng phải kiểm tra):", ""] + out[:-1] + [""]
    return out


def to_markdown(diff: CatalogDiff, base: str, head: str) -> str:
    """The pull-request comment: summary table, then one ``<details>`` block per procedure."""
    out = [f"### So sánh danh mục TTHC: `{base.replace('`', '')}` → `{head.replace('`', '')}`", ""]
    counts = summary_counts(diff)
    out.append(" · ".join(f"**{label}**: {n}" for label, n in counts) if counts else "Không có thủ tục nào thay đổi.")
    out.append("")
    for path, old_code, new_code in diff.code_changes:
        out.append(f"> ⚠️ `{_code(path)}`: mã thủ tục đổi từ {md_escape(old_code)} thành {md_escape(new_code)}")
    if diff.invalid:
        out += [f"> ⚠️ **{INVALID_HEAD}** (`tthc validate`):", ">"]
        out += [f"> - `{_code(d.file)}:{d.line}:{d.column}` {md_escape(d.path)}: {md_escape(d.message)}" for d in diff.invalid]
        out.append("")
    # What needs a look comes first, and formatting-only files last, in one line: GitHub cuts a comment
    # at 65,536 characters, so a change must not sink below a thousand reformatted files.
    out += _review_lines(diff)
    shown = [p for p in diff.procedures if p.status != "unchanged" or p.moved]
    formatting = [p for p in diff.procedures if p.status == "unchanged" and not p.moved]
    if shown:
        out += ["| Mã | Thủ tục | Thay đổi | Quyết định | Tác động chính |", "|---|---|---|---|---|"]
        for p in shown:
            effects = "<br>".join(md_escape(_short(e.text, 140)) for e in p.effects[:4])
            if len(p.effects) > 4:
                effects += f"<br>… và {len(p.effects) - 4} tác động khác"
            out.append(f"| {md_escape(p.code)} | {md_escape(p.name)} | {STATUS_LABELS[p.status]} | "
                       f"{md_escape(', '.join(p.decisions)) or '—'} | {effects or '—'} |")
        out.append("")
    if formatting:
        codes = ", ".join(md_escape(p.code) for p in formatting[:FORMATTING_LISTED])
        more = f", … và {len(formatting) - FORMATTING_LISTED} thủ tục khác" if len(formatting) > FORMATTING_LISTED else ""
        out += [f"**{STATUS_LABELS['unchanged']}** ({len(formatting)} thủ tục): {codes}{more}", ""]
    for p in shown:
        count = "" if p.status == "added" else f" ({len(p.changes)} thay đổi)"
        out.append(f"<details><summary><strong>{html_text(p.code)}</strong> {html_text(p.name)}: "
                   f"{STATUS_LABELS[p.status]}{count}</summary>")
        out.append("")
        if p.moved:
            out.append(f"{_files_label(p)}: `{_code(p.old_path)}` → `{_code(p.new_path)}`")
        else:
            out.append(f"Tệp: `{_code(p.new_path or p.old_path)}`")
        out.append("")
        for entry in p.new_simplifications:
            out.append(f"- **Phương án đơn giản hóa** ({md_escape(entry.get('decision'))}, {_vi_date(entry.get('date'))}): "
                       f"{md_escape(entry.get('summary'))}")
        for entry in p.new_amendments:
            out.append(f"- **Sửa đổi, bổ sung** ({md_escape(entry.get('decision'))}, {_vi_date(entry.get('date'))}): "
                       f"{md_escape(entry.get('summary'))}")
        if p.status == "unchanged":
            out += [NO_SEMANTIC_CHANGE, "", "</details>", ""]
            continue
        if p.status == "added":
            out += ([""] if out[-1] else []) + ["| Trường | Giá trị |", "|---|---|"]
            out += [f"| {label} | {md_escape(text)} |" for label, text in added_fields(p)]
        if p.effects:
            out += ["", "**Tác động**", ""] + [f"- {md_escape(e.text)}" for e in p.effects]
        if p.changes:
            out += ["", "| | Trường | Trước | Sau |", "|---|---|---|---|"]
            for ch in p.changes:
                if ch.kind == "moved":
                    before, after = f"vị trí {ch.old_index}", f"vị trí {ch.new_index}"
                elif ch.kind == "changed":
                    before, after = (md_escape(t) for t in pair_text(ch))
                else:
                    before = md_escape(value_text(ch.old, key=ch.key)) if ch.old is not None else ""
                    after = md_escape(value_text(ch.new, key=ch.key)) if ch.new is not None else ""
                out.append(f"| {_MARKS[ch.kind]} | {md_escape(ch.label)} | {before} | {after} |")
        out += ["", "</details>", ""]
    return "\n".join(out).rstrip("\n") + "\n"


# --- json ----------------------------------------------------------------------

def to_json(diff: CatalogDiff, base: str, head: str | None) -> str:
    """The stable JSON format (``tthc diff --format json``), version 1.

    Shape::

        {
          "format": "tthc-diff", "version": 1,
          "base": "<ref or file>", "head": "<ref or file>" | null,
          "summary": {"added": n, "abolished": n, "replaced": n, "changed": n,
                      "moved": n, "unchanged": n, "deleted": n},
          "code_changes": [{"path": str, "old_code": str, "new_code": str}],
          "procedures": [{
             "code": str, "name": str,
             "status": "added|deleted|abolished|replaced|changed|moved|unchanged",
             "old_path": str|null, "new_path": str|null, "replaced_by": str|null,
             "decisions": [str], "substantive_fields": [str],
             "new_simplifications": [{...entry...}], "new_amendments": [{...}],
             "changes": [{"kind": "added|removed|changed|moved", "path": "documents[1].copies",
                          "label": "Thành phần hồ sơ › … › Bản sao", "old": any, "new": any,
                          "old_index": int|null, "new_index": int|null}],
             "effects": [{"kind": str, "text": str, "before": number|null, "after": number|null,
                          "unit": str|null, "subject": str|null, "saved_percent": number|null}]
          }]
        }

    ``head`` is ``null`` when the head side is the working tree (the files
    on disk). ``unchanged`` means the file changed only in formatting, key
    order or Unicode form. Indexes are 1-based; paths are those of ``tthc validate``.
    """
    payload = {
        "format": "tthc-diff",
        "version": 1,
        "base": base,
        "head": head,
        "summary": {s: diff.count(s) for s in _ORDER},
        "code_changes": [{"path": p, "old_code": o, "new_code": n} for p, o, n in diff.code_changes],
        "procedures": [p.as_dict() for p in diff.procedures],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


#: How text and Markdown name the files on disk (``head`` is ``None``).
WORKING_TREE_LABEL = "cây làm việc (working tree)"


def render(diff: CatalogDiff, fmt: str, base: str, head: str | None, color: bool = False) -> str:
    """Dispatch on ``fmt`` (``text``, ``markdown``, ``json``); ``head=None`` is the working tree."""
    if fmt == "json":
        return to_json(diff, base, head)
    label = head if head is not None else WORKING_TREE_LABEL
    if fmt == "markdown":
        return to_markdown(diff, base, label)
    return to_text(diff, base, label, color=color)
