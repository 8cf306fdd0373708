"""Derived effects of a change, in plain Vietnamese (issue 4, DESIGN.md §4).

Effects are computed from the two normalised records, not from the list of
changes, so they read the same however the YAML was edited:

- status: ``Tình trạng: Còn hiệu lực → Đã bãi bỏ`` (and the replacement);
- processing time per channel, in the record's unit, and per case;
- fees per channel: the sum of ``amount_vnd`` (whole VND) where known;
- channels added or removed (``Thêm cách thức: Trực tuyến``);
- documents added or removed (``Bỏ: Bản sao CCCD``), originals and copies;
- number of steps and of dossier sets;
- compliance cost per year before and after, and the share saved, by Circular
  02/2017/TT-VPCP Art. 27(3), computed by :mod:`generator.cost` from each
  version with the catalog's cost basis (only when a basis is given).

Records of any shape are accepted (a version that does not validate, e.g.
``documents: abc``): a value of the wrong type gives no effect, never an
exception; the field change (``generator.diff``) still says what changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from generator.diff import Effect, LIST_KEYS, cut_words, match_items
from generator.model import CHANNEL_LABELS, STATUS_LABELS, UNIT_LABELS


def _map(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a mapping, else an empty one (wrong-typed records)."""
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Any]:
    """``value`` when it is a list, else an empty list (wrong-typed records)."""
    return list(value) if isinstance(value, list) else []


def _number(value: Any) -> float | int | None:
    """``value`` when it is a finite number (not a boolean), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if value == value and abs(value) != float("inf") else None


def format_number(value: float | int | None) -> str:
    """Vietnamese number: ``150000 -> "150.000"``, ``7.5 -> "7,5"``; ``?`` for no number."""
    value = _number(value)
    if value is None:
        return "?"
    if isinstance(value, float) and not value.is_integer():
        whole, _, frac = f"{value:.2f}".rstrip("0").partition(".")
        return f"{int(whole):,}".replace(",", ".") + ("," + frac if frac else "")
    return f"{int(value):,}".replace(",", ".")


def format_time(time: Mapping[str, Any] | None) -> str:
    """``{"value": 5, "unit": "working_days"} -> "5 ngày làm việc"`` (the note if no value)."""
    time = _map(time)
    if not time:
        return "không ghi"
    if _number(time.get("value")) is None:
        return str(time.get("note") or "không ghi")
    unit = time.get("unit", "")
    unit = UNIT_LABELS.get(unit, unit) if isinstance(unit, str) else ""
    return f"{format_number(time['value'])} {unit}".strip()


def compliance_cost(record: Mapping[str, Any] | None, basis: Any = None) -> int | None:
    """Yearly compliance cost in VND of a normalised record (Circular 02/2017/TT-VPCP Art. 27(3)).

    Computed by :func:`generator.cost.compute_cost` with the catalog's cost
    basis; None without a basis, for a record that does not build, or when the
    hours cannot be known.
    """
    if not record or basis is None:
        return None
    from generator.cost import compute_cost
    from generator.model import procedure_from_dict

    try:
        procedure = procedure_from_dict(record, agency="", path="")
        figure = compute_cost(procedure, basis)
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError):
        return None  # a record of the wrong shape has no cost; its field changes still show
    return None if figure is None else figure.per_year_vnd


def _methods(record: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    return {str(m.get("channel")): m for m in _items(_map(record).get("methods")) if isinstance(m, Mapping)}


def _fee_total(method: Mapping[str, Any] | None) -> int | None:
    amounts = [f.get("amount_vnd") for f in _items(_map(method).get("fees")) if isinstance(f, Mapping)]
    known = [a for a in map(_number, amounts) if a is not None]
    return int(sum(known)) if known else None


def _time_effect(subject: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> Effect | None:
    old, new = _map(old), _map(new)
    if old == new:
        return None
    ov, nv = _number(old.get("value")), _number(new.get("value"))
    same_unit = old.get("unit") == new.get("unit") and (old.get("unit") is None or isinstance(old.get("unit"), str))
    if ov is not None and nv is not None and same_unit:
        if ov == nv:
            return None
        text = f"Thời hạn giải quyết ({subject}): {format_number(ov)} → {format_time(new)}"
        return Effect("processing_time", text, float(ov), float(nv), new.get("unit"), subject)
    if ov is None and nv is None:
        return None  # only a note changed (or no value is a number): the field change says it
    text = f"Thời hạn giải quyết ({subject}): {format_time(old)} → {format_time(new)}"
    return Effect("processing_time", text, None if ov is None else float(ov), None if nv is None else float(nv),
                  new.get("unit") if same_unit else None, subject)


def _document_effects(old: Any, new: Any, where: str = "") -> Iterator[Effect]:
    old = [d for d in _items(old) if isinstance(d, Mapping)]
    new = [d for d in _items(new) if isinstance(d, Mapping)]
    pairs, removed, added = match_items(old, new, LIST_KEYS["documents"])
    where = cut_words(where, 60)
    suffix = f" ({where})" if where else ""
    for i in removed:
        yield Effect("document_removed", f"Bỏ{suffix}: {old[i].get('name')}", subject=old[i].get("name"))
    for j in added:
        yield Effect("document_added", f"Thêm{suffix}: {new[j].get('name')}", subject=new[j].get("name"))
    for i, j in pairs:
        name = new[j].get("name")
        for key, label in (("originals", "Bản chính"), ("copies", "Bản sao")):
            a, b = _number(old[i].get(key)), _number(new[j].get(key))
            if a != b:
                yield Effect(key, f"{label} «{name}»{suffix}: {format_number(a) if a is not None else 'không ghi'} → "
                                  f"{format_number(b) if b is not None else 'không ghi'}",
                             None if a is None else float(a), None if b is None else float(b), "documents", name)


def _case_pairs(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any], Mapping[str, Any]]]:
    """Matched cases ``(label, old case, new case)`` in new order (matched as the diff matches them);
    cases sharing a name are told apart by position (``Trường hợp 2: X``)."""
    from generator.diff import _labels

    ocases = [c for c in _items(old.get("cases")) if isinstance(c, Mapping)]
    ncases = [c for c in _items(new.get("cases")) if isinstance(c, Mapping)]
    pairs, _, _ = match_items(ocases, ncases, LIST_KEYS["cases"])
    labels = _labels("cases", ncases)
    return [(labels[j], ocases[i], ncases[j]) for i, j in pairs]


def compute_effects(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, cost_basis: Any = None) -> list[Effect]:
    """The effects of going from ``old`` to ``new`` (normalised records; either may be ``None``).

    ``cost_basis`` (:class:`generator.model.CostBasis`) enables the compliance-cost effect.

    Returns:
        Effects in a fixed order: status, channels, processing times, fees,
        documents, steps, dossier sets, compliance cost.
    """
    effects: list[Effect] = []
    o, n = _map(old), _map(new)
    if old is not None and new is not None and o.get("status") != n.get("status"):
        os_, ns = (x if isinstance(x, str) else "không ghi" if x is None else str(x)
                   for x in (o.get("status"), n.get("status")))
        text = f"Tình trạng: {STATUS_LABELS.get(os_, os_)} → {STATUS_LABELS.get(ns, ns)}"
        if n.get("status") == "replaced" and n.get("replaced_by"):
            text += f" (thay thế bởi {n['replaced_by']})"
        effects.append(Effect("status", text, subject=ns))
    om, nm = _methods(old), _methods(new)
    if old is not None and new is not None:
        for ch in sorted(set(nm) - set(om)):
            effects.append(Effect("channel_added", f"Thêm cách thức: {CHANNEL_LABELS.get(ch, ch)}", subject=ch))
        for ch in sorted(set(om) - set(nm)):
            effects.append(Effect("channel_removed", f"Bỏ cách thức: {CHANNEL_LABELS.get(ch, ch)}", subject=ch))
    for ch in sorted(set(om) & set(nm)):
        effect = _time_effect(CHANNEL_LABELS.get(ch, ch), om[ch].get("processing_time"), nm[ch].get("processing_time"))
        if effect:
            effects.append(effect)
    case_pairs = _case_pairs(o, n)
    for label, old_case, case in case_pairs:
        effect = _time_effect(label, old_case.get("processing_time"), case.get("processing_time"))
        if effect:
            effects.append(effect)
    for ch in sorted(set(om) & set(nm)):
        a, b = _fee_total(om[ch]), _fee_total(nm[ch])
        if a != b and (a is not None or b is not None):
            label = CHANNEL_LABELS.get(ch, ch)
            effects.append(Effect("fee", f"Phí, lệ phí ({label}): {format_number(a) if a is not None else 'không ghi'} → "
                                         f"{format_number(b) if b is not None else 'không ghi'} đồng",
                                  None if a is None else float(a), None if b is None else float(b), "VND", label))
    if old is not None and new is not None:
        effects.extend(_document_effects(o.get("documents"), n.get("documents")))
        for label, old_case, case in case_pairs:
            effects.extend(_document_effects(old_case.get("documents"), case.get("documents"), label))
        for key, unit, label in (("steps", "steps", "Số bước thực hiện"), ("dossier_sets", "sets", "Số lượng hồ sơ (bộ)")):
            a = len(_items(o.get(key))) if key == "steps" else _number(o.get(key))
            b = len(_items(n.get(key))) if key == "steps" else _number(n.get(key))
            if a != b and a is not None and b is not None:
                effects.append(Effect(key, f"{label}: {format_number(a)} → {format_number(b)}", float(a), float(b), unit))
    before = compliance_cost(old, cost_basis) if old is not None and new is not None else None
    after = compliance_cost(new, cost_basis) if before is not None else None
    if before is not None and after is not None and before != after:
        effect = Effect("compliance_cost", "", float(before), float(after), "VND/year")
        saved = effect.saved_percent
        text = f"Chi phí tuân thủ: {format_number(before)} → {format_number(after)} đồng/năm"
        if saved is not None:
            text += f" (tiết kiệm {format_number(saved)}%)" if saved >= 0 else f" (tăng {format_number(-saved)}%)"
        effects.append(Effect("compliance_cost", text, float(before), float(after), "VND/year"))
    return effects
