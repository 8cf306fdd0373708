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
