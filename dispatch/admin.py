"""Django admin of the dispatch app.

Tickets change only through services (the pages and the API): the admin shows
them read-only. Administrators edit here what a county sets differently: the
time-limit table (办理时限规则), the problem categories (also the Open311
services) and the desk rules (退单时限、重复工单判定).
"""

from __future__ import annotations

from django.contrib import admin

from .models import DispatchPolicy, SlaRule, Ticket, TicketCategory, TicketExtension


@admin.register(SlaRule)
class SlaRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "accept_amount", "accept_unit", "resolve_amount", "resolve_unit", "is_active",
                    "source_note"]
    list_filter = ["is_active", "channel", "priority"]
    list_select_related = ["category"]


@admin.register(TicketCategory)
class TicketCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "domain", "is_active", "sort_order"]
    list_filter = ["is_active", "domain"]
    search_fields = ["code", "name"]
    list_select_related = ["domain"]
    autocomplete_fields = ["suggested_matters"]


@admin.register(DispatchPolicy)
class DispatchPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "return_window_working_days", "max_returns", "duplicate_radius_m",
                    "duplicate_window_days", "updated_at"]

    def has_add_permission(self, request):
        # One row (pk=1), created with the defaults by the migration or on first use.
        return not DispatchPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["number", "channel", "status", "priority", "township", "responsible_agency", "warning_level",
                    "received_at"]
    list_filter = ["status", "channel", "priority", "warning_level"]
    search_fields = ["=number", "=external_ref"]
    list_select_related = ["township", "responsible_agency"]
    date_hierarchy = "received_at"
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(TicketExtension)
class TicketExtensionAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "amount", "unit", "status", "requested_by", "requested_at", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["ticket", "requested_by", "decided_by"]
