"""Publishing results, rectification notices (answer, accept, return) and the warning sweep."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from enforcement.errors import PermissionRefused, ValidationFailed
from enforcement.models import Notification
from enforcement.workdays import SHANGHAI
from supervision.choices import ItemStatus, PlanStatus, RectificationStatus, WarningLevel
from supervision.models import Rectification, SampledFile
from supervision.services.plans import plan_publish
from supervision.services.rectification import (
    item_answer,
    rectification_check,
    rectification_submit,
    sweep_rectification_warnings,
)
from tests.supervision.conftest import score_all

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_publishing_with_unscored_files_is_refused_and_nothing_changes(started, review):
    with pytest.raises(ValidationFailed, match="尚有9份案卷未完成评分"):
        plan_publish(started, by=review.lead)
    started.refresh_from_db()
    assert started.status == PlanStatus.IN_REVIEW and not Rectification.objects.exists()


@pytest.fixture
def published(started, review):
    # Position 1: a veto (fails); 2: 25 points off (above the threshold of 20); 3: 5 points off (no notice).
    score_all(started, {1: ({}, {"V2"}), 2: ({"D1": 10, "F1": 10, "B1": 5}, set()), 3: ({"H1": 5}, set())})
    return plan_publish(started, by=review.lead)


def test_notices_for_failed_files_and_files_above_the_threshold(published, review):
    notices = {n.sampled.position: n for n in Rectification.objects.select_related("sampled")}
    assert set(notices) == {1, 2}
    assert [i.text for i in notices[1].items.all()] == ["【否决项】V2 执法人员无有效执法证件：否决理由"]
    assert notices[2].items.count() == 3
    first = SampledFile.objects.get(plan=published, position=1)
    assert notices[1].agency_id == first.agency_id
    # 20 working days from publication (enforcement.workdays counts them from the official calendar).
    from enforcement.workdays import Unit, deadline_for

    assert notices[1].due_at == deadline_for(published.published_at, 20, Unit.WORKING_DAYS).at


def _agency_user(review, notice):
    county = review.county
    return {county.town_a.pk: review.officer_a, county.town_b.pk: review.officer_b}.get(notice.agency_id)


def test_rectification_cycle_answer_return_answer_accept(published, review, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    notice = next(n for n in Rectification.objects.all() if _agency_user(review, n))
    officer = _agency_user(review, notice)
    items = list(notice.items.all())
    # The reviewer cannot accept an item not answered: refused, nothing changed.
    with pytest.raises(ValidationFailed, match="尚未反馈整改情况，不能认可"):
        rectification_check(notice, by=notice.reviewer, decisions={items[0].pk: (True, "")})
    # Another township cannot answer.
    stranger = review.officer_b if officer == review.officer_a else review.officer_a
    with pytest.raises(PermissionRefused):
        item_answer(items[0], by=stranger, answer="已整改")
    with pytest.raises(ValidationFailed, match="尚未反馈"):
        rectification_submit(notice, by=officer)
    for n, it in enumerate(items):
        files = [SimpleUploadedFile("zg.pdf", PDF, content_type="application/pdf")] if n == 0 else []
        item_answer(it, by=officer, answer=f"已整改第{n + 1}项", files=files)
    notice = rectification_submit(notice, by=officer)
    assert notice.status == RectificationStatus.ANSWERED
    assert items[0].attachments.get().sha256
    decisions = {it.pk: (True, "") for it in items}
    decisions[items[0].pk] = (False, "附件不清楚")
    notice = rectification_check(notice, by=notice.reviewer, decisions=decisions)
    assert notice.status == RectificationStatus.RETURNED
    assert notice.items.get(pk=items[0].pk).status == ItemStatus.RETURNED
    with pytest.raises(ValidationFailed, match="尚未反馈"):
        rectification_submit(notice, by=officer)
    item_answer(notice.items.get(pk=items[0].pk), by=officer, answer="重新上传了清晰的附件")
    notice = rectification_submit(notice, by=officer)
    notice = rectification_check(notice, by=notice.reviewer, decisions={items[0].pk: (True, "")})
    assert notice.status == RectificationStatus.ACCEPTED


def test_sweep_lights_yellow_then_red_and_notifies_once_per_level(published, review):
    notice = Rectification.objects.order_by("pk").first()
    # Yellow at 80 % of the time from issue to due; red once past the due time.
    yellow_at = notice.issued_at + (notice.due_at - notice.issued_at) * 0.85
    assert sweep_rectification_warnings(notice.issued_at + dt.timedelta(hours=1))["changed"] == 0
    result = sweep_rectification_warnings(yellow_at)
    assert result["changed"] == 2
    notice.refresh_from_db()
    assert notice.warning_level == WarningLevel.YELLOW
    yellow = Notification.objects.filter(reason="review.rectification.yellow").count()
    assert yellow > 0
    assert sweep_rectification_warnings(yellow_at)["changed"] == 0  # idempotent
    assert Notification.objects.filter(reason="review.rectification.yellow").count() == yellow
    sweep_rectification_warnings(notice.due_at + dt.timedelta(minutes=1))
    notice.refresh_from_db()
    assert notice.warning_level == WarningLevel.RED
    red = Notification.objects.filter(reason="review.rectification.red", object_id=notice.pk)
    assert notice.reviewer_id in set(red.values_list("recipient_id", flat=True))
    sweep_rectification_warnings(notice.due_at + dt.timedelta(days=1))
    assert Notification.objects.filter(reason="review.rectification.red", object_id=notice.pk).count() == red.count()


def test_sweep_tells_each_agencys_officers_and_leaders_and_on_red_the_reviewer_in_bounded_queries(
        published, review, django_assert_max_num_queries):
    notices = list(Rectification.objects.order_by("pk"))
    county = review.county
    # The agency's officers and leaders (AGENCY_ROLES) of each notice; on red the reviewer as well.
    members = {county.town_a.pk: {review.officer_a.pk, review.leader_a.pk}, county.town_b.pk: {review.officer_b.pk},
               county.squadron_a.pk: set()}
    late = max(n.due_at for n in notices) + dt.timedelta(minutes=1)
    # The candidates, then per chunk of one eleven: its transaction (savepoint, release), one
    # UPDATE, the notice with its agency, the members, those users, and the send (check, savepoint,
    # the notifications' and the e-mails' INSERT, release), whatever the chunk holds.
    with django_assert_max_num_queries(1 + len(notices) * 11):
        result = sweep_rectification_warnings(late, chunk=1)

    assert result["changed"] == len(notices) == 2
    for notice in notices:
        told = Notification.objects.filter(object_id=notice.pk, reason="review.rectification.red")
        assert set(told.values_list("recipient_id", flat=True)) == members[notice.agency_id] | {notice.reviewer_id}
        assert all(notice.number in note.title and notice.agency.name in note.body for note in told)
    assert sweep_rectification_warnings(late, chunk=1) == {"changed": 0, "notified": 0}


def test_sweep_tells_no_deactivated_account(published, review):
    """An officer who has left (account deactivated, membership kept) gets no notification or e-mail."""
    from enforcement.models import OutboxMessage

    assert review.officer_a.email and review.leader_a.email
    review.leader_a.is_active = False
    review.leader_a.save(update_fields=["is_active"])
    notices = list(Rectification.objects.order_by("pk"))
    late = max(n.due_at for n in notices) + dt.timedelta(minutes=1)
    assert sweep_rectification_warnings(late)["changed"] == len(notices)
    told = set(Notification.objects.filter(reason="review.rectification.red").values_list("recipient_id", flat=True))
    assert review.officer_a.pk in told and review.leader_a.pk not in told
    mailed = set(OutboxMessage.objects.filter(notification__reason="review.rectification.red").values_list(
        "recipient", flat=True))
    assert review.officer_a.email in mailed and review.leader_a.email not in mailed


def test_unreviewed_agencies_are_warned_from_1_november_once(review):
    from supervision.services.coverage import warn_unreviewed

    # No plan of 2026 reviews anyone: the three agencies with decided cases are unreviewed.
    assert warn_unreviewed(dt.date(2026, 10, 31)) == 0
    sent = warn_unreviewed(dt.date(2026, 11, 1))
    assert sent == 3 * 3  # three agencies x three judicial reviewers
    assert warn_unreviewed(dt.date(2026, 11, 2)) == 0
    titles = set(Notification.objects.filter(recipient=review.lead).values_list("title", flat=True))
    assert "甲镇 2026年尚未开展案卷评查" in titles


def test_reviewed_agencies_are_not_warned(started, review):
    from supervision.services.coverage import warn_unreviewed

    with time_machine.travel(dt.datetime(2026, 11, 3, 9, tzinfo=SHANGHAI)):
        assert timezone.localdate().month == 11
        assert warn_unreviewed() == 0  # the plan of 2026 is in review and covers all three


def test_results_summary_line(published, review):
    from supervision.selectors import annual_summary, summary_line

    s = annual_summary(2026)
    assert s["files"] == 9 and s["grades"]["fail"] == 1 and s["rectifications"] == 2
    assert summary_line(2026).startswith("2026年评查3个单位的行政处罚案卷9份")
    assert Decimal(s["average"]) > 0


def test_attachments_are_served_only_within_scope(published, review, settings, tmp_path, client_for):
    from django.urls import reverse

    settings.MEDIA_ROOT = tmp_path
    notice = next(n for n in Rectification.objects.all() if _agency_user(review, n))
    officer = _agency_user(review, notice)
    item = notice.items.first()
    item_answer(item, by=officer, answer="见附件",
                files=[SimpleUploadedFile("zg.pdf", PDF, content_type="application/pdf")])
    attachment = item.attachments.get()
    url = reverse("supervision:attachment", args=[attachment.pk])
    response = client_for(officer).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    stranger = review.officer_b if officer == review.officer_a else review.officer_a
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(review.reviewer2).get(url).status_code == 200  # the judicial bureau checks answers
    # Never a static route: the file's storage path is not what the page links to.
    assert attachment.file.name not in url
