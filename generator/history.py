"""History: every revision of every procedure, read from git in one pass.

:func:`read_history` runs a fixed number of git processes whatever the size
of the repository (DESIGN.md §4): one ``git rev-parse`` (repository root,
git dir, shallow?), one ``git log`` over every commit reachable from the
branch with the raw file changes of each, and one ``git cat-file --batch``
that streams every blob that log names. Plumbing is in :mod:`generator.git`.

Rules (issue 4, issue 8):

- Every past version is read by the one strict loader
  (:func:`generator.load.load_bytes`) and checked against the procedure
  schema (:func:`generator.validate.schema_diagnostics`): a version that
  does not load or does not validate is kept as a revision with
  ``change="invalid"``, ``record=None`` and its diagnostics (file named
  ``<short sha>:<path>``, as ``git show`` does), never as guessed content.
  It never feeds a diff: the next valid version is compared with the last
  valid one.
- A procedure's identity is its ``code``, not its path. A file moved to
  another agency folder keeps its history, and so does every file when the
  whole catalog folder is moved or renamed (a commit that deletes
  ``<old>/procedures/A/C.yaml`` and adds ``<new>/procedures/A/C.yaml`` for
  most of its files moves the catalog; older commits are read under the old
  folder). The catalog may be the repository root (``procedures/`` at the
  top). A new procedure that replaces an abolished one has a new code, so it
  starts a history of its own.
- "When it landed" is the committer date of the commit on the
  *first-parent* chain of the branch: a change merged from a feature branch
  is dated at the merge commit (diffed against its first parent), when it
  reached the branch. It is *credited* (author, author date, message) to
  the side-branch commit that made it: the newest one, among the commits
  that merge brought in, that wrote the file's merged content (else the
  newest that touched the file, when git's own merge of the two parents gives
  that content, e.g. git merged it with a change on the branch; else the merge
  itself: a change made only while merging, a conflict resolved by hand, or a
  change slipped into a merge commit, is the merger's). Commits
  that are not merges come first: a merge inside the side branch (a topic
  branch merged into the feature branch) brings the topic's changes but
  did not make them.
- Dates are read as Unix timestamps (``%ct``, ``%at``), whatever the
  commit's time-zone offset (git accepts offsets such as ``+9959`` or ``-5``
  that no date library does), and shown in Asia/Ho_Chi_Minh (UTC+7). A date
  git cannot give (a header without a timestamp), outside the years
  1..9999, or before :data:`EARLIEST_COMMIT` (git's first release: such a
  date, typically 01/01/1970, comes from a broken or rewritten header) is
  *unknown*, never shown as a wrong date: the revision is ``undated`` (as
  a shallow-clone boundary, its date is not shown and it is in no feed),
  with a ``history-date`` warning.
- Author names and messages are decoded as UTF-8 with ``errors="replace"``,
  normalised to NFC, and characters XML 1.0 does not allow (C0 controls
  except tab and line feed, U+FFFE, U+FFFF, surrogates) are replaced by
  U+FFFD, so they are safe in HTML, Atom and JSON.
- A shallow clone stops history with :class:`~generator.errors.ShallowHistory`
  (fix: ``git fetch --unshallow``; GitHub Actions: ``actions/checkout``
  with ``fetch-depth: 0``) unless ``allow_shallow`` is set or the
  environment variable ``TTHC_ALLOW_SHALLOW=1``. Then the oldest commit
  available is a *boundary*: every file appears "added" there though it is
  older; such revisions are marked ``boundary=True``,
  :attr:`History.incomplete` is set and their date is unknown
  (:meth:`History.created` and :meth:`History.last_changed` return ``None``).
- A repository that cannot be read (corrupt or missing object, missing
  tree) raises :class:`~generator.errors.RepositoryUnreadable`, never an
  empty history.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from generator import git
from generator.diagnostics import Diagnostic
from generator.errors import GitError, ShallowHistory
from generator.i18n import N_, _
from generator.git import (  # noqa: F401 - re-exported for callers of the history module
    NOT_A_REPOSITORY,
    BlobReader,
    RepoInfo,
    repo_info,
    require_repository,
    resolve_ref,
)

from zoneinfo import ZoneInfo

#: The time zone every date of the catalog is shown in.
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")

#: The environment variable that allows history from a shallow clone (``1``).
ALLOW_SHALLOW_ENV = "TTHC_ALLOW_SHALLOW"

#: The message of :class:`~generator.errors.ShallowHistory`.
SHALLOW_MESSAGE = N_(  # translated where it is raised; {env} is ALLOW_SHALLOW_ENV
    "this is a shallow clone: history before the oldest fetched commit is missing, so revisions and dates "
    "would be wrong. Fetch the whole history: git fetch --unshallow (GitHub Actions: actions/checkout with "
    "fetch-depth: 0); or, to build anyway with those dates shown as unknown, pass --allow-shallow "
    "(plugin option allow_shallow: true, or {env}=1)"
)

_FIELDS = ("sha", "parents", "committed", "authored", "author", "email", "message")
_MARK = b"\x1etthc-commit"
_FORMAT = "%x1etthc-commit%x00%H%x00%P%x00%ct%x00%at%x00%an%x00%ae%x00%B%x00"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc).astimezone(TIMEZONE)
#: The first release of git (7 April 2005): no commit of a git repository is older, unless its
#: header is broken or was rewritten (a history converted from another tool may be older: its
#: dates are then shown as unknown, with a warning).
EARLIEST_COMMIT = datetime(2005, 4, 7, tzinfo=timezone.utc)
_PROCEDURE = re.compile(r"^(?P<root>(?:.*/)?procedures/)(?P<tail>[^/]+/[^/]+\.ya?ml)$")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Revision:
    """One version of one procedure, as committed.

    Attributes:
        commit: full 40-hex commit sha (on the branch's first-parent chain).
        date: when the change landed on the branch (committer date of the
            first-parent commit), in Asia/Ho_Chi_Minh.
        authored: the author date of the commit credited, in Asia/Ho_Chi_Minh.
        author: author name of the commit credited (for a merge, the
            side-branch commit that made the change), NFC, XML-safe.
        email: its author e-mail.
        message: its full commit message, stripped.
        path: the file, relative to the repository root, forward slashes.
        record: the record at that commit; ``None`` when the file was
            deleted by this commit or the version is invalid.
        change: ``"added"``, ``"modified"``, ``"moved"`` (to another agency
            folder, maybe content too), ``"deleted"`` or ``"invalid"`` (the
            version does not load or does not validate: see ``diagnostics``).
        previous_path: the path before a move (agency or catalog folder), else ``None``.
        boundary: True when the commit is the boundary of a shallow clone, so
            the revision is older than it looks, "added" is not a creation
            and its date is unknown.
        diagnostics: why an ``invalid`` version is invalid (loader and schema
            diagnostics, file ``<short sha>:<path>``); empty otherwise.
        credited: the sha of the commit credited when it is not ``commit``
            (a side-branch commit brought in by the merge ``commit``).
        undated: True when the commit's date is impossible (see the module
            docstring): ``date`` is then a placeholder, never to be shown.
    """

    commit: str
    date: datetime
    authored: datetime
    author: str
    email: str
    message: str
    path: str
    record: dict[str, Any] | None
    change: str
    previous_path: str | None = None
    boundary: bool = False
    diagnostics: tuple[Diagnostic, ...] = ()
    credited: str | None = None
    undated: bool = False

    @property
    def date_unknown(self) -> bool:
        """True when ``date`` must not be shown: a shallow-clone boundary, or an impossible commit date."""
        return self.boundary or self.undated

    @property
    def short(self) -> str:
        """The 10-hex short sha used in URLs (``/thu-tuc/<code>/phien-ban/<short>/``)."""
        return self.commit[:10]

    @property
    def subject(self) -> str:
        """The first line of the commit message."""
        return self.message.split("\n", 1)[0]

    @property
    def agency(self) -> str:
        """The publishing agency's folder at this revision."""
        parts = self.path.split("/")
        return parts[-2] if len(parts) >= 2 else ""

    @property
    def invalid(self) -> bool:
        """True for a version that did not load or did not validate."""
        return self.change == "invalid"


#: How many packed procedures :meth:`History.of` keeps unpacked.
OPEN_PACKED = 8


@dataclass
class History:
    """Revisions of every procedure, by code, oldest first.

    Attributes:
        revisions: ``code -> (Revision, ...)`` oldest first.
        incomplete: True in a shallow clone (older revisions are missing).
        warnings: what the user should know, as :class:`Diagnostic` warnings
            (``history-shallow``, ``history-skipped``, ``history-invalid``,
            ``history-date``), each with the next step in its hint; the file
            is ``<short sha>:<path>`` or ``<short sha>`` for one commit.
        head: the sha of the newest commit read, ``None`` for an empty
            repository.
    """

    revisions: dict[str, tuple[Revision, ...]] = field(default_factory=dict)
    incomplete: bool = False
    warnings: list[Diagnostic] = field(default_factory=list)
    head: str | None = None
    #: ``(path, short sha)`` of file versions that could not be given to any procedure (also in ``warnings``).
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: Agency id -> name from the catalog's ``agencies.yaml`` on disk (for "Cơ quan công bố: A → B").
    agency_names: dict[str, str] = field(default_factory=dict)
    #: The catalog's compliance-cost basis on disk (``cost-basis.yaml``), for the cost effect of each change.
    cost_basis: Any = None
    #: Derived data computed once per history (e.g. per-revision diffs, see
    #: ``generator.render.history.revision_changes``).
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    #: ``code -> pickled (revisions, {cache key: value})`` of the procedures :meth:`pack` packed.
    packed: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)
    #: ``code -> (revisions, cache keys)`` of the packed procedures :meth:`of` unpacked last, oldest first.
    _open: dict[str, tuple[tuple[Revision, ...], list[Any]]] = field(default_factory=dict, repr=False, compare=False)

    def of(self, code: str) -> tuple[Revision, ...]:
        """Revisions of ``code``, oldest first (empty when unknown). A packed procedure
        (:meth:`pack`) is unpacked, with its entries of :attr:`cache`, and stays so while it is
        among the :data:`OPEN_PACKED` asked for last (a page shows its related procedures' too)."""
        revisions = self.revisions.get(code)
        if revisions is not None:
            return revisions
        if code not in self.packed:
            return ()
        opened = self._open.pop(code, None)
        if opened is None:
            import pickle

            while len(self._open) >= OPEN_PACKED:
                for key in self._open.pop(next(iter(self._open)))[1]:
                    self.cache.pop(key, None)
            revisions, cached = pickle.loads(self.packed[code])
            self.cache.update(cached)
            opened = (revisions, list(cached))
        self._open[code] = opened
        return opened[0]

    def codes(self) -> list[str]:
        """Every code with revisions, packed or not, sorted."""
        return sorted({*self.revisions, *self.packed})

    def pack(self) -> None:
        """Keep each procedure's revisions and derived data (its entries of :attr:`cache` but its
        ``revisions_digest``) as one pickled string, each unpacked when :meth:`of` asks for it;
        what is derived from every procedure (``latest_changes``) is dropped (made again if asked).

        Why: the processes that render the pages are forked, and CPython writes a reference count
        into every object it reads, so each page of objects that either process reads ends up
        copied, once in each. Packed, the history's objects are freed before the fork (their
        memory mostly stays with this process, but no process reads it again), and each rendering
        process unpacks only the procedures it renders. 10,000 × 10: 0.83 GB of objects, 0.20 GB
        packed, 2.4 s to pack; the build's peak memory, 2,000 × 10: 0.76 → 0.61 GB.
        """
        import pickle

        own: dict[str, dict[Any, Any]] = {}
        for key in list(self.cache):
            if len(key) == 1:
                del self.cache[key]
            elif len(key) == 2 and key[0] != "revisions_digest" and key[1] in self.revisions:
                own.setdefault(key[1], {})[key] = self.cache.pop(key)
        for code in sorted(self.revisions):
            self.packed[code] = pickle.dumps((self.revisions.pop(code), own.pop(code, {})), pickle.HIGHEST_PROTOCOL)

    def invalid(self) -> list[tuple[str, Revision]]:
        """``(code, revision)`` of every invalid version, oldest first per code."""
        return [(code, rev) for code in self.codes() for rev in self.of(code) if rev.invalid]

    def last_changed(self, code: str) -> datetime | None:
        """When a commit last touched ``code`` (Asia/Ho_Chi_Minh), re-imports included; the
        procedure page's "Nội dung cập nhật lần cuối" is the last change of content instead
        (``generator.render.procedures.last_updated``).

        Returns ``None`` when the procedure has no committed revision, or when
        its only revision is a shallow-clone boundary (its date would be wrong).
        """
        revs = self.of(code)
        if not revs or revs[-1].date_unknown:
            return None
        return revs[-1].date

    def created(self, code: str) -> datetime | None:
        """When ``code`` was first committed; ``None`` if unknown (shallow clone)."""
        revs = self.of(code)
        if not revs or revs[0].date_unknown:
            return None
        return revs[0].date

    def latest(self, limit: int = 20, codes: Iterable[str] | None = None) -> list[tuple[str, Revision]]:
        """The newest revisions across procedures, newest first.

        Args:
            limit: how many to return.
            codes: restrict to these codes (e.g. one agency's procedures).

        Returns:
            ``(code, revision)`` pairs sorted by date descending, then code;
            revisions whose date is unknown (shallow-clone boundary, impossible
            date) and invalid versions are left out.
        """
        wanted = set(codes) if codes is not None else None
        pairs = [
            (code, rev)
            for code in self.codes()
            if wanted is None or code in wanted
            for rev in self.of(code)
            if not rev.date_unknown and not rev.invalid
        ]
        pairs.sort(key=lambda p: (p[1].date, p[1].commit, p[0]), reverse=True)
        return pairs[:limit]


# --- reading one version -------------------------------------------------------

@dataclass(frozen=True)
class Version:
    """One file version read from a blob: the record when valid, else ``None`` and why."""

    record: dict[str, Any] | None
    code: str | None
    diagnostics: tuple[Diagnostic, ...] = ()


def read_version(raw: bytes, display: str, shared: _Shared | None = None) -> Version:
    """Read one past version of a procedure file with the strict loader and the schema.

    Args:
        raw: the file's bytes.
        display: the name used in diagnostics (``<short sha>:<path>``).
        shared: a :class:`_Shared` table to share equal subtrees with other
            versions read with the same table (memory).

    Returns:
        A :class:`Version`: ``record`` is the loaded data when the loader and
        the procedure schema found no error; otherwise ``record`` is ``None``
        and ``diagnostics`` holds the errors. ``code`` is the record's
        ``code`` when it is text (also for an invalid version), else ``None``.
    """
    from generator.load import load_bytes
    from generator.validate import schema_diagnostics

    # each top-level block parsed once per table (the versions of a file share most of them); positions
    # are made again from the bytes for a schema error only (as LoadedFile.without_positions)
    loaded = load_bytes(raw, display, "procedure", positions=False, blocks=shared.blocks if shared is not None else None)
    if loaded.data is not None:
        loaded = loaded.without_positions(raw)
    data = loaded.data if isinstance(loaded.data, dict) else None
    code = data.get("code") if data is not None and isinstance(data.get("code"), str) else None
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    if data is not None and not errors:
        errors = [d for d in schema_diagnostics(loaded) if d.severity == "error"]
    if data is None and not errors:
        errors = [Diagnostic(display, 1, 1, "error", "schema-type", "", _("the file is not a mapping of procedure fields"),
                             _("write the record as key: value lines (code, name, ...)"))]
    if errors:
        return Version(None, code, tuple(errors))
    return Version((shared or _Shared()).share(data), code)


def parse_record(raw: bytes, display: str, shared: _Shared | None = None) -> dict[str, Any] | None:
    """The record of one procedure file's bytes when it loads and validates, else ``None``.

    The same reading as every other command (:func:`read_version`).
    """
    return read_version(raw, display, shared).record


class _Shared:
    """Hash-consing of loaded records: equal subtrees of different revisions are one object.

    Consecutive versions of a procedure differ in a field or two, so sharing
    equal strings, lists and mappings keeps memory close to the size of the
    distinct content. Records are read-only after loading.
    """

    def __init__(self) -> None:
        self.table: dict[Any, Any] = {}
        #: The loaded top-level blocks of the versions read with this table (:data:`generator.load.Blocks`).
        self.blocks: dict[str, Any] = {}
        #: ``id(container) -> (container, its shared equivalent)``: each container is walked once.
        self.done: dict[int, tuple[Any, Any]] = {}

    def share(self, value: Any) -> Any:
        """The shared (canonical) equivalent of ``value``.

        Strings are shared by value; a mapping or list by the identities of
        its (already shared) children, so keys stay flat tuples.
        """
        if isinstance(value, str):
            return self.table.setdefault(value, value)
        if not isinstance(value, (dict, list)):
            return value
        done = self.done.get(id(value))  # (a block's data, loaded once for several versions: generator.load.Blocks)
        if done is not None and done[0] is value:
            return done[1]
        if isinstance(value, dict):
            items = [(self.share(k), self.share(v)) for k, v in value.items()]
            sig: tuple[Any, ...] = ("d", *(x for k, v in items for x in (k, _identity(v))))
            shared = self.table.get(sig)
            if shared is None:
                shared = self.table[sig] = dict(items)
        else:
            children = [self.share(v) for v in value]
            sig = ("l", *(_identity(v) for v in children))
            shared = self.table.get(sig)
            if shared is None:
                shared = self.table[sig] = children
        self.done[id(value)] = (value, shared)  # (the value is kept, so its id is not reused)
        return shared


def _identity(value: Any) -> Any:
    """What identifies a shared child in its parent's key: the object for containers,
    the text for strings, ``(type, value)`` for other scalars (so ``1``, ``1.0`` and ``True`` differ)."""
    if isinstance(value, (dict, list)):
        return id(value)
    if isinstance(value, str):
        return value
    return (type(value), value)


# --- the log -------------------------------------------------------------------

def _text(raw: bytes) -> str:
    """Commit text as shown: UTF-8 (bad bytes replaced), NFC, no character XML 1.0 forbids."""
    return _NOT_XML.sub("\ufffd", unicodedata.normalize("NFC", raw.decode("utf-8", "replace")))


def _when(stamp: bytes, warnings: list[Diagnostic], sha: str, which: str) -> datetime | None:
    """A Unix timestamp as an Asia/Ho_Chi_Minh datetime; ``None`` (with a ``history-date`` warning)
    when git gives none, or it is outside the years 1..9999 or before :data:`EARLIEST_COMMIT`."""
    try:
        when: datetime | None = datetime.fromtimestamp(int(stamp), TIMEZONE)
    except (ValueError, OverflowError, OSError):
        when = None
    if when is not None and when >= EARLIEST_COMMIT:
        return when
    given = stamp.decode("ascii", "replace").strip()
    shown = f"{when:%d/%m/%Y}" if when is not None else (given or _("no date"))
    warnings.append(Diagnostic(
        sha[:10], 0, 0, "warning", "history-date", "",
        _("commit {sha} has an impossible {which} date ({shown}, timestamp {given}); it is shown as unknown").format(
            sha=sha[:10], which=which, shown=shown, given=given or _("missing")),
        _("nothing to do unless the commit is yours and not yet shared: then give it a real "
          "date (git commit --amend --date=now --reset-author)")))
    return None


@dataclass
class _Commit:
    sha: str
    parents: list[str]
    committed: datetime | None  # None: impossible date (see _when)
    authored: datetime | None
    author: str
    email: str
    message: str
    files: list[tuple[str, str, str]] = field(default_factory=list)  # (status, path, new blob)


def _parse_log(out: bytes, warnings: list[Diagnostic]) -> list[_Commit]:
    """Parse ``git log -z --raw`` output with our ``--format`` into commits (in log order).

    Only files named ``…procedures/<agency>/<file>.yaml`` are kept.
    """
    commits: list[_Commit] = []
    tokens = out.split(b"\0")
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i].lstrip(b"\n")
        if token == _MARK and i + len(_FIELDS) < n:
            f = [tokens[i + 1 + k] for k in range(len(_FIELDS))]
            sha = f[0].decode("ascii", "replace")
            commits.append(_Commit(
                sha=sha, parents=f[1].decode("ascii", "replace").split(),
                committed=_when(f[2], warnings, sha, "committer"), authored=_when(f[3], warnings, sha, "author"),
                author=_text(f[4]).strip(), email=_text(f[5]).strip(), message=_text(f[6]).strip(),
            ))
            i += 1 + len(_FIELDS)
            continue
        if token.startswith(b":") and commits and i + 1 < n:
            meta = token[1:].split(b" ")
            path = unicodedata.normalize("NFC", tokens[i + 1].decode("utf-8", "replace"))
            if len(meta) >= 5 and _PROCEDURE.match(path):
                status = meta[4][:1].decode("ascii", "replace")
                if meta[1] == b"160000":  # a submodule (gitlink) is no file: as if the file were deleted
                    status = "D"
                if status != "D" or meta[0] != b"160000":
                    commits[-1].files.append((status, path, meta[3].decode("ascii", "replace")))
            i += 2
            continue
        i += 1
    return commits


def _first_parent_chain(commits: dict[str, _Commit], tip: str) -> list[_Commit]:
    """The first-parent chain from ``tip``, oldest first."""
    chain: list[_Commit] = []
    seen: set[str] = set()
    sha: str | None = tip
    while sha is not None and sha in commits and sha not in seen:
        seen.add(sha)
        chain.append(commits[sha])
        parents = commits[sha].parents
        sha = parents[0] if parents else None
    return chain[::-1]


def _landed(commits: dict[str, _Commit], chain: list[_Commit]) -> dict[str, list[_Commit]]:
    """For each merge on ``chain``: the side-branch commits it brought in (each commit once)."""
    on_chain = {c.sha for c in chain}
    assigned: set[str] = set()
    out: dict[str, list[_Commit]] = {}
    for merge in chain:
        if len(merge.parents) < 2:
            continue
        stack = list(merge.parents[1:])
        brought: list[_Commit] = []
        while stack:
            sha = stack.pop()
            if sha in on_chain or sha in assigned or sha not in commits:
                continue
            assigned.add(sha)
            brought.append(commits[sha])
            stack.extend(commits[sha].parents)
        out[merge.sha] = brought
    return out


def _credit(merge: _Commit, path: str, blob: str, brought: list[_Commit], root: Path | None = None) -> _Commit:
    """The commit credited for ``path`` (now ``blob``) in ``merge`` (see the module docstring).

    When no side-branch commit wrote ``blob``, the newest that touched the file is credited only if
    ``blob`` is what git's own merge of the two parents gives (``git merge-tree``, with ``root``):
    a merge whose content is not git's automatic merge (a conflict resolved by hand, or an "evil
    merge" that slips a change in while merging) is credited to the merge, i.e. the person who
    merged, not to an author who never wrote that content.
    """
    touching = [c for c in brought if any(p == path for _, p, _ in c.files)]
    if not touching:
        return merge
    # Newest first, and a commit that is not a merge before any merge: a merge of branches inside the
    # side branch (topic into feature) shows, diffed against its first parent, the changes it brought,
    # so it "wrote" the blob too, though a commit of the topic made it (git log --no-merges).
    touching.sort(key=lambda c: (len(c.parents) < 2, c.committed or _EPOCH, c.authored or _EPOCH), reverse=True)
    for commit in touching:
        if any(p == path and b == blob for _, p, b in commit.files):
            return commit
    if root is not None and len(merge.parents) == 2 and _automatic_merge_blob(root, merge, path) not in (None, blob):
        return merge
    return touching[0]


def _automatic_merge_blob(root: Path, merge: _Commit, path: str) -> str | None:
    """The blob of ``path`` in git's automatic merge of ``merge``'s two parents (conflict markers
    included), ``""`` when that merge has no such file, None when git cannot say (git before 2.38)."""
    blobs = _automatic_merge(str(root), tuple(merge.parents))
    return None if blobs is None else blobs.get(path, "")


@lru_cache(maxsize=8)
def _automatic_merge(root: str, parents: tuple[str, ...]) -> dict[str, str] | None:
    """``path -> blob`` of git's automatic merge of ``parents`` (two git processes per merge)."""
    proc = git.start(Path(root), "merge-tree", "--write-tree", "--no-messages", "--end-of-options", *parents)
    out, _err = proc.communicate()
    tree = out.decode("ascii", "replace").split("\n")[0]
    if proc.returncode not in (0, 1) or not re.fullmatch(r"[0-9a-f]{40,64}", tree):
        return None
    proc = git.start(Path(root), "ls-tree", "-r", "-z", "--end-of-options", tree)
    out, _err = proc.communicate()
    if proc.returncode != 0:
        return None
    blobs = {}
    for entry in out.decode("utf-8", "replace").split("\x00"):
        if "\t" in entry:
            meta, name = entry.split("\t", 1)
            blobs[name] = meta.split()[-1]
    return blobs


def _split(path: str) -> tuple[str, str]:
    """``a/catalog/procedures/bo-x/1.000001.yaml`` -> (``a/catalog/procedures/``, ``bo-x/1.000001.yaml``)."""
    match = _PROCEDURE.match(path)
    return (match["root"], match["tail"]) if match else ("", path)


def _catalog_roots(chain: list[_Commit], current: str) -> dict[str, tuple[str, ...]]:
    """The ``…/procedures/`` folder(s) to read at each commit of ``chain``.

    Walking from the newest commit back, a commit that deletes files
    ``<old>procedures/A/C.yaml`` and adds the same ``A/C.yaml`` under the
    current folder, for at least half of what it adds there, moved the
    catalog: older commits are read under ``<old>``. The moving commit reads
    both folders (its deletions and additions pair up as moves).
    """
    roots: dict[str, tuple[str, ...]] = {}
    root = current
    for commit in reversed(chain):
        added = {_split(p)[1] for st, p, _blob in commit.files if st != "D" and p.startswith(root)}
        moved_from: dict[str, int] = {}
        for st, p, _blob in commit.files:
            other, tail = _split(p)
            if st == "D" and other != root and tail in added:
                moved_from[other] = moved_from.get(other, 0) + 1
        if moved_from:
            best = max(sorted(moved_from), key=lambda r: moved_from[r])
            if moved_from[best] * 2 >= len(added):
                roots[commit.sha] = (root, best)
                root = best
                continue
        roots[commit.sha] = (root,)
    return roots


def _shallow_boundaries(info: git.RepoInfo) -> set[str]:
    if not info.shallow:
        return set()
    try:
        return set((info.git_dir / "shallow").read_text().split())
    except OSError:
        return set()


_CODE_STEM = re.compile(r"^[0-9]\.[0-9]{6}$")


# --- the pass ----------------------------------------------------------------

def read_history(repo_dir: Path | str, catalog_subdir: str = "catalog", ref: str = "HEAD",
                 allow_shallow: bool | None = None) -> History:
    """Read every revision of every procedure from git (one pass).

    Args:
        repo_dir: a folder inside the catalog's git repository.
        catalog_subdir: the catalog folder relative to ``repo_dir`` (``"."``:
            ``repo_dir`` is the catalog); procedure files are
            ``<catalog_subdir>/procedures/<agency>/<code>.yaml``.
        ref: the branch or commit whose first-parent chain is read.
        allow_shallow: read a shallow clone anyway (boundary dates unknown);
            ``None``: allowed when ``TTHC_ALLOW_SHALLOW=1``.

    Returns:
        The :class:`History`; empty for a repository without commits.

    Raises:
        NotARepository: ``repo_dir`` is not in a git repository.
        ShallowHistory: a shallow clone, not allowed.
        RepositoryUnreadable: a corrupt or missing object or tree.
        GitError: unknown ``ref``, or git missing.
    """
    repo_dir = Path(repo_dir)
    info = git.repo_info(repo_dir)
    if allow_shallow is None:
        allow_shallow = os.environ.get(ALLOW_SHALLOW_ENV, "").strip().lower() in ("1", "true", "yes")
    if info.shallow and not allow_shallow:
        raise ShallowHistory(_(SHALLOW_MESSAGE).format(env=ALLOW_SHALLOW_ENV))
    sub = catalog_subdir.strip("/")
    sub = "" if sub in ("", ".") else sub + "/"
    current_root = (info.prefix + sub + "procedures/").lstrip("/")
    history = History(incomplete=info.shallow)
    if info.shallow:
        history.warnings.append(Diagnostic(
            ".git/shallow", 0, 0, "warning", "history-shallow", "",
            _("this is a shallow clone: history before the oldest fetched commit is missing and the dates of its "
              "oldest revisions are unknown"),
            _("git fetch --unshallow; in GitHub Actions: actions/checkout with fetch-depth: 0")))
    proc = git.start(info.root, "log", "--diff-merges=first-parent", "--raw", "--no-renames", "--no-abbrev", "-z",
                     "--encoding=UTF-8", f"--format={_FORMAT}", "--end-of-options", ref, "--")
    out, err = proc.communicate()
    if proc.returncode != 0:
        message = err.decode("utf-8", "replace").strip()
        if ref == "HEAD" and ("does not have any commits" in message or "bad revision 'HEAD'" in message
                              or "ambiguous argument 'HEAD'" in message):
            return history
        failure = git.failure(f"git log {ref}", err)
        if type(failure) is GitError:
            raise GitError(_("git log {ref} failed: {message} (check the ref name; run `git fetch` if it is remote)").format(
                ref=ref, message=message))
        raise failure
    listed = _parse_log(out, history.warnings)
    del out
    if not listed:
        return history
    by_sha = {c.sha: c for c in listed}
    chain = _first_parent_chain(by_sha, listed[0].sha)
    history.head = chain[-1].sha if chain else None
    landed = _landed(by_sha, chain)
    roots = _catalog_roots(chain, current_root)
    boundaries = _shallow_boundaries(info)
    for commit in chain:
        commit.files = [f for f in commit.files if _split(f[1])[0] in roots[commit.sha]]

    wanted = sorted({blob for c in chain for status, _, blob in c.files if status != "D"})
    versions = _read_versions(info.root, wanted, {blob: f"{c.sha[:10]}:{p}" for c in reversed(chain)
                                                  for st, p, blob in c.files if st != "D"})

    revisions: dict[str, list[Revision]] = {}
    code_at: dict[str, str] = {}  # current path -> code
    path_of: dict[str, str] = {}  # code -> current path
    for commit in chain:
        boundary = commit.sha in boundaries
        gone: dict[str, str] = {}  # code -> path, for files deleted or re-coded in this commit
        touched: list[tuple[str, str, Version, _Commit]] = []
        for status, path, blob in commit.files:
            if status == "D":
                code = code_at.pop(path, None)
                if code is not None:
                    gone[code] = path
                continue
            version = versions[blob]
            if version.diagnostics:
                version = Version(None, version.code, tuple(_relabel(d, f"{commit.sha[:10]}:{path}")
                                                             for d in version.diagnostics))
            stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            code = version.code if version.record is not None else (
                code_at.get(path) or (version.code if version.code and _CODE_STEM.match(version.code) else None)
                or (stem if _CODE_STEM.match(stem) else None))
            if code is None:
                history.warnings.append(Diagnostic(
                    f"{commit.sha[:10]}:{path}", 0, 0, "warning", "history-skipped", "",
                    _("not a procedure record and not named <code>.yaml; this version is left out of every history"),
                    _("nothing to do for a past commit; a current file gets its errors from tthc validate")))
                history.skipped.append((path, commit.sha[:10]))
                continue
            if version.record is None:
                first = version.diagnostics[0]
                history.warnings.append(Diagnostic(
                    f"{commit.sha[:10]}:{path}", first.line, first.column, "warning", "history-invalid", first.path,
                    _("invalid record ({rule}: {message}); shown as an invalid version in the history of {code}").format(
                        rule=first.code, message=first.message, code=code),
                    _("nothing to do for a past commit: the history shows it as invalid and compares the "
                      "next version with the last valid one")))
            old_code = code_at.get(path)
            if old_code is not None and old_code != code:
                gone[old_code] = path
            code_at[path] = code
            credited = _credit(commit, path, blob, landed.get(commit.sha, []), info.root) if len(commit.parents) > 1 else commit
            touched.append((code, path, version, credited))
        touched_codes = {code for code, _, _, _ in touched}
        for code, path, version, credited in touched:
            before = path_of.get(code)
            previous = None
            if version.record is None:
                change = "invalid"
                if before is not None and before != path:
                    previous = before
            elif code not in revisions or all(r.invalid for r in revisions[code]):
                change = "added"
            elif before is not None and before != path:
                previous = before
                change = "moved" if _split(before)[1].split("/")[0] != _split(path)[1].split("/")[0] else "modified"
            else:
                change = "added" if revisions[code][-1].change == "deleted" else "modified"
            if previous is not None and code_at.get(previous) == code:  # old file kept (copy): it now belongs to nobody
                code_at.pop(previous, None)
            path_of[code] = path
            revisions.setdefault(code, []).append(Revision(
                commit=commit.sha, date=commit.committed or _EPOCH,
                authored=credited.authored or commit.committed or _EPOCH, author=credited.author,
                email=credited.email, message=credited.message, path=path, record=version.record, change=change,
                previous_path=previous, boundary=boundary, diagnostics=version.diagnostics,
                credited=credited.sha if credited is not commit else None, undated=commit.committed is None,
            ))
        for code, path in sorted(gone.items()):
            if code in touched_codes or path_of.get(code) != path:
                continue
            path_of.pop(code, None)
            revisions.setdefault(code, []).append(Revision(
                commit=commit.sha, date=commit.committed or _EPOCH, authored=commit.authored or commit.committed or _EPOCH,
                author=commit.author, email=commit.email, message=commit.message, path=path, record=None,
                change="deleted", boundary=boundary, undated=commit.committed is None,
            ))
    history.revisions = {code: tuple(revs) for code, revs in sorted(revisions.items())}
    history.agency_names = agency_names(repo_dir, catalog_subdir)
    history.cost_basis = cost_basis_on_disk(repo_dir, catalog_subdir)
    return history


def _relabel(diagnostic: Diagnostic, display: str) -> Diagnostic:
    from dataclasses import replace

    return replace(diagnostic, file=display)


def agency_names(repo_dir: Path | str, catalog_subdir: str = "catalog") -> dict[str, str]:
    """Agency id -> name from ``<catalog>/agencies.yaml`` on disk (empty if missing or unreadable)."""
    from generator.load import load_bytes

    path = Path(repo_dir) / catalog_subdir / "agencies.yaml"
    try:
        loaded = load_bytes(path.read_bytes(), path.as_posix(), "agencies")
    except OSError:
        return {}
    data = loaded.data if isinstance(loaded.data, dict) else {}
    agencies = data.get("agencies") if isinstance(data.get("agencies"), list) else []
    return {str(a["id"]): str(a["name"]) for a in agencies
            if isinstance(a, dict) and a.get("id") and a.get("name")}


def cost_basis_on_disk(repo_dir: Path | str, catalog_subdir: str = "catalog") -> Any:
    """The :class:`~generator.model.CostBasis` of ``<catalog>/cost-basis.yaml`` on disk; None if missing or invalid.

    One basis (the current one) prices every revision, so a change's cost
    effect reflects the change, not a revised hourly value.
    """
    from generator.load import load_bytes
    from generator.model import cost_basis_from_dict
    from generator.validate import schema_diagnostics

    path = Path(repo_dir) / catalog_subdir / "cost-basis.yaml"
    try:
        loaded = load_bytes(path.read_bytes(), path.as_posix(), "cost-basis")
    except OSError:
        return None
    if not isinstance(loaded.data, dict) or loaded.diagnostics or schema_diagnostics(loaded):
        return None
    return cost_basis_from_dict(loaded.data)


#: Blobs read from git at a time (bounds the raw bytes held at once: about 3 kB each).
_WINDOW = 8_000
#: Blobs loaded together by one process, sharing their subtrees (:class:`_Shared`).
_BATCH = 250


def _read_versions(root: Path, blobs: list[str], names: dict[str, str]) -> dict[str, Version]:
    """Read each blob once (a blob shared by many commits is read once), on every core.

    The blobs are taken in the order of their names (``<commit>:<path>``, so the versions of
    one file come together), read from git a window at a time, and loaded in batches by
    :func:`generator.parallel.ordered_map`; the versions of one batch share equal subtrees,
    and pickling keeps that sharing when a worker sends them back. The result is the same,
    version for version, whatever the number of processes.
    """
    from generator.parallel import ordered_map

    versions: dict[str, Version] = {}
    if not blobs:
        return versions
    ordered = sorted(blobs, key=lambda sha: (names.get(sha, "").split(":", 1)[-1], names.get(sha, ""), sha))
    for start in range(0, len(ordered), _WINDOW):
        window = ordered[start:start + _WINDOW]
        reader = git.BlobReader(root)
        try:
            raws = list(reader.read_many(window))
        finally:
            reader.close()
        batches = [[(sha, raw, names.get(sha, sha[:10])) for sha, raw in raws[i:i + _BATCH]]
                   for i in range(0, len(raws), _BATCH)]
        del raws
        for batch, loaded in zip(batches, ordered_map(_read_batch, batches, serial_below=2)):
            versions.update((sha, version) for (sha, _raw, _display), version in zip(batch, loaded))
    return versions


def _read_batch(batch: list[tuple[str, bytes, str]]) -> list[Version]:
    """:func:`read_version` of each ``(sha, bytes, display)``, sharing one :class:`_Shared` table."""
    shared = _Shared()
    return [read_version(raw, display, shared) for _sha, raw, display in batch]


# --- snapshots of a tree -----------------------------------------------------

def _procedure_path(path: str, prefix: str) -> bool:
    """True for ``<prefix><agency>/<code>.yaml`` (exactly one folder level)."""
    if not path.startswith(prefix) or not path.endswith((".yaml", ".yml")):
        return False
    return path[len(prefix):].count("/") == 1


def read_tree(repo_dir: Path | str, ref: str | None, catalog_subdir: str = "catalog") -> dict[str, tuple[str, bytes]]:
    """The procedure files of the catalog at ``ref`` (or the working tree).

    Args:
        repo_dir: a folder inside the repository (for ``ref=None``, any folder
            holding ``catalog_subdir``).
        ref: a commit-ish, or ``None`` for the files on disk.
        catalog_subdir: the catalog folder relative to ``repo_dir`` (``"."``: ``repo_dir`` itself).

    Returns:
        ``path -> (path, raw bytes)``, paths relative to ``repo_dir`` with
        forward slashes (``catalog/procedures/<agency>/<code>.yaml``).

    Raises:
        GitError: unknown ref (two git processes at most: ls-tree, cat-file).
        RepositoryUnreadable: a tree or blob of ``ref`` is missing or damaged.
    """
    repo_dir = Path(repo_dir)
    sub = catalog_subdir.strip("/")
    base = ("" if sub in ("", ".") else sub + "/") + "procedures/"
    files: dict[str, tuple[str, bytes]] = {}
    if ref is None:
        root = repo_dir / base
        if root.is_dir():
            for path in sorted(root.glob("*/*.y*ml")):
                rel = path.relative_to(repo_dir).as_posix()
                if _procedure_path(rel, base) and path.is_file():
                    files[rel] = (rel, path.read_bytes())
        return files
    entries = [(rel, sha) for rel, _mode, sha in _ls_tree(repo_dir, ref, base) if _procedure_path(rel, base)]
    for rel, raw in _blobs(repo_dir, entries).items():
        files[rel] = (rel, raw)
    return files


def read_catalog_tree(repo_dir: Path | str, ref: str, catalog_subdir: str = "catalog") -> tuple[dict[str, bytes], list[str]]:
    """Every YAML file of the catalog folder at ``ref`` (agencies, sectors, plans, procedures...).

    What :func:`generator.validate.load_catalog_blobs` reads to validate a
    commit as ``tthc validate`` validates the working tree.

    Args:
        repo_dir: a folder inside the repository.
        ref: a commit-ish.
        catalog_subdir: the catalog folder relative to ``repo_dir`` (``"."``: ``repo_dir`` itself).

    Returns:
        ``(files, links)``: ``path relative to the catalog folder -> bytes`` of
        every ``*.yaml``/``*.yml`` blob (any case), and the paths of the
        symbolic links with such a name or under ``procedures/`` (which ``tthc validate`` refuses).

    Raises:
        GitError: unknown ref (two git processes at most: ls-tree, cat-file).
        RepositoryUnreadable: a tree or blob of ``ref`` is missing or damaged.
    """
    sub = catalog_subdir.strip("/")
    base = "" if sub in ("", ".") else sub + "/"
    entries, links = [], []
    for rel, mode, sha in _ls_tree(Path(repo_dir), ref, base):
        inner = rel[len(base):]
        named = inner.lower().endswith((".yaml", ".yml"))
        if not rel.startswith(base) or not (named or (mode == "120000" and inner.startswith("procedures/"))):
            continue  # a link to a folder of procedures is refused as a link to a file is
        if mode == "120000":
            links.append(inner)
        else:
            entries.append((inner, sha))
    return _blobs(Path(repo_dir), entries), sorted(links)


def _ls_tree(repo_dir: Path, ref: str, base: str) -> list[tuple[str, str, str]]:
    """``(path relative to repo_dir, mode, sha)`` of every blob under ``base`` at ``ref`` (one git process)."""
    proc = git.start(repo_dir, "ls-tree", "-r", "-z", "--end-of-options", ref, "--", *([base] if base else []))
    out, err = proc.communicate()
    if proc.returncode != 0:
        failure = git.failure(f"git ls-tree {ref}", err)
        if type(failure) is GitError:
            raise GitError(_("unknown git ref {ref!r}: {message} (check the name; run `git fetch` for a remote branch)").format(
                ref=ref, message=err.decode("utf-8", "replace").strip()))
        raise failure
    entries: list[tuple[str, str, str]] = []
    for item in out.split(b"\0"):
        if not item:
            continue
        meta, _tab, path = item.partition(b"\t")
        mode, kind, sha = meta.split()[:3]
        if kind == b"blob":
            entries.append((unicodedata.normalize("NFC", path.decode("utf-8", "replace")), mode.decode(), sha.decode()))
    return entries


def _blobs(repo_dir: Path, entries: list[tuple[str, str]]) -> dict[str, bytes]:
    """``path -> content`` of ``(path, blob sha)`` entries, read by one ``git cat-file --batch``."""
    if not entries:
        return {}
    reader = git.BlobReader(repo_dir)
    try:
        contents = dict(reader.read_many(list(dict.fromkeys(sha for _rel, sha in entries))))
    finally:
        reader.close()
    return {rel: contents[sha] for rel, sha in entries}
