"""Django admin for warnings (imported at the end of enforcement/admin.py).

Administrators keep the county's warning list; every change says why and is kept with who made it
(django-simple-history). Warnings themselves are read-only here: every change goes through the
services and their event log.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from enforcement.admin_base import ReadOnlyAdmin
from enforcement.cases.admin import HistoryReasonMixin, ReasonRequiredForm
from enforcement.warnings.models import WarningMatter, WarningNotice


class WarningMatterForm(ReasonRequiredForm):
    class Meta:
        model = WarningMatter
        fields = ["matter", "is_active", "conditions", "correction_workdays", "repeat_days", "reason"]


@admin.register(WarningMatter)
class WarningMatterAdmin(HistoryReasonMixin, SimpleHistoryAdmin):
    form = WarningMatterForm
    list_display = ["matter", "is_active", "correction_workdays", "repeat_days", "reason"]
    list_filter = ["is_active"]
    search_fields = ["matter__code", "matter__name"]
    list_select_related = ["matter"]
    autocomplete_fields = ["matter"]


@admin.register(WarningNotice)
class WarningNoticeAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "kind",
        "party_name",
        "matter",
        "agency",
        "status",
        "warning_level",
        "issued_on",
        "correction_due_at",
    ]
    list_filter = ["status", "kind", "warning_level"]
    search_fields = ["number", "party_name"]
    list_select_related = ["matter", "agency"]
    date_hierarchy = "issued_on"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
