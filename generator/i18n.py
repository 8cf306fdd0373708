"""Messages for people: Vietnamese first, English when the locale asks for it.

Every message tthc prints (the CLI's help and messages, diagnostics, the
errors of :mod:`generator.errors`) is written in the source in English, the
gettext message id, and looked up at the moment it is shown in the gettext
catalog of the user's language, made with Babel:
``generator/locale/<lang>/LC_MESSAGES/tthc.po`` and its compiled ``tthc.mo``
(both in the wheel). ``scripts/translations`` extracts the ids, merges them
into the ``.po`` files and compiles them; ``tests/test_i18n.py`` fails while
a message has no Vietnamese translation or a ``.mo`` is older than its ``.po``.

The language is Vietnamese unless the first of ``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES`` and ``LANG`` that is set (gettext's order) starts with ``en``:
``LANG=en_US.UTF-8 tthc validate`` prints English. It is read each time a
message is looked up, so one process can serve both (the tests do).

Rule codes (``error[entry-date]``), field paths, option names and file
formats are never translated: they are the stable, machine-readable part.

Usage in a module::

    from generator.i18n import _, ngettext

    raise UsageError(_("no such file or folder: {path}").format(path=path))

Write a placeholder by name (``{path}``), never an f-string: Babel extracts
only literal strings, and a translator may need the words in another order.
"""

from __future__ import annotations

import gettext
import os
from functools import lru_cache
from pathlib import Path
from collections.abc import Mapping

DOMAIN = "tthc"
LOCALE_DIR = Path(__file__).parent / "locale"
#: The catalogs shipped, the default first.
LANGUAGES = ("vi", "en")
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def language(environ: Mapping[str, str] | None = None) -> str:
    """The language of messages: ``"en"`` or ``"vi"`` (the default).

    Args:
        environ: the environment to read (default ``os.environ``).

    Returns:
        ``"en"`` when the first non-empty of ``LANGUAGE`` (its first entry of a
        colon-separated list), ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` starts
        with ``en`` (``en``, ``en_US.UTF-8``, ``en_GB``); ``"vi"`` otherwise,
        including ``C``, ``POSIX`` and an unset locale.
    """
    env = os.environ if environ is None else environ
    for variable in _LOCALE_VARIABLES:
        value = env.get(variable, "").strip()
        if value:
            return "en" if value.split(":")[0].lower().startswith("en") else "vi"
    return "vi"


@lru_cache(maxsize=None)
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang``; without one (a broken install), the English message ids."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """``message`` (an English message id) in the user's language."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the user's language (Vietnamese has one form)."""
    return translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Mark ``message`` for extraction only; translate it later with :func:`_` where it is shown."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802
    """Mark a singular and plural pair for extraction only; translate it later with :func:`ngettext`."""
    return singular, plural
