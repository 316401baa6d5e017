"""The planning report's JSON shape (CONTRACT.md, "Planning report") for the OpenAPI
document; ``planning.report.planning_report`` builds the answer itself."""

from __future__ import annotations

from rest_framework import serializers


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ReportParcelSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    commune = CodeNameSerializer()
    sheet = serializers.IntegerField()
    number = serializers.IntegerField()
    area_m2 = serializers.FloatField(help_text="legal area, m²")
    land_use = CodeNameSerializer()
    land_use_codes = serializers.CharField(help_text='as recorded, e.g. "ONT+CLN"')
    address = serializers.CharField()


class ReportPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    decision = serializers.CharField()
    approved_on = serializers.DateField(allow_null=True)


class ReportZoneSerializer(serializers.Serializer):
    plan = ReportPlanSerializer()
    zone = serializers.CharField()
    land_use = CodeNameSerializer()
    area_m2 = serializers.FloatField(help_text="part of the parcel in this zone, m²")
    share = serializers.FloatField(allow_null=True, help_text="that part / parcel area")
    max_coverage = serializers.FloatField(allow_null=True, help_text="0-1")
    max_floors = serializers.IntegerField(allow_null=True)
    max_height_m = serializers.FloatField(allow_null=True)
    max_far = serializers.FloatField(allow_null=True)
    min_setback_m = serializers.FloatField(allow_null=True)


class ReportRedLineSerializer(serializers.Serializer):
    affected = serializers.BooleanField()
    area_m2 = serializers.FloatField()


class ReportConstraintSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    no_build = serializers.BooleanField()
    legal_basis = serializers.CharField()
    area_m2 = serializers.FloatField()


class PlanningReportSerializer(serializers.Serializer):
    parcel = ReportParcelSerializer()
    on = serializers.DateField(help_text="the day the approved plans are read as of")
    zoning = ReportZoneSerializer(many=True)
    red_line = ReportRedLineSerializer()
    constraints = ReportConstraintSerializer(many=True)
