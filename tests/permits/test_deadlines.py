"""Statutory deadlines: working days skip weekends and public holidays (data); a permit past
its due date is overdue in the API."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from planning.permits import add_working_days, is_overdue
from tests.factories import square
from tests.permits.conftest import X, Y


def test_working_days_skip_the_weekend():
    friday = datetime.date(2026, 11, 6)
    assert add_working_days(friday, 1) == datetime.date(2026, 11, 9)  # Monday
    assert add_working_days(friday, 7) == datetime.date(2026, 11, 17)


def test_working_days_skip_public_holidays():
    # Wednesday 29 Apr 2026: 30 Apr and 1 May are holidays, then the weekend.
    assert add_working_days(datetime.date(2026, 4, 29), 1) == datetime.date(2026, 5, 4)


@pytest.mark.django_db
def test_a_permit_past_its_due_date_is_overdue_in_the_api(officer, parcel, make_permit):
    late = make_permit(
        square(X, Y, 10), due_on=datetime.date(2026, 1, 15), received_on=datetime.date(2026, 1, 5)
    )
    on_time = make_permit(square(X, Y, 10), due_on=datetime.date(2999, 1, 1))
    decided = make_permit(
        square(X, Y, 10),
        due_on=datetime.date(2026, 1, 15),
        received_on=datetime.date(2026, 1, 5),
        status="rejected",
    )
    assert is_overdue(late) and not is_overdue(on_time) and not is_overdue(decided)
    client = Client()
    client.force_login(officer)
    features = client.get("/api/permits/").json()["features"]
    overdue = {f["id"]: f["properties"]["overdue"] for f in features}
    assert overdue == {late.pk: True, on_time.pk: False, decided.pk: False}
    only = client.get("/api/permits/?overdue=true").json()["features"]
    assert [f["id"] for f in only] == [late.pk]
    assert late.pk not in [
        f["id"] for f in client.get("/api/permits/?overdue=false").json()["features"]
    ]
