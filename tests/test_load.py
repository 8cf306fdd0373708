"""The strict loader on its own: types decided by the schema, never a traceback."""

from __future__ import annotations

import random

import pytest

from generator.load import load_bytes


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
