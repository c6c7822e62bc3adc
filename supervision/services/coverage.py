"""The yearly duty: every township and squadron reviewed at least once a year; warn from 1 November."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.models.agencies import AgencyKind, Membership, Role
from enforcement.notifications import Message, notify_each
from supervision.models import ReviewPolicy
from supervision.selectors import unreviewed_agencies


def policy() -> ReviewPolicy:
    return ReviewPolicy.objects.filter(pk=1).first() or ReviewPolicy(pk=1)


def warn_from(year: int) -> dt.date:
    p = policy()
    return dt.date(year, p.warn_unreviewed_month, p.warn_unreviewed_day)


def warn_unreviewed(today: dt.date | None = None) -> int:
    """From the warning day on, tell the judicial bureau's reviewers which agencies the year has not reviewed.

    Once per (reviewer, agency, year): the notification's reason carries the year. Idempotent.
    """
    today = today or timezone.localdate()
    if today < warn_from(today.year):
        return 0
    agencies = unreviewed_agencies(today.year)
    if not agencies:
        return 0
    recipients = [m.user for m in Membership.objects.active().filter(
        role=Role.JUDICIAL_REVIEWER, agency__kind=AgencyKind.JUDICIAL_BUREAU, user__is_active=True,
    ).select_related("user")]
    url = reverse("supervision:coverage")
    messages = [
        Message(recipients=recipients, subject=agency, reason=f"review.unreviewed.{today.year}",
                title=_("%(agency)s %(year)s年尚未开展案卷评查") % {"agency": agency.name, "year": today.year},
                body=_("每个乡镇（街道）和中队每年至少评查一次，请在年底前安排。"), url=url)
        for agency in agencies
    ]
    return len(notify_each(messages))
