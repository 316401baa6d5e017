"""Layer declarations of the ``layers`` app (see ``layers.registry``)."""

from layers.registry import GeometryKind, ImportMapping, LayerSpec, Multipart, Style, register

LAND_USE_ALIASES = ("KyHieuMucDichSuDung", "MDSD", "LOAIDAT", "KHLOAIDAT", "MucDichSuDung")

# Attribute names as Famis, ViLIS, eMap, TMV.Map and VBDLIS exports spell them
# (DOMAIN.md, "Cadastral parcels"); first alias wins when a file has several.
register(
    LayerSpec(
        key="parcels",
        model="layers.LandParcel",
        title_vi="Thửa đất",
        title_en="Land parcels",
        geometry=GeometryKind.POLYGON,
        group="land",
        public_fields=(
            "commune__code",
            "commune__name",
            "sheet",
            "number",
            "area_m2",
            "land_use_codes",
            "land_use__code",
            "address",
        ),
        style=Style(
            fill_by="land_use__code",
            fill_colors="land_use",
            fill_opacity=0.75,
            stroke="#7a4a2a",
            stroke_width=0.6,
            outline_min_zoom=16,
            label_field="number",
            label_min_zoom=18,
        ),
        min_zoom=14,
        visible_by_default=True,
        importer=ImportMapping(
            natural_key=("commune", "sheet", "number"),
            aliases={
                "commune": ("MaXa", "MA_XA", "MaDVHC", "MaDonViHanhChinh"),
                "sheet": ("SoHieuToBanDo", "SoTo", "TOBANDO", "SHBANDO", "SO_TO", "ToBanDo"),
                "number": ("SoThuTuThua", "SoThua", "THUA", "SHTHUA", "SO_THUA"),
                "area_m2": ("DienTichPhapLy", "DienTich", "DTPL", "DT", "DIEN_TICH"),
                "land_use_codes": LAND_USE_ALIASES,
                # The main land use: the first code of "ONT+CLN".
                "land_use": LAND_USE_ALIASES,
                "address": ("DiaChi", "DIA_CHI"),
                "old_sheet": ("SoHieuToBanDoCu", "SoToCu"),
                "old_number": ("SoThuTuThuaCu", "SoThuaCu"),
                "holder.holder_name": ("TenChu", "CHUSUDUNG", "TenChuSuDung"),
                "holder.certificate_number": ("SoHieuGCN", "SoGCN"),
            },
            required=("commune", "sheet", "number", "area_m2", "land_use_codes"),
            multipart=Multipart.KEEP,
            converters={"land_use": "first_code", "land_use_codes": "upper"},
        ),
    )
)

register(
    LayerSpec(
        key="communes",
        model="layers.AdminUnit",
        title_vi="Ranh giới xã, phường",
        title_en="Communes and wards",
        geometry=GeometryKind.POLYGON,
        group="admin",
        public_fields=("code", "name", "level"),
        style=Style(
            stroke="#6a3d9a",
            stroke_width=1.6,
            dash=(6, 3),
            label_field="name",
            label_min_zoom=12,
            fill_opacity=0,
        ),
        public_filter={"level__in": ("commune", "ward", "township", "special_zone")},
        min_zoom=8,
        visible_by_default=True,
        importer=ImportMapping(
            natural_key=("code",),
            aliases={
                "code": ("MaXa", "MaDVHC", "MA_XA", "Ma"),
                "name": ("TenXa", "TenDVHC", "Ten", "TEN_XA"),
                "level": ("Cap", "CapHanhChinh", "Loai"),
            },
            required=("code", "name"),
            defaults={"level": "commune"},
        ),
    )
)

register(
    LayerSpec(
        key="roads",
        model="layers.Road",
        title_vi="Đường giao thông",
        title_en="Roads",
        geometry=GeometryKind.LINE,
        group="transport",
        public_fields=("code", "name", "road_class", "width_m", "planned_width_m"),
        style=Style(stroke="#ffffff", stroke_width=3, label_field="name", label_min_zoom=15),
        min_zoom=11,
        visible_by_default=True,
        importer=ImportMapping(
            natural_key=("code",),
            aliases={
                "code": ("MaDuong", "Ma", "MA_DUONG"),
                "name": ("TenDuong", "Ten", "TEN_DUONG"),
                "road_class": ("CapDuong", "LoaiDuong", "CAP"),
                "width_m": ("BeRong", "ChieuRong", "RONG"),
                "planned_width_m": ("LoGioi", "BeRongQH", "RONG_QH"),
            },
            required=("code", "road_class"),
            multipart=Multipart.KEEP,
        ),
    )
)

register(
    LayerSpec(
        key="red_lines",
        model="layers.RedLine",
        title_vi="Chỉ giới đường đỏ",
        title_en="Red lines (planned road land)",
        geometry=GeometryKind.POLYGON,
        group="planning",
        public_fields=("code", "road__name", "planned_width_m", "decision"),
        style=Style(stroke="#e31a1c", stroke_width=1.5, dash=(8, 4), fill_opacity=0),
        min_zoom=14,
        importer=ImportMapping(
            natural_key=("code",),
            aliases={
                "code": ("MaCGDD", "Ma", "MA"),
                "road": ("MaDuong", "MA_DUONG"),
                "planned_width_m": ("LoGioi", "BeRongQH", "RONG_QH"),
                "decision": ("QuyetDinh", "SoQD"),
            },
            required=("code",),
        ),
    )
)

register(
    LayerSpec(
        key="environment_zones",
        model="layers.EnvironmentZone",
        title_vi="Vùng hạn chế môi trường",
        title_en="Environmental zones",
        geometry=GeometryKind.POLYGON,
        group="environment",
        public_fields=("code", "name", "kind", "no_build", "legal_basis"),
        style=Style(fill="#1f78b4", fill_opacity=0.25, stroke="#1f78b4", hatch=True),
        min_zoom=11,
        importer=ImportMapping(
            natural_key=("code",),
            aliases={
                "code": ("Ma", "MaVung", "MA"),
                "name": ("Ten", "TenVung", "TEN"),
                "kind": ("Loai", "LoaiVung", "LOAI"),
                "no_build": ("CamXayDung", "CAM_XD"),
                "legal_basis": ("CanCu", "CanCuPhapLy", "QuyetDinh"),
            },
            required=("code", "name", "kind"),
        ),
    )
)

register(
    LayerSpec(
        key="monitoring_stations",
        model="layers.MonitoringStation",
        title_vi="Trạm quan trắc",
        title_en="Monitoring stations",
        geometry=GeometryKind.POINT,
        group="environment",
        public_fields=("code", "name", "medium"),
        style=Style(
            fill="#33a02c", stroke="#ffffff", point_radius=6, label_field="code", label_min_zoom=15
        ),
        min_zoom=10,
        importer=ImportMapping(
            natural_key=("code",),
            aliases={
                "code": ("MaTram", "Ma", "MA_TRAM"),
                "name": ("TenTram", "Ten", "TEN_TRAM"),
                "medium": ("LoaiTram", "MoiTruong", "LOAI"),
            },
            required=("code", "name", "medium"),
        ),
    )
)

register(
    LayerSpec(
        key="permits",
        model="layers.ConstructionPermit",
        title_vi="Giấy phép xây dựng đã cấp",
        title_en="Issued construction permits",
        geometry=GeometryKind.POLYGON,
        group="construction",
        # Applicant details live in PermitApplicant and are never listed here. Nor is the
        # works name: registers often write it as "Nhà ở hộ ông Nguyễn Văn A" (issue 7:
        # number, kind, date, floors — no personal data).
        public_fields=("number", "kind", "issued_on", "floors", "basements", "height_m"),
        public_filter={"status": "issued"},
        style=Style(
            fill="#ff7f00",
            fill_opacity=0.7,
            stroke="#b35900",
            label_field="number",
            label_min_zoom=18,
        ),
        min_zoom=15,
        importer=ImportMapping(
            natural_key=("number",),
            aliases={
                "number": ("SoGiayPhep", "SoGP", "SO_GP"),
                "kind": ("LoaiGiayPhep", "LoaiGP"),
                "works_name": ("TenCongTrinh", "TEN_CT"),
                "floors": ("SoTang", "SO_TANG"),
                "basements": ("SoTangHam", "TANG_HAM"),
                "height_m": ("ChieuCao", "CAO"),
                "issued_on": ("NgayCap", "NGAY_CAP"),
                "applicant.name": ("ChuDauTu", "TenChuDauTu"),
            },
            required=("number", "kind", "floors", "height_m", "issued_on"),
            # A register of issued permits: received and due dates are not in it.
            defaults={"status": "issued", "received_on": "=issued_on", "due_on": "=issued_on"},
        ),
    )
)
