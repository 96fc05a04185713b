"""Build the bundled SAMPLE round: a fictional province, "Tỉnh Mẫu".

Every name and figure below is invented for demonstration and testing. None of it is a
real statistic of any real province, district or party organisation.

Run:  .venv/bin/python sample_data/build_sample.py            (writes sample_data/catalog.xlsx)
      .venv/bin/python sample_data/build_sample.py --packaged (also the copy shipped in the
                                                               package, consolidator/resources/)

The catalog is built from Python data with plain arithmetic (no randomness), so every run
writes the same content. After writing, the workbook is read back with load_catalog, which
refuses a faulty catalog, and compared with what was written.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from consolidator.catalog import catalog_rows, load_catalog, write_catalog_workbook
from consolidator.model import Catalog, Indicator, Round, Target, Unit
from consolidator.numbers import display_number, parse_target

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "catalog.xlsx"
PACKAGED = HERE.parent / "consolidator" / "resources" / "sample_catalog.xlsx"

ROOT = "TINH"

ROUND = Round(
    round_id="SKGNK-2023-MAU",
    title="Sơ kết giữa nhiệm kỳ thực hiện Nghị quyết Đại hội Đảng bộ Tỉnh Mẫu nhiệm kỳ 2020 - 2025 (DỮ LIỆU MẪU)",
    organisation="Đảng bộ Tỉnh Mẫu",
    baseline_year=2020,
    target_year=2025,
    cutoff_date=date(2023, 6, 30),
    deadline=date(2023, 7, 10),
    low_threshold=0.8,
    allow_target_changes=False,
    expected_progress=None,
    lang="vi",
    place="Tỉnh Mẫu",
)

# --- indicators ------------------------------------------------------------------------------

KT, XH, MT, AN, XD = "Kinh tế", "Văn hóa – Xã hội", "Môi trường", "Quốc phòng – An ninh", "Xây dựng Đảng"

INDICATORS = (
    # code, name, group, unit of measure, direction, measure, aggregation, decimals
    Indicator("GRDP_TT", "Tốc độ tăng trưởng kinh tế (GRDP) bình quân hằng năm", KT, "%/năm",
              "increase", "average", "weighted:DAN_SO", 1),
    Indicator("GRDP_DN", "GRDP bình quân đầu người", KT, "triệu đồng/người",
              "increase", "level", "weighted:DAN_SO", 1),
    Indicator("THU_NS", "Thu ngân sách nhà nước trên địa bàn", KT, "tỷ đồng",
              "increase", "level", "sum", 0),
    Indicator("VON_DT", "Tổng vốn đầu tư toàn xã hội giai đoạn 2021 - 2025", KT, "tỷ đồng",
              "increase", "cumulative", "sum", 0),
    Indicator("XUAT_KHAU", "Kim ngạch xuất khẩu hàng hóa", KT, "triệu USD",
              "increase", "level", "sum", 0),
    Indicator("DO_THI_HOA", "Tỷ lệ đô thị hóa", KT, "%",
              "increase", "level", "mean", 1),
    Indicator("XA_NTM", "Số xã đạt chuẩn nông thôn mới", KT, "xã",
              "increase", "level", "sum", 0),
    Indicator("HUYEN_NTM", "Huyện đạt chuẩn nông thôn mới", KT, "",
              "boolean", "level", "min", 0),
    Indicator("DAN_SO", "Dân số trung bình", XH, "người",
              "increase", "level", "sum", 0),
    Indicator("HO_NGHEO", "Tỷ lệ hộ nghèo (theo chuẩn nghèo đa chiều)", XH, "%",
              "decrease", "level", "weighted:DAN_SO", 2),
    Indicator("GIAM_NGHEO", "Mức giảm tỷ lệ hộ nghèo bình quân hằng năm", XH, "%/năm",
              "increase", "average", "mean", 1),
    Indicator("BHYT", "Tỷ lệ dân số tham gia bảo hiểm y tế", XH, "%",
              "increase", "level", "weighted:DAN_SO", 1),
    Indicator("LD_DAO_TAO", "Tỷ lệ lao động qua đào tạo", XH, "%",
              "increase", "level", "mean", 1),
    Indicator("TRUONG_CQG", "Tỷ lệ trường học đạt chuẩn quốc gia", XH, "%",
              "increase", "level", "mean", 1),
    Indicator("BAC_SI", "Số bác sĩ trên một vạn dân", XH, "bác sĩ/vạn dân",
              "increase", "level", "none", 1),
    Indicator("THAT_NGHIEP", "Tỷ lệ thất nghiệp khu vực thành thị", XH, "%",
              "decrease", "level", "none", 1),
    Indicator("CHE_PHU_RUNG", "Tỷ lệ che phủ rừng", MT, "%",
              "increase", "level", "mean", 1),
    Indicator("NUOC_HVS", "Tỷ lệ dân cư nông thôn sử dụng nước hợp vệ sinh", MT, "%",
              "increase", "level", "mean", 1),
    Indicator("RAC_THAI", "Tỷ lệ chất thải rắn sinh hoạt đô thị được thu gom, xử lý", MT, "%",
              "increase", "level", "mean", 1),
    Indicator("ANTT", "Tỷ lệ xã, phường, thị trấn đạt tiêu chuẩn \"An toàn về an ninh, trật tự\"", AN, "%",
              "increase", "level", "mean", 1),
    Indicator("TAI_NAN_GT", "Số vụ tai nạn giao thông trong năm", AN, "vụ",
              "decrease", "level", "sum", 0),
    Indicator("KET_NAP_DV", "Số đảng viên mới được kết nạp (cả nhiệm kỳ)", XD, "đảng viên",
              "increase", "cumulative", "sum", 0),
    Indicator("TCCSD_HTT", "Tỷ lệ tổ chức cơ sở đảng được đánh giá \"hoàn thành tốt nhiệm vụ\" trở lên hằng năm", XD, "%",
              "increase", "level", "mean", 1),
    Indicator("DV_HTT", "Tỷ lệ đảng viên được đánh giá \"hoàn thành tốt nhiệm vụ\" trở lên hằng năm", XD, "%",
              "increase", "level", "mean", 1),
    Indicator("DV_KY_LUAT", "Số đảng viên bị xử lý kỷ luật (tối đa cả nhiệm kỳ)", XD, "đảng viên",
              "decrease", "cumulative", "sum", 0),
    Indicator("KIEM_TRA", "Số cuộc kiểm tra, giám sát của cấp ủy và ủy ban kiểm tra (cả nhiệm kỳ)", XD, "cuộc",
              "increase", "cumulative", "sum", 0),
    Indicator("DOAN_THE_VM", "Tỷ lệ tổ chức đoàn thể được đánh giá vững mạnh hằng năm", XD, "%",
              "increase", "level", "mean", 1),
    Indicator("CQ_VAN_HOA", "Cơ quan, đơn vị đạt chuẩn văn hóa", XD, "",
              "boolean", "level", "sum", 0),
    Indicator("HT_KE_HOACH", "Tỷ lệ hoàn thành kế hoạch doanh thu hằng năm của doanh nghiệp", XD, "%",
              "increase", "level", "mean", 1),
)

# --- the tree ----------------------------------------------------------------------------------

# Districts: code, name, kind (tp/tx/huyen), population 2020, rural communes, GRDP growth target
# (text), GRDP per head 2020 (million đồng), budget revenue 2020 (billion đồng), poverty rate
# 2020 (%), yearly poverty reduction target (text), forest cover 2020 (%), plans to reach
# district-level new-rural standard by 2025.
DISTRICTS = (
    ("H01", "Đảng bộ thành phố Mẫu Sơn",  "tp",    186_400,  6, "8–8,5",     92.4, 1_460, 1.24, "0,2 - 0,3", 16.2, False),
    ("H02", "Đảng bộ thị xã Bình Minh",   "tx",    112_300,  9, "8",         71.0,   520, 2.38, "0,3 - 0,4", 31.5, False),
    ("H03", "Đảng bộ huyện An Phú",       "huyen", 128_600, 18, "7,5",       58.3,   310, 4.12, "0,5 - 0,6", 47.8, True),
    ("H04", "Đảng bộ huyện Đông Hòa",     "huyen",  96_200, 14, "7–7,5",     54.1,   240, 4.75, "0,6 - 0,7", 38.4, True),
    ("H05", "Đảng bộ huyện Tây Sơn",      "huyen",  84_100, 16, "7",         46.2,   150, 7.56, "1,2 - 1,4", 77.9, False),
    ("H06", "Đảng bộ huyện Thạch Bình",   "huyen",  72_500, 13, "6,5",       41.0,   120, 8.43, "1,3 - 1,5", 81.6, False),
    ("H07", "Đảng bộ huyện Phước Lâm",    "huyen", 104_800, 17, "7,5",       52.2,   210, 5.31, "0,7 - 0,8", 56.3, True),
    ("H08", "Đảng bộ huyện Hòa Thuận",    "huyen",  90_700, 15, "7",         55.4,   230, 4.40, "0,6 - 0,7", 50.2, True),
    ("H09", "Đảng bộ huyện Cẩm Giang",    "huyen",  78_300, 12, "6,5–7",     48.1,   140, 6.82, "1 - 1,2",   71.7, False),
    ("H10", "Đảng bộ huyện Long Hải",     "huyen", 101_200, 14, "8",         63.0,   380, 3.05, "0,4 - 0,5", 29.9, True),
)

# Grassroots party organisations of the first Khối: code, name, kind (dbcs = đảng bộ cơ sở with
# chi bộ below it; cbcs = chi bộ cơ sở), enterprise?, party members in 2020.
GRASSROOTS = (
    ("K01-01", "Đảng bộ Sở Kế hoạch và Đầu tư",                         "dbcs", False,  68),
    ("K01-02", "Đảng bộ Sở Tài chính",                                  "dbcs", False,  82),
    ("K01-03", "Chi bộ Sở Tư pháp",                                     "cbcs", False,  27),
    ("K01-04", "Đảng bộ Công ty Điện lực Tỉnh Mẫu",                     "dbcs", True,  214),
    ("K01-05", "Đảng bộ Công ty cổ phần Cấp thoát nước Tỉnh Mẫu",       "dbcs", True,   96),
    ("K01-06", "Đảng bộ Ngân hàng Nông nghiệp và Phát triển nông thôn Chi nhánh Tỉnh Mẫu", "dbcs", True, 131),
    ("K01-07", "Chi bộ Công ty TNHH MTV Xổ số kiến thiết Tỉnh Mẫu",     "cbcs", True,   22),
)

# The issuing body (Thành ủy, Huyện ủy, Đảng ủy …) is the unit's name, and the party
# organisation it heads (Đảng bộ …) is what its own units' header blocks name on top.
_BODY = {"tp": ("Thành ủy", "thành phố"), "tx": ("Thị ủy", "thị xã"), "huyen": ("Huyện ủy", "huyện")}


def _district(code: str, name: str, kind: str) -> Unit:
    body, place = _BODY[kind]
    return Unit(code, name.replace(f"Đảng bộ {place}", body), ROOT, name)


def _grassroots(code: str, name: str) -> Unit:
    if name.startswith("Đảng bộ"):
        return Unit(code, name.replace("Đảng bộ", "Đảng ủy", 1), "K01", name)
    return Unit(code, name, "K01")


UNITS = (
    Unit(ROOT, "Tỉnh ủy Tỉnh Mẫu", None, "Đảng bộ Tỉnh Mẫu"),
    *(_district(code, name, kind) for code, name, kind, *_ in DISTRICTS),
    # First Khối: no targets of its own, it only rolls up its grassroots organisations.
    Unit("K01", "Đảng ủy Khối Cơ quan – Doanh nghiệp tỉnh", ROOT, "Đảng bộ Khối Cơ quan – Doanh nghiệp tỉnh"),
    # Second Khối: reports its own party-building targets (no children in the sample).
    Unit("K02", "Đảng ủy Khối Y tế – Giáo dục tỉnh", ROOT, "Đảng bộ Khối Y tế – Giáo dục tỉnh"),
    *(_grassroots(code, name) for code, name, *_ in GRASSROOTS),
)


# --- targets -------------------------------------------------------------------------------------


def nround(value: float, step: float) -> float:
    """Round half up to a multiple of `step` (deterministic, no banker's rounding)."""
    n = int(value / step + 0.5 + 1e-9)
    return round(n * step, 6)


def number(unit: str, ind: str, value: float, baseline: float | None = None) -> Target:
    """A plain numeric target, its text as load_catalog will display it (12,5 and 1.234)."""
    value = float(value)
    return Target(unit, ind, display_number(value), value, value, None if baseline is None else float(baseline))


def text(unit: str, ind: str, target_text: str, baseline: float | None = None) -> Target:
    """A target written as text: a range ("7–7,5", "1,3 - 1,5") or a bound ("dưới 3")."""
    parsed = parse_target(target_text)
    assert parsed is not None, target_text
    return Target(unit, ind, parsed.text, parsed.low, parsed.high, None if baseline is None else float(baseline))


def achieved(unit: str, ind: str) -> Target:
    return Target(unit, ind, "Đạt", 1.0, 1.0)


def root_targets() -> list[Target]:
    """What the provincial office reports itself; some indicators exist only at this level."""
    u = ROOT
    return [
        text(u, "GRDP_TT", "7–7,5"),
        number(u, "GRDP_DN", 95, 62.0),
        number(u, "THU_NS", 9_500, 6_120),
        number(u, "VON_DT", 215_000),
        number(u, "XUAT_KHAU", 1_500, 820),
        number(u, "DO_THI_HOA", 40, 31.5),
        number(u, "HO_NGHEO", 1.5, 4.31),
        text(u, "GIAM_NGHEO", "0,5 - 0,6"),
        number(u, "BHYT", 95, 88.4),
        number(u, "LD_DAO_TAO", 70, 56.2),
        number(u, "BAC_SI", 11, 8.6),
        text(u, "THAT_NGHIEP", "dưới 3", 3.4),
        number(u, "CHE_PHU_RUNG", 53.5, 51.2),
        number(u, "KET_NAP_DV", 6_500),
        number(u, "TCCSD_HTT", 90, 84.1),
        number(u, "DV_HTT", 90, 86.4),
    ]


def district_targets(row: tuple) -> list[Target]:
    (u, _name, kind, pop, communes, growth, income, budget, poverty, reduction, forest, ntm) = row
    scale = pop / 100_000  # 1.0 for a district of 100.000 people
    urban = kind in ("tp", "tx")
    low_reduction = parse_target(reduction).low
    out = [
        text(u, "GRDP_TT", growth),
        number(u, "GRDP_DN", nround(income * 1.52, 0.5), income),
        number(u, "THU_NS", nround(budget * 1.6, 10), budget),
        number(u, "VON_DT", nround(scale * (16_000 if urban else 11_000), 500)),
        number(u, "DAN_SO", nround(pop * 1.045, 100), pop),
        number(u, "HO_NGHEO", max(0.5, round(poverty - 5 * low_reduction, 1)), poverty),
        text(u, "GIAM_NGHEO", reduction),
        number(u, "BHYT", 96 if urban else 95, round(86.5 + 0.1 * (income - 40) / 1.3, 1)),
        number(u, "LD_DAO_TAO", 75 if urban else 68, round(52 + 0.2 * (income - 40), 1)),
        number(u, "TRUONG_CQG", 90 if urban else 85, round(60 + 0.35 * (income - 40), 1)),
        number(u, "CHE_PHU_RUNG", round(forest + (1.5 if forest >= 45 else 2.5), 1), forest),
        number(u, "NUOC_HVS", 100 if urban else 98, round(min(97.5, 84 + 0.25 * (income - 40)), 1)),
        number(u, "ANTT", 95 if urban else 90, round(72 + 0.25 * (income - 40), 1)),
        number(u, "TAI_NAN_GT", nround(pop / 5_200 * 0.8, 1), nround(pop / 5_200, 1)),
        number(u, "KET_NAP_DV", nround(pop * 0.0048, 10)),
        number(u, "TCCSD_HTT", 90, round(82 + 0.1 * (income - 40), 1)),
        number(u, "DV_HTT", 90, round(85 + 0.06 * (income - 40), 1)),
        number(u, "DV_KY_LUAT", nround(pop / 5_000, 1)),
        number(u, "KIEM_TRA", nround(scale * 380, 10)),
    ]
    # The new-rural indicators are for communes: the city keeps the few communes it still has.
    baseline_ntm = nround(communes * (0.85 if urban else 0.55), 1)
    out.append(number(u, "XA_NTM", communes if (urban or ntm) else nround(communes * 0.8, 1), baseline_ntm))
    if ntm:
        out.append(achieved(u, "HUYEN_NTM"))
    if urban:
        out.append(number(u, "RAC_THAI", 98, round(88 + 0.08 * (income - 40), 1)))
    return out


def grassroots_targets(row: tuple) -> list[Target]:
    u, _name, kind, enterprise, members = row
    out = [
        number(u, "KET_NAP_DV", max(5, nround(members * 0.12, 1))),
        number(u, "DV_HTT", 95 if members < 100 else 92, 86 + members % 7),
        number(u, "DV_KY_LUAT", max(1, nround(members / 60, 1))),
        number(u, "DOAN_THE_VM", 100, 80 if enterprise else 100.0 * (members % 5 + 5) / 10),
        achieved(u, "CQ_VAN_HOA"),
    ]
    if kind == "dbcs":  # an đảng bộ cơ sở has chi bộ below it to rate
        out.append(number(u, "TCCSD_HTT", 100, 75 if members > 100 else 80))
    if enterprise:
        out.append(text(u, "HT_KE_HOACH", "≥ 100" if members > 100 else "100"))
    return out


def khoi_targets(u: str) -> list[Target]:
    """The second Khối reports for itself (its grassroots organisations are not in the sample)."""
    return [
        number(u, "KET_NAP_DV", 420),
        number(u, "TCCSD_HTT", 90, 84.6),
        number(u, "DV_HTT", 90, 88.1),
        number(u, "DV_KY_LUAT", 12),
        number(u, "KIEM_TRA", 160),
        number(u, "DOAN_THE_VM", 90, 85.0),
    ]


def build_catalog() -> Catalog:
    targets = root_targets()
    for row in DISTRICTS:
        targets += district_targets(row)
    targets += khoi_targets("K02")
    for row in GRASSROOTS:
        targets += grassroots_targets(row)
    return Catalog(ROUND, UNITS, INDICATORS, tuple(targets))


# --- writing and proving it loads ------------------------------------------------------------------


def write(catalog: Catalog, path: Path) -> None:
    write_catalog_workbook(path, catalog_rows(catalog))
    loaded = load_catalog(path)  # raises CatalogError listing every problem
    problems = []
    if loaded.round != catalog.round:
        problems.append(f"round differs: {loaded.round} != {catalog.round}")
    if loaded.units != catalog.units:
        problems.append("units differ")
    if loaded.indicators != catalog.indicators:
        problems.append("indicators differ")
    for a, b in zip(catalog.targets, loaded.targets, strict=True):
        if a != b:
            problems.append(f"target differs after reload: {a} != {b}")
    if problems:
        raise SystemExit(f"{path}: the catalog does not read back as written:\n  " + "\n  ".join(problems))
    levels: dict[int, int] = {}
    for unit in loaded.units:
        levels[loaded.level(unit.code)] = levels.get(loaded.level(unit.code), 0) + 1
    print(f"{path}: {len(loaded.units)} units (by level {dict(sorted(levels.items()))}), "
          f"{len(loaded.indicators)} indicators, {len(loaded.targets)} targets, "
          f"{len(loaded.reporting_units)} reporting units")


def main(argv: list[str]) -> None:
    catalog = build_catalog()
    paths = [OUTPUT] + ([PACKAGED] if "--packaged" in argv else [])
    for path in paths:
        write(catalog, path)


if __name__ == "__main__":
    main(sys.argv[1:])
