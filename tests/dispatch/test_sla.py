"""Time limits from the SLA table, deadlines over holidays, and the warning sweep."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dispatch import services
from dispatch.models import SlaRule, Ticket, TicketStatus, WarningLevel
from dispatch.sla import deadlines_for, rule_for, sweep_warnings, warn_time
from enforcement.models import Notification
from enforcement.outbox import drain
from enforcement.workdays import Unit
from tests.dispatch.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def default_rules(db):
    """The rows the data migration ships (re-created: transactional tests flush tables)."""
    from importlib import import_module

    from django.apps import apps

    SlaRule.objects.all().delete()
    import_module("dispatch.migrations.0002_default_sla_and_categories").forwards(apps, None)
    return list(SlaRule.objects.all())


def test_default_rules_note_their_source(default_rules):
    assert len(default_rules) == 3
    assert all("12345" in r.source_note for r in default_rules)


def test_most_specific_rule_wins(default_rules, category):
    special = SlaRule.objects.create(channel="hotline_12345", priority="urgent", accept_amount=Decimal("1"),
                                     accept_unit="working_hours", resolve_amount=Decimal("2"),
                                     resolve_unit="working_days")
    by_category = SlaRule.objects.create(category=category, accept_amount=Decimal("4"), accept_unit="working_hours",
                                         resolve_amount=Decimal("10"), resolve_unit="working_days")

    assert rule_for(channel="hotline_12345", category_id=category.pk, priority="urgent") == special
    assert rule_for(channel="staff", category_id=category.pk, priority="normal") == by_category
    # Priority alone beats category alone on a tie of specificity.
    assert rule_for(channel="staff", category_id=category.pk, priority="urgent").priority == "urgent"
    assert rule_for(channel="staff", category_id=None, priority="normal").priority == ""


def test_deadlines_skip_national_day_2026(default_rules, assigned, clock):
    clock(at(2026, 9, 30, 10))  # Wednesday; 1-7 October are holidays, Saturday 10 October is worked
    ticket = assigned()

    assert ticket.accept_due == at(2026, 9, 30, 12)  # 2 working hours
    # 5 working days: 8, 9, 10 (adjusted Saturday), 12, 13 October
    assert ticket.resolve_due.astimezone(at(2026, 1, 1).tzinfo).date() == dt.date(2026, 10, 13)
    assert ticket.deadline_provisional is False


def test_deadlines_reaching_into_2027_are_provisional(default_rules, assigned, clock):
    clock(at(2026, 12, 28, 9))
    ticket = assigned()

    # 5 working days from Monday 28 December: 29, 30, 31 December; 1 January 2027 is New Year's Day, a
    # holiday fixed by 《全国年节及纪念日放假办法》 art. 2 even before the 2027 schedule is out; 4, 5 January.
    assert ticket.resolve_due.astimezone(at(2026, 1, 1).tzinfo).date() == dt.date(2027, 1, 5)
    assert ticket.deadline_provisional is True


def test_emergency_ticket_gets_hours_not_days(default_rules, assigned, clock):
    clock(at(2026, 11, 23, 9))  # Monday
    ticket = assigned(priority="emergency")
    assert ticket.accept_due == at(2026, 11, 23, 9, 30)
    assert ticket.resolve_due == at(2026, 11, 23, 13)


def test_without_any_rule_the_12345_defaults_apply(assigned, clock):
    SlaRule.objects.all().delete()
    clock(at(2026, 11, 23, 9))
    ticket = assigned()
    deadlines = deadlines_for(ticket, at(2026, 11, 23, 9))
    assert deadlines.rule is None
    assert deadlines.accept_due == at(2026, 11, 23, 11)


def test_yellow_share_is_read_from_settings(default_rules, assigned, clock, settings, squadron_officer):
    settings.WARNING_YELLOW_SHARE = 0.5
    clock(at(2026, 11, 23, 9))  # Monday
    ticket = assigned(priority="emergency")  # accept within 30 minutes, resolve within 4 working hours: 13:00
    assert ticket.warn_at == at(2026, 11, 23, 9, 15)  # half of the time to sign for it
    clock(at(2026, 11, 23, 9, 5))
    ticket = services.ticket_accept(ticket, by=squadron_officer)
    assert ticket.warn_at == at(2026, 11, 23, 11)  # half of the time to resolve it, from assignment


# --- sweep ------------------------------------------------------------------------------


def reasons(user, ticket):
    """The user's warning notifications of the ticket, without their deadline stamp."""
    return sorted(r.rsplit(".", 1)[0] for r in Notification.objects.filter(
        recipient=user, object_id=ticket.pk, reason__startswith="ticket.warning").values_list("reason", flat=True))


def test_sweep_turns_yellow_then_red_and_notifies_once_per_level(
    default_rules, assigned, clock, squadron_officer, dispatcher, officer_a
):
    clock(at(2026, 11, 23, 9))  # Monday; due Monday 30 November end of day
    ticket = services.ticket_accept(assigned(), by=squadron_officer)
    quiet = sweep_warnings(at(2026, 11, 24, 9))
    assert quiet.yellow == [] and quiet.red == []

    first = sweep_warnings(at(2026, 11, 30, 10))
    again = sweep_warnings(at(2026, 11, 30, 11))
    ticket.refresh_from_db()
    assert first.yellow == [ticket.pk] and again.yellow == []
    assert ticket.warning_level == WarningLevel.YELLOW and not ticket.overdue
    assert reasons(squadron_officer, ticket) == ["ticket.warning.yellow"]
    assert reasons(dispatcher, ticket) == ["ticket.warning.yellow"]
    assert reasons(officer_a, ticket) == []

    late = sweep_warnings(at(2026, 12, 1, 9))
    sweep_warnings(at(2026, 12, 1, 10))
    ticket.refresh_from_db()
    assert late.red == [ticket.pk]
    assert ticket.warning_level == WarningLevel.RED and ticket.overdue
    assert reasons(squadron_officer, ticket) == ["ticket.warning.red", "ticket.warning.yellow"]
    assert reasons(dispatcher, ticket) == ["ticket.warning.red", "ticket.warning.yellow"]


def test_ticket_past_due_before_any_sweep_goes_straight_to_red(default_rules, assigned, clock, squadron_officer):
    clock(at(2026, 11, 23, 9))
    ticket = assigned()
    result = sweep_warnings(at(2026, 12, 10, 9))
    assert result.red == [ticket.pk] and result.yellow == []
    assert reasons(squadron_officer, ticket) == ["ticket.warning.red"]


def test_sweep_leaves_resolved_closed_and_untriaged_tickets_alone(
    default_rules, assigned, resolved, make_ticket, clock
):
    clock(at(2026, 11, 23, 9))
    done = resolved()
    new = make_ticket()
    result = sweep_warnings(at(2026, 12, 30, 9))
    assert result.red == [] and result.yellow == []
    assert Ticket.objects.get(pk=done.pk).warning_level == WarningLevel.NONE
    assert Ticket.objects.get(pk=new.pk).status == TicketStatus.NEW


def test_overdue_flag_stays_after_the_ticket_closes(default_rules, assigned, clock, squadron_officer, officer_a):
    clock(at(2026, 11, 23, 9))
    ticket = services.ticket_accept(assigned(), by=squadron_officer)
    sweep_warnings(at(2026, 12, 2, 9))
    clock(at(2026, 12, 2, 10))
    ticket.refresh_from_db()
    ticket = services.ticket_resolve(ticket, by=squadron_officer, resolution="已处理")
    ticket = services.ticket_verdict(ticket, by=officer_a, accepted=True, score=3)
    assert ticket.overdue is True and ticket.resolved_on_time is False


def test_late_resolution_is_overdue_even_between_sweeps(default_rules, assigned, clock, squadron_officer):
    clock(at(2026, 11, 23, 9))
    ticket = services.ticket_accept(assigned(), by=squadron_officer)
    clock(at(2026, 12, 2, 10))
    ticket = services.ticket_resolve(ticket, by=squadron_officer, resolution="已处理")
    assert ticket.overdue is True


def test_sweep_task_runs_the_sweep(default_rules, assigned, clock, squadron_officer):
    from dispatch.tasks import sweep_ticket_warnings

    clock(at(2026, 11, 23, 9))
    ticket = assigned()
    clock(at(2026, 12, 10, 9))
    result = sweep_ticket_warnings.delay().get()
    sent = Notification.objects.filter(object_id=ticket.pk, reason__startswith="ticket.warning.red").count()
    assert sent >= 2  # the squadron's officer and the command centre at least
    assert result == {"yellow": 0, "red": 1, "notified": sent}
    assert Ticket.objects.get(pk=ticket.pk).warning_level == WarningLevel.RED


def test_sweep_works_in_chunks(default_rules, assigned, clock):
    clock(at(2026, 11, 23, 9))
    tickets = [assigned() for _i in range(5)]
    result = sweep_warnings(at(2026, 12, 10, 9), chunk=2)
    assert sorted(result.red) == sorted(t.pk for t in tickets)


def test_sweep_emails_each_recipient_once_per_level(
    default_rules, assigned, clock, squadron_officer, dispatcher, django_capture_on_commit_callbacks, mailoutbox
):
    clock(at(2026, 11, 23, 9))
    ticket = services.ticket_accept(assigned(), by=squadron_officer)
    drain()  # the e-mails of the assignment, which no commit sent in this test
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_warnings(at(2026, 11, 30, 10))
        sweep_warnings(at(2026, 11, 30, 11))
    yellow = sorted(m.to[0] for m in mailoutbox)
    assert yellow == sorted([squadron_officer.email, dispatcher.email])
    assert all(ticket.number in m.subject and "黄灯" in m.subject for m in mailoutbox)

    with django_capture_on_commit_callbacks(execute=True):
        sweep_warnings(at(2026, 12, 1, 9))
        sweep_warnings(at(2026, 12, 1, 10))
    red = [m for m in mailoutbox if "红灯" in m.subject]
    assert sorted(m.to[0] for m in red) == sorted([squadron_officer.email, dispatcher.email])
    assert len(mailoutbox) == 4
    assert not Notification.objects.filter(object_id=ticket.pk, reason__startswith="ticket.warning",
                                           emailed_at__isnull=True).exists()


def test_a_new_deadline_lets_the_same_level_notify_again(default_rules, assigned, clock, squadron_officer,
                                                        dispatcher):
    """Yellow, an extension puts the light out, yellow again: a second change to yellow, told again."""
    clock(at(2026, 11, 23, 9))
    ticket = services.ticket_accept(assigned(), by=squadron_officer)
    clock(at(2026, 11, 30, 10))
    assert sweep_warnings().yellow == [ticket.pk]
    ext = services.extension_request(Ticket.objects.get(pk=ticket.pk), by=squadron_officer, amount=2,
                                     reason="材料待补")
    services.extension_decide(ext, by=dispatcher, approve=True)
    ticket.refresh_from_db()
    assert ticket.warning_level == WarningLevel.NONE

    assert sweep_warnings(ticket.warn_at + dt.timedelta(minutes=1)).yellow == [ticket.pk]
    assert sweep_warnings(ticket.warn_at + dt.timedelta(minutes=2)).yellow == []
    assert reasons(dispatcher, ticket) == ["ticket.warning.yellow", "ticket.warning.yellow"]
    assert reasons(squadron_officer, ticket) == ["ticket.warning.yellow", "ticket.warning.yellow"]


# --- the accept stage: a ticket nobody signs for ------------------------------------------------


def titles(user, ticket):
    return [n.title for n in Notification.objects.filter(recipient=user, object_id=ticket.pk,
                                                         reason__startswith="ticket.warning").order_by("pk")]


def test_a_ticket_nobody_signs_for_turns_yellow_then_red_against_its_accept_deadline(
    default_rules, assigned, clock, squadron_officer, dispatcher
):
    clock(at(2026, 11, 23, 9))  # Monday; sign for it within 2 working hours: 11:00, yellow from 10:36
    ticket = assigned()
    assert ticket.accept_due == at(2026, 11, 23, 11) and ticket.warn_at == at(2026, 11, 23, 10, 36)
    assert sweep_warnings(at(2026, 11, 23, 10, 30)).yellow == []

    assert sweep_warnings(at(2026, 11, 23, 10, 40)).yellow == [ticket.pk]
    assert sweep_warnings(at(2026, 11, 23, 10, 50)).yellow == []
    ticket.refresh_from_db()
    assert ticket.warning_level == WarningLevel.YELLOW
    assert titles(squadron_officer, ticket) == [f"工单 {ticket.number} 即将超时未签收（黄灯）"]

    late = sweep_warnings(at(2026, 11, 23, 11, 5))
    assert late.red == [ticket.pk] and sweep_warnings(at(2026, 11, 23, 11, 10)).red == []
    ticket.refresh_from_db()
    assert ticket.warning_level == WarningLevel.RED and ticket.overdue is False  # late to sign, not overdue
    assert titles(dispatcher, ticket) == [f"工单 {ticket.number} 即将超时未签收（黄灯）",
                                          f"工单 {ticket.number} 超时未签收（红灯）"]
    assert "签收期限：2026-11-23 11:00" in Notification.objects.filter(
        recipient=dispatcher, object_id=ticket.pk, title__contains="红灯").get().body


def test_signing_for_it_moves_the_light_to_the_resolve_deadline(
    default_rules, assigned, clock, squadron_officer, dispatcher
):
    clock(at(2026, 11, 23, 9))
    ticket = assigned()
    sweep_warnings(at(2026, 11, 23, 11, 5))
    assert Ticket.objects.get(pk=ticket.pk).warning_level == WarningLevel.RED

    clock(at(2026, 11, 23, 14))
    ticket = services.ticket_accept(Ticket.objects.get(pk=ticket.pk), by=squadron_officer)
    assert ticket.warning_level == WarningLevel.NONE and ticket.accepted_on_time is False
    assert ticket.warn_at > at(2026, 11, 27, 9)  # 80 % of the five working days from assignment
    assert Ticket.objects.get(pk=ticket.pk).warning_level == WarningLevel.NONE
    assert sweep_warnings(at(2026, 11, 24, 9)).red == []

    # Against the resolve deadline it turns yellow and red again, and is told again.
    assert sweep_warnings(at(2026, 11, 30, 10)).yellow == [ticket.pk]
    assert sweep_warnings(at(2026, 12, 1, 9)).red == [ticket.pk]
    ticket.refresh_from_db()
    assert ticket.overdue is True
    assert titles(squadron_officer, ticket) == [
        f"工单 {ticket.number} 超时未签收（红灯）",
        f"工单 {ticket.number} 即将到期（黄灯）",
        f"工单 {ticket.number} 已超期（红灯）",
    ]


def test_signing_for_it_late_past_the_resolve_warning_shows_yellow_at_once(
    default_rules, assigned, clock, squadron_officer
):
    clock(at(2026, 11, 23, 9))
    ticket = assigned()
    clock(at(2026, 11, 30, 10))  # after 80 % of the resolve time
    ticket = services.ticket_accept(ticket, by=squadron_officer)
    assert ticket.warning_level == WarningLevel.YELLOW and ticket.warning_changed_at == at(2026, 11, 30, 10)


def test_a_ticket_never_signed_for_is_still_overdue_at_its_resolve_deadline(
    default_rules, assigned, clock, squadron_officer
):
    clock(at(2026, 11, 23, 9))
    ticket = assigned()
    assert sweep_warnings(at(2026, 11, 23, 12)).red == [ticket.pk]
    assert Ticket.objects.get(pk=ticket.pk).overdue is False

    assert sweep_warnings(at(2026, 12, 1, 9)).red == [ticket.pk]
    assert sweep_warnings(at(2026, 12, 1, 10)).red == []
    ticket.refresh_from_db()
    assert ticket.warning_level == WarningLevel.RED and ticket.overdue is True
    assert titles(squadron_officer, ticket) == [f"工单 {ticket.number} 超时未签收（红灯）",
                                                f"工单 {ticket.number} 已超期（红灯）"]


def test_an_extension_before_signing_keeps_the_light_on_acceptance(
    default_rules, assigned, clock, squadron_officer, dispatcher
):
    clock(at(2026, 11, 23, 9))
    ticket = assigned()
    warn_at = ticket.warn_at
    ext = services.extension_request(ticket, by=squadron_officer, amount=2, reason="需协调")
    services.extension_decide(ext, by=dispatcher, approve=True)
    ticket.refresh_from_db()
    assert ticket.warn_at == warn_at and ticket.warning_level == WarningLevel.NONE


def test_a_rejected_ticket_is_handled_again_within_a_fresh_limit(
    default_rules, resolved, clock, squadron_officer, officer_a, dispatcher
):
    """Resolved in time, rejected after the first deadline passed: not red, not overdue; red only past the new one."""
    clock(at(2026, 11, 23, 9))  # due Monday 30 November
    ticket = resolved()
    clock(at(2026, 12, 2, 10))  # the township judges two days after the first deadline
    ticket = services.ticket_verdict(ticket, by=officer_a, accepted=False, reason="摊贩仍在")
    assert ticket.status == TicketStatus.IN_PROGRESS and ticket.warning_level == WarningLevel.NONE
    assert ticket.resolve_due.astimezone(at(2026, 1, 1).tzinfo).date() == dt.date(2026, 12, 9)  # 5 working days
    # Yellow late in the new round, at 80 % of its *working* time: Wednesday 2 December 10:00 to the end of
    # Wednesday 9 December is 14 h + 5 working days x 24 h = 134 h; 80 % = 107.2 h: 14 + 24 + 24 (2-4 Dec),
    # 24 (7 Dec), then 21.2 h into Tuesday 8 December: 21:12.
    assert abs(ticket.warn_at - at(2026, 12, 8, 21, 12)) < dt.timedelta(seconds=1)
    assert ticket.warn_at == warn_time(at(2026, 12, 2, 10), ticket.resolve_due, unit=Unit.WORKING_DAYS)
    assert sweep_warnings(at(2026, 12, 2, 11)).red == []
    assert Ticket.objects.get(pk=ticket.pk).overdue is False

    # An extension in the second round keeps counting the round from the rejection.
    clock(at(2026, 12, 3, 9))
    ext = services.extension_request(Ticket.objects.get(pk=ticket.pk), by=squadron_officer, amount=1,
                                     reason="需等待当事人整改")
    services.extension_decide(ext, by=dispatcher, approve=True)
    ticket.refresh_from_db()
    assert ticket.resolve_due.astimezone(at(2026, 1, 1).tzinfo).date() == dt.date(2026, 12, 10)
    assert ticket.warn_at == warn_time(at(2026, 12, 2, 10), ticket.resolve_due, unit=Unit.WORKING_DAYS)

    assert sweep_warnings(at(2026, 12, 11, 9)).red == [ticket.pk]
    assert Ticket.objects.get(pk=ticket.pk).overdue is True


def test_default_rules_name_the_national_guideline_and_edited_notes_are_kept(default_rules):
    from importlib import import_module

    from django.apps import apps

    edited = default_rules[0]
    edited.source_note = "县政府〔2026〕8号：本县签收时限"
    edited.save()
    module = import_module("dispatch.migrations.0007_sla_source_notes")
    module.forwards(apps, None)
    notes = dict(SlaRule.objects.values_list("pk", "source_note"))
    assert notes.pop(edited.pk) == "县政府〔2026〕8号：本县签收时限"
    assert notes and all("国办发〔2020〕53号" in n for n in notes.values())


def test_provisional_ticket_deadlines_are_recomputed_once_the_year_is_entered(
    default_rules, assigned, clock, squadron_officer, django_capture_on_commit_callbacks
):
    """Issue 13 point 13: the stored provisional flag, and a new deadline once an administrator enters 2027."""
    from enforcement.models import CalendarYear, HolidayOverride
    from enforcement.models.calendar import DayKind

    clock(at(2026, 12, 28, 9))
    ticket = assigned()
    assert ticket.deadline_provisional is True  # due 5 January 2027 (see above)
    with django_capture_on_commit_callbacks(execute=True):
        HolidayOverride.objects.create(date=dt.date(2027, 1, 4), kind=DayKind.HOLIDAY, note="元旦")
        CalendarYear.objects.create(year=2027, complete=True)
    ticket.refresh_from_db()
    # Now 29, 30, 31 December, 5 and 6 January: final.
    assert ticket.resolve_due.astimezone(at(2026, 1, 1).tzinfo).date() == dt.date(2027, 1, 6)
    assert ticket.deadline_provisional is False
    moved = Notification.objects.filter(recipient=squadron_officer, reason__startswith="ticket.deadline_moved.")
    assert moved.exists() and "2027-01-06" in moved.first().body
    count = moved.count()
    from dispatch.sla import recompute_provisional_tickets

    assert recompute_provisional_tickets()["tickets_moved"] == 0  # idempotent
    assert Notification.objects.filter(reason__startswith="ticket.deadline_moved.").count() == count
