"""Every change of a disclosure report: build, amend, review, send back, publish, correct; the January warnings.

Refusals are domain errors with a clerk's message; nothing changes when one is
raised. A published report never changes (国办发〔2018〕118号: the data are
published by 31 January and submitted to the government at the same level):
a mistake found later is put right by a corrected version that supersedes it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.models.agencies import Agency, AgencyKind, Role
from enforcement.notifications import notify_many
from enforcement.workflow import lock_as_seen, perform_transition, record_event
from supervision.disclosure import analysis, figures
from supervision.disclosure.choices import ReportStatus
from supervision.disclosure.models import DisclosureReport
from supervision.disclosure.permissions import EDITOR_AGENCY_KINDS, EDITOR_ROLES, can_edit_report
from supervision.selectors import summary_line

S = ReportStatus
# 国办发〔2018〕118号: last year's data are published by 31 January; the bureau is warned from 20 January.
WARN_FROM = (1, 20)
DUE = (1, 31)


def report_due(year: int) -> dt.date:
    """The day the report of ``year`` must be published by (31 January of the next year)."""
    return dt.date(year + 1, *DUE)


def warn_from(year: int) -> dt.date:
    return dt.date(year + 1, *WARN_FROM)


def check_year_ended(year: int, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    if year >= today.year:
        raise ValidationFailed(
            _("%(year)s年度尚未结束，不能生成该年度的报告（最早可于%(next)s年1月1日生成）。")
            % {"year": year, "next": year + 1},
            field="year",
        )
    if year < 2000:
        raise ValidationFailed(_("年度无效。"), field="year")


def latest(year: int) -> DisclosureReport | None:
    return DisclosureReport.objects.filter(year=year).order_by("-version").first()


def _previous_figures(year: int) -> dict:
    """Last year's figures for the year-on-year changes: its published report, else computed now."""
    prev = DisclosureReport.objects.filter(year=year - 1, status=S.PUBLISHED).order_by("-version").first()
    if prev is not None:
        return prev.figures
    return figures.compute(year - 1)


def report_build(
    year: int, *, by=None, progress: Callable[[int, int, str], None] | None = None, today: dt.date | None = None
) -> DisclosureReport:
    """Build (or rebuild) the draft of ``year``; idempotent: one report, the same figures.

    Refused for a year not ended yet, and when the year's latest version is
    reviewed or published (a published report never changes: correct it).
    """
    check_year_ended(year, today)
    if by is not None and not can_edit_report(None, by):
        raise PermissionRefused(_("您没有权限生成年度报告。"))
    current = latest(year)
    check_rebuildable(current)
    started = time.monotonic()
    values = figures.compute(year, progress=progress)
    previous = _previous_figures(year)
    text = analysis.generate(year, values, previous, summary_line(year))
    seconds = round(time.monotonic() - started, 2)
    with transaction.atomic():
        if current is None:
            try:
                with transaction.atomic():
                    report = DisclosureReport.objects.create(year=year, version=1)
            except IntegrityError:
                # Built at the same moment by another run (the beat task and a clerk): rebuild that one.
                report = latest(year)
        else:
            report = current
        report = lock_as_seen(report, seen_state=None)
        check_rebuildable(report)
        report.figures, report.generated_analysis = values, text
        report.built_at, report.built_by, report.build_seconds = timezone.now(), by, seconds
        report.save(update_fields=["figures", "generated_analysis", "built_at", "built_by", "build_seconds"])
        record_event(report, "built", by=by, data={"seconds": seconds, "missing": values["missing"]})
    return report


def check_rebuildable(report: DisclosureReport | None) -> None:
    if report is None:
        return
    if report.status == S.PUBLISHED:
        raise InvalidTransition(
            _("%(report)s已公开，公开的报告不再改变；如有错误，请生成更正版本。") % {"report": report}
        )
    if report.status == S.REVIEWED:
        raise InvalidTransition(
            _("%(report)s已经司法局审核，不能重新生成；如需修改，请司法局先退回。") % {"report": report}
        )


def report_amend(report: DisclosureReport, *, text: str, by) -> DisclosureReport:
    """The editor's amended analysis (the generated text is kept beside it)."""
    if not can_edit_report(report, by):
        raise PermissionRefused(_("您没有权限修订年度报告。"))
    with transaction.atomic():
        locked = lock_as_seen(report, seen_state=None)
        if locked.status != S.DRAFT:
            raise InvalidTransition(
                _("只有草稿可以修订；%(report)s当前状态为“%(state)s”。")
                % {"report": locked, "state": locked.get_status_display()}
            )
        text = (text or "").strip()
        locked.amended_analysis, locked.amended_by, locked.amended_at = text, by, timezone.now()
        locked.save(update_fields=["amended_analysis", "amended_by", "amended_at"])
        record_event(locked, "amended", by=by, data={"length": len(text)})
    return locked


def report_review(report: DisclosureReport, *, by, note: str = "") -> DisclosureReport:
    if not report.built_at:
        raise InvalidTransition(_("报告尚未生成数据，不能审核。"))
    return perform_transition(report, "review", by=by, note=note, remark=note)


def report_send_back(report: DisclosureReport, *, by, note: str = "") -> DisclosureReport:
    if not (note or "").strip():
        raise ValidationFailed(_("请填写退回理由。"), field="note")
    return perform_transition(report, "send_back", by=by, note=note, remark=note)


def report_publish(report: DisclosureReport, *, by) -> DisclosureReport:
    """Publish a reviewed report and record it as submitted to the county government."""
    if report.status == S.DRAFT:
        raise InvalidTransition(_("报告尚未经司法局审核，不能公开。"))
    if report.status == S.PUBLISHED:
        raise InvalidTransition(_("%(report)s已公开，公开的报告不再改变。") % {"report": report})
    county = Agency.objects.filter(kind=AgencyKind.COUNTY_GOVERNMENT, is_active=True).first()
    return perform_transition(
        report, "publish", by=by, public=True, county=county, data={"submitted_to": county.code if county else ""}
    )


def report_correct(report: DisclosureReport, *, note: str, by) -> DisclosureReport:
    """Start a corrected version of a published report: a new draft that supersedes it once published."""
    if not can_edit_report(report, by):
        raise PermissionRefused(_("您没有权限更正年度报告。"))
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请说明更正的内容和理由。"), field="note")
    with transaction.atomic():
        locked = lock_as_seen(report, seen_state=None)
        if locked.status != S.PUBLISHED:
            raise InvalidTransition(_("只有已公开的报告需要更正；草稿可以直接重新生成或修订。"))
        newest = DisclosureReport.objects.filter(year=locked.year).aggregate(v=Max("version"))["v"]
        if newest != locked.version:
            raise InvalidTransition(_("该报告已有更正版本。"))
        corrected = DisclosureReport.objects.create(
            year=locked.year,
            version=locked.version + 1,
            supersedes=locked,
            correction_note=note,
            figures=locked.figures,
            generated_analysis=locked.generated_analysis,
            amended_analysis=locked.amended_analysis,
        )
        record_event(locked, "correction_started", by=by, note=note, data={"version": corrected.version})
        record_event(corrected, "created_as_correction", by=by, note=note)
    return corrected


# --- January warnings -----------------------------------------------------------------------------


def overdue_year(today: dt.date | None = None) -> int | None:
    """Last year, when its report is not published and the warning period has begun (from 20 January)."""
    today = today or timezone.localdate()
    year = today.year - 1
    if today < warn_from(year):
        return None
    if DisclosureReport.objects.filter(year=year, status=S.PUBLISHED).exists():
        return None
    return year


def warning_recipients():
    """The judicial bureau's reviewers and the bureau's editors."""
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(
        Q(
            memberships__is_active=True,
            memberships__role=Role.JUDICIAL_REVIEWER,
            memberships__agency__kind=AgencyKind.JUDICIAL_BUREAU,
        )
        | Q(
            memberships__is_active=True,
            memberships__role__in=EDITOR_ROLES,
            memberships__agency__kind__in=EDITOR_AGENCY_KINDS,
        )
    ).distinct()


def sweep_disclosure_warnings(today: dt.date | None = None) -> int:
    """From 20 January, once a day: warn that last year's report is not published. Returns notices sent."""
    today = today or timezone.localdate()
    year = overdue_year(today)
    if year is None:
        return 0
    due = report_due(year)
    report = latest(year)
    if today > due:
        title = _("%(year)s年度行政执法数据公开报告已逾期（应于%(due)s前公开）") % {"year": year, "due": due}
    else:
        title = _("%(year)s年度行政执法数据公开报告应于%(due)s前公开，请抓紧审核公开") % {"year": year, "due": due}
    url = reverse("disclosure:report", args=[year])
    # One notice per person per day (the reason carries the date): the sweep may run more often.
    sent = notify_many(
        warning_recipients(),
        reason=f"disclosure_due:{year}:{today.isoformat()}",
        title=title,
        subject=report,
        body=title,
        url=url,
    )
    return len(sent)


__all__ = [
    "check_rebuildable",
    "check_year_ended",
    "latest",
    "overdue_year",
    "report_amend",
    "report_build",
    "report_correct",
    "report_due",
    "report_publish",
    "report_review",
    "report_send_back",
    "sweep_disclosure_warnings",
    "warn_from",
]
