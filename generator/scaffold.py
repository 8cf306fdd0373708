"""``tthc new``: a new procedure file that is valid from its first save.

:func:`new_procedure` writes ``<catalog>/procedures/<agency>/<code>.yaml``
with every field the schema requires (``code``, ``name``, ``kind``,
``levels``, ``sector``, ``publication.decision``, ``status``; and
``internal_scope`` for an internal procedure, DESIGN.md §3), each preceded by
a Vietnamese comment taken from the schema's ``title`` and ``description``
(one source for the labels), the editor's schema line first
(:mod:`generator.schema_ref`) and, at the end, the names of the other fields
an editor usually fills in. The text is written with ruamel.yaml, which keeps
comments; the strict loader (:mod:`generator.load`) stays the only reader,
and the file is validated by it before :func:`new_procedure` returns.

**The code.** A procedure's code (mã thủ tục) is assigned by the national
database of administrative procedures (Cơ sở dữ liệu quốc gia về TTHC) and
never changes afterwards (``tthc check-change`` refuses ``code-changed``), so
give it with ``code`` whenever it is known. Without one, the *next free code*
is chosen as follows:

* the prefix (the digit before the dot) is that of the agency's highest code
  of the same kind. On the national portal internal procedures (TTHC nội bộ)
  have the prefixes 5 and 6 and the others 1, 2 and 3 (seen in the portal's
  data, ``shared/data/raw/dvcqg-chatbot-tthc/SOURCE.md``; the meaning of each
  digit is not documented there, so this is inferred). An agency without a
  procedure of that kind gets 1 (external) or 5 (internal);
* the number is one more than the highest number with that prefix in the
  **whole** catalog (codes are unique across agencies), so it never collides
  with a file of the catalog, and numbers freed by nothing are never reused.

An existing file is never overwritten: a given code already in the catalog
(in any agency's folder) is refused.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.diagnostics import Report
from generator.errors import CatalogInvalid, UsageError
from generator.i18n import _
from generator.importer.writer import round_trip_yaml
from generator.load import load_file, load_schema
from generator.model import LEVEL_LABELS
from generator.schema_ref import copy_schemas, schema_modeline
from generator.validate import PLACEHOLDER_NAME

CODE = re.compile(r"^([0-9])\.([0-9]{6})$")
INTERNAL_PREFIXES = ("5", "6")
DEFAULT_PREFIX = {"external": "1", "internal": "5"}
#: Shown (with their schema titles) in the closing comment: what an editor fills in next.
FURTHER_FIELDS = ("description", "subjects", "agencies", "steps", "methods", "documents", "requirements",
                  "results", "legal_basis", "related")
PLACEHOLDER_DECISION = "(ghi số quyết định công bố, ví dụ 497/QĐ-BXD)"


@dataclass(frozen=True)
class NewProcedure:
    """What :func:`new_procedure` wrote: the file, its code, and the warnings it still has."""

    path: Path
    code: str
    report: Report


def catalog_codes(catalog: Path) -> dict[str, Path]:
    """``code -> file`` of every procedure file (``procedures/<agency>/<code>.yaml``), by file name.

    The file name is the code (rule ``code-filename``), so no file is read.
    """
    found: dict[str, Path] = {}
    for path in sorted((catalog / "procedures").glob("*/*.yaml")):
        if CODE.match(path.stem):
            found.setdefault(path.stem, path)
    return found


def next_free_code(catalog: Path, agency: str, kind: str) -> str:
    """The next free code for a procedure of ``kind`` published by ``agency`` (module docstring).

    Raises:
        UsageError: the prefix has no number left (999999 is taken).
    """
    codes = catalog_codes(catalog)

    def same_kind(prefix: str) -> bool:
        return (prefix in INTERNAL_PREFIXES) == (kind == "internal")

    own = sorted(c for c, p in codes.items() if p.parent.name == agency and same_kind(c[0]))
    prefix = own[-1][0] if own else DEFAULT_PREFIX[kind]
    highest = max((int(c[2:]) for c in codes if c[0] == prefix), default=0)
    if highest >= 999_999:
        raise UsageError(_("no free code is left with the prefix {prefix}.: give the code with --code").format(prefix=prefix))
    return f"{prefix}.{highest + 1:06d}"


def _read_list(catalog: Path, kind: str) -> list[dict[str, Any]]:
    path = catalog / f"{kind}.yaml"
    if not path.is_file():
        raise UsageError(_("{path} not found: a catalog needs {kind}.yaml (tthc init DIR makes one)").format(path=path, kind=kind))
    loaded = load_file(path, kind, path.as_posix())
    if loaded.diagnostics or not isinstance(loaded.data, dict):
        report = Report()
        report.extend(loaded.diagnostics)
        if report.errors:
            raise CatalogInvalid(report)
    items = (loaded.data or {}).get(kind) or []
    return [item for item in items if isinstance(item, dict)]


def new_procedure(
    catalog: Path,
    agency: str,
    sector: str,
    *,
    code: str | None = None,
    kind: str = "external",
    name: str | None = None,
    decision: str | None = None,
    site_url: str | None = None,
    today: dt.date | None = None,
) -> NewProcedure:
    """Scaffold a valid procedure file for ``agency`` in ``sector``.

    Args:
        catalog: the catalog folder.
        agency: an agency id of ``agencies.yaml`` (the publishing agency: its folder).
        sector: a sector id of ``sectors.yaml``.
        code: the procedure code ``D.NNNNNN``; None picks the next free code.
        kind: ``external`` (TTHC) or ``internal`` (TTHC nội bộ).
        name: the procedure's name (tên thủ tục); None writes a placeholder, which
            ``tthc validate`` refuses (``name-placeholder`` error) until it is replaced,
            so a scaffold cannot be published unedited.
        decision: the publishing decision's number (số quyết định công bố);
            None writes a placeholder, which ``tthc validate`` flags with a
            ``legal-number`` warning until it is filled in.
        site_url: the published site's address for the schema line (None:
            ``TTHC_SITE_URL``; see :mod:`generator.schema_ref`).
        today: unused by the rules here; passed to validation (tests).

    Returns:
        A :class:`NewProcedure`; ``report`` holds the file's warnings and its
        ``name-placeholder`` error (without ``name``).

    Raises:
        UsageError: unknown agency or sector, a malformed code, a code that
            is already in the catalog, or a ``kind`` that is not
            ``external``/``internal``.
        CatalogInvalid: ``agencies.yaml`` or ``sectors.yaml`` has errors, or
            (a bug) the written file does not validate; the file is removed then.
    """
    from generator.validate import validate_catalog

    catalog = Path(catalog)
    if not catalog.is_dir():
        raise UsageError(_("catalog folder not found: {folder} (run from the repository root, or pass --catalog DIR)").format(folder=catalog))
    if kind not in ("external", "internal"):
        raise UsageError(_("--kind must be external or internal, not {kind!r}").format(kind=kind))
    agencies = {a.get("id"): a for a in _read_list(catalog, "agencies")}
    if agency not in agencies:
        raise UsageError(_("agency {agency!r} is not in {file}: use one of {ids}").format(
            agency=agency, file=catalog / "agencies.yaml", ids=", ".join(sorted(map(str, agencies)))))
    sectors = {s.get("id") for s in _read_list(catalog, "sectors")}
    if sector not in sectors:
        raise UsageError(_("sector {sector!r} is not in {file}: use an id listed there, or add the sector").format(
            sector=sector, file=catalog / "sectors.yaml"))
    existing = catalog_codes(catalog)
    if code is None:
        code = next_free_code(catalog, agency, kind)
    elif not CODE.match(code):
        raise UsageError(_("code {code!r} is malformed: write one digit, a dot and six digits, e.g. --code 1.000178").format(code=code))
    if code in existing:
        raise UsageError(_("procedure {code} already exists: {path} (never overwritten; edit that file)").format(
            code=code, path=existing[code].as_posix()))
    path = catalog / "procedures" / agency / f"{code}.yaml"
    if path.exists():
        raise UsageError(_("{path} already exists (never overwritten)").format(path=path))
    level = agencies[agency].get("level") if agencies[agency].get("level") in LEVEL_LABELS else "other"
    text = schema_modeline(path, "procedure", site_url) + procedure_yaml(code, name, kind, level, sector, decision)
    new_folder = not path.parent.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="\n") as out:  # "x": never over a file made meanwhile
        out.write(text)
    report = validate_catalog(catalog, only=[path], today=today)
    # a refused procedure leaves nothing behind: no file, no folder, no schemas (an unedited name is
    # the one error a scaffold is written with: the editor fills it in)
    if any(d.code != "name-placeholder" for d in report.errors):
        path.unlink()
        if new_folder:
            path.parent.rmdir()
        raise CatalogInvalid(report)
    copy_schemas(catalog, site_url)
    return NewProcedure(path=path, code=code, report=report)


def _comment(key: str, schema: dict[str, Any], extra: str = "") -> str:
    prop = schema["properties"][key]
    details = " ".join(part for part in (prop.get("description", ""), extra) if part)
    return f"{prop.get('title', key)}: {details}" if details else prop.get("title", key)


def procedure_yaml(code: str, name: str | None, kind: str, level: str, sector: str, decision: str | None) -> str:
    """The YAML text (without the schema line) of a new procedure, with Vietnamese comments.

    Returns:
        UTF-8 text, ``\\n`` line ends, keys in the schema's order.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    schema = load_schema("procedure")
    props = schema["properties"]
    doc = CommentedMap()
    doc["code"] = DoubleQuotedScalarString(code)
    doc["name"] = name or PLACEHOLDER_NAME
    doc["kind"] = kind
    if kind == "internal":
        doc["internal_scope"] = "between_agencies"
    levels = CommentedSeq([level])
    levels.fa.set_flow_style()
    doc["levels"] = levels
    doc["sector"] = sector
    publication = CommentedMap()
    publication["decision"] = decision or PLACEHOLDER_DECISION
    publication.yaml_add_eol_comment(f"{props['publication']['properties']['decision']['title']} (bắt buộc)", "decision")
    doc["publication"] = publication
    doc["status"] = "in_force"
    notes = {
        "name": "Sửa lại cho đúng tên trong quyết định công bố." if not name else "",
        "levels": "Theo cấp của cơ quan công bố; một hoặc nhiều cấp: ministry, province, commune, other.",
        "internal_scope": "Chọn đúng nhóm (mặc định between_agencies).",
        "publication": "Thêm date: YYYY-MM-DD (ngày ban hành) khi biết.",
        "status": "Thủ tục mới: in_force.",
    }
    for key in doc:
        doc.yaml_set_comment_before_after_key(key, before=_comment(key, schema, notes.get(key, "")))
    further = ", ".join(f"{k} ({props[k]['title']})" for k in FURTHER_FIELDS if k in props)
    out = io.StringIO()
    round_trip_yaml().dump(doc, out)
    return (out.getvalue() + f"# Các trường thường điền tiếp (xem lược đồ): {further}.\n")
