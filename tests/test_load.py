"""The strict loader on its own: types decided by the schema, never a traceback."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from generator.diagnostics import format_path
from generator.load import load_bytes, text_path


def load(text: str | bytes, kind: str = "procedure"):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return load_bytes(raw, "x.yaml", kind)


def test_unquoted_code_keeps_its_original_text() -> None:
    loaded = load("code: 1.001230\n")
    assert loaded.data == {"code": "1.001230"}
    assert [d.code for d in loaded.diagnostics] == ["unquoted-number"]


def test_integer_with_leading_zero_is_decimal_where_schema_wants_integer_with_a_warning() -> None:
    loaded = load("dossier_sets: 013\n")
    assert loaded.data == {"dossier_sets": 13}  # never octal 11, and never silently
    (warning,) = loaded.diagnostics
    assert (warning.severity, warning.code, warning.path) == ("warning", "leading-zero", "dossier_sets")
    assert "octal number 11" in warning.message and warning.hint == "write 13"
    assert load("dossier_sets: 13\n").diagnostics == [] and load("dossier_sets: 0\n").diagnostics == []


@pytest.mark.parametrize("text", ["no", "on", "off", "yes", "013", "13:30", "2021-02-29", "0x1F", "1e3", "~x"])
def test_yaml11_look_alikes_stay_text_where_schema_wants_text(text: str) -> None:
    assert load(f"name: {text}\n").data == {"name": text}


def test_booleans_only_true_or_false_where_schema_wants_boolean() -> None:
    assert load("documents:\n  - {id: a, name: b, required: true}\n").data["documents"][0]["required"] is True
    assert load("documents:\n  - {id: a, name: b, required: yes}\n").data["documents"][0]["required"] == "yes"


def test_dates_stay_strings_for_the_validator() -> None:
    assert load("publication: {decision: x, date: 2024-05-01}\n").data["publication"]["date"] == "2024-05-01"


def test_positions_of_values_and_keys_are_one_based() -> None:
    loaded = load('code: "1.000001"\npublication:\n  decision: 497/QĐ-BXD\n')
    assert loaded.positions[("publication", "decision")] == (3, 13)
    assert loaded.key_positions[("publication", "decision")] == (3, 3)


def test_text_is_normalised_to_nfc() -> None:
    loaded = load("name: Thu\u0309 tu\u0323c\n")
    assert loaded.data == {"name": "Thủ tục"}
    assert [d.code for d in loaded.diagnostics] == ["not-nfc"]


def test_bom_is_accepted_silently() -> None:
    loaded = load(b'\xef\xbb\xbfcode: "1.000001"\n')
    assert loaded.data == {"code": "1.000001"} and loaded.diagnostics == []


GARBAGE = [
    b"", b"\x00\x01\x02", b"- - - [", b"{{{{", b"a: [1, 2", b"? complex\n: key\n", b"[1, 2]: x\n",
    b"!!python/object:os.system ls\n", b"&a [*a]\n", b"key: 'unterminated\n", b"\t- x\n", b"\xff\xfe\x00a",
    b"a:\n  - b\n - c\n", "name: \u202e\u0000x\n".encode(), b"%YAML 1.1\n---\na: 1\n", b"--- |\n  text\n",
]


@pytest.mark.parametrize("raw", GARBAGE)
def test_garbage_never_raises(raw: bytes) -> None:
    for kind in ("procedure", "agencies", "sectors", "plan"):
        loaded = load_bytes(raw, "g.yaml", kind)
        assert loaded.data is not None or loaded.diagnostics


def test_random_mutations_never_raise() -> None:
    base = open("tests/cases/valid/full-record.yaml", "rb").read()
    rng = random.Random(1085)
    for _ in range(300):
        raw = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            position = rng.randrange(len(raw))
            raw[position] = rng.choice(b"\t\n :-[]{}&*!|>'\"#%@`,?\xc3\xff")
        load_bytes(bytes(raw), "m.yaml", "procedure")


# ---------------------------------------------------------------------------
# The field path of errors found while parsing (load.text_path)


REAL = Path(__file__).resolve().parents[1] / "catalog" / "procedures"


@pytest.mark.parametrize(("text", "line", "column", "path"), [
    # the key of the line, when the position is after it; list items counted under their key
    ('code: "1"\nsteps:\n  - title: a\n  - title: "b\n', 4, 12, "steps[1].title"),
    ('code: "1"\nsteps:\n- title: a\n- title: b\n  description: "c\n', 5, 16, "steps[1].description"),
    # a position at the start of a line belongs to the level that holds the line
    ('code: "1"\nsteps:\n  - title: a\n    description b\n', 4, 5, "steps[0]"),
    ('code: "1"\ndocuments:\n  - id: a\n    copies: 1\n - id: b\n', 5, 2, "documents"),
    # a line indented under a one-line value is not in that field: its holder is named
    ('code: "1"\ndocuments:\n  - id: a\n    name: A\n     copies: 1\n', 5, 12, "documents[0]"),
    # nested lists and mappings, a text block (whose lines look like keys), an open quote
    ('methods:\n  - channel: a\n    fees:\n      - description: x\n      - amount_vnd: 1\n', 5, 21, "methods[0].fees[1].amount_vnd"),
    ('steps:\n  - description: |\n      a: b\n      c: d\n', 4, 9, "steps[0].description"),
    ('name: "a\n  b: c\n', 2, 4, "name"),
    ('levels: [province,\n  commune: x]\n', 2, 3, "levels"),
    # nothing to say: a top-level line's start, a document marker, an explicit key, no such line
    ('code: "1"\nkind external\n', 2, 1, ""),
    ('code: "1"\n---\nname: a\n', 2, 1, ""),
    ('? code\n: "1"\n', 1, 3, ""),
    ('code: "1"\n', 5, 1, ""),
])
def test_text_path_reads_the_field_path_from_indentation(text: str, line: int, column: int, path: str) -> None:
    assert text_path(text, line, column) == path


def test_text_path_gives_nothing_when_tab_widths_disagree() -> None:
    under_mapping = 'publication:\n\tdecision: 1/QĐ-BXD\n'
    assert text_path(under_mapping, 2, 20, (2, 4, 8)) == "publication.decision"
    under_a_value = 'documents:\n- id: a\n  originals: 1\n\tcopies: 1\n'  # a sibling key at width 2, the text of originals at 4
    assert text_path(under_a_value, 4, 11, (2, 4, 8)) == ""


def test_text_path_gives_the_loaders_path_of_every_value_of_real_records() -> None:
    files = sorted(REAL.rglob("*.yaml"))[::25]
    assert len(files) > 50
    checked = 0
    for file in files:
        raw = file.read_bytes()
        loaded = load_bytes(raw, file.name, "procedure")
        text = raw.decode("utf-8")
        for path, (line, column) in loaded.positions.items():
            key = loaded.key_positions.get(path)
            if path and (isinstance(path[-1], int) or (key and key[0] == line)):
                assert text_path(text, line, column) == format_path(path), (file.name, line, column)
                checked += 1
    assert checked > 4000


def test_syntax_errors_in_a_real_record_name_the_field(tmp_path: Path) -> None:
    text = (REAL / "bo-xay-dung" / "1.000010.yaml").read_text(encoding="utf-8")
    lines = text.split("\n")
    fee = next(i for i, line in enumerate(lines) if line.startswith("  - description: Miễn phí"))
    broken = lines[:fee] + ['  - description: "Miễn phí'] + lines[fee + 1:]  # methods[0].fees[0]: a quote never closed
    loaded = load("\n".join(broken))
    assert [(d.code, d.line, d.path) for d in loaded.diagnostics] == [("syntax", fee + 1, "methods[0].fees[0].description")]
    second = [i for i, line in enumerate(lines) if line.startswith("- id: ")][1]
    broken = lines[:second + 1] + [" " + lines[second + 1]] + lines[second + 2:]  # documents[1].name indented one space too far
    loaded = load("\n".join(broken))
    assert [(d.code, d.path) for d in loaded.diagnostics] == [("syntax", "documents[1]")]


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_syntax_errors_in_a_real_record_with_windows_line_endings_name_the_field(newline: str) -> None:
    """A record saved with Windows (CRLF) or old Mac (CR) line endings gets the paths it gets with LF: YAML counts
    each of them as one line break, and a key's ``\\r`` is not part of its value (the path was read as
    ``sector[4].channel[0].description`` for an unclosed quote in methods[1].fees[0].description)."""
    lines = (REAL / "bo-tu-phap" / "1.000080.yaml").read_text(encoding="utf-8").split("\n")
    fee = [i for i, line in enumerate(lines) if line.startswith("  - description: ")][1]
    quoted = lines[:fee] + [lines[fee].replace("description: ", 'description: "', 1)] + lines[fee + 1:]
    loaded = load(newline.join(quoted))
    assert [(d.code, d.line, d.path) for d in loaded.diagnostics] == [("syntax", fee + 1, "methods[1].fees[0].description")]
    copies = [i for i, line in enumerate(lines) if line.startswith("    originals: ")][-2]
    colonless = lines[:copies] + [lines[copies].replace(":", "", 1)] + lines[copies + 1:]
    loaded = load(newline.join(colonless))
    assert [(d.code, d.line, d.path) for d in loaded.diagnostics] == [("syntax", copies + 1, "cases[2].documents[1]")]
    tab = ["\t" + lines[fee].lstrip(" ")]  # a tab before '- description' under fees: the same path at every tab width
    loaded = load(newline.join(lines[:fee] + tab + lines[fee + 1:]))
    assert [(d.code, d.line, d.path) for d in loaded.diagnostics] == [("tab-indent", fee + 1, "methods[1].fees[0].description")]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_control_character_is_reported_at_its_line_whatever_the_line_endings(newline: str) -> None:
    """With CR line endings the character was reported at line 1, column 11,728, in ``code``."""
    lines = (REAL / "bo-tu-phap" / "1.000080.yaml").read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("    name: Bản sao"))
    broken = lines[:at] + [lines[at].replace("Bản sao", "Bản\x01 sao", 1)] + lines[at + 1:]
    loaded = load(newline.join(broken))
    assert [(d.code, d.line, d.column, d.path) for d in loaded.diagnostics] == [("syntax", at + 1, 14, "cases[1].documents[2].name")]


def test_a_quote_closed_by_a_later_value_after_its_lists_end_is_reported_where_it_opened() -> None:
    """A ' left open in methods[0].fees[0].description of a real record is closed by the ' that starts a
    document_notes item 20 lines on, after the fees list, the method and the methods list have ended: the error is
    reported at the opening quote with its field, not at the document_notes line with no path."""
    lines = (REAL / "bo-tu-phap" / "1.000080.yaml").read_text(encoding="utf-8").split("\n")
    fee = next(i for i, line in enumerate(lines) if line.startswith("  - description: "))
    closing = next(i for i, line in enumerate(lines) if line.startswith("- '"))
    assert closing > fee + 10 and not any("'" in line for line in lines[fee + 1:closing])
    broken = lines[:fee] + [lines[fee].replace("description: ", "description: '", 1)] + lines[fee + 1:]
    loaded = load("\n".join(broken))
    assert [(d.code, d.line, d.column, d.path) for d in loaded.diagnostics] == [("syntax", fee + 1, 18, "methods[0].fees[0].description")]
    assert f"opened on line {fee + 1} is not closed on that line" in loaded.diagnostics[0].message
    assert f"on line {closing + 1} as its end" in loaded.diagnostics[0].message


def test_tab_lines_get_their_paths_in_one_pass() -> None:
    """Every tab-indented line is reported with its field's path; the paths are read in one pass over the text
    (a file of 20,000 such lines is as quick to report as its size), not one pass per line."""
    text = 'code: "1"\n' + "".join(f"k{n}:\n\tv: {n}\n" for n in range(20_000))
    loaded = load(text)
    assert len(loaded.diagnostics) == 20_000
    assert {d.code for d in loaded.diagnostics} == {"tab-indent"}
    assert [d.path for d in loaded.diagnostics[:2]] + [loaded.diagnostics[-1].path] == ["k0.v", "k1.v", "k19999.v"]
