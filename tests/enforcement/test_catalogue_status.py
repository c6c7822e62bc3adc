"""A matter's status as a state machine: suspend, reinstate, repeal (final), through perform_transition."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from enforcement.catalogue.importer import import_catalogue
from enforcement.catalogue.powers import grant_power
from enforcement.catalogue.services import (
    matter_reinstate,
    matter_repeal,
    matter_set_status,
    matter_suspend,
    status_transition,
)
from enforcement.errors import Conflict, InvalidTransition, PermissionRefused
from enforcement.models import Event, GrantMode, Matter, MatterStatus, PowerGrant, Role
from enforcement.workflow import perform_transition
from tests.enforcement import catalogue_fixtures as fixtures
from tests.enforcement.catalogue_fixtures import HEADER, sample_rows, xlsx_bytes
from tests.factories import member

matter, refs, chinese = fixtures.matter, fixtures.refs, fixtures.chinese  # shared fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chinese")]
D = dt.date


def events(matter):
    return [(e.action, e.from_state, e.to_state) for e in Event.objects.for_object(matter)]


def test_the_transition_table():
    assert status_transition(MatterStatus.IN_FORCE, MatterStatus.SUSPENDED) == "suspend"
    assert status_transition(MatterStatus.SUSPENDED, MatterStatus.IN_FORCE) == "reinstate"
    assert status_transition(MatterStatus.IN_FORCE, MatterStatus.REPEALED) == "repeal"
    assert status_transition(MatterStatus.SUSPENDED, MatterStatus.REPEALED) == "repeal"
    for target in (MatterStatus.IN_FORCE, MatterStatus.SUSPENDED):
        assert status_transition(MatterStatus.REPEALED, target) is None


def test_suspend_reinstate_repeal_keep_history_dates_and_events(matter, administrator):
    suspended = matter_suspend(matter, on=D(2026, 1, 1), by=administrator, reason="上位法修订中")
    assert (suspended.status, suspended.status_changed_on) == (MatterStatus.SUSPENDED, D(2026, 1, 1))
    record = suspended.history.latest()
    assert (record.status, record.history_user, record.history_change_reason) == (
        MatterStatus.SUSPENDED, administrator, "上位法修订中")

    reinstated = matter_reinstate(suspended, on=D(2026, 3, 1), by=administrator)
    assert (reinstated.status, reinstated.status_changed_on) == (MatterStatus.IN_FORCE, D(2026, 3, 1))
    assert reinstated.history.latest().history_change_reason == "状态改为“在用”"

    repealed = matter_repeal(reinstated, on=D(2026, 7, 1), by=administrator, reason="法律废止")
    assert (repealed.status, repealed.status_changed_on, repealed.valid_to) == (
        MatterStatus.REPEALED, D(2026, 7, 1), D(2026, 6, 30))
    assert [h.status for h in matter.history.order_by("history_date", "history_id")] == [
        "in_force", "suspended", "in_force", "repealed"]
    assert events(matter) == [("suspend", "in_force", "suspended"), ("reinstate", "suspended", "in_force"),
                              ("repeal", "in_force", "repealed")]
    last = Event.objects.for_object(matter).last()
    assert (last.actor, last.note, last.data) == (administrator, "法律废止", {"on": "2026-07-01"})


def test_repealed_is_final(matter, administrator):
    repealed = matter_repeal(matter, on=D(2026, 7, 1), by=administrator)

    for service in (matter_reinstate, matter_suspend, matter_repeal):
        with pytest.raises(InvalidTransition) as exc:
            service(repealed, on=D(2026, 8, 1), by=administrator)
        assert "废止" in str(exc.value)
    for target in (MatterStatus.IN_FORCE, MatterStatus.SUSPENDED):
        with pytest.raises(InvalidTransition, match="不能改为"):
            matter_set_status(repealed, status=target, on=D(2026, 8, 1), by=administrator)
    repealed.refresh_from_db()
    assert repealed.status == MatterStatus.REPEALED and repealed.status_changed_on == D(2026, 7, 1)
    assert len(events(matter)) == 1


def test_reinstating_a_matter_in_force_is_refused(matter, administrator):
    with pytest.raises(InvalidTransition) as exc:
        matter_reinstate(matter, on=D(2026, 1, 1), by=administrator)
    assert "在用" in str(exc.value) and "恢复" in str(exc.value)
    assert events(matter) == [] and matter.history.count() == 1


def test_only_catalogue_administrators_change_the_status(matter, officer_a, department_staff, dispatcher):
    for user in (officer_a, department_staff, dispatcher):
        for service in (matter_suspend, matter_repeal):
            with pytest.raises(PermissionRefused):
                service(matter, on=D(2026, 1, 1), by=user)
        with pytest.raises(PermissionRefused):
            matter_set_status(matter, status=MatterStatus.SUSPENDED, on=D(2026, 1, 1), by=user)
        # The table's own permission, for any caller of perform_transition.
        with pytest.raises(PermissionRefused):
            perform_transition(matter, "suspend", by=user, on=D(2026, 1, 1))
    matter.refresh_from_db()
    assert matter.status == MatterStatus.IN_FORCE
    assert events(matter) == [] and matter.history.count() == 1


def test_an_administrator_without_superuser_rights_may(matter, county):
    admin = member(Role.ADMINISTRATOR, county.bureau, "catalogue_admin")
    assert not admin.is_superuser
    assert matter_suspend(matter, on=D(2026, 1, 1), by=admin).status == MatterStatus.SUSPENDED


def test_status_is_never_assigned_directly(matter):
    with pytest.raises(AttributeError):
        matter.status = MatterStatus.REPEALED


def test_a_stale_copy_gets_a_conflict(matter, administrator):
    stale = Matter.objects.get(pk=matter.pk)
    matter_suspend(matter, on=D(2026, 1, 1), by=administrator)

    with pytest.raises(Conflict):
        matter_repeal(stale, on=D(2026, 2, 1), by=administrator)

    assert events(matter) == [("suspend", "in_force", "suspended")]
    assert Matter.objects.get(pk=matter.pk).valid_to is None


def test_repeal_ends_the_grants(matter, refs, administrator):
    grant = grant_power(matter, refs.county.bureau, GrantMode.TRANSFERRED, valid_from=D(2024, 1, 1))
    matter_set_status(matter, status=MatterStatus.REPEALED, on=D(2026, 7, 1), by=administrator)
    grant.refresh_from_db()
    assert grant.valid_to == D(2026, 6, 30)
    assert events(matter) == [("repeal", "in_force", "repealed")]


def test_asking_for_the_current_status_changes_nothing(matter, administrator):
    same = matter_set_status(matter, status=MatterStatus.IN_FORCE, on=D(2026, 1, 1), by=administrator)
    assert same.status == MatterStatus.IN_FORCE and same.status_changed_on is None
    assert events(matter) == [] and matter.history.count() == 1


# --- the catalogue import ------------------------------------------------------------------------


def test_import_changes_a_status_by_its_transition(refs, administrator):
    import_catalogue(xlsx_bytes(sample_rows(1)), by=administrator)
    m = Matter.objects.get(code="CSGL-0001")
    rows = sample_rows(1)
    rows[0][HEADER.index("状态")] = "暂停"
    rows[0][HEADER.index("备注")] = "待修订"

    report = import_catalogue(xlsx_bytes(rows), by=administrator, source_name="2026目录.xlsx")

    assert report.ok and report.updated == 1
    m.refresh_from_db()
    assert (m.status, m.remarks, m.status_changed_on) == (MatterStatus.SUSPENDED, "待修订", timezone.localdate())
    assert events(m) == [("suspend", "in_force", "suspended")]
    latest = m.history.latest()
    assert (latest.status, latest.history_user) == (MatterStatus.SUSPENDED, administrator)
    assert latest.history_change_reason == "目录导入：修改 状态（2026目录.xlsx）"

    rows[0][HEADER.index("状态")] = "在用"
    assert import_catalogue(xlsx_bytes(rows), by=administrator).updated == 1
    m.refresh_from_db()
    assert m.status == MatterStatus.IN_FORCE
    assert [e[0] for e in events(m)] == ["suspend", "reinstate"]


def test_import_repeal_ends_grants_and_gives_no_new_grant(refs):
    import_catalogue(xlsx_bytes(sample_rows(3)))
    rows = sample_rows(3)
    rows[2][HEADER.index("状态")] = "废止"  # ZRZY-0001 has no grant yet ...
    rows[2][HEADER.index("权力归属")] = "划转"  # ... and the same file names a holder
    rows[0][HEADER.index("状态")] = "废止"

    report = import_catalogue(xlsx_bytes(rows))

    assert report.ok and report.updated == 2 and report.grants_ended == 1 and report.grants_created == 0
    assert not PowerGrant.objects.filter(matter__code="ZRZY-0001").exists()
    for code in ("CSGL-0001", "ZRZY-0001"):
        assert events(Matter.objects.get(code=code)) == [("repeal", "in_force", "repealed")]


def test_import_refuses_to_unrepeal_and_writes_nothing(refs, administrator):
    import_catalogue(xlsx_bytes(sample_rows(1)))
    matter_repeal(Matter.objects.get(code="CSGL-0001"), on=D(2026, 1, 1), by=administrator)
    rows = sample_rows(1)
    rows[0][HEADER.index("状态")] = "暂停"
    rows[0][HEADER.index("备注")] = "改了备注"

    report = import_catalogue(xlsx_bytes(rows))

    assert not report.ok and report.errors[0].column == "状态"
    m = Matter.objects.get(code="CSGL-0001")
    assert (m.status, m.remarks) == (MatterStatus.REPEALED, "")


def test_import_dry_run_of_a_status_change_writes_nothing(refs):
    import_catalogue(xlsx_bytes(sample_rows(1)))
    rows = sample_rows(1)
    rows[0][HEADER.index("状态")] = "废止"

    report = import_catalogue(xlsx_bytes(rows), dry_run=True)

    assert report.ok and report.updated == 1 and report.grants_ended == 1
    m = Matter.objects.get(code="CSGL-0001")
    assert m.status == MatterStatus.IN_FORCE and events(m) == []
    assert PowerGrant.objects.get(matter=m).valid_to is None


def test_a_new_matter_may_be_imported_in_any_status(refs):
    rows = sample_rows(1)
    rows[0][HEADER.index("状态")] = "废止"
    report = import_catalogue(xlsx_bytes(rows))
    assert report.ok and report.created == 1 and report.grants_created == 0
    m = Matter.objects.get(code="CSGL-0001")
    assert m.status == MatterStatus.REPEALED and m.status_changed_on is not None


# --- admin -------------------------------------------------------------------------------------------


def changelist_action(client, action, *matters):
    return client.post(reverse("admin:enforcement_matter_changelist"),
                       {"action": action, "_selected_action": [m.pk for m in matters]}, follow=True)


def test_admin_actions_run_the_transitions(matter, administrator, client_for):
    client = client_for(administrator)

    changelist_action(client, "suspend_selected", matter)
    matter.refresh_from_db()
    assert matter.status == MatterStatus.SUSPENDED
    changelist_action(client, "reinstate_selected", matter)
    matter.refresh_from_db()
    assert matter.status == MatterStatus.IN_FORCE
    response = changelist_action(client, "repeal_selected", matter)
    assert "已废止 1 个事项。" in response.content.decode()
    matter.refresh_from_db()
    assert matter.status == MatterStatus.REPEALED
    assert [e[0] for e in events(matter)] == ["suspend", "reinstate", "repeal"]
    assert matter.history.latest().history_change_reason == "管理后台废止"
    # Nothing brings a repealed matter back from the admin either.
    changelist_action(client, "reinstate_selected", matter)
    matter.refresh_from_db()
    assert matter.status == MatterStatus.REPEALED


def test_admin_change_form_cannot_set_the_status_or_revert_an_old_version(matter, administrator, client_for):
    client = client_for(administrator)
    first_version = matter.history.earliest()
    matter_repeal(matter, on=D(2026, 7, 1), by=administrator)
    url = reverse("admin:enforcement_matter_change", args=[matter.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "status" not in form.fields

    revert_url = reverse("admin:enforcement_matter_simple_history", args=[matter.pk, first_version.history_id])
    assert client.get(revert_url).status_code == 200
    assert client.post(revert_url, {"name": "占道经营", "status": "in_force"}).status_code == 403

    matter.refresh_from_db()
    assert matter.status == MatterStatus.REPEALED and matter.valid_to == D(2026, 6, 30)
