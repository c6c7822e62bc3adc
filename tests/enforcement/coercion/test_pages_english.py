"""The coercion pages read as English in English: no Chinese left but the stored data (numbers, records)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from enforcement.coercion import services as svc
from enforcement.models import Role
from tests.enforcement.coercion.conftest import at
from tests.enforcement.test_i18n_pages import (  # noqa: F401  (fixtures)
    _page,
    _records_written_in_chinese,
    ascii_world,
    chinese_left,
    english,
    record_data,
)
from tests.factories import member

ITEMS = [
    {
        "name": "Gas cylinder",
        "specification": "15kg",
        "quantity": "2",
        "unit": "pcs",
        "custody_place": "Store",
        "keeper": "Wang",
    }
]


def _data(obj) -> list[str]:
    obj.refresh_from_db()
    values = [obj.number, *record_data(obj)]
    for name in ("decision_number", "reminder_number"):
        values.append(getattr(obj, name, ""))
    return values


def test_measure_and_enforcement_pages_read_in_english(english, ascii_world):  # noqa: F811
    w = ascii_world
    head = member(Role.TOWNSHIP_LEADER, w.town, "town_head", certified=True, first_name="Hal")
    measure = svc.measure_create(
        by=w.town_officer,
        agency=w.town,
        kind="seizure",
        party_kind="individual",
        party_name="Zhang San",
        reasons="Gas cylinders on the pavement",
        legal_basis="City Appearance Regulations, art. 14",
        place="1 People's Road",
        period_days=30,
        items=ITEMS,
        is_emergency=True,
    )
    measure = svc.measure_enforce(
        measure,
        by=w.town_officer,
        taken_at=at("2026-09-30", "18:00"),
        officers=[w.town_officer, w.town_officer2],
        onsite_record="Counted on site.",
        signature="signed",
    )
    measure = svc.measure_approve(measure, by=head, at=at("2026-10-01", "09:00"))
    measure = svc.measure_extend(measure, by=head, days=10, reason="Testing needed", on=dt.date(2026, 10, 20))
    execution = svc.execution_create(
        by=w.town_officer,
        agency=w.town,
        obligation="Pay the fine",
        decision_number="D-2026-1",
        decision_served_on=dt.date(2026, 1, 5),
        party_kind="individual",
        party_name="Zhang San",
    )
    execution = svc.execution_remind(
        execution, by=w.town_officer, served_on=dt.date(2026, 6, 10), perform_by=dt.date(2026, 6, 20)
    )
    svc.sweep_coercion_warnings()
    pages = [
        (reverse("coercion:list"), _data(measure)),
        (reverse("coercion:detail", args=[measure.pk]), _data(measure)),
        (reverse("coercion:action", args=[measure.pk, "release"]), _data(measure)),
        (reverse("coercion:executions"), _data(execution)),
        (reverse("coercion:execution-detail", args=[execution.pk]), _data(execution)),
        (reverse("coercion:statistics") + "?year=2026", []),
    ]
    for url, data in pages:
        _html, text = _page(english, w.town_officer, url)
        assert chinese_left(text, data) == [], url
    _html, text = _page(english, w.town_officer, reverse("coercion:detail", args=[measure.pk]))
    assert "Extended by 10 days" in text and "Administrative Coercion Law art. 25" in text
