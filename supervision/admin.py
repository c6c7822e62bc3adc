"""Django admin of case-file review: rubrics are edited here (groups, items, vetoes); the rest is read-only.

A rubric's groups must total 100 points (checked on save of the group
inline); a rubric a drawn plan uses is read-only, and the action "make a new
version" copies it for editing.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from enforcement.admin_base import ReadOnlyAdmin
from supervision.models import (
    Rectification,
    ReviewPlan,
    ReviewPolicy,
    Rubric,
    RubricGroup,
    RubricItem,
    SampledFile,
    VetoItem,
)
from supervision.services.rubrics import TOTAL_POINTS, rubric_in_use, rubric_new_version


class GroupFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        total = Decimal(0)
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            total += form.cleaned_data.get("points") or 0
        if total != TOTAL_POINTS:
            raise ValidationError(_("评查标准各项目分值合计应为100分，现为%(total)s分。") % {"total": total})


class ItemFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        points = self.instance.points or 0
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data and not data.get("DELETE") and (data.get("max_deduction") or 0) > points:
                form.add_error("max_deduction",
                               _("最高扣分不能超过所属项目的分值（%(points)s分）。") % {"points": points})


class LockedWhenInUse:
    """A rubric (or a part of it) in use by a drawn plan never changes: make a new version."""

    def _rubric(self, obj):
        return obj

    def has_change_permission(self, request, obj=None):
        if obj is not None and rubric_in_use(self._rubric(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and rubric_in_use(self._rubric(obj)):
            return False
        return super().has_delete_permission(request, obj)


class GroupInline(LockedWhenInUse, admin.TabularInline):
    model = RubricGroup
    formset = GroupFormSet
    extra = 0
    show_change_link = True


class VetoInline(LockedWhenInUse, admin.TabularInline):
    model = VetoItem
    extra = 0


class ItemInline(LockedWhenInUse, admin.TabularInline):
    model = RubricItem
    formset = ItemFormSet
    extra = 0

    def _rubric(self, obj):
        return obj.rubric


@admin.register(Rubric)
class RubricAdmin(LockedWhenInUse, admin.ModelAdmin):
    list_display = ["name", "version", "excellent_min", "good_min", "pass_min", "created_at"]
    inlines = [GroupInline, VetoInline]
    actions = ["make_new_version"]
    readonly_fields = ["previous", "created_at"]

    @admin.action(description=_("复制为新版本"))
    def make_new_version(self, request, queryset):
        for rubric in queryset:
            copy = rubric_new_version(rubric)
            self.message_user(request, _("已创建 %(rubric)s。") % {"rubric": copy}, messages.SUCCESS)


@admin.register(RubricGroup)
class RubricGroupAdmin(LockedWhenInUse, admin.ModelAdmin):
    list_display = ["name", "rubric", "points", "order"]
    list_select_related = ["rubric"]
    inlines = [ItemInline]

    def _rubric(self, obj):
        return obj.rubric

    def has_module_permission(self, request):
        return False  # reached from the rubric page


@admin.register(ReviewPlan)
class ReviewPlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "year", "organiser", "lead", "status", "seed"]
    list_filter = ["status", "year"]
    list_select_related = ["organiser", "lead"]


@admin.register(SampledFile)
class SampledFileAdmin(ReadOnlyAdmin):
    list_display = ["plan", "position", "agency", "case", "final_score", "grade", "vetoed", "gap_flag"]
    list_filter = ["grade", "vetoed"]
    list_select_related = ["plan", "agency", "case"]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["number", "agency", "status", "due_at", "warning_level"]
    list_filter = ["status", "warning_level"]
    list_select_related = ["agency"]


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "warn_unreviewed_month", "warn_unreviewed_day"]

    def has_add_permission(self, request):
        return not ReviewPolicy.objects.exists()


# isort: split
# Performance evaluation's admin lives in its subject package.
from supervision.evaluation import admin as evaluation_admin  # noqa: E402, F401

# isort: split
# The disclosure report's admin lives in its subject package.
from supervision.disclosure import admin as _disclosure_admin  # noqa: E402, F401
