"""The annual disclosure report (年度行政执法数据公开): one row per year and version.

Its figures are stored as built (JSON with stable keys, see
:mod:`supervision.disclosure.figures`); the generated analysis and the
editor's amended text are both kept. A published report never changes: a
corrected version is a new row (``version`` + 1) that names the report it
supersedes and why; both stay public.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from enforcement.models.agencies import Agency
from enforcement.workflow import FSMField, WorkflowModel
from supervision.disclosure.choices import ReportStatus
from supervision.disclosure.permissions import can_publish_report, can_review_report

S = ReportStatus


class DisclosureReportQuerySet(models.QuerySet):
    def published(self) -> DisclosureReportQuerySet:
        return self.filter(status=S.PUBLISHED)


class DisclosureReport(WorkflowModel):
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = FSMField(_("状态"), max_length=10, choices=ReportStatus.choices, default=S.DRAFT, protected=True)
    # {"county": {...}, "agencies": {code: {...}}, "breakdowns": {...}, "missing": [...], "sources": [...]}
    figures = models.JSONField(_("数据"), default=dict, blank=True)
    generated_analysis = models.TextField(_("自动生成的分析"), blank=True)
    amended_analysis = models.TextField(_("编辑修订的分析"), blank=True)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修订人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amended_at = models.DateTimeField(_("修订时间"), null=True, blank=True)
    built_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    build_seconds = models.FloatField(_("生成耗时（秒）"), null=True, blank=True)
    # The background build running for this draft (its progress is in the cache, see tasks.py).
    build_job = models.CharField(_("生成任务"), max_length=32, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.TextField(_("审核意见"), blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公开人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Published = submitted to the county government (报送县人民政府) on the same day.
    submitted_to = models.ForeignKey(
        Agency,
        verbose_name=_("报送机关"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("更正的版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    correction_note = models.TextField(_("更正说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    objects = DisclosureReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度行政执法数据公开报告")
        verbose_name_plural = _("年度行政执法数据公开报告")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="disclosure_report_year_version"),
        ]

    def __str__(self) -> str:
        if self.version > 1:
            return _("%(year)s年度行政执法数据公开报告（更正版%(v)s）") % {"year": self.year, "v": self.version}
        return _("%(year)s年度行政执法数据公开报告") % {"year": self.year}

    @property
    def analysis(self) -> str:
        """The text the public reads: the editor's amendment if any, else the generated analysis."""
        return self.amended_analysis or self.generated_analysis

    @property
    def is_published(self) -> bool:
        return self.status == S.PUBLISHED

    @transition(
        field=status, source=S.DRAFT, target=S.REVIEWED, permission=can_review_report, custom={"label": _("审核通过")}
    )
    def review(self, *, by, remark: str = ""):
        self.reviewed_at, self.reviewed_by, self.review_note = timezone.now(), by, remark

    @transition(
        field=status, source=S.REVIEWED, target=S.DRAFT, permission=can_review_report, custom={"label": _("退回修改")}
    )
    def send_back(self, *, by, remark: str = ""):
        self.reviewed_at, self.reviewed_by, self.review_note = None, None, remark

    @transition(
        field=status,
        source=S.REVIEWED,
        target=S.PUBLISHED,
        permission=can_publish_report,
        custom={"label": _("公开并报送县政府")},
    )
    def publish(self, *, by, county=None):
        self.published_at, self.published_by, self.submitted_to = timezone.now(), by, county
