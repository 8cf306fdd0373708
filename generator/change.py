"""The pull-request gate (``tthc check-change --base REF``).

Compares the catalog at ``base`` with the working tree (or ``head``) and
reports, as :class:`~generator.diagnostics.Diagnostic` records printed by
the same reporters as ``tthc validate``:

``change-unrecorded`` (error)
    A substantive field changed (steps, methods with their time limits and
    fees, documents, dossier sets, cases, requirements, results, legal
    basis, status, replaced_by: :data:`generator.diff.SUBSTANTIVE`) and the
    same change adds no new ``simplifications`` or ``amendments`` entry (an
    old entry rewritten, e.g. its decision number changed, is
    ``history-edited`` and records nothing: :func:`generator.diff.diff_procedures`).
    The entry names its decision (the schema requires ``decision``): Decree
    63/2010/NĐ-CP Art. 15 as amended by Decree 92/2017/NĐ-CP requires every
    change to a procedure to be made and published by a decision.
``code-changed`` (error)
    A file's ``code`` changed in place. A code identifies a procedure for
    ever; a new procedure is a new file.
``file-deleted`` (error)
    A procedure file was removed and its code is nowhere in the new tree. A
    procedure is abolished (``status: abolished``) or replaced, never
    deleted, so its page and history stay.
``agency-moved`` (error)
    A file moved to another agency folder (the publishing agency) without a
    new ``amendments`` or ``simplifications`` entry. **Decision:** a move is
    allowed when the same change records the decision that transferred the
    competence (typically an amendment, or a simplification of kind
    ``decentralise``/``merge``); otherwise it is an error, because the folder
    says which agency publishes the procedure and CODEOWNERS rely on it.
``agency-not-owned`` (error, only with ``owner``)
    The change touches a procedure in another agency's folder, which is not
    a recorded transfer of competence (see :mod:`generator.ownership`).
``transfer-not-approved`` (error, only with ``owner``)
    A recorded transfer (a move with a new entry) taken by the receiving
    agency alone: the source agency's maintainers or a control-office
    reviewer must make it or approve it (``approvers``).
``register-not-owned`` (error, only with ``owner``), ``register-review`` (warning)
    ``agencies.yaml`` and ``sectors.yaml`` compared entry by entry
    (:func:`generator.ownership.register_changes`): another agency's entry
    changed is an error; an agency added, maintainers or the control office
    changed, a sector changed is a warning that a control-office reviewer
    must approve.
``name-changed``, ``publication-changed``, ``cost-inputs-changed`` (warnings)
    Changes that need no decision but must be checked by a reviewer
    (:data:`generator.diff.REVIEWED`), each naming the old and new values: the
    procedure's ``name`` (a typo correction is allowed; a procedure renamed into
    another one is not), its ``publication`` (the publishing decision, Decree
    63/2010/NĐ-CP Art. 15 as amended by Decree 48/2013/NĐ-CP and 92/2017/NĐ-CP),
    and its ``compliance_cost`` inputs (Circular 02/2017/TT-VPCP Art. 27(3)):
    they feed the cost figures and the savings of simplification reports, so a
    "before" cost inflated by an edit inflates the savings.
``change-beyond-entry`` (warning)
    The change is recorded only by new ``simplifications`` entries whose
    ``kinds`` are all narrow (``cut_time``, ``cut_fees``, ``cut_documents``),
    and it also changes what those kinds do not cover (e.g. a fee raised in
    the same change as a time cut): the decision named is typed, so the
    reviewer is told which changes the entry does not describe.
``data-correction-claimed`` (warning)
    A commit of the change declares itself a correction of imported data
    (the trailer ``Loại thay đổi: đính chính dữ liệu`` or a subject starting
    with ``tái nhập``: :func:`generator.render.history.declares_data_correction`)
    and touches a procedure whose substantive fields the change alters: history
    will show that commit's changes as a data correction ("không phải thay đổi
    thủ tục"), announce none of them and leave the page's "last updated" date
    as it was, on the strength of a typed commit message.
``history-edited`` (warning)
    An earlier ``simplifications``/``amendments``/``reviews`` entry was changed or
    removed. These entries are the record of past decisions; correcting a
    typo is allowed, so this only warns.

Besides these, the head side is validated as ``tthc validate`` validates
the working tree (the same loader, schema and rules, :func:`generator.validate.check_catalog_files`,
on every file of the catalog at ``head``): every error it reports that it
does not report at ``base`` is an error of the change, with validate's own
diagnostic (e.g. ``date-future``, ``entry-date``, ``code-unique`` across
files, ``replacement-link``, ``unknown-sector``, also in an unchanged file
that the change broke). Errors already there at ``base`` are ``tthc
validate``'s business, not this change's.

New procedures and formatting-only edits pass.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, Report
from generator.diff import field_label
from generator.diff.sources import SideFile, diff_sides, read_side, unreadable_files
from generator.errors import UsageError
from generator.i18n import _, ngettext
from generator.history import read_catalog_tree, require_repository, resolve_ref
from generator.load import LoadedFile
from generator.validate import CatalogFiles, Known, check_catalog_files, load_catalog_blobs, load_catalog_files


def _entries(record: dict[str, Any] | None, key: str) -> list[str]:
    value = (record or {}).get(key)
    return [json.dumps(e, sort_keys=True, ensure_ascii=False) for e in value] if isinstance(value, list) else []


def check_change(repo_dir: Path, base: str, head: str | None = None, catalog_subdir: str = "catalog",
                 owner: str | None = None, author: str | None = None, today: dt.date | None = None,
                 approvers: tuple[str, ...] = ()) -> Report:
    """Run the gate between ``base`` and ``head`` (``None``: the working tree).

    Args:
        repo_dir: the repository root.
        base: the git ref the change is made against (e.g. ``origin/main``).
        head: a git ref, or ``None`` for the files on disk.
        catalog_subdir: the catalog folder relative to ``repo_dir``.
        owner: the agency id making the change (``--owner``): every procedure
            of another agency touched is an ``agency-not-owned`` error, unless
            it is a recorded transfer (:func:`generator.ownership.foreign_changes`;
            agency ids and maintainers from agencies.yaml at ``base``, so a change
            cannot make its own author a maintainer).
        author: instead of ``owner``, the change's author (``@handle``): the
            owners are the agencies whose ``maintainers`` list that handle.
        today: the date "in the future" is judged against (default: today in
            Asia/Ho_Chi_Minh, as ``tthc validate``).
        approvers: handles that approved the change (``--approved-by``): a
            transfer or a register change approved by the source agency's
            maintainers or a control-office reviewer passes.

    Returns:
        A :class:`Report` with one diagnostic per problem (see the module
        docstring); ``files_checked`` is the number of files that differ
        between the two sides: procedure files and ``registers``, the register
        files (agencies.yaml, sectors.yaml) that differ.

    A changed file with any loader error (YAML syntax, duplicate key,
    anchor, tag, encoding..., or not a mapping, no code) gives the loader's
    own diagnostics (with line and column) and nothing else: it is never
    compared by the part that could be read. Every error ``tthc validate``
    reports at ``head`` and not at ``base`` is reported too, as validate
    reports it (see the module docstring).

    Raises:
        UsageError: not in a git repository; ``base`` or ``head`` does not
            name a commit.
        GitError: git failure.
    """
    info = require_repository(repo_dir)
    owners = None
    if owner is not None or author is not None:
        from generator.ownership import agencies_at, resolve_owners

        raw = agencies_at(repo_dir, base, catalog_subdir) if resolve_ref(repo_dir, base) else None
        owners = resolve_owners(repo_dir / catalog_subdir, owner, author, (base, raw) if raw is not None else None)
    shas: dict[str, str] = {}
    for ref in (base, head):
        if ref is None:
            continue
        sha = resolve_ref(repo_dir, ref)
        if sha is not None:
            shas[ref] = sha
        else:
            raise UsageError(_("{ref!r} is not a git commit (check the name; in CI fetch the base branch first, "
                               "e.g. git fetch origin main, and use --base origin/main)").format(ref=ref)
                             + (_("; this is a shallow clone, so older commits are missing: run `git fetch --unshallow`")
                                if info.shallow else ""))
    base_sha, head_sha = shas[base], (shas[head] if head is not None else None)
    old = read_side(repo_dir, base_sha, catalog_subdir)
    old = {path: SideFile(path, f.raw, f"{base}:{f.display}") for path, f in old.items()}  # named as git show does
    new = read_side(repo_dir, head_sha, catalog_subdir)
    # A changed file that cannot be read is never judged deleted or added. Only the
    # head side counts: a change that repairs a broken file at base must pass.
    unreadable = [d for d in unreadable_files(old, new) if any(d.file == f.display for f in new.values())]
    broken = {d.file for d in unreadable}
    invalid = [d for d in validation_errors(repo_dir, base_sha, head_sha, catalog_subdir, today) if d.file not in broken]
    from generator.ownership import register_changes

    registers, register_problems = register_changes(repo_dir, base_sha, head_sha, catalog_subdir, base, owners, approvers)
    if unreadable:
        report = Report()
        report.registers = registers
        report.extend(register_problems)
        report.extend(unreadable)
        report.extend(invalid)
        report.files_checked = len(broken) + len(registers)
        return report
    diff = diff_sides(old, new, check_readable=False)
    report = Report()
    report.files_checked = len({p.new_path or p.old_path for p in diff.procedures}) + len(registers)
    report.registers = registers
    report.extend(register_problems)
    report.extend(invalid)
    for path, old_code, new_code in diff.code_changes:
        side = new[path]
        report.add(side.loaded.diagnostic(
            "error", "code-changed", ("code",),
            _("the code changed from {old} to {new}; a procedure's code never changes").format(old=old_code, new=new_code),
            _('restore code: "{old}"; a new procedure goes in a new file named <code>.yaml').format(old=old_code)))
    changed_in_place = {p for p, _, _ in diff.code_changes}
    for p in diff.procedures:
        if p.status == "deleted":
            if p.old_path in changed_in_place:
                continue  # reported as code-changed
            report.add(Diagnostic(p.old_path or "", 0, 0, "error", "file-deleted", "",
                                  _("procedure {code} was deleted").format(code=p.code),
                                  _("never delete a procedure: restore the file and set status: abolished "
                                    "(or status: replaced with replaced_by), adding the decision to amendments")))
            continue
        if p.status == "added" or p.new_path is None or p.old_path is None:
            continue
        head_file: SideFile = new[p.new_path]
        recorded = bool(p.new_simplifications or p.new_amendments)
        if p.moved and not recorded:
            old_agency, new_agency = p.old_path.split("/")[-2], p.new_path.split("/")[-2]
            report.add(head_file.loaded.diagnostic(
                "error", "agency-moved", (),
                _("procedure {code} moved from agency folder {old} to {new} without a recorded decision").format(
                    code=p.code, old=old_agency, new=new_agency),
                _("move the file back, or add an amendments entry (date, decision, summary) naming the decision "
                  "that transferred the procedure")))
        fields = p.substantive_fields
        if fields and not recorded:
            labels = ", ".join(f"{f} ({field_label(f)})" for f in fields)
            report.add(head_file.loaded.diagnostic(
                "error", "change-unrecorded", (fields[0],),
                _("substantive change to {fields} without a new simplifications or amendments entry").format(fields=labels),
                _("add an entry to simplifications (stage: implemented, date, decision, kinds, summary) or amendments "
                  "(date, decision, summary) naming the decision that approved this change"), key=True))
        if fields and recorded:
            report.extend(_beyond_entry(p, head_file))
        report.extend(_reviewed(p, head_file))
        old_rec = old[p.old_path].record
        for key in ("simplifications", "amendments", "reviews"):
            before, after = _entries(old_rec, key), _entries(head_file.record, key)
            lost = [i for i, e in enumerate(before) if e not in after]
            if lost:
                report.add(head_file.loaded.diagnostic(
                    "warning", "history-edited", (key,),
                    ngettext("{count} earlier {key} entry changed or removed (entry {entries} of {base})",
                             "{count} earlier {key} entries changed or removed (entry {entries} of {base})", len(lost)).format(
                        count=len(lost), key=key, entries=", ".join(str(i + 1) for i in lost), base=base),
                    _("keep past entries as they were and add a new entry for a new decision"), key=True))
    report.extend(_claimed_corrections(repo_dir, base_sha, head_sha, diff, new))
    if owners is not None:
        from generator.ownership import foreign_changes

        report.extend(foreign_changes(diff, new, owners, approvers))
    return report


#: What a narrow simplification kind covers: a change whose data path has one of these parts.
_KIND_COVERS = {"cut_time": ("processing_time",), "cut_fees": ("fees",),
                "cut_documents": ("documents", "dossier_sets")}


def _beyond_entry(p: Any, head_file: SideFile) -> list[Diagnostic]:
    """``change-beyond-entry`` when the new entries are narrow simplifications and a substantive
    change lies outside every kind they name."""
    import re

    if p.new_amendments:
        return []
    kinds = {k for e in p.new_simplifications if isinstance(e, dict) for k in (e.get("kinds") or []) if isinstance(k, str)}
    if not kinds or not kinds <= set(_KIND_COVERS):
        return []
    covered = {part for k in kinds for part in _KIND_COVERS[k]}
    outside = [c for c in p.changes if c.field in p.substantive_fields
               and not covered & set(re.findall(r"[A-Za-z_]+", c.path))]
    if not outside:
        return []
    return [head_file.loaded.diagnostic(
        "warning", "change-beyond-entry", (outside[0].field,),
        _("the new simplifications entry names {kinds}, but the change also alters {changes}").format(
            kinds=", ".join(sorted(kinds)), changes=_changes_text(outside[:5]) + (" …" if len(outside) > 5 else "")),
        _("check that the decision named covers these changes too; otherwise record them with their own decision "
          "(an amendments entry, or the kinds they are)"), key=True)]


def _claimed_corrections(repo_dir: Path, base_sha: str, head_sha: str | None, diff: Any,
                         new: dict[str, SideFile]) -> list[Diagnostic]:
    """``data-correction-claimed`` for each commit of ``base..head`` (``HEAD`` for the working tree)
    that declares a data correction and touches a procedure file with substantive changes."""
    from generator import git
    from generator.render.history import DATA_CORRECTION_TRAILER, declares_data_correction

    substantive = {p.new_path: p for p in diff.procedures if p.new_path and p.old_path and p.substantive_fields}
    if not substantive:
        return []
    info = require_repository(repo_dir)
    proc = git.start(info.root, "log", "--no-renames", "--format=%x1e%H%x00%B%x00", "--name-only", "-z",
                     "--end-of-options", f"{base_sha}..{head_sha or 'HEAD'}", "--")
    out, _err = proc.communicate()
    if proc.returncode != 0:
        return []  # the comparison itself read both sides; an unborn HEAD has no commits to judge
    prefix = info.prefix
    found = []
    for chunk in out.decode("utf-8", "replace").split("\x1e")[1:]:
        sha, message, *names = chunk.split("\x00")
        if not declares_data_correction(message):
            continue
        for name in names:
            name = name.strip("\n")
            rel = name[len(prefix):] if prefix and name.startswith(prefix) else name
            p = substantive.get(rel)
            if p is None:
                continue
            labels = ", ".join(p.substantive_fields)
            found.append(new[rel].loaded.diagnostic(
                "warning", "data-correction-claimed", (),
                _("commit {sha} declares itself a correction of imported data ({trailer}, or a subject starting with "
                  "'tái nhập') and touches this procedure, whose {fields} the change alters: history will show that commit's "
                  "changes as a data correction, not a change of the procedure, and announce none of them").format(sha=sha[:10], trailer=DATA_CORRECTION_TRAILER,
                                                                       fields=labels),
                _("check the changed values against the source (source.url); if the procedure itself changed, take the "
                  "line out of the commit message (git rebase -i) and record the decision in amendments or simplifications")))
    return found


def _value(value: Any, limit: int = 120) -> str:
    """A value as it would be written in JSON, cut to ``limit`` characters (``(none)`` for a missing one)."""
    if value is None:
        return _("(none)")
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _changes_text(changes: list[Any]) -> str:
    """``publication.decision: "497/QĐ-BXD" → "999/QĐ-BXD"; …`` for the changes of one field."""
    return "; ".join(f"{c.path}: {_value(c.old)} → {_value(c.new)}" for c in changes)


def _reviewed(p: Any, head_file: SideFile) -> list[Diagnostic]:
    """The reviewer warnings of one changed procedure (:data:`generator.diff.REVIEWED`)."""
    out = []
    for name in p.reviewed_fields:
        changes = [c for c in p.changes if c.field == name]
        if name == "name":
            old, new = changes[0].old, changes[0].new
            out.append(head_file.loaded.diagnostic(
                "warning", "name-changed", ("name",),
                _("the procedure's name changed from {old} to {new}").format(old=_value(old, 300), new=_value(new, 300)),
                _("check that the new name is the one in the publishing decision (publication) and that it is a "
                  "correction of the same procedure, not another procedure under this code; a renamed procedure "
                  "needs an amendments entry naming the decision"), key=True))
        elif name == "publication":
            out.append(head_file.loaded.diagnostic(
                "warning", "publication-changed", ("publication",),
                _("the publishing decision changed: {changes}").format(changes=_changes_text(changes)),
                _("check the decision that published this procedure (its number and date, Decree 63/2010/NĐ-CP Art. 15 "
                  "as amended by Decree 48/2013/NĐ-CP and 92/2017/NĐ-CP); a new publishing decision that changes the "
                  "procedure also needs an amendments entry"), key=True))
        else:
            out.append(head_file.loaded.diagnostic(
                "warning", "cost-inputs-changed", ("compliance_cost",),
                _("the compliance cost inputs changed: {changes}").format(changes=_changes_text(changes)),
                _("check which source supports the new inputs (compliance_cost.source; Circular 02/2017/TT-VPCP "
                  "Art. 27(3)): they feed the cost figures and the savings of simplification reports, so a higher "
                  "\"before\" cost inflates the savings"), key=True))
    return out


def validation_errors(repo_dir: Path, base: str, head: str | None, catalog_subdir: str = "catalog",
                      today: dt.date | None = None) -> list[Diagnostic]:
    """The errors ``tthc validate`` reports for the catalog at ``head`` and not at ``base``.

    Both sides are read whole (every file of the catalog folder: the rules
    look across files) and checked by :func:`generator.validate.check_catalog_files`,
    files named by their path relative to ``repo_dir`` on both sides, so the
    same problem compares equal. A problem counts as already there when
    ``base`` has one of the same file, rule, field path and message (its line
    may have moved); each one present at ``head`` more often than at ``base``
    is new.

    Args:
        repo_dir: the repository root.
        base: a commit (sha or ref).
        head: a commit, or ``None`` for the files on disk.
        catalog_subdir: the catalog folder relative to ``repo_dir``.
        today: the reference date for ``date-future``.

    Returns:
        The new errors, as :class:`Diagnostic` records of validate's shape.
    """
    def key(d: Diagnostic) -> tuple[str, str, str, str]:
        return (d.file, d.code, d.path, d.message)

    base_files, known = _catalog_at(repo_dir, base, catalog_subdir)
    before = Counter(key(d) for d in check_catalog_files(base_files, today).errors)
    out = []
    for d in check_catalog_files(_catalog_at(repo_dir, head, catalog_subdir, known)[0], today).errors:
        if before[key(d)] > 0:
            before[key(d)] -= 1
        else:
            out.append(d)
    return out


def _catalog_at(repo_dir: Path, ref: str | None, catalog_subdir: str, known: Known | None = None
                ) -> tuple[CatalogFiles, dict[str, tuple[bytes, LoadedFile]]]:
    """The catalog files at ``ref`` (``None``: on disk), named relative to ``repo_dir``, and (for a
    ref) ``display -> (bytes, loaded)`` to reuse for the files the other side has unchanged."""
    sub = catalog_subdir.strip("/")
    root = Path(repo_dir) / ("." if sub in ("", ".") else sub)
    if ref is None:
        return load_catalog_files(root, display=lambda path: path.relative_to(repo_dir).as_posix(), known=known), {}
    prefix = "" if sub in ("", ".") else sub + "/"
    blobs, links = read_catalog_tree(repo_dir, ref, catalog_subdir)
    files = load_catalog_blobs(root, blobs, links, display=lambda rel: prefix + rel, known=known)
    loaded = {f.display: f for f in files.all()}
    return files, {prefix + rel: (raw, loaded[prefix + rel]) for rel, raw in blobs.items() if prefix + rel in loaded}
