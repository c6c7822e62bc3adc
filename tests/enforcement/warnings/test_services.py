"""Warning-first enforcement: issuing, the deadline in working days, re-check, case leads, refusals, the sweep."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from enforcement.cases.choices import CaseSource, WarningLevel
from enforcement.cases.models import Case
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.inspections.actions import RECORD_ACTIONS
from enforcement.inspections.choices import Disposition, RecordStatus
from enforcement.models import Event, Notification
from enforcement.warnings import selectors, services
from enforcement.warnings.choices import WarningKind, WarningStatus
from enforcement.warnings.models import WarningNotice
from enforcement.workdays import SHANGHAI
from tests.enforcement.inspections_support import insp_fixture  # noqa: F401  (fixture)
from tests.enforcement.warnings.support import CONDITIONS, issue, ordered_record, warning_list_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_correction_deadline_counts_working_days_across_the_national_day_holiday(wl):
    # The law (Administrative Penalty Law art. 28) orders correction but sets no period: the
    # county's list gives 10 working days for this matter. Issued Thu 2026-09-24; the day of issue
    # does not count. Official 2026 schedule: 25-27 Sep Mid-autumn holiday, 1-7 Oct National Day
    # holiday, Sat 10 Oct an adjusted working day, Sun 11 Oct rest. Working days: 28 Sep (1),
    # 29 (2), 30 (3), 8 Oct (4), 9 (5), 10 (6, the Saturday), 12 (7), 13 (8), 14 (9), 15 (10):
    # the deadline is the end of Thu 2026-10-15.
    warning = issue(wl)
    assert timezone.localtime(warning.correction_due_at).date() == dt.date(2026, 10, 15)
    assert warning.correction_due_at == dt.datetime(2026, 10, 15, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    # 5 working days from Wed 30 Sep: 8 Oct (1), 9 (2), 10 Sat (3), 12 (4), 13 (5) -> Tue 2026-10-13.
    other = issue(wl, matter=wl.m_sign, day=dt.date(2026, 9, 30))
    assert timezone.localtime(other.correction_due_at).date() == dt.date(2026, 10, 13)
    assert other.correction_workdays == 5


def test_warning_then_self_correction_closes_it(wl):
    warning = issue(wl)
    assert warning.status == WarningStatus.ISSUED and warning.number.startswith("YJ-2026-")
    assert warning.conditions_confirmed == CONDITIONS
    assert list(warning.officers.order_by("username")) == wl.officers[:2]
    warning = services.warning_mark_corrected(
        warning, by=wl.officers[1], on=dt.date(2026, 10, 9), note="杂物已清理，门前整洁"
    )
    assert warning.status == WarningStatus.CORRECTED and warning.rechecked_on == dt.date(2026, 10, 9)
    assert warning.case is None
    assert [e.action for e in selectors.warning_events(warning)] == ["issue", "correct"]
    with pytest.raises(InvalidTransition):
        services.warning_mark_corrected(warning, by=wl.officers[1], on=dt.date(2026, 10, 10))


def test_warning_not_corrected_becomes_a_case_lead_with_its_history(wl):
    record = ordered_record(wl)
    warning = services.warning_issue_from_record(
        record,
        by=wl.officers[0],
        matter=wl.m_litter,
        facts="店门前人行道堆放纸箱杂物。",
        conditions=CONDITIONS,
        party_legal_rep="王老板",
        issued_on=dt.date(2026, 9, 24),
    )
    record.refresh_from_db()
    assert record.status == RecordStatus.CLOSED and record.disposition == Disposition.WARNING
    assert warning.record == record and warning.object == record.object
    warning = services.warning_to_case(warning, by=wl.officers[0], on=dt.date(2026, 10, 16), note="杂物仍未清理")
    assert warning.status == WarningStatus.TURNED_TO_CASE
    case = Case.objects.get(pk=warning.case_id)
    assert case.source == CaseSource.INSPECTION and case.source_ref == warning.number
    assert case.matter == wl.m_litter and case.party_name == record.object.name
    assert case.party_legal_rep == "王老板" and case.agency == wl.county.town_a
    # The history is attached as the case's facts: the warning, its deadline and article, the record, the re-check.
    assert warning.number in case.facts and "2026-10-15" in case.facts and "第二十八条" in case.facts
    assert record.number in case.facts and "逾期未改正" in case.facts and "杂物仍未清理" in case.facts
    assert list(case.warnings.all()) == [warning]


def test_a_warning_on_its_own_turns_into_a_case_from_source_other(wl):
    warning = issue(
        wl,
        party=services.Party(kind="individual", name="李四", id_number="330102199001011234", address="甲镇人民路5号"),
    )
    warning = services.warning_to_case(warning, by=wl.officers[0], on=dt.date(2026, 10, 16))
    assert warning.case.source == CaseSource.OTHER and warning.case.party_id_number == "330102199001011234"


def test_not_corrected_is_refused_before_the_deadline_has_passed(wl):
    warning = issue(wl)
    # The deadline is the end of 2026-10-15 (see the holiday test): on that day it has not passed yet.
    with pytest.raises(InvalidTransition) as exc:
        services.warning_to_case(warning, by=wl.officers[0], on=dt.date(2026, 10, 15))
    assert exc.value.code == "warning_correction" and "2026-10-15" in str(exc.value)
    assert "第二十八条" in str(exc.value)
    warning.refresh_from_db()
    assert warning.status == WarningStatus.ISSUED and not Case.objects.exists()


def test_second_warning_within_the_repeat_period_is_refused_and_changes_nothing(wl):
    first = issue(wl)
    services.warning_mark_corrected(first, by=wl.officers[0], on=dt.date(2026, 10, 9))
    count, events = WarningNotice.objects.count(), Event.objects.count()
    # 2026-12-01 is 68 days after 2026-09-24: within the list's 365 days.
    with pytest.raises(ValidationFailed) as exc:
        issue(wl, day=dt.date(2026, 12, 1))
    message = str(exc.value)
    assert exc.value.code == "warning_repeat" and first.number in message and "2026-09-24" in message
    assert "请转为案件办理" in message and "第三十三条" in message
    assert WarningNotice.objects.count() == count and Event.objects.count() == events
    # Another party, or another matter, may still be warned.
    issue(wl, obj=wl.objects_a[1], day=dt.date(2026, 12, 1))
    issue(wl, matter=wl.m_sign, day=dt.date(2026, 12, 1))


def test_repeat_period_boundary(wl):
    from enforcement.warnings.models import WarningMatter

    WarningMatter.objects.filter(pk=wl.entry.pk).update(repeat_days=30)
    issue(wl, day=dt.date(2026, 9, 24))
    # The period is the 30 days after the day of the first warning (that day not counted, as for
    # every period): 25 Sep .. 24 Oct 2026. A warning on 24 Oct is refused, on 25 Oct allowed.
    with pytest.raises(ValidationFailed):
        issue(wl, day=dt.date(2026, 10, 24))
    assert issue(wl, day=dt.date(2026, 10, 25)).status == WarningStatus.ISSUED


def test_matter_off_the_list_or_a_condition_not_confirmed_is_refused(wl):
    with pytest.raises(ValidationFailed) as exc:
        issue(wl, matter=wl.m_city)
    assert exc.value.code == "warning_first_offense" and "不在本县预警执法事项清单内" in str(exc.value)
    with pytest.raises(ValidationFailed) as exc:
        issue(wl, conditions=CONDITIONS[:2])
    assert "能够及时改正" in str(exc.value) and "conditions" in exc.value.fields
    assert not WarningNotice.objects.exists()


def test_one_officer_or_an_expired_certificate_is_refused(wl):
    from enforcement.models import Certificate

    with pytest.raises(ValidationFailed) as exc:
        issue(wl, officers=wl.officers[:1])
    assert "不得少于两名" in str(exc.value)
    Certificate.objects.filter(officer=wl.officers[1]).update(valid_to=dt.date(2026, 9, 23))
    with pytest.raises(ValidationFailed) as exc:
        issue(wl)
    assert "没有有效的执法证" in str(exc.value)


def test_officer_of_another_township_may_not_issue_or_recheck(wl):
    with pytest.raises(PermissionRefused):
        issue(wl, by=wl.officer_b)
    warning = issue(wl)
    with pytest.raises(PermissionRefused):
        services.warning_mark_corrected(warning, by=wl.officer_b, on=dt.date(2026, 10, 1))
    with pytest.raises(PermissionRefused):
        services.warning_to_case(warning, by=wl.officer_b, on=dt.date(2026, 10, 16))


def test_written_commitment_keeps_the_signed_file_with_its_hash(wl):
    with pytest.raises(ValidationFailed):
        issue(wl, kind=WarningKind.COMMITMENT, commitment_text="三日内清理")
    file = SimpleUploadedFile("承诺书.pdf", PDF, content_type="application/pdf")
    warning = issue(
        wl, kind=WarningKind.COMMITMENT, commitment_text="本人承诺于期限内清理门前杂物。", commitment_file=file
    )
    import hashlib

    assert warning.commitment_sha256 == hashlib.sha256(PDF).hexdigest()
    assert warning.commitment_file.name.startswith(f"warnings/{warning.number}/")
    with warning.commitment_file.open("rb") as fh:
        assert fh.read() == PDF


def test_the_sweep_lights_yellow_then_red_and_notifies_once(wl):
    warning = issue(wl)  # due end of 2026-10-15 (10 working days)
    # Not yet: 2026-09-29 is the 2nd working day of 10.
    assert services.sweep_warning_levels(dt.datetime(2026, 9, 29, 12, tzinfo=SHANGHAI)).as_dict()["changed"] == {}
    # 80 % of 10 working days is the end of the 8th working day (13 Oct): 14 Oct is yellow.
    result = services.sweep_warning_levels(dt.datetime(2026, 10, 14, 9, tzinfo=SHANGHAI))
    warning.refresh_from_db()
    assert warning.warning_level == WarningLevel.YELLOW and result.notified == 2
    again = services.sweep_warning_levels(dt.datetime(2026, 10, 14, 10, tzinfo=SHANGHAI))
    assert again.as_dict() == {"changed": {}, "notified": 0}
    services.sweep_warning_levels(dt.datetime(2026, 10, 16, 0, 1, tzinfo=SHANGHAI))
    warning.refresh_from_db()
    assert warning.warning_level == WarningLevel.RED
    assert Notification.objects.filter(reason="warning.level.red").count() == 2
    services.warning_to_case(warning, by=wl.officers[0], on=dt.date(2026, 10, 16))
    warning.refresh_from_db()
    assert warning.warning_level == WarningLevel.NONE


def test_the_sweep_turns_each_warning_yellow_by_its_own_period(wl):
    """Two warnings issued the same day share the day, not the moment they turn yellow.

    Issued Thu 2026-09-24 (25-27 Sep Mid-autumn holiday, 1-7 Oct National Day holiday): the sign
    matter's 5 working days are 28, 29, 30 Sep, 8 and 9 Oct, due at the end of Fri 9 Oct, and 80 %
    of that working time has passed by the evening of 8 Oct; the litter matter's 10 working days run
    to 15 Oct (see the first test), its 80 % falls on 13 Oct. On 9 Oct at 10:00 the first is yellow,
    the second not yet.
    """
    litter = issue(wl)
    sign = issue(wl, matter=wl.m_sign)
    assert timezone.localtime(sign.correction_due_at).date() == dt.date(2026, 10, 9)
    result = services.sweep_warning_levels(dt.datetime(2026, 10, 9, 10, tzinfo=SHANGHAI))
    assert dict(result.changed) == {WarningLevel.YELLOW: [sign.pk]}
    litter.refresh_from_db()
    sign.refresh_from_db()
    assert (litter.warning_level, sign.warning_level) == (WarningLevel.NONE, WarningLevel.YELLOW)


def test_the_sweep_notifies_each_warnings_own_officers_across_chunks_in_bounded_queries(
        wl, django_assert_max_num_queries):
    # Five warnings issued 24 Sep to five shops, due at the end of 15 Oct: red on 16 Oct. Each names
    # two of the four officers; the fourth officer has left (inactive) and is told nothing.
    pairs = [wl.officers[0:2], wl.officers[2:4]] * 2 + [wl.officers[1:3]]
    warnings = [issue(wl, obj=obj, officers=pair) for obj, pair in zip(wl.objects_a, pairs, strict=False)]
    gone = wl.officers[3]
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    # The candidates, then per chunk of two eleven: its transaction (savepoint, release), one UPDATE,
    # the officers, those users and the warnings, and the send (check, savepoint, the notifications'
    # and the e-mails' INSERT, release), whatever the chunk holds.
    with django_assert_max_num_queries(1 + 3 * 11):
        result = services.sweep_warning_levels(dt.datetime(2026, 10, 16, 0, 1, tzinfo=SHANGHAI), chunk=2)

    assert sorted(result.changed[WarningLevel.RED]) == sorted(w.pk for w in warnings)
    for warning, pair in zip(warnings, pairs, strict=True):
        told = Notification.objects.filter(object_id=warning.pk, reason="warning.level.red")
        assert set(told.values_list("recipient_id", flat=True)) == {o.pk for o in pair if o != gone}
        assert warning.number in told.first().title
    assert result.notified == 8
    again = services.sweep_warning_levels(dt.datetime(2026, 10, 16, 0, 2, tzinfo=SHANGHAI), chunk=2)
    assert again.as_dict() == {"changed": {}, "notified": 0}


def test_record_action_table_offers_the_warning_for_an_order_to_correct(wl):
    record = ordered_record(wl)
    assert "warning" in RECORD_ACTIONS.available(record, wl.officers[0])
    assert "warning" not in RECORD_ACTIONS.available(record, wl.officer_b)
    data = RECORD_ACTIONS.validate(
        "warning",
        record,
        wl.officers[0],
        {
            "matter": wl.m_litter.pk,
            "kind": "notice",
            "facts": "门前堆放杂物",
            "conditions": CONDITIONS,
            "party_legal_rep": "王老板",
        },
    )
    warning = RECORD_ACTIONS.perform("warning", record, by=wl.officers[0], data=data)
    assert isinstance(warning, WarningNotice) and warning.record_id == record.pk


def test_annual_figures_count_warnings_self_corrections_commitments_and_cases(wl):
    a = issue(wl)
    b = issue(
        wl,
        obj=wl.objects_a[1],
        kind=WarningKind.COMMITMENT,
        commitment_text="承诺改正",
        commitment_file=SimpleUploadedFile("c.pdf", PDF),
    )
    issue(wl, obj=wl.objects_a[2])
    services.warning_mark_corrected(a, by=wl.officers[0], on=dt.date(2026, 10, 9))
    services.warning_to_case(b, by=wl.officers[0], on=dt.date(2026, 10, 16))
    rows = selectors.annual_figures(2026)
    assert rows == [
        {
            "agency_id": wl.county.town_a.pk,
            "agency": "甲镇",
            "warnings": 3,
            "self_corrected": 1,
            "commitments": 1,
            "turned_into_cases": 1,
        }
    ]
    assert selectors.annual_figures(2025) == []
    stats = selectors.statistics(wl.officers[0], 2026)
    assert stats["total"].rate == 50.0 and stats["months"][8].warnings == 3
