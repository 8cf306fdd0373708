"""A deterministic synthetic catalog of N procedures, for benchmarks.

Field sizes follow the real catalog (1,523 procedures from the National
Public Service Portal, ``../shared/data/raw/dvcqg-chatbot-tthc``), measured
on its raw text: name median 78 characters (p90 165), steps about 1,100
characters in 3-6 steps, 2-10 dossier documents of about 70 characters, 1-3
submission channels, 2-6 legal documents, 1-3 subjects. Words are drawn,
with a Zipf-like skew, from the 600 most frequent syllables of the real
names, steps and documents, so the search index grows with N as the real
one would. About 7 % of procedures are internal (codes 5.x and 6.x), as in
the real data; 3 % are abolished and 2 % replaced.

The output is the catalog layout of DESIGN.md §3 (``agencies.yaml``,
``sectors.yaml``, ``procedures/<agency>/<code>.yaml``), valid per
``generator/schemas/*.schema.json``, and byte-identical for the same
``(count, seed)``.

Usage::

    python benchmarks/synthetic.py 10000 /tmp/catalog-10k
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

#: The 600 most frequent syllables of the real catalog, most frequent first.
SYLLABLES = """
bản định sơ của hồ chính hợp có nhận giấy theo cấp và hoặc công thông cơ trường quan được ngày
quy nghị ký số trong chức đăng chứng tổ các tư về người văn nhân nước tại đề thực với lý việc tờ
nhà sở bộ không hành điều thời pháp hàng từ đối quyền tiếp dụng nộp vụ cho quyết báo doanh đơn
kiểm thẩm ban tin hiện hạn tài sao dịch trình đủ dân thành nghiệp phép làm kết đầu cầu luật ngân
động bước dự đất trực gia phải khai yêu án thì mẫu quốc qua liệu để điện xác chủ gửi kể sử sản
tử cá kèm quản ủy đổi do nội thủ lệ khoản tên ngoài tịch việt hộ đồng bổ nam tra giải quả xuất
đến xã xây bằng kinh dựng trên lập trả tục nếu chi sung phương đã hoạt tỉnh an giao nhiệm lại
lục địa cáo chuyển dung sau khi phụ viên liên điểm là bảo giá kiến đầy thuộc danh thuận minh
kiện hoàn lượng chấp nhập rõ tín thay một khác dữ hội nơi xe phần hệ thống vốn chỉ tác nêu phòng
diện trách môi toán căn bưu cục vị khẩu cổng năm bị nhánh sự đại trung nuôi thức thuế tuyến hữu
chưa thác thu trợ xét hình khu mục ứng gồm đường vực tính gian cư sửa đó tế con giám thể duyệt
phiếu thi vào trước phát thủy kế trú phí hóa đai phê trị thiện chiếu cước xem lời tiện thiết
chỉnh cung thẻ này hải sách cảnh vật sinh vận đảm thuê thương chuyên thanh vi trưởng nông trụ
tháng cổ nhất quá biển hỗ tham phủ phục loại tiền tự bên nghề sát ghi ii toàn đánh hoạch mua
biên tâm chối cán bao ty ra tổng cần lực trừ năng rừng tạm mại học bán ng quỹ hồi triển cảng
thường tạo đặt cửa xử lịch liền chọn chụp dẫn tích kê tương nghiệm đích tàu hướng góp cứu tiêu
vay sổ mà soát giới hiểm phận phố nghệ lấy đóng bố hẹn tải chế hiệu phẩm lãnh lưu đáp thuật chất
gốc ngoại lựa môn kỹ đi còn chuẩn khoáng mặt trở gắn đây thư khoa tối thị xin tượng vệ phù ương
tập khí ngành phạm mẹ nghĩa phân nh cứ chữa mới ảnh nguyên trang lên đốc đang thế tthc mức miễn
trí di mô tố lái cháy kỳ iii đúng đồ độ tiến nhượng cha cam lần tình ninh phi cộng mất đa ba ích
nhưng hưởng lao chung cập đấu khoán trạng nguồn cải vẽ chấm hô thưởng dứt nhu chữ dấu khen
nghiên khả trương bàn cụ thỏa những hiệp tăng mạng thứ em thân đông áp trẻ ngay sang thử lĩnh mã
giữa như đương bệnh máy bnnmt tô đạt nối bất tiết hai đình nhật biết thiểu chương vấn chịu gọi
tướng lâm hủy cách đo tái nợ vùng phối đào đô chào trồng họ dưới cao iv hòa bay khách trật bồi
tới dư từng tiếng mở tỷ thầu câ sức họp trích cùng hôn sư chậm bảng bhxh tệ thụ sáng hạng hạ đặc
đạo vũ nhóm ubnd thêm trì giảm đua cấu giữ khiếu saobản thảo chiến hết trọng đạc lô tai sáp hạch
kề hại thôi nại thú huyện thuyết so saogiấy hơ vàng bến ro lai kho tầng trái vê ch sĩ giúp ha
thuốc ti thúc du lợi giáo thoại dạng tắt bỏ rủi tắc dùng biểu đẻ thiệt niêm bởi cm nạn giống màu
dưỡng
""".split()

AGENCY_COUNT = 24
SECTOR_COUNT = 140
LEVELS = ("ministry", "province", "commune", "other")
CHANNELS = ("in_person", "online", "postal")
UNITS = ("working_days", "working_days", "working_days", "days", "hours", "months")


def _word(rng: random.Random) -> str:
    # Zipf-like: index = floor(600 * u^2.2) favours frequent syllables.
    return SYLLABLES[int(len(SYLLABLES) * rng.random() ** 2.2)]


def _text(rng: random.Random, words: int, capital: bool = True) -> str:
    text = " ".join(_word(rng) for _ in range(max(1, words)))
    return text[0].upper() + text[1:] if capital else text


def _slug(n: int, stem: str) -> str:
    return f"{stem}-{n:03d}"


def agencies() -> list[dict]:
    """The synthetic agencies: ministries ``bo-001``... with codes ``G01``..."""
    rng = random.Random("agencies")
    return [
        {"id": _slug(i, "bo"), "name": f"Bộ {_text(rng, 3, capital=False).title()} {i}",
         "code": f"G{i:02d}", "level": "ministry"}
        for i in range(1, AGENCY_COUNT + 1)
    ]


def sectors() -> list[dict]:
    """The synthetic sectors ``linh-vuc-001``... (140, as in the real data)."""
    rng = random.Random("sectors")
    return [{"id": _slug(i, "linh-vuc"), "name": f"{_text(rng, rng.randint(2, 5))} {i}"}
            for i in range(1, SECTOR_COUNT + 1)]


def procedure(n: int, rng: random.Random, agency: dict, sector: dict, earlier: list[str]) -> dict:
    """One synthetic procedure record (a dict ready for YAML), number ``n``."""
    internal = rng.random() < 0.07
    prefix = rng.choice("56") if internal else rng.choice("1112223")
    code = f"{prefix}.{n:06d}"
    record: dict = {
        "code": code,
        "name": _text(rng, int(rng.lognormvariate(2.8, 0.45)) + 3),
        "kind": "internal" if internal else "external",
    }
    if internal:
        record["internal_scope"] = rng.choice(["between_agencies", "within_agency"])
    record["levels"] = sorted(set(rng.sample(LEVELS, rng.randint(1, 2))), key=LEVELS.index)
    record["sector"] = sector["id"]
    record["agencies"] = {"competent": [agency["name"]], "executing": [_text(rng, 6)]}
    record["subjects"] = [_text(rng, rng.randint(2, 8)) for _ in range(rng.randint(1, 3))]
    record["steps"] = [
        {"title": f"Bước {i}: {_text(rng, rng.randint(3, 8), capital=False)}",
         "description": _text(rng, int(rng.lognormvariate(3.6, 0.6)) + 8)}
        for i in range(1, rng.randint(3, 6) + 1)
    ]
    record["methods"] = []
    for channel in sorted(rng.sample(CHANNELS, rng.randint(1, 3)), key=CHANNELS.index):
        method: dict = {"channel": channel,
                        "processing_time": {"value": rng.choice([1, 3, 5, 7, 10, 15, 20, 30, 45, 60]),
                                            "unit": rng.choice(UNITS)}}
        if rng.random() < 0.4:
            method["fees"] = [{"description": _text(rng, rng.randint(4, 12)),
                               "amount_vnd": rng.choice([0, 50_000, 100_000, 200_000, 500_000, 1_000_000])}]
        record["methods"].append(method)
    record["documents"] = [
        {"id": f"giay-to-{i}", "name": _text(rng, rng.randint(6, 30)),
         "originals": rng.choice([0, 1, 1, 1, 2]), "copies": rng.choice([0, 0, 1, 2])}
        for i in range(1, rng.randint(2, 10) + 1)
    ]
    record["dossier_sets"] = rng.choice([1, 1, 1, 2, 3])
    if rng.random() < 0.5:
        record["requirements"] = [_text(rng, rng.randint(10, 60)) for _ in range(rng.randint(1, 3))]
    record["results"] = [{"name": _text(rng, rng.randint(4, 14)),
                          "code": f"KQ.{agency['code']}.{n:06d}"}]
    record["legal_basis"] = [
        {"number": f"{rng.randint(1, 199)}/{rng.randint(2010, 2025)}/{rng.choice(['NĐ-CP', 'TT-BTC', 'QH15', 'TT-BXD'])}",
         "title": _text(rng, rng.randint(8, 25))}
        for _ in range(rng.randint(2, 6))
    ]
    if earlier and rng.random() < 0.2:
        record["related"] = sorted(set(rng.sample(earlier[-200:], min(len(earlier[-200:]), rng.randint(1, 3)))))
    record["publication"] = {"decision": f"{rng.randint(1, 2999)}/QĐ-{agency['code']}",
                             "date": f"{rng.randint(2018, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
    roll = rng.random()
    if roll < 0.03:
        record["status"] = "abolished"
    elif roll < 0.05 and earlier:
        record["status"] = "replaced"
        record["replaced_by"] = rng.choice(earlier[-200:])
    else:
        record["status"] = "in_force"
    record["source"] = {"url": f"https://dichvucong.gov.vn/thu-tuc-hanh-chinh/synthetic-{n:06d}"}
    return record


def _dump(data: object) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)


def write_catalog(count: int, out: Path, seed: int = 2025) -> Path:
    """Write a synthetic catalog of ``count`` procedures into ``out``.

    Args:
        count: number of procedures (codes 1.000001 ... with varied prefixes).
        out: target folder; created; existing procedure files are replaced.
        seed: random seed; the same ``(count, seed)`` gives the same bytes.

    Returns:
        ``out``.
    """
    (out / "procedures").mkdir(parents=True, exist_ok=True)
    (out / "agencies.yaml").write_text(_dump({"agencies": agencies()}), encoding="utf-8")
    (out / "sectors.yaml").write_text(_dump({"sectors": sectors()}), encoding="utf-8")
    for agency, record in records(count, seed):
        folder = out / "procedures" / agency["id"]
        folder.mkdir(exist_ok=True)
        (folder / f"{record['code']}.yaml").write_text(_dump(record), encoding="utf-8")
    return out


def records(count: int, seed: int = 2025) -> Iterator[tuple[dict, dict]]:
    """The ``count`` procedures of :func:`write_catalog`, in code order.

    Args:
        count: number of procedures.
        seed: random seed (the same as :func:`write_catalog`'s gives its records).

    Yields:
        ``(agency, record)``: the agency of :func:`agencies` whose folder holds
        the procedure, and the record (a dict ready for YAML).
    """
    rng = random.Random(seed)
    agency_list, sector_list = agencies(), sectors()
    earlier: list[str] = []
    for n in range(1, count + 1):
        agency = agency_list[int(len(agency_list) * rng.random() ** 1.5)]
        sector = sector_list[int(len(sector_list) * rng.random() ** 1.5)]
        record = procedure(n, rng, agency, sector, earlier)
        yield agency, record
        earlier.append(record["code"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of procedures")
    parser.add_argument("out", type=Path, help="output catalog folder")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args(argv)
    write_catalog(args.count, args.out, args.seed)
    print(f"wrote {args.count} procedures to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
