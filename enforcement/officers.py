"""Rules about officers that later work (tickets, cases) enforces before handling actions."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.errors import PermissionRefused
from enforcement.models.agencies import Certificate


def certified_officer_ids(user_ids, on: dt.date) -> set[int]:
    """Of ``user_ids``, those holding an enforcement certificate valid on ``on`` (one query)."""
    return set(
        Certificate.objects.valid_on(on).filter(officer_id__in=list(user_ids)).values_list("officer_id", flat=True)
    )


def has_valid_certificate(user, on: dt.date | None = None) -> bool:
    day = on or timezone.localdate()
    return bool(user and user.pk) and Certificate.objects.valid_on(day).filter(officer_id=user.pk).exists()


def require_certified(user, on: dt.date | None = None) -> None:
    """Refuse a handling action by an officer without a valid certificate on that day.

    Administrative Penalty Law art. 42: penalties are enforced by officers who
    hold enforcement certificates.
    """
    day = on or timezone.localdate()
    if not has_valid_certificate(user, day):
        name = user.get_full_name() or user.get_username()
        raise PermissionRefused(
            _("%(name)s 在 %(day)s 没有有效的行政执法证件，不能从事执法活动（《行政处罚法》第四十二条）。")
            % {"name": name, "day": day.isoformat()},
            code="certificate_required",
        )
