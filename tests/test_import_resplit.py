"""Re-split, don't guess (issue 11): one small test per kind of failure of the first import,
and the fidelity check (``tthc fidelity``) on real records.

The golden files of the real records named in the issue are checked by
``tests/test_import.py`` (GOLDEN_RECORDS).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from generator.importer.chatbot import (
    groups_to_fields,
    parse_documents,
    parse_legal_basis,
    parse_methods,
    parse_record,
    split_method_sets,
)
from generator.importer.normalise import fee_kind, make_fee, make_legal
from tthc_cli import tthc

ROOT = Path(__file__).resolve().parents[1]
CRAWL = ROOT.parent / "shared" / "data" / "raw" / "dvcqg-chatbot-tthc" / "records"
LATER = ROOT.parent / "shared" / "data" / "raw" / "dvcqg-api-crawler-tthc" / "details"
HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
LEGAL = "Tên văn bản pháp lýMã văn bản"
METHODS = "Hình thức nộpThời gianPhí, lệ phíMô tả"

needs_data = pytest.mark.skipif(not CRAWL.is_dir(), reason="shared data ../shared/data/raw not present")


# --- legal basis -------------------------------------------------------------
def test_decimal_resolution_number_is_read_whole() -> None:
    warnings: list[str] = []
    text = f"{LEGAL}Nghị quyết số 66.7/2025/NQ-CP của Chính phủ: Quy định cắt giảm dựa trên dữ liệu66.7/2025/NQ-CPLuật Cư trú 202068/2020/QH14"
    assert parse_legal_basis(text, warnings) == [
        {"number": "66.7/2025/NQ-CP",
         "title": "Nghị quyết số 66.7/2025/NQ-CP của Chính phủ: Quy định cắt giảm dựa trên dữ liệu"},
        {"number": "68/2020/QH14", "title": "Luật Cư trú 2020"},
    ]
    assert warnings == []


def test_capitals_glued_to_a_number_are_given_back() -> None:
    warnings: list[str] = []
    text = (f"{LEGAL}Nghị định quy định chức năng của Bộ Xây dựng33/2025/NĐ-CPBỘ LUẬT HÀNG HẢI VIỆT NAM"
            "BỘ LUẬT  HÀNG HẢI VIỆT NAMQuy định chi tiết56/2019/NĐ-CP")
    rows = parse_legal_basis(text, warnings)
    assert [r["number"] for r in rows] == ["33/2025/NĐ-CP", "BỘ LUẬT  HÀNG HẢI VIỆT NAM", "56/2019/NĐ-CP"]
    assert rows[1]["title"] == "BỘ LUẬT HÀNG HẢI VIỆT NAM"
    assert any("read as '33/2025/NĐ-CP'" in w for w in warnings)
    assert any("has no document number" in w for w in warnings)


def test_a_number_right_after_a_kind_prefix_stays_in_its_title() -> None:
    rows = parse_legal_basis(f"{LEGAL}Thông tư số 53/2025/TT-BCAngày 01/7/2025 của Bộ Công an53/2025/TT-BCA", [])
    assert rows == [{"number": "53/2025/TT-BCA", "title": "Thông tư số 53/2025/TT-BCAngày 01/7/2025 của Bộ Công an"}]


def test_list_marker_and_colon_prefix_start_a_new_row() -> None:
    rows = parse_legal_basis(f"{LEGAL}Luật sửa đổi Luật Chứng khoán56/2024/QH15- Luật Doanh nghiệpLuật số: 59/2020/QH14"
                             "Thông tư hướng dẫn thuế21/2026/TT-BTC Hướng dẫn kê khai41/2026/TT-BTC", [])
    assert rows == [
        {"number": "56/2024/QH15", "title": "Luật sửa đổi Luật Chứng khoán"},
        {"number": "59/2020/QH14", "title": "Luật Doanh nghiệp"},
        {"number": "21/2026/TT-BTC", "title": "Thông tư hướng dẫn thuế"},
        {"number": "41/2026/TT-BTC", "title": "Hướng dẫn kê khai"},
    ]


def test_source_typos_in_numbers_are_corrected_with_a_warning() -> None:
    warnings: list[str] = []
    rows = parse_legal_basis(f"{LEGAL}Thông tư số 31/2025/TT-BCA quy định thẻ31/2025/TT_BCAVề an ninh hàng không92/2015/NĐ-CP",
                             warnings)
    assert rows == [{"number": "31/2025/TT-BCA", "title": "Thông tư số 31/2025/TT-BCA quy định thẻ"},
                    {"number": "92/2015/NĐ-CP", "title": "Về an ninh hàng không"}]
    assert any("'_' for '-'" in w for w in warnings)
    # The API's code cut short: the title's full number is used.
    warnings = []
    assert make_legal("Thông tư số 31/2025/TT-BCA ngày 21/4/2025", "31/2025/TT", warnings)["number"] == "31/2025/TT-BCA"
    assert warnings and "typo of the source" in warnings[0]


def test_articles_are_kept_when_stated() -> None:
    entry = make_legal("Khoản 2 Điều 10 Luật Cư trú", "68/2020/QH14")
    assert entry == {"number": "68/2020/QH14", "title": "Khoản 2 Điều 10 Luật Cư trú", "articles": "Khoản 2 Điều 10"}
    assert "articles" not in make_legal("Luật Cư trú", "68/2020/QH14")


# --- documents -----------------------------------------------------------------
def test_notes_and_examples_are_notes_of_their_section() -> None:
    warnings: list[str] = []
    text = (f"* Hồ sơ gồm:{HEADER}Tờ khaiMẫu CT01.docx1 bản chínhVí dụ: Trường hợp giấy tờ A.0 bản chính"
            f"*Lưu ý:{HEADER}Việc nộp hồ sơ - trực tiếp hoặc trực tuyến.0 bản chính")
    documents, cases, notes = parse_documents(text, warnings)
    assert documents == []
    assert [c["name"] for c in cases] == ["* Hồ sơ gồm:"]
    assert cases[0]["documents"] == [{"name": "Tờ khai", "originals": 1, "copies": 0, "form": "Mẫu CT01.docx"}]
    assert cases[0]["notes"] == ["Ví dụ: Trường hợp giấy tờ A."]
    assert notes == ["Việc nộp hồ sơ - trực tiếp hoặc trực tuyến."]
    assert warnings == []


def test_dash_and_empty_rows_are_dropped_with_a_warning() -> None:
    warnings: list[str] = []
    assert parse_documents("--", warnings) == ([], [], [])
    assert warnings == ["dossier field holds only '--'; dropped"]
    warnings = []
    documents, _, _ = groups_to_fields([("--", [{"name": "--", "originals": 1, "copies": 0},
                                                {"name": "Đơn", "originals": 1, "copies": 0}])], warnings)
    assert documents == [{"name": "Đơn", "originals": 1, "copies": 0}]
    assert warnings == ["dossier row with no name ('--') dropped"]


def test_original_or_copy_is_an_alternative() -> None:
    documents, _, _ = parse_documents(
        f"--{HEADER}Bản chính hoặc bản sao có chứng thực Giấy khai sinh1 bản chính,1 bản sao"
        "Bản sao Giấy phép và bản chính để đối chiếu1 bản chính,1 bản sao", [])
    assert documents[0]["original_or_copy"] is True
    assert "original_or_copy" not in documents[1]  # both are asked for


def test_forms_keep_their_whole_file_name() -> None:
    documents, _, _ = parse_documents(
        f"--{HEADER}Tờ khai (Mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA);1.MuCT01banhnhkmtheoThngts53 (3).doc1 bản chính"
        "Văn bản đề nghị (theo mẫu)12.1.PLCpgiyphpcungcpDVHKnngh.docx1 bản chính"
        "Giấy đề nghị theo Mẫu 04 Nghị định số 23/2026/NĐ-CPMau04.docx1 bản chính", [])
    assert [(d["name"], d["form"]) for d in documents] == [
        ("Tờ khai (Mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA);", "1.MuCT01banhnhkmtheoThngts53 (3).doc"),
        ("Văn bản đề nghị (theo mẫu)", "12.1.PLCpgiyphpcungcpDVHKnngh.docx"),
        ("Giấy đề nghị theo Mẫu 04 Nghị định số 23/2026/NĐ-CP", "Mau04.docx"),
    ]


# --- methods -------------------------------------------------------------------
def test_repeated_channels_are_cases_with_their_own_time_limits() -> None:
    warnings: list[str] = []
    rows = parse_methods(f"{METHODS}Trực tuyến5 Ngày làm việcMiễn phí- Đối với cấp lại do thay đổi: 05 ngày."
                         "Trực tiếp5 Ngày làm việcMiễn phí- Đối với cấp lại do thay đổi: 05 ngày."
                         "Trực tiếp3 Ngày làm việcMiễn phí- Đối với cấp lại do bị mất: 03 ngày."
                         "Trực tuyến3 Ngày làm việcMiễn phí- Đối với cấp lại do bị mất: 03 ngày.", warnings)
    methods, cases = split_method_sets(rows, warnings)
    assert methods == [{"channel": "online", "fees": [{"description": "Miễn phí", "amount_vnd": 0}]},
                       {"channel": "in_person", "fees": [{"description": "Miễn phí", "amount_vnd": 0}]}]
    assert [(c["name"], c["processing_time"]["value"], [m["channel"] for m in c["methods"]]) for c in cases] == [
        ("Đối với cấp lại do thay đổi", 5, ["online", "in_person"]),
        ("Đối với cấp lại do bị mất", 3, ["in_person", "online"]),
    ]
    assert warnings == []


def test_fee_text_with_enumeration_labels_is_read_whole() -> None:
    rows = parse_methods(f"{METHODS}Trực tuyến5 Ngày làm việcMiễn phí(a) Quốc tế: 30.000.000 đồng; b) Khác: 20.000.000 "
                         "đồng (mỗi lần).)- Đối với giấy phép cấp lại do thay đổi nội dung: 05 ngày.", [])
    assert rows[0]["fees"] == [{"description": "a) Quốc tế: 30.000.000 đồng; b) Khác: 20.000.000 đồng (mỗi lần)."}]
    assert rows[0]["description"] == "- Đối với giấy phép cấp lại do thay đổi nội dung: 05 ngày."


def test_a_time_cell_in_words_keeps_its_channel() -> None:
    rows = parse_methods(f"{METHODS}Trực tuyếnKhông phải trả kết quả cho người nộp thuếMiễn phíQua Cổng DVC", [])
    assert rows == [{"channel": "online", "processing_time": {"note": "Không phải trả kết quả cho người nộp thuế"},
                     "fees": [{"description": "Miễn phí", "amount_vnd": 0}], "description": "Qua Cổng DVC"}]


# --- fees ----------------------------------------------------------------------
def test_fee_set_by_the_provincial_council_is_never_zero() -> None:
    fee, warning = make_fee(0, "Miễn phí", "Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định.")
    assert fee == {"description": "Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định.", "kind": "charge"}
    assert warning and "says free" in warning
    assert make_fee(0, "0 Đồng", "Chưa quy định.")[0] == {"description": "Chưa quy định."}
    assert make_fee(0, "Miễn phí", "Không thu lệ phí")[0]["amount_vnd"] == 0
    assert make_fee(0, "Miễn phí", "")[0] == {"description": "Miễn phí", "amount_vnd": 0}
    # An amount written without "đồng" is an amount all the same.
    assert "amount_vnd" not in make_fee(0, "Miễn phí", "Cho một loại hình: 8.000.000/lần")[0]


def test_phi_and_le_phi_are_told_apart_only_when_the_text_says() -> None:
    assert fee_kind("Lệ phí cấp giấy phép: 50.000 đồng") == "charge"
    assert fee_kind("Phí thẩm định hồ sơ: 1.000.000 đồng") == "fee"
    assert fee_kind("Phí, lệ phí theo quy định") is None
    assert fee_kind("Lệ phí 50.000 đồng; phí chuyển phát theo giá dịch vụ") is None
    assert fee_kind("150.000 đồng/lần/thẻ.") is None


# --- whole records -------------------------------------------------------------
@needs_data
def test_internal_scope_is_inferred_with_a_warning() -> None:
    import json

    data = json.loads((CRAWL / "bo-xay-dung" / "6.006589.json").read_text(encoding="utf-8"))
    record = parse_record(data, "bo-xay-dung", "x.json", lambda name: "s")
    assert record.data["internal_scope"] == "within_agency"
    assert any(w.startswith("internal_scope 'within_agency' inferred from the code prefix") for w in record.warnings)


@needs_data
def test_crawl_cut_at_can_cu_phap_ly_keeps_every_channel() -> None:
    import json

    data = json.loads((CRAWL / "bo-cong-an" / "3.000337.json").read_text(encoding="utf-8"))
    record = parse_record(data, "bo-cong-an", "x.json", lambda name: "s")
    assert [m["channel"] for m in record.data["methods"]] == ["online", "postal", "in_person"]
    assert "legal_basis" not in record.data
    assert any("re-joined from the legal basis field" in w for w in record.warnings)


@needs_data
def test_api_fields_the_page_does_not_carry() -> None:
    from generator.importer import read_sources

    records, _ = read_sources([LATER / "019d2bf7-c53c-722c-b1e4-642d4b69bd44.json"],
                              known_publishers={"G01": "bo-cong-an"})
    data = records[0].data
    assert data["returning_methods"] == [{"submission": "online", "ways": ["at_home", "at_submission_place"]},
                                         {"submission": "offline", "ways": ["at_home", "at_submission_place"]}]
    assert data["online_service"] == "partial" and data["non_territorial"] is False
    assert data["interconnected"] is False


# --- the fidelity check ----------------------------------------------------------
@needs_data
def test_fidelity_counts_a_silent_drop_and_fails(tmp_path: Path) -> None:
    source = tmp_path / "records" / "bo-cong-an"
    source.mkdir(parents=True)
    for code in ("1.010038", "3.000337"):
        shutil.copy(CRAWL / "bo-cong-an" / f"{code}.json", source / f"{code}.json")
    (tmp_path / "cat").mkdir()
    shutil.copy(ROOT / "catalog" / "agencies.yaml", tmp_path / "cat" / "agencies.yaml")
    assert tthc("import", "records", "--catalog", "cat", cwd=tmp_path).returncode == 0
    clean_run = tthc("fidelity", "records", "--catalog", "cat", cwd=tmp_path)
    assert clean_run.returncode == 0, clean_run.stdout
    assert "silent drops: 0" in clean_run.stdout
    assert "2 catalog record(s) compared" in clean_run.stdout
    # Remove a document by hand: the check names it as a drop without a warning.
    path = tmp_path / "cat" / "procedures" / "bo-cong-an" / "1.010038.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["cases"][0]["documents"].pop(1)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    dropped = tthc("fidelity", "records", "--catalog", "cat", cwd=tmp_path)
    assert dropped.returncode == 1
    assert "silent drops: 1" in dropped.stdout
    assert "dropped without a warning in thanh_phan_ho_so: 1.010038: " in dropped.stdout
    assert "giấy tờ tài liệu" in dropped.stdout


@needs_data
def test_real_catalog_has_no_silent_drop() -> None:
    """The bundled catalog against the page crawl and the later API records (issue 11, item 2)."""
    from generator.importer.fidelity import check

    report = check(ROOT / "catalog", [CRAWL, LATER])
    assert report.records == 1523 and report.without_source == []
    assert report.silent_drops == 0, {k: v.examples for k, v in report.fields.items() if v.dropped}
    methods = report.fields["cach_thuc_thuc_hien"]
    assert methods.resplit + methods.warned == 1521  # every page-crawl record but the two amended from the API
    assert report.fields["executionMethods"].warned == 2  # 3.000369, 3.000353 (their "Miễn phí" that is not free)


def test_invisible_characters_of_the_portal_are_removed_on_import() -> None:
    from generator.importer.normalise import clean

    # soft hyphen in 'tr­ường' (1.004163), left-to-right mark in 'đăng k‎ý' (2.000756)
    assert clean("tr\u00adường hợp") == "trường hợp"
    assert clean("đăng k\u200eý hộ tịch") == "đăng ký hộ tịch"
    assert clean("a\u200bb\u202ac\ufeff") == "abc"
