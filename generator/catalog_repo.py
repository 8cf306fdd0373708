"""``tthc init DIR``: a new catalog repository for a ministry or province.

The template is ``generator/catalog_template/`` (package data, so it is in the
wheel). :func:`init_repository` copies it into an empty or new folder:

* ``mkdocs.yml`` (Material with the ``tthc`` plugin, which brings its own
  theme files), ``requirements.txt`` (the tthc to install: :func:`installed_requirement`,
  with ``wheels/<wheel>`` when tthc was installed from a wheel file), ``docs/`` (MkDocs needs one; the
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
from pathlib import Path

from generator.errors import UsageError
from generator.i18n import _
from generator.ownership import codeowners
from generator.schema_ref import copy_schemas, schema_modeline

TEMPLATE_DIR = Path(__file__).resolve().parent / "catalog_template"
DEFAULT_SITE_NAME = "Danh mục thủ tục hành chính"
_TEXT_SUFFIXES = {".md", ".yml", ".yaml", ".txt", ".py", ""}


#: Where ``tthc init`` puts a copy of the wheel tthc was installed from (committed with the repository).
WHEELS_DIR = "wheels"


def installed_requirement() -> tuple[str, Path | None]:
    """What ``requirements.txt`` should install: the tthc running now, from where it was installed.

    Read from the install's ``direct_url.json`` (PEP 610, written by pip for
    installs that did not come from a package index):

    * installed from a wheel file: ``./wheels/<the wheel's file name>``, and that
      file (to copy into the repository, so CI installs the same wheel without
      any package index);
    * from a git URL: ``tthc @ git+URL@<commit>`` (the commit pip checked out);
    * from a wheel's or archive's web address: ``tthc @ URL``;
    * from a folder (a checkout of tthc, editable or not): ``tthc @ git+URL@<commit>``
      when that checkout has an ``origin`` on a server and its commit, else
      ``tthc @ file:///…`` (works on this computer only: ``tthc init`` says so);
    * from a package index (no ``direct_url.json``): ``tthc==<version>``.

    Returns:
        ``(requirement line, wheel file to copy or None)``.
    """
    import json
    from importlib.metadata import distributions
    from urllib.parse import unquote, urlparse

    # A checkout's own tthc.egg-info (left by setuptools) can come first on sys.path: the install
    # that says where it came from wins.
    found = list(distributions(name="tthc"))
    if not found:  # pragma: no cover - running from sources without an install
        return "tthc", None
    dist = next((d for d in found if d.read_text("direct_url.json")), found[0])
    pinned = f"tthc=={dist.version}"
    try:
        direct = json.loads(dist.read_text("direct_url.json") or "null")
    except ValueError:
        direct = None
    if not isinstance(direct, dict) or not isinstance(direct.get("url"), str):
        return pinned, None
    url = direct["url"]
    parsed = urlparse(url)
    if isinstance(direct.get("vcs_info"), dict):
        vcs = direct["vcs_info"]
        commit = vcs.get("commit_id") or vcs.get("requested_revision")
        return f"tthc @ {vcs.get('vcs', 'git')}+{url}" + (f"@{commit}" if commit else ""), None
    if "archive_info" in direct:
        local = Path(unquote(parsed.path)) if parsed.scheme == "file" else None
        if local is not None and local.suffix == ".whl" and local.is_file():
            return f"./{WHEELS_DIR}/{local.name}", local
        return f"tthc @ {url}", None
    if parsed.scheme == "file":
        remote = _checkout_remote(Path(unquote(parsed.path)))
        if remote:
            return remote, None
    return f"tthc @ {url}", None


def _checkout_remote(folder: Path) -> str:
    """``tthc @ git+URL@<commit>`` of a git checkout whose ``origin`` is on a server, else ``""``."""
    import subprocess

    try:
        remote = subprocess.run(["git", "-C", str(folder), "remote", "get-url", "origin"], capture_output=True,
                                text=True, timeout=30)
        commit = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    url = remote.stdout.strip()
    if remote.returncode or commit.returncode or not url.startswith(("https://", "ssh://", "git@")):
        return ""
    if url.startswith("git@"):  # scp-like git@host:owner/repo.git, which pip does not read
        host, _sep, path = url[len("git@"):].partition(":")
        url = f"ssh://git@{host}/{path}"
    return f"tthc @ git+{url}@{commit.stdout.strip()}"


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
            version, a wheel's path or URL, a git URL); default: the tthc running
            now, from where it was installed (:func:`installed_requirement`; a wheel
            it was installed from is copied into ``wheels/``).
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
    wheel = None
    if requirement is None:
        requirement, wheel = installed_requirement()
    replacements = {"__SITE_NAME__": site_name or DEFAULT_SITE_NAME, "__TTHC_REQUIREMENT__": requirement}
    written = []
    if wheel is not None:  # the wheel this tthc was installed from: CI installs the same (requirements.txt)
        (target / WHEELS_DIR).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(wheel, target / WHEELS_DIR / wheel.name)
        written.append(Path(WHEELS_DIR) / wheel.name)
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
