"""The small Markdown subset allowed in free-text fields, rendered safely.

Free text of a procedure (steps, requirements, method descriptions,
simplification summaries...) may use paragraphs, emphasis, lists, links and
line breaks (a single newline is kept as a line break); an image is shown as
its alt text. Raw HTML is never passed through: markdown-it-py runs with
``html=False`` (so ``<b>`` is shown as text) and its output is cleaned again
by nh3 (ammonia) with a short allow-list of tags and only ``http``, ``https``
and ``mailto`` links, so ``javascript:`` and ``data:`` URLs never reach a page.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

#: Tags the subset may produce; anything else is removed by nh3.
ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "a", "code", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "breaks": True}).disable(
    ["heading", "lheading", "table", "code", "fence", "hr", "html_block", "html_inline"],
    ignoreInvalid=True,
)



def _image_as_text(renderer, tokens, idx, options, env) -> str:
    """An image is shown as its alt text: pages load nothing from elsewhere."""
    return str(escape(renderer.renderInlineAsText(tokens[idx].children or [], options, env)))


_md.add_render_rule("image", _image_as_text)

# Text that cannot contain any Markdown syntax of the subset: rendered as one
# escaped paragraph without running the parser (most catalog text).
_PLAIN = re.compile(r"[^\n*_`\[\]<>!\\&~|#]*")
_LIST_START = re.compile(r"\s*(?:[-+*]|\d+[.)])(?:\s|$)")


@lru_cache(maxsize=65536)
def render_markdown(text: str) -> Markup:
    """Render free text written in the Markdown subset to safe HTML.

    Args:
        text: the text from the catalog (any content, including hostile HTML).

    Returns:
        Sanitised HTML, marked safe for Jinja2.
    """
    if _PLAIN.fullmatch(text) and not _LIST_START.match(text) and not text.startswith("    "):
        return Markup("<p>") + escape(text.strip()) + Markup("</p>")
    html = _md.render(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean.strip())


def render_inline(text: str) -> Markup:
    """Like :func:`render_markdown` for a short value shown inside a table
    cell or list item: a single paragraph loses its ``<p>`` wrapper."""
    html = render_markdown(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return Markup(html[3:-4])
    return html


#: A list marker at the start of a text shown inside a list or a numbered row
#: (``- Giấy tờ``, ``+ Bước``, ``• Hồ sơ``): the page's own list gives the marker,
#: so the text's is dropped ("1. •" and "• •" otherwise).
_ITEM_MARKER = re.compile(r"^\s*[-+*•–·]+\s+|^\s*[•·]")
#: Word's Symbol/Wingdings bullets (Private Use Area), shown as boxes by every font.
_PUA = re.compile("[\uf020-\uf0ff]")
#: "(- Nộp trực tiếp…)": a marker right after an opening parenthesis.
_PAREN_MARKER = re.compile(r"\(\s*[-+•]\s+")


#: The source's own numbering at the start of a text ("1. Đơn đề nghị", "2) Bản sao").
_LEADING_NUMBER = re.compile(r"^(\s*\d{1,3})([.)])(?=\s)")


def item_text(text: str) -> str:
    """``text`` as shown inside a list item or numbered row: no leading list marker,
    Word bullets as ``•``, no marker right after ``(``, and the source's own leading
    number ("1. Đơn…") kept as text rather than opening a second numbered list."""
    text = _PUA.sub("•", text)
    text = _PAREN_MARKER.sub("(", text)
    text = _ITEM_MARKER.sub("", text, count=1)
    return _LEADING_NUMBER.sub(lambda m: m.group(1) + "\\" + m.group(2), text, count=1)


def render_item(text: str) -> Markup:
    """:func:`render_inline` of :func:`item_text`: a name or short text inside a list or table row."""
    return render_inline(item_text(text))


def render_block_item(text: str) -> Markup:
    """:func:`render_markdown` of :func:`item_text`: a longer text inside a numbered list item (a step)."""
    return render_markdown(item_text(text))
