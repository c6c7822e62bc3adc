"""Django admin for cases (imported at the end of enforcement/admin.py).

Cases, evidence, documents and publications are read-only here: every change
goes through the case services (and their event log). Administrators edit the
configuration: deadline rules (with the article), the approval chain of major
cases, and the case-handling parameters (hearing thresholds, evidence size).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from enforcement.admin_base import ReadOnlyAdmin
from enforcement.cases.deadlines import DEFAULT_RULES
from enforcement.cases.models import (
    AppealRecord,
    ApprovalLevel,
    Case,
    CaseDeadlineRule,
    CaseDocument,
    CasePolicy,
    Evidence,
    Publication,
)


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "filing_number", "decision_number", "title", "agency", "status", "warning_level",
                    "is_major", "discovered_on", "decided_on"]
    list_filter = ["status", "procedure", "warning_level", "is_major", "outcome"]
    search_fields = ["number", "filing_number", "decision_number", "title", "party_name"]
    list_select_related = ["agency"]
    date_hierarchy = "discovered_on"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["title", "case", "kind", "sha256", "size", "uploaded_by", "uploaded_at", "superseded_at"]
    list_filter = ["kind"]
    search_fields = ["title", "sha256", "case__number"]
    list_select_related = ["case", "uploaded_by"]


@admin.register(CaseDocument)
class CaseDocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "number", "case", "stage", "created_by", "created_at"]
    list_filter = ["kind", "stage"]
    search_fields = ["number", "case__number"]
    list_select_related = ["case", "created_by"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["case", "published_at", "withdrawn_at"]
    list_select_related = ["case"]


@admin.register(AppealRecord)
class AppealRecordAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "body", "filed_on", "outcome", "won", "concluded_on"]
    list_filter = ["kind", "outcome"]
    list_select_related = ["case"]


class ReasonRequiredForm(forms.ModelForm):
    """Every change of a legal rule says why (kept in the history with who made it)."""

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError(_("请填写调整理由（例如本省规定的文件名称、文号）。"))
        return reason


class HistoryReasonMixin:
    """The reason of the change goes into the history row too (django-simple-history's change reason)."""

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data.get("reason", "")
        super().save_model(request, obj, form, change)


@admin.register(CaseDeadlineRule)
class CaseDeadlineRuleAdmin(HistoryReasonMixin, SimpleHistoryAdmin):
    form = ReasonRequiredForm
    list_display = ["key", "label", "amount", "unit", "article", "extend_past_holiday", "is_active", "reason"]

    def get_changeform_initial_data(self, request):
        key = request.GET.get("key")
        rule = DEFAULT_RULES.get(key)
        if rule is None:
            return super().get_changeform_initial_data(request)
        return {"key": rule.key, "label": str(rule.label), "amount": rule.amount, "unit": rule.unit,
                "article": str(rule.article)}

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "title": _("案件法定期限（未设置的按法定默认值）")}
        return super().changelist_view(request, extra_context)


@admin.register(ApprovalLevel)
class ApprovalLevelAdmin(admin.ModelAdmin):
    list_display = ["scope", "order", "approver", "label", "is_active"]
    list_filter = ["scope"]


@admin.register(CasePolicy)
class CasePolicyAdmin(HistoryReasonMixin, SimpleHistoryAdmin):
    form = ReasonRequiredForm
    list_display = ["__str__", "hearing_fine_individual", "hearing_fine_organisation",
                    "hearing_confiscation_individual", "hearing_confiscation_organisation", "evidence_max_bytes"]

    def has_add_permission(self, request):
        return not CasePolicy.objects.exists()

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        super().save_model(request, obj, form, change)
