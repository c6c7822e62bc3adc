"""Admin of disclosure reports: read only (every change goes through the services and their events)."""

from __future__ import annotations

from django.contrib import admin

from supervision.disclosure.models import DisclosureReport


@admin.register(DisclosureReport)
class DisclosureReportAdmin(admin.ModelAdmin):
    list_display = ("year", "version", "status", "built_at", "published_at")
    list_filter = ("status",)
    list_select_related = ("supersedes",)
    readonly_fields = [f.name for f in DisclosureReport._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
