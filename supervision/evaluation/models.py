"""Performance evaluation (考核评价).

Units (departments, squadrons):

* :class:`EvaluationPeriod` (考核周期), kept in admin: the annual rating's year, or any period;
* :class:`RatingScheme` per unit kind: the townships' weight and the bureau's :class:`RatingItem`
  weights, which must total 100% (admin refuses otherwise, and so does rating);
* :class:`TownshipUnitEvaluation`: a township's score of a unit that serves its territory;
* :class:`UnitRating`: a unit's rating for a period, draft -> published (frozen); a correction
  supersedes a published rating with a note and both stay visible. The weights, the scores and the
  formula are copied onto the rating, so that a later change in admin never alters it.

Officers: :class:`AssessmentTerm` (one term of the points scheme), :class:`TrainingRecord`,
:class:`QualificationExam` and :class:`TownshipOfficerEvaluation` (the township's yearly form for a
stationed officer). Everything is written by :mod:`supervision.evaluation.services` only.
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

from enforcement.models.agencies import TOWNSHIP_KINDS, Agency, AgencyKind
from enforcement.workflow import FSMField, WorkflowModel
from supervision.evaluation.choices import RATED_KINDS, Recommendation, TermKey
from supervision.evaluation.choices import RatingStatus as S
from supervision.evaluation.permissions import can_manage_rating, can_read_units, evaluating_townships, is_bureau

SCORE = {"max_digits": 6, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2}
HUNDRED = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class EvaluationPeriod(models.Model):
    name = models.CharField(_("名称"), max_length=60, unique=True)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"))
    is_annual = models.BooleanField(_("年度评定"), default=True, help_text=_("年度评定周期可录入各单位年度评定"))

    class Meta:
        verbose_name = _("考核周期")
        verbose_name_plural = _("考核周期")
        ordering = ["-start", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="evaluation_period_dates_ordered")
        ]

    def __str__(self) -> str:
        return self.name


class RatingScheme(models.Model):
    """How a kind of unit is rated: the townships' weight plus the bureau's items, 100% in all."""

    unit_kind = models.CharField(
        _("单位类型"), max_length=32, unique=True, choices=[(k.value, k.label) for k in RATED_KINDS]
    )
    township_weight = models.DecimalField(_("乡镇评价权重（%）"), validators=HUNDRED, **PERCENT)

    class Meta:
        verbose_name = _("年度评定权重")
        verbose_name_plural = _("年度评定权重")
        ordering = ["unit_kind"]

    def __str__(self) -> str:
        return str(AgencyKind(self.unit_kind).label)


class RatingItem(models.Model):
    """One item the bureau scores (0-100) with its reasons."""

    scheme = models.ForeignKey(RatingScheme, verbose_name=_("评定权重"), on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("评定项目"), max_length=60)
    weight = models.DecimalField(_("权重（%）"), validators=HUNDRED, **PERCENT)

    class Meta:
        verbose_name = _("局评定项目")
        verbose_name_plural = _("局评定项目")
        ordering = ["scheme", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class TownshipUnitEvaluationQuerySet(models.QuerySet):
    def visible_to(self, user) -> TownshipUnitEvaluationQuerySet:
        """The bureau and the judicial bureau: every form; a township's officers and leaders: their township's."""
        if can_read_units(user):
            return self
        return self.filter(township_id__in=evaluating_townships(user))


class TownshipUnitEvaluation(models.Model):
    """A township's evaluation (0-100) of a unit that served its territory in a period."""

    period = models.ForeignKey(
        EvaluationPeriod, verbose_name=_("考核周期"), on_delete=models.PROTECT, related_name="township_evaluations"
    )
    township = models.ForeignKey(
        Agency,
        verbose_name=_("乡镇/街道"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind__in": TOWNSHIP_KINDS},
    )
    unit = models.ForeignKey(Agency, verbose_name=_("被评价单位"), on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("评价得分"), validators=HUNDRED, **SCORE)
    comment = models.TextField(_("评价意见"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("评价时间"), default=timezone.now)

    objects = TownshipUnitEvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("乡镇对单位评价")
        verbose_name_plural = _("乡镇对单位评价")
        ordering = ["period", "unit", "township"]
        constraints = [
            models.UniqueConstraint(fields=["period", "township", "unit"], name="township_unit_evaluation_once")
        ]

    def __str__(self) -> str:
        return f"{self.township} → {self.unit} ({self.period})"


class UnitRatingQuerySet(models.QuerySet):
    def visible_to(self, user) -> UnitRatingQuerySet:
        return self if can_read_units(user) else self.none()


class UnitRating(WorkflowModel):
    """A unit's rating for a period: townships' share + bureau items, with the formula written out."""

    period = models.ForeignKey(
        EvaluationPeriod, verbose_name=_("考核周期"), on_delete=models.PROTECT, related_name="ratings"
    )
    unit = models.ForeignKey(Agency, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    status = FSMField(_("状态"), choices=S.choices, default=S.DRAFT, protected=True, db_index=True)
    township_weight = models.DecimalField(_("乡镇评价权重（%）"), **PERCENT)
    township_score = models.DecimalField(_("乡镇评价得分"), null=True, blank=True, **SCORE)
    township_count = models.PositiveSmallIntegerField(_("参与评价乡镇数"), default=0)
    total = models.DecimalField(_("评定得分"), **SCORE)
    formula = models.CharField(_("计算公式"), max_length=500)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("更正的评定"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    correction_note = models.TextField(_("更正说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    objects = UnitRatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位年度评定")
        verbose_name_plural = _("单位年度评定")
        ordering = ["period", "-total", "unit"]
        constraints = [
            # One current rating per unit and period: drafts and published ones; superseded ones stay beside.
            models.UniqueConstraint(
                fields=["period", "unit"], condition=~Q(status=S.SUPERSEDED), name="unit_rating_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.period}"

    @property
    def is_frozen(self) -> bool:
        return self.status != S.DRAFT

    @transition(
        field=status, source=S.DRAFT, target=S.PUBLISHED, permission=can_manage_rating, custom={"label": _("公布评定")}
    )
    def publish(self, *, by, at):
        self.published_at = at

    @transition(
        field=status,
        source=S.PUBLISHED,
        target=S.SUPERSEDED,
        permission=can_manage_rating,
        custom={"label": _("更正评定")},
    )
    def supersede(self, *, by):
        pass


class RatingItemScore(models.Model):
    """The bureau's score of one item of a rating, with its weight as it was and the reasons."""

    rating = models.ForeignKey(
        UnitRating, verbose_name=_("单位评定"), on_delete=models.CASCADE, related_name="item_scores"
    )
    item = models.ForeignKey(
        RatingItem, verbose_name=_("评定项目"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("评定项目"), max_length=60)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    weight = models.DecimalField(_("权重（%）"), **PERCENT)
    score = models.DecimalField(_("得分"), validators=HUNDRED, **SCORE)
    reason = models.TextField(_("评分理由"))

    class Meta:
        verbose_name = _("局评定项目得分")
        verbose_name_plural = _("局评定项目得分")
        ordering = ["rating", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.name}: {self.score}"


# --- officers ------------------------------------------------------------------------------------


class AssessmentTerm(models.Model):
    """One term of the officers' points scheme: points per unit of the term's value, optionally capped."""

    key = models.CharField(_("考核项"), max_length=30, unique=True, choices=TermKey.choices)
    points = models.DecimalField(_("每单位分值"), max_digits=7, decimal_places=2, help_text=_("负数为扣分"))
    cap = models.DecimalField(
        _("封顶（绝对值）"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("人员考核计分项")
        verbose_name_plural = _("人员考核计分项")
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.get_key_display()


class TrainingRecord(models.Model):
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("执法人员"), on_delete=models.CASCADE, related_name="training_records"
    )
    day = models.DateField(_("培训日期"))
    title = models.CharField(_("培训内容"), max_length=200)
    hours = models.DecimalField(
        _("学时"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    organiser = models.CharField(_("组织单位"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-day", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.hours})"


class QualificationExam(models.Model):
    """An officer's enforcement qualification exam (执法资格考试) of a year."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("执法人员"),
        on_delete=models.CASCADE,
        related_name="qualification_exams",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    taken_on = models.DateField(_("考试日期"))
    score = models.DecimalField(_("成绩"), validators=HUNDRED, **SCORE)
    passed = models.BooleanField(_("合格"))

    class Meta:
        verbose_name = _("执法资格考试")
        verbose_name_plural = _("执法资格考试")
        ordering = ["-year", "officer_id"]
        constraints = [models.UniqueConstraint(fields=["officer", "year"], name="qualification_exam_once_a_year")]

    def __str__(self) -> str:
        return f"{self.officer} {self.year}"


class TownshipOfficerEvaluationQuerySet(models.QuerySet):
    def visible_to(self, user) -> TownshipOfficerEvaluationQuerySet:
        if is_bureau(user):
            return self
        if user is None or not user.is_authenticated:
            return self.none()
        # The township's officers and leaders (not the squadron stationed there: a colleague's form is not
        # theirs to read), and the officer the form is about.
        return self.filter(Q(officer_id=user.pk) | Q(township_id__in=evaluating_townships(user)))


class TownshipOfficerEvaluation(models.Model):
    """The township's yearly evaluation of an officer stationed in it (考核评价、人事任免建议)."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("执法人员"),
        on_delete=models.PROTECT,
        related_name="township_evaluations",
    )
    township = models.ForeignKey(Agency, verbose_name=_("乡镇/街道"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    score = models.DecimalField(_("评价得分"), validators=HUNDRED, **SCORE)
    comments = models.TextField(_("评价意见"))
    recommendation = models.CharField(_("任免建议"), max_length=10, choices=Recommendation.choices, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填写人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("填写时间"), default=timezone.now)

    objects = TownshipOfficerEvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("乡镇对派驻人员评价")
        verbose_name_plural = _("乡镇对派驻人员评价")
        ordering = ["-year", "township", "officer_id"]
        constraints = [models.UniqueConstraint(fields=["officer", "year"], name="township_officer_evaluation_once")]

    def __str__(self) -> str:
        return f"{self.township} → {self.officer} ({self.year})"
