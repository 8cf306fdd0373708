"""``tthc init DIR``: a new catalog repository for a ministry or province.

The template is ``generator/catalog_template/`` (package data, so it is in the
wheel). :func:`init_repository` copies it into an empty or new folder:

* ``mkdocs.yml`` (Material with the ``tthc`` plugin, which brings its own
  theme files), ``requirements.txt`` (the tthc to install), ``docs/`` (MkDocs needs one; the
  plugin generates the "Đóng góp" page);
* ``catalog/``: an empty ``agencies.yaml`` and ``sectors.yaml`` (valid, with
  a commented example), ``plans/``, ``procedures/`` and ``schemas/`` (the
  JSON Schemas the editor lines point at, :mod:`generator.schema_ref`);
* ``.github/workflows/pull-request.yml`` and ``deploy.yml``, ``.gitlab-ci.yml``
  (with ``ci/gitlab_mr_comment.py`` and ``ci/gitlab_mr_approvers.py``), ``.pre-commit-config.yaml``,
  ``.github/CODEOWNERS`` (from :func:`generator.ownership.codeowners`),
  ``.gitignore`` and a Vietnamese ``README.md``.

Placeholders ``__SITE_NAME__`` and ``__TTHC_REQUIREMENT__`` in the text files
are replaced. Nothing existing is ever overwritten: a folder that is not empty
is refused.
"""

from __future__ import annotations

import shutil
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from generator.errors import UsageError
from generator.i18n import _
from generator.ownership import codeowners
from generator.schema_ref import copy_schemas, schema_modeline

TEMPLATE_DIR = Path(__file__).resolve().parent / "catalog_template"
DEFAULT_SITE_NAME = "Danh mục thủ tục hành chính"
_TEXT_SUFFIXES = {".md", ".yml", ".yaml", ".txt", ".py", ""}


def default_requirement() -> str:
    """``tthc==<installed version>``: CI installs the tthc the repository was made with."""
    try:
        return f"tthc=={version('tthc')}"
    except PackageNotFoundError:  # pragma: no cover - running from sources without an install
        return "tthc"


def template_files() -> list[Path]:
    """Every file of the template, relative to it, sorted (hidden ones included)."""
    return sorted(p.relative_to(TEMPLATE_DIR) for p in TEMPLATE_DIR.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def init_repository(target: Path, *, site_name: str | None = None, requirement: str | None = None,
                    site_url: str | None = None) -> list[Path]:
    """Create a catalog repository in ``target`` from the template.

    Args:
        target: a folder that does not exist or is empty.
        site_name: the site's name (``site_name`` of ``mkdocs.yml``, the README's title).
        requirement: what ``requirements.txt`` installs (a pip requirement: a
            version, a wheel's path or URL, a git URL); default ``tthc==<this version>``.
        site_url: the published address, for the editor's schema lines
            (None: ``TTHC_SITE_URL``, else relative paths to ``catalog/schemas/``).

    Returns:
        The files written, relative to ``target``, sorted.

    Raises:
        UsageError: ``target`` is a file or a folder that is not empty.
    """
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(_("{folder} exists and is not an empty folder: tthc init never overwrites; choose a new folder").format(
            folder=target))
    replacements = {"__SITE_NAME__": site_name or DEFAULT_SITE_NAME,
                    "__TTHC_REQUIREMENT__": requirement or default_requirement()}
    written = []
    for rel in template_files():
        source, dest = TEMPLATE_DIR / rel, target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix in _TEXT_SUFFIXES and source.name != ".gitkeep":
            text = source.read_text(encoding="utf-8")
            for key, value in replacements.items():
                text = text.replace(key, value)
            if rel.parts[0] == "catalog" and rel.suffix == ".yaml":
                text = schema_modeline(dest, rel.stem, site_url) + text
            dest.write_text(text, encoding="utf-8", newline="\n")
        else:
            shutil.copyfile(source, dest)
        written.append(rel)
    written += [p.relative_to(target) for p in copy_schemas(target / "catalog", site_url)]
    owners = target / ".github" / "CODEOWNERS"
    owners.write_text(codeowners(target / "catalog", repo_root=target), encoding="utf-8", newline="\n")
    written.append(owners.relative_to(target))
    return sorted(written)
