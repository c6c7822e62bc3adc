"""Case-file review (案卷评查): rubrics, review plans, sampled files, scores, rectification notices.

The flow, written by :mod:`supervision.services` only:

* a :class:`Rubric` (评查标准) is versioned: groups of points with deduction
  items, and veto items (否决项) that fail a file outright; a rubric that a
  plan uses never changes, a new version is made instead;
* a :class:`ReviewPlan` (评查方案) runs draft -> drawn -> in review -> results
  published -> closed; drawing picks :class:`SampledFile` rows per agency
  from a seed stored on the plan (reproducible, see
  :func:`supervision.services.draw_population`) and assigns reviewers
  (:class:`Assignment`), each of whom gets a per-object guardian grant on that
  case file, revoked when the plan closes;
* a reviewer's :class:`Score` is a draft until submitted; submitting locks it,
  and only the plan's lead reopens it (an event);
* publishing the results issues a :class:`Rectification` (整改通知) for every
  failed file and every file whose deductions pass the plan's threshold; the
  agency answers each :class:`RectificationItem`, the reviewer accepts or
  returns it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from enforcement.access import scope_for
from enforcement.cases.models import Case
from enforcement.models.agencies import Agency
from enforcement.workflow import FSMField, WorkflowModel
from supervision.choices import (
    Check,
    Grade,
    ItemStatus,
    MajorFilter,
    PlanStatus,
    RectificationStatus,
    ScoreStatus,
    WarningLevel,
)
from supervision.permissions import (
    AGENCY_ROLES,
    can_answer,
    can_check_rectification,
    can_manage_plan,
    can_reopen_score,
    can_score,
    is_judicial_reviewer,
)

P = PlanStatus
POINTS = {"max_digits": 5, "decimal_places": 1}


# --- rubric --------------------------------------------------------------------------------------


class Rubric(models.Model):
    """A scoring rubric (评查标准), one version of it. Grade bands are per version."""

    name = models.CharField(_("名称"), max_length=100)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    note = models.TextField(_("说明"), blank=True)
    # Grade bands (default: 优秀 >= 90, 良好 80-89, 合格 60-79, 不合格 < 60 or any veto).
    excellent_min = models.DecimalField(_("优秀分数线"), default=Decimal("90"), **POINTS)
    good_min = models.DecimalField(_("良好分数线"), default=Decimal("80"), **POINTS)
    pass_min = models.DecimalField(_("合格分数线"), default=Decimal("60"), **POINTS)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    previous = models.ForeignKey(
        "self", verbose_name=_("上一版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("评查标准")
        verbose_name_plural = _("评查标准")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="rubric_name_version"),
            models.CheckConstraint(
                condition=Q(excellent_min__gte=models.F("good_min")) & Q(good_min__gte=models.F("pass_min")),
                name="rubric_bands_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"

    def grade_for(self, total: Decimal, *, vetoed: bool) -> str:
        """The grade band of a total: any veto fails the file outright."""
        if vetoed or total < self.pass_min:
            return Grade.FAIL
        if total >= self.excellent_min:
            return Grade.EXCELLENT
        if total >= self.good_min:
            return Grade.GOOD
        return Grade.PASS


class RubricGroup(models.Model):
    """A group of the rubric (主体合法, 事实认定, ...) with its points."""

    rubric = models.ForeignKey(Rubric, verbose_name=_("评查标准"), on_delete=models.CASCADE, related_name="groups")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("名称"), max_length=60)
    points = models.DecimalField(_("分值"), validators=[MinValueValidator(0)], **POINTS)

    class Meta:
        verbose_name = _("评查项目")
        verbose_name_plural = _("评查项目")
        ordering = ["rubric_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.points}分）"


class RubricItem(models.Model):
    """A deduction item (扣分项) of a group, with the most it may take off."""

    group = models.ForeignKey(RubricGroup, verbose_name=_("评查项目"), on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    code = models.CharField(_("编号"), max_length=20)
    text = models.CharField(_("扣分情形"), max_length=300)
    max_deduction = models.DecimalField(_("最高扣分"), validators=[MinValueValidator(0)], **POINTS)
    auto_check = models.CharField(_("系统核查"), max_length=30, choices=Check.choices, blank=True)

    class Meta:
        verbose_name = _("扣分项")
        verbose_name_plural = _("扣分项")
        ordering = ["group__order", "order", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class VetoItem(models.Model):
    """A veto item (否决项): any one fails the file whatever its points."""

    rubric = models.ForeignKey(Rubric, verbose_name=_("评查标准"), on_delete=models.CASCADE, related_name="vetoes")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    code = models.CharField(_("编号"), max_length=20)
    text = models.CharField(_("否决情形"), max_length=300)
    auto_check = models.CharField(_("系统核查"), max_length=30, choices=Check.choices, blank=True)

    class Meta:
        verbose_name = _("否决项")
        verbose_name_plural = _("否决项")
        ordering = ["rubric_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


# --- plans ---------------------------------------------------------------------------------------


class ReviewPlanQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReviewPlanQuerySet:
        """The judicial bureau sees every plan; an agency sees the plans that cover it once results are out."""
        if user is None or not user.is_authenticated:
            return self.none()
        if is_judicial_reviewer(user):
            return self
        scope = scope_for(user)
        if scope.county_wide and not scope.has_role(*AGENCY_ROLES):
            return self.filter(status__in=(P.PUBLISHED, P.CLOSED))
        return self.filter(
            status__in=(P.PUBLISHED, P.CLOSED), files__agency_id__in=scope.agency_ids
        ).distinct()


class ReviewPlan(WorkflowModel):
    """A year's review plan (评查方案) of the judicial bureau."""

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    title = models.CharField(_("名称"), max_length=200)
    organiser = models.ForeignKey(
        Agency, verbose_name=_("组织机关"), on_delete=models.PROTECT, related_name="review_plans"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评查组长"), on_delete=models.PROTECT, related_name="+"
    )
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("被评查单位"), blank=True, related_name="+",
        help_text=_("留空：抽取时为期内作出过决定的全部乡镇（街道）和中队"),
    )
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("评查人员库"), related_name="+")
    rubric = models.ForeignKey(Rubric, verbose_name=_("评查标准"), on_delete=models.PROTECT, related_name="plans")
    period_start = models.DateField(_("决定日期起"))
    period_end = models.DateField(_("决定日期止"))
    # Sampling rule per agency: a number or a share of the closed cases, bounded by min and max.
    sample_count = models.PositiveIntegerField(_("每单位抽取件数"), null=True, blank=True)
    sample_share = models.DecimalField(
        _("每单位抽取比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    sample_min = models.PositiveIntegerField(_("最少"), default=1)
    sample_max = models.PositiveIntegerField(_("最多"), null=True, blank=True)
    procedure = models.CharField(_("程序"), max_length=10, blank=True,
                                 choices=[("", _("全部程序")), ("summary", _("简易程序")), ("ordinary", _("普通程序"))])
    major = models.CharField(_("案件类别"), max_length=10, blank=True, choices=MajorFilter.choices)
    second_reviewer = models.BooleanField(_("每卷两名评查人"), default=False)
    score_gap = models.DecimalField(_("两人评分差异上限"), default=Decimal("10"), **POINTS)
    rectify_threshold = models.DecimalField(
        _("扣分超过该值须整改"), default=Decimal("20"), **POINTS,
        help_text=_("不合格案卷一律整改；扣分合计超过该值的案卷也下发整改通知"),
    )
    rectify_days = models.PositiveSmallIntegerField(_("整改期限（工作日）"), default=20)
    review_from = models.DateField(_("评查开始"), null=True, blank=True)
    review_to = models.DateField(_("评查结束"), null=True, blank=True)
    seed = models.BigIntegerField(_("随机种子"), help_text=_("抽取案卷和分配评查人员的随机数种子，保存后可复现"))
    status = FSMField(_("状态"), choices=PlanStatus.choices, default=P.DRAFT, protected=True, db_index=True)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    draw_digest = models.CharField(_("抽取结果摘要"), max_length=64, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    objects = ReviewPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("评查方案")
        verbose_name_plural = _("评查方案")
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="review_plan_period_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open_for_scoring(self) -> bool:
        return self.status == P.IN_REVIEW

    # --- transitions (services call them through perform_transition) ---------------------------

    @transition(field=status, source=P.DRAFT, target=P.DRAWN, permission=can_manage_plan,
                custom={"label": _("抽取案卷")})
    def draw(self, *, by, digest: str):
        self.drawn_at = timezone.now()
        self.draw_digest = digest

    @transition(field=status, source=P.DRAWN, target=P.DRAFT, permission=can_manage_plan,
                custom={"label": _("退回草拟（作废抽取结果）")})
    def reopen(self, *, by):
        self.drawn_at = None
        self.draw_digest = ""

    @transition(field=status, source=P.DRAWN, target=P.IN_REVIEW, permission=can_manage_plan,
                custom={"label": _("开始评查")})
    def start(self, *, by):
        pass

    @transition(field=status, source=P.IN_REVIEW, target=P.PUBLISHED, permission=can_manage_plan,
                custom={"label": _("公布结果")})
    def publish(self, *, by):
        self.published_at = timezone.now()

    @transition(field=status, source=P.PUBLISHED, target=P.CLOSED, permission=can_manage_plan,
                custom={"label": _("结束评查")})
    def close(self, *, by):
        self.closed_at = timezone.now()


class SampledFile(models.Model):
    """One case file drawn for a plan, with its final result once scored."""

    plan = models.ForeignKey(ReviewPlan, verbose_name=_("评查方案"), on_delete=models.CASCADE, related_name="files")
    case = models.ForeignKey(Case, verbose_name=_("案卷"), on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, verbose_name=_("被评查单位"), on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("抽取顺序"))
    final_score = models.DecimalField(_("得分"), null=True, blank=True, **POINTS)
    deductions = models.DecimalField(_("扣分合计"), null=True, blank=True, **POINTS)
    vetoed = models.BooleanField(_("否决"), default=False)
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices, blank=True)
    # Two reviewers whose totals differ by more than the plan's gap: the lead settles it.
    gap_flag = models.BooleanField(_("评分差异待裁定"), default=False)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("裁定人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    settled_note = models.TextField(_("裁定意见"), blank=True)

    class Meta:
        verbose_name = _("抽取案卷")
        verbose_name_plural = _("抽取案卷")
        ordering = ["plan_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "case"], name="sampled_file_once"),
            models.UniqueConstraint(fields=["plan", "position"], name="sampled_file_position"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}#{self.position}"

    @property
    def is_scored(self) -> bool:
        return bool(self.grade) and not self.gap_flag


class Assignment(models.Model):
    """A reviewer assigned to a sampled file (first or second reviewer)."""

    sampled = models.ForeignKey(SampledFile, verbose_name=_("抽取案卷"), on_delete=models.CASCADE,
                                related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评查人"), on_delete=models.PROTECT, related_name="review_assignments"
    )
    ordinal = models.PositiveSmallIntegerField(_("序号"), default=1)
    granted = models.BooleanField(_("已授权查阅"), default=False)

    class Meta:
        verbose_name = _("评查分工")
        verbose_name_plural = _("评查分工")
        ordering = ["sampled_id", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["sampled", "reviewer"], name="assignment_reviewer_once"),
            models.UniqueConstraint(fields=["sampled", "ordinal"], name="assignment_ordinal_once"),
        ]

    def __str__(self) -> str:
        return f"{self.sampled} · {self.reviewer}"


class Score(WorkflowModel):
    """One reviewer's score of one file: a draft until submitted; submitted scores are locked."""

    assignment = models.OneToOneField(Assignment, verbose_name=_("评查分工"), on_delete=models.CASCADE,
                                      related_name="score")
    status = FSMField(_("状态"), choices=ScoreStatus.choices, default=ScoreStatus.DRAFT, protected=True)
    total = models.DecimalField(_("得分"), default=Decimal("100"), **POINTS)
    vetoed = models.BooleanField(_("否决"), default=False)
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices, blank=True)
    comment = models.TextField(_("总体意见"), blank=True)
    saved_at = models.DateTimeField(_("保存时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")

    def __str__(self) -> str:
        return f"{self.assignment}: {self.total}"

    @property
    def is_locked(self) -> bool:
        return self.status == ScoreStatus.SUBMITTED

    @transition(field=status, source=ScoreStatus.DRAFT, target=ScoreStatus.SUBMITTED, permission=can_score,
                custom={"label": _("提交评分")})
    def submit(self, *, by):
        self.submitted_at = timezone.now()

    @transition(field=status, source=ScoreStatus.SUBMITTED, target=ScoreStatus.DRAFT, permission=can_reopen_score,
                custom={"label": _("退回修改评分")})
    def reopen(self, *, by):
        self.submitted_at = None


class ScoreDeduction(models.Model):
    score = models.ForeignKey(Score, verbose_name=_("评分"), on_delete=models.CASCADE, related_name="deductions")
    item = models.ForeignKey(RubricItem, verbose_name=_("扣分项"), on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("扣分"), validators=[MinValueValidator(0)], **POINTS)
    comment = models.TextField(_("扣分理由"), blank=True)

    class Meta:
        verbose_name = _("扣分")
        verbose_name_plural = _("扣分")
        ordering = ["score_id", "item__group__order", "item__order"]
        constraints = [models.UniqueConstraint(fields=["score", "item"], name="deduction_once_per_item")]

    def __str__(self) -> str:
        return f"{self.item.code} -{self.points}"


class ScoreVeto(models.Model):
    score = models.ForeignKey(Score, verbose_name=_("评分"), on_delete=models.CASCADE, related_name="vetoes")
    veto = models.ForeignKey(VetoItem, verbose_name=_("否决项"), on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("理由"), blank=True)

    class Meta:
        verbose_name = _("否决")
        verbose_name_plural = _("否决")
        ordering = ["score_id", "veto__order"]
        constraints = [models.UniqueConstraint(fields=["score", "veto"], name="score_veto_once")]

    def __str__(self) -> str:
        return self.veto.code


# --- rectification -------------------------------------------------------------------------------


class RectificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> RectificationQuerySet:
        """The judicial bureau sees every notice; an agency its own."""
        if user is None or not user.is_authenticated:
            return self.none()
        if is_judicial_reviewer(user):
            return self
        return self.filter(agency_id__in=scope_for(user).agency_ids)


R = RectificationStatus


class Rectification(WorkflowModel):
    """A rectification notice (整改通知) for one reviewed file."""

    plan = models.ForeignKey(ReviewPlan, verbose_name=_("评查方案"), on_delete=models.PROTECT,
                             related_name="rectifications")
    sampled = models.OneToOneField(SampledFile, verbose_name=_("抽取案卷"), on_delete=models.PROTECT,
                                   related_name="rectification")
    agency = models.ForeignKey(Agency, verbose_name=_("整改单位"), on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评查人"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("通知编号"), max_length=40, unique=True)
    reason = models.CharField(_("整改原因"), max_length=200)
    status = FSMField(_("状态"), choices=RectificationStatus.choices, default=R.ISSUED, protected=True,
                      db_index=True)
    issued_at = models.DateTimeField(_("下发时间"), default=timezone.now)
    due_at = models.DateTimeField(_("整改期限"))
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("通过时间"), null=True, blank=True)
    # Warnings (亮灯), kept by supervision.services.sweep_rectification_warnings.
    warning_level = models.CharField(_("预警"), max_length=8, choices=WarningLevel.choices,
                                     default=WarningLevel.NONE, db_index=True)
    warning_changed_at = models.DateTimeField(_("预警变更时间"), null=True, blank=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (R.ISSUED, R.RETURNED)

    @transition(field=status, source=(R.ISSUED, R.RETURNED), target=R.ANSWERED, permission=can_answer,
                custom={"label": _("提交整改情况")})
    def answer(self, *, by):
        self.answered_at = timezone.now()

    @transition(field=status, source=R.ANSWERED, target=R.ACCEPTED, permission=can_check_rectification,
                custom={"label": _("整改通过")})
    def accept(self, *, by):
        self.accepted_at = timezone.now()
        self.warning_level = WarningLevel.NONE

    @transition(field=status, source=R.ANSWERED, target=R.RETURNED, permission=can_check_rectification,
                custom={"label": _("退回重新整改")})
    def send_back(self, *, by):
        pass


class RectificationItem(models.Model):
    """One thing to fix (from a deduction or a veto), and the agency's answer."""

    notice = models.ForeignKey(Rectification, verbose_name=_("整改通知"), on_delete=models.CASCADE,
                               related_name="items")
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("问题"))
    status = models.CharField(_("状态"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    answer = models.TextField(_("整改情况"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("反馈人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    check_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["notice_id", "order"]
        constraints = [models.UniqueConstraint(fields=["notice", "order"], name="rectification_item_order")]

    def __str__(self) -> str:
        return f"{self.notice_id}.{self.order}"


class RectificationAttachment(models.Model):
    """A file the agency attaches to an answer; served only by a scope-checked view."""

    item = models.ForeignKey(RectificationItem, verbose_name=_("整改事项"), on_delete=models.CASCADE,
                             related_name="attachments")
    file = models.FileField(_("文件"), upload_to="supervision/rectification/%Y/%m/", max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("整改附件")
        verbose_name_plural = _("整改附件")
        ordering = ["item_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ReviewPolicy(models.Model):
    """County settings of case-file review (one row; defaults when absent)."""

    # From this day of the year (month, day) the sweep warns about agencies not reviewed yet.
    warn_unreviewed_month = models.PositiveSmallIntegerField(_("提醒未评查单位：月"), default=11)
    warn_unreviewed_day = models.PositiveSmallIntegerField(_("提醒未评查单位：日"), default=1)

    class Meta:
        verbose_name = _("评查参数")
        verbose_name_plural = _("评查参数")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="review_policy_singleton")]

    def __str__(self) -> str:
        return str(_("评查参数"))


# isort: split
# Performance evaluation's tables live in their subject package (same app label).
from supervision.evaluation.models import (  # noqa: E402, F401
    AssessmentTerm,
    EvaluationPeriod,
    QualificationExam,
    RatingItem,
    RatingItemScore,
    RatingScheme,
    TownshipOfficerEvaluation,
    TownshipUnitEvaluation,
    TrainingRecord,
    UnitRating,
)

# isort: split
# The annual disclosure report lives in its own subject package (same app label).
from supervision.disclosure.models import DisclosureReport  # noqa: E402, F401
