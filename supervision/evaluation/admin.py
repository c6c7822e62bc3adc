"""Django admin of performance evaluation: periods, rating weights and items, the points scheme,
training records and exams are edited here; ratings and townships' forms are read-only (services write them).

A scheme's weights (the townships' plus its items') must total 100%: saving anything else is refused.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from enforcement.admin_base import ReadOnlyAdmin
from supervision.evaluation.models import (
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
from supervision.evaluation.services import HUNDRED, scheme_total


class ItemWeightFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        weights = [
            form.cleaned_data.get("weight") or Decimal(0)
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        township = self.instance.township_weight
        if township is None:
            return
        total = scheme_total(township, weights)
        if total != HUNDRED:
            raise ValidationError(
                _("权重合计为 %(total)s%%，应为 100%%：乡镇评价权重与各评定项目权重之和必须等于 100%%。")
                % {"total": total.quantize(Decimal("0.01"))}
            )


class RatingItemInline(admin.TabularInline):
    model = RatingItem
    formset = ItemWeightFormSet
    extra = 0
    fields = ["order", "name", "weight"]


@admin.register(RatingScheme)
class RatingSchemeAdmin(admin.ModelAdmin):
    list_display = ["unit_kind", "township_weight"]
    inlines = [RatingItemInline]


@admin.register(EvaluationPeriod)
class EvaluationPeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "start", "end", "is_annual"]


@admin.register(AssessmentTerm)
class AssessmentTermAdmin(admin.ModelAdmin):
    list_display = ["key", "points", "cap", "order", "is_active"]
    list_editable = ["points", "cap", "order", "is_active"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = ["officer", "day", "title", "hours", "organiser"]
    list_select_related = ["officer"]
    list_filter = ["day"]
    search_fields = ["officer__username", "officer__first_name", "officer__last_name", "title"]
    autocomplete_fields = ["officer"]


@admin.register(QualificationExam)
class QualificationExamAdmin(admin.ModelAdmin):
    list_display = ["officer", "year", "taken_on", "score", "passed"]
    list_select_related = ["officer"]
    list_filter = ["year", "passed"]
    search_fields = ["officer__username", "officer__first_name", "officer__last_name"]
    autocomplete_fields = ["officer"]


class ItemScoreInline(admin.TabularInline):
    model = RatingItemScore
    extra = 0
    fields = ["name", "weight", "score", "reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(UnitRating)
class UnitRatingAdmin(ReadOnlyAdmin):
    list_display = ["unit", "period", "status", "total", "published_at"]
    list_select_related = ["unit", "period"]
    list_filter = ["period", "status"]
    inlines = [ItemScoreInline]


@admin.register(TownshipUnitEvaluation)
class TownshipUnitEvaluationAdmin(ReadOnlyAdmin):
    list_display = ["period", "township", "unit", "score", "at"]
    list_select_related = ["period", "township", "unit"]
    list_filter = ["period"]


@admin.register(TownshipOfficerEvaluation)
class TownshipOfficerEvaluationAdmin(ReadOnlyAdmin):
    list_display = ["year", "township", "officer", "score", "recommendation", "at"]
    list_select_related = ["township", "officer"]
    list_filter = ["year"]
