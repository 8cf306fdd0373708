"""The peer of a tthc site: plain MkDocs + Material building as many pages of the same size.

:func:`write_peer` reads a built tthc site and writes a MkDocs project that
has, for each HTML page of the site, one Markdown page whose body is as many
bytes as that page's content (the HTML inside Material's
``<article class="md-content__inner">``, what a page adds to the shared
layout), and a navigation of as many entries as the tthc site's. The pages
are Vietnamese text drawn from the syllables of ``benchmarks/synthetic.py``,
cut into sections (``##`` headings, about one per 1,500 bytes, so each page
has a table of contents as tthc's do), paragraphs and lists, so
Python-Markdown and Material do the work they do for a written page. The
theme is Material with the project's language and ``font: false``; its
default plugins (``search``) stay on, as a plain MkDocs + Material site has
them.

Usage::

    python benchmarks/peer.py site/ /tmp/peer && mkdocs build -f /tmp/peer/mkdocs.yml
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import SYLLABLES  # noqa: E402

_CONTENT = '<article class="md-content__inner'
#: HTML bytes per Markdown byte of :func:`_body`'s text after Python-Markdown and
#: Material (tags, heading ids and permalinks), measured: the peer's pages
#: are written this much smaller so their content is the tthc pages' size.
HTML_PER_MARKDOWN = 1.18
_NAV_LINK = re.compile(r'<a href="([^"#]*)" class="md-nav__link')


@dataclass(frozen=True)
class PeerShape:
    """What the peer copies from the tthc site.

    Attributes:
        pages: number of HTML pages (every ``*.html`` outside ``pagefind/``
            but ``404.html``, which Material makes for the peer too).
        content_bytes: summed bytes of the pages' content (UTF-8).
        nav_entries: links of the home page's navigation (not counting
            the table of contents' ``#`` links).
    """

    pages: int
    content_bytes: int
    nav_entries: int


def content_sizes(site: Path) -> list[int]:
    """Bytes of each page's content, in sorted path order (0 for a page
    without Material's content article, e.g. a redirect)."""
    sizes = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site)
        if "pagefind" in relative.parts or relative.as_posix() == "404.html":
            continue
        html = path.read_bytes()
        start = html.find(_CONTENT.encode())
        end = html.rfind(b"</article>")
        sizes.append(end - start if 0 <= start < end else 0)
    return sizes


def _body(rng: random.Random, size: int) -> str:
    """Markdown of about ``size`` bytes (UTF-8): sections of paragraphs and lists."""
    out: list[str] = []
    total = 0
    section = 0
    while total < size:
        if total >= section * 1500:
            section += 1
            block = "## " + " ".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 5))).capitalize()
        elif rng.random() < 0.25:
            block = "\n".join("- " + " ".join(rng.choice(SYLLABLES) for _ in range(rng.randint(4, 14)))
                              for _ in range(rng.randint(2, 5)))
        else:
            words = " ".join(rng.choice(SYLLABLES) for _ in range(rng.randint(20, 70)))
            block = words.capitalize() + "."
        out.append(block)
        total += len(block.encode("utf-8")) + 2
    return "\n\n".join(out) + "\n"


def write_peer(site: Path, out: Path, seed: int = 7) -> PeerShape:
    """Write the peer MkDocs project of ``site`` into ``out`` (``mkdocs.yml``, ``docs/``).

    Args:
        site: a built tthc site.
        out: target folder; its ``docs/`` is replaced.
        seed: random seed of the text.

    Returns:
        The :class:`PeerShape` copied.
    """
    sizes = content_sizes(site)
    home = (site / "index.html").read_text(encoding="utf-8", errors="replace")
    nav_entries = len(_NAV_LINK.findall(home))
    docs = out / "docs"
    if docs.exists():
        import shutil

        shutil.rmtree(docs)
    (docs / "p").mkdir(parents=True)
    rng = random.Random(seed)
    names = ["index.md"] + [f"p/{i:06d}.md" for i in range(1, len(sizes))]
    for name, size in zip(names, sizes):
        title = " ".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 9))).capitalize()
        (docs / name).write_text(f"# {title}\n\n{_body(rng, max(0, int(size / HTML_PER_MARKDOWN) - len(title) - 10))}", encoding="utf-8")
    nav = "\n".join(f"  - {name}" for name in names[:max(1, nav_entries)])
    (out / "mkdocs.yml").write_text(
        "site_name: Peer\ntheme:\n  name: material\n  language: vi\n  font: false\n"
        f"validation:\n  nav:\n    omitted_files: info\nnav:\n{nav}\n", encoding="utf-8")
    return PeerShape(len(sizes), sum(sizes), nav_entries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a built tthc site")
    parser.add_argument("out", type=Path, help="the peer project folder")
    args = parser.parse_args(argv)
    shape = write_peer(args.site, args.out)
    print(f"wrote {shape.pages:,} pages ({shape.content_bytes / 1e6:,.1f} MB of content, "
          f"{shape.nav_entries} navigation entries) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
