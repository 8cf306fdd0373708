"""generator.search_terms: the table of how people ask, checked entry by entry
against the real catalog, and what the build ships to the browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.catalog import read_catalog
from generator.errors import BuildError
from generator.search import TERMS_JSON, WORDS_DIR, fold, index_site, searchable_text, vocabulary, words_path
from generator.search_terms import TYPO_MIN_LETTERS, client_data, load_terms

REPO = Path(__file__).resolve().parents[1]
TERMS = load_terms()


@pytest.fixture(scope="module")
def catalog():
    if not any((REPO / "catalog" / "procedures").glob("*/*.yaml")):
        pytest.skip("the bundled catalog is empty in this checkout")
    return read_catalog(REPO / "catalog")[0]


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", fold(text.lower()))


def _holds(text: str, phrase: str) -> bool:
    """``phrase`` stands in ``text`` as whole words, compared folded."""
    return f" {' '.join(_words(phrase))} " in f" {' '.join(_words(text))} "


@pytest.mark.parametrize("term", TERMS.terms, ids=[t.asked[0] for t in TERMS.terms])
def test_each_entry_maps_to_the_wording_of_a_real_procedure(term, catalog):
    procedure = catalog.procedure(term.example_code)
    assert procedure is not None, f"line {term.line}: example {term.example_code} is not in the catalog"
    assert any(_holds(term.example_query, asked) for asked in term.asked), (
        f"line {term.line}: the example query {term.example_query!r} holds none of {term.asked}")
    if term.kind == "filler":
        assert term.means == ()
    else:
        assert any(_holds(procedure.name, means) for means in term.means), (
            f"line {term.line}: {procedure.code} {procedure.name!r} holds none of {term.means}")
    shipped = client_data(TERMS, [])["terms"][TERMS.terms.index(term)]
    assert shipped["asked"] == list(term.asked) and shipped["means"] == list(term.means)


def test_the_issue_s_examples_are_in_the_table():
    asked = {a for t in TERMS.terms for a in t.asked}
    for wanted in ("cccd", "gplx", "gcn qsdđ", "sổ đỏ", "bằng lái", "bhxh", "tncn", "đkkd", "làm", "kí"):
        assert wanted in asked, wanted
    means = {t.asked[0]: t.means for t in TERMS.terms}
    assert "cấp" in means["làm"] and "ký" in means["kí"]


def test_an_asked_phrase_stands_in_one_entry_only():
    seen: dict[str, str] = {}
    for term in TERMS.terms:
        for asked in term.asked:
            key = " ".join(_words(asked))
            assert seen.get(key, term.asked[0]) == term.asked[0], f"{asked!r} is in the entries of {seen[key]!r} and {term.asked[0]!r}"
            seen[key] = term.asked[0]


def test_the_query_as_typed_is_kept_only_where_its_words_stand_in_a_name():
    names = ["Giải quyết việc người nước ngoài nhận trẻ em Việt Nam làm con nuôi", "Cấp thẻ căn cước"]
    shipped = {t["asked"][0]: t for t in client_data(TERMS, ["thuong"], names)["terms"]}
    assert shipped["làm"]["keep"][0] is True                     # "làm con nuôi"
    assert shipped["cccd"]["keep"] == [False] * len(shipped["cccd"]["asked"])
    assert shipped["sổ đỏ" if "sổ đỏ" in shipped else "gcn qsdđ"]["keep"] == [False] * 6
    assert all(shipped["bhxh"]["keep"]) and shipped["bhxh"]["both"]   # both ways
    assert client_data(TERMS, ["thuong"])["typo_min"] == TYPO_MIN_LETTERS == 5


def test_a_bad_table_names_file_line_and_field(tmp_path: Path):
    bad = tmp_path / "terms.yaml"
    bad.write_text(
        "terms:\n  - asked: [cccd]\n    means: [thẻ căn cước]\n    kind: viết tắt\n"
        "    example: {query: cccd, code: '2.000200'}\nactions: {asked_for: [cấp], about: []}\n",
        encoding="utf-8",
    )
    with pytest.raises(BuildError, match=r"terms\.yaml:4:11: error\[schema\] terms\[0\]\.kind"):
        load_terms(bad)


def test_a_duplicate_key_in_the_table_is_an_error(tmp_path: Path):
    bad = tmp_path / "terms.yaml"
    bad.write_text("terms: []\nterms: []\nactions: {asked_for: [], about: []}\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"terms\.yaml:2:1: error\[duplicate-key\]"):
        load_terms(bad)


def test_a_missing_table_is_a_build_error(tmp_path: Path):
    with pytest.raises(BuildError, match="cannot read the search terms"):
        load_terms(tmp_path / "nowhere.yaml")


def test_the_vocabulary_holds_folded_words_of_four_letters_or_more_most_frequent_first():
    pages = [
        searchable_text("<main data-pagefind-body><h1>Cấp hộ chiếu</h1><p>Thường trú 2024</p></main>"),
        searchable_text("<main data-pagefind-body><h1>Trình báo mất hộ chiếu</h1><p>thường</p></main>"),
    ]
    assert vocabulary(pages) == ["chieu", "thuong", "trinh"]


def test_the_record_keeps_the_bag_as_written_for_the_results():
    record = searchable_text("<main data-pagefind-body><h1>Tên</h1><p>Đơn đề nghị, Bản sao 12 giấy tờ</p></main>")
    assert record.words == "Đơn đề nghị Bản sao giấy tờ"
    assert record.parts[1][0] == "Đon Don đe de nghi Ban sao giay to"


def test_the_bundle_ships_the_terms_and_vocabulary(tmp_path: Path):
    site = tmp_path / "site"
    (site / "thu-tuc" / "1.001471").mkdir(parents=True)
    (site / "thu-tuc" / "1.001471" / "index.html").write_text(
        "<main data-pagefind-body><h1>Cấp hộ chiếu phổ thông</h1><p>Tờ khai đề nghị</p></main>", encoding="utf-8")
    index_site(site)
    data = json.loads((site / "pagefind" / TERMS_JSON).read_text(encoding="utf-8"))
    assert data["version"] == 1 and len(data["terms"]) == len(TERMS.terms)
    assert data["words"].split() == ["chieu", "khai", "nghi", "thong"]
    assert "trình báo mất" in data["actions"]["about"] and "cấp" in data["actions"]["asked_for"]
    assert (site / "pagefind" / WORDS_DIR / "thu-tuc" / "1.001471.txt").read_text(encoding="utf-8") == "Tờ khai đề nghị"
    assert words_path(Path("thu-tuc/1.001471/index.html")) == Path("thu-tuc/1.001471.txt")
    assert words_path(Path("index.html")) == Path("index.txt") and words_path(Path("a/b.html")) == Path("a/b.txt")


def test_stop_words_are_shipped_and_name_no_entry():
    """"Có trong trang" leaves them out (tthc-search.js); they must not be what an entry is asked by."""
    shipped = client_data(TERMS, [])["stop_words"]
    assert shipped == list(TERMS.stop_words) and len(set(shipped)) == len(shipped)
    assert {"của", "và", "các", "cho", "làm"} <= set(shipped)
    assert all(w == w.lower() and " " not in w for w in shipped)
    single_asked = {a for t in TERMS.terms for a in t.asked if " " not in a} - {"làm"}   # "làm" is asked for "cấp", never listed
    assert not single_asked & set(shipped)
