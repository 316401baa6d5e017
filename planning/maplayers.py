"""Layer declarations of the ``planning`` app (see ``layers.registry``)."""

from layers.registry import GeometryKind, ImportMapping, LayerSpec, Multipart, Style, register

register(
    LayerSpec(
        key="zoning",
        model="planning.ZoningArea",
        title_vi="Quy hoạch phân khu (đã phê duyệt)",
        title_en="Zoning (approved plans)",
        geometry=GeometryKind.POLYGON,
        group="planning",
        public_fields=(
            "plan__name",
            "plan__decision_number",
            "plan__approved_on",
            "zone_code",
            "land_use__code",
            "max_coverage",
            "max_floors",
            "max_height_m",
            "max_far",
            "min_setback_m",
        ),
        # The public sees approved plans only, and only zones not yet superseded.
        public_filter={"plan__status": "approved", "superseded_on__isnull": True},
        style=Style(
            fill_by="land_use__code",
            fill_colors="land_use",
            fill_opacity=0.65,
            stroke="#444444",
            stroke_width=1.2,
            label_field="zone_code",
            label_min_zoom=15,
        ),
        min_zoom=11,
        visible_by_default=True,
        importer=ImportMapping(
            natural_key=("plan", "zone_code"),
            aliases={
                "zone_code": ("KyHieuO", "MaO", "KH_O", "MaLo", "KyHieuLo"),
                "land_use": ("ChucNang", "MDSD", "LoaiDat", "KyHieuMucDich"),
                "max_coverage": ("MatDo", "MDXD", "MatDoXayDung"),
                "max_floors": ("TangCao", "SoTang", "TANG_MAX"),
                "max_height_m": ("ChieuCao", "CaoMax"),
                "max_far": ("HSSDD", "HeSoSDD"),
                "min_setback_m": ("KhoangLui", "KL"),
                # The plan a zone belongs to, when the file carries it (else --plan ID).
                "plan.name": ("TenDoAn", "TenQuyHoach", "TEN_DA"),
                "plan.decision_number": ("SoQD", "SoQuyetDinh", "QuyetDinh"),
                "plan.approved_on": ("NgayPD", "NgayPheDuyet", "NGAY_PD"),
                "plan.level": ("CapQH", "LoaiQH"),
            },
            required=("zone_code", "land_use"),
            multipart=Multipart.KEEP,
            # Coverage comes in percent (80) or as a fraction (0.8).
            converters={"max_coverage": "fraction", "land_use": "first_code"},
        ),
    )
)
