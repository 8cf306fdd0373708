"""Normalisation shared by both importers (page crawl and portal API).

Both parsers turn their source cells into the same building blocks through
the functions here, so the same procedure read from the page crawl and from
the portal API compares equal where its content is equal (whitespace, Unicode
form and number formatting aside).

Rules and their sources:

* Text: Unicode NFC, ``\\r\\n`` -> ``\\n``, tabs -> one space, Word's Private Use
  Area bullets (U+F020-U+F0FF, shown as boxes) -> ``•``, trailing spaces
  of each line removed, surrounding blank space removed. The portal placeholder
  ``Không có thông tin`` ("no information") means empty.
* Processing time units: the portal labels ``Ngày làm việc`` / ``Ngày`` /
  ``Giờ`` / ``Tháng`` and the API's ``WORKING_DAY`` / ``DAY`` / ``HOUR`` /
  ``MONTH`` become ``working_days`` / ``days`` / ``hours`` / ``months``.
* Fee amounts (whole VND, đồng): see :func:`make_fee`.
* Legal document numbers: see :func:`legal_number`.
* Document ids: see :func:`document_ids`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterable

NO_INFO = "Không có thông tin"

UNIT_BY_LABEL = {"ngày làm việc": "working_days", "ngày": "days", "giờ": "hours", "tháng": "months"}
UNIT_BY_API = {
    "WORKING_DAY": "working_days", "WORKING_DAYS": "working_days", "DAY": "days", "DAYS": "days",
    "HOUR": "hours", "HOURS": "hours", "MONTH": "months", "MONTHS": "months",
}

#: A legal document number: ``33/2025/NĐ-CP``, ``27/2023/QH15``, ``497/QĐ-BXD``,
#: ``5349/QĐ-BCA-C06``, ``31/2025/TT_BCA`` (a typo of the source, read as ``-``), ``66.7/2025/NQ-CP`` (a decimal resolution number, written so
#: in about 100 records), ``2267./QĐ-BXD`` (malformed in the source, kept). The
#: National Assembly suffix is ``QH`` plus the two digits of its term, so digits
#: glued after it belong to the next cell. An upper-case letter that starts a
#: Vietnamese word with the lower-case letters after it starts the next cell's title
#: (``...TT-NHNNLuật`` -> ``TT-NHNN``; but ``...NĐ-CPquy định`` -> ``NĐ-CP`` and
#: ``...TT-NHNNsố 61/...`` -> ``TT-NHNN``, as ``Pq`` and ``Ns`` start no word); digits followed by ``/`` or
#: ``.`` start the next number (``...TT-BGTVT41/2020/...``).
_LOWER = "".join(ch for ch in map(chr, range(0x61, 0x1EFA)) if ch.islower() and ch.isalpha())
_VOWELS = "".join(ch for ch in _LOWER if unicodedata.normalize("NFD", ch)[0] in "aeiouy")
#: After an upper-case letter, what makes it the first letter of a Vietnamese word:
#: a vowel, or the second letter of ch, gh, gi, kh, ng, nh, ph, th, tr, qu.
_WORD_START = rf"(?:[{_VOWELS}]|(?<=[CGKNPT])h|(?<=G)i|(?<=N)g|(?<=T)r|(?<=Q)u)"
_TAIL = r"(?:[A-ZĐ](?!" + _WORD_START + r")|\d(?!\d*[./]))*"
LEGAL_NUMBER = re.compile(
    r"\d{1,5}(?:\.\d{1,3}(?=/))?\.?/(?:\d{4}/)?(?:QH1\d|(?:TTg|[A-ZĐ]" + _TAIL + r")"
    r"(?:[-_](?:TTg|[A-ZĐ]" + _TAIL + r"|\d(?!\d*[./])" + _TAIL + r")|/(?:TTg|[A-ZĐ]" + _TAIL + r"))*)"
)


#: Word's Symbol/Wingdings bullets pasted into the portal's text: Private Use Area
#: code points that no font on the site has (shown as boxes, "tofu"). Each becomes
#: the bullet "•".
_PUA_BULLETS = re.compile("[\uf020-\uf0ff]")


#: A leading list marker of a cell (``- ``, ``+ ``, ``* ``, ``•``). Numbers (``5. Bản
#: sao…``) are the source's own numbering and are kept.
LIST_MARKER = re.compile(r"^\s*[-+*•–]+\s*(?=\S)")


def unmark(text: str) -> str:
    """``text`` without its leading list marker (``- Giấy tờ`` -> ``Giấy tờ``)."""
    return LIST_MARKER.sub("", text, count=1)


def clean(text: Any) -> str:
    """Return ``text`` normalised (see module docstring); ``""`` for none or the placeholder.

    Args:
        text: A cell value (string, ``None`` or a number).

    Returns:
        The cleaned text; empty when the cell holds no information.
    """
    if text is None:
        return ""
    value = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    value = _PUA_BULLETS.sub("•", value).replace("\t", " ")
    value = "\n".join(line.rstrip() for line in value.split("\n")).strip()
    return "" if value == NO_INFO else value


def ascii_fold(text: str) -> str:
    """Lowercase ASCII form of Vietnamese text (``Đ`` -> ``d``, accents dropped)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def slugify(text: str, max_length: int = 48) -> str:
    """ASCII slug of ``text``: lowercase words joined by ``-``, cut at a word boundary.

    Args:
        text: Any Vietnamese text.
        max_length: Longest slug returned, in characters.

    Returns:
        A slug matching ``^[a-z0-9]+(-[a-z0-9]+)*$``, or ``""`` if ``text`` has no letters or digits.
    """
    words = re.findall(r"[a-z0-9]+", ascii_fold(text))
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or (words[0][:max_length] if words else "")


def split_names(text: str) -> list[str]:
    """Split a comma-joined list of names as the portal shows it.

    A comma starts a new name only when it is outside parentheses and the next
    word begins with a capital letter, so ``Cục cảnh sát quản lý hành chính về
    trật tự, xã hội`` and ``Tổ chức (không bao gồm doanh nghiệp, HTX)`` stay whole.
    """
    text = clean(text)
    if not text:
        return []
    parts: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            rest = text[i + 1:].lstrip()
            if rest[:1].isupper():
                parts.append(text[start:i])
                start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in (clean(p) for p in parts) if p.strip()]


def number_value(text: str) -> int | float:
    """``"5"`` -> 5, ``"0,5"`` / ``"0.5"`` -> 0.5."""
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() else value


def make_processing_time(value: Any, unit: str | None) -> dict[str, Any] | None:
    """Build ``processing_time`` from a number and a unit (portal label or API name).

    Args:
        value: The number (text such as ``"5"`` / ``"0,5"``, or a number); ``None`` or ``""`` if absent.
        unit: ``Ngày làm việc``/``Ngày``/``Giờ``/``Tháng`` or ``WORKING_DAY``/``DAY``/``HOUR``/``MONTH``.

    Returns:
        ``{value, unit}``; ``{note}`` with the original text when the unit is
        missing or unknown; ``None`` when there is no value at all.
    """
    if value is None or (isinstance(value, str) and not clean(value)):
        return None
    number = number_value(value) if isinstance(value, str) else value
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    unit_key = None
    if unit:
        unit_key = UNIT_BY_LABEL.get(clean(unit).lower()) or UNIT_BY_API.get(str(unit).strip().upper())
    if unit_key is None:
        note = f"{number} {clean(unit)}".strip() if unit else f"{number}"
        return {"note": note}
    return {"value": number, "unit": unit_key}


_DONG_AMOUNT = re.compile(r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:đồng|đ\b|VNĐ|VND|triệu)|(\d{1,3}(?:\.\d{3})+)(?=\s*/)",
                          re.IGNORECASE)


def _amounts_in(text: str) -> set[int]:
    """Whole-VND amounts written in ``text`` such as ``150.000 đồng`` or ``1,500,000 VNĐ``."""
    found = set()
    for match in _DONG_AMOUNT.finditer(text):
        value = int(re.sub(r"[.,]", "", match.group(1) or match.group(2)))
        found.add(value * 1_000_000 if match.group(0).lower().endswith("triệu") else value)
    return found


#: A fee text that says the fee is charged, or not yet set, although the headline
#: reads ``Miễn phí`` or 0: a rate set by the provincial council (Hội đồng nhân dân,
#: HĐND; Art. 21 of the Law on Fees and Charges 97/2015/QH13 lets it set many fees),
#: a rate ("mức thu", "mức phí", "mức lệ phí") or "chưa quy định".
_CHARGED = re.compile(r"hội đồng nhân dân|hđnd|mức thu|mức (?:lệ )?phí|chưa quy định|biểu (?:phí|mức)", re.IGNORECASE)
#: A fee text that says the procedure is free: "Miễn phí", "Không thu lệ phí", "Không".
_FREE = re.compile(r"miễn (?:lệ )?phí|không (?:thu|mất|phải nộp|phải trả)\b|^không\.?$|^0\s*(?:đồng|vnđ)?\.?$",
                   re.IGNORECASE)


def fee_kind(text: str) -> str | None:
    """``charge`` (lệ phí) or ``fee`` (phí) when the text names only one of the two, else ``None``.

    The Law on Fees and Charges (97/2015/QH13, Art. 3) tells them apart: *phí* pays
    for a service, *lệ phí* for a State management act. The portal's single column
    "Phí, lệ phí" does not say which; the fee's own text often does (``Lệ phí: 50.000
    đồng``, ``Phí thẩm định...``). Read from the text, never guessed: a text that names
    both, or neither, gives ``None``.
    """
    folded = re.sub(r"miễn phí|phí,\s*lệ phí|phí và lệ phí|phí hoặc lệ phí", " ", text.lower())
    charge = "lệ phí" in folded
    fee = re.search(r"(?<![\w])phí(?![\w])", folded.replace("lệ phí", " ")) is not None
    if charge and not fee:
        return "charge"
    if fee and not charge:
        return "fee"
    return None


def make_fee(amount: int | None, headline: str, description: str) -> tuple[dict[str, Any], str | None]:
    """Build one fee (phí, lệ phí) and say whether its amount could be read.

    The amount in whole VND is kept only when the source states it:

    * no amount is written in the description: the headline amount is used,
      unless it is below 1,000 đồng, which the portal uses for thousands (see
      below) and is therefore ambiguous;
    * the description writes amounts: the headline amount must be one of them,
      or, when it is below 1,000, 1,000 times it must be (the portal shows
      ``150 VNĐ(150.000 đồng/lần/thẻ.)`` for 150,000 đồng; SOURCE.md of
      dvcqg-api-crawler-tthc);
    * 0 (``Miễn phí`` or ``0 đồng``) only when the description is empty or itself
      says free ("miễn phí", "không thu lệ phí", "không") and states no amount
      above 0, no rate set by the provincial council (HĐND), no rate ("mức thu")
      and not "chưa quy định"; any other description (an amount, a rule, a
      reference to the circular that sets the rate) means the amount is not stated. Then the
      fee is the description alone (never "Miễn phí (… 135.000 đồng …)" and
      never 0 đồng), with a warning.

    Args:
        amount: The headline amount as a number (``None`` when none is written).
        headline: The headline text as shown (``Miễn phí``, ``150 VNĐ``).
        description: The fee's own description (the text in parentheses on the page).

    Returns:
        The fee ``{description, amount_vnd?, kind?}`` (description = the fee's
        description, else the headline; the headline is prefixed when a non-zero
        amount was not read; ``kind`` from :func:`fee_kind`) and a warning text or
        ``None``.
    """
    headline, description = clean(headline), clean(description)
    mentioned = _amounts_in(description) if description else set()
    reliable: int | None = None
    warning = None
    if amount == 0:
        if not description or (_FREE.search(description) and not (mentioned - {0})
                               and not _CHARGED.search(description)):
            reliable = 0
        else:
            fee: dict[str, Any] = {"description": unmark(description)}
            kind = fee_kind(description)
            if kind:
                fee["kind"] = kind
            return fee, (f"fee headline {headline!r} says free (0 đồng) but its text states a charge or a rule; "
                         f"kept as text without an amount: {description[:60]}")
    elif amount is not None:
        if not mentioned:
            reliable = amount if amount >= 1000 else None
        elif amount in mentioned and amount >= 1000:
            reliable = amount
        elif 0 < amount < 1000 and amount * 1000 in mentioned:
            reliable = amount * 1000
    if reliable is not None:
        fee = {"description": description or headline, "amount_vnd": reliable}
    else:
        text = f"{headline} ({unmark(description)})" if headline and description else (headline or description)
        fee = {"description": text}
        if amount is not None:
            warning = f"fee amount not read reliably, kept as text: {text[:80]}"
    kind = fee_kind(f"{description}" if description else "")
    if kind:
        fee["kind"] = kind
    return fee, warning


def legal_number(code_cell: str) -> str:
    """The document number in a legal basis "Mã văn bản" cell.

    ``Luật số 32/2024/QH15`` -> ``32/2024/QH15``; ``154/2025/TT-BTC `` ->
    ``154/2025/TT-BTC``. A cell with no number, or with several, is kept as written.
    """
    cell = clean(code_cell)
    numbers = LEGAL_NUMBER.findall(cell)
    if len(numbers) == 1:
        return numbers[0]
    return cell


#: A well-formed number (the shape ``tthc validate`` accepts, see ``legal-number``).
WELL_FORMED_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)?[a-z]?/(?:[0-9]{4}/)?[A-ZĐ][A-Za-zĐđ0-9]*(?:-[A-ZĐ0-9][A-Za-zĐđ0-9]*)*$")
#: Articles cited before the document's name: ``Điều 5``, ``Khoản 2 Điều 10``,
#: ``Điểm a khoản 1 Điều 3``, ``Các Điều 4, 5``.
_ARTICLES = re.compile(
    r"^((?:(?:các\s+)?(?:điểm|khoản|điều|chương|mục|phụ lục)\s+[0-9a-zđ]+(?:\s*(?:,|và)\s*[0-9a-zđ]+)*[\s,]*)+)"
    r"(?:của\s+)?(?=(?:Luật|Bộ luật|Nghị định|Thông tư|Quyết định|Nghị quyết|Pháp lệnh)\b)",
    re.IGNORECASE)


def make_legal(title: str, code_cell: str, warnings: list[str] | None = None) -> dict[str, Any]:
    """One legal basis entry ``{number, title?, articles?}`` from the title and code cells.

    * A code cell whose number is cut short or malformed while the title holds
      exactly one well-formed number extending it is a typo of the source (the API gives
      ``31/2025/TT`` for the title's ``31/2025/TT-BCA``): the title's number is
      used, with a warning.
    * Articles cited at the start of the title (``Điều 5 Luật ...``, ``Khoản 2 Điều
      10 Nghị định ...``) are copied into ``articles``; the title is kept whole.
    """
    number = legal_number(code_cell)
    title = clean(title)
    if "_" in number and LEGAL_NUMBER.fullmatch(number):
        if warnings is not None:
            warnings.append(f"legal basis: number {number!r} has '_' for '-' (a typo of the source); read as "
                            f"{number.replace('_', '-')!r}")
        number = number.replace("_", "-")
    if number and title and number not in LEGAL_NUMBER.findall(title):
        # Cut short (``31/2025/TT`` for ``31/2025/TT-BCA``) or malformed.
        inside = [n for n in LEGAL_NUMBER.findall(title) if WELL_FORMED_NUMBER.match(n) and n != number
                  and (n.startswith(number + "-") or (not WELL_FORMED_NUMBER.match(number) and n.startswith(number)))]
        if len(set(inside)) == 1:
            if warnings is not None:
                warnings.append(f"legal basis: number {number!r} is a typo of the source for {inside[0]!r} "
                                f"(named in its title); the title's number is used")
            number = inside[0]
    entry: dict[str, Any] = {"number": number}
    if title and title != number:
        entry["title"] = title
        articles = _ARTICLES.match(title)
        if articles:
            entry["articles"] = clean(articles.group(1)).rstrip(",")
    return entry


_STEP = re.compile(r"(?m)^\s*(Bước\s+(\d+))\s*[:.]?\s*")


def make_steps(text: str) -> list[dict[str, Any]]:
    """Split "Trình tự thực hiện" into steps at ``Bước 1:``, ``Bước 2:``... at line starts.

    The steps must be numbered 1, 2, 3... in order; otherwise the whole text is
    one step. Text before ``Bước 1`` becomes a first step without a title; text
    after the last step stays in that step.

    Returns:
        ``[{title?, description}]``; ``[]`` for empty text.
    """
    text = clean(text)
    if not text:
        return []
    marks = list(_STEP.finditer(text))
    numbers = [int(m.group(2)) for m in marks]
    if not marks or numbers != list(range(1, len(marks) + 1)):
        return [{"description": text}]
    steps: list[dict[str, Any]] = []
    preamble = clean(text[: marks[0].start()])
    if preamble:
        steps.append({"description": preamble})
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = clean(text[mark.end():end])
        step = {"title": f"Bước {mark.group(2)}", "description": body or mark.group(1)}
        steps.append(step)
    return steps


def make_document(name: str, originals: int | None, copies: int | None, forms: Iterable[str],
                  required: bool | None = None) -> dict[str, Any]:
    """One dossier component ``{name, originals?, copies?, form?, required?}`` (id added later)."""
    doc: dict[str, Any] = {"name": clean(name)}
    if originals is not None:
        doc["originals"] = originals
    if copies is not None:
        doc["copies"] = copies
    form = "; ".join(f for f in (clean(f) for f in forms) if f)
    if form:
        doc["form"] = form
    if required is not None:
        doc["required"] = required
    return doc


def document_ids(documents: list[dict[str, Any]], taken: set[str]) -> None:
    """Give each document a stable ``id``: the slug of its first words, unique in the procedure.

    The id is the ASCII slug of the name cut at 40 characters; a clash gets
    ``-2``, ``-3``... in order of appearance. ``taken`` holds the ids already used
    in the procedure and is updated.
    """
    for doc in documents:
        base = slugify(doc["name"], 40) or "giay-to"
        candidate, n = base, 2
        while candidate in taken:
            candidate = f"{base}-{n}"
            n += 1
        taken.add(candidate)
        doc["id"] = candidate


def make_requirements(text: str) -> list[str]:
    """"Yêu cầu, điều kiện" as a list: the whole cleaned text as one item (``[]`` if none)."""
    text = clean(text)
    return [text] if text else []


def dedupe(items: Iterable[str]) -> list[str]:
    """Items in first-seen order without repeats."""
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
