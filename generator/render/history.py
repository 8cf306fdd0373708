"""History pages, revision pages, Atom feeds and the ``tthc history`` listing.

Built from a :class:`~generator.history.History` and the semantic diff
(:mod:`generator.diff`):

- ``thu-tuc/<code>/lich-su/``: every revision, newest first, with its date,
  decision, summary and field-level diff in plain Vietnamese; simplifications
  highlighted with their effects;
- ``thu-tuc/<code>/phien-ban/<short sha>/``: the record as it was at that
  revision (stable URL), with a banner when it is not the current version,
  a comparison with the current version (``#so-sanh``) and the change from the
  previous one (``#so-voi-truoc``), effects first, field changes the effects do not
  state after them, changed text as a word-level difference (:mod:`generator.render.review`);
- ``thu-tuc/<code>/so-sanh/<older short>-<newer short>/``: two revisions neither adjacent
  nor current (see :func:`compare_targets`); the history page's compare form
  (``assets/javascripts/tthc-compare.js``) leads to the page of any two revisions;
- ``feeds/all.xml`` and ``feeds/<agency>.xml``: Atom feeds of changes;
- :func:`recent_changes` (procedure page: last three changes) and
  :func:`latest_changes` (home page).

Every value reaches HTML through Jinja2 autoescaping.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

from markupsafe import Markup

from generator.diff import ProcedureDiff, agency_effect, diff_procedures
from generator.diff.format import NO_SEMANTIC_CHANGE, change_text, value_text
from generator.history import History, Revision, read_history
from generator.i18n import _
from generator.model import Catalog, SIMPLIFICATION_KIND_LABELS
from generator.render.review import ReviewLine, review_lines

#: Vietnamese labels of :attr:`RevisionChange.kind`.
KIND_LABELS = {
    "boundary": "Trạng thái tại ranh giới bản sao nông (lịch sử chưa đầy đủ)",
    "created": "Đưa vào danh mục",
    "deleted": "Xóa tệp",
    "simplification": "Đơn giản hóa",
    "abolished": "Bãi bỏ",
    "replaced": "Thay thế",
    "moved": "Chuyển cơ quan công bố",
    "amendment": "Sửa đổi, bổ sung",
    "unrecorded": "Thay đổi chưa ghi quyết định",
    "correction": "Hiệu đính dữ liệu",
    "data_correction": "Đính chính dữ liệu nhập (không phải thay đổi thủ tục)",
    "unchanged": "Không thay đổi nội dung",
    "invalid": "Bản ghi không hợp lệ",
}

#: The commit trailer that declares a commit a correction of imported data (the record is
#: re-read from its source; the procedure itself did not change, so no decision is named).
DATA_CORRECTION_TRAILER = "Loại thay đổi: đính chính dữ liệu"


def declares_data_correction(message: str) -> bool:
    """True for a commit whose message has the line ``Loại thay đổi: đính chính dữ liệu``, or whose
    subject starts with ``tái nhập`` (the re-import convention of ``tthc import --overwrite``).

    Such a change is shown as what it is in history, and not announced in feeds; it still
    shows every field it changed, so a reviewer can check the claim.
    """
    lines = [line.strip() for line in (message or "").splitlines()]
    subject = lines[0].casefold() if lines else ""
    return subject.startswith("tái nhập") or DATA_CORRECTION_TRAILER.casefold() in (line.casefold() for line in lines)


#: The note shown for an invalid version (what the public sees instead of guessed content).
INVALID_NOTE = ("Phiên bản này không đọc được hoặc không đúng lược đồ dữ liệu nên không được hiển thị; "
                "các lỗi dưới đây cho biết vì sao. Thay đổi của phiên bản sau được so với phiên bản hợp lệ gần nhất.")

#: The note of a shallow-clone boundary revision (instead of that commit's message).
BOUNDARY_NOTE = ("Trạng thái của thủ tục tại phiên bản cũ nhất có trong bản sao nông của kho; "
                 "các thay đổi trước đó và người thực hiện không có trong bản sao này.")

#: The shallow-clone warning on Vietnamese surfaces (pages, ``tthc history`` listing).
SHALLOW_WARNING_VI = ("Cảnh báo: kho này là bản sao nông, thiếu các phiên bản cũ hơn và ngày tạo thủ tục; "
                      "để có đủ lịch sử, chạy lệnh: git fetch --unshallow")

HISTORY_SEGMENT = "lich-su"
REVISION_SEGMENT = "phien-ban"
COMPARE_SEGMENT = "so-sanh"
FEED_LIMIT = 50


@dataclass(frozen=True)
class RevisionChange:
    """One revision of one procedure and what it changed against the previous one.

    Attributes:
        code: the procedure code.
        revision: the revision.
        previous: the revision before it (``None`` for the first).
        diff: ``diff_procedures(previous.record, revision.record)``.
    """

    code: str
    revision: Revision
    previous: Revision | None
    diff: ProcedureDiff

    @property
    def decisions(self) -> tuple[str, ...]:
        return self.diff.decisions if self.previous is not None else ()

    @property
    def simplifications(self) -> tuple[dict[str, Any], ...]:
        return self.diff.new_simplifications if self.previous is not None else ()

    @property
    def amendments(self) -> tuple[dict[str, Any], ...]:
        return self.diff.new_amendments if self.previous is not None else ()

    @property
    def is_simplification(self) -> bool:
        return bool(self.simplifications)

    @property
    def name(self) -> str:
        record = self.revision.record or (self.previous.record if self.previous and self.previous.record else {})
        return str(record.get("name", ""))

    @property
    def kind(self) -> str:
        """The stable code of this revision (JSON ``kind``; labels in :data:`KIND_LABELS`).

        ``boundary`` (oldest revision of a shallow clone, not a change),
        ``created``, ``deleted``, ``simplification`` (a new simplifications
        entry), ``abolished``, ``replaced``, ``moved``, ``amendment`` (a new
        amendments entry), ``invalid`` (the version did not load or did not
        validate: never compared, never shown as content), ``unrecorded`` (a substantive field changed, see
        :data:`generator.diff.SUBSTANTIVE`, without a new entry naming a
        decision), ``data_correction`` (substantive fields changed by a commit that declares
        itself a correction of the imported data, see :func:`declares_data_correction`),
        ``correction`` (only non-substantive fields changed, e.g.
        a typo in a name or description), ``unchanged`` (formatting only).
        """
        if self.revision.invalid:
            return "invalid"
        if self.revision.boundary:
            return "boundary"
        if self.previous is None or self.revision.change == "added":
            return "created"
        if self.revision.change == "deleted":
            return "deleted"
        if self.is_simplification:
            return "simplification"
        if self.diff.status in ("abolished", "replaced"):
            return self.diff.status
        if self.revision.change == "moved":
            return "moved"
        if self.amendments:
            return "amendment"
        if self.diff.substantive_fields:
            return "data_correction" if declares_data_correction(self.revision.message) else "unrecorded"
        if self.diff.status == "unchanged":
            return "unchanged"
        return "correction"

    @property
    def kind_label(self) -> str:
        """``Đưa vào danh mục``, ``Đơn giản hóa``, ``Thay đổi chưa ghi quyết định``... for people."""
        return KIND_LABELS[self.kind]

    @property
    def notable(self) -> bool:
        """True when the public should hear of it (home page, feeds): every revision except
        corrections of non-substantive fields (``correction``), formatting-only edits and
        shallow-clone boundaries. A substantive change without a recorded decision
        (``unrecorded``) is notable: it changed the procedure."""
        return self.kind not in ("correction", "data_correction", "unchanged", "boundary", "invalid")

    @property
    def summary(self) -> str:
        """The change note: the new entry's summary, else the commit subject (a boundary has none)."""
        if self.revision.boundary:
            return BOUNDARY_NOTE
        for entry in (*self.simplifications, *self.amendments):
            if entry.get("summary"):
                return str(entry["summary"])
        return self.revision.subject

    @property
    def summary_in_entries(self) -> bool:
        """True when :attr:`summary` is the summary of an entry shown with it (show it once)."""
        return any(e.get("summary") for e in (*self.simplifications, *self.amendments)) and not self.revision.boundary

    @property
    def change_lines(self) -> list[tuple[str, str]]:
        """``(kind, sentence)`` per field change, for templates; new simplification and
        amendment entries are left out (they are shown as entries, once)."""
        if self.previous is None or self.revision.invalid:
            return []
        return [(c.kind, change_text(c)) for c in self.diff.changes
                if not (c.kind == "added" and c.field in ("simplifications", "amendments"))]  # shown as entries

    @cached_property
    def review_lines(self) -> list[ReviewLine]:
        """The field changes for the history page: :attr:`change_lines` without those the
        effects already state (:func:`~generator.render.review.covered_by_effects`), each
        with a word-level difference of changed text. Made once: the history page and the
        revision page (twice) show them."""
        if self.previous is None or self.revision.invalid:
            return []
        return review_lines(self.diff.changes, self.diff.effects, skip=_shown_as_entry)


def _shown_as_entry(change: Any) -> bool:
    """A new simplification or amendment entry: shown as an entry, not as a field change."""
    return change.kind == "added" and change.field in ("simplifications", "amendments")


def revision_changes(history: History, code: str) -> list[RevisionChange]:
    """Every revision of ``code`` with its diff, newest first (computed once per history).

    An invalid version gets an empty diff and is never a side of one: the
    next version is compared with the last version that was not invalid.
    """
    key = ("revision_changes", code)
    history.of(code)  # (a packed procedure's come back with its revisions: History.pack)
    if key not in history.cache:
        remember_revision_diffs(history, code, revision_diffs(history, code))
    return list(history.cache[key])


def revision_diffs(history: History, code: str) -> list[ProcedureDiff]:
    """The diff of each revision of ``code`` against the last valid one before it, oldest first
    (what :func:`revision_changes` is made of; computed by the build's processes in parallel)."""
    out = []
    previous: Revision | None = None
    memo: dict = {}  # each record is the new side of one diff and the old side of the next
    for rev in history.of(code):
        if rev.invalid:
            out.append(ProcedureDiff(code=code, name="", status="unchanged"))
            continue
        before = previous.record if previous is not None else None
        if rev.record is None and before is None:
            diff = ProcedureDiff(code=code, name="", status="unchanged")
        else:
            diff = diff_procedures(before, rev.record, cost_basis=history.cost_basis, memo=memo)
            if diff.record is not None:  # (a reviewer's text of a new record; no history page shows it)
                diff = replace(diff, record=None)
        if rev.change == "moved" and rev.previous_path:
            diff = replace(diff, effects=(agency_effect(rev.previous_path, rev.path, history.agency_names), *diff.effects))
        out.append(diff)
        previous = rev
    return out


def remember_revision_diffs(history: History, code: str, diffs: list[ProcedureDiff]) -> None:
    """Keep the :func:`revision_changes` of ``code`` made from ``diffs`` (from :func:`revision_diffs`)."""
    out = []
    previous: Revision | None = None
    for rev, diff in zip(history.of(code), diffs, strict=True):
        out.append(RevisionChange(code, rev, previous, diff))
        if not rev.invalid:
            previous = rev
    history.cache[("revision_changes", code)] = tuple(out[::-1])


def recent_changes(history: History | None, code: str, limit: int = 3) -> list[RevisionChange]:
    """The last ``limit`` changes of ``code``, newest first (for the procedure page)."""
    if history is None:
        return []
    return revision_changes(history, code)[:limit]


def simplification_effects(history: History | None, code: str) -> Any:
    """A function for the procedure template: ``effects_of(simplification) -> [Effect]``.

    The effects are those of the revision that added the simplification entry
    (matched by date and decision, as on the history page); an entry whose
    revision is not in the history (shallow clone, uncommitted) has none.
    """
    found: dict[tuple[str, str], tuple[Any, ...]] = {}
    if history is not None:
        for rc in revision_changes(history, code):
            for entry in rc.simplifications:
                found.setdefault((str(entry.get("date")), str(entry.get("decision"))), rc.diff.effects)

    def effects_of(simplification: Any) -> list[Any]:
        return list(found.get((str(simplification.date), str(simplification.decision)), ()))

    return effects_of


def latest_changes(history: History | None, limit: int | None = 10, codes: Iterable[str] | None = None) -> list[RevisionChange]:
    """The newest notable changes across the catalog (home page, feeds), newest first.

    Only :attr:`RevisionChange.notable` revisions count; editorial corrections,
    shallow-clone boundary revisions and revisions with an impossible commit
    date are left out (the history page still lists them).
    """
    if history is None:
        return []
    every = history.cache.get(("latest_changes",))
    if every is None:  # sorted once per history (the home page and the feeds both ask)
        every = [
            rc
            for code in history.codes()
            for rc in revision_changes(history, code)
            if not rc.revision.date_unknown and rc.notable
        ]
        every.sort(key=lambda rc: (rc.revision.date, rc.revision.commit, rc.code), reverse=True)
        history.cache[("latest_changes",)] = every
    # a stable sort then a filter keeps the order a filter then a stable sort gives
    wanted = set(codes) if codes is not None else None
    changes = every if wanted is None else [rc for rc in every if rc.code in wanted]
    return list(changes) if limit is None else changes[:limit]


def history_url(code: str) -> str:
    return f"thu-tuc/{code}/{HISTORY_SEGMENT}/"


def revision_url(code: str, revision: Revision) -> str:
    return f"thu-tuc/{code}/{REVISION_SEGMENT}/{revision.short}/"


def vi_datetime(when: datetime) -> str:
    """``29/11/2026 06:30`` (Asia/Ho_Chi_Minh)."""
    return when.strftime("%d/%m/%Y %H:%M")


# --- site pages ----------------------------------------------------------------

def render_history_pages(catalog: Catalog, history: History | None, registry: Any = None) -> list[Any]:
    """History and revision pages of every procedure of ``catalog`` (see :func:`procedure_history_pages`).

    Args:
        catalog: the catalog (current versions).
        history: revisions read by :func:`generator.history.read_history`;
            ``None`` gives no pages.
        registry: the teammate's ``UrlRegistry`` (URLs claimed once), or None.

    Returns:
        ``GeneratedPage`` objects, by URL.
    """
    if history is None:
        return []
    pages = [page for procedure in catalog.procedures for page in procedure_history_pages(procedure, history, registry)]
    return sorted(pages, key=lambda page: page.url)


def procedure_history_pages(procedure: Any, history: History, registry: Any = None) -> list[Any]:
    """The history page of one procedure, a page per past revision that has a record, and the
    compare pages of :func:`compare_targets`; none when it has no revision.

    Raises:
        BuildError: two of these pages map to one URL (``registry`` given).
    """
    from generator.render import GeneratedPage, environment

    changes = revision_changes(history, procedure.code)
    if not changes:
        return []
    env = environment()
    history_t, revision_t = env.get_template("history.html"), env.get_template("revision.html")
    compare_t = env.get_template("compare_page.html")
    pages = []
    current = procedure_record(changes)
    newest = changes[0].revision.commit
    shown = [rc for rc in changes if rc.revision.record is not None]  # newest first
    targets, extra = compare_targets(procedure.code, shown, newest)
    memo: dict = {}  # the current record is one side of every comparison
    url = _claim(registry, history_url(procedure.code), f"history of {procedure.code}")
    html = history_t.render(p=procedure, changes=changes, incomplete=history.incomplete, root="../../../",
                            revision_url=revision_url, vi_datetime=vi_datetime, kind_labels=SIMPLIFICATION_KIND_LABELS,
                            no_change=NO_SEMANTIC_CHANGE, invalid_note=INVALID_NOTE, newest=newest,
                            selectable=shown, compare_pages=json.dumps(
                                {key: "../../../" + target for key, target in targets.items()}, ensure_ascii=False))
    pages.append(GeneratedPage(url=url, title=f"Lịch sử thay đổi: {procedure.name}", html=Markup(html),
                               description=f"Lịch sử thay đổi của thủ tục {procedure.code}: {procedure.name}"))
    for rc in shown:
        compare = (diff_procedures(rc.revision.record, current, cost_basis=history.cost_basis, memo=memo)
                   if current is not None else None)
        rurl = _claim(registry, revision_url(procedure.code, rc.revision), f"revision {rc.revision.short} of {procedure.code}")
        html = revision_t.render(p=procedure, rc=rc, record=record_view(rc.revision.record), current=rc.revision.commit == newest,
                                 compare=compare, compare_lines=review_lines(compare.changes, compare.effects) if compare else [],
                                 root="../../../../", history_url=history_url(procedure.code), vi_datetime=vi_datetime,
                                 value_text=value_text, incomplete=history.incomplete, no_change=NO_SEMANTIC_CHANGE,
                                 revision_url=revision_url, kind_labels=SIMPLIFICATION_KIND_LABELS)
        when = "không rõ ngày" if rc.revision.date_unknown else f"ngày {rc.revision.date:%d/%m/%Y}"
        pages.append(GeneratedPage(url=rurl, title=f"{procedure.code} {when}: {rc.name}",
                                   html=Markup(html),
                                   description=f"Phiên bản {when} của thủ tục {procedure.code}"))
    for old, new in extra:
        diff = diff_procedures(old.revision.record, new.revision.record, cost_basis=history.cost_basis,
                               memo=memo)
        curl = _claim(registry, compare_url(procedure.code, old.revision, new.revision),
                      f"comparison {old.revision.short}..{new.revision.short} of {procedure.code}")
        html = compare_t.render(p=procedure, old=old, new=new, diff=diff, lines=review_lines(diff.changes, diff.effects),
                                root="../../../../", history_url=history_url(procedure.code), revision_url=revision_url,
                                vi_datetime=vi_datetime, no_change=NO_SEMANTIC_CHANGE)
        pages.append(GeneratedPage(url=curl, title=f"So sánh hai phiên bản: {procedure.code} {procedure.name}",
                                   html=Markup(html),
                                   description=f"So sánh hai phiên bản của thủ tục {procedure.code}"))
    return pages


def compare_url(code: str, old: Revision, new: Revision) -> str:
    return f"thu-tuc/{code}/{COMPARE_SEGMENT}/{old.short}-{new.short}/"


#: Revisions (newest first) among which any two get a compare page of their own; older ones
#: are compared with the current version and with their predecessor only, so that pages do
#: not grow with the square of a long history (10 revisions: 28 pages; capped: 13).
COMPARE_PAIRS_NEWEST = 6


def compare_targets(code: str, shown: list[RevisionChange], newest: str
                    ) -> tuple[dict[str, str], list[tuple[RevisionChange, RevisionChange]]]:
    """Where the history page's compare form sends each pair of revisions.

    Args:
        code: the procedure code.
        shown: the revisions that have a record (not invalid, not deleted), newest first.
        newest: the commit of the current revision.

    Returns:
        ``({"<older short>..<newer short>": site URL}, pairs needing a compare page)``.
        A pair with the current revision goes to the older one's revision page
        (``#so-sanh``), a revision and the one before it to the newer one's revision page
        (``#so-voi-truoc``); every other pair gets its own compare page
        (:func:`compare_url`) when both are among the :data:`COMPARE_PAIRS_NEWEST`
        newest; other pairs are not offered (the form says so). Pages stay few: n ≤ 6
        revisions need ``n(n-1)/2 - (2n-3)`` compare pages (none up to three revisions).
    """
    targets: dict[str, str] = {}
    extra = []
    for j, newer in enumerate(shown):
        for older in shown[j + 1:]:
            key = f"{older.revision.short}..{newer.revision.short}"
            if newer.revision.commit == newest:
                targets[key] = revision_url(code, older.revision) + "#so-sanh"
            elif newer.previous is not None and newer.previous.commit == older.revision.commit:
                targets[key] = revision_url(code, newer.revision) + "#so-voi-truoc"
            elif shown.index(older) < COMPARE_PAIRS_NEWEST:
                targets[key] = compare_url(code, older.revision, newer.revision)
                extra.append((older, newer))
    return targets, extra


def procedure_record(changes: list[RevisionChange]) -> dict[str, Any] | None:
    """The newest committed record among ``changes`` (newest first)."""
    return next((rc.revision.record for rc in changes if rc.revision.record is not None), None)


class RecordView(dict):
    """A plain record for templates: ``record.steps`` is ``None`` when absent (StrictUndefined-safe)."""

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        return self.get(key)


def record_view(value: Any) -> Any:
    """Wrap a plain record (recursively) as :class:`RecordView` objects."""
    if isinstance(value, dict):
        return RecordView({k: record_view(v) for k, v in value.items()})
    if isinstance(value, list):
        return [record_view(v) for v in value]
    return value


def _claim(registry: Any, url: str, origin: str) -> str:
    return registry.claim(url, origin) if registry is not None else url


# --- Atom feeds ----------------------------------------------------------------

def render_feeds(catalog: Catalog, history: History | None, site_url: str = "") -> dict[str, str]:
    """Atom feeds of changes: ``feeds/all.xml`` and ``feeds/<agency>.xml``.

    Args:
        catalog: the catalog (agency names, current procedures).
        history: the history, or ``None`` (no feeds).
        site_url: absolute base URL of the site (``TTHC_SITE_URL``), or empty.

    Returns:
        ``path -> XML text`` (UTF-8), at most :data:`FEED_LIMIT` entries each,
        newest first. Each entry: the change note, decisions, effects and a
        summary of the field changes.

    Links and ids (valid Atom, RFC 4287): with a site URL, links are absolute
    under it and ids are the revision's URL. Without one, the build does not
    pretend an address: links are relative references resolved against the
    feed document's own URL (``../thu-tuc/<code>/lich-su/``, §4.2.7 allows
    them; no ``xml:base``), and ids are ``urn:uuid:`` names derived (UUID v5)
    from the entry's path, so they are absolute, stable and never change
    between builds of the same history.
    """
    from generator.render import environment

    if history is None:
        return {}
    template = environment().get_template("feed.xml")
    every = latest_changes(history, limit=None)
    feeds = {"feeds/all.xml": ("Thay đổi thủ tục hành chính", every[:FEED_LIMIT], "all")}
    by_agency: dict[str, list[RevisionChange]] = {}
    for rc in every:  # newest first, as every is
        by_agency.setdefault(rc.revision.agency, []).append(rc)
    for agency in catalog.agencies:
        entries = by_agency.get(agency.id, [])[:FEED_LIMIT]
        if entries:
            feeds[f"feeds/{agency.id}.xml"] = (f"Thay đổi thủ tục hành chính: {agency.name}", entries, agency.id)
    out = {}
    for path, (title, entries, key) in sorted(feeds.items()):
        if site_url:
            base = site_url.rstrip("/") + "/"
            link, self_link = (lambda url, base=base: base + url), base + path
            make_id = link
        else:
            up = "../" * path.count("/")
            link, self_link = (lambda url, up=up: up + url), path.rsplit("/", 1)[-1]
            make_id = feed_id
        updated = entries[0].revision.date.isoformat() if entries else "1970-01-01T00:00:00+00:00"
        out[path] = template.render(
            title=title, updated=updated, feed_id=make_id(path), self_link=self_link, home_link=link(""),
            entries=[(rc, feed_content(rc), make_id(revision_url(rc.code, rc.revision) if rc.revision.record is not None
                                                      else history_url(rc.code) + "#r-" + rc.revision.short),
                      link(history_url(rc.code)) + "#r-" + rc.revision.short) for rc in entries])
    return out


def feed_id(path: str) -> str:
    """A stable Atom id for a site path when no site URL is known: ``urn:uuid:<UUID v5 of the path>``."""
    import uuid

    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'tthc:' + path)}"


def feed_content(rc: RevisionChange) -> str:
    """The HTML of one feed entry (escaped here; the template escapes it again as XML text)."""
    from html import escape

    parts = [f"<p>{escape(rc.summary)}</p>"]
    if rc.decisions:
        parts.append(f"<p>Quyết định: {escape(', '.join(rc.decisions))}</p>")
    if rc.previous is not None and rc.diff.effects:
        parts.append("<ul>" + "".join(f"<li>{escape(e.text)}</li>" for e in rc.diff.effects) + "</ul>")
    lines = [text for _, text in rc.change_lines]
    if lines:
        more = f"; … (+{len(lines) - 10})" if len(lines) > 10 else ""
        parts.append(f"<p>{len(lines)} thay đổi: {escape('; '.join(lines[:10]))}{more}</p>")
    return "".join(parts)


# --- tthc history -------------------------------------------------------------

def history_text(repo_dir: Path, code: str, catalog_subdir: str = "catalog", fmt: str = "text",
                 allow_shallow: bool | None = None) -> str:
    """The ``tthc history CODE`` listing: every revision newest first.

    ``json`` gives ``{"code", "incomplete", "warnings" (English, as the
    ``tthc validate --format json`` records: severity, code, file, line,
    column, path, message, hint), "revisions":
    [{"commit", "date" (ISO 8601, +07:00; ``null`` when unknown), "author", "subject", "path",
    "change", "kind" (stable code, see :attr:`RevisionChange.kind`),
    "kind_label" (Vietnamese), "decisions", "summary", "boundary",
    "effects": [str], "changes": [str], "diagnostics" (of an invalid
    version: the ``tthc validate --format json`` records)}]}``. A shallow-clone boundary
    revision has ``"kind": "boundary"`` and ``null`` author and subject: that
    commit did not make the change. The text listing is in Vietnamese.

    Raises:
        UsageError: not a git repository; no revision of ``code``.
        ShallowHistory: a shallow clone without ``allow_shallow``.
        RepositoryUnreadable: a corrupt repository.
    """
    from generator.errors import UsageError
    from generator.history import require_repository

    require_repository(repo_dir)
    history = read_history(repo_dir, catalog_subdir, allow_shallow=allow_shallow)
    changes = revision_changes(history, code)
    if not changes:
        raise UsageError(_("no committed revision of procedure {code} (check the code; only committed files have "
                           "history)").format(code=code))
    if fmt == "json":
        payload = {
            "code": code, "incomplete": history.incomplete, "warnings": [w.as_dict() for w in history.warnings],
            "revisions": [{
                "commit": rc.revision.commit, "date": None if rc.revision.date_unknown else rc.revision.date.isoformat(),
                "author": None if rc.revision.boundary else rc.revision.author,
                "subject": None if rc.revision.boundary else rc.revision.subject,
                "path": rc.revision.path, "change": rc.revision.change,
                "kind": rc.kind, "kind_label": rc.kind_label, "decisions": list(rc.decisions), "summary": rc.summary,
                "boundary": rc.revision.boundary,
                "effects": [e.text for e in rc.diff.effects] if rc.previous else [],
                "changes": [line for _, line in rc.change_lines],
                "diagnostics": [d.as_dict() for d in rc.revision.diagnostics],
            } for rc in changes],
        }
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    lines = [f"Lịch sử thay đổi thủ tục {code} {changes[0].name}".rstrip()]
    if history.incomplete:
        lines.append(SHALLOW_WARNING_VI)
    lines += [f"Cảnh báo: {path} tại {sha}: không đọc được bản ghi thủ tục, bỏ qua phiên bản này"
              for path, sha in history.skipped]
    for rc in changes:
        rev = rc.revision
        if rev.boundary:
            lines += ["", f"Không rõ ngày  {rev.short}  {rc.kind_label}", f"  {rc.summary}"]
            continue
        when = "Không rõ ngày" if rev.undated else vi_datetime(rev.date)
        if rev.invalid:
            lines += ["", f"{when}  {rev.short}  {rc.kind_label}  ({rev.author})", f"  {rev.subject}"]
            lines += [f"  ! {d.format()}" for d in rev.diagnostics]
            continue
        lines += ["", f"{when}  {rev.short}  {rc.kind_label}  ({rev.author})", f"  {rev.subject}"]
        if rc.summary != rev.subject:
            lines.append(f"  {rc.summary}")
        if rc.decisions:
            lines.append(f"  Quyết định: {', '.join(rc.decisions)}")
        if rc.previous is not None:
            if rc.diff.status == "unchanged" and rev.change != "moved":
                lines.append(f"  {NO_SEMANTIC_CHANGE}")
            lines += [f"  • {e.text}" for e in rc.diff.effects]
            lines += [f"    {'+' if k == 'added' else '-' if k == 'removed' else '↕' if k == 'moved' else '~'} {t}"
                      for k, t in rc.change_lines]
            if rev.change == "moved":
                lines.append(f"  Chuyển tệp: {rev.previous_path} → {rev.path}")
    return "\n".join(lines) + "\n"
