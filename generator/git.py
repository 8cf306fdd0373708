"""git plumbing: the few git processes tthc starts, and what their failures mean.

Every git process goes through :func:`start`, which counts it in
:data:`processes_started` (history reads a fixed number of them whatever the
size of the repository: DESIGN.md §4). git runs with ``LC_ALL=C`` (stable
messages), no pager, ``core.quotepath=off`` (paths as UTF-8) and
``GIT_NO_LAZY_FETCH=1`` (a partial clone never reaches the network to fetch
a missing object; the object is reported missing instead).

Errors (``generator.errors``):

- :class:`~generator.errors.NotARepository`: the folder is not inside a git
  repository (a build outside git simply has no history);
- :class:`~generator.errors.RepositoryUnreadable`: the repository is there
  but cannot be read whole (corrupt or missing object, missing tree,
  objects of a partial clone that were never fetched), with the hint
  ``git fsck``;
- :class:`~generator.errors.GitError`: git is missing, or a ref is unknown.
"""

from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from generator.errors import GitError, NotARepository, RepositoryUnreadable, UsageError
from generator.i18n import N_, _

#: How many git processes were started in this Python process (read by tests
#: and ``benchmarks/history_bench.py``).
processes_started = 0

#: The hint of every "repository cannot be read" error.
FSCK_HINT = N_("run `git fsck` to find the damage; re-clone the repository (a full clone, without --filter) "
               "or restore the missing objects from another clone")


def start(repo: Path, *args: str, stdin: bool = False) -> subprocess.Popen[bytes]:
    """Start ``git -C repo args...`` with stdout and stderr piped.

    Replace refs (``git replace``, ``refs/replace/*``) and grafts (``.git/info/grafts``) are
    ignored (``GIT_NO_REPLACE_OBJECTS``, an empty ``GIT_GRAFT_FILE``): they make git show another
    commit's content or parents in place of the one recorded, so a local ref could rewrite a
    procedure's history, or the change the gate compares, without rewriting a commit.

    Raises:
        GitError: git is not installed.
    """
    global processes_started
    env = dict(os.environ, LC_ALL="C", GIT_PAGER="cat", GIT_NO_LAZY_FETCH="1", GIT_TERMINAL_PROMPT="0",
               GIT_NO_REPLACE_OBJECTS="1", GIT_GRAFT_FILE=os.devnull)
    try:
        proc = subprocess.Popen(
            ["git", "-c", "core.quotepath=off", "-C", str(repo), *args],
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
    except FileNotFoundError as err:
        raise GitError(_("git is not installed; install git to read the history")) from err
    processes_started += 1
    return proc


_DAMAGE = ("bad object", "unable to read", "could not read", "corrupt", "missing blob", "missing tree",
           "missing commit", "invalid object", "loose object", "inflate", "object file", "is empty",
           "promisor", "bad tree", "broken link", "not a tree object")


def failure(what: str, stderr: bytes) -> GitError:
    """The error for a git process that failed: :class:`RepositoryUnreadable` when git says
    an object is damaged or missing, else :class:`GitError` (e.g. an unknown ref)."""
    message = stderr.decode("utf-8", "replace").strip().replace("\n", "; ")
    if any(word in message.lower() for word in _DAMAGE):
        return RepositoryUnreadable(_("the git repository cannot be read ({what}: {message}); {hint}").format(
            what=what, message=message, hint=_(FSCK_HINT)))
    return GitError(_("{what} failed: {message}").format(what=what, message=message))


@dataclass(frozen=True)
class RepoInfo:
    """What one ``git rev-parse`` tells: root, git dir, prefix (the folder asked about,
    relative to the root, ending in ``/`` or empty), shallow."""

    root: Path
    git_dir: Path
    prefix: str
    shallow: bool


def repo_info(repo_dir: Path | str) -> RepoInfo:
    """Describe the repository containing ``repo_dir`` (one git process).

    Raises:
        NotARepository: ``repo_dir`` is not inside a git repository.
        GitError: git is not installed.
    """
    proc = start(Path(repo_dir), "rev-parse", "--show-toplevel", "--absolute-git-dir", "--show-prefix",
                 "--is-shallow-repository")
    out, err = proc.communicate()
    lines = out.decode("utf-8", "replace").split("\n")
    if proc.returncode != 0 or len(lines) < 4:
        raise NotARepository(_("{folder} is not in a git repository ({reason}); history needs the catalog's git "
                               "repository").format(folder=repo_dir, reason=err.decode("utf-8", "replace").strip()))
    return RepoInfo(Path(lines[0]), Path(lines[1]), lines[2], lines[3].strip() == "true")


NOT_A_REPOSITORY = N_("not a git repository: run inside the catalog's repository")


def require_repository(repo_dir: Path | str) -> RepoInfo:
    """:func:`repo_info`, for commands: outside a repository is a usage error.

    Raises:
        UsageError: ``repo_dir`` is not inside a git repository (exit 2).
        GitError: git is not installed.
    """
    try:
        return repo_info(Path(repo_dir))
    except NotARepository:
        raise UsageError(_(NOT_A_REPOSITORY)) from None


def resolve_ref(repo_dir: Path | str, ref: str) -> str | None:
    """The full sha of the commit ``ref`` names, or ``None`` when it names none.

    Any revision ``git rev-parse`` accepts: a branch, tag (peeled to its
    commit), sha, ``HEAD~2``, ``main@{yesterday}``, and also ``:/message``
    (the newest commit whose message matches), where git reads everything
    after ``:/`` as the pattern, so ``^{commit}`` cannot simply be appended:
    such a name is resolved first and its object peeled in a second process.
    """
    proc = start(Path(repo_dir), "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    out, _ = proc.communicate()
    if proc.returncode == 0:
        return out.decode().strip()
    if not ref.startswith(":/"):
        return None
    proc = start(Path(repo_dir), "rev-parse", "--verify", "--quiet", "--end-of-options", ref)
    out, _ = proc.communicate()
    sha = out.decode().strip()
    return resolve_ref(repo_dir, sha) if proc.returncode == 0 and sha and not sha.startswith(":/") else None


class BlobReader:
    """One ``git cat-file --batch`` process that returns object contents by sha."""

    def __init__(self, repo: Path) -> None:
        self._proc = start(repo, "cat-file", "--batch", stdin=True)

    def read_many(self, shas: list[str]) -> Iterator[tuple[str, bytes]]:
        """Yield ``(sha, content)`` for each sha in order.

        A writer thread feeds the requests while this generator reads, so
        the pipe never deadlocks and memory holds one blob at a time.

        Raises:
            RepositoryUnreadable: an object is missing or git stopped (corrupt object).
        """
        assert self._proc.stdin and self._proc.stdout
        stdin, stdout = self._proc.stdin, self._proc.stdout

        def feed() -> None:
            try:
                for sha in shas:
                    stdin.write(sha.encode() + b"\n")
                stdin.close()
            except (BrokenPipeError, OSError):  # git died; the reader reports it
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        for sha in shas:
            header = stdout.readline()
            parts = header.split()
            if len(parts) < 2 or parts[1] == b"missing" or len(parts) < 3:
                self.close()
                stderr = self._proc.stderr.read() if self._proc.stderr else b""
                detail = stderr.decode("utf-8", "replace").strip().replace("\n", "; ")
                raise RepositoryUnreadable(_("the git repository cannot be read: object {sha} is missing or damaged{detail}; "
                                             "{hint}").format(sha=sha, detail=f" ({detail})" if detail else "",
                                                              hint=_(FSCK_HINT)))
            data = stdout.read(int(parts[2]))
            stdout.read(1)  # the newline after each object
            yield sha, data
        writer.join()

    def close(self) -> None:
        if self._proc.stdin and not self._proc.stdin.closed:
            try:
                self._proc.stdin.close()
            except OSError:
                pass
        if self._proc.stdout:
            self._proc.stdout.close()
        self._proc.wait()
