"""The small exception hierarchy of tthc.

Library code raises these; the adapters translate them (``cli`` into exit
codes, ``plugin`` into ``mkdocs.exceptions.PluginError``). No traceback of
these reaches a user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.diagnostics import Report


class TthcError(Exception):
    """Base of every error tthc raises on purpose. ``str(err)`` is for people."""


class CatalogInvalid(TthcError):
    """The catalog has errors; ``report`` holds every diagnostic found."""

    def __init__(self, report: Report) -> None:
        self.report = report
        from generator.i18n import _

        super().__init__(_("the catalog has {count} error(s); run `tthc validate` to see them").format(count=len(report.errors)))


class UsageError(TthcError):
    """The command was called wrongly (bad path, bad ref, bad option value)."""


class BuildError(TthcError):
    """The site could not be built; the previous site is left as it was."""


class GitError(TthcError):
    """git history could not be read (not a repository, unknown ref, git missing)."""


class NotARepository(GitError):
    """The folder is not inside a git repository (a build there has no history)."""


class RepositoryUnreadable(GitError):
    """The git repository exists but cannot be read whole (corrupt or missing object, missing tree)."""


class ShallowHistory(GitError):
    """The repository is a shallow clone, so history would be incomplete (opt-out: allow_shallow)."""
