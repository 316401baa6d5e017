"""The land-use code list loaded by the data migration (DOMAIN.md, "Land-use codes")."""

import pytest

from layers.models import LandUseType

pytestmark = pytest.mark.django_db

DOMAIN_CODES = (
    "LUC LUK LUN BHK NHK CLN RSX RPH RDD NTS LMU NKH ONT ODT TSC DTS CQP CAN SKK SKN SKC TMD "
    "SKS SKX DGT DTL DNL DBV DVH DYT DGD DTT DKH DXH DCH DDT DDL DRA TON TIN NTD SON MNC PNK "
    "BCS DCS NCS DNG DSK SKT DSH DKV DCK"
).split()


def test_every_code_of_the_domain_list_is_loaded():
    loaded = set(LandUseType.objects.values_list("code", flat=True))
    assert set(DOMAIN_CODES) <= loaded


def test_the_colours_in_circulation_are_kept():
    colours = dict(LandUseType.objects.values_list("code", "color"))
    assert colours["LUC"] == "#FFFC8C"
    assert colours["ODT"] == "#FFA0FF"
    assert colours["ONT"] == "#FFD0FF"
    assert colours["CLN"] == "#FFD2A0"
    assert colours["DGT"] == "#FFAA32"


def test_every_code_has_both_names_a_group_and_a_source():
    for row in LandUseType.objects.all():
        assert row.name_vi and row.name_en and row.source
        assert row.group in LandUseType.Group.values
