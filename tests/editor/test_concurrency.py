"""Two planners saving the same zone at the same moment, on two database connections."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from planning import editing
from planning.models import ZoningArea, ZoningAreaRevision
from tests.editor.conftest import X, Y, polygon

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_saves_of_one_version_let_exactly_one_win(users, draft_zone):
    start = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def save(name: str, floors: int, geometry) -> None:
        try:
            start.wait()
            editing.update_zone(
                zone_id=draft_zone.pk,
                version=1,
                by=users[name],
                geometry=geometry,
                attributes={"max_floors": floors},
            )
            outcome[name] = "saved"
        except editing.StaleVersion:
            outcome[name] = "409"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=("alice", 7, polygon(X, Y, 90))),
        threading.Thread(target=save, args=("amy", 9, None)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcome.values()) == ["409", "saved"]
    winner = next(name for name, result in outcome.items() if result == "saved")
    zone = ZoningArea.objects.get(pk=draft_zone.pk)
    assert zone.version == 2
    assert zone.max_floors == {"alice": 7, "amy": 9}[winner]
    # Nothing lost: version 1 (before) and the winner's version 2 are both in the history.
    versions = list(
        ZoningAreaRevision.objects.filter(zone_id=zone.pk).values_list(
            "version", "changed_by__username"
        )
    )
    assert versions == [(1, None), (2, winner)]
