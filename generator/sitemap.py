"""``sitemap.xml``: the pages MkDocs listed, plus those the pipeline wrote itself.

MkDocs writes ``sitemap.xml`` (and ``sitemap.xml.gz``) for the pages it
built; the procedure, history and revision pages are written after it
(:mod:`generator.site`), so :func:`add_to_sitemap` adds them in the form
MkDocs uses, with the same rules: no entry without a site address, and a
page without a date of its own gets the build date (``SOURCE_DATE_EPOCH``
when set), as MkDocs gives every page.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from xml.sax.saxutils import escape

_URL_ENTRY = re.compile(r"\s*<url>.*?</url>", re.S)
_LOC = re.compile(r"<loc>(.*?)</loc>", re.S)


def add_to_sitemap(site_dir: Path, pages: list[tuple[str, str | None]], site_url: str, drop: str = "") -> None:
    """Add ``pages`` (directory URL, ISO date or None) to ``site_dir/sitemap.xml`` and its ``.gz``.

    Entries whose URL starts with ``site_url + drop`` (the layout pages) are
    removed, and every entry is sorted by URL (MkDocs lists them in the order
    of its files, which depends on how pages reached it). Nothing happens when
    MkDocs wrote no sitemap. The ``.gz`` keeps the timestamp MkDocs gave it,
    so a build stays reproducible.

    Raises:
        OSError: the files cannot be written (the build reports it).
    """
    from mkdocs.utils import get_build_date, get_build_timestamp

    path = site_dir / "sitemap.xml"
    if not path.is_file():
        return
    build_date = get_build_date()
    text = path.read_text(encoding="utf-8")
    entries = {_LOC.search(m[0])[1]: m[0].strip() for m in _URL_ENTRY.finditer(text) if _LOC.search(m[0])}
    if site_url:
        base = site_url.rstrip("/") + "/"
        if drop:
            entries = {loc: entry for loc, entry in entries.items() if not loc.startswith(escape(base + drop))}
        if pages:
            for url, date in pages:
                loc = escape(base + url)
                entries[loc] = f"<url>\n         <loc>{loc}</loc>\n         <lastmod>{date or build_date}</lastmod>\n    </url>"
    head = text[:text.index("<urlset")]
    opening = text[len(head):text.index(">", len(head)) + 1]
    body = "".join(f"\n    {entries[loc]}" for loc in sorted(entries))
    text = f"{head}{opening}{body}\n</urlset>"
    path.write_text(text, encoding="utf-8")
    packed = path.with_name("sitemap.xml.gz")
    if packed.is_file():
        old = packed.read_bytes()
        mtime = int.from_bytes(old[4:8], "little") if len(old) >= 8 else 0
        if pages:  # MkDocs stamps it with the newest date of its pages; these pages count too
            from types import SimpleNamespace

            mtime = max(mtime, get_build_timestamp(pages=[SimpleNamespace(update_date=date or build_date)
                                                          for _, date in pages]))
        with packed.open("wb") as handle, gzip.GzipFile(fileobj=handle, filename=str(packed), mode="wb",
                                                        mtime=mtime) as gz:
            gz.write(text.encode("utf-8"))
