"""The layer registry: every CONTRACT layer declared once, consistently, without personal
data, and the catalogue built from it."""

from __future__ import annotations

import dataclasses

import pytest

from layers import registry
from layers.checks import check_layer_registry
from layers.privacy import PRIVATE_MODELS
from tests.factories import ConstructionPermitFactory, PlanFactory, ZoningAreaFactory


def test_every_contract_layer_is_declared():
    declared = {spec.key for spec in registry.all_layers()}
    assert set(registry.CONTRACT_KEYS) <= declared


def test_the_registry_passes_its_system_check():
    assert check_layer_registry() == []


def test_a_public_field_reaching_personal_data_fails_the_check(monkeypatch):
    parcels = registry.get("parcels")
    leaky = dataclasses.replace(
        parcels, public_fields=(*parcels.public_fields, "holder__holder_name")
    )
    monkeypatch.setitem(registry._registry, "parcels", leaky)
    ids = [error.id for error in check_layer_registry()]
    assert "layers.E005" in ids


def test_a_missing_field_fails_the_check(monkeypatch):
    roads = registry.get("roads")
    monkeypatch.setitem(
        registry._registry, "roads", dataclasses.replace(roads, public_fields=("lanes",))
    )
    assert [e.id for e in check_layer_registry()] == ["layers.E004"]


def test_a_missing_contract_layer_fails_the_check(monkeypatch):
    monkeypatch.delitem(registry._registry, "permits")
    assert "layers.E001" in [e.id for e in check_layer_registry()]


def test_unknown_layer_names_the_known_ones():
    with pytest.raises(registry.RegistryError, match="parcels"):
        registry.get("parcel")


def test_declaring_a_layer_twice_differently_is_refused():
    roads = registry.get("roads")
    with pytest.raises(registry.RegistryError):
        registry.register(dataclasses.replace(roads, title_en="Streets"))


def test_no_layer_serves_a_private_model():
    for spec in registry.all_layers():
        assert spec.model not in PRIVATE_MODELS


@pytest.mark.django_db
def test_public_zoning_shows_approved_plans_only():
    approved = ZoningAreaFactory()
    draft = ZoningAreaFactory(
        plan=PlanFactory(status="draft", decision_number="", approved_on=None)
    )
    public = registry.get("zoning").public_queryset()
    assert approved in public
    assert draft not in public


@pytest.mark.django_db
def test_public_permits_are_issued_ones_only():
    issued = ConstructionPermitFactory(status="issued", number="1/GPXD", issued_on="2026-11-10")
    pending = ConstructionPermitFactory(status="checking")
    public = registry.get("permits").public_queryset()
    assert list(public) == [issued]
    assert pending not in public


@pytest.mark.django_db
def test_the_catalogue_lists_every_layer_with_urls_and_legend(client):
    response = client.get("/api/layers/")
    assert response.status_code == 200
    layers = {row["key"]: row for row in response.json()["layers"]}
    assert set(registry.CONTRACT_KEYS) <= set(layers)
    parcels = layers["parcels"]
    assert parcels["mvt"] == "/tiles/mvt/parcels/{z}/{x}/{y}.pbf"
    assert parcels["kind"] == "polygon"
    legend = {entry["code"]: entry["fill"] for entry in parcels["legend"]}
    assert legend["ODT"] == "#FFA0FF"
    assert legend["LUC"] == "#FFFC8C"


@pytest.mark.django_db
def test_the_catalogue_speaks_vietnamese_by_default_and_english_on_request(client):
    vi = {r["key"]: r for r in client.get("/api/layers/").json()["layers"]}
    en = {
        r["key"]: r for r in client.get("/api/layers/", HTTP_ACCEPT_LANGUAGE="en").json()["layers"]
    }
    assert vi["parcels"]["title"] == "Thửa đất"
    assert en["parcels"]["title"] == "Land parcels"
