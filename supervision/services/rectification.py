"""Rectification (整改): the agency answers each item, the reviewer accepts or returns; the warning sweep.

Warnings work like the cases' (``enforcement.cases.deadlines``): an open
notice turns yellow when the share ``WARNING_YELLOW_SHARE`` of its time is
used and red past its deadline, in set-based updates, and the agency's
officers and leaders (and, on red, the reviewer) are notified once per level.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.cases.deadlines import SWEEP_CHUNK, sweep_levels, yellow_share
from enforcement.cases.services.evidence import check_upload, sha256_of
from enforcement.errors import PermissionRefused, ValidationFailed
from enforcement.models.agencies import Membership
from enforcement.notifications import Message, SubjectRef, notify_each
from enforcement.workflow import lock_as_seen, perform_transition, record_event
from supervision.choices import ItemStatus, RectificationStatus, WarningLevel
from supervision.models import Rectification, RectificationAttachment, RectificationItem
from supervision.permissions import AGENCY_ROLES, can_answer

OPEN = (RectificationStatus.ISSUED, RectificationStatus.RETURNED)


def item_answer(item: RectificationItem, *, by, answer: str, files=()) -> RectificationItem:
    """The agency says what it fixed for one item (with attachments)."""
    notice = item.notice
    if not can_answer(notice, by):
        raise PermissionRefused(_("只有被评查单位的执法人员可以反馈整改情况。"))
    if not (answer or "").strip():
        raise ValidationFailed(_("请填写整改情况。"), field="answer")
    checked = [(upload, check_upload(upload)[1]) for upload in files]
    with transaction.atomic():
        notice = lock_as_seen(notice)
        if notice.status not in OPEN:
            raise ValidationFailed(_("整改通知当前状态为“%(state)s”，不能修改反馈。")
                                   % {"state": notice.get_status_display()})
        item = RectificationItem.objects.select_for_update().get(pk=item.pk)
        if item.status == ItemStatus.ACCEPTED:
            raise ValidationFailed(_("该事项已认可，无需再反馈。"))
        item.answer, item.answered_by, item.answered_at = answer.strip(), by, timezone.now()
        item.status = ItemStatus.ANSWERED
        item.save(update_fields=["answer", "answered_by", "answered_at", "status"])
        for upload, content_type in checked:
            digest = sha256_of(upload)
            upload.seek(0)
            RectificationAttachment.objects.create(
                item=item, file=upload, original_name=upload.name[:255], content_type=content_type,
                size=upload.size, sha256=digest, uploaded_by=by,
            )
        record_event(notice, "answer_item", by=by, data={"item": item.order, "files": len(files)})
    return item


def rectification_submit(notice: Rectification, *, by) -> Rectification:
    """Send the answers to the reviewer: every item must be answered."""
    missing = [str(i.order) for i in notice.items.all() if i.status not in (ItemStatus.ANSWERED, ItemStatus.ACCEPTED)]
    if missing:
        raise ValidationFailed(_("第%(items)s项尚未反馈整改情况，不能提交。") % {"items": "、".join(missing)})
    return perform_transition(notice, "answer", by=by)


def rectification_check(notice: Rectification, *, by, decisions: dict[int, tuple[bool, str]]) -> Rectification:
    """The reviewer accepts or returns each answered item; all accepted closes the notice, else it goes back.

    ``decisions``: item id -> (accepted, note). An item not answered cannot be accepted.
    """
    items = {i.pk: i for i in notice.items.all()}
    for item_id, (accepted, note) in decisions.items():
        item = items.get(int(item_id))
        if item is None:
            raise ValidationFailed(_("整改事项不属于该通知。"))
        if accepted and item.status not in (ItemStatus.ANSWERED, ItemStatus.ACCEPTED):
            raise ValidationFailed(_("第%(n)s项尚未反馈整改情况，不能认可。") % {"n": item.order},
                                   field=f"item_{item.pk}")
        if not accepted and not (note or "").strip():
            raise ValidationFailed(_("退回第%(n)s项须说明理由。") % {"n": item.order}, field=f"item_{item.pk}")
    undecided = [str(i.order) for i in items.values() if i.pk not in decisions and i.status != ItemStatus.ACCEPTED]
    if undecided:
        raise ValidationFailed(_("请对第%(items)s项作出认可或退回的意见。") % {"items": "、".join(undecided)})
    all_accepted = all(accepted for accepted, _note in decisions.values())
    with transaction.atomic():
        notice = perform_transition(notice, "accept" if all_accepted else "send_back", by=by,
                                    data={"returned": [items[int(k)].order for k, (a, _n) in decisions.items()
                                                       if not a]})
        for item_id, (accepted, note) in decisions.items():
            item = items[int(item_id)]
            item.status = ItemStatus.ACCEPTED if accepted else ItemStatus.RETURNED
            item.check_note = (note or "").strip()
            item.save(update_fields=["status", "check_note"])
    return notice


# --- warnings ------------------------------------------------------------------------------------------


def level_for(notice: Rectification, now: dt.datetime, share: float) -> str:
    """Red past the deadline, yellow after ``share`` of the time from issue (``notice``: or the sweep's row)."""
    if notice.status not in OPEN:
        return WarningLevel.NONE
    if now > notice.due_at:
        return WarningLevel.RED
    if now >= notice.issued_at + (notice.due_at - notice.issued_at) * share:
        return WarningLevel.YELLOW
    return WarningLevel.NONE


class _NoticeRow(NamedTuple):
    """A notice as the sweep reads it: what :func:`level_for` and the current light need."""

    pk: int
    status: str
    issued_at: dt.datetime
    due_at: dt.datetime
    warning_level: str


def sweep_rectification_warnings(now: dt.datetime | None = None, *, chunk: int = SWEEP_CHUNK) -> dict[str, int]:
    """Recompute every notice's warning; update by chunks; notify once per level (idempotent)."""
    now = now or timezone.now()
    share = yellow_share()
    candidates = Rectification.objects.filter(Q(status__in=OPEN) | ~Q(warning_level=WarningLevel.NONE))
    result = sweep_levels(Rectification, candidates, _NoticeRow, lambda notice: level_for(notice, now, share), now,
                          _notify, chunk=chunk)
    return {"changed": sum(len(ids) for ids in result.changed.values()), "notified": result.notified}


def _notify(changes: list[tuple[int, str]]) -> int:
    """Notify the agencies' officers and leaders (and, on red, the reviewer) of these notices' light: three reads."""
    from django.contrib.auth import get_user_model

    from enforcement.links import detail_url

    notices = {n.pk: n for n in Rectification.objects.filter(pk__in=[pk for pk, _level in changes]).values_list(
        "pk", "number", "agency_id", "agency__name", "reviewer_id", "due_at", named=True)}
    members: dict[int, list[int]] = defaultdict(list)
    for agency_id, user_id in Membership.objects.active().filter(
            agency_id__in={n.agency_id for n in notices.values()}, role__in=AGENCY_ROLES).values_list(
            "agency_id", "user_id"):
        members[agency_id].append(user_id)
    # Each user loaded once: a catch-up names the same few members on thousands of notices. A
    # deactivated account is told nothing (no e-mail to someone who has left), as in the other sweeps.
    users = get_user_model().objects.filter(is_active=True).in_bulk(
        {u for us in members.values() for u in us} | {n.reviewer_id for n in notices.values()})
    # Translated once per chunk, not once per notice; the time zone read once too.
    titles = {WarningLevel.YELLOW: _("整改通知 %(number)s 即将到期（黄灯）"),
              WarningLevel.RED: _("整改通知 %(number)s 已逾期（红灯）")}
    body = _("%(agency)s：整改期限 %(due)s。")
    tz = timezone.get_current_timezone()
    messages = []
    for pk, level in changes:
        if pk not in notices:  # deleted meanwhile
            continue
        n = notices[pk]
        recipients = [users[u] for u in members.get(n.agency_id, []) if u in users]
        if level == WarningLevel.RED and n.reviewer_id in users:
            recipients.append(users[n.reviewer_id])
        messages.append(Message(
            recipients=recipients, subject=SubjectRef(Rectification, pk), reason=f"review.rectification.{level}",
            title=titles[level] % {"number": n.number},
            body=body % {"agency": n.agency__name, "due": timezone.localtime(n.due_at, tz).strftime("%Y-%m-%d")},
            url=detail_url("supervision:rectification", pk),
        ))
    return len(notify_each(messages))
