"""Where the generator's own files are: the site's templates and assets, the JSON Schemas.

The repository keeps the site's templates at its top, in ``site_templates/``;
the wheel maps that folder into the package as ``generator/site_templates``
(``pyproject.toml``, ``[tool.setuptools.package-dir]``). The schemas are
package data in ``generator/schemas/`` in both. So the generator works the
same from a checkout (``pip install -e .`` or ``PYTHONPATH``) and from an
installed wheel, wherever the catalog repository is.

MkDocs and Jinja2 read templates from folders, so these are real paths on
disk (a wheel installed by pip is unpacked; a zipped install is not supported).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from generator.errors import BuildError

_PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def templates_dir() -> Path:
    """The site's template folder: ``pages/`` (Jinja2), ``overrides/`` (Material), ``docs/`` (assets).

    Returns:
        ``generator/site_templates`` of an installed wheel, else the
        checkout's top-level ``site_templates/``.

    Raises:
        BuildError: neither exists (a broken install).
    """
    for candidate in (_PACKAGE / "site_templates", _PACKAGE.parent / "site_templates"):
        if (candidate / "pages").is_dir():
            return candidate
    from generator.i18n import _

    raise BuildError(_("the site templates are missing from {folder} (reinstall tthc: pip install --force-reinstall tthc)").format(
        folder=_PACKAGE))


def schemas_dir() -> Path:
    """The folder of the JSON Schemas (``procedure.schema.json``...), package data of ``generator``."""
    return _PACKAGE / "schemas"


def overrides_dir() -> Path:
    """Material's template overrides (the ``custom_dir`` the plugin registers itself)."""
    return templates_dir() / "overrides"


def assets_dir() -> Path:
    """The static assets every site gets: ``assets/stylesheets/tthc.css`` and the scripts."""
    return templates_dir() / "docs"
