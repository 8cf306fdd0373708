"""The editor's schema line at the top of every catalog file tthc writes.

``# yaml-language-server: $schema=<where>`` makes editors that use the YAML
language server (VS Code's YAML extension, and others) complete the fields,
show each field's Vietnamese label (the schema's ``title``) and mark errors
as you type. ``tthc new`` and ``tthc import`` write it as the first line.

The line names the **draft-07** copy of the schema (:mod:`generator.schema_draft7`): VS Code's YAML
extension validates with JSON Schema draft-07 only and would ignore the 2020-12 keywords of the schemas
``tthc validate`` uses; the copy gives the same verdicts (tests/test_schema_draft7.py).

Where it points (**decision**, in this order):

1. the site's address is known (``site_url``, else ``TTHC_SITE_URL``): the
   schema the site publishes, ``<site_url>/schemas/draft-07/procedure.schema.json``
   (the plugin publishes ``generator/schemas/`` at ``/schemas/`` and the draft-07
   copies at ``/schemas/draft-07/``). That address is the same for every editor
   and every file, and keeps working for the users of a wheel;
2. otherwise, a path relative to the file: in a checkout of tthc itself (the
   catalog's repository holds the running ``generator/schemas/``), to the
   copies in ``generator/schemas/draft-07/``; in any other catalog repository,
   to a copy of them in ``<catalog>/schemas/``, which :func:`copy_schemas`
   writes and refreshes (``tthc validate`` reads only ``agencies.yaml``,
   ``sectors.yaml``, ``plans/`` and ``procedures/``, so the copy is never taken
   for data). A path inside the installed package would not be portable
   between machines, and the wheel's files are not fetchable by an editor.
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.resources import schemas_dir
from generator.schema_draft7 import DRAFT7_DIR, draft7_dir

MODELINE_PREFIX = "# yaml-language-server: $schema="
#: How deep below the catalog folder each kind of file lies.
_DEPTH = {"procedure": 2, "plan": 1, "agencies": 0, "sectors": 0}
SCHEMA_COPY_DIR = "schemas"


def schema_file(kind: str) -> str:
    """``procedure`` -> ``procedure.schema.json``."""
    return f"{kind}.schema.json"


def catalog_of(path: Path, kind: str) -> Path:
    """The catalog folder of a file of ``kind`` at ``path`` (``procedures/<agency>/<code>.yaml`` is 2 deep)."""
    return Path(path).parents[_DEPTH.get(kind, 0)]  # cost-basis.yaml, coverage.yaml: at the top


def schema_location(path: Path, kind: str, site_url: str | None = None) -> str:
    """Where the editor finds the schema of the file at ``path`` (see the module docstring).

    Args:
        path: the catalog file (need not exist yet).
        kind: ``procedure``, ``agencies``, ``sectors`` or ``plan``.
        site_url: the published site's address; None reads ``TTHC_SITE_URL``
            (empty: unknown).

    Returns:
        An absolute URL, or a POSIX path relative to the file's folder.
    """
    site_url = (site_url if site_url is not None else os.environ.get("TTHC_SITE_URL", "")).strip()
    if site_url:
        return f"{site_url.rstrip('/')}/schemas/{DRAFT7_DIR}/{schema_file(kind)}"
    catalog = catalog_of(path, kind).resolve()
    sources = schemas_dir().resolve()
    # a checkout of tthc: the catalog beside the package's own generator/schemas/ (not a .venv inside a repository)
    target = draft7_dir().resolve() if sources == catalog.parent / "generator" / "schemas" else catalog / SCHEMA_COPY_DIR
    return Path(os.path.relpath(target / schema_file(kind), Path(path).resolve().parent)).as_posix()


def schema_modeline(path: Path, kind: str, site_url: str | None = None) -> str:
    """The first line of a catalog file, with its newline: ``# yaml-language-server: $schema=...``."""
    return f"{MODELINE_PREFIX}{schema_location(path, kind, site_url)}\n"


def copy_schemas(catalog: Path, site_url: str | None = None) -> list[Path]:
    """Write or refresh ``<catalog>/schemas/*.schema.json`` (the draft-07 copies) when the schema lines point there.

    Nothing is written when the site's address is known or when the catalog
    lies in a checkout of tthc (the lines point elsewhere then).

    Returns:
        The files written (those that were missing or differed).
    """
    probe = Path(catalog) / "agencies.yaml"
    location = schema_location(probe, "agencies", site_url)
    if "://" in location or not location.startswith(f"{SCHEMA_COPY_DIR}/"):
        return []
    written = []
    target = Path(catalog) / SCHEMA_COPY_DIR
    for source in sorted(draft7_dir().glob("*.schema.json")):
        copy = target / source.name
        content = source.read_bytes()
        if not copy.is_file() or copy.read_bytes() != content:
            target.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(content)
            written.append(copy)
    return written
