"""History: every revision of every procedure, read from git in one pass.

:func:`read_history` runs a fixed number of git processes whatever the size
of the repository (DESIGN.md §4): one ``git rev-parse`` (repository root,
git dir, shallow?), one ``git log`` over the first-parent chain of the
branch with the raw file changes of each commit, and one
``git cat-file --batch`` that streams every blob that log names.

Rules (issue 4):

- A procedure's identity is its ``code``, not its path. A file moved to
  another agency folder keeps its history; a new procedure that replaces an
  abolished one has a new code, so it starts a history of its own.
- "When it landed" is the committer date of the commit on the *first-parent*
  chain of the branch: a change merged from a feature branch counts at the
  merge commit (diffed against its first parent), so it is dated when it
  reached the branch, not when it was written.
- Dates are shown in Asia/Ho_Chi_Minh (UTC+7), whatever the committer's
  time zone.
- Author names and messages are decoded as UTF-8 with ``errors="replace"``
  and normalised to NFC; they are plain text that templates must escape.
- In a shallow clone the oldest commit available is a *boundary*: every
  file appears "added" there though it is older. Such revisions are marked
  ``boundary=True``, :attr:`History.incomplete` is set, a warning names the
  fix (``git fetch --unshallow``), and :meth:`History.created` returns
  ``None`` instead of the boundary's date.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator
from zoneinfo import ZoneInfo

from generator.errors import GitError

#: The time zone every date of the catalog is shown in.
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")

#: How many git processes this module started in this Python process (read
#: by tests and ``benchmarks/history_bench.py``).
git_processes_started = 0

_FIELDS = ("sha", "parents", "committed", "authored", "author", "email", "message")
_MARK = b"\x1etthc-commit"
_FORMAT = "%x1etthc-commit%x00%H%x00%P%x00%cI%x00%aI%x00%an%x00%ae%x00%B%x00"


@dataclass(frozen=True)
class Revision:
    """One version of one procedure, as committed.

    Attributes:
        commit: full 40-hex commit sha.
        date: when the change landed on the branch (committer date of the
            first-parent commit), in Asia/Ho_Chi_Minh.
        authored: the author date, in Asia/Ho_Chi_Minh.
        author: author name (NFC, undecodable bytes replaced by U+FFFD).
        email: author e-mail.
        message: full commit message, stripped.
        path: the file, relative to the repository root, forward slashes.
        record: the parsed record at that commit; ``None`` when the file was
            deleted by this commit.
        change: ``"added"``, ``"modified"``, ``"moved"`` (path changed, maybe
            content too) or ``"deleted"``.
        previous_path: the path before a move, else ``None``.
        boundary: True when the commit is the boundary of a shallow clone, so
            the revision is older than it looks and "added" is not a creation.
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


@dataclass
class History:
    """Revisions of every procedure, by code, oldest first.

    Attributes:
        revisions: ``code -> (Revision, ...)`` oldest first.
        incomplete: True in a shallow clone (older revisions are missing).
        warnings: one-line messages for the user (shallow clone, unreadable
            files), each with the next step.
        head: the sha of the newest commit read, ``None`` for an empty
            repository.
    """

    revisions: dict[str, tuple[Revision, ...]] = field(default_factory=dict)
    incomplete: bool = False
    warnings: list[str] = field(default_factory=list)
    head: str | None = None
    #: ``(path, short sha)`` of file versions that were not readable records (also in ``warnings``).
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: Agency id -> name from the catalog's ``agencies.yaml`` on disk (for "Cơ quan công bố: A → B").
    agency_names: dict[str, str] = field(default_factory=dict)
    #: Derived data computed once per history (e.g. per-revision diffs, see
    #: ``generator.render.history.revision_changes``).
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def of(self, code: str) -> tuple[Revision, ...]:
        """Revisions of ``code``, oldest first (empty when unknown)."""
        return self.revisions.get(code, ())

    def last_changed(self, code: str) -> datetime | None:
        """When ``code`` last changed (Asia/Ho_Chi_Minh), for "Cập nhật lần cuối".

        Returns ``None`` when the procedure has no committed revision, or when
        its only revision is a shallow-clone boundary (its date would be wrong).
        """
        revs = self.of(code)
        if not revs or revs[-1].boundary:
            return None
        return revs[-1].date

    def created(self, code: str) -> datetime | None:
        """When ``code`` was first committed; ``None`` if unknown (shallow clone)."""
        revs = self.of(code)
        if not revs or revs[0].boundary:
            return None
        return revs[0].date

    def latest(self, limit: int = 20, codes: Iterable[str] | None = None) -> list[tuple[str, Revision]]:
        """The newest revisions across procedures, newest first.

        Args:
            limit: how many to return.
            codes: restrict to these codes (e.g. one agency's procedures).

        Returns:
            ``(code, revision)`` pairs sorted by date descending, then code;
            shallow-clone boundary revisions are left out.
        """
        wanted = set(codes) if codes is not None else None
        pairs = [
            (code, rev)
            for code, revs in self.revisions.items()
            if wanted is None or code in wanted
            for rev in revs
            if not rev.boundary
        ]
        pairs.sort(key=lambda p: (p[1].date, p[1].commit, p[0]), reverse=True)
        return pairs[:limit]


# --- git plumbing ------------------------------------------------------------

def _git(repo: Path, *args: str, stdin: bool = False) -> subprocess.Popen[bytes]:
    """Start ``git -C repo args...``; counts the process in :data:`git_processes_started`."""
    global git_processes_started
    env = dict(os.environ, LC_ALL="C", GIT_PAGER="cat")
    try:
        proc = subprocess.Popen(
            ["git", "-c", "core.quotepath=off", "-C", str(repo), *args],
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
    except FileNotFoundError as err:
        raise GitError("git is not installed; install git to read the history") from err
    git_processes_started += 1
    return proc


@dataclass(frozen=True)
class RepoInfo:
    """What one ``git rev-parse`` tells: root, git dir, prefix, shallow."""

    root: Path
    git_dir: Path
    prefix: str
    shallow: bool


def repo_info(repo_dir: Path) -> RepoInfo:
    """Describe the repository containing ``repo_dir`` (one git process).

    Raises:
        GitError: ``repo_dir`` is not inside a git repository.
    """
    proc = _git(Path(repo_dir), "rev-parse", "--show-toplevel", "--absolute-git-dir", "--show-prefix",
                "--is-shallow-repository")
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise GitError(f"{repo_dir} is not in a git repository ({err.decode('utf-8', 'replace').strip()}); "
                       "history needs the catalog's git repository")
    lines = out.decode("utf-8", "replace").split("\n")
    return RepoInfo(Path(lines[0]), Path(lines[1]), lines[2], lines[3].strip() == "true")


NOT_A_REPOSITORY = "not a git repository: run inside the catalog's repository"


def require_repository(repo_dir: Path | str) -> RepoInfo:
    """:func:`repo_info`, for commands: outside a repository is a usage error.

    Raises:
        UsageError: ``repo_dir`` is not inside a git repository (exit 2).
        GitError: git is not installed.
    """
    from generator.errors import UsageError

    try:
        return repo_info(Path(repo_dir))
    except GitError as err:
        if "not installed" in str(err):
            raise
        raise UsageError(NOT_A_REPOSITORY) from None


class BlobReader:
    """One ``git cat-file --batch`` process that returns blob contents by sha."""

    def __init__(self, repo: Path) -> None:
        self._proc = _git(repo, "cat-file", "--batch", stdin=True)

    def read_many(self, shas: list[str]) -> Iterator[tuple[str, bytes | None]]:
        """Yield ``(sha, content)`` for each sha in order; ``None`` if missing.

        A writer thread feeds the requests while this generator reads, so
        the pipe never deadlocks and memory holds one blob at a time.
        """
        assert self._proc.stdin and self._proc.stdout
        stdin, stdout = self._proc.stdin, self._proc.stdout

        def feed() -> None:
            try:
                for sha in shas:
                    stdin.write(sha.encode() + b"\n")
                stdin.close()
            except BrokenPipeError:  # pragma: no cover - git died; reader reports it
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        for sha in shas:
            header = stdout.readline()
            if not header:
                raise GitError("git cat-file stopped early")
            parts = header.split()
            if len(parts) < 2 or parts[1] == b"missing":
                yield sha, None
                continue
            size = int(parts[2])
            data = stdout.read(size)
            stdout.read(1)  # the newline after each object
            yield sha, data
        writer.join()

    def close(self) -> None:
        if self._proc.stdin and not self._proc.stdin.closed:
            self._proc.stdin.close()
        self._proc.wait()


# --- parsing -----------------------------------------------------------------

def _text(raw: bytes) -> str:
    return unicodedata.normalize("NFC", raw.decode("utf-8", "replace"))


def _when(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(TIMEZONE)


def parse_record(raw: bytes, display: str, shared: _Shared | None = None) -> dict[str, Any] | None:
    """Parse one procedure file's bytes (any past version) into a plain record, or ``None``.

    History reads tens of thousands of past versions, so it does not use the
    strict, position-tracking loader (``generator.load.load_bytes``, about
    4-40 ms a file); it uses libyaml with the same typing rules, about 1 ms:

    - only ``null``/``~``, ``true`` and ``false`` are resolved implicitly;
      every other plain scalar stays text (``code: 1.000230`` stays
      ``"1.000230"``, ``2026-06-10`` stays a date string, ``no`` stays ``"no"``);
    - values of keys the schema declares ``integer`` or ``number``
      (``originals``, ``amount_vnd``, ``value``, ``hours``...) become numbers
      when they are written as numbers;
    - text is normalised to Unicode NFC.

    Validity is not judged here (``tthc validate`` does that on the current
    files). Returns ``None`` for bytes that are not a YAML mapping (a broken
    commit); the caller warns.

    Args:
        raw: the file's bytes.
        display: a name for messages (unused by the fast path).
        shared: a :class:`_Shared` table to share equal subtrees with other
            records parsed with the same table.
    """
    import yaml

    try:
        data = yaml.load(raw, Loader=_history_loader())  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return _typed(data, "", shared)


_NUMERIC_KEYS: frozenset[str] | None = None
_NUMBER = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")


def _numeric_keys() -> frozenset[str]:
    """Keys whose schema type is integer or number, anywhere in the procedure schema."""
    global _NUMERIC_KEYS
    if _NUMERIC_KEYS is None:
        import json
        from importlib import resources

        schema = json.loads(resources.files("generator").joinpath("schemas/procedure.schema.json").read_text("utf-8"))
        found: set[str] = set()

        def walk(node: Any, key: str) -> None:
            if isinstance(node, dict):
                if node.get("type") in ("integer", "number") and key:
                    found.add(key)
                for k, v in node.items():
                    walk(v, k if k not in ("properties", "items", "$defs", "allOf", "then", "if") else key)
            elif isinstance(node, list):
                for v in node:
                    walk(v, key)

        for name, prop in schema.get("properties", {}).items():
            walk(prop, name)
        for name, prop in schema.get("$defs", {}).items():
            walk(prop, name)
        props = [schema.get("properties", {}), *(d.get("properties", {}) for d in schema.get("$defs", {}).values())]
        for table in props:
            for name, prop in table.items():
                if isinstance(prop, dict) and prop.get("type") in ("integer", "number"):
                    found.add(name)
        _NUMERIC_KEYS = frozenset(found)
    return _NUMERIC_KEYS


class _Shared:
    """Hash-consing of parsed records: equal subtrees of different revisions are one object.

    Consecutive versions of a procedure differ in a field or two, so sharing
    equal strings, lists and mappings keeps memory close to the size of the
    distinct content. Records are read-only after parsing.
    """

    def __init__(self) -> None:
        self.table: dict[Any, tuple[Any, Any]] = {}

    def typed(self, value: Any, key: str) -> Any:
        """The shared (canonical) equivalent of ``value`` found under ``key``.

        Strings are shared by value; a mapping or list by the identities of
        its (already shared) children, so keys stay flat tuples.
        """
        if isinstance(value, str):
            if key in _numeric_keys() and _NUMBER.match(value):
                number = float(value)
                return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
            value = unicodedata.normalize("NFC", value)
            return self.table.setdefault(value, value)
        if isinstance(value, dict):
            items = [(self.typed(str(k), ""), self.typed(v, str(k))) for k, v in value.items()]
            sig: tuple[Any, ...] = ("d", *(x for k, v in items for x in (k, _identity(v))))
            shared = self.table.get(sig)
            if shared is None:
                shared = self.table[sig] = dict(items)
            return shared
        if isinstance(value, list):
            children = [self.typed(v, key) for v in value]
            sig = ("l", *(_identity(v) for v in children))
            shared = self.table.get(sig)
            if shared is None:
                shared = self.table[sig] = children
            return shared
        return value


def _identity(value: Any) -> Any:
    """What identifies a shared child in its parent's key: the object for containers,
    the text for strings, ``(type, value)`` for other scalars (so ``1``, ``1.0`` and ``True`` differ)."""
    if isinstance(value, (dict, list)):
        return id(value)
    if isinstance(value, str):
        return value
    return (type(value), value)


def _typed(value: Any, key: str, shared: _Shared | None = None) -> Any:
    return (shared or _Shared()).typed(value, key)


_LOADER: type | None = None


def _history_loader() -> type:
    """A libyaml SafeLoader that resolves only null, true and false implicitly."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        loader = type("HistoryLoader", (base,), {})
        loader.yaml_implicit_resolvers = {}
        loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
        loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                     list("tTfF"))
        _LOADER = loader
    return _LOADER


def _procedure_path(path: str, prefix: str) -> bool:
    """True for ``<prefix><agency>/<code>.yaml`` (exactly one folder level)."""
    if not path.startswith(prefix) or not path.endswith((".yaml", ".yml")):
        return False
    return path[len(prefix):].count("/") == 1


@dataclass
class _Commit:
    sha: str
    parents: list[str]
    committed: datetime
    authored: datetime
    author: str
    email: str
    message: str
    files: list[tuple[str, str, str]] = field(default_factory=list)  # (status, path, new blob)


def _parse_log(out: bytes, prefix: str) -> list[_Commit]:
    """Parse ``git log -z --raw`` output with our ``--format`` into commits."""
    commits: list[_Commit] = []
    tokens = out.split(b"\0")
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i].lstrip(b"\n")
        if token == _MARK:
            f = [tokens[i + 1 + k] for k in range(len(_FIELDS))]
            commits.append(_Commit(
                sha=f[0].decode(), parents=f[1].decode().split(),
                committed=_when(f[2].decode()), authored=_when(f[3].decode()),
                author=_text(f[4]).strip(), email=_text(f[5]).strip(), message=_text(f[6]).strip(),
            ))
            i += 1 + len(_FIELDS)
            continue
        if token.startswith(b":") and commits:
            meta = token[1:].split(b" ")
            path = _text(tokens[i + 1])
            if _procedure_path(path, prefix):
                commits[-1].files.append((meta[4][:1].decode(), path, meta[3].decode()))
            i += 2
            continue
        i += 1
    return commits


def _shallow_boundaries(info: RepoInfo) -> set[str]:
    if not info.shallow:
        return set()
    try:
        return set((info.git_dir / "shallow").read_text().split())
    except OSError:
        return set()


# --- the pass ----------------------------------------------------------------

def read_history(repo_dir: Path | str, catalog_subdir: str = "catalog", ref: str = "HEAD") -> History:
    """Read every revision of every procedure from git (one pass).

    Args:
        repo_dir: a folder inside the catalog's git repository.
        catalog_subdir: the catalog folder relative to ``repo_dir``; procedure
            files are ``<catalog_subdir>/procedures/<agency>/<code>.yaml``.
        ref: the branch or commit whose first-parent chain is read.

    Returns:
        The :class:`History`; empty for a repository without commits.

    Raises:
        GitError: not a git repository, unknown ``ref``, or git missing.
    """
    repo_dir = Path(repo_dir)
    info = repo_info(repo_dir)
    prefix = (info.prefix + catalog_subdir.strip("/") + "/procedures/").lstrip("/")
    history = History(incomplete=info.shallow)
    if info.shallow:
        history.warnings.append(
            "this is a shallow clone: history before the oldest fetched commit is missing and dates of "
            "creation are unknown (fix: git fetch --unshallow; in GitHub Actions: actions/checkout with fetch-depth: 0)"
        )
    proc = _git(info.root, "log", "--first-parent", "--diff-merges=first-parent", "--raw", "--no-renames",
                "--no-abbrev", "-z", "--reverse", "--encoding=UTF-8", f"--format={_FORMAT}", ref, "--",
                f":(top){prefix}")
    out, err = proc.communicate()
    if proc.returncode != 0:
        message = err.decode("utf-8", "replace").strip()
        if ref == "HEAD" and ("does not have any commits" in message or "bad revision 'HEAD'" in message):
            return history
        raise GitError(f"git log {ref} failed: {message} (check the ref name; run `git fetch` if it is remote)")
    commits = _parse_log(out, prefix)
    del out
    history.head = commits[-1].sha if commits else None
    boundaries = _shallow_boundaries(info)

    wanted = sorted({blob for c in commits for status, _, blob in c.files if status != "D"})
    records = _read_records(info.root, wanted)

    revisions: dict[str, list[Revision]] = {}
    code_at: dict[str, str] = {}  # current path -> code
    path_of: dict[str, str] = {}  # code -> current path
    for commit in commits:
        boundary = commit.sha in boundaries
        gone: dict[str, str] = {}  # code -> path, for files deleted or re-coded in this commit
        touched: list[tuple[str, str, dict[str, Any]]] = []
        for status, path, blob in commit.files:
            if status == "D":
                code = code_at.pop(path, None)
                if code is not None:
                    gone[code] = path
                continue
            record = records.get(blob)
            code = record.get("code") if record else None
            if not isinstance(code, str):
                history.warnings.append(f"{path} at {commit.sha[:10]}: not a readable procedure record; revision skipped")
                history.skipped.append((path, commit.sha[:10]))
                continue
            old_code = code_at.get(path)
            if old_code is not None and old_code != code:
                gone[old_code] = path
            code_at[path] = code
            touched.append((code, path, record))
        base = dict(sha=commit.sha, date=commit.committed, authored=commit.authored, author=commit.author,
                    email=commit.email, message=commit.message)
        touched_codes = {code for code, _, _ in touched}
        for code, path, record in touched:
            before = path_of.get(code)
            if code not in revisions:
                change, previous = "added", None
            elif before is not None and before != path:
                change, previous = "moved", before
                if code_at.get(before) == code:  # old file kept (copy): it now belongs to nobody
                    code_at.pop(before, None)
            else:
                change, previous = ("added" if revisions[code][-1].record is None else "modified"), None
            path_of[code] = path
            revisions.setdefault(code, []).append(Revision(
                commit=base["sha"], date=base["date"], authored=base["authored"], author=base["author"],
                email=base["email"], message=base["message"], path=path, record=record, change=change,
                previous_path=previous, boundary=boundary,
            ))
        for code, path in sorted(gone.items()):
            if code in touched_codes or path_of.get(code) != path:
                continue
            path_of.pop(code, None)
            revisions.setdefault(code, []).append(Revision(
                commit=base["sha"], date=base["date"], authored=base["authored"], author=base["author"],
                email=base["email"], message=base["message"], path=path, record=None, change="deleted",
                boundary=boundary,
            ))
    history.revisions = {code: tuple(revs) for code, revs in sorted(revisions.items())}
    history.agency_names = agency_names(repo_dir, catalog_subdir)
    return history


def agency_names(repo_dir: Path | str, catalog_subdir: str = "catalog") -> dict[str, str]:
    """Agency id -> name from ``<catalog>/agencies.yaml`` on disk (empty if missing or unreadable)."""
    from generator.load import load_bytes

    path = Path(repo_dir) / catalog_subdir / "agencies.yaml"
    try:
        loaded = load_bytes(path.read_bytes(), path.as_posix(), "agencies")
    except OSError:
        return {}
    data = loaded.data if isinstance(loaded.data, dict) else {}
    return {str(a["id"]): str(a["name"]) for a in data.get("agencies") or []
            if isinstance(a, dict) and a.get("id") and a.get("name")}


def _read_records(root: Path, blobs: list[str]) -> dict[str, dict[str, Any] | None]:
    """Parse each blob once (a blob shared by many commits is parsed once)."""
    records: dict[str, dict[str, Any] | None] = {}
    if not blobs:
        return records
    reader = BlobReader(root)
    shared = _Shared()
    try:
        for sha, raw in reader.read_many(blobs):
            records[sha] = parse_record(raw, f"<blob {sha[:10]}>", shared) if raw is not None else None
    finally:
        reader.close()
    return records


# --- snapshots of a tree -----------------------------------------------------

def read_tree(repo_dir: Path | str, ref: str | None, catalog_subdir: str = "catalog") -> dict[str, tuple[str, bytes]]:
    """The procedure files of the catalog at ``ref`` (or the working tree).

    Args:
        repo_dir: a folder inside the repository (for ``ref=None``, any folder
            holding ``catalog_subdir``).
        ref: a commit-ish, or ``None`` for the files on disk.
        catalog_subdir: the catalog folder relative to ``repo_dir``.

    Returns:
        ``path -> (path, raw bytes)``, paths relative to ``repo_dir`` with
        forward slashes (``catalog/procedures/<agency>/<code>.yaml``).

    Raises:
        GitError: unknown ref (two git processes at most: ls-tree, cat-file).
    """
    repo_dir = Path(repo_dir)
    base = catalog_subdir.strip("/") + "/procedures/"
    files: dict[str, tuple[str, bytes]] = {}
    if ref is None:
        root = repo_dir / base
        if root.is_dir():
            for path in sorted(root.glob("*/*.y*ml")):
                rel = path.relative_to(repo_dir).as_posix()
                if _procedure_path(rel, base):
                    files[rel] = (rel, path.read_bytes())
        return files
    proc = _git(repo_dir, "ls-tree", "-r", "-z", ref, "--", base)
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise GitError(f"unknown git ref {ref!r}: {err.decode('utf-8', 'replace').strip()} "
                       "(check the name; run `git fetch` for a remote branch)")
    entries: list[tuple[str, str]] = []
    for item in out.split(b"\0"):
        if not item:
            continue
        meta, _, path = item.partition(b"\t")
        kind, sha = meta.split()[1:3]
        rel = _text(path)
        if kind == b"blob" and _procedure_path(rel, base):
            entries.append((rel, sha.decode()))
    if not entries:
        return files
    reader = BlobReader(repo_dir)
    try:
        contents = dict(reader.read_many([sha for _, sha in entries]))
    finally:
        reader.close()
    for rel, sha in entries:
        raw = contents.get(sha)
        if raw is not None:
            files[rel] = (rel, raw)
    return files


def resolve_ref(repo_dir: Path | str, ref: str) -> str | None:
    """The full sha of ``ref``, or ``None`` when it does not name a commit."""
    proc = _git(Path(repo_dir), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    out, _ = proc.communicate()
    return out.decode().strip() if proc.returncode == 0 else None
