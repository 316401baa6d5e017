"""The demo province: deterministic source files for the old Hải Dương city centre, written
as surveyors deliver them (VN-2000 / TM-3 105-30 shapefiles with Vietnamese field names;
parcel text in TCVN3 without a .cpg, road names in Windows-1258), for ``load_demo``.

Real ward names and codes (Hải Phòng city, 2025); streets, blocks, parcels, plans and
permits are invented but shaped like the real thing.
"""

from __future__ import annotations

import csv
import datetime
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely import affinity

from gis.crs import from_wgs84, vn2000_esri_prj
from importers.writing import write_shapefile

SRID = 9209
PRJ = vn2000_esri_prj(105.5)  # Hải Dương, EPSG:9209
CENTRE_LONLAT = (106.3200, 20.9400)
WARDS = [  # (code, name): DOMAIN.md, vietnam-provinces 2026.9
    ("10510", "Phường Thành Đông"),
    ("10525", "Phường Hải Dương"),
    ("10532", "Phường Lê Thanh Nghị"),
    ("10537", "Phường Tân Hưng"),
    ("10540", "Phường Tứ Minh"),
    ("10543", "Phường Việt Hòa"),
    ("10660", "Phường Ái Quốc"),
    ("10672", "Phường Nam Đồng"),
]
AVENUES = [
    "Nguyễn Lương Bằng",
    "Thống Nhất",
    "Lê Thanh Nghị",
    "Trần Hưng Đạo",
    "Nguyễn Trãi",
    "Hồng Quang",
    "Chương Dương",
    "Điện Biên Phủ",
]
STREETS = [
    "Ngô Quyền",
    "Phạm Ngũ Lão",
    "Bạch Đằng",
    "Tuệ Tĩnh",
    "Lê Lợi",
    "Quang Trung",
    "Nguyễn Du",
    "Hoàng Văn Thụ",
    "Đinh Tiên Hoàng",
    "Lý Thường Kiệt",
    "Trần Phú",
    "Yết Kiêu",
    "Bùi Thị Xuân",
    "Mạc Thị Bưởi",
    "Võ Thị Sáu",
    "Nguyễn Thị Duệ",
    "Hoàng Hoa Thám",
    "Phan Bội Châu",
    "Ngô Gia Tự",
    "Lương Thế Vinh",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Xuân", "Hữu", "Thu"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hương",
    "Lan",
    "Long",
    "Mạnh",
    "Nga",
    "Ngọc",
    "Phương",
    "Quân",
    "Sơn",
    "Thảo",
    "Trang",
    "Tuấn",
    "Việt",
    "Yến",
]
PUBLIC_USES = ["DGD", "DYT", "TMD", "DVH", "DTT", "TSC", "DCH", "TON"]
BLOCK, AVENUE_EVERY, SHEET = 110.0, 4, 500.0  # block pitch (m), avenue every 4 blocks, sheet size


@dataclass
class Manifest:
    """Files written, in load order: (layer key, path, extra import options)."""

    folder: Path
    files: list[tuple[str, Path, dict]] = field(default_factory=list)
    readings: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)


def _write(folder: Path, name: str, rows: list[dict], *, encoding: str = "utf-8") -> Path:
    return write_shapefile(folder / f"{name}.shp", rows, encoding=encoding, prj=PRJ)


class Town:
    """Geometry of the invented town around the old city centre (metres, EPSG:9209)."""

    def __init__(self, rng: random.Random, parcels_target: int) -> None:
        self.rng = rng
        self.cx, self.cy = from_wgs84(*CENTRE_LONLAT, SRID)
        # A square grid of blocks large enough for the parcel target (~48 lots a block).
        self.n = max(8, math.ceil(math.sqrt(parcels_target / 33)))
        self.size = self.n * BLOCK
        self.x0, self.y0 = self.cx - self.size / 2, self.cy - self.size / 2
        self.river = shapely.LineString(
            [
                (self.x0 + self.size + 60, self.y0 - 400),
                (self.x0 + self.size + 140, self.y0 + self.size + 400),
            ]
        ).buffer(120, cap_style="flat")

    def road_width(self, i: int) -> float:
        return 24.0 if i % AVENUE_EVERY == 0 else 10.0

    def block(self, i: int, j: int) -> shapely.Polygon:
        x = self.x0 + i * BLOCK + self.road_width(i) / 2
        y = self.y0 + j * BLOCK + self.road_width(j) / 2
        return shapely.box(
            x,
            y,
            self.x0 + (i + 1) * BLOCK - self.road_width(i + 1) / 2,
            self.y0 + (j + 1) * BLOCK - self.road_width(j + 1) / 2,
        )

    def use_of_block(self, i: int, j: int) -> str:
        if i >= self.n - 2 and j < 3:
            return "SKC"  # the industrial park in the south-east corner
        if i == 0 or j == self.n - 1:
            return "LUC"  # rice fields at the western and northern edges
        if (i, j) == (1, 1):
            return "NTD"
        if (i * 7 + j * 3) % 11 == 0:
            return PUBLIC_USES[(i + j) % len(PUBLIC_USES)]
        return "ODT" if (i + j) % 5 else "ONT"

    def lots(self, block: shapely.Polygon, use: str) -> list[tuple[shapely.Polygon, str]]:
        minx, miny, maxx, maxy = block.bounds
        if use in ("LUC", "SKC", "NTD") or use in PUBLIC_USES:
            cols = 2 if use in PUBLIC_USES else 3
            w, h = (maxx - minx) / cols, (maxy - miny) / 2
            return [
                (
                    shapely.box(minx + a * w, miny + b * h, minx + (a + 1) * w, miny + (b + 1) * h),
                    use,
                )
                for a in range(cols)
                for b in range(2)
            ]
        depth = min(20.0, (maxy - miny) / 2 - 2)
        out = []
        x = minx
        while x < maxx - 3:
            width = min(self.rng.choice((4.0, 4.5, 5.0, 5.0, 5.5, 6.0)), maxx - x)
            if maxx - (x + width) < 3:
                width = maxx - x
            out.append((shapely.box(x, maxy - depth, x + width, maxy), use))
            out.append((shapely.box(x, miny, x + width, miny + depth), use))
            x += width
        garden = shapely.box(minx, miny + depth, maxx, maxy - depth)
        halves = [
            shapely.box(minx, miny + depth, (minx + maxx) / 2, maxy - depth),
            shapely.box((minx + maxx) / 2, miny + depth, maxx, maxy - depth),
        ]
        out += [(h, "CLN") for h in halves] if garden.area > 0 else []
        return out


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _wards(town: Town) -> list[dict]:
    rows = []
    cols, rows_n = 4, 2
    w, h = (town.size + 200) / cols, (town.size + 200) / rows_n
    for k, (code, name) in enumerate(WARDS):
        a, b = k % cols, k // cols
        x, y = town.x0 - 100 + a * w, town.y0 - 100 + b * h
        rows.append(
            {
                "MaXa": code,
                "TenXa": name,
                "Cap": "ward",
                "MaTinh": "31",
                "geometry": shapely.box(x, y, x + w, y + h),
            }
        )
    return rows


def _ward_of(wards: list[dict], point: shapely.Point) -> str:
    for ward in wards:
        if ward["geometry"].contains(point):
            return ward["MaXa"]
    return min(wards, key=lambda w: w["geometry"].distance(point))["MaXa"]


def _roads(town: Town) -> list[dict]:
    rows = []
    for axis in ("x", "y"):
        for i in range(town.n + 1):
            avenue = i % AVENUE_EVERY == 0
            offset = i * BLOCK
            if axis == "x":
                line = shapely.LineString(
                    [(town.x0 + offset, town.y0), (town.x0 + offset, town.y0 + town.size)]
                )
            else:
                line = shapely.LineString(
                    [(town.x0, town.y0 + offset), (town.x0 + town.size, town.y0 + offset)]
                )
            names = AVENUES if avenue else STREETS
            index = (i // AVENUE_EVERY if avenue else i) % len(names)
            name = f"{'Đường' if avenue else 'Phố'} {names[index]}"
            rows.append(
                {
                    "MaDuong": f"{axis.upper()}{i:03d}",
                    "TenDuong": name,
                    "CapDuong": "main" if avenue else "local",
                    "BeRong": town.road_width(i),
                    "LoGioi": 30.0 if avenue else 13.0,
                    "geometry": line,
                }
            )
    return rows


def _red_lines(roads: list[dict]) -> list[dict]:
    return [
        {
            "MaCGDD": f"CG-{r['MaDuong']}",
            "MaDuong": r["MaDuong"],
            "LoGioi": r["LoGioi"],
            "QuyetDinh": "2718/QĐ-UBND ngày 15/05/2024",
            "geometry": r["geometry"].buffer(r["LoGioi"] / 2, cap_style="flat"),
        }
        for r in roads
        if r["CapDuong"] == "main"
    ]


def _parcels(town: Town, wards: list[dict]) -> list[dict]:
    rng = town.rng
    lots: list[tuple[shapely.Polygon, str, tuple[int, int]]] = []
    for i in range(town.n):
        for j in range(town.n):
            block = town.block(i, j)
            use = town.use_of_block(i, j)
            for geom, lot_use in town.lots(block, use):
                geom = geom.difference(town.river)
                if geom.area > 5:
                    lots.append((geom, lot_use, (i, j)))

    # Number per map sheet, north to south, west to east (TT 25/2014: from 1 on each sheet).
    def sheet_of(geom):
        c = geom.centroid
        return (int((c.x - town.x0 + 100) // SHEET), int((c.y - town.y0 + 100) // SHEET))

    sheets: dict[tuple[int, int], list] = {}
    for lot in lots:
        sheets.setdefault(sheet_of(lot[0]), []).append(lot)
    sheet_numbers = {
        key: n + 1 for n, key in enumerate(sorted(sheets, key=lambda k: (-k[1], k[0])))
    }
    rows, river_rows = [], []
    for key, members in sheets.items():
        members.sort(key=lambda lot: (-round(lot[0].centroid.y / 30), lot[0].centroid.x))
        for number, (geom, use, _block) in enumerate(members, start=1):
            c = geom.centroid
            area = round(geom.area, 1)
            if rng.random() < 0.02:
                area = round(area + rng.choice((-0.6, -0.3, 0.2, 0.4)), 1)
            codes = use if use != "ONT" or rng.random() > 0.3 else "ONT+CLN"
            street = STREETS[int((c.x - town.x0) // BLOCK) % len(STREETS)]
            rows.append(
                {
                    "MaXa": _ward_of(wards, c),
                    "SoHieuToBanDo": sheet_numbers[key],
                    "SoThuTuThua": number,
                    "DienTich": area,
                    "KyHieuMucDichSuDung": codes,
                    "DiaChi": f"Số {number} phố {street}",
                    "TenChu": _person(rng)
                    if use in ("ODT", "ONT", "CLN", "LUC")
                    else "UBND phường",
                    "SoHieuGCN": f"CS {rng.randrange(100000, 999999)}",
                    "geometry": geom,
                }
            )
    river = town.river.intersection(
        shapely.box(
            town.x0 - 100, town.y0 - 100, town.x0 + town.size + 300, town.y0 + town.size + 100
        )
    )
    c = river.centroid
    river_rows.append(
        {
            "MaXa": _ward_of(wards, c),
            "SoHieuToBanDo": 90,
            "SoThuTuThua": 1,
            "DienTich": round(river.area, 1),
            "KyHieuMucDichSuDung": "SON",
            "DiaChi": "Sông Thái Bình",
            "TenChu": "",
            "SoHieuGCN": "",
            "geometry": river,
        }
    )
    return rows + river_rows


CONTROLS = {  # land use → (coverage %, floors, height m, FAR, setback m)
    "ODT": (80, 5, 21, 4.0, 3),
    "ONT": (70, 3, 13, 2.1, 3),
    "TMD": (60, 9, 36, 5.4, 6),
    "DGD": (40, 4, 18, 1.6, 6),
    "DYT": (40, 5, 22, 2.0, 6),
    "DVH": (40, 3, 15, 1.2, 6),
    "DTT": (30, 2, 12, 0.6, 6),
    "TSC": (40, 7, 30, 2.8, 6),
    "DCH": (60, 3, 14, 1.8, 6),
    "TON": (40, 2, 15, 0.8, 6),
    "SKC": (60, 3, 18, 1.8, 10),
    "DKV": (5, 1, 6, 0.05, 6),
    "NTD": (5, 1, 5, 0.05, 6),
    "LUC": (5, 1, 6, 0.05, 0),
}


def _zones(town: Town, draft: bool) -> list[dict]:
    rows = []
    for i in range(town.n):
        for j in range(town.n):
            use = town.use_of_block(i, j)
            use = {"CLN": "DKV", "ONT": "ODT"}.get(use, use)
            if draft:
                if not (
                    town.n // 2 - 2 <= i <= town.n // 2 + 1
                    and town.n // 2 - 2 <= j <= town.n // 2 + 1
                ):
                    continue
                use = "TMD" if (i + j) % 2 == 0 else use  # the revision densifies the centre
            coverage, floors, height, far, setback = CONTROLS.get(use, CONTROLS["ODT"])
            prefix = "B" if draft else "A"
            geom = town.block(i, j).difference(town.river)
            if geom.is_empty:
                continue
            rows.append(
                {
                    "KyHieuO": f"{prefix}{i // AVENUE_EVERY + 1}-{i % AVENUE_EVERY}{j:02d}",
                    "ChucNang": use,
                    "MatDo": coverage,
                    "TangCao": floors,
                    "ChieuCao": height,
                    "HSSDD": far,
                    "KhoangLui": setback,
                    "TenDoAn": "Điều chỉnh QHPK trung tâm (dự thảo)"
                    if draft
                    else "Quy hoạch phân khu trung tâm thành phố Hải Dương, tỷ lệ 1/2000",
                    "SoQD": "" if draft else "2718/QĐ-UBND",
                    "NgayPD": "" if draft else "2024-05-15",
                    "CapQH": "zoning",
                    "geometry": geom,
                }
            )
    return rows


def _environment(town: Town) -> list[dict]:
    park = shapely.box(
        town.x0 + (town.n - 2) * BLOCK, town.y0, town.x0 + town.n * BLOCK, town.y0 + 3 * BLOCK
    )
    intake = shapely.Point(town.x0 + town.size + 100, town.y0 + town.size * 0.7)
    return [
        {
            "Ma": "NL-01",
            "Ten": "Vùng ngập lụt ven sông Thái Bình",
            "Loai": "flood_zone",
            "CamXayDung": 0,
            "CanCu": "Bản đồ ngập lụt tỉnh Hải Dương 2022",
            "geometry": town.river.buffer(250).difference(town.river),
        },
        {
            "Ma": "CL-01",
            "Ten": "Vùng đệm khu công nghiệp phía Đông Nam",
            "Loai": "industrial_buffer",
            "CamXayDung": 0,
            "CanCu": "QCVN 01:2021/BXD, khoảng cách ly vệ sinh",
            "geometry": park.buffer(500).difference(park),
        },
        {
            "Ma": "NN-01",
            "Ten": "Vùng bảo hộ vệ sinh khu vực lấy nước sinh hoạt",
            "Loai": "water_source_protection",
            "CamXayDung": 1,
            "CanCu": "Nghị định 53/2024/NĐ-CP",
            "geometry": intake.buffer(200),
        },
    ]


STATIONS = [  # code, name, medium, parameters (name, unit, typical, national limit)
    (
        "KK-01",
        "Trạm không khí Tứ Minh",
        "air",
        [("PM2.5", "µg/m3", 38, 50), ("NO2", "µg/m3", 60, 100)],
    ),
    (
        "KK-02",
        "Trạm không khí khu công nghiệp",
        "air",
        [("PM2.5", "µg/m3", 48, 50), ("SO2", "µg/m3", 90, 125)],
    ),
    (
        "NM-01",
        "Trạm nước mặt sông Thái Bình",
        "surface_water",
        [("BOD5", "mg/L", 5, 6), ("NH4+", "mg/L", 0.25, 0.3)],
    ),
    (
        "NN-01",
        "Giếng quan trắc nước ngầm Việt Hòa",
        "groundwater",
        [("pH", "", 7.1, 8.5), ("As", "mg/L", 0.006, 0.01)],
    ),
    ("TO-01", "Trạm tiếng ồn ngã tư Thống Nhất", "noise", [("LAeq", "dBA", 68, 70)]),
]


def _stations(town: Town, folder: Path, rng: random.Random) -> tuple[list[dict], Path]:
    rows = []
    path = folder / "quan_trac.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["MaTram", "ThongSo", "GiaTri", "DonVi", "ThoiGian"])
        for k, (code, name, medium, parameters) in enumerate(STATIONS):
            x = town.x0 + town.size * (0.2 + 0.15 * k)
            y = town.y0 + town.size * (0.3 + 0.1 * (k % 3))
            rows.append(
                {
                    "MaTram": code,
                    "TenTram": name,
                    "LoaiTram": medium,
                    "geometry": shapely.Point(x, y),
                }
            )
            for month in range(12):
                when = datetime.datetime(
                    2025,
                    12 - month,
                    15,
                    9,
                    0,
                    tzinfo=datetime.timezone(datetime.timedelta(hours=7)),
                )
                for parameter, unit, typical, _limit in parameters:
                    value = round(typical * rng.uniform(0.7, 1.3), 3)
                    writer.writerow([code, parameter, value, unit, when.isoformat()])
    return rows, path


def _permits(parcels: list[dict], rng: random.Random, count: int) -> list[dict]:
    homes = [p for p in parcels if p["KyHieuMucDichSuDung"] == "ODT"]
    rows = []
    for n, parcel in enumerate(rng.sample(homes, min(count, len(homes)))):
        geom = parcel["geometry"]
        minx, miny, maxx, maxy = geom.bounds
        depth_cut = 0.1 if n % 25 else 0.0  # one in 25 covers the whole lot: over the limit
        footprint = affinity.scale(
            geom, xfact=1 - depth_cut / 2, yfact=1 - depth_cut * 2, origin="centroid"
        )
        floors = rng.choice((3, 4, 4, 5)) + (2 if n % 30 == 0 else 0)
        issued = datetime.date(2025, 1, 1) + datetime.timedelta(days=n % 330)
        rows.append(
            {
                "SoGiayPhep": f"{n + 1}/GPXD-2025",
                "LoaiGiayPhep": "new" if n % 9 else "renovation",
                "TenCongTrinh": "Nhà ở riêng lẻ",
                "SoTang": floors,
                "SoTangHam": 0,
                "ChieuCao": round(floors * 3.6 + 1.2, 1),
                "NgayCap": issued.isoformat(),
                "ChuDauTu": _person(rng),
                "MaXa": parcel["MaXa"],
                "SoTo": parcel["SoHieuToBanDo"],
                "SoThua": parcel["SoThuTuThua"],
                "geometry": footprint,
            }
        )
    return rows


def generate(folder: Path, *, seed: int = 2025, parcels_target: int = 20_000) -> Manifest:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)  # noqa: S311 - demo data must be reproducible, not secret
    town = Town(rng, parcels_target)
    manifest = Manifest(folder)
    wards = _wards(town)
    roads = _roads(town)
    parcels = _parcels(town, wards)
    stations, readings = _stations(town, folder, rng)
    layers = [
        ("communes", "ranh_gioi_xa", wards, "utf-8"),
        ("roads", "duong_giao_thong", roads, "cp1258"),
        ("red_lines", "chi_gioi_duong_do", _red_lines(roads), "utf-8"),
        ("environment_zones", "vung_moi_truong", _environment(town), "utf-8"),
        ("monitoring_stations", "tram_quan_trac", stations, "utf-8"),
        ("parcels", "thua_dat", parcels, "tcvn3"),
        ("zoning", "quy_hoach_phan_khu_2024", _zones(town, draft=False), "utf-8"),
        ("zoning", "quy_hoach_phan_khu_du_thao", _zones(town, draft=True), "utf-8"),
        ("permits", "giay_phep_xd", _permits(parcels, rng, 300), "utf-8"),
    ]
    for key, name, rows, encoding in layers:
        manifest.files.append((key, _write(folder, name, rows, encoding=encoding), {}))
        manifest.counts[name] = len(rows)
    manifest.readings = readings
    return manifest
