"""Page URLs derived from codes and ids, and the check that no two collide.

Every generated page gets its URL from a stable key of the catalog (a
procedure code, an agency or sector id, a level or kind value). Two inputs
that map to one URL (two files with one code, two agencies with one id, a
hand-written page at a generated path) fail the build, naming both.
URLs are compared case-insensitively, since a site copied to a
case-insensitive file system would silently lose one of the pages.
"""

from __future__ import annotations

import re

from generator.errors import BuildError
from generator.i18n import _

#: Site sections (Vietnamese, without diacritics) and their URL prefixes.
PROCEDURE_PREFIX = "thu-tuc"
AGENCY_PREFIX = "co-quan"
SECTOR_PREFIX = "linh-vuc"
LEVEL_PREFIX = "cap"
KIND_PREFIX = "loai"
OPEN_DATA_PREFIX = "du-lieu-mo"
DASHBOARD_PREFIX = "tien-do"
DECISION_PREFIX = "quyet-dinh"

#: Stable URL slugs of the enumerations.
LEVEL_SLUGS = {"ministry": "bo", "province": "tinh", "commune": "xa", "other": "khac"}
KIND_SLUGS = {"external": "tthc", "internal": "noi-bo"}

_SEGMENT = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")


def decision_slug(number: str) -> str:
    """URL segment of a decision number: ``"66.7/2025/NQ-CP"`` -> ``"66-7-2025-nq-cp"``."""
    import unicodedata

    text = unicodedata.normalize("NFD", number.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "quyet-dinh"


def page_url(prefix: str, key: str) -> str:
    """The directory URL ``<prefix>/<key>/`` of a generated page.

    Raises:
        BuildError: ``key`` is not a safe URL segment (lowercase letters,
            digits, dots and hyphens), e.g. an unvalidated id.
    """
    if not _SEGMENT.match(key):
        raise BuildError(_("{key!r} cannot be used in a URL under /{prefix}/: use lowercase letters, digits, '.' and "
                           "'-'").format(key=key, prefix=prefix))
    return f"{prefix}/{key}/"


def src_uri(url: str) -> str:
    """The virtual source path of the page at directory URL ``url``
    (``thu-tuc/1.000178/`` -> ``thu-tuc/1.000178/index.md``; ``""`` -> ``index.md``)."""
    return f"{url}index.md"


class UrlRegistry:
    """Collects ``url -> origin`` and refuses a second origin for one URL."""

    def __init__(self) -> None:
        self._origins: dict[str, tuple[str, str]] = {}

    def claim(self, url: str, origin: str) -> str:
        """Reserve ``url`` for ``origin`` (a human-readable description of the
        input, e.g. a file path) and return it.

        Raises:
            BuildError: another origin already claimed the same URL.
        """
        key = url.casefold()
        if key in self._origins:
            other_url, other_origin = self._origins[key]
            raise BuildError(
                _("two inputs map to the URL /{url}: {first} and {second}; give one of them another code or id").format(
                    url=url, first=other_origin, second=origin)
            )
        self._origins[key] = (url, origin)
        return url

    def __contains__(self, url: str) -> bool:
        return url.casefold() in self._origins

    def origin(self, url: str) -> str | None:
        """The origin that claimed ``url``, or None."""
        found = self._origins.get(url.casefold())
        return found[1] if found else None
