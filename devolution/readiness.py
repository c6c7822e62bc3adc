"""Township readiness to receive devolved powers (承接能力), in a constant number of queries.

Per township (thresholds in :class:`~devolution.models.ReadinessPolicy`):

* certified staff: distinct users with an active membership in the township
  and an enforcement certificate valid on the day;
* legal reviewers: distinct users with an active legal-reviewer membership
  in the township.

County-wide: the share of enforcement posts at the grassroots, i.e. certified
officers of townships and stationed squadrons over every certified officer
with an active post, against the policy's target (80% by default).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from devolution.models import ReadinessPolicy
from enforcement.models import TOWNSHIP_KINDS, Agency, AgencyKind, Certificate, Membership, Role

__all__ = ["CountyReadiness", "TownshipReadiness", "county_readiness", "township_readiness"]


def _valid_certificate(prefix: str, day: dt.date) -> Q:
    # Same rule as Certificate.is_valid_on: within its dates and not revoked by that day.
    return Q(
        **{
            f"{prefix}valid_from__lte": day,
            f"{prefix}valid_to__gte": day,
        }
    ) & (Q(**{f"{prefix}revoked_at__isnull": True}) | Q(**{f"{prefix}revoked_at__gt": day}))


_ACTIVE_POST = Q(memberships__is_active=True, memberships__user__is_active=True)


@dataclass(frozen=True)
class Failure:
    check: str
    label: str
    actual: int
    required: int

    @property
    def shortfall(self) -> int:
        return self.required - self.actual


@dataclass(frozen=True)
class TownshipReadiness:
    township: Agency
    certified_staff: int
    legal_reviewers: int
    squadron_officers: int
    min_certified_staff: int
    min_legal_reviewers: int

    @property
    def failures(self) -> list[Failure]:
        out = []
        if self.certified_staff < self.min_certified_staff:
            out.append(Failure("certified_staff", _("持有效执法证的执法人员"), self.certified_staff,
                               self.min_certified_staff))
        if self.legal_reviewers < self.min_legal_reviewers:
            out.append(Failure("legal_reviewers", _("法制审核人员"), self.legal_reviewers, self.min_legal_reviewers))
        return out

    @property
    def ready(self) -> bool:
        return not self.failures

    def failure_messages(self) -> list[str]:
        return [
            _("%(township)s：%(check)s %(actual)s 人，少于要求的 %(required)s 人（差 %(short)s 人）")
            % {"township": self.township.name, "check": f.label, "actual": f.actual, "required": f.required,
               "short": f.shortfall}
            for f in self.failures
        ]


def _readiness_rows(townships: QuerySet[Agency], day: dt.date, policy: ReadinessPolicy) -> list[TownshipReadiness]:
    """Two queries: the townships with their counts, and their stationed squadrons' counts."""
    certified = _ACTIVE_POST & _valid_certificate("memberships__user__certificates__", day)
    rows = list(
        townships.annotate(
            certified=Count("memberships__user", filter=certified, distinct=True),
            legal=Count(
                "memberships__user", filter=_ACTIVE_POST & Q(memberships__role=Role.LEGAL_REVIEWER), distinct=True
            ),
        ).order_by("sort_order", "code")
    )
    squadrons = dict(
        Agency.objects.filter(
            kind=AgencyKind.SQUADRON_STATIONED, stationed_in_id__in=[a.pk for a in rows], is_active=True
        )
        .values("stationed_in_id")
        .annotate(n=Count("memberships__user", filter=certified, distinct=True))
        .values_list("stationed_in_id", "n")
    )
    return [
        TownshipReadiness(
            township=a,
            certified_staff=a.certified if a.is_active else 0,
            legal_reviewers=a.legal if a.is_active else 0,
            squadron_officers=squadrons.get(a.pk, 0),
            min_certified_staff=policy.min_certified_staff,
            min_legal_reviewers=policy.min_legal_reviewers,
        )
        for a in rows
    ]


def township_readiness(
    townships: Iterable[Agency | int], *, on: dt.date | None = None, policy: ReadinessPolicy | None = None
) -> dict[int, TownshipReadiness]:
    """township_id -> readiness on day ``on`` (default today): two queries whatever the number of townships."""
    day = on or timezone.localdate()
    policy = policy or ReadinessPolicy.load()
    ids = [t.pk if isinstance(t, Agency) else int(t) for t in townships]
    if not ids:
        return {}
    return {r.township.pk: r for r in _readiness_rows(Agency.objects.filter(pk__in=ids), day, policy)}


@dataclass(frozen=True)
class CountyReadiness:
    townships: list[TownshipReadiness]
    grassroots_officers: int
    all_officers: int
    target: Decimal
    policy: ReadinessPolicy
    day: dt.date
    failing: list[TownshipReadiness] = field(default_factory=list)

    @property
    def share(self) -> Decimal | None:
        if not self.all_officers:
            return None
        return (Decimal(self.grassroots_officers) / Decimal(self.all_officers)).quantize(Decimal("0.0001"))

    @property
    def share_percent(self) -> str:
        return "—" if self.share is None else f"{self.share * 100:.1f}%"

    @property
    def target_percent(self) -> str:
        return f"{self.target * 100:.0f}%"

    @property
    def meets_target(self) -> bool:
        return self.share is not None and self.share >= self.target

    @property
    def officers_short_of_target(self) -> int:
        """How many more grassroots officers (all else equal) would reach the target."""
        if self.meets_target or self.target >= 1:
            return 0
        # x more grassroots officers: (g + x) / (n + x) >= t  <=>  x >= (t * n - g) / (1 - t)
        needed = (self.target * self.all_officers - self.grassroots_officers) / (1 - self.target)
        return max(0, math.ceil(needed))


def county_readiness(*, on: dt.date | None = None) -> CountyReadiness:
    """Every active township's readiness and the county's grassroots share (four queries)."""
    day = on or timezone.localdate()
    policy = ReadinessPolicy.load()
    rows = _readiness_rows(Agency.objects.active().filter(kind__in=TOWNSHIP_KINDS), day, policy)
    certified = Exists(Certificate.objects.filter(_valid_certificate("", day), officer=OuterRef("pk")))
    posts = Membership.objects.active().filter(user=OuterRef("pk"))
    grassroots_post = posts.filter(
        Q(agency__kind__in=TOWNSHIP_KINDS) | Q(agency__kind=AgencyKind.SQUADRON_STATIONED)
    )
    users = get_user_model().objects.filter(certified, Exists(posts), is_active=True)
    counts = users.aggregate(
        all=Count("pk", distinct=True),
        grassroots=Count("pk", filter=Q(Exists(grassroots_post)), distinct=True),
    )
    return CountyReadiness(
        townships=rows,
        grassroots_officers=counts["grassroots"],
        all_officers=counts["all"],
        target=policy.grassroots_share_target,
        policy=policy,
        day=day,
        failing=[r for r in rows if not r.ready],
    )
