"""A warning only under a matter the issuing agency holds in the party's township on the day of issue.

The rule is the filing rule of cases (enforcement.cases.rules.check_filing_power over the
catalogue's holder_of): a township warns under matters devolved or entrusted to it there. The
refusal cites the rule ("warning_holder" of the legal rules table) and names who does hold the
matter; it is the same through the service, the page form, the API and the record action, and
writes nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from enforcement.cases.legal_rules import legal_rule
from enforcement.errors import PermissionRefused
from enforcement.inspections.models import InspectionRecord
from enforcement.models import Event, GrantMode
from enforcement.warnings.models import WarningMatter, WarningNotice
from tests.enforcement.inspections_support import insp_fixture  # noqa: F401  (fixture)
from tests.enforcement.warnings.support import CONDITIONS, issue, ordered_record, warning_list_fixture  # noqa: F401
from tests.factories import grant, make_matter

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau_only(wl):
    """A matter on the warning list that the bureau holds county-wide and nobody devolved to a township."""
    matter = make_matter("CG-FK-0199", "擅自占用城市道路堆放物料", department=wl.county.bureau)
    grant(matter, wl.county.bureau, GrantMode.TRANSFERRED)
    WarningMatter.objects.create(matter=matter, conditions="\n".join(CONDITIONS), reason="县预警执法清单（试行）")
    return matter


def _written() -> tuple[int, int]:
    return WarningNotice.objects.count(), Event.objects.count()


def test_a_township_may_not_warn_under_a_matter_the_bureau_holds(wl, bureau_only):
    before = _written()
    with pytest.raises(PermissionRefused) as exc:
        issue(wl, matter=bureau_only)
    message = str(exc.value)
    assert exc.value.code == "warning_holder" and "matter" in exc.value.fields
    # The rule and its articles, who holds the matter, and the filing rule's reason.
    assert "第十七条" in message and "第二十四条" in message and str(legal_rule("warning_holder").article) in message
    assert wl.county.bureau.name in message and "乡镇（街道）只能对赋权或委托其行使的事项立案" in message
    assert _written() == before


def test_township_a_may_not_warn_a_party_in_township_b(wl):
    # m_litter is devolved to township A only; in township B the bureau holds it.
    before = _written()
    with pytest.raises(PermissionRefused) as exc:
        issue(wl, obj=wl.objects_b[0])
    assert exc.value.code == "warning_holder" and wl.county.town_b.name in str(exc.value)
    assert _written() == before


def test_the_holder_is_asked_for_the_day_of_issue(wl):
    # A matter devolved to township A from Thu 1 Oct 2026: not yet held on 30 Sep, held from 1 Oct.
    matter = make_matter("CG-FK-0198", "店外经营", department=wl.county.bureau)
    grant(matter, wl.county.bureau, GrantMode.TRANSFERRED)
    grant(matter, wl.county.town_a, GrantMode.DEVOLVED, township=wl.county.town_a, start=dt.date(2026, 10, 1))
    WarningMatter.objects.create(matter=matter, conditions="\n".join(CONDITIONS), reason="县预警执法清单（试行）")
    with pytest.raises(PermissionRefused) as exc:
        issue(wl, matter=matter, day=dt.date(2026, 9, 30))
    assert "2026-09-30" in str(exc.value)
    assert issue(wl, matter=matter, day=dt.date(2026, 10, 8)).matter == matter


def test_the_issue_page_shows_the_refusal_beside_the_matter_and_writes_nothing(wl, bureau_only, client_for):
    client = client_for(wl.officers[0])
    before = _written()
    response = client.post(reverse("warnings:issue"), {
        "agency": wl.county.town_a.pk, "object": wl.objects_a[0].pk, "matter": bureau_only.pk,
        "facts": "门前堆放物料", "conditions": CONDITIONS, "kind": "notice",
        "officers": [u.pk for u in wl.officers[:2]], "issued_on": "2026-09-24",
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert "不能以该事项出具预警" in html and "第二十四条" in html
    assert "matter" in response.context["form"].errors
    assert _written() == before


def test_the_api_refuses_with_the_rule_as_its_code_and_writes_nothing(wl, bureau_only, api_for):
    before = _written()
    response = api_for(wl.officers[0]).post("/api/warnings/", {
        "agency": wl.county.town_a.pk, "object": wl.objects_a[0].pk, "matter": bureau_only.pk,
        "facts": "门前堆放物料", "conditions": CONDITIONS, "officers": [u.pk for u in wl.officers[:2]],
        "issued_on": "2026-09-24",
    }, format="json")
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "warning_holder" and "第十七条" in body["message"] and "matter" in body["fields"]
    assert _written() == before


def test_the_record_action_refuses_and_leaves_the_record_open(wl, bureau_only, api_for):
    record = ordered_record(wl)
    before = _written()
    response = api_for(wl.officers[0]).post(f"/api/inspections/records/{record.pk}/actions/warning/", {
        "matter": bureau_only.pk, "kind": "notice", "facts": "门前堆放物料", "conditions": CONDITIONS,
    }, format="json")
    assert response.status_code == 403 and response.json()["code"] == "warning_holder", response.content
    assert InspectionRecord.objects.get(pk=record.pk).status == "open"
    assert _written() == before
