"""The "Đóng góp" page and the "Phản ánh, kiến nghị" link of each procedure page.

*Phản ánh, kiến nghị* is the term of Decree 20/2008/NĐ-CP (receiving and
handling feedback and petitions of people and organisations on administrative
regulations): a citizen who finds a procedure wrong or hard to carry out
("vướng mắc") reports it. The catalog's own channel is configured in
``mkdocs.yml``::

    plugins:
      - tthc:
          feedback_url: "https://github.com/tinh-abc/danh-muc/issues/new?title=Phản ánh thủ tục {code}&body={url}"
          # or: "mailto:kiemsoat.tthc@abc.gov.vn?subject=Phản ánh thủ tục {code}&body={url}"

``{code}``, ``{name}`` and ``{url}`` (the page's address: absolute when
``site_url`` is set) are replaced, percent-encoded, on every procedure page.
Without ``feedback_url`` no link is shown.
"""

from __future__ import annotations

import string
from urllib.parse import quote

from markupsafe import Markup

from generator.errors import UsageError
from generator.i18n import _

CONTRIBUTE_URL = "dong-gop/"
PLACEHOLDERS = ("code", "name", "url")
_SCHEMES = ("https://", "http://", "mailto:")


def check_feedback_url(template: str) -> None:
    """Refuse a ``feedback_url`` that is not an http(s) or mailto address or names an unknown placeholder.

    Raises:
        UsageError: naming the problem and what to write.
    """
    if not template.startswith(_SCHEMES):
        raise UsageError(_("feedback_url {template!r} must start with https://, http:// or mailto: "
                           "(e.g. https://github.com/ORG/REPO/issues/new?title={{code}})").format(template=template))
    try:
        fields = {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name is not None}
    except ValueError as err:
        raise UsageError(_("feedback_url {template!r}: {reason} (write {{code}}, {{name}} or {{url}}; double a literal "
                           "brace)").format(template=template, reason=err)) from None
    unknown = sorted(fields - set(PLACEHOLDERS))
    if unknown:
        raise UsageError(_("feedback_url names unknown placeholder(s) {names}: use {{code}}, {{name}} or {{url}}").format(
            names=", ".join("{" + u + "}" for u in unknown)))


def feedback_link(template: str | None, *, code: str, name: str, url: str) -> str | None:
    """The "Phản ánh, kiến nghị" address of one procedure page, or None without a template.

    Args:
        template: the ``feedback_url`` option (checked by :func:`check_feedback_url`).
        code: the procedure code; name: its name; url: the page's address.
    """
    if not template:
        return None
    return template.format(**{key: quote(value, safe="") for key, value in
                              (("code", code), ("name", name), ("url", url))})


def render_contribute_page(registry, *, repo_url: str | None = None, feedback_url: str | None = None):
    """The "Đóng góp" page: how an agency edits and submits a change, how to read an error line.

    Args:
        registry: the site's :class:`~generator.render.urls.UrlRegistry`.
        repo_url: the catalog's repository (``repo_url`` of ``mkdocs.yml``), or None.
        feedback_url: the ``feedback_url`` option: the page says citizens can report there.

    Returns:
        The :class:`~generator.render.GeneratedPage` at ``dong-gop/``, in the navigation.
    """
    from generator.render import GeneratedPage, environment

    url = registry.claim(CONTRIBUTE_URL, "the contribute page")
    html = environment().get_template("contribute.html").render(
        repo_url=repo_url if repo_url and repo_url.startswith(("https://", "http://")) else None,
        feedback=bool(feedback_url),
    )
    return GeneratedPage(url=url, title="Đóng góp", html=Markup(html), in_nav=True,
                         toc=(("gui-thay-doi", "Gửi một thay đổi"), ("doc-thong-bao-loi", "Đọc thông báo lỗi")),
                         description="Cách cơ quan sửa và gửi thay đổi thủ tục hành chính, cách đọc thông báo lỗi.")
