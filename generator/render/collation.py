"""Vietnamese collation: a sort key that is the same on every machine.

The order is the Vietnamese alphabet (Quy định về chính tả tiếng Việt; the
order of the Hoàng Phê dictionary, also Unicode CLDR's ``vi`` tailoring):

    a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y

with the Latin letters missing from it (f, j, w, z) in their usual places.
Letters are compared first, ignoring tones and case; tones break ties in the
order ngang < huyền < hỏi < ngã < sắc < nặng (CLDR ``vi``: grave < hook above
< tilde < acute < dot below); then case (lower before upper); then the raw
text, so that the order is total and deterministic.

No locale, ICU or system table is used: the key is computed here from the
Unicode decomposition (NFD) of each character.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

#: Letters in Vietnamese alphabetical order (with f, j, w, z slotted in).
ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_LETTER_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}

# Combining marks that make a new letter (ă, â, ê, ô, ơ, ư) vs. tone marks.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn
#: Tone marks in collation order; ngang (no mark) is 0.
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

# Classes at the primary level: separators < digits < letters < anything else.
_SPACE, _DIGIT, _LETTER, _OTHER = 0, 1, 2, 3


@lru_cache(maxsize=4096)
def _char_key(char: str) -> tuple[tuple[int, int], int, int]:
    """(primary, tone, case) of one precomposed character."""
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    case = 1 if base.isupper() else 0
    base = base.lower()
    letter_marks = "".join(m for m in marks if m in _LETTER_MARKS)
    tone = max((_TONE_RANK.get(m, 0) for m in marks), default=0)
    letter = unicodedata.normalize("NFC", base + letter_marks)
    if letter in _LETTER_RANK:
        return (_LETTER, _LETTER_RANK[letter]), tone, case
    if base in _LETTER_RANK:  # a Latin letter with a non-Vietnamese mark
        return (_LETTER, _LETTER_RANK[base]), tone, case
    if char.isdigit():
        return (_DIGIT, int(unicodedata.digit(char, 0))), 0, 0
    if char.isspace() or unicodedata.category(char).startswith(("P", "Z")):
        return (_SPACE, ord(char)), 0, 0
    return (_OTHER, ord(char)), 0, case


def sort_key(text: str) -> tuple:
    """The Vietnamese collation key of ``text``.

    Args:
        text: any string (NFC or not; both give the same key).

    Returns:
        A tuple to pass as ``key=`` to :func:`sorted`: letters first
        (tones and case ignored), then tones, then case, then the NFC text.

    Example:
        >>> sorted(["Đăng ký", "Dân số", "An toàn", "Ăn uống"], key=sort_key)
        ['An toàn', 'Ăn uống', 'Dân số', 'Đăng ký']
    """
    nfc = unicodedata.normalize("NFC", text.strip())
    keys = [_char_key(c) for c in nfc]
    return (
        tuple(k[0] for k in keys),
        tuple(k[1] for k in keys),
        tuple(k[2] for k in keys),
        nfc,
    )


def sorted_vi(items, key=lambda item: item):
    """Items sorted by the Vietnamese collation of ``key(item)``."""
    return sorted(items, key=lambda item: sort_key(key(item)))
