"""Django admin for coercive measures (imported at the end of enforcement/admin.py).

Read-only: every change goes through the services and their event log.
"""

from __future__ import annotations

from django.contrib import admin

from enforcement.admin_base import ReadOnlyAdmin
from enforcement.coercion.models import CoerciveMeasure, Execution, SeizedItem


class SeizedItemInline(admin.TabularInline):
    model = SeizedItem
    extra = 0
    can_delete = False
    fields = ["name", "specification", "quantity", "unit", "custody_place", "keeper", "returned_on", "returned_to"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CoerciveMeasure)
class CoerciveMeasureAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "decision_number",
        "kind",
        "agency",
        "status",
        "warning_level",
        "decided_on",
        "ends_at",
        "released_on",
    ]
    list_filter = ["kind", "status", "warning_level", "is_emergency"]
    search_fields = ["number", "decision_number", "party_name"]
    list_select_related = ["agency"]
    date_hierarchy = "decided_on"
    inlines = [SeizedItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(Execution)
class ExecutionAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "decision_number",
        "agency",
        "status",
        "warning_level",
        "reminder_served_on",
        "court_applied_on",
        "window_ends_at",
        "conclusion",
    ]
    list_filter = ["status", "warning_level", "conclusion", "court_outcome"]
    search_fields = ["number", "decision_number", "party_name"]
    list_select_related = ["agency"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
